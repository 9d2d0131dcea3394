"""Tests of scripts/check_layers.py on small trees: a tree that keeps to its
layers passes, and each kind of stray include is named with its line."""

import importlib.util
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_layers.py"
spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
check_layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_layers)

LAYERS = {
    "model": {"name": "model", "headers": ["model.hpp"], "depends": []},
    "figures": {"name": "figures", "headers": ["figure.hpp"], "depends": ["model"]},
    "engine": {"name": "engine", "headers": ["engine.hpp"], "depends": ["model"]},
}

GOOD_TREE = {
    "include/trajplot/model.hpp": "#pragma once\n",
    "include/trajplot/figure.hpp": '#include "trajplot/model.hpp"\n',
    "include/trajplot/engine.hpp": '#include "trajplot/model.hpp"\n',
    "src/model/model.cpp": '#include "trajplot/model.hpp"\n#include "model_internals.hpp"\n',
    "src/model/model_internals.hpp": "#pragma once\n",
    "src/figures/figure.cpp": '#include "trajplot/figure.hpp"\n#include "model_internals.hpp"\n#include "plan.hpp"\n',
    "src/figures/plan.hpp": "#pragma once\n",
    "src/engine/engine.cpp": '#include "trajplot/engine.hpp"\n#include "kernel.hpp"\n',
    "src/engine/kernel.hpp": "#pragma once\n",
    "capi/api.cpp": '#include "trajplot.h"\n#include "trajplot/figure.hpp"\n#include "trajplot/engine.hpp"\n',
    "capi/trajplot.h": "\n",
    "cli/main.cpp": '#include "trajplot.h"\n#include "render.hpp"\n',
    "cli/render.hpp": "\n",
}


class CheckLayers(unittest.TestCase):
    def problems(self, changes):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            for name, text in {**GOOD_TREE, **changes}.items():
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            return check_layers.check(root, LAYERS)

    def assertOneProblem(self, changes, *expected):
        problems = self.problems(changes)
        self.assertEqual(len(problems), 1, problems)
        for part in expected:
            self.assertIn(part, problems[0])

    def test_a_tree_within_its_layers_passes(self):
        self.assertEqual(self.problems({}), [])

    def test_figures_including_the_engine_public_header(self):
        self.assertOneProblem({"src/figures/figure.cpp": '#include "trajplot/figure.hpp"\n#include "trajplot/engine.hpp"\n'},
                              "src/figures/figure.cpp:2:", "trajplot/engine.hpp of layer engine", "layer figures")

    def test_engine_including_a_figures_internal_header(self):
        self.assertOneProblem({"src/engine/engine.cpp": '#include "plan.hpp"\n'},
                              "src/engine/engine.cpp:1:", '"plan.hpp", internal to layer figures')

    def test_model_including_a_layer_above(self):
        self.assertOneProblem({"src/model/model.cpp": '#include "trajplot/figure.hpp"\n'},
                              "src/model/model.cpp:1:", "layer figures")

    def test_a_public_header_including_an_internal_one(self):
        self.assertOneProblem({"include/trajplot/figure.hpp": '#include "plan.hpp"\n'},
                              "include/trajplot/figure.hpp:1:", "a public header")

    def test_a_public_header_including_across_layers(self):
        self.assertOneProblem({"include/trajplot/engine.hpp": '#include "trajplot/figure.hpp"\n'},
                              "include/trajplot/engine.hpp:1:", "layer figures", "layer engine")

    def test_the_c_api_including_an_internal_header(self):
        self.assertOneProblem({"capi/api.cpp": '#include "model_internals.hpp"\n'},
                              "capi/api.cpp:1:", "public headers only")

    def test_the_command_line_tool_including_the_core(self):
        self.assertOneProblem({"cli/main.cpp": '#include "trajplot/model.hpp"\n'},
                              "cli/main.cpp:1:", "the C API only")

    def test_a_header_of_no_layer_and_a_file_outside_the_layers(self):
        problems = self.problems({"include/trajplot/stray.hpp": "\n", "src/helpers.cpp": "\n"})
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("stray.hpp:0: belongs to no layer", problems[0])
        self.assertIn("src/helpers.cpp:0: is outside every layer", problems[1])

    def test_an_include_found_nowhere(self):
        self.assertOneProblem({"src/model/model.cpp": '#include "missing.hpp"\n'},
                              '"missing.hpp", found in no layer')


if __name__ == "__main__":
    unittest.main()
