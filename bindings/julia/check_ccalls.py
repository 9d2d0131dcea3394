#!/usr/bin/python3
"""Checks that the Julia binding's ccalls agree with the C header.

Julia cannot be installed on the machines that build and test trajplot, so
nothing runs bindings/julia/src/Trajplot.jl there. This script reads it as
text instead and compares it with capi/trajplot.h:

- every ccall((:name, libtrajplot), Ret, (ArgTypes...,), args...) names a
  function the header declares, lists as many argument types as the
  prototype has parameters, passes that many arguments, and uses Julia
  types that match the C types (Cint for int, Csize_t for size_t,
  Ptr{Cvoid} for a handle, ...);
- every function the header declares is called somewhere;
- every Julia struct named like a C struct (trajplot_figure_options, ...)
  has the C struct's fields, in order, with matching types;
- every `const TRAJPLOT_...` in Julia has the header's value, and every
  member of a header enum (status codes, measures, ...) has such a `const`
  (a new enum value must be mirrored).

Usage: check_ccalls.py [--header capi/trajplot.h] [--module src/Trajplot.jl]
Exit status 0 when everything matches, 1 with one line per problem.
"""

import argparse
import dataclasses
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_HEADER = HERE.parent.parent / "capi" / "trajplot.h"
DEFAULT_MODULE = HERE / "src" / "Trajplot.jl"

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
# The C header
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class CFunction:
    name: str
    return_type: str
    params: list  # of (type, name or "")
    line: int


@dataclasses.dataclass
class CHeader:
    functions: dict = dataclasses.field(default_factory=dict)
    structs: dict = dataclasses.field(default_factory=dict)  # name -> [(type, name)]
    opaque: set = dataclasses.field(default_factory=set)     # handle types
    enums: set = dataclasses.field(default_factory=set)
    constants: dict = dataclasses.field(default_factory=dict)
    enum_members: dict = dataclasses.field(default_factory=dict)  # name -> line
    problems: list = dataclasses.field(default_factory=list)


C_TYPE_WORDS = {"void", "char", "short", "int", "long", "float", "double", "bool",
                "signed", "unsigned", "size_t", "const", "struct",
                "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t"}


def strip_c_comments(text):
    chars = list(text)
    k = 0
    while k < len(text):
        if text.startswith("/*", k):
            end = text.find("*/", k + 2)
            end = len(text) if end < 0 else end + 2
            blank(chars, k, end)
            k = end
        elif text.startswith("//", k):
            end = text.find("\n", k)
            end = len(text) if end < 0 else end
            blank(chars, k, end)
            k = end
        elif text[k] == '"':
            end = k + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            k = end + 1
        else:
            k += 1
    return "".join(chars)


def strip_preprocessor(text):
    chars = list(text)
    for match in re.finditer(r"(?m)^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", text):
        blank(chars, match.start(), match.end())
    return "".join(chars)


def split_c_declarator(text):
    """('const char *', 'path') from 'const char *path'; the name is '' for
    an unnamed parameter such as 'size_t'."""
    text = text.strip()
    array = re.search(r"\[[^\]]*\]\s*$", text)
    if array:
        text = text[:array.start()].strip() + " *"
    match = re.match(r"^(.*?)\b(" + IDENT + r")\s*$", text, re.S)
    if match and match.group(1).strip() and match.group(2) not in C_TYPE_WORDS:
        type_text = match.group(1)
        if array:
            type_text += " *"
        return normalize_c_type(type_text), match.group(2)
    return normalize_c_type(text), ""


