#!/usr/bin/python3
"""Describes the C API (capi/trajplot.h) as JSON, for the bindings' checks.

The Python, Rust and Julia bindings each check their declarations against
the C header. They read this one description instead of parsing the header
themselves. It lists, in the order of the header:

  "constants"          #define NAME <integer expression, float or string
                       literal>: {"name", "value", "line"}
  "initializers"       #define NAME { ... }: {"name", "values", "line"},
                       the values as written (whitespace collapsed)
  "opaque_types"       typedef struct x x; without a body: {"name", "line"}
  "aliases"            typedef <type> NAME;: {"name", "type", "line"}
  "function_pointers"  typedef R (*NAME)(...);: {"name", "return_type",
                       "parameters", "line"}
  "enums"              typedef'd enums: {"name", "members": [[NAME, value],
                       ...], "line"}, implied values filled in
  "structs"            typedef'd structs: {"name", "fields": [[name, type],
                       ...], "line"}
  "functions"          prototypes: {"name", "return_type", "parameters":
                       [[name, type], ...], "line"}

Types are written in one canonical spelling: tokens separated by one space,
`*` after a space and before any qualifier of the pointer ("const char
*const *", "trajplot_labels **", "unsigned int"); an array parameter is the
pointer it decays to; a struct field array is "char [16]"; a function
pointer written inline is "int (*)(void *, size_t)". "line" is the line of
the header where the declaration starts.

The parser knows the header's style, not all of C: comments anywhere,
#if/#ifdef blocks (not evaluated: every branch is read), extern "C",
export and attribute macros (a macro defined as nothing, __attribute__(...)
or __declspec(...)) in front of declarations, multi-line prototypes. What
it cannot read (a union, a bit-field, a variadic function, a macro whose
value is no constant, ...) stops it with exit status 1 and a message naming
the line, never a silently shorter description.

Usage: describe_capi.py [--header capi/trajplot.h] [--out description.json]
(without --out the description goes to standard output).
"""

import argparse
import json
import os
import re
import sys
import tempfile

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_HEADER = os.path.join(HERE, os.pardir, "capi", "trajplot.h")

QUALIFIERS = {"const", "volatile", "restrict", "__restrict", "__restrict__"}
TAG_KEYWORDS = {"struct", "enum", "union"}
TYPE_KEYWORDS = {"void", "char", "short", "int", "long", "float", "double", "signed",
                 "unsigned", "_Bool", "bool", "_Complex"}
STORAGE_CLASSES = {"extern"}
ATTRIBUTE_KEYWORDS = {"__attribute__", "__declspec"}
# Words an export macro may stand for besides attributes.
ATTRIBUTE_WORDS = {"extern", "__cdecl", "__stdcall"}
IGNORED_DIRECTIVES = {"include", "pragma", "error", "warning", "line", "undef", "include_next"}
CONDITIONAL_OPENERS = {"if", "ifdef", "ifndef"}


class DescribeError(Exception):
    """A declaration the parser cannot read, at `line` of the header."""

    def __init__(self, line, message):
        super().__init__("line %d: %s" % (line, message))
        self.line = line
        self.message = message


# ---------------------------------------------------------------------------
# Lexing
# ---------------------------------------------------------------------------

def strip_comments(text):
    """The text with every comment replaced by spaces (newlines kept, so
    that line numbers stay those of the header); string and character
    literals are left alone."""
    out = []
    k = 0
    n = len(text)
    while k < n:
        c = text[k]
        if text.startswith("/*", k):
            end = text.find("*/", k + 2)
            if end < 0:
                raise DescribeError(text.count("\n", 0, k) + 1, "unterminated /* comment")
            out.append(re.sub(r"[^\n]", " ", text[k:end + 2]))
            k = end + 2
        elif text.startswith("//", k):
            end = text.find("\n", k)
            end = n if end < 0 else end
            out.append(" " * (end - k))
            k = end
        elif c in "\"'":
            end = k + 1
            while end < n and text[end] != c and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            if end >= n or text[end] != c:
                raise DescribeError(text.count("\n", 0, k) + 1, "unterminated %s literal"
                                    % ("string" if c == '"' else "character"))
            out.append(text[k:end + 1])
            k = end + 1
        else:
            out.append(c)
            k += 1
    return "".join(out)


TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<char>(?:u8|u|U|L)?'(?:[^'\\\n]|\\.)*')
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\#\#|[-+*/%&|^~!<>=?:;,.(){}\[\]\#])
""", re.X)


class Token:
    __slots__ = ("kind", "text", "line", "start", "end", "space_before")

    def __init__(self, kind, text, line, start, end, space_before):
        self.kind = kind
        self.text = text
        self.line = line
        self.start = start
        self.end = end
        self.space_before = space_before

    def __repr__(self):
        return "Token(%r, line %d)" % (self.text, self.line)


def tokenize(text, first_line=1):
    tokens = []
    line = first_line
    k = 0
    space = False
    while k < len(text):
        match = TOKEN.match(text, k)
        if not match:
            raise DescribeError(line, "unexpected character %r" % text[k])
        kind = match.lastgroup
        if kind == "space":
            space = True
        else:
            tokens.append(Token(kind, match.group(), line, match.start(), match.end(), space))
            space = False
        line += match.group().count("\n")
        k = match.end()
    return tokens


def spell(tokens):
    """The tokens as written, with one space wherever there was any."""
    out = []
    for index, token in enumerate(tokens):
        if index and token.space_before:
            out.append(" ")
        out.append(token.text)
    return "".join(out)


def split_top_level(tokens, separator=","):
    """Lists of tokens between the top-level separators (outside (), [] and
    {}). An empty text gives no item."""
    items = [[]]
    depth = 0
    for token in tokens:
        if token.text in "([{" and token.kind == "punct":
            depth += 1
        elif token.text in ")]}" and token.kind == "punct":
            depth -= 1
        if token.text == separator and token.kind == "punct" and depth == 0:
            items.append([])
        else:
            items[-1].append(token)
    if len(items) == 1 and not items[0]:
        return []
    return items


def closing(tokens, index):
    """Index of the bracket closing tokens[index], or -1."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for k in range(index, len(tokens)):
        text = tokens[k].text
        if tokens[k].kind != "punct":
            continue
        if text in pairs:
            stack.append(pairs[text])
        elif text in ")]}":
            if not stack or stack.pop() != text:
                return -1
            if not stack:
                return k
    return -1


# ---------------------------------------------------------------------------
# Constant expressions and literals
# ---------------------------------------------------------------------------

INTEGER = re.compile(r"^(0[xX][0-9A-Fa-f]+|0[bB][01]+|[0-9]+)([uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)?$")
FLOAT = re.compile(r"^((?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)[fFlL]?$")


def integer_literal(text):
    match = INTEGER.match(text)
    if not match:
        return None
    digits = match.group(1)
    if digits[:2] in ("0x", "0X"):
        return int(digits[2:], 16)
    if digits[:2] in ("0b", "0B"):
        return int(digits[2:], 2)
    if len(digits) > 1 and digits[0] == "0":
        if not re.match(r"^[0-7]+$", digits):
            return None
        return int(digits, 8)
    return int(digits)


BINARY_PRECEDENCE = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="),
                     ("<<", ">>"), ("+", "-"), ("*", "/", "%")]


class Evaluator:
    """Integer constant expressions: literals, names of integer constants
    and enum members already seen, parentheses, unary + - ~ ! and the
    binary operators of C (no casts, no sizeof)."""

    def __init__(self, tokens, symbols, line, what):
        self.tokens = tokens
        self.symbols = symbols
        self.line = line
        self.what = what
        self.k = 0

    def fail(self, why):
        raise DescribeError(self.line, "cannot evaluate %s `%s`: %s" % (self.what, spell(self.tokens), why))

    def evaluate(self):
        if not self.tokens:
            self.fail("it is empty")
        value = self.binary(0)
        if self.k != len(self.tokens):
            self.fail("unexpected `%s`" % self.tokens[self.k].text)
        return value

    def peek(self):
        return self.tokens[self.k].text if self.k < len(self.tokens) else None

    def binary(self, level):
        if level == len(BINARY_PRECEDENCE):
            return self.unary()
        value = self.binary(level + 1)
        while self.peek() in BINARY_PRECEDENCE[level] and self.tokens[self.k].kind == "punct":
            operator = self.tokens[self.k].text
            self.k += 1
            right = self.binary(level + 1)
            value = self.apply(operator, value, right)
        return value

    def apply(self, operator, left, right):
        if operator in ("/", "%") and right == 0:
            self.fail("division by zero")
        if operator == "/":
            quotient = abs(left) // abs(right)
            return quotient if (left < 0) == (right < 0) else -quotient
        if operator == "%":
            quotient = self.apply("/", left, right)
            return left - right * quotient
        if operator in ("<<", ">>") and right < 0:
            self.fail("negative shift")
        return {
            "||": lambda: int(bool(left) or bool(right)),
            "&&": lambda: int(bool(left) and bool(right)),
            "|": lambda: left | right, "^": lambda: left ^ right, "&": lambda: left & right,
            "==": lambda: int(left == right), "!=": lambda: int(left != right),
            "<": lambda: int(left < right), ">": lambda: int(left > right),
            "<=": lambda: int(left <= right), ">=": lambda: int(left >= right),
            "<<": lambda: left << right, ">>": lambda: left >> right,
            "+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
        }[operator]()

    def unary(self):
        text = self.peek()
        if text is None:
            self.fail("it ends too early")
        token = self.tokens[self.k]
        if token.kind == "punct" and text in ("-", "+", "~", "!"):
            self.k += 1
            value = self.unary()
            return {"-": -value, "+": value, "~": ~value, "!": int(not value)}[text]
        if token.kind == "punct" and text == "(":
            self.k += 1
            value = self.binary(0)
            if self.peek() != ")":
                self.fail("a `(` is not closed")
            self.k += 1
            return value
        self.k += 1
        if token.kind == "number":
            value = integer_literal(text)
            if value is None:
                self.fail("`%s` is not an integer literal" % text)
            return value
        if token.kind == "ident":
            value = self.symbols.get(text)
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail("`%s` is not an integer constant defined before it" % text)
            return value
        self.fail("unexpected `%s`" % text)
        return None


SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
                  "\\": "\\", "'": "'", '"': '"', "?": "?"}


def string_literal(token):
    """The text of a string literal (UTF-8, escapes decoded)."""
    text = token.text
    if not text.startswith('"'):
        if text.startswith('u8"'):
            text = text[2:]
        else:
            raise DescribeError(token.line, "only narrow and u8 string literals are described: %s" % text)
    body = text[1:-1]
    data = bytearray()
    k = 0
    while k < len(body):
        c = body[k]
        if c != "\\":
            data += c.encode("utf-8")
            k += 1
            continue
        nxt = body[k + 1]
        if nxt in SIMPLE_ESCAPES:
            data += SIMPLE_ESCAPES[nxt].encode()
            k += 2
        elif nxt == "x":
            digits = re.match(r"[0-9A-Fa-f]+", body[k + 2:])
            if not digits or int(digits.group(), 16) > 255:
                raise DescribeError(token.line, "bad \\x escape in %s" % token.text)
            data.append(int(digits.group(), 16))
            k += 2 + len(digits.group())
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[k + 1:]).group()
            if int(digits, 8) > 255:
                raise DescribeError(token.line, "bad octal escape in %s" % token.text)
            data.append(int(digits, 8))
            k += 1 + len(digits)
        elif nxt in "uU":
            size = 4 if nxt == "u" else 8
            digits = body[k + 2:k + 2 + size]
            if not re.match(r"^[0-9A-Fa-f]{%d}$" % size, digits):
                raise DescribeError(token.line, "bad \\%s escape in %s" % (nxt, token.text))
            data += chr(int(digits, 16)).encode("utf-8")
            k += 2 + size
        else:
            raise DescribeError(token.line, "unknown escape \\%s in %s" % (nxt, token.text))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DescribeError(token.line, "%s is not valid UTF-8" % token.text) from None


def float_literal(tokens):
    """A float literal, optionally signed and parenthesised, or None."""
    texts = [token.text for token in tokens]
    while len(texts) >= 2 and texts[0] == "(" and texts[-1] == ")":
        texts = texts[1:-1]
    sign = 1.0
    if texts and texts[0] in ("-", "+"):
        sign = -1.0 if texts[0] == "-" else 1.0
        texts = texts[1:]
    if len(texts) != 1:
        return None
    match = FLOAT.match(texts[0])
    if not match:
        return None
    return sign * float(match.group(1))


# ---------------------------------------------------------------------------
# Types and declarators
# ---------------------------------------------------------------------------

def canonical_type(tokens, line):
    """The canonical spelling of a type made of identifiers, qualifiers
    and `*`s: the qualifiers of the base type first ("char const *" is
    "const char *"), those of a pointer after its `*`."""
    first_star = next((k for k, token in enumerate(tokens) if token.text == "*"), len(tokens))
    base = tokens[:first_star]
    base = [token for token in base if token.text in QUALIFIERS] + \
           [token for token in base if token.text not in QUALIFIERS]
    out = ""
    for token in base + list(tokens[first_star:]):
        if token.kind == "punct" and token.text == "*":
            out += "*" if out.endswith("*") else " *"
        elif token.kind == "ident":
            out += token.text if out.endswith("*") or not out else " " + token.text
        else:
            raise DescribeError(line, "cannot read the type `%s`: unexpected `%s`" % (spell(tokens), token.text))
    out = out.strip()
    if not out:
        raise DescribeError(line, "a declaration has no type")
    base = [token for token in tokens if token.kind == "ident" and token.text not in QUALIFIERS]
    if not base:
        raise DescribeError(line, "the type `%s` has only qualifiers" % spell(tokens))
    if base[-1].text in TAG_KEYWORDS:
        raise DescribeError(line, "the type `%s` lacks the name after %s" % (spell(tokens), base[-1].text))
    if "union" in [token.text for token in tokens]:
        raise DescribeError(line, "unions are not described: `%s`" % spell(tokens))
    return out


