#!/usr/bin/python3
"""Checks that the Julia binding's ccalls agree with the C header.

Julia cannot be installed on the machines that build and test trajplot, so
nothing runs bindings/julia/src/Trajplot.jl there. This script reads it as
text instead, with every file it includes (include("library.jl"), ...,
followed recursively), and compares them with the C API as
scripts/describe_capi.py describes capi/trajplot.h (a JSON file CMake
generates into the build tree; the header itself is not parsed here):

- every ccall((:name, libtrajplot), Ret, (ArgTypes...,), args...) names a
  function the header declares, lists as many argument types as the
  prototype has parameters, passes that many arguments, and uses Julia
  types that match the C types (Cint for int, Csize_t for size_t,
  Ptr{Cvoid} for a handle or a function pointer, ...);
- every function the header declares is called somewhere;
- every Julia struct named like a C struct (trajplot_figure_options, ...)
  has the C struct's fields, in order, with matching types;
- every `const TRAJPLOT_...` in Julia has the header's value, and every
  member of a header enum (status codes, measures, ...) has such a `const`
  (a new enum value must be mirrored);
- every include names a literal file that exists, and every .jl file in
  the module's folder is included (a file left out would go unchecked).

Usage: check_ccalls.py [--description trajplot_capi.json | --header capi/trajplot.h]
                       [--module src/Trajplot.jl]
With --header (the default when neither is given: this source tree's
header) the header is described on the spot by scripts/describe_capi.py.
Exit status 0 when everything matches, 1 with one line per problem.
"""

import argparse
import dataclasses
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_HEADER = HERE.parent.parent / "capi" / "trajplot.h"
DEFAULT_MODULE = HERE / "src" / "Trajplot.jl"
DESCRIBE_SCRIPT = HERE.parent.parent / "scripts" / "describe_capi.py"

LIBRARY = "libtrajplot"
IDENT = r"[A-Za-z_]\w*"


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

def line_of(text, position):
    return text.count("\n", 0, position) + 1


def blank(chars, start, end):
    """Replaces chars[start:end] with spaces, keeping newlines so that
    positions and line numbers stay those of the original text."""
    for k in range(start, min(end, len(chars))):
        if chars[k] != "\n":
            chars[k] = " "


