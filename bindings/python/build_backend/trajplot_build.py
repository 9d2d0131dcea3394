"""Build backend of the trajplot Python package (PEP 517 and PEP 660).

It needs only the standard library, so that pip's isolated build, which
installs the build requirements from an index, has nothing to install and
works offline. It writes nothing into the source tree.

Wheels:
  pure      py3-none-any: the package alone; it loads an installed
            libtrajplot (TRAJPLOT_LIB_PATH, the system's loader).
  platform  the package with libtrajplot inside (trajplot/libtrajplot.so.2,
            where the package looks first), its image module beside it when
            the library has one (trajplot/trajplot-images.so: PNG and PDF,
            loaded from beside the library) and, when found, the plotly.js
            that pages inline (trajplot/share/trajplot/plotly.min.js, where
            the library looks beside itself); tagged py3-none-<platform>,
            as ctypes code does not depend on the interpreter's ABI.

A platform wheel is built when a library is given, by the config setting
``library`` (``pip wheel --config-settings library=PATH``) or else the
environment variable TRAJPLOT_WHEEL_LIBRARY. Its plotly.js is the config
setting ``plotlyjs`` or TRAJPLOT_WHEEL_PLOTLYJS (a file, or ``none`` for
none), else the one the library itself would find: share/trajplot/ beside
it (a build tree) or in ../share or ../../share (an installed tree).

Run as a script it builds from the source tree it belongs to:
  python3 trajplot_build.py wheel [--library PATH] [--plotlyjs PATH|none] [--out-dir DIR]
  python3 trajplot_build.py sdist [--out-dir DIR]

pyproject.toml is read with tomllib (Python 3.11), else tomli, else with
a reader of the TOML subset that file uses here, so that Python 3.8 to 3.10
build without tomli installed.
"""
import base64
import csv
import ctypes
import gzip
import hashlib
import io
import os
import re
import sys
import sysconfig
import tarfile
import time
import zipfile

# pip imports this module from the source tree, and the bytecode cached
# beside it would be a file the build left there. This module's own cache
# is written before its code runs, so it is removed; a later build
# recompiles it, which takes milliseconds.
sys.dont_write_bytecode = True
if __name__ != "__main__" and globals().get("__cached__"):
    try:
        os.remove(__cached__)
        os.rmdir(os.path.dirname(__cached__))
    except OSError:
        pass

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "trajplot"
LIBRARY_VARIABLE = "TRAJPLOT_WHEEL_LIBRARY"
PLOTLYJS_VARIABLE = "TRAJPLOT_WHEEL_PLOTLYJS"
IMAGE_MODULE = "trajplot-images.so"
GENERATOR = "trajplot_build"

# The [project] keys written to the metadata. Any other key is refused
# rather than dropped without a word.
_KNOWN_PROJECT_KEYS = {
    "name", "version", "description", "readme", "requires-python", "dependencies",
    "optional-dependencies", "keywords", "classifiers", "urls", "license",
}


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------------
# pyproject.toml
# ---------------------------------------------------------------------------