def names_a_declarator(type_tokens):
    """Whether the identifier after type_tokens is a declarator's name, not
    the last word of the type ("size_t n" has a name; "unsigned int" and
    "size_t" have none)."""
    words = [token.text for token in type_tokens if token.kind == "ident" and token.text not in QUALIFIERS]
    if not words or words[-1] in TAG_KEYWORDS:
        return False
    return True


class Context:
    """What later declarations may refer to: integer constants and enum
    members (for constant expressions)."""

    def __init__(self):
        self.symbols = {}
        self.opaque = []           # (tag, name, line) of `typedef struct tag name;`
        self.forward_structs = []  # (tag, line) of `struct tag;`
        self.struct_tags = {}      # tag -> typedef name, of structs with a body


def parse_declarator(tokens, line, context, role):
    """(name, canonical type) of one parameter or field; the name is ""
    for an abstract parameter. role is "parameter" or "field"."""
    if not tokens:
        raise DescribeError(line, "an empty %s" % role)
    line = tokens[0].line
    texts = [token.text for token in tokens]
    if "(" in texts:
        return parse_function_pointer_declarator(tokens, line, context, role)
    if any(token.kind == "punct" and token.text == ":" for token in tokens):
        raise DescribeError(line, "bit-fields are not described: `%s`" % spell(tokens))
    dims = []
    while tokens and tokens[-1].text == "]":
        open_index = max(k for k, token in enumerate(tokens) if token.text == "[")
        size_tokens = tokens[open_index + 1:-1]
        if size_tokens:
            dims.insert(0, str(Evaluator(size_tokens, context.symbols, line, "the array size").evaluate()))
        else:
            dims.insert(0, "")
        tokens = tokens[:open_index]
    name = ""
    if tokens and tokens[-1].kind == "ident" and tokens[-1].text not in QUALIFIERS \
            and tokens[-1].text not in TYPE_KEYWORDS and names_a_declarator(tokens[:-1]):
        name = tokens[-1].text
        tokens = tokens[:-1]
    type_text = canonical_type(tokens, line)
    if dims:
        if role == "parameter":
            # An array parameter is the pointer it decays to.
            type_text += " *" if not type_text.endswith("*") else "*"
            if len(dims) > 1:
                type_text += " " + "".join("[%s]" % dim for dim in dims[1:])
        else:
            if "" in dims:
                raise DescribeError(line, "flexible array members are not described: `%s`" % name)
            type_text += " " + "".join("[%s]" % dim for dim in dims)
    return name, type_text


def parse_parameter_list(tokens, line, context):
    """[[name, type], ...] of the tokens between a prototype's parentheses."""
    items = split_top_level(tokens)
    if len(items) == 1 and [token.text for token in items[0]] == ["void"]:
        return []
    if not items:
        raise DescribeError(line, "an empty parameter list `()` says nothing about the parameters; "
                                  "write (void)")
    parameters = []
    for item in items:
        if [token.text for token in item] == ["..."]:
            raise DescribeError(line, "variadic functions are not described")
        if not item:
            raise DescribeError(line, "an empty parameter")
        parameters.append(list(parse_declarator(item, line, context, "parameter")))
    return parameters


def parse_function_pointer_declarator(tokens, line, context, role):
    """`R (*name)(params)`: (name, "R (*)(T1, T2)")."""
    texts = [token.text for token in tokens]
    open_index = texts.index("(")
    close_index = closing(tokens, open_index)
    inner = tokens[open_index + 1:close_index] if close_index > 0 else []
    inner_texts = [token.text for token in inner]
    if close_index < 0 or not inner_texts or inner_texts[0] != "*" \
            or close_index + 1 >= len(tokens) or texts[close_index + 1] != "(":
        raise DescribeError(line, "cannot read the %s `%s`" % (role, spell(tokens)))
    params_close = closing(tokens, close_index + 1)
    if params_close != len(tokens) - 1:
        raise DescribeError(line, "cannot read the %s `%s`" % (role, spell(tokens)))
    rest = [token for token in inner[1:] if token.text not in QUALIFIERS]
    if len(rest) > 1 or (rest and rest[0].kind != "ident"):
        raise DescribeError(line, "cannot read the %s `%s`" % (role, spell(tokens)))
    name = rest[0].text if rest else ""
    return_type = canonical_type(tokens[:open_index], line)
    parameters = parse_parameter_list(tokens[close_index + 2:params_close], line, context)
    return name, function_pointer_type(return_type, parameters)


def function_pointer_type(return_type, parameters):
    listed = ", ".join(type_text for _, type_text in parameters) or "void"
    return "%s (*)(%s)" % (return_type, listed)


# ---------------------------------------------------------------------------
# The header
# ---------------------------------------------------------------------------

