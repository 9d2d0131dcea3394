#!/usr/bin/python3
"""Static images: trajplot's own renderer against the browser's route.

For the tutorial figure (13 x 7, 10x2 hover tables), the four-panel demo
(data/demo) and medium (33 x 1024), times the library drawing the figure
as PNG, SVG and PDF (through the Python binding's ``Figure.to_image``, in
this process), then, with ``--browser``, headless Chromium loading the same
figure's HTML page and screenshotting it (bench/browser_screenshot.mjs), the
only route to a picture that plotly.py offers without Kaleido. One line per
case, path and format in the benchmark's line format:

    case=demo path=trajplot op=png ms=21.480 bytes=183211 runs=15
    case=demo path=chromium op=png ms=912.113 first_ms=2210.871 bytes=174713 runs=5 ratio=42.5

``ratio`` is the browser's time over trajplot's for the same picture.
``--check-targets`` checks tutorial PNG <= 20 ms, demo PNG <= 50 ms and
medium SVG and PDF <= 1 s. Medium is too wide for a PNG at the default token
width (82 120 px; a PNG side holds 32 767), so it is drawn at token width 30.

    /usr/bin/python3 bench/images.py --build build --browser --check-targets

``--build`` is a build tree configured with -DTRAJPLOT_BENCH=ON (its
trajplot_bench writes the tutorial and medium data).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import compare_plotly as shared  # noqa: E402  (the cases, as the other benchmarks load them)

RUNS = {"tutorial": 41, "demo": 15, "medium": 3}
TARGETS_MS = {("tutorial", "png"): 20.0, ("demo", "png"): 50.0, ("medium", "svg"): 1000.0,
              ("medium", "pdf"): 1000.0}
DEMO_FILES = ("entropy", "cross_entropy", "forward_kl", "max_probability")
# Token width for medium's PNG: 200 + 30 x 1024 px fits a PNG's 32 767.
MEDIUM_PNG_TOKEN_WIDTH = 30


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="a build tree with -DTRAJPLOT_BENCH=ON")
    parser.add_argument("--case", type=lambda text: text.split(","), default=["tutorial", "demo", "medium"])
    parser.add_argument("--scale", type=float, default=1.0, help="image scale (default 1)")
    parser.add_argument("--repeat", type=int, default=0, help="runs per measurement (default: per case)")
    parser.add_argument("--browser", action="store_true", help="also time headless Chromium's screenshot")
    parser.add_argument("--check-targets", action="store_true", help="PASS/FAIL the speed targets")
    return parser.parse_args()


def timed(function, runs):
    function()  # warm-up: fonts and glyph caches are loaded once per process
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def demo_figure(trajplot):
    statistics_ = []
    for name in DEMO_FILES:
        with open(os.path.join(REPOSITORY, "data", "demo", name + ".json"), encoding="utf-8") as file:
            spec = json.load(file)
        labels = spec.get("trajectory_labels")
        statistics_.append(trajplot.TrajectoryStatistic(
            spec["name"], spec["stats"], spec.get("sequence_labels"),
            trajplot.TrajectoryLabels(labels["label_strings"], labels.get("hover_over_entries")) if labels else None,
            units=spec.get("units"), includes_output=spec.get("includes_output", True)))
    return trajplot.Figure.stacked(statistics_, title="The demo trajectory")


def case_figures(trajplot, names, build):
    """(name, {format: figure}) for each case."""
    loaded = {case.name: case for case in shared.load_cases(build, [n for n in names if n != "demo"])}
    for name in names:
        if name == "demo":
            figure = demo_figure(trajplot)
            yield name, {"png": figure, "svg": figure, "pdf": figure}
            continue
        case = loaded[name]
        labels = trajplot.TrajectoryLabels(case.label_strings, case.hover)
        statistic = trajplot.TrajectoryStatistic(case.statistic_name, case.stats, case.tokens,
                                                 trajectory_labels=labels, units=case.units)
        figure = trajplot.Figure(statistic, title=shared.TITLE, colorscale=shared.COLORSCALE)
        png_figure = figure
        if name == "medium":
            png_figure = trajplot.Figure(statistic, title=shared.TITLE, colorscale=shared.COLORSCALE,
                                         token_width=MEDIUM_PNG_TOKEN_WIDTH)
        yield name, {"png": png_figure, "svg": figure, "pdf": figure}


def main():
    arguments = parse_arguments()
    trajplot = shared.import_trajplot(arguments.build)
    print("trajplot %s from %s; scale %g; medians" % (trajplot.__version__, trajplot.library_path(), arguments.scale))
    measured = {}
    pages = []
    with tempfile.TemporaryDirectory(prefix="trajplot-images-") as directory:
        for name, figures in case_figures(trajplot, arguments.case, arguments.build):
            runs = arguments.repeat or RUNS.get(name, 3)
            for fmt in ("png", "svg", "pdf"):
                ms, data = timed(lambda: figures[fmt].to_image(fmt, scale=arguments.scale), runs)
                measured[(name, fmt)] = ms
                print("case=%s path=trajplot op=%s ms=%.3f bytes=%d runs=%d" % (name, fmt, ms, len(data), runs),
                      flush=True)
            page = os.path.join(directory, name + ".html")
            figures["png"].write_html(page)
            pages.append("%s=%s" % (name, page))
        if arguments.browser:
            node_modules = os.path.join(REPOSITORY, "tests", "browser", "node_modules")
            result = subprocess.run(
                ["node", os.path.join(HERE, "browser_screenshot.mjs"), node_modules, "/usr/bin/chromium",
                 str(arguments.repeat or 5), str(arguments.scale)] + pages,
                check=True, capture_output=True, text=True)
            for line in result.stdout.splitlines():
                fields = dict(field.split("=", 1) for field in line.split())
                ours = measured.get((fields.get("case"), "png"))
                print(line + ("" if ours is None else " ratio=%.1f" % (float(fields["ms"]) / ours)), flush=True)

    failed = False
    if arguments.check_targets:
        for (name, fmt), limit in TARGETS_MS.items():
            ms = measured.get((name, fmt))
            if ms is None:
                print("SKIP image case=%s op=%s (not measured in this run)" % (name, fmt))
                continue
            passed = ms <= limit
            failed = failed or not passed
            print("%s image case=%s op=%s ms=%.3f (at most %g)" % ("PASS" if passed else "FAIL", name, fmt, ms, limit))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
