#!/usr/bin/env python3
"""Holds every #include of the project to its layers.

The C++ core is built as layers (cmake/layers.cmake): each is src/<layer>/
plus its public headers include/trajplot/<header>, and may use only itself
and the layers it depends on, directly or not. Above them, the C API
(capi/) sees the public headers only, and the command-line tool (cli/) the
C header only. The build's include paths already keep a layer out of the
internal headers of layers it does not depend on; this check covers what
they cannot, the public headers, which share one directory, and says which
rule a file breaks.

Usage: check_layers.py LAYERS_JSON [--root DIR]
LAYERS_JSON is the build's trajplot_layers.json. Exits 1 listing every
violation as file:line: message.
"""

import argparse
import json
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c", ".inc"}


def includes(path):
    text = path.read_text(encoding="utf-8")
    for match in INCLUDE.finditer(text):
        yield text.count("\n", 0, match.start()) + 1, match.group(1)


def reachable(layers, name):
    """The layers `name` may use: itself and its dependencies, transitively."""
    seen, pending = set(), [name]
    while pending:
        layer = pending.pop()
        if layer not in seen:
            seen.add(layer)
            pending.extend(layers[layer]["depends"])
    return seen


def check(root, layers):
    problems = []

    def problem(path, line, message):
        problems.append(f"{path.relative_to(root)}:{line}: {message}")

    owner = {}  # public header -> layer
    for name, layer in layers.items():
        for header in layer["headers"]:
            if header in owner:
                problem(root / "CMakeLists.txt", 0,
                        f"trajplot/{header} is declared by layers {owner[header]} and {name}")
            owner[header] = name
            if not (root / "include" / "trajplot" / header).is_file():
                problem(root / "CMakeLists.txt", 0, f"layer {name} declares trajplot/{header}, which does not exist")
    for header in sorted((root / "include" / "trajplot").glob("*.hpp")):
        if header.name not in owner:
            problem(header, 0, "belongs to no layer: add it to a layer's HEADERS in CMakeLists.txt")
    for path in sorted((root / "src").rglob("*")):
        if path.is_file() and (path.parent.parent != root / "src" or path.parent.name not in layers):
            problem(path, 0, "is outside every layer's directory src/<layer>/")

    internal = {}  # internal header file name -> layer
    for name in layers:
        for path in (root / "src" / name).glob("*"):
            internal.setdefault(path.name, name)

    def check_public(path, line, header, allowed, who):
        if header not in owner:
            problem(path, line, f"includes trajplot/{header}, which no layer declares")
        elif owner[header] not in allowed:
            problem(path, line, f"includes trajplot/{header} of layer {owner[header]}, "
                                f"which {who} does not depend on")

    for name in layers:
        allowed = reachable(layers, name)
        files = [p for p in sorted((root / "src" / name).glob("*")) if p.suffix in SOURCE_SUFFIXES]
        public = [root / "include" / "trajplot" / h for h in layers[name]["headers"]]
        for path in files + [p for p in public if p.is_file()]:
            in_public = path in public
            for line, target in includes(path):
                if target.startswith("trajplot/"):
                    check_public(path, line, target[len("trajplot/"):], allowed, f"layer {name}")
                elif in_public:
                    problem(path, line, f'a public header includes "{target}": only <trajplot/...> headers '
                                        "are installed beside it")
                elif (path.parent / target).is_file():
                    continue
                elif target in internal and internal[target] in allowed:
                    continue
                elif target in internal:
                    problem(path, line, f'includes "{target}", internal to layer {internal[target]}, '
                                        f"which layer {name} does not depend on")
                else:
                    problem(path, line, f'includes "{target}", found in no layer {name} may use')

    everything = set(layers)
    for path in sorted((root / "capi").glob("*")):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        for line, target in includes(path):
            if target.startswith("trajplot/"):
                check_public(path, line, target[len("trajplot/"):], everything, "the C API")
            elif not (path.parent / target).is_file():
                problem(path, line, f'includes "{target}": the C API uses the core\'s public headers only')
    for path in sorted((root / "cli").glob("*")):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        for line, target in includes(path):
            if target != "trajplot.h" and not (path.parent / target).is_file():
                problem(path, line, f'includes "{target}": the command-line tool uses the C API only')
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("layers_json", type=Path)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    arguments = parser.parse_args()
    layers = {layer["name"]: layer for layer in json.loads(arguments.layers_json.read_text())["layers"]}
    problems = check(arguments.root.resolve(), layers)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{len(problems)} include(s) break the layers (cmake/layers.cmake)", file=sys.stderr)
        return 1
    print(f"layers {', '.join(layers)}: every include keeps to them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