class Description:
    def __init__(self, header_name):
        self.header = header_name
        self.constants = []
        self.initializers = []
        self.opaque_types = []
        self.aliases = []
        self.function_pointers = []
        self.enums = []
        self.structs = []
        self.functions = []
        self.names = {}  # every name described -> (what, line)

    def claim(self, name, what, line):
        if name in self.names:
            other, other_line = self.names[name]
            raise DescribeError(line, "%s is declared twice: as %s here and as %s on line %d"
                                % (name, what, other, other_line))
        self.names[name] = (what, line)

    def as_json(self):
        return {
            "format": FORMAT,
            "header": self.header,
            "constants": self.constants,
            "initializers": self.initializers,
            "opaque_types": self.opaque_types,
            "aliases": self.aliases,
            "function_pointers": self.function_pointers,
            "enums": self.enums,
            "structs": self.structs,
            "functions": self.functions,
        }


def attribute_like(tokens, attribute_macros):
    """Whether a macro body is only attributes: nothing, __attribute__((...)),
    __declspec(...), extern, a calling convention or other attribute
    macros."""
    k = 0
    while k < len(tokens):
        text = tokens[k].text
        if text in ATTRIBUTE_KEYWORDS:
            if k + 1 >= len(tokens) or tokens[k + 1].text != "(":
                return False
            end = closing(tokens, k + 1)
            if end < 0:
                return False
            k = end + 1
        elif text in ATTRIBUTE_WORDS:
            k += 1
        elif text in attribute_macros:
            k += 1
            if attribute_macros[text] and k < len(tokens) and tokens[k].text == "(":
                end = closing(tokens, k)
                if end < 0:
                    return False
                k = end + 1
        else:
            return False
    return True


def read_directives(code):
    """[(line, directive text with continuations joined)] and the code with
    every directive line blanked."""
    lines = code.split("\n")
    directives = []
    k = 0
    while k < len(lines):
        if lines[k].lstrip().startswith("#"):
            start = k
            parts = []
            while True:
                text = lines[k]
                lines[k] = ""
                if text.endswith("\\"):
                    parts.append(text[:-1])
                    k += 1
                    if k >= len(lines):
                        break
                else:
                    parts.append(text)
                    break
            directives.append((start + 1, " ".join(parts).strip()[1:].strip()))
        k += 1
    return directives, "\n".join(lines)


def describe_define(line, text, description, context, attribute_macros, defines):
    match = re.match(r"^([A-Za-z_]\w*)(\()?", text)
    if not match:
        raise DescribeError(line, "cannot read the macro name of #define %s" % text)
    name = match.group(1)
    tokens = tokenize(text[match.end(1):], line)
    if match.group(2):
        close = closing(tokens, 0)
        if close < 0:
            raise DescribeError(line, "the parameters of the macro %s are not closed" % name)
        if attribute_like(tokens[close + 1:], attribute_macros):
            attribute_macros[name] = True
            return
        raise DescribeError(line, "function-like macro %s cannot be described (only constants, "
                                  "initializers and attribute macros can)" % name)
    value_tokens = tokens
    if attribute_like(value_tokens, attribute_macros):
        # Export and attribute macros, include guards, feature macros.
        if name not in attribute_macros:
            attribute_macros[name] = False
        return
    body = spell(value_tokens)
    if name in attribute_macros:
        raise DescribeError(line, "%s is an attribute macro elsewhere, but here it is `%s`" % (name, body))
    if defines.get(name, (None, body))[1] != body:
        raise DescribeError(line, "%s is defined as `%s` here but as `%s` on line %d"
                            % (name, body, defines[name][1], defines[name][0]))
    if name in defines:
        return  # the same definition in another branch of an #if
    defines[name] = (line, body)

    if value_tokens[0].text == "{":
        if closing(value_tokens, 0) != len(value_tokens) - 1:
            raise DescribeError(line, "cannot read the initializer %s: its braces do not enclose it all" % name)
        items = split_top_level(value_tokens[1:-1])
        if items and not items[-1]:
            items.pop()  # a trailing comma
        if not items or any(not item for item in items):
            raise DescribeError(line, "cannot read the initializer %s: an empty value" % name)
        description.claim(name, "an initializer", line)
        description.initializers.append({"name": name, "values": [spell(item) for item in items],
                                         "line": line})
        return
    if all(token.kind == "string" for token in value_tokens):
        value = "".join(string_literal(token) for token in value_tokens)
    else:
        value = float_literal(value_tokens)
        if value is None:
            try:
                value = Evaluator(value_tokens, context.symbols, line, "the value of %s" % name).evaluate()
            except DescribeError as error:
                raise DescribeError(line, "cannot read #define %s %s: a constant must be an integer "
                                          "expression, a float or a string literal (%s)"
                                    % (name, body, error.message)) from None
    description.claim(name, "a constant", line)
    context.symbols[name] = value
    description.constants.append({"name": name, "value": value, "line": line})


