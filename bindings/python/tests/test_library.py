"""Finding and checking the library; the ctypes declarations against the C
API, as scripts/describe_capi.py describes capi/trajplot.h, and against the
C compiler's struct layout."""
import ctypes
import ctypes.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

import trajplot
from trajplot import _lib, errors
from support import environment_file

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_ROOT = os.path.normpath(os.path.join(PACKAGE_ROOT, "..", ".."))
HEADER = os.path.join(SOURCE_ROOT, "capi", "trajplot.h")
DESCRIBE_SCRIPT = os.path.join(SOURCE_ROOT, "scripts", "describe_capi.py")

_description = []


def capi_description(test):
    """The C API as scripts/describe_capi.py describes capi/trajplot.h: the
    build's description (TRAJPLOT_CAPI_DESCRIPTION, which CTest sets), else
    this source tree's header described on the spot; the test is skipped
    when there is neither."""
    if not _description:
        path = os.environ.get("TRAJPLOT_CAPI_DESCRIPTION")
        if path:
            with open(path, encoding="utf-8") as file:
                _description.append(json.load(file))
        elif os.path.exists(HEADER) and os.path.exists(DESCRIBE_SCRIPT):
            described = subprocess.run([sys.executable, DESCRIBE_SCRIPT, "--header", HEADER],
                                       capture_output=True, text=True, check=False)
            if described.returncode != 0:
                raise AssertionError("describe_capi.py cannot describe %s:\n%s" % (HEADER, described.stderr))
            _description.append(json.loads(described.stdout))
        else:
            test.skipTest("neither TRAJPLOT_CAPI_DESCRIPTION (CTest sets it) nor the C header beside this "
                          "package")
    return _description[0]


def integer_constants(description):
    """name -> value of the #define integer constants and enum members."""
    constants = {item["name"]: item["value"] for item in description["constants"]
                 if isinstance(item["value"], int) and not isinstance(item["value"], bool)}
    for enum in description["enums"]:
        constants.update((name, value) for name, value in enum["members"])
    return constants


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
        self.assertEqual(library.trajplot_abi_version(), 2)

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
                         "%s implements trajplot ABI 1, but this Python package needs ABI 2" % other)
        result = import_in_subprocess(other)
        self.assertIn("AbiVersionError", result.stderr)

    def test_a_library_without_the_abi_function_is_refused(self):
        libc = ctypes.util.find_library("c")
        if libc is None:
            self.skipTest("no C library to load")
        with self.assertRaisesRegex(trajplot.AbiVersionError, "does not export trajplot_abi_version"):
            _lib._check_abi(ctypes.CDLL(libc), libc)

    def test_versions_match_the_header(self):
        constants = integer_constants(capi_description(self))
        self.assertEqual(trajplot.ABI_VERSION, constants["TRAJPLOT_ABI_VERSION"], "TRAJPLOT_ABI_VERSION")
        self.assertEqual(trajplot.library_version(),
                         tuple(constants["TRAJPLOT_VERSION_" + part] for part in ("MAJOR", "MINOR", "PATCH")),
                         "TRAJPLOT_VERSION_MAJOR, _MINOR, _PATCH")

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


# C types and the ctypes declarations that pass them. The description
# spells types canonically: "const char *const *", "trajplot_labels **",
# "unsigned int", "char [16]", "int (*)(void *, size_t)".
SCALARS = {
    "char": ctypes.c_char, "signed char": ctypes.c_byte, "unsigned char": ctypes.c_ubyte,
    "short": ctypes.c_short, "unsigned short": ctypes.c_ushort,
    "int": ctypes.c_int, "unsigned int": ctypes.c_uint, "unsigned": ctypes.c_uint,
    "long": ctypes.c_long, "unsigned long": ctypes.c_ulong,
    "long long": ctypes.c_longlong, "unsigned long long": ctypes.c_ulonglong,
    "size_t": ctypes.c_size_t, "ptrdiff_t": ctypes.c_ssize_t,
    "int8_t": ctypes.c_int8, "uint8_t": ctypes.c_uint8, "int16_t": ctypes.c_int16,
    "uint16_t": ctypes.c_uint16, "int32_t": ctypes.c_int32, "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
    "float": ctypes.c_float, "double": ctypes.c_double, "bool": ctypes.c_bool, "_Bool": ctypes.c_bool,
}


