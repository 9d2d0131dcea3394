"""Finding and checking the library; the ctypes declarations against the C
header and the C compiler's struct layout."""
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import trajplot
from trajplot import _lib
from support import environment_file

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(PACKAGE_ROOT, "..", "..", "capi", "trajplot.h")


def import_in_subprocess(library_path):
    environment = dict(os.environ, TRAJPLOT_LIB_PATH=library_path, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run([sys.executable, "-c", "import trajplot"], env=environment, cwd=PACKAGE_ROOT,
                          capture_output=True, text=True, check=False)


class Loading(unittest.TestCase):
    def test_missing_file_in_the_variable_is_a_clear_error(self):
        missing = os.path.join(tempfile.gettempdir(), "no-such-dir", "libtrajplot.so.1")
        with self.assertRaises(trajplot.LibraryNotFoundError) as caught:
            _lib.load_library({"TRAJPLOT_LIB_PATH": missing})
        message = str(caught.exception)
        self.assertIn("%s (no such file)" % missing, message)
        self.assertIn("TRAJPLOT_LIB_PATH=%s names no loadable library" % missing, message)
        self.assertIsInstance(caught.exception, ImportError)

    def test_import_fails_with_the_same_message(self):
        result = import_in_subprocess("/nonexistent/libtrajplot.so.1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("trajplot.errors.LibraryNotFoundError: cannot load the trajplot library; tried:",
                      result.stderr)
        self.assertIn("/nonexistent/libtrajplot.so.1 (no such file)", result.stderr)

    def test_directory_without_the_library_lists_each_name_tried(self):
        with tempfile.TemporaryDirectory() as directory:
            with self.assertRaises(trajplot.LibraryNotFoundError) as caught:
                _lib.load_library({"TRAJPLOT_LIB_PATH": directory})
        for name in _lib._FILE_NAMES:
            self.assertIn(os.path.join(directory, name), str(caught.exception))

    def test_a_file_that_is_not_a_library_reports_the_loader_error(self):
        with tempfile.NamedTemporaryFile(suffix=".so") as file:
            file.write(b"not a shared object")
            file.flush()
            with self.assertRaises(trajplot.LibraryNotFoundError) as caught:
                _lib.load_library({"TRAJPLOT_LIB_PATH": file.name})
        self.assertIn(file.name, str(caught.exception))

    def test_directory_holding_the_library(self):
        loaded = environment_file(self, "TRAJPLOT_LIB_PATH")
        directory = loaded if os.path.isdir(loaded) else os.path.dirname(loaded)
        library = _lib.load_library({"TRAJPLOT_LIB_PATH": directory})
        self.assertEqual(library.trajplot_abi_version(), 1)

    def loaded_file(self):
        loaded = environment_file(self, "TRAJPLOT_LIB_PATH")
        if os.path.isdir(loaded):
            loaded = os.path.join(loaded, _lib._FILE_NAMES[0])
        return os.path.realpath(loaded)

    def import_from_copy(self, with_library, extra_environment):
        """Where a copy of the package, without TRAJPLOT_LIB_PATH, loads the
        library from."""
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        package = os.path.join(directory.name, "trajplot")
        shutil.copytree(os.path.join(PACKAGE_ROOT, "trajplot"), package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        if with_library:
            shutil.copy(self.loaded_file(), os.path.join(package, _lib._FILE_NAMES[0]))
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("TRAJPLOT_LIB_PATH", "LD_LIBRARY_PATH")}
        environment.update(extra_environment, PYTHONPATH=directory.name)
        result = subprocess.run([sys.executable, "-c", "import trajplot; print(trajplot.library_path())"],
                                env=environment, cwd=directory.name, capture_output=True, text=True,
                                check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        return package, result.stdout.strip()

    def test_a_library_beside_the_package_is_found(self):
        package, loaded = self.import_from_copy(True, {})
        self.assertEqual(loaded, os.path.join(package, _lib._FILE_NAMES[0]))

    def test_the_system_loader_is_asked_last(self):
        package, loaded = self.import_from_copy(
            False, {"LD_LIBRARY_PATH": os.path.dirname(self.loaded_file())})
        self.assertFalse(loaded.startswith(package), loaded)
        self.assertTrue(os.path.basename(loaded).startswith("libtrajplot.so"), loaded)

    def test_without_the_variable_the_search_ends_with_the_system_loader(self):
        candidates = _lib._candidates({})
        self.assertEqual(candidates[0], os.path.join(os.path.dirname(_lib.__file__), _lib._FILE_NAMES[0]))
        self.assertEqual(candidates[-1], _lib._FILE_NAMES[0])

    def test_another_abi_is_refused(self):
        other = environment_file(self, "TRAJPLOT_OTHER_ABI_LIB")
        with self.assertRaises(trajplot.AbiVersionError) as caught:
            _lib.load_library({"TRAJPLOT_LIB_PATH": other})
        self.assertEqual(str(caught.exception),
                         "%s implements trajplot ABI 2, but this Python package needs ABI 1" % other)
        result = import_in_subprocess(other)
        self.assertIn("AbiVersionError", result.stderr)

    def test_a_library_without_the_abi_function_is_refused(self):
        libc = ctypes.util.find_library("c")
        if libc is None:
            self.skipTest("no C library to load")
        with self.assertRaisesRegex(trajplot.AbiVersionError, "does not export trajplot_abi_version"):
            _lib._check_abi(ctypes.CDLL(libc), libc)

    def test_versions_match_the_header(self):
        if not os.path.exists(HEADER):
            self.skipTest("the C header is not beside this package")
        with open(HEADER, encoding="utf-8") as file:
            defines = dict(re.findall(r"#define TRAJPLOT_(ABI_VERSION|VERSION_[A-Z]+) (\d+)", file.read()))
        self.assertEqual(trajplot.ABI_VERSION, int(defines["ABI_VERSION"]))
        self.assertEqual(trajplot.library_version(),
                         tuple(int(defines["VERSION_" + part]) for part in ("MAJOR", "MINOR", "PATCH")))

    def test_versions(self):
        given = os.path.abspath(environment_file(self, "TRAJPLOT_LIB_PATH"))
        self.assertIn(trajplot.library_path(),
                      [given] + [os.path.join(given, name) for name in _lib._FILE_NAMES])
        self.assertRegex(trajplot.__version__, r"^\d+\.\d+\.\d+$")
        self.assertEqual(trajplot.library_version(), tuple(int(part) for part in trajplot.__version__.split(".")))

    def test_package_metadata_carries_the_library_version(self):
        with open(os.path.join(PACKAGE_ROOT, "pyproject.toml"), encoding="utf-8") as file:
            version = re.search(r'^version = "([^"]+)"', file.read(), re.M).group(1)
        self.assertEqual(version, trajplot.__version__)


class Declarations(unittest.TestCase):
    def header_prototypes(self):
        if not os.path.exists(HEADER):
            self.skipTest("the C header is not beside this package")
        with open(HEADER, encoding="utf-8") as file:
            text = re.sub(r"/\*.*?\*/", "", file.read(), flags=re.S)
        prototypes = {}
        for match in re.finditer(r"TRAJPLOT_API\s+[^;(]*?\b(trajplot_\w+)\s*\(([^)]*)\)\s*;", text):
            parameters = " ".join(match.group(2).split())
            prototypes[match.group(1)] = 0 if parameters == "void" else parameters.count(",") + 1
        return prototypes

    def test_every_function_of_the_header_is_declared_once_with_its_arity(self):
        prototypes = self.header_prototypes()
        declared = [name for name, _, _ in _lib._PROTOTYPES]
        self.assertEqual(len(declared), len(set(declared)), "a function is declared twice")
        self.assertEqual(sorted(declared), sorted(prototypes))
        for name, argtypes, _ in _lib._PROTOTYPES:
            self.assertEqual(len(argtypes), prototypes[name], name)

    def test_constants_match_the_header(self):
        if not os.path.exists(HEADER):
            self.skipTest("the C header is not beside this package")
        with open(HEADER, encoding="utf-8") as file:
            text = file.read()
        constants = re.findall(r"\bTRAJPLOT_((?:MEASURE|VALUES|PLOTLYJS)_[A-Z_]+) = (\d+)", text)
        constants += re.findall(r"#define TRAJPLOT_(SHOW_RANKS|[A-Z]+_OPTIONS_VERSION) (\d+)", text)
        self.assertGreater(len(constants), 20)
        for name, value in constants:
            self.assertEqual(getattr(_lib, name), int(value), name)

    def test_struct_layouts_match_the_c_compiler(self):
        probe = environment_file(self, "TRAJPLOT_LAYOUT_PROBE")
        layouts = json.loads(subprocess.run([probe], capture_output=True, check=True, text=True).stdout)
        for structure in (_lib.trajplot_statistic_options, _lib.trajplot_figure_options,
                          _lib.trajplot_html_options, _lib.trajplot_trajectory_options,
                          _lib.trajplot_panel_options, _lib.trajplot_stack_options):
            with self.subTest(structure=structure.__name__):
                expected = layouts[structure.__name__]
                self.assertEqual(ctypes.sizeof(structure), expected["sizeof"])
                fields = [name for name, _ in structure._fields_]
                self.assertEqual(sorted(fields), sorted(key for key in expected if key != "sizeof"))
                for name in fields:
                    self.assertEqual(getattr(structure, name).offset, expected[name], name)

    def test_option_defaults_come_from_the_library(self):
        options = _lib.trajplot_figure_options()
        _lib.C.trajplot_figure_options_init(ctypes.byref(options), _lib.FIGURE_OPTIONS_VERSION)
        self.assertEqual((options.version, options.token_width, options.height, options.log_scale,
                          options.hover_value), (2, 80, 0, False, False))
        statistic = _lib.trajplot_statistic_options()
        _lib.C.trajplot_statistic_options_init(ctypes.byref(statistic), _lib.STATISTIC_OPTIONS_VERSION)
        self.assertTrue(statistic.includes_output)
        html = _lib.trajplot_html_options()
        _lib.C.trajplot_html_options_init(ctypes.byref(html), _lib.HTML_OPTIONS_VERSION)
        self.assertEqual((html.plotlyjs, html.full_html, html.responsive), (_lib.PLOTLYJS_LOCAL, True, False))
        trajectory = _lib.trajplot_trajectory_options()
        _lib.C.trajplot_trajectory_options_init(ctypes.byref(trajectory), _lib.TRAJECTORY_OPTIONS_VERSION)
        self.assertEqual(
            (trajectory.version, trajectory.values, bool(trajectory.vocabulary), trajectory.top_k,
             trajectory.min_prob, trajectory.min_prob_delta, trajectory.max_batch_items_shown,
             trajectory.max_string_len, trajectory.ellipsis, trajectory.newline_token,
             trajectory.whitespace_token, trajectory.threads, trajectory.forward_kl),
            (1, _lib.VALUES_LOGITS, False, 10, 0.0, 0.0, 3, 7, None, None, None, 0, True))

    def test_unknown_options_version_is_the_library_error(self):
        options = _lib.trajplot_figure_options()
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            _lib.C.trajplot_figure_options_init(ctypes.byref(options), 99)
        self.assertIn("99", str(caught.exception))
        self.assertEqual(_lib.C.trajplot_error_last(), b"")  # read and cleared once raised


if __name__ == "__main__":
    unittest.main()


class MemoryLimit(unittest.TestCase):
    def tearDown(self):
        trajplot.set_memory_limit(0)

    def test_default_is_a_positive_machine_size(self):
        trajplot.set_memory_limit(0)
        self.assertGreater(trajplot.memory_limit(), 1 << 20)

    def test_a_shape_beyond_the_limit_is_refused_before_anything_is_read(self):
        trajplot.set_memory_limit(1 << 20)
        self.assertEqual(trajplot.memory_limit(), 1 << 20)
        with self.assertRaises(trajplot.SizeOverflowError) as caught:
            trajplot.TrajectoryLabels([["x" * 600000], ["y" * 600000]])
        self.assertIn("more than the memory limit of 1048576 bytes", str(caught.exception))
        labels = trajplot.TrajectoryLabels([["x" * 1000], ["y" * 1000]])
        self.assertEqual(labels.label_strings[1][0], "y" * 1000)

    def test_bad_values_are_refused(self):
        for value in (-1, 1.5, "10", True):
            with self.assertRaises(trajplot.InvalidArgumentError):
                trajplot.set_memory_limit(value)
        with self.assertRaises(trajplot.SizeOverflowError):
            trajplot.set_memory_limit(1 << 80)