def matching_close(text, open_index):
    """Index of the bracket closing the one at open_index (in text that has
    no comments or strings left), or -1."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for k in range(open_index, len(text)):
        c = text[k]
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if not stack or stack.pop() != c:
                return -1
            if not stack:
                return k
    return -1


def split_top_level(text, start, end):
    """Spans (a, b) of the comma-separated items of text[start:end], split
    only at commas outside brackets. An empty last item (a trailing comma)
    is dropped; an empty text gives no items."""
    return split_top_level_counting_commas(text, start, end)[0]


def split_top_level_counting_commas(text, start, end):
    """split_top_level, and how many top-level commas there were: Julia's
    (T) is T itself, only (T,) is a tuple."""
    spans = []
    depth = 0
    item_start = start
    for k in range(start, end):
        c = text[k]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            spans.append((item_start, k))
            item_start = k + 1
    commas = len(spans)
    spans.append((item_start, end))
    if not text[spans[-1][0]:spans[-1][1]].strip():
        spans.pop()
    return spans, commas


def squeeze(text):
    return re.sub(r"\s+", "", text)


def normalize_c_type(text):
    """'const char *const *' -> 'char **': qualifiers do not change how a
    value crosses the ABI."""
    text = re.sub(r"\b(const|volatile|restrict|struct|enum)\b", " ", text)
    stars = text.count("*")
    base = re.sub(r"\s+", " ", text.replace("*", " ")).strip()
    return base + (" " + "*" * stars if stars else "")


# ---------------------------------------------------------------------------
# The C API, from its description (scripts/describe_capi.py)
# ---------------------------------------------------------------------------

class DescriptionError(Exception):
    """A description that is missing or not what describe_capi.py writes."""


@dataclasses.dataclass
class CFunction:
    name: str
    return_type: str
    params: list  # of (type, name or "")
    line: int


@dataclasses.dataclass
class CHeader:
    name: str = "trajplot.h"
    functions: dict = dataclasses.field(default_factory=dict)
    structs: dict = dataclasses.field(default_factory=dict)  # name -> [(type, name)]
    struct_lines: dict = dataclasses.field(default_factory=dict)
    opaque: set = dataclasses.field(default_factory=set)     # handle types
    function_pointers: set = dataclasses.field(default_factory=set)
    aliases: dict = dataclasses.field(default_factory=dict)  # name -> C type
    enums: set = dataclasses.field(default_factory=set)
    constants: dict = dataclasses.field(default_factory=dict)      # integer constants and enum members
    enum_members: dict = dataclasses.field(default_factory=dict)   # name -> (enum, line)
    problems: list = dataclasses.field(default_factory=list)


def header_from_description(description):
    """The CHeader of a description (the dict describe_capi.py writes)."""
    try:
        if description.get("format") != 1:
            raise DescriptionError("unknown description format %r (describe_capi.py writes 1)"
                                   % description.get("format"))
        header = CHeader(name=description["header"])
        for function in description["functions"]:
            header.functions[function["name"]] = CFunction(
                function["name"], normalize_c_type(function["return_type"]),
                [(normalize_c_type(c_type), name) for name, c_type in function["parameters"]],
                function["line"])
        for struct in description["structs"]:
            header.structs[struct["name"]] = [(normalize_c_type(c_type), name) for name, c_type in struct["fields"]]
            header.struct_lines[struct["name"]] = struct["line"]
        header.opaque = {item["name"] for item in description["opaque_types"]}
        header.function_pointers = {item["name"] for item in description["function_pointers"]}
        header.aliases = {item["name"]: item["type"] for item in description["aliases"]}
        for constant in description["constants"]:
            value = constant["value"]
            if isinstance(value, int) and not isinstance(value, bool):
                header.constants[constant["name"]] = value
        for enum in description["enums"]:
            header.enums.add(enum["name"])
            for member, value in enum["members"]:
                header.constants[member] = value
                header.enum_members[member] = (enum["name"], enum["line"])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DescriptionError("not a description of the C API as describe_capi.py writes it (%s: %s)"
                               % (type(error).__name__, error)) from None
    return header


def load_description(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise DescriptionError(f"cannot read the description of the C API {path}: {error.strerror}; "
                               "CMake generates it (cmake --build), or pass --header") from None
    except ValueError as error:
        raise DescriptionError(f"{path} is not JSON: {error}") from None


def describe_header(path):
    """The description of a header, made by scripts/describe_capi.py of
    this source tree (for runs by hand: CTest passes the build's)."""
    sys.path.insert(0, str(DESCRIBE_SCRIPT.parent))
    try:
        import describe_capi
    finally:
        sys.path.pop(0)
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DescriptionError(f"cannot read {path}: {error.strerror}") from None
    try:
        return describe_capi.describe(text, pathlib.Path(path).name)
    except describe_capi.DescribeError as error:
        raise DescriptionError(f"{path}:{error.line}: describe_capi.py cannot read it: {error.message}") from None


# ---------------------------------------------------------------------------
# C types and the Julia types that match them
# ---------------------------------------------------------------------------

SCALAR_TYPES = {
    "void": {"Cvoid", "Nothing"},
    "char": {"UInt8", "Cchar", "Int8", "Cuchar"},
    "signed char": {"Int8", "Cchar"},
    "unsigned char": {"UInt8", "Cuchar"},
    "int8_t": {"Int8"},
    "uint8_t": {"UInt8"},
    "int16_t": {"Int16"},
    "uint16_t": {"UInt16"},
    "int32_t": {"Int32"},
    "uint32_t": {"UInt32"},
    "int64_t": {"Int64"},
    "uint64_t": {"UInt64"},
    "short": {"Cshort", "Int16"},
    "unsigned short": {"Cushort", "UInt16"},
    "int": {"Cint", "Int32"},
    "unsigned int": {"Cuint", "UInt32"},
    "unsigned": {"Cuint", "UInt32"},
    "long": {"Clong"},
    "unsigned long": {"Culong"},
    "long long": {"Clonglong", "Int64"},
    "unsigned long long": {"Culonglong", "UInt64"},
    "size_t": {"Csize_t"},
    "ptrdiff_t": {"Cptrdiff_t"},
    "float": {"Float32", "Cfloat"},
    "double": {"Float64", "Cdouble"},
    "bool": {"Bool"},
    "_Bool": {"Bool"},
}


class UnknownCType(Exception):
    pass


def julia_types(c_type, header, top_level_pointer_may_be_ref):
    """The Julia spellings (whitespace removed) that pass `c_type` through
    ccall or hold it in a struct field."""
    if "(*)" in c_type:
        return {"Ptr{Cvoid}"}  # a function pointer written inline
    array = re.match(r"^(.*?) ((?:\[\d+\])+)$", c_type)
    if array:
        element = julia_types(array.group(1), header, False)
        for size in reversed(re.findall(r"\d+", array.group(2))):
            element = {"NTuple{%s,%s}" % (size, name) for name in element}
        return element
    c_type = normalize_c_type(c_type)
    stars = c_type.count("*")
    base = c_type.rstrip("* ")
    if base in header.aliases and base not in header.structs:
        return julia_types(header.aliases[base] + " " + "*" * stars, header, top_level_pointer_may_be_ref)
    if stars == 0:
        if base in SCALAR_TYPES:
            return set(SCALAR_TYPES[base])
        if base in header.enums:
            return {"Cint", "Int32"}
        if base in header.structs:
            return {base}
        if base in header.function_pointers:
            return {"Ptr{Cvoid}"}
        raise UnknownCType(c_type)
    if base == "char" and stars == 1:
        names = {"Cstring", "Ptr{UInt8}", "Ptr{Cchar}", "Ptr{Int8}", "Ptr{Cuchar}"}
    elif stars == 1 and (base in header.opaque or base == "void"):
        names = {"Ptr{Cvoid}"}
    else:
        inner = julia_types(base + " " + "*" * (stars - 1), header, False)
        names = {"Ptr{" + name + "}" for name in inner}
    if top_level_pointer_may_be_ref:
        names |= {"Ref{" + name[4:-1] + "}" for name in names if name.startswith("Ptr{")}
    return names


def describe(names):
    return " or ".join(sorted(names))


# ---------------------------------------------------------------------------
# The Julia module
# ---------------------------------------------------------------------------

class JuliaMasker:
    """Blanks Julia comments and the contents of strings and character
    literals (string delimiters stay), so that brackets, commas and
    keywords in the result are code."""

    def __init__(self, source):
        self.src = source
        self.out = list(source)

    def run(self):
        self.code(0, inside_interpolation=False)
        return "".join(self.out)

    def code(self, k, inside_interpolation):
        src = self.src
        depth = 0
        while k < len(src):
            c = src[k]
            if src.startswith("#=", k):
                k = self.block_comment(k)
            elif c == "#":
                end = src.find("\n", k)
                end = len(src) if end < 0 else end
                blank(self.out, k, end)
                k = end
            elif c in "\"`":
                delimiter = c * 3 if src.startswith(c * 3, k) else c
                # A string macro (raw"...", r"...") does not interpolate.
                prefixed = k > 0 and (src[k - 1].isalnum() or src[k - 1] == "_")
                k = self.string(k, delimiter, interpolates=not prefixed)
            elif c == "'" and self.starts_char_literal(k):
                k = self.char_literal(k)
            elif c in "([{":
                depth += 1
                k += 1
            elif c in ")]}":
                if inside_interpolation and depth == 0:
                    return k
                depth -= 1
                k += 1
            else:
                k += 1
        return k

    def block_comment(self, k):
        src = self.src
        depth = 0
        end = k
        while end < len(src):
            if src.startswith("#=", end):
                depth += 1
                end += 2
            elif src.startswith("=#", end):
                depth -= 1
                end += 2
                if depth == 0:
                    break
            else:
                end += 1
        blank(self.out, k, end)
        return end

    def string(self, k, delimiter, interpolates):
        src = self.src
        k += len(delimiter)
        while k < len(src):
            if src[k] == "\\":
                blank(self.out, k, k + 2)
                k += 2
            elif src.startswith(delimiter, k):
                return k + len(delimiter)
            elif interpolates and src.startswith("$(", k):
                end = self.code(k + 2, inside_interpolation=True)
                blank(self.out, k, end + 1)
                k = end + 1
            else:
                blank(self.out, k, k + 1)
                k += 1
        return k

    def starts_char_literal(self, k):
        # After a value, ' is the adjoint operator (x', a[1]', f(x)').
        previous = self.src[k - 1] if k > 0 else " "
        return not (previous.isalnum() or previous in "_)]}'.")

    def char_literal(self, k):
        src = self.src
        end = k + 1
        while end < len(src) and end - k < 12 and src[end] != "'":
            end += 2 if src[end] == "\\" else 1
        if end >= len(src) or src[end] != "'":
            return k + 1
        blank(self.out, k + 1, end)
        return end + 1


@dataclasses.dataclass
class JuliaCCall:
    line: int
    name: str
    return_type: str
    arg_types: list
    n_args: object  # int, or None when the arguments are splatted
    file: str = None  # None: the module file given to compare()


@dataclasses.dataclass
class JuliaStruct:
    line: int
    fields: list  # of (name, type or None)
    file: str = None


@dataclasses.dataclass
class JuliaModule:
    ccalls: list = dataclasses.field(default_factory=list)
    structs: dict = dataclasses.field(default_factory=dict)
    constants: dict = dataclasses.field(default_factory=dict)  # name -> (line, value or None)
    constant_files: dict = dataclasses.field(default_factory=dict)  # name -> file (None: the module file)
    problems: list = dataclasses.field(default_factory=list)   # (file or None, line, message)
    includes: list = dataclasses.field(default_factory=list)   # (line, file name, or None when unreadable)
    files: list = dataclasses.field(default_factory=list)      # the files read, entry first


SPEC = re.compile(r'^\(\s*(?::(' + IDENT + r')|"(' + IDENT + r')")\s*,\s*(' + IDENT + r')\s*\)$')
BLOCK_OPENERS = {"function", "if", "for", "while", "let", "begin", "quote", "do", "try",
                 "struct", "module", "baremodule", "macro"}
# Block keywords (not as :symbols or .fields) and brackets; keywords inside
# brackets (a[end], generators) open no block.
BLOCK_TOKEN = re.compile(r"(?<![\w.:])(abstract\s+type|primitive\s+type|[a-z]+)\b(?!!)|([()\[\]{}])")


def parse_ccall(source, masked, open_paren, module):
    line = line_of(source, open_paren)
    close = matching_close(masked, open_paren)
    if close < 0:
        module.problems.append((line, "ccall with unbalanced parentheses"))
        return
    spans = split_top_level(masked, open_paren + 1, close)
    if len(spans) < 3:
        module.problems.append((line, "ccall needs (:name, libtrajplot), a return type and a tuple of argument types"))
        return
    spec = SPEC.match(source[spans[0][0]:spans[0][1]].strip())
    if not spec:
        module.problems.append((line, "cannot read the C function of this ccall: write ccall((:name, libtrajplot), ...)"))
        return
    name = spec.group(1) or spec.group(2)
    library = spec.group(3)
    if library != LIBRARY:
        if name.startswith("trajplot_"):
            module.problems.append((line, f"{name} is called through `{library}`, not `{LIBRARY}`"))
        return
    return_type = squeeze(masked[spans[1][0]:spans[1][1]])
    types_start, types_end = spans[2]
    types_text = masked[types_start:types_end]
    stripped = types_text.strip()
    offset = types_start + (len(types_text) - len(types_text.lstrip()))
    if not stripped.startswith("(") or matching_close(masked, offset) != offset + len(stripped) - 1:
        module.problems.append((line, f"ccall of {name}: the argument types must be a literal tuple such as (Cint,)"))
        return
    type_spans, commas = split_top_level_counting_commas(masked, offset + 1, offset + len(stripped) - 1)
    if len(type_spans) == 1 and commas == 0:
        single = squeeze(masked[type_spans[0][0]:type_spans[0][1]])
        module.problems.append((line, f"ccall of {name}: ({single}) is not a tuple; write ({single},)"))
        return
    arg_types = [squeeze(masked[a:b]) for a, b in type_spans]
    args = spans[3:]
    n_args = len(args)
    if any(masked[a:b].strip().endswith("...") for a, b in args):
        module.problems.append((line, f"ccall of {name} splats its arguments, so their number cannot be checked"))
        n_args = None
    module.ccalls.append(JuliaCCall(line, name, return_type, arg_types, n_args))


def parse_struct(masked, match, module):
    """Reads the fields of a struct: `name::Type` lines at the struct's own
    level (inner constructors are skipped)."""
    name = match.group(1)
    line = line_of(masked, match.start())
    depth = 1
    brackets = 0
    segment_start = match.end()
    segments = []
    end = -1
    for token in BLOCK_TOKEN.finditer(masked, match.end()):
        word, bracket = token.group(1), token.group(2)
        if bracket:
            brackets += 1 if bracket in "([{" else -1
            continue
        if brackets > 0:
            continue
        word = re.sub(r"\s+", " ", word)
        if word in BLOCK_OPENERS or word in ("abstract type", "primitive type"):
            if depth == 1:
                segments.append((segment_start, token.start()))
            depth += 1
        elif word == "end":
            depth -= 1
            if depth == 1:
                segment_start = token.end()
            elif depth == 0:
                segments.append((segment_start, token.start()))
                end = token.end()
                break
    if end < 0:
        module.problems.append((line, f"struct {name} has no matching `end`"))
        return
    fields = []
    for a, b in segments:
        for statement in re.split(r"[\n;]", masked[a:b]):
            typed = re.match(r"^\s*(" + IDENT + r")\s*::\s*(.+?)\s*$", statement)
            untyped = re.match(r"^\s*(" + IDENT + r")\s*$", statement)
            if typed:
                fields.append((typed.group(1), squeeze(typed.group(2))))
            elif untyped:
                fields.append((untyped.group(1), None))
    module.structs[name] = JuliaStruct(line, fields)


def parse_includes(source, masked, module):
    """The include("file.jl") calls of a file, in order."""
    for match in re.finditer(r"(?<![\w.@!:])include\s*\(", masked):
        line = line_of(source, match.start())
        close = matching_close(masked, match.end() - 1)
        literal = re.match(r'^\s*"([^"\\$]+)"\s*$', source[match.end():close]) if close >= 0 else None
        if literal is None:
            module.problems.append((line, "cannot follow this include: write include(\"file.jl\") with a literal "
                                          "path, so that the file's ccalls are checked"))
            module.includes.append((line, None))
        else:
            module.includes.append((line, literal.group(1)))


def parse_module(source, file=None):
    """The ccalls, structs, constants and includes of one file's source;
    `file` names it in problems (None: the name compare() is given)."""
    module = JuliaModule()
    masked = JuliaMasker(source).run()
    for match in re.finditer(r"@ccall\b", masked):
        module.problems.append((line_of(source, match.start()),
                                "@ccall is not checked: write ccall((:name, libtrajplot), Ret, (ArgTypes...,), args...)"))
    for match in re.finditer(r"(?<![\w.@!])ccall\s*\(", masked):
        parse_ccall(source, masked, match.end() - 1, module)
    for match in re.finditer(r"(?m)^[ \t]*(?:mutable[ \t]+)?struct[ \t]+(" + IDENT + r")", masked):
        parse_struct(masked, match, module)
    for match in re.finditer(r"(?m)^[ \t]*const[ \t]+(TRAJPLOT_[A-Z0-9_]+)[ \t]*=[ \t]*([^\n]*?)[ \t]*$", masked):
        value = re.match(r"^(?:(?:Cint|Cuint|Int\d*|UInt\d*)\(\s*)?(-?\d+)\s*\)?$", match.group(2))
        name = match.group(1)
        line = line_of(source, match.start())
        if name in module.constants:
            module.problems.append((line, f"{name} is defined twice (first on line {module.constants[name][0]})"))
        module.constants[name] = (line, int(value.group(1)) if value else None)
        module.constant_files[name] = file
    parse_includes(source, masked, module)
    module.problems = [(file, line, message) for line, message in module.problems]
    for item in module.ccalls + list(module.structs.values()):
        item.file = file
    module.files.append(file)
    return module


def merge_module(into, part):
    """Adds the file parsed as `part` to the module `into`."""
    into.ccalls += part.ccalls
    into.problems += part.problems
    into.files += part.files
    for name, struct in part.structs.items():
        if name in into.structs:
            first = into.structs[name]
            into.problems.append((struct.file, struct.line,
                                  f"struct {name} is defined twice (first in {first.file}:{first.line})"))
        else:
            into.structs[name] = struct
    for name, (line, value) in part.constants.items():
        if name in into.constants:
            first_line = into.constants[name][0]
            into.problems.append((part.constant_files[name], line,
                                  f"{name} is defined twice (first in {into.constant_files[name]}:{first_line})"))
        else:
            into.constants[name] = (line, value)
            into.constant_files[name] = part.constant_files[name]


def parse_module_files(path):
    """The module of the file at `path` and of every file it includes,
    recursively, each once. Files are named relative to the folder of
    `path`; a .jl file in that folder (or below it) that nothing includes
    is reported, since its ccalls would go unchecked."""
    entry = pathlib.Path(path)
    folder = entry.resolve().parent
    module = JuliaModule()
    visited = set()

    def name_of(file):
        try:
            return file.resolve().relative_to(folder).as_posix()
        except ValueError:
            return str(file)

    def visit(file, included_at):
        resolved = file.resolve()
        if resolved in visited:
            if included_at is not None:
                module.problems.append((*included_at, f"{name_of(file)} is included more than once"))
            return
        visited.add(resolved)
        try:
            source = file.read_text(encoding="utf-8")
        except OSError as error:
            if included_at is None:
                raise
            module.problems.append((*included_at, f"cannot read the included file {name_of(file)}: "
                                                  f"{error.strerror}"))
            return
        part = parse_module(source, name_of(file))
        merge_module(module, part)
        for line, target in part.includes:
            if target is not None:
                visit(file.parent / target, (name_of(file), line))

    visit(entry, None)
    for candidate in sorted(folder.rglob("*.jl")):
        if candidate.resolve() not in visited:
            module.problems.append((name_of(candidate), 1, f"{name_of(candidate)} is not included by "
                                    f"{name_of(entry)} or the files it includes, so its ccalls are not checked"))
    return module


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def compare(header, module, header_name=None, module_name="Trajplot.jl"):
    header_name = header_name or header.name
    problems = [f"{header_name}: {message}" for message in header.problems]
    problems += [f"{file or module_name}:{line}: {message}" for file, line, message in module.problems]

    def report(where, message):
        """where: a ccall or a struct, or (file, line)."""
        file, line = (where.file, where.line) if hasattr(where, "line") else where
        problems.append(f"{file or module_name}:{line}: {message}")

    called = set()
    for call in module.ccalls:
        called.add(call.name)
        function = header.functions.get(call.name)
        if function is None:
            report(call, f"ccall of {call.name}, which {header_name} does not declare")
            continue
        if len(call.arg_types) != len(function.params):
            report(call, f"{call.name} takes {len(function.params)} parameters in {header_name} "
                              f"(line {function.line}), but the ccall lists {len(call.arg_types)} argument types")
        if call.n_args is not None and call.n_args != len(call.arg_types):
            report(call, f"ccall of {call.name} lists {len(call.arg_types)} argument types "
                              f"but passes {call.n_args} arguments")
        try:
            expected = julia_types(function.return_type, header, False)
            if call.return_type not in expected:
                report(call, f"{call.name} returns `{function.return_type}` ({describe(expected)}), "
                                  f"but the ccall says {call.return_type}")
        except UnknownCType as unknown:
            report(call, f"{call.name}: no Julia type is known for the C type `{unknown}`")
        for index, ((c_type, c_name), julia_type) in enumerate(zip(function.params, call.arg_types), 1):
            try:
                expected = julia_types(c_type, header, True)
            except UnknownCType as unknown:
                report(call, f"{call.name}: no Julia type is known for the C type `{unknown}`")
                continue
            if julia_type not in expected:
                report(call, f"{call.name} parameter {index} (`{c_type} {c_name}`) needs "
                                  f"{describe(expected)}, but the ccall says {julia_type}")

    for name, function in sorted(header.functions.items()):
        if name not in called:
            problems.append(f"{header_name}:{function.line}: {name} is declared but {module_name} never calls it")

    for name, struct in sorted(module.structs.items()):
        c_fields = header.structs.get(name)
        if c_fields is None:
            if name.startswith("trajplot_"):
                report(struct, f"struct {name} mirrors no struct of {header_name}")
            continue
        if len(struct.fields) != len(c_fields):
            report(struct, f"struct {name} has {len(struct.fields)} fields, "
                                f"but the C struct has {len(c_fields)}")
        for index, ((julia_name, julia_type), (c_type, c_name)) in enumerate(zip(struct.fields, c_fields), 1):
            if julia_name != c_name:
                report(struct, f"struct {name} field {index} is `{julia_name}`, but the C struct's is `{c_name}`")
            try:
                expected = julia_types(c_type, header, False)
            except UnknownCType as unknown:
                report(struct, f"struct {name}: no Julia type is known for the C type `{unknown}`")
                continue
            if julia_type not in expected:
                report(struct, f"struct {name} field `{julia_name}` is C `{c_type}` and needs "
                                    f"{describe(expected)}, but is declared {julia_type or 'without a type'}")

    used_types = " ".join(t for call in module.ccalls for t in call.arg_types)
    for name in sorted(header.structs):
        if re.search(r"\b" + re.escape(name) + r"\b", used_types) and name not in module.structs:
            problems.append(f"{module_name}: the ccalls pass {name}, but the module does not define it")

    for name, (line, value) in sorted(module.constants.items()):
        where = (module.constant_files.get(name), line)
        if value is None:
            report(where, f"cannot read the value of {name}: write an integer literal")
        elif name not in header.constants:
            report(where, f"{name} is not a constant of {header_name}")
        elif header.constants[name] is not None and header.constants[name] != value:
            report(where, f"{name} is {value}, but {header.constants[name]} in {header_name}")
    for name, (enum, line) in sorted(header.enum_members.items(), key=lambda item: (item[1][1], item[0])):
        if name not in module.constants:
            value = header.constants[name]
            problems.append(f"{header_name}:{line}: member {name} of enum {enum} has no `const {name}"
                            f"{'' if value is None else f' = {value}'}` in {module_name}")
    return problems


def check_files(module_path, description_path=None, header_path=None):
    """(header, module, problems) of the module against the description
    at description_path, or against header_path described on the spot."""
    if description_path is not None:
        description = load_description(description_path)
    else:
        description = describe_header(header_path if header_path is not None else DEFAULT_HEADER)
    header = header_from_description(description)
    module = parse_module_files(module_path)
    return header, module, compare(header, module, header.name, pathlib.Path(module_path).name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--description", help="the C API's description (JSON of scripts/describe_capi.py)")
    source.add_argument("--header", help="a C header to describe on the spot (default: capi/trajplot.h)")
    parser.add_argument("--module", default=str(DEFAULT_MODULE),
                        help="the Julia module's file (src/Trajplot.jl); the files it includes are read too")
    options = parser.parse_args(argv)
    try:
        header, module, problems = check_files(options.module, options.description, options.header)
    except DescriptionError as error:
        print(f"error: {error}")
        return 1
    except OSError as error:
        print(f"error: cannot read the module {error.filename}: {error.strerror}")
        return 1
    against = options.description or options.header or str(DEFAULT_HEADER)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) between {options.module} and {against}")
        return 1
    print(f"OK: {len(module.ccalls)} ccalls cover the {len(header.functions)} functions of the header; "
          f"{sum(1 for name in module.structs if name in header.structs)} structs and "
          f"{len(module.constants)} constants match, in {len(module.files)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