def ctype_name(ctype):
    if ctype is None:
        return "None"
    if ctype is _lib.STATUS:
        return "STATUS"
    if isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer):
        return "POINTER(%s)" % ctype_name(ctype._type_)
    if isinstance(ctype, type) and issubclass(ctype, ctypes.Array):
        return "%s * %d" % (ctype_name(ctype._type_), ctype._length_)
    return getattr(ctype, "__name__", repr(ctype))


class CApi:
    """The kinds of names of a description, for matching ctypes against C."""

    def __init__(self, description):
        self.enums = {enum["name"] for enum in description["enums"]}
        self.structs = {struct["name"] for struct in description["structs"]}
        self.opaque = {item["name"] for item in description["opaque_types"]}
        self.aliases = {item["name"]: item["type"] for item in description["aliases"]}
        self.function_pointers = {item["name"]: item for item in description["function_pointers"]}

    def matches(self, ctype, c_type, returned=False):
        """Whether the ctypes type `ctype` passes (or, returned, receives) a
        value of the C type `c_type`."""
        function_pointer = re.match(r"^(.*) \(\*\)\((.*)\)$", c_type)
        if function_pointer:
            count = 0 if function_pointer.group(2) == "void" else function_pointer.group(2).count(",") + 1
            return self.function_pointer_matches(ctype, count)
        array = re.match(r"^(.*?) \[(\d+)\]((?: ?\[\d+\])*)$", c_type)
        if array:
            inner = array.group(1) + (" " + array.group(3).strip() if array.group(3) else "")
            return (isinstance(ctype, type) and issubclass(ctype, ctypes.Array)
                    and ctype._length_ == int(array.group(2)) and self.matches(ctype._type_, inner.strip()))
        words = [word for word in c_type.replace("*", " * ").split()
                 if word not in ("const", "volatile", "restrict", "struct", "enum")]
        stars = words.count("*")
        base = " ".join(word for word in words if word != "*")
        if base in self.aliases and base not in self.structs:
            return self.matches(ctype, self.aliases[base] + " *" * stars, returned)
        if stars == 0:
            if base == "void":
                return ctype is None and returned
            if base in self.enums:
                return ctype is ctypes.c_int or (returned and ctype is _lib.STATUS)
            if base in SCALARS:
                return ctype is SCALARS[base]
            if base in self.structs:
                return isinstance(ctype, type) and issubclass(ctype, ctypes.Structure) and ctype.__name__ == base
            if base in self.opaque:
                return isinstance(ctype, type) and issubclass(ctype, ctypes.Structure) and ctype.__name__ == base
            if base in self.function_pointers:
                return self.function_pointer_matches(ctype, len(self.function_pointers[base]["parameters"]))
            raise AssertionError("no ctypes type is known for the C type `%s`" % c_type)
        if stars == 1 and base == "char" and ctype is ctypes.c_char_p:
            return True
        if stars == 1 and (base == "void" or base in self.opaque) and ctype is ctypes.c_void_p:
            return True
        if stars == 1 and base == "void":
            return False
        if not (isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer)):
            return False
        return self.matches(ctype._type_, base + " *" * (stars - 1))

    @staticmethod
    def function_pointer_matches(ctype, count):
        if ctype is ctypes.c_void_p:
            return True
        return (isinstance(ctype, type) and issubclass(ctype, ctypes._CFuncPtr)
                and len(ctype._argtypes_) == count)


def layout_probe_source(description):
    """A C program that prints, as JSON, the size and field offsets of
    every struct of the description as the C compiler lays them out."""
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <trajplot.h>", "",
             "int main(void) {", '    printf("{");']
    for index, struct in enumerate(description["structs"]):
        name = struct["name"]
        lines.append('    printf("%s\\"%s\\": {\\"sizeof\\": %%zu", sizeof(%s));'
                     % (", " if index else "", name, name))
        for field, _ in struct["fields"]:
            lines.append('    printf(", \\"%s\\": %%zu", offsetof(%s, %s));' % (field, name, field))
        lines.append('    printf("}");')
    lines += ['    printf("}\\n");', "    return 0;", "}", ""]
    return "\n".join(lines)


def compiler_environment():
    """The environment without what a sanitizer build preloads into this
    interpreter: the compiler and the probe are not instrumented."""
    return {key: value for key, value in os.environ.items() if key not in ("LD_PRELOAD", "ASAN_OPTIONS")}