def _load_toml(text):
    try:
        import tomllib
    except ImportError:
        try:
            import tomli as tomllib
        except ImportError:
            return parse_toml_subset(text)
    return tomllib.loads(text)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _TomlReader:
    """Tables, dotted and quoted keys, strings (basic and literal, one
    line), integers, booleans, arrays (over several lines) and inline
    tables: what a pyproject.toml is written with. Anything else is an
    error naming the line."""

    def __init__(self, text):
        self.text = text
        self.at = 0

    def fail(self, what):
        line = self.text.count("\n", 0, self.at) + 1
        raise BuildError("pyproject.toml line %d: %s (install tomli, or use Python 3.11 or later)"
                         % (line, what))

    def skip(self, newlines):
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def peek(self):
        return self.text[self.at] if self.at < len(self.text) else ""

    def expect(self, char):
        if self.peek() != char:
            self.fail("expected %r" % char)
        self.at += 1

    def key(self):
        parts = []
        while True:
            self.skip(False)
            if self.peek() in "\"'":
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if not match:
                    self.fail("expected a key")
                parts.append(match.group())
                self.at = match.end()
            self.skip(False)
            if self.peek() != ".":
                return parts
            self.at += 1

    def string(self):
        quote = self.peek()
        if self.text.startswith(quote * 3, self.at):
            self.fail("multi-line strings are not read here")
        self.at += 1
        out = []
        while True:
            char = self.peek()
            if char in ("", "\n"):
                self.fail("unterminated string")
            self.at += 1
            if char == quote:
                return "".join(out)
            if char == "\\" and quote == '"':
                escape = self.peek()
                self.at += 1
                if escape in _ESCAPES:
                    out.append(_ESCAPES[escape])
                elif escape in "uU":
                    digits = 4 if escape == "u" else 8
                    code = self.text[self.at:self.at + digits]
                    if not re.fullmatch(r"[0-9A-Fa-f]{%d}" % digits, code):
                        self.fail("bad \\%s escape" % escape)
                    out.append(chr(int(code, 16)))
                    self.at += digits
                else:
                    self.fail("unknown escape \\%s" % escape)
            else:
                out.append(char)

    def value(self):
        self.skip(False)
        char = self.peek()
        if char in "\"'":
            return self.string()
        if char == "[":
            self.at += 1
            items = []
            while True:
                self.skip(True)
                if self.peek() == "]":
                    self.at += 1
                    return items
                items.append(self.value())
                self.skip(True)
                if self.peek() == ",":
                    self.at += 1
                elif self.peek() != "]":
                    self.fail("expected ',' or ']'")
        if char == "{":
            self.at += 1
            table = {}
            self.skip(False)
            if self.peek() == "}":
                self.at += 1
                return table
            while True:
                self.assign(table)
                self.skip(False)
                if self.peek() == "}":
                    self.at += 1
                    return table
                self.expect(",")
        match = re.compile(r"true|false|[+-]?[0-9]+(?![0-9A-Za-z_.:-])").match(self.text, self.at)
        if not match:
            self.fail("unsupported value")
        self.at = match.end()
        word = match.group()
        return word == "true" if word in ("true", "false") else int(word)

    def assign(self, table):
        path = self.key()
        self.expect("=")
        target = self.descend(table, path[:-1])
        if path[-1] in target:
            self.fail("key %s given twice" % ".".join(path))
        target[path[-1]] = self.value()

    def descend(self, table, path):
        for part in path:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                self.fail("%s is not a table" % part)
        return table

    def document(self):
        root = {}
        current = root
        while True:
            self.skip(True)
            if self.at >= len(self.text):
                return root
            if self.peek() == "[":
                self.at += 1
                if self.peek() == "[":
                    self.fail("arrays of tables are not read here")
                path = self.key()
                self.expect("]")
                current = self.descend(root, path)
            else:
                self.assign(current)
            self.skip(False)
            if self.peek() not in ("", "\n", "\r"):
                self.fail("expected the end of the line")


def parse_toml_subset(text):
    return _TomlReader(text).document()


