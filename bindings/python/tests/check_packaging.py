"""Packaging tests of the Python binding: pip installs it offline, and the
platform wheel carries the library and its plotly.js.

    check_packaging.py --source bindings/python --library build/libtrajplot.so.2
                       [--plotlyjs build/share/trajplot/plotly.min.js] [unittest names]

Each pip run gets a fresh virtual environment (python -m venv) and an
environment that cannot reach an index: PIP_NO_INDEX=1, no pip
configuration file (PIP_CONFIG_FILE=/dev/null) and a proxy nobody listens
on; pip's own command line carries no offline flag, as a user's would not.
pip builds from a copy of the source folder (other files in the real one
may change while the tests run), which must look the same afterwards.
Not named test_*.py: run_tests.py, which runs the package's tests from
the source folder, must not pick it up (CTest runs it as
python.packaging.*).
"""
import argparse
import base64
import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import unittest
import zipfile

OPTIONS = None  # the command line, parsed in main()

# Not part of the source: left by other builds or copied for local use.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "dist", "*.egg-info",
                                 "libtrajplot*.so*", "libtrajplot*.dylib", "trajplot.dll")


def offline_environment(home):
    """Only what pip needs to run: no TRAJPLOT_* variable, no
    LD_LIBRARY_PATH, no PYTHON* variable (PYTHONDONTWRITEBYTECODE would
    hide bytecode the build leaves in the tree)."""
    unreachable = "http://127.0.0.1:9"
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": home,
        "LC_ALL": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "http_proxy": unreachable, "https_proxy": unreachable,
        "HTTP_PROXY": unreachable, "HTTPS_PROXY": unreachable,
        # A sanitizer build's library loads only after its runtime, which
        # the sanitizer run preloads: passed on, it finds no library.
        **{name: os.environ[name] for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")
           if name in os.environ},
    }