def strip_attributes(tokens, attribute_macros):
    out = []
    k = 0
    while k < len(tokens):
        text = tokens[k].text
        if text in ATTRIBUTE_KEYWORDS or (text in attribute_macros and tokens[k].kind == "ident"):
            takes_arguments = text in ATTRIBUTE_KEYWORDS or attribute_macros[text]
            k += 1
            if takes_arguments:
                if k >= len(tokens) or tokens[k].text != "(" or closing(tokens, k) < 0:
                    raise DescribeError(tokens[k - 1].line, "%s needs its parenthesised arguments" % text)
                k = closing(tokens, k) + 1
            continue
        out.append(tokens[k])
        k += 1
    return out


def split_declarations(tokens):
    """Top-level declarations (lists of tokens without the `;`), the
    braces of extern "C" { ... } removed."""
    declarations = []
    open_externs = []
    k = 0
    n = len(tokens)
    while k < n:
        token = tokens[k]
        if token.text == "extern" and k + 1 < n and tokens[k + 1].kind == "string":
            if tokens[k + 1].text != '"C"':
                raise DescribeError(token.line, "unknown linkage %s" % tokens[k + 1].text)
            if k + 2 < n and tokens[k + 2].text == "{":
                open_externs.append(token.line)
                k += 3
            else:
                k += 2  # extern "C" in front of a single declaration
            continue
        if token.text == "}" and token.kind == "punct":
            if not open_externs:
                raise DescribeError(token.line, "a `}` closes nothing")
            open_externs.pop()
            k += 1
            continue
        if token.text == ";" and token.kind == "punct":
            k += 1  # an empty declaration
            continue
        depth = 0
        start = k
        while k < n:
            text = tokens[k].text
            if tokens[k].kind == "punct":
                if text in "([{":
                    depth += 1
                elif text in ")]}":
                    depth -= 1
                    if depth < 0:
                        raise DescribeError(tokens[k].line, "an unbalanced `%s`" % text)
                elif text == ";" and depth == 0:
                    break
                if text == "{" and depth == 1 and k > start and tokens[k - 1].text == ")":
                    raise DescribeError(tokens[start].line, "function definitions are not described: "
                                                            "`%s`" % spell(tokens[start:k + 1]))
            k += 1
        if k >= n:
            raise DescribeError(tokens[start].line, "a declaration does not end with `;`: `%s`"
                                % spell(tokens[start:start + 12]))
        declarations.append(tokens[start:k])
        k += 1
    if open_externs:
        raise DescribeError(open_externs[-1], 'extern "C" { is never closed')
    return declarations


def describe_enum(name, body, line, description, context):
    members = []
    value = -1
    items = split_top_level(body)
    if items and not items[-1]:
        items.pop()  # a trailing comma
    if not items:
        raise DescribeError(line, "enum %s has no members" % name)
    for item in items:
        if not item:
            raise DescribeError(line, "enum %s has an empty member" % name)
        member_line = item[0].line
        if item[0].kind != "ident" or (len(item) > 1 and item[1].text != "="):
            raise DescribeError(member_line, "cannot read the member `%s` of enum %s: write NAME or "
                                             "NAME = constant expression" % (spell(item), name))
        member = item[0].text
        if len(item) > 1:
            value = Evaluator(item[2:], context.symbols, member_line,
                              "the value of %s" % member).evaluate()
        else:
            value += 1
        description.claim(member, "a member of enum %s" % name, member_line)
        context.symbols[member] = value
        members.append([member, value])
    description.claim(name, "an enum", line)
    description.enums.append({"name": name, "members": members, "line": line})


def describe_struct(name, body, line, description, context):
    fields = []
    for declaration in split_top_level(body, ";"):
        if not declaration:
            continue
        field_line = declaration[0].line
        if any(token.text in ("{", "}") for token in declaration):
            raise DescribeError(field_line, "struct %s: nested struct, union or enum definitions are not "
                                            "described" % name)
        if declaration[0].text == "union":
            raise DescribeError(field_line, "struct %s: unions are not described" % name)
        declarators = split_top_level(declaration)
        first_name, first_type = parse_declarator(declarators[0], field_line, context, "field")
        if not first_name:
            raise DescribeError(field_line, "struct %s: a field without a name: `%s`" % (name, spell(declaration)))
        fields.append([first_name, first_type])
        if len(declarators) > 1:
            if "(" in [token.text for token in declarators[0]]:
                raise DescribeError(field_line, "struct %s: declare one function pointer per line" % name)
            # `float min, *max;`: the later declarators share the specifiers.
            specifiers = []
            for token in declarators[0]:
                if token.text in ("*", "[") or token.text == first_name:
                    break
                specifiers.append(token)
            for declarator in declarators[1:]:
                field_name, field_type = parse_declarator(specifiers + declarator, field_line, context, "field")
                if not field_name:
                    raise DescribeError(field_line, "struct %s: a field without a name" % name)
                fields.append([field_name, field_type])
    if not fields:
        raise DescribeError(line, "struct %s has no fields" % name)
    seen = set()
    for field_name, _ in fields:
        if field_name in seen:
            raise DescribeError(line, "struct %s has two fields named %s" % (name, field_name))
        seen.add(field_name)
    description.claim(name, "a struct", line)
    description.structs.append({"name": name, "fields": fields, "line": line})


