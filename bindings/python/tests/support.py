"""Helpers shared by the Python binding's tests."""
import json
import os
import subprocess
import unittest

import trajplot
from trajplot._compat import numpy, plotly_graph_objects

HAVE_NUMPY = numpy is not None
HAVE_PLOTLY = plotly_graph_objects() is not None

requires_numpy = unittest.skipUnless(HAVE_NUMPY, "numpy is hidden in this run")
requires_plotly = unittest.skipUnless(HAVE_PLOTLY, "plotly.py is hidden in this run")
without_numpy = unittest.skipIf(HAVE_NUMPY, "numpy is importable in this run")
without_plotly = unittest.skipIf(HAVE_PLOTLY, "plotly.py is importable in this run")


def plotly_version():
    import plotly

    return tuple(int(part) for part in plotly.__version__.split(".")[:2])


def environment_file(test, variable):
    """A file CTest passes through the environment; the test is skipped when
    run by hand without it."""
    path = os.environ.get(variable)
    if not path:
        test.skipTest("%s is not set (CTest sets it)" % variable)
    return path


def plain(value):
    """Nested lists of a numpy array or of nested lists (for comparisons)."""
    if HAVE_NUMPY and isinstance(value, numpy.ndarray):
        return value.tolist()
    return value


# The small trajectory most tests draw: 3 layers (the last the output) of
# 4 tokens, cell labels and 2 x 2 hover tables of token and probability.
TOKENS = ["The", "<s>", "Tower", "is"]
STATS = [[2.5, 3.0, 1.25, 0.5],
         [1.0, 0.75, 4.0, 2.0],
         [0.125, 0.25, 0.5, 1.5]]
LABELS = [["the", "a", "of", "&amp;"],
          ["Eiffel", "tower", "is", "in"],
          ["Tower", "Tower", "was", "a"]]
HOVER = [[[[LABELS[layer][position], "%.2f%%" % (90.0 - 10 * layer - position)],
           ["x%d" % position, "%.2f%%" % (5.0 + layer)]]
          for position in range(4)] for layer in range(3)]


def make_labels(hover=True):
    return trajplot.TrajectoryLabels(LABELS, HOVER if hover else None)


def make_statistic(**overrides):
    arguments = dict(name="Entropy", stats=STATS, sequence_labels=TOKENS,
                     trajectory_labels=make_labels(), units="nats")
    arguments.update(overrides)
    return trajplot.TrajectoryStatistic(**arguments)


def spec_of(name, stats, sequence_labels=None, labels=None, hover=None, units=None,
            max=None, min=None, includes_output=True, layer_labels=None):
    """The CLI's JSON spec of the same statistic."""
    spec = {"name": name, "stats": stats, "includes_output": includes_output}
    if sequence_labels is not None:
        spec["sequence_labels"] = sequence_labels
    if labels is not None:
        spec["trajectory_labels"] = {"label_strings": labels}
        if hover is not None:
            spec["trajectory_labels"]["hover_over_entries"] = hover
    if units is not None:
        spec["units"] = units
    if min is not None:
        spec["min"] = min
    if max is not None:
        spec["max"] = max
    if layer_labels is not None:
        spec["layer_labels"] = layer_labels
    return spec


def run_cli(test, spec, *arguments):
    """What the trajplot command-line tool writes for ``spec``."""
    cli = environment_file(test, "TRAJPLOT_CLI")
    result = subprocess.run([cli, "render", "-", *arguments], input=json.dumps(spec).encode("utf-8"),
                            capture_output=True, check=False)
    test.assertEqual(result.returncode, 0, result.stderr.decode("utf-8", "replace"))
    return result.stdout.decode("utf-8")


# Images: PNG and PDF exist only in a library built with Cairo and Pango.
# A test of one the library lacks skips with NOT_BUILT's reason, which
# run_tests.py --strict accepts only after asking the library itself; a
# format named in TRAJPLOT_REQUIRE_IMAGE_FORMATS (CTest sets it from the
# build's configuration) fails instead of skipping.
NOT_BUILT = "image format %s is not built into this library"
REQUIRED_IMAGE_FORMATS = "TRAJPLOT_REQUIRE_IMAGE_FORMATS"


def require_image_format(test, format):
    if format in trajplot.image_formats():
        return
    required = [name for name in os.environ.get(REQUIRED_IMAGE_FORMATS, "").split(",") if name]
    if format in required:
        test.fail("%s names %s, but the library says it cannot write it (trajplot_format_available)"
                  % (REQUIRED_IMAGE_FORMATS, format))
    test.skipTest(NOT_BUILT % format)