class Project:
    """The [project] table of pyproject.toml, checked."""

    def __init__(self, root=SOURCE_ROOT):
        self.root = root
        with open(os.path.join(root, "pyproject.toml"), encoding="utf-8") as file:
            self.pyproject_text = file.read()
        project = _load_toml(self.pyproject_text).get("project")
        if not isinstance(project, dict):
            raise BuildError("pyproject.toml has no [project] table")
        unknown = sorted(set(project) - _KNOWN_PROJECT_KEYS)
        if unknown:
            raise BuildError("pyproject.toml: [project] %s not handled by build_backend/trajplot_build.py"
                             % ", ".join(unknown))
        for key in ("name", "version"):
            if not isinstance(project.get(key), str) or not project[key]:
                raise BuildError("pyproject.toml: [project] needs %s" % key)
        self.table = project
        self.name = project["name"]
        self.version = project["version"]
        # The file names' spelling of the name (PEP 427, PEP 503).
        self.file_name = re.sub(r"[-_.]+", "_", self.name).lower()
        self.dist_info = "%s-%s.dist-info" % (self.file_name, self.version)

    def readme(self):
        """(text, content type) or None."""
        readme = self.table.get("readme")
        if readme is None:
            return None
        if isinstance(readme, str):
            readme = {"file": readme}
        if "file" in readme:
            with open(os.path.join(self.root, readme["file"]), encoding="utf-8") as file:
                text = file.read()
        else:
            text = readme["text"]
        content_type = readme.get("content-type")
        if content_type is None:
            suffix = os.path.splitext(readme.get("file", ""))[1].lower()
            content_type = {".md": "text/markdown", ".rst": "text/x-rst"}.get(suffix, "text/plain")
        return text, content_type

    def metadata(self):
        """The METADATA (and PKG-INFO) file, core metadata 2.1."""
        project = self.table
        lines = ["Metadata-Version: 2.1", "Name: " + self.name, "Version: " + self.version]
        if project.get("description"):
            lines.append("Summary: " + project["description"])
        if project.get("keywords"):
            lines.append("Keywords: " + ",".join(project["keywords"]))
        license_ = project.get("license")
        if isinstance(license_, dict) and "text" in license_:
            lines.append("License: " + license_["text"])
        elif license_ is not None:
            raise BuildError("pyproject.toml: only license = {text = ...} is handled")
        for classifier in project.get("classifiers", []):
            lines.append("Classifier: " + classifier)
        for label, url in sorted(project.get("urls", {}).items()):
            lines.append("Project-URL: %s, %s" % (label, url))
        if project.get("requires-python"):
            lines.append("Requires-Python: " + project["requires-python"])
        for requirement in project.get("dependencies", []):
            lines.append("Requires-Dist: " + requirement)
        for extra, requirements in sorted(project.get("optional-dependencies", {}).items()):
            lines.append("Provides-Extra: " + extra)
            for requirement in requirements:
                lines.append("Requires-Dist: " + _with_extra(requirement, extra))
        readme = self.readme()
        if readme is not None:
            lines.append("Description-Content-Type: " + readme[1])
        text = "\n".join(lines) + "\n"
        if readme is not None:
            text += "\n" + readme[0]
        return text.encode("utf-8")

    def package_files(self):
        """(path in the archive, path on disk) of the package's sources.
        Only sources: a library lying in the package's folder is a local
        copy for running from the tree, not something to publish."""
        package_dir = os.path.join(self.root, PACKAGE)
        if not os.path.isdir(package_dir):
            raise BuildError("no %s/ folder in %s" % (PACKAGE, self.root))
        found = []
        for directory, subdirectories, files in os.walk(package_dir):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, self.root).replace(os.sep, "/")
                if name.endswith(".py") or name == "py.typed":
                    found.append((relative, path))
                elif re.match(r"(lib)?trajplot.*\.(so|dylib|dll)", name):
                    print("%s: not packaged; give a library to ship with the config setting library=PATH "
                          "or %s=PATH" % (relative, LIBRARY_VARIABLE), file=sys.stderr)
        return found

    def abi_version(self):
        with open(os.path.join(self.root, PACKAGE, "_lib.py"), encoding="utf-8") as file:
            match = re.search(r"^ABI_VERSION = (\d+)", file.read(), re.M)
        if not match:
            raise BuildError("%s/_lib.py does not state ABI_VERSION" % PACKAGE)
        return int(match.group(1))


def _with_extra(requirement, extra):
    marker = 'extra == "%s"' % extra
    if ";" in requirement:
        requirement, existing = requirement.split(";", 1)
        return "%s; (%s) and %s" % (requirement.strip(), existing.strip(), marker)
    return "%s; %s" % (requirement.strip(), marker)


# ---------------------------------------------------------------------------
# Archives
# ---------------------------------------------------------------------------