class Declarations(unittest.TestCase):
    maxDiff = None  # a failure lists every name concerned

    def functions(self):
        return {function["name"]: function for function in capi_description(self)["functions"]}

    def test_every_function_of_the_header_is_declared_once_with_its_arity(self):
        functions = self.functions()
        self.assertGreater(len(functions), 30, "the description lists too few functions")
        declared = [name for name, _, _ in _lib._PROTOTYPES]
        twice = sorted({name for name in declared if declared.count(name) > 1})
        self.assertEqual(twice, [], "functions declared more than once in trajplot/_lib.py")
        missing = sorted(set(functions) - set(declared))
        self.assertEqual(missing, [], "functions of trajplot.h that trajplot/_lib.py does not declare")
        unknown = sorted(set(declared) - set(functions))
        self.assertEqual(unknown, [], "functions declared in trajplot/_lib.py that trajplot.h lacks")
        for name, argtypes, _ in _lib._PROTOTYPES:
            self.assertEqual(len(argtypes), len(functions[name]["parameters"]),
                             "%s takes %d parameters in trajplot.h (line %d), but _lib declares %d argtypes"
                             % (name, len(functions[name]["parameters"]), functions[name]["line"], len(argtypes)))

    def test_argument_and_return_types_match_the_header(self):
        functions = self.functions()
        api = CApi(capi_description(self))
        problems = []
        for name, argtypes, restype in _lib._PROTOTYPES:
            function = functions.get(name)
            if function is None or len(argtypes) != len(function["parameters"]):
                continue  # reported by the test above
            if not api.matches(restype, function["return_type"], returned=True):
                problems.append("%s returns `%s`, but its restype is %s"
                                % (name, function["return_type"], ctype_name(restype)))
            for index, (ctype, (parameter, c_type)) in enumerate(zip(argtypes, function["parameters"]), 1):
                if not api.matches(ctype, c_type):
                    problems.append("%s parameter %d (`%s %s`) is declared %s"
                                    % (name, index, c_type, parameter, ctype_name(ctype)))
        self.assertEqual(problems, [], "ctypes declarations that do not pass the C types of trajplot.h")

    def test_constants_match_the_header(self):
        """Every integer constant and enum member of the header, as the
        name without TRAJPLOT_ in trajplot/_lib.py (status codes: in
        trajplot/errors.py); the release version is the library's
        (test_versions_match_the_header). Other constants are compared
        when mirrored."""
        description = capi_description(self)
        constants = integer_constants(description)
        self.assertGreater(len(constants), 20)
        status_codes = {name for enum in description["enums"] if enum["name"] == "trajplot_status"
                        for name, _ in enum["members"]}
        problems = []
        for name, value in constants.items():
            if name.startswith("TRAJPLOT_VERSION_"):
                continue
            short = name[len("TRAJPLOT_"):] if name.startswith("TRAJPLOT_") else name
            where = errors if name in status_codes else _lib
            mirrored = getattr(where, short, None)
            if mirrored is None:
                problems.append("%s (%d) has no %s.%s" % (name, value, where.__name__, short))
            elif mirrored != value:
                problems.append("%s is %d in trajplot.h but %r in %s" % (name, value, mirrored, where.__name__))
        for item in description["constants"]:
            short = item["name"][len("TRAJPLOT_"):]
            if item["name"] not in constants and hasattr(_lib, short) and getattr(_lib, short) != item["value"]:
                problems.append("%s is %r in trajplot.h but %r in trajplot._lib"
                                % (item["name"], item["value"], getattr(_lib, short)))
        self.assertEqual(problems, [], "constants of trajplot.h not mirrored as they are")

    def test_structs_match_the_header(self):
        """Every struct of the header is a ctypes Structure of the same name
        with the same fields, in order, of matching types."""
        description = capi_description(self)
        api = CApi(description)
        self.assertGreater(len(description["structs"]), 2)
        for struct in description["structs"]:
            with self.subTest(structure=struct["name"]):
                declared = getattr(_lib, struct["name"], None)
                self.assertTrue(isinstance(declared, type) and issubclass(declared, ctypes.Structure),
                                "trajplot/_lib.py does not declare the struct %s of trajplot.h (line %d)"
                                % (struct["name"], struct["line"]))
                fields = getattr(declared, "_fields_", [])
                self.assertEqual([name for name, *_ in fields], [name for name, _ in struct["fields"]],
                                 "the fields of %s, in order" % struct["name"])
                for (name, ctype, *_), (_, c_type) in zip(fields, struct["fields"]):
                    self.assertTrue(api.matches(ctype, c_type), "%s.%s is C `%s` but declared %s"
                                    % (struct["name"], name, c_type, ctype_name(ctype)))

    def test_opaque_types_are_declared(self):
        for item in capi_description(self)["opaque_types"]:
            declared = getattr(_lib, item["name"], None)
            self.assertTrue(isinstance(declared, type) and issubclass(declared, ctypes.Structure),
                            "trajplot/_lib.py does not declare the handle type %s of trajplot.h (line %d)"
                            % (item["name"], item["line"]))

    def test_struct_layouts_match_the_c_compiler(self):
        """Sizes and field offsets of every struct of the header, from a
        probe compiled now with the build's C compiler (TRAJPLOT_C_COMPILER,
        else cc) against the header (TRAJPLOT_INCLUDE_DIR, else capi/)."""
        description = capi_description(self)
        include_dir = os.environ.get("TRAJPLOT_INCLUDE_DIR") or os.path.dirname(HEADER)
        compiler = shlex.split(os.environ.get("TRAJPLOT_C_COMPILER") or "cc")
        with tempfile.TemporaryDirectory() as directory:
            source = os.path.join(directory, "layout_probe.c")
            program = os.path.join(directory, "layout_probe")
            with open(source, "w", encoding="utf-8") as file:
                file.write(layout_probe_source(description))
            compiled = subprocess.run(compiler + ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                                                  "-I", include_dir, source, "-o", program],
                                      capture_output=True, text=True, check=False, env=compiler_environment())
            self.assertEqual(compiled.returncode, 0, "the layout probe does not compile:\n" + compiled.stderr)
            ran = subprocess.run([program], capture_output=True, text=True, check=True, env=compiler_environment())
        layouts = json.loads(ran.stdout)
        self.assertEqual(list(layouts), [struct["name"] for struct in description["structs"]])
        for name, expected in layouts.items():
            with self.subTest(structure=name):
                structure = getattr(_lib, name, None)
                self.assertIsNotNone(structure, "trajplot/_lib.py does not declare the struct %s" % name)
                self.assertEqual(ctypes.sizeof(structure), expected["sizeof"], "sizeof(%s)" % name)
                for field in (key for key in expected if key != "sizeof"):
                    self.assertTrue(hasattr(structure, field), "%s has no field %s" % (name, field))
                    self.assertEqual(getattr(structure, field).offset, expected[field],
                                     "offset of %s.%s" % (name, field))

    def test_initializers_match_the_library_defaults(self):
        """Each TRAJPLOT_<X>_INIT of the header is what the library's
        trajplot_<x>_init fills in, field for field, read through the
        ctypes declaration of trajplot_<x>."""
        description = capi_description(self)
        constants = integer_constants(description)
        structs = {struct["name"]: struct for struct in description["structs"]}
        for initializer in description["initializers"]:
            with self.subTest(initializer=initializer["name"]):
                struct_name = "trajplot_" + initializer["name"][len("TRAJPLOT_"):-len("_INIT")].lower()
                struct = structs.get(struct_name)
                self.assertIsNotNone(struct, "%s initializes no struct %s" % (initializer["name"], struct_name))
                structure = getattr(_lib, struct_name, None)
                self.assertIsNotNone(structure, "trajplot/_lib.py does not declare %s" % struct_name)
                self.assertEqual(len(initializer["values"]), len(struct["fields"]),
                                 "%s has a value for each field of %s" % (initializer["name"], struct_name))
                self.assertEqual([name for name, *_ in structure._fields_], [name for name, _ in struct["fields"]],
                                 "the fields of %s, in order" % struct_name)
                version = initializer["values"][0]
                self.assertIn(version, constants, "%s does not start with a version constant" % initializer["name"])
                init = getattr(_lib.C, struct_name + "_init", None)
                self.assertIsNotNone(init, "the library has no %s_init for %s" % (struct_name, initializer["name"]))
                options = structure()
                refused = None
                try:
                    init(ctypes.byref(options), constants[version])
                except trajplot.TrajplotError as error:
                    refused = str(error)
                self.assertIsNone(refused, "%s_init refuses %s = %d" % (struct_name, version, constants[version]))
                for (field, _), written in zip(struct["fields"], initializer["values"]):
                    actual = getattr(options, field)
                    if written == "NULL":
                        self.assertFalse(actual, "%s.%s" % (struct_name, field))
                    elif written in ("true", "false"):
                        self.assertIs(bool(actual), written == "true", "%s.%s" % (struct_name, field))
                    elif written in constants:
                        self.assertEqual(actual, constants[written], "%s.%s" % (struct_name, field))
                    elif re.match(r"^-?[0-9.]+[fFuU]?$", written):
                        self.assertEqual(actual, float(written.rstrip("fFuU")), "%s.%s" % (struct_name, field))
                    else:
                        self.fail("%s: cannot compare the value `%s` of %s" % (initializer["name"], written, field))

    def test_option_defaults_come_from_the_library(self):
        options = _lib.trajplot_figure_options()
        _lib.C.trajplot_figure_options_init(ctypes.byref(options), _lib.FIGURE_OPTIONS_VERSION)
        self.assertEqual((options.version, options.title, options.token_width, options.height,
                          options.has_vertical_spacing, options.equal_panel_heights, options.layout_json),
                         (2, None, 80, 0, False, False, None))
        panel = _lib.trajplot_panel_options()
        _lib.C.trajplot_panel_options_init(ctypes.byref(panel), _lib.PANEL_OPTIONS_VERSION)
        self.assertEqual((panel.version, panel.title, panel.colorscale, panel.extra_json, panel.log_scale,
                          panel.hover_value), (1, None, None, None, False, False))
        statistic = _lib.trajplot_statistic_options()
        _lib.C.trajplot_statistic_options_init(ctypes.byref(statistic), _lib.STATISTIC_OPTIONS_VERSION)
        self.assertTrue(statistic.includes_output)
        self.assertEqual((statistic.sequence_label_count, statistic.layer_label_count), (0, 0))
        export = _lib.trajplot_export_options()
        _lib.C.trajplot_export_options_init(ctypes.byref(export), _lib.EXPORT_OPTIONS_VERSION)
        self.assertEqual((export.format, export.plotlyjs, export.full_html, export.responsive),
                         (_lib.FORMAT_FIGURE_JSON, _lib.PLOTLYJS_LOCAL, True, False))
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