def describe_aggregate(tokens, line, description, context, typedef):
    """struct/enum definitions; `tokens` starts at the keyword."""
    kind = tokens[0].text
    if kind == "union":
        raise DescribeError(line, "unions are not described: `%s`" % spell(tokens[:2]))
    k = 1
    tag = None
    if k < len(tokens) and tokens[k].kind == "ident":
        tag = tokens[k].text
        k += 1
    if k >= len(tokens) or tokens[k].text != "{":
        return False  # no body
    close = closing(tokens, k)
    if close < 0:
        raise DescribeError(line, "the braces of %s %s are not balanced" % (kind, tag or ""))
    body = tokens[k + 1:close]
    after = tokens[close + 1:]
    if typedef:
        if len(after) != 1 or after[0].kind != "ident":
            raise DescribeError(line, "cannot read the typedef of %s %s: write `} name;`"
                                % (kind, tag or "{...}"))
        name = after[0].text
    else:
        if after:
            raise DescribeError(line, "variables are not described: `%s`" % spell(after))
        if tag is None:
            raise DescribeError(line, "an anonymous %s without a typedef names nothing" % kind)
        name = tag
    if kind == "enum":
        describe_enum(name, body, line, description, context)
    else:
        describe_struct(name, body, line, description, context)
        if tag and tag != name:
            context.struct_tags[tag] = name
    return True


def describe_declaration(tokens, description, context, attribute_macros):
    line = tokens[0].line
    tokens = strip_attributes(tokens, attribute_macros)
    if not tokens:
        raise DescribeError(line, "a declaration of attributes only")
    texts = [token.text for token in tokens]
    if texts[0] == "typedef":
        rest = tokens[1:]
        if not rest:
            raise DescribeError(line, "an empty typedef")
        if rest[0].text in TAG_KEYWORDS:
            if describe_aggregate(rest, line, description, context, typedef=True):
                return
            if rest[0].text == "struct" and len(rest) == 3 and rest[1].kind == "ident" and rest[2].kind == "ident":
                context.opaque.append((rest[1].text, rest[2].text, line))
                return
        if "(" in [token.text for token in rest]:
            name, type_text = parse_declarator(rest, line, context, "typedef")
            if not name or "(*)" not in type_text:
                raise DescribeError(line, "cannot read the typedef `%s`: only function pointer "
                                          "typedefs `R (*name)(...)` are described" % spell(tokens))
            open_index = [token.text for token in rest].index("(")
            return_type = canonical_type(rest[:open_index], line)
            inner_close = closing(rest, open_index)
            parameters = parse_parameter_list(rest[inner_close + 2:-1], line, context)
            description.claim(name, "a function pointer type", line)
            description.function_pointers.append({"name": name, "return_type": return_type,
                                                  "parameters": parameters, "line": line})
            return
        name, type_text = parse_declarator(rest, line, context, "typedef")
        if not name or "[" in type_text:
            raise DescribeError(line, "cannot read the typedef `%s`" % spell(tokens))
        description.claim(name, "a type alias", line)
        description.aliases.append({"name": name, "type": type_text, "line": line})
        return
    if texts[0] in TAG_KEYWORDS:
        if describe_aggregate(tokens, line, description, context, typedef=False):
            return
        if texts[0] == "struct" and len(tokens) == 2 and tokens[1].kind == "ident":
            context.forward_structs.append((tokens[1].text, line))
            return
    # A function prototype: specifiers and return type, name, (parameters).
    while tokens and tokens[0].text in STORAGE_CLASSES:
        tokens = tokens[1:]
    texts = [token.text for token in tokens]
    if "(" not in texts:
        raise DescribeError(line, "cannot read the declaration `%s`: only functions, typedefs, "
                                  "structs and enums are described" % spell(tokens))
    open_index = texts.index("(")
    close = closing(tokens, open_index)
    if open_index < 2 or tokens[open_index - 1].kind != "ident" or close != len(tokens) - 1:
        raise DescribeError(line, "cannot read the declaration `%s`" % spell(tokens))
    name = tokens[open_index - 1].text
    for token in tokens[:open_index - 1]:
        if token.text in ("static", "inline", "__inline", "__inline__", "_Noreturn"):
            raise DescribeError(line, "%s: `%s` functions are not described" % (name, token.text))
    return_type = canonical_type(tokens[:open_index - 1], line)
    if not names_a_declarator(tokens[:open_index - 1]):
        raise DescribeError(line, "cannot read the return type of %s" % name)
    parameters = parse_parameter_list(tokens[open_index + 1:close], line, context)
    description.claim(name, "a function", line)
    description.functions.append({"name": name, "return_type": return_type,
                                  "parameters": parameters, "line": line})