def _timestamp():
    """SOURCE_DATE_EPOCH, else a fixed date: the same sources give the same
    archive bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else 315532800  # 1980-01-01, zip's earliest
    return max(seconds, 315532800)


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Wheel:
    def __init__(self, path):
        self.path = path
        self.date_time = time.gmtime(_timestamp())[:6]
        self.records = []
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def add(self, name, data, executable=False):
        info = zipfile.ZipInfo(name, self.date_time)
        info.external_attr = (0o100755 if executable else 0o100644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        self.records.append((name, _record_hash(data), str(len(data))))

    def close(self, record_name):
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(self.records)
        writer.writerow((record_name, "", ""))
        self.add(record_name, text.getvalue().encode("utf-8"))
        self.zip.close()


def _read(path):
    with open(path, "rb") as file:
        return file.read()


def _platform_tag():
    return re.sub(r"[-.]", "_", sysconfig.get_platform())


def _library_file_name(abi_version):
    if sys.platform == "win32":
        return "trajplot.dll"
    if sys.platform == "darwin":
        return "libtrajplot.%d.dylib" % abi_version
    return "libtrajplot.so.%d" % abi_version


def _setting(config_settings, key, variable):
    value = (config_settings or {}).get(key)
    if isinstance(value, list):  # a setting given twice
        value = value[-1]
    if value is None:
        value = os.environ.get(variable)
    return value or None


def _check_library(path, abi_version):
    """Refuses what the package would refuse at import time."""
    if not os.path.isfile(path):
        where = "" if os.path.isabs(path) else " in %s (give an absolute path)" % os.getcwd()
        raise BuildError("library %s: no such file%s" % (path, where))
    try:
        library = ctypes.CDLL(os.path.abspath(path))
        function = library.trajplot_abi_version
    except (OSError, AttributeError) as error:
        raise BuildError("library %s is not a loadable trajplot library: %s" % (path, error)) from None
    function.restype = ctypes.c_int
    found = function()
    if found != abi_version:
        raise BuildError("library %s implements ABI %d, the package needs ABI %d" % (path, found, abi_version))


def _plotlyjs_for(library, config_settings):
    """The plotly.js file to ship with the library, or None."""
    given = _setting(config_settings, "plotlyjs", PLOTLYJS_VARIABLE)
    if given == "none":
        return None
    if given is not None:
        if not os.path.isfile(given):
            raise BuildError("plotly.js %s: no such file" % given)
        return given
    directory = os.path.dirname(os.path.realpath(library))
    for prefix in (directory, os.path.dirname(directory), os.path.dirname(os.path.dirname(directory))):
        candidate = os.path.join(prefix, "share", "trajplot", "plotly.min.js")
        if os.path.isfile(candidate):
            return candidate
    print("no plotly.js found beside %s: pages made with the wheel's library inline the file named by "
          "TRAJPLOT_PLOTLYJS, else load plotly.js from its CDN (give plotlyjs=PATH or %s=PATH to ship one)"
          % (library, PLOTLYJS_VARIABLE), file=sys.stderr)
    return None


def _dist_info_files(project, tag, purelib):
    wheel = "Wheel-Version: 1.0\nGenerator: %s\nRoot-Is-Purelib: %s\nTag: %s\n" % (
        GENERATOR, "true" if purelib else "false", tag)
    return [
        ("METADATA", project.metadata()),
        ("WHEEL", wheel.encode("ascii")),
        ("top_level.txt", (PACKAGE + "\n").encode("ascii")),
    ]


def _write_wheel(wheel_directory, project, tag, purelib, contents):
    """contents: (name in the wheel, bytes, executable). Returns the file name."""
    file_name = "%s-%s-%s.whl" % (project.file_name, project.version, tag)
    path = os.path.join(wheel_directory, file_name)
    temporary = path + ".part"
    wheel = _Wheel(temporary)
    try:
        for name, data, executable in contents:
            wheel.add(name, data, executable)
        for name, data in _dist_info_files(project, tag, purelib):
            wheel.add(project.dist_info + "/" + name, data)
        wheel.close(project.dist_info + "/RECORD")
        os.replace(temporary, path)
    except BaseException:
        wheel.zip.close()
        os.remove(temporary)
        raise
    return file_name


def build_platform_or_pure_wheel(wheel_directory, config_settings=None, root=SOURCE_ROOT):
    project = Project(root)
    contents = [(name, _read(path), False) for name, path in project.package_files()]
    library = _setting(config_settings, "library", LIBRARY_VARIABLE)
    if library is None:
        return _write_wheel(wheel_directory, project, "py3-none-any", True, contents)
    abi_version = project.abi_version()
    _check_library(library, abi_version)
    contents.append(("%s/%s" % (PACKAGE, _library_file_name(abi_version)), _read(library), True))
    # The image module (PNG and PDF), which the library loads from beside
    # itself (src/figures/image_module.hpp); a library built without it
    # writes SVG only.
    image_module = os.path.join(os.path.dirname(os.path.realpath(library)), IMAGE_MODULE)
    if os.path.isfile(image_module):
        contents.append(("%s/%s" % (PACKAGE, IMAGE_MODULE), _read(image_module), True))
    plotlyjs = _plotlyjs_for(library, config_settings)
    if plotlyjs is not None:
        # Where the library looks beside itself (src/figures/html.cpp).
        contents.append((PACKAGE + "/share/trajplot/plotly.min.js", _read(plotlyjs), False))
        license_file = os.path.join(os.path.dirname(plotlyjs), "plotly.js-LICENSE")
        if os.path.isfile(license_file):
            contents.append((PACKAGE + "/share/trajplot/plotly.js-LICENSE", _read(license_file), False))
    return _write_wheel(wheel_directory, project, "py3-none-" + _platform_tag(), False, contents)


# ---------------------------------------------------------------------------
# PEP 517 and PEP 660 hooks
# ---------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def _prepare_metadata(metadata_directory, tag, purelib):
    project = Project()
    directory = os.path.join(metadata_directory, project.dist_info)
    os.makedirs(directory, exist_ok=True)
    for name, data in _dist_info_files(project, tag, purelib):
        with open(os.path.join(directory, name), "wb") as file:
            file.write(data)
    return project.dist_info


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if _setting(config_settings, "library", LIBRARY_VARIABLE) is None:
        return _prepare_metadata(metadata_directory, "py3-none-any", True)
    return _prepare_metadata(metadata_directory, "py3-none-" + _platform_tag(), False)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory, "py3-none-any", True)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return build_platform_or_pure_wheel(wheel_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """A wheel whose .pth puts the source tree on sys.path: the package
    runs from the tree and loads its library as it does there (a library
    setting does not apply)."""
    project = Project()
    pth = ("%s\n" % project.root).encode("utf-8")
    contents = [("__editable__.%s-%s.pth" % (project.file_name, project.version), pth, False)]
    return _write_wheel(wheel_directory, project, "py3-none-any", True, contents)


def build_sdist(sdist_directory, config_settings=None):
    project = Project()
    base = "%s-%s" % (project.file_name, project.version)
    files = [("pyproject.toml", project.pyproject_text.encode("utf-8"))]
    readme = project.table.get("readme")
    readme_file = readme if isinstance(readme, str) else (readme or {}).get("file")
    if readme_file:
        files.append((readme_file, _read(os.path.join(project.root, readme_file))))
    backend = os.path.relpath(os.path.abspath(__file__), project.root).replace(os.sep, "/")
    files.append((backend, _read(os.path.abspath(__file__))))
    files += [(name, _read(path)) for name, path in project.package_files()]
    files.append(("PKG-INFO", project.metadata()))

    file_name = base + ".tar.gz"
    path = os.path.join(sdist_directory, file_name)
    mtime = _timestamp()
    with open(path + ".part", "wb") as raw:
        # gzip's own header carries a time too.
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime, filename="") as compressed:
            with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
                for name, data in sorted(files):
                    info = tarfile.TarInfo("%s/%s" % (base, name))
                    info.size = len(data)
                    info.mtime = mtime
                    info.mode = 0o644
                    archive.addfile(info, io.BytesIO(data))
    os.replace(path + ".part", path)
    return file_name


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def main(arguments=None):
    import argparse

    parser = argparse.ArgumentParser(description="Builds a wheel or sdist of the trajplot Python package.")
    parser.add_argument("kind", choices=("wheel", "sdist"))
    parser.add_argument("--library", help="libtrajplot to ship: a platform wheel (default: "
                        "%s, else a pure wheel)" % LIBRARY_VARIABLE)
    parser.add_argument("--plotlyjs", help="plotly.js to ship with the library, or 'none' "
                        "(default: %s, else the one beside the library)" % PLOTLYJS_VARIABLE)
    parser.add_argument("--out-dir", default=".", help="where the file is written (default: .)")
    options = parser.parse_args(arguments)
    settings = {key: value for key, value in (("library", options.library), ("plotlyjs", options.plotlyjs))
                if value is not None}
    os.makedirs(options.out_dir, exist_ok=True)
    try:
        if options.kind == "wheel":
            name = build_platform_or_pure_wheel(options.out_dir, settings)
        else:
            name = build_sdist(options.out_dir, settings)
    except BuildError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    print(os.path.join(options.out_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