class DefaultThreads(unittest.TestCase):
    def test_at_least_one_and_at_most_the_cpus_of_the_machine(self):
        threads = trajplot.default_threads()
        self.assertIsInstance(threads, int)
        self.assertGreaterEqual(threads, 1)
        self.assertEqual(threads, _lib.C.trajplot_default_threads())
        if hasattr(os, "sched_getaffinity"):
            self.assertLessEqual(threads, len(os.sched_getaffinity(0)))
        elif os.cpu_count():
            self.assertLessEqual(threads, os.cpu_count())

    def test_threads_none_and_zero_leave_the_count_to_the_library(self):
        # 2 batch items, 2 layers, 3 positions, 7 tokens.
        logits = [[[[float((item + 1) * (layer + 2) * (position + token) % 5) for token in range(7)]
                    for position in range(3)] for layer in range(2)] for item in range(2)]
        ids = [[0, 1, 2], [3, 1, 5]]
        tokens = ["t%d" % token for token in range(7)]
        pages = []
        for threads in (None, 0, 1, 3, trajplot.default_threads()):
            with self.subTest(threads=threads):
                trajectory = trajplot.PredictionTrajectory.from_tensor(logits, ids, targets=ids, vocabulary=tokens,
                                                                       threads=threads)
                pages.append(trajplot.Figure.stacked([trajectory.entropy(), trajectory.rank()]).to_json())
        self.assertEqual(pages, [pages[0]] * len(pages))
        comparison = trajplot.TrajectoryComparison.from_tensors(logits, logits, ids, threads=None)
        self.assertEqual(json.loads(trajplot.Figure(comparison.kl_divergence()).to_json())["data"][0]["z"],
                         [[0, 0, 0], [0, 0, 0]])


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


if __name__ == "__main__":
    unittest.main()