def describe(text, header_name="trajplot.h"):
    """The description (a dict ready for json) of the header text. Raises
    DescribeError for anything it cannot read."""
    code = strip_comments(text)
    directives, code = read_directives(code)
    description = Description(header_name)
    context = Context()
    attribute_macros = {}         # name -> whether it takes arguments
    defines = {}

    # Attribute macros first: a declaration may use one defined anywhere
    # above it, and the export macro's definitions come in #if branches.
    events = [(line, 0, text) for line, text in directives]
    declarations = split_declarations(tokenize(code))
    events += [(tokens[0].line, 1, tokens) for tokens in declarations]
    events.sort(key=lambda event: (event[0], event[1]))

    depth = []
    for line, kind, payload in events:
        if kind == 1:
            describe_declaration(payload, description, context, attribute_macros)
            continue
        match = re.match(r"^([a-z_]*)\s*(.*)$", payload, re.S)
        directive, rest = match.group(1), match.group(2).strip()
        if directive == "":
            if rest:
                raise DescribeError(line, "cannot read the directive #%s" % payload)
        elif directive in CONDITIONAL_OPENERS:
            depth.append(line)
        elif directive in ("elif", "else", "elifdef", "elifndef"):
            if not depth:
                raise DescribeError(line, "#%s without #if" % directive)
        elif directive == "endif":
            if not depth:
                raise DescribeError(line, "#endif without #if")
            depth.pop()
        elif directive == "define":
            describe_define(line, rest, description, context, attribute_macros, defines)
        elif directive in IGNORED_DIRECTIVES:
            pass
        else:
            raise DescribeError(line, "unknown directive #%s" % directive)
    if depth:
        raise DescribeError(depth[-1], "this #if is never closed by #endif")

    defined_tags = set(context.struct_tags) | {struct["name"] for struct in description.structs}
    for tag, name, line in context.opaque:
        if tag in defined_tags or name in defined_tags:
            # typedef struct tag name; for a struct defined with its body.
            if name not in {struct["name"] for struct in description.structs}:
                description.claim(name, "a type alias", line)
                description.aliases.append({"name": name, "type": "struct " + tag, "line": line})
            continue
        description.claim(name, "an opaque type", line)
        description.opaque_types.append({"name": name, "line": line})
    opaque_names = {item["name"] for item in description.opaque_types}
    for tag, line in context.forward_structs:
        if tag not in defined_tags and tag not in opaque_names and tag not in {t for t, _, _ in context.opaque}:
            description.claim(tag, "an opaque type", line)
            description.opaque_types.append({"name": tag, "line": line})
    description.opaque_types.sort(key=lambda item: item["line"])
    return description.as_json()


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def dumps(value, indent=0):
    """JSON with lists and objects of scalars on one line and everything
    else indented: short enough to read, stable to diff."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        if all(not isinstance(item, (dict, list)) for item in value.values()):
            return json.dumps(value, ensure_ascii=False)
        items = ["%s%s: %s" % (inner, json.dumps(key), dumps(item, indent + 1)) for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return json.dumps(value, ensure_ascii=False)
        return "[\n" + ",\n".join(inner + dumps(item, indent + 1) for item in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".describe_capi.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        # mkstemp makes the file private; give it the permissions of any
        # other file this process writes.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--header", default=os.path.normpath(DEFAULT_HEADER),
                        help="the C header (default: capi/trajplot.h of this source tree)")
    parser.add_argument("--out", help="where to write the JSON (default: standard output)")
    options = parser.parse_args(argv)
    try:
        with open(options.header, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        print("describe_capi.py: cannot read %s: %s" % (options.header, error), file=sys.stderr)
        return 1
    try:
        description = describe(text, os.path.basename(options.header))
    except DescribeError as error:
        print("%s:%d: error: %s" % (options.header, error.line, error.message), file=sys.stderr)
        print("describe_capi.py: %s was not described; make the declaration readable or teach "
              "scripts/describe_capi.py to read it" % options.header, file=sys.stderr)
        return 1
    text = dumps(description) + "\n"
    if options.out:
        write_atomically(options.out, text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
