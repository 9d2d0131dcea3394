"""Runs the Python binding's tests, optionally as on a machine without
some optional packages.

    run_tests.py --require numpy,plotly   fail unless both are importable
    run_tests.py --hide numpy,plotly      make both unimportable first
    run_tests.py --require torch --hide numpy
                                          torch must import, without numpy
    run_tests.py --strict                 fail when a test is skipped for any
                                          reason but a hidden package (CTest
                                          passes every file the tests need)
                                          or an image format the library says
                                          it was built without

Hiding works by placing None in sys.modules before trajplot is imported,
which makes ``import numpy`` raise ImportError as if it were not installed.
The package under test is the one beside this directory.
"""
import argparse
import importlib
import os
import re
import sys
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))


def names(text):
    return [name for name in text.split(",") if name]


def expected_skip(reason):
    """Whether a skip is one a strict run allows: a package this run hides,
    or an image format the library, asked again here, really lacks."""
    if "in this run" in reason:
        return True
    import support
    import trajplot

    match = re.fullmatch(re.escape(support.NOT_BUILT).replace("%s", r"(\w+)"), reason)
    return match is not None and match.group(1) not in trajplot.image_formats()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require", type=names, default=[], help="packages that must import")
    parser.add_argument("--hide", type=names, default=[], help="packages to make unimportable")
    parser.add_argument("--strict", action="store_true", help="only skips for hidden packages")
    parser.add_argument("tests", nargs="*", help="test names (default: every test_*.py)")
    options = parser.parse_args()

    # Hidden first, so that a required package (torch) is imported as on a
    # machine without the hidden ones; it may warn about them there.
    for name in options.hide:
        sys.modules[name] = None
    for name in options.require:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except ImportError as error:
            print("%s is required for this run: %s" % (name, error), file=sys.stderr)
            return 1

    sys.path.insert(0, os.path.dirname(HERE))  # the package
    sys.path.insert(0, HERE)  # the test helpers
    import trajplot._compat

    for name in options.hide:
        hidden = {"numpy": trajplot._compat.numpy, "plotly": trajplot._compat.plotly_graph_objects()}
        if hidden.get(name) is not None:
            print("%s is still visible to trajplot" % name, file=sys.stderr)
            return 1
    print("trajplot %s from %s, library %s; numpy %s, plotly %s" % (
        trajplot.__version__, os.path.dirname(trajplot.__file__), trajplot.library_path(),
        "hidden" if "numpy" in options.hide else "used",
        "hidden" if "plotly" in options.hide else "used"))

    loader = unittest.TestLoader()
    if options.tests:
        suite = loader.loadTestsFromNames(options.tests)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    unexpected = [(test, reason) for test, reason in result.skipped if not expected_skip(reason)]
    if options.strict and unexpected:
        for test, reason in unexpected:
            print("skipped, but this run must not skip it: %s (%s)" % (test.id(), reason), file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