def parse_header(text):
    header = CHeader()
    code = strip_c_comments(text)

    # Integer suffixes (1u, 2UL) do not change the value a binding mirrors.
    for match in re.finditer(r"(?m)^[ \t]*#[ \t]*define[ \t]+(TRAJPLOT_\w+)[ \t]+\(?(-?\d+)[uUlL]*\)?[ \t]*$", code):
        header.constants[match.group(1)] = int(match.group(2))

    code = strip_preprocessor(code)

    for match in re.finditer(r"\b(struct|enum)\s+(" + IDENT + r")?\s*\{", code):
        kind, tag = match.group(1), match.group(2)
        close = matching_close(code, match.end() - 1)
        if close < 0:
            header.problems.append(f"line {line_of(code, match.start())}: unbalanced braces in {kind} {tag}")
            continue
        body = code[match.end():close]
        after = re.match(r"\s*(" + IDENT + r")?\s*;", code[close + 1:])
        name = after.group(1) if after and after.group(1) else tag
        if kind == "enum":
            header.enums.add(name)
            value = -1
            item_start = match.end()
            for item in body.split(","):
                item_line = line_of(code, item_start + len(item) - len(item.lstrip()))
                item_start += len(item) + 1
                if not item.strip():
                    continue  # the optional comma after the last member
                member = re.match(r"\s*(" + IDENT + r")\s*(?:=\s*(-?\d+)[uUlL]*)?\s*$", item)
                if not member:
                    header.problems.append(f"line {item_line}: cannot read the enum member "
                                           f"`{squeeze(item)}` of {name}: write NAME or NAME = integer")
                    # Its value, and the implicit values after it, are unknown
                    # (None): not compared, not guessed.
                    value = None
                    named = re.match(r"\s*(" + IDENT + r")", item)
                    if named:
                        header.constants[named.group(1)] = None
                        header.enum_members[named.group(1)] = item_line
                    continue
                if member.group(2) is not None:
                    value = int(member.group(2))
                elif value is not None:
                    value += 1
                header.constants[member.group(1)] = value
                header.enum_members[member.group(1)] = item_line
        else:
            fields = []
            for declaration in body.split(";"):
                if not declaration.strip():
                    continue
                first, *more = declaration.split(",")
                field_type, field_name = split_c_declarator(first)
                fields.append((field_type, field_name))
                # `float min, *max;`: later declarators share the base type only.
                base_type = field_type.rstrip("* ")
                for extra in more:
                    fields.append((normalize_c_type(base_type + "*" * extra.count("*")),
                                   extra.strip(" *\t\n")))
            header.structs[name] = fields

    for match in re.finditer(r"\btypedef\s+struct\s+(" + IDENT + r")\s+(" + IDENT + r")\s*;", code):
        if match.group(2) not in header.structs:
            header.opaque.add(match.group(2))

    for match in re.finditer(r"\bTRAJPLOT_API\b", code):
        end = match.end()
        depth = 0
        while end < len(code) and not (code[end] == ";" and depth == 0):
            if code[end] == "(":
                depth += 1
            elif code[end] == ")":
                depth -= 1
            end += 1
        declaration = code[match.end():end]
        line = line_of(code, match.start())
        open_paren = declaration.find("(")
        close_paren = matching_close(declaration, open_paren) if open_paren >= 0 else -1
        name_match = re.search(r"(" + IDENT + r")\s*$", declaration[:max(open_paren, 0)])
        if open_paren < 0 or close_paren < 0 or not name_match:
            header.problems.append(f"line {line}: cannot read the prototype after TRAJPLOT_API")
            continue
        name = name_match.group(1)
        return_type = normalize_c_type(declaration[:name_match.start()])
        spans = split_top_level(declaration, open_paren + 1, close_paren)
        param_texts = [declaration[a:b] for a, b in spans]
        if len(param_texts) == 1 and normalize_c_type(param_texts[0]) == "void":
            param_texts = []
        params = []
        for param in param_texts:
            if param.strip() == "...":
                header.problems.append(f"line {line}: {name} is variadic, which ccall cannot check")
                continue
            params.append(split_c_declarator(param))
        header.functions[name] = CFunction(name, return_type, params, line)
    return header


# ---------------------------------------------------------------------------
# C types and the Julia types that match them
# ---------------------------------------------------------------------------

SCALAR_TYPES = {
    "void": {"Cvoid", "Nothing"},
    "char": {"UInt8", "Cchar", "Int8", "Cuchar"},
    "int8_t": {"Int8"},
    "uint8_t": {"UInt8"},
    "int16_t": {"Int16"},
    "uint16_t": {"UInt16"},
    "int32_t": {"Int32"},
    "uint32_t": {"UInt32"},
    "int64_t": {"Int64"},
    "uint64_t": {"UInt64"},
    "int": {"Cint", "Int32"},
    "unsigned int": {"Cuint", "UInt32"},
    "unsigned": {"Cuint", "UInt32"},
    "long": {"Clong"},
    "unsigned long": {"Culong"},
    "size_t": {"Csize_t"},
    "float": {"Float32", "Cfloat"},
    "double": {"Float64", "Cdouble"},
    "bool": {"Bool"},
}


class UnknownCType(Exception):
    pass


def julia_types(c_type, header, top_level_pointer_may_be_ref):
    """The Julia spellings (whitespace removed) that pass `c_type` through
    ccall or hold it in a struct field."""
    c_type = normalize_c_type(c_type)
    stars = c_type.count("*")
    base = c_type.rstrip("* ")
    if stars == 0:
        if base in SCALAR_TYPES:
            return set(SCALAR_TYPES[base])
        if base in header.enums:
            return {"Cint", "Int32"}
        if base in header.structs:
            return {base}
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


@dataclasses.dataclass
class JuliaStruct:
    line: int
    fields: list  # of (name, type or None)


@dataclasses.dataclass
class JuliaModule:
    ccalls: list = dataclasses.field(default_factory=list)
    structs: dict = dataclasses.field(default_factory=dict)
    constants: dict = dataclasses.field(default_factory=dict)  # name -> (line, value or None)
    problems: list = dataclasses.field(default_factory=list)   # (line, message)


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