def listing(root):
    """Every file and folder under root with its size and modification
    time: a build that writes, or rewrites, anything changes it."""
    found = {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            path = os.path.join(directory, name)
            status = os.lstat(path)
            kind = "dir" if name in subdirectories else (status.st_size, status.st_mtime_ns)
            found[os.path.relpath(path, root)] = kind
    return found


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def read_file(path):
    with open(path, "rb") as file:
        return file.read()


def load_backend(source):
    """The backend module of a source folder, without caching its bytecode."""
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location(
        "trajplot_build_under_test", os.path.join(source, "build_backend", "trajplot_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class VirtualEnvironment:
    """A fresh venv (with pip, from ensurepip: nothing downloaded)."""

    def __init__(self, directory):
        self.directory = directory
        self.home = os.path.join(os.path.dirname(directory), "home")
        os.makedirs(self.home, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", directory], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        bin_dir = "Scripts" if os.name == "nt" else "bin"
        self.python = os.path.join(directory, bin_dir, "python")
        self.site_packages = self.run_python(
            "import sysconfig; print(sysconfig.get_paths()['platlib'])").stdout.strip()

    def run(self, arguments, extra=None, cwd=None):
        environment = offline_environment(self.home)
        environment.update(extra or {})
        return subprocess.run(arguments, env=environment, cwd=cwd or self.home,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)

    def run_python(self, code, extra=None):
        result = self.run([self.python, "-c", code], extra)
        if result.returncode != 0:
            raise AssertionError("python -c failed:\n%s\n%s" % (code, result.stdout))
        return result

    def pip(self, *arguments, extra=None):
        return self.run([self.python, "-m", "pip"] + list(arguments), extra)

    def check_pip(self, test, *arguments, extra=None):
        result = self.pip(*arguments, extra=extra)
        test.assertEqual(result.returncode, 0, "pip %s failed:\n%s" % (" ".join(arguments), result.stdout))
        return result

    def probe(self, extra=None):
        """What `import trajplot` finds in this environment."""
        code = (
            "import json, importlib.metadata, trajplot\n"
            "print(json.dumps({'file': trajplot.__file__, 'library': trajplot.library_path(),\n"
            "                  'plotlyjs': trajplot.local_plotlyjs(), 'version': trajplot.__version__,\n"
            "                  'distribution': importlib.metadata.version('trajplot')}))\n")
        return json.loads(self.run_python(code, extra).stdout.splitlines()[-1])


class Packaging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="trajplot-packaging-")
        cls.source = os.path.join(cls.work, "source")
        shutil.copytree(OPTIONS.source, cls.source, ignore=IGNORED)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.before = listing(self.source)

    def assert_source_unchanged(self):
        after = listing(self.source)
        added = sorted(set(after) - set(self.before))
        removed = sorted(set(self.before) - set(after))
        changed = sorted(path for path in set(after) & set(self.before) if after[path] != self.before[path])
        self.assertEqual((added, removed, changed), ([], [], []),
                         "the build changed the source folder (added, removed, changed)")

    def package_sources(self):
        package = os.path.join(self.source, "trajplot")
        return sorted(name for name in os.listdir(package) if name.endswith(".py"))


class SourceInstall(Packaging):
    """pip install of the source folder, as `pip install bindings/python`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.venv = VirtualEnvironment(os.path.join(cls.work, "venv"))

    def uninstall(self):
        self.venv.check_pip(self, "uninstall", "--yes", "trajplot")

    def test_plain_pip_install_works_offline_and_leaves_the_source_as_it_was(self):
        self.venv.check_pip(self, "install", self.source)
        self.addCleanup(self.uninstall)
        self.assert_source_unchanged()

        found = self.venv.probe({"TRAJPLOT_LIB_PATH": OPTIONS.library})
        installed = os.path.join(self.venv.site_packages, "trajplot")
        self.assertEqual(found["file"], os.path.join(installed, "__init__.py"))
        self.assertEqual(found["library"], os.path.abspath(OPTIONS.library))
        self.assertEqual(found["distribution"], found["version"])
        # A pure wheel: the package's sources, no library.
        self.assertEqual(sorted(name for name in os.listdir(installed) if name != "__pycache__"),
                         self.package_sources())
        dist_info = os.path.join(self.venv.site_packages, "trajplot-%s.dist-info" % found["version"])
        wheel = read_file(os.path.join(dist_info, "WHEEL")).decode()
        self.assertIn("Root-Is-Purelib: true\n", wheel)
        self.assertIn("Tag: py3-none-any\n", wheel)
        metadata = read_file(os.path.join(dist_info, "METADATA")).decode()
        self.assertIn("Requires-Python: >=3.8\n", metadata)
        self.assertIn('Requires-Dist: plotly>=5; extra == "plotly"\n', metadata)
        self.assertIn("\n\n# trajplot for Python\n", metadata)  # the README, as the description

    def test_the_environment_has_no_index(self):
        # The same install with a build requirement (the setuptools the
        # package used to build with) fails: the environment really
        # cannot fetch anything, so the install above needed nothing.
        control = os.path.join(self.work, "control")
        shutil.copytree(self.source, control)
        pyproject = os.path.join(control, "pyproject.toml")
        text = read_file(pyproject).decode()
        text = re.sub(r"(?m)^requires = \[\]", 'requires = ["setuptools>=61"]', text)
        with open(pyproject, "w", encoding="utf-8") as file:
            file.write(text)
        result = self.venv.pip("install", control)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("setuptools>=61", result.stdout)

    def test_editable_install_runs_the_source(self):
        self.venv.check_pip(self, "install", "--editable", self.source)
        self.addCleanup(self.uninstall)
        self.assert_source_unchanged()
        found = self.venv.probe({"TRAJPLOT_LIB_PATH": OPTIONS.library})
        self.assertEqual(found["file"], os.path.join(self.source, "trajplot", "__init__.py"))
        self.assertEqual(found["distribution"], found["version"])

    def test_sdist_builds_and_installs_offline(self):
        out = os.path.join(self.work, "sdist")
        result = self.venv.run([self.venv.python, os.path.join(self.source, "build_backend", "trajplot_build.py"),
                                "sdist", "--out-dir", out])
        self.assertEqual(result.returncode, 0, result.stdout)
        sdist = result.stdout.splitlines()[-1]
        self.assert_source_unchanged()
        with tarfile.open(sdist) as archive:
            names = sorted(archive.getnames())
        base = os.path.basename(sdist)[:-len(".tar.gz")]
        self.assertEqual(names, sorted(
            ["%s/%s" % (base, name) for name in ("PKG-INFO", "pyproject.toml", "README.md",
                                                  "build_backend/trajplot_build.py")]
            + ["%s/trajplot/%s" % (base, name) for name in self.package_sources()]))

        self.venv.check_pip(self, "install", sdist)
        self.addCleanup(self.uninstall)
        found = self.venv.probe({"TRAJPLOT_LIB_PATH": OPTIONS.library})
        self.assertEqual(found["file"], os.path.join(self.venv.site_packages, "trajplot", "__init__.py"))


class Backend(Packaging):
    """The backend's parts that pip does not reach on this Python."""

    def test_toml_subset_reader_reads_pyproject_as_tomllib_does(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("no tomllib to compare with (Python 3.11 or later)")
        backend = load_backend(self.source)
        text = read_file(os.path.join(self.source, "pyproject.toml")).decode()
        self.assertEqual(backend.parse_toml_subset(text), tomllib.loads(text))
        sample = ('a = {b = "x\\u00e9\\"", c = [1, -2, true], \'d e\' = \'raw\\n\'}  # note\n'
                  '[t.u]\nv = [\n  "w",  # one\n  "x",\n]\n"q".r = false\n')
        self.assertEqual(backend.parse_toml_subset(sample), tomllib.loads(sample))
        for unsupported in ('a = """x"""\n', "[[a]]\n", "a = 1.5\n", "a = 1\na = 2\n"):
            with self.assertRaises(backend.BuildError, msg=unsupported):
                backend.parse_toml_subset(unsupported)

    def test_a_library_in_the_package_folder_is_not_packaged(self):
        backend = load_backend(self.source)
        stray = os.path.join(self.source, "trajplot", "libtrajplot.so.2")
        shutil.copyfile(OPTIONS.library, stray)
        self.addCleanup(os.remove, stray)
        out = tempfile.mkdtemp(dir=self.work)
        errors = io.StringIO()
        saved, sys.stderr = sys.stderr, errors
        try:
            name = backend.build_platform_or_pure_wheel(out, {}, root=self.source)
        finally:
            sys.stderr = saved
        self.assertTrue(name.endswith("-py3-none-any.whl"), name)
        with zipfile.ZipFile(os.path.join(out, name)) as wheel:
            self.assertNotIn("trajplot/libtrajplot.so.2", wheel.namelist())
        self.assertIn("trajplot/libtrajplot.so.2: not packaged", errors.getvalue())


class PlatformWheel(Packaging):
    """The wheel with the library inside, built by pip and by the script
    the python_wheel target runs, installed offline and used with no
    TRAJPLOT_* variable."""

    def test_platform_wheel(self):
        venv = VirtualEnvironment(os.path.join(self.work, "venv"))
        platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
        by_pip = os.path.join(self.work, "by_pip")
        venv.check_pip(self, "wheel", "--wheel-dir", by_pip, "--config-settings",
                       "library=" + os.path.abspath(OPTIONS.library), self.source)
        self.assert_source_unchanged()
        self.assertEqual(len(os.listdir(by_pip)), 1, os.listdir(by_pip))
        name = os.listdir(by_pip)[0]
        self.assertRegex(name, r"^trajplot-[0-9.]+-py3-none-%s\.whl$" % re.escape(platform))
        wheel_path = os.path.join(by_pip, name)

        # The target's script, given the library by its environment
        # variable, writes the same bytes.
        by_script = os.path.join(self.work, "by_script")
        result = venv.run([venv.python, os.path.join(self.source, "build_backend", "trajplot_build.py"),
                           "wheel", "--out-dir", by_script],
                          {"TRAJPLOT_WHEEL_LIBRARY": os.path.abspath(OPTIONS.library)})
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(read_file(os.path.join(by_script, name)), read_file(wheel_path))
        self.assert_source_unchanged()

        plotlyjs = OPTIONS.plotlyjs if OPTIONS.plotlyjs and os.path.isfile(OPTIONS.plotlyjs) else None
        self.check_contents(wheel_path, plotlyjs)

        venv.check_pip(self, "install", wheel_path)
        installed = os.path.join(venv.site_packages, "trajplot")
        found = venv.probe()
        self.assertEqual(found["file"], os.path.join(installed, "__init__.py"))
        self.assertEqual(found["library"], os.path.join(installed, "libtrajplot.so.2"))
        page = venv.run_python(
            "import sys, trajplot\n"
            "statistic = trajplot.TrajectoryStatistic('Entropy', [[1.0, 2.0], [3.0, 4.0]], ['a', 'b'])\n"
            "sys.stdout.write(statistic.to_html())\n").stdout
        self.assertIn("Plotly.newPlot(", page)
        # The wheel's library draws PNGs with the wheel's image module.
        if os.path.isfile(os.path.join(os.path.dirname(os.path.realpath(OPTIONS.library)), "trajplot-images.so")):
            png = venv.run_python(
                "import sys, trajplot\n"
                "statistic = trajplot.TrajectoryStatistic('Entropy', [[1.0, 2.0], [3.0, 4.0]], ['a', 'b'])\n"
                "sys.stdout.write(statistic.figure().to_image('png')[:4].hex())\n").stdout
            self.assertEqual(png, "89504e47")
        if plotlyjs is not None:
            self.assertEqual(os.path.realpath(found["plotlyjs"]),
                             os.path.realpath(os.path.join(installed, "share", "trajplot", "plotly.min.js")))
            script = '<script type="text/javascript">%s</script>' % read_file(plotlyjs).decode("utf-8")
            self.assertIn(script, page)
            self.assertNotIn("<script src=", page)
        else:
            # Without a plotly.js in the wheel the library falls back to its
            # configured prefix, else the CDN; never a file in the venv.
            self.assertFalse(os.path.realpath(found["plotlyjs"] or "/").startswith(os.path.realpath(installed)))

        # RECORD lists every file: uninstalling leaves nothing behind.
        venv.check_pip(self, "uninstall", "--yes", "trajplot")
        self.assertFalse(os.path.exists(installed), os.listdir(installed) if os.path.exists(installed) else "")

    def check_contents(self, wheel_path, plotlyjs):
        with zipfile.ZipFile(wheel_path) as wheel:
            names = wheel.namelist()
            dist_info = [name.split("/")[0] for name in names if name.endswith(".dist-info/RECORD")]
            self.assertEqual(len(dist_info), 1, names)
            record = list(csv.reader(io.StringIO(wheel.read(dist_info[0] + "/RECORD").decode())))
            self.assertEqual(sorted(row[0] for row in record), sorted(names))
            for path, digest, size in record:
                if path.endswith("/RECORD"):
                    self.assertEqual((digest, size), ("", ""))
                    continue
                data = wheel.read(path)
                self.assertEqual((digest, size), (record_hash(data), str(len(data))), path)
            tags = wheel.read(dist_info[0] + "/WHEEL").decode()
            self.assertIn("Root-Is-Purelib: false\n", tags)
            self.assertNotIn("py3-none-any", tags)
            self.assertEqual(wheel.read("trajplot/libtrajplot.so.2"), read_file(OPTIONS.library))
            if plotlyjs is not None:
                self.assertEqual(wheel.read("trajplot/share/trajplot/plotly.min.js"), read_file(plotlyjs))
            else:
                self.assertNotIn("trajplot/share/trajplot/plotly.min.js", names)
            # The image module beside the library, as the library looks for it.
            image_module = os.path.join(os.path.dirname(os.path.realpath(OPTIONS.library)), "trajplot-images.so")
            if os.path.isfile(image_module):
                self.assertEqual(wheel.read("trajplot/trajplot-images.so"), read_file(image_module))
            else:
                self.assertNotIn("trajplot/trajplot-images.so", names)
            expected = ["trajplot/%s" % name for name in self.package_sources()] + ["trajplot/libtrajplot.so.2"]
            self.assertTrue(set(expected) <= set(names), sorted(set(expected) - set(names)))


def main():
    global OPTIONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the package's source folder (bindings/python)")
    parser.add_argument("--library", required=True, help="the build's libtrajplot")
    parser.add_argument("--plotlyjs", help="the plotly.js the build keeps beside the library, if any")
    OPTIONS, rest = parser.parse_known_args()
    OPTIONS.library = os.path.abspath(OPTIONS.library)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
