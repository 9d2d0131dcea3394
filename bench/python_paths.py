#!/usr/bin/python3
"""The path a Python user takes, side by side: tuned-lens's against trajplot's.

For each case, from the same numpy arrays (what a lens leaves a Python
program holding):

- tuned-lens's path: its TrajectoryLabels holds the arrays,
  ``template_and_customdata`` pads every hover entry with numpy,
  ``go.Heatmap``, ``go.Figure`` and its layout, then ``write_html`` (plotly.py
  inlines its plotly.js) or ``to_html``. plotly.py 5.4 has no heatmap
  ``texttemplate``, so that one attribute is left out on this side;
- trajplot's path: ``TrajectoryLabels`` and ``TrajectoryStatistic`` from the
  arrays, the ``Figure``, then ``write_html`` (the installed plotly.js
  inlined) or ``to_html``, or ``to_json``.

Every time covers the whole path from the arrays, labels included. One line
per case, path and operation, in the benchmark's line format:

    case=medium path=trajplot op=write_html ms=41.203 bytes=12466339 ratio=31.6 runs=5

``ratio`` is tuned-lens's time for the same operation over trajplot's.
``--check-targets`` prints PASS/FAIL/SKIP per target and exits 1 on a FAIL:
medium to a file at least 20x faster, tutorial to an HTML string at least
10x. Run with Debian's python3 (python3-plotly, python3-numpy):

    /usr/bin/python3 bench/python_paths.py --build build-release --check-targets

``--build`` is a build tree configured with -DTRAJPLOT_BENCH=ON (its
trajplot_bench writes the cases' data).
"""
import argparse
import gc
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import plotly.graph_objects as go

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_plotly as shared  # noqa: E402  (the cases and tuned-lens's helpers)

CASES = ("tutorial", "medium", "large")
RUNS = {"tutorial": 21, "medium": 5, "large": 1}
TARGETS = (("medium", "write_html", 20.0), ("tutorial", "to_html", 10.0))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="a build tree with -DTRAJPLOT_BENCH=ON")
    parser.add_argument("--case", type=lambda text: text.split(","), default=list(CASES),
                        help="comma-separated cases (default: %s)" % ",".join(CASES))
    parser.add_argument("--repeat", type=int, default=0, help="runs per measurement (default: per case)")
    parser.add_argument("--check-targets", action="store_true", help="PASS/FAIL the speed targets")
    return parser.parse_args()


# ---------------------------------------------------------------------------
# tuned-lens's path, from its numpy arrays

def tuned_lens_figure(case):
    n_layers, seq_len = case.shape
    heatmap = dict(
        y=shared.reference_layer_labels(n_layers),
        z=case.stats,
        colorbar=dict(title="%s (%s)" % (case.statistic_name, case.units), titleside="right"),
        colorscale=shared.COLORSCALE,
        zmax=None,
        zmin=None,
        x=[token + "\u200c" * position for position, token in enumerate(case.tokens)],
        text=case.label_strings,
    )
    if case.hover is not None:
        template, customdata = shared.reference_template_and_customdata(case.hover)
        heatmap.update(hoverlabel=dict(bgcolor="rgb(42, 42, 50)", font_family="Monospace"),
                       customdata=customdata, hovertemplate=template)
    return go.Figure(go.Heatmap(**heatmap)).update_layout(
        title_text=shared.TITLE, title_x=0.5, width=200 + shared.TOKEN_WIDTH * seq_len,
        xaxis_title="Input", yaxis_title="Layer")


def tuned_lens_operations(case, path):
    return {
        "write_html": lambda: tuned_lens_figure(case).write_html(path),
        "to_html": lambda: tuned_lens_figure(case).to_html(),
        "to_json": lambda: tuned_lens_figure(case).to_json(),
    }


# ---------------------------------------------------------------------------
# trajplot's path, from the same arrays

def trajplot_figure(trajplot, case):
    labels = trajplot.TrajectoryLabels(case.label_strings, case.hover)
    statistic = trajplot.TrajectoryStatistic(case.statistic_name, case.stats, case.tokens,
                                             trajectory_labels=labels, units=case.units)
    return trajplot.Figure(statistic, title=shared.TITLE, colorscale=shared.COLORSCALE,
                           token_width=shared.TOKEN_WIDTH)


def trajplot_operations(trajplot, case, path):
    return {
        "write_html": lambda: trajplot_figure(trajplot, case).write_html(path),
        "to_html": lambda: trajplot_figure(trajplot, case).to_html(),
        "to_json": lambda: trajplot_figure(trajplot, case).to_json(),
    }


def timed(function, runs):
    """(median milliseconds, result of the last run)."""
    times = []
    result = None
    function()  # warm-up: imports, first-use caches, the page's plotly.js read once
    for _ in range(runs):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def size_of(result, path):
    if isinstance(result, str):
        return len(result.encode("utf-8"))
    return os.path.getsize(path)


def main():
    arguments = parse_arguments()
    trajplot = shared.import_trajplot(arguments.build)
    import plotly

    print("plotly.py %s, numpy %s, Python %s; trajplot %s from %s"
          % (plotly.__version__, np.__version__, sys.version.split()[0], trajplot.__version__,
             trajplot.library_path()))
    print("each time covers the whole path from numpy arrays (labels included); medians; "
          "ratio = tuned-lens's time / trajplot's")
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="trajplot-python-paths-") as directory:
        for case in shared.load_cases(arguments.build, arguments.case):
            runs = arguments.repeat or RUNS.get(case.name, 1)
            ours = trajplot_operations(trajplot, case, os.path.join(directory, "trajplot.html"))
            theirs = tuned_lens_operations(case, os.path.join(directory, "tuned_lens.html"))
            for op in ("write_html", "to_html", "to_json"):
                their_ms, result = timed(theirs[op], runs)
                print("case=%s path=tuned_lens op=%s ms=%.3f bytes=%d runs=%d"
                      % (case.name, op, their_ms, size_of(result, os.path.join(directory, "tuned_lens.html")), runs),
                      flush=True)
                result = None
                our_runs = max(runs, 5)
                our_ms, result = timed(ours[op], our_runs)
                ratios[(case.name, op)] = their_ms / our_ms
                print("case=%s path=trajplot op=%s ms=%.3f bytes=%d ratio=%.1f runs=%d"
                      % (case.name, op, our_ms, size_of(result, os.path.join(directory, "trajplot.html")),
                         their_ms / our_ms, our_runs), flush=True)
                result = None
            gc.collect()

    failed = False
    if arguments.check_targets:
        for name, op, wanted in TARGETS:
            ratio = ratios.get((name, op))
            if ratio is None:
                print("SKIP python_path case=%s op=%s (not measured in this run)" % (name, op))
                continue
            passed = ratio >= wanted
            failed = failed or not passed
            print("%s python_path case=%s op=%s ratio=%.1f (at least %g)"
                  % ("PASS" if passed else "FAIL", name, op, ratio, wanted))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