def parse_module(source):
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
        module.constants[match.group(1)] = (line_of(source, match.start()),
                                            int(value.group(1)) if value else None)
    return module


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def compare(header, module, header_name="trajplot.h", module_name="Trajplot.jl"):
    problems = [f"{header_name}: {message}" for message in header.problems]
    problems += [f"{module_name}:{line}: {message}" for line, message in module.problems]

    def report(line, message):
        problems.append(f"{module_name}:{line}: {message}")

    called = set()
    for call in module.ccalls:
        called.add(call.name)
        function = header.functions.get(call.name)
        if function is None:
            report(call.line, f"ccall of {call.name}, which {header_name} does not declare")
            continue
        if len(call.arg_types) != len(function.params):
            report(call.line, f"{call.name} takes {len(function.params)} parameters in {header_name} "
                              f"(line {function.line}), but the ccall lists {len(call.arg_types)} argument types")
        if call.n_args is not None and call.n_args != len(call.arg_types):
            report(call.line, f"ccall of {call.name} lists {len(call.arg_types)} argument types "
                              f"but passes {call.n_args} arguments")
        try:
            expected = julia_types(function.return_type, header, False)
            if call.return_type not in expected:
                report(call.line, f"{call.name} returns `{function.return_type}` ({describe(expected)}), "
                                  f"but the ccall says {call.return_type}")
        except UnknownCType as unknown:
            report(call.line, f"{call.name}: no Julia type is known for the C type `{unknown}`")
        for index, ((c_type, c_name), julia_type) in enumerate(zip(function.params, call.arg_types), 1):
            try:
                expected = julia_types(c_type, header, True)
            except UnknownCType as unknown:
                report(call.line, f"{call.name}: no Julia type is known for the C type `{unknown}`")
                continue
            if julia_type not in expected:
                report(call.line, f"{call.name} parameter {index} (`{c_type} {c_name}`) needs "
                                  f"{describe(expected)}, but the ccall says {julia_type}")

    for name, function in sorted(header.functions.items()):
        if name not in called:
            problems.append(f"{header_name}:{function.line}: {name} is declared but {module_name} never calls it")

    for name, struct in sorted(module.structs.items()):
        c_fields = header.structs.get(name)
        if c_fields is None:
            if name.startswith("trajplot_"):
                report(struct.line, f"struct {name} mirrors no struct of {header_name}")
            continue
        if len(struct.fields) != len(c_fields):
            report(struct.line, f"struct {name} has {len(struct.fields)} fields, "
                                f"but the C struct has {len(c_fields)}")
        for index, ((julia_name, julia_type), (c_type, c_name)) in enumerate(zip(struct.fields, c_fields), 1):
            if julia_name != c_name:
                report(struct.line, f"struct {name} field {index} is `{julia_name}`, but the C struct's is `{c_name}`")
            try:
                expected = julia_types(c_type, header, False)
            except UnknownCType as unknown:
                report(struct.line, f"struct {name}: no Julia type is known for the C type `{unknown}`")
                continue
            if julia_type not in expected:
                report(struct.line, f"struct {name} field `{julia_name}` is C `{c_type}` and needs "
                                    f"{describe(expected)}, but is declared {julia_type or 'without a type'}")

    used_types = " ".join(t for call in module.ccalls for t in call.arg_types)
    for name in sorted(header.structs):
        if re.search(r"\b" + re.escape(name) + r"\b", used_types) and name not in module.structs:
            problems.append(f"{module_name}: the ccalls pass {name}, but the module does not define it")

    for name, (line, value) in sorted(module.constants.items()):
        if value is None:
            report(line, f"cannot read the value of {name}: write an integer literal")
        elif name not in header.constants:
            report(line, f"{name} is not a constant of {header_name}")
        elif header.constants[name] is not None and header.constants[name] != value:
            report(line, f"{name} is {value}, but {header.constants[name]} in {header_name}")
    for name, line in sorted(header.enum_members.items(), key=lambda item: item[1]):
        if name not in module.constants:
            value = header.constants[name]
            problems.append(f"{header_name}:{line}: enum member {name} has no `const {name}"
                            f"{'' if value is None else f' = {value}'}` in {module_name}")
    return problems


def check_files(header_path, module_path):
    header = parse_header(pathlib.Path(header_path).read_text(encoding="utf-8"))
    module = parse_module(pathlib.Path(module_path).read_text(encoding="utf-8"))
    return header, module, compare(header, module, pathlib.Path(header_path).name,
                                   pathlib.Path(module_path).name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--header", default=str(DEFAULT_HEADER), help="the C header (capi/trajplot.h)")
    parser.add_argument("--module", default=str(DEFAULT_MODULE), help="the Julia module (src/Trajplot.jl)")
    options = parser.parse_args(argv)
    header, module, problems = check_files(options.header, options.module)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) between {options.module} and {options.header}")
        return 1
    print(f"OK: {len(module.ccalls)} ccalls cover the {len(header.functions)} functions of the header; "
          f"{sum(1 for name in module.structs if name in header.structs)} structs and "
          f"{len(module.constants)} constants match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
