#!/usr/bin/python3
"""trajplot against plotly.py on the benchmark's trajectories.

For each case, builds the figure twice from the same data:

- plotly.py, the way tuned-lens' ``TrajectoryStatistic.figure()`` does it:
  the hover template and customdata with numpy (``np.vectorize`` over every
  entry), ``go.Heatmap`` with the same attributes, ``go.Figure``, layout
  update, ``to_json()``. plotly.py 5.4 has no heatmap ``texttemplate``, so
  that one attribute is left out on this side;
- trajplot through its Python binding (ctypes, in this process, so process
  start-up is not counted): ``TrajectoryLabels`` and ``TrajectoryStatistic``
  from the same numpy arrays, then ``to_json()``.

It checks that both JSON documents describe the same z, x, y, text,
customdata and hover template (x after removing the invisible characters
and markup that keep repeated tokens apart, text after undoing Plotly's
entity escaping), and prints the times, the speed ratio and the sizes.

Then, from the spec file itself, it times the whole command
``trajplot render SPEC --out FILE`` (process start-up, reading and checking
the spec, the figure and its file) against plotly.py doing the same:
``json.load`` of the spec, the numpy arrays tuned-lens holds, the figure as
above, and its JSON written to a file in the same directory. Both figures
are checked again.

The data is written by the benchmark program (``trajplot_bench --dump-spec``),
so this comparison and the benchmark measure the same trajectories.

Run from anywhere, with Debian's python3 (python3-plotly, python3-numpy):

    /usr/bin/python3 bench/compare_plotly.py --build build

``--build`` is a build tree configured with -DTRAJPLOT_BENCH=ON (it holds
libtrajplot.so.1, bench/trajplot_bench and the trajplot command).
"""
import argparse
import gc
import html
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import plotly
import plotly.graph_objects as go

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TITLE = "Entropy by layer"  # the benchmark's title, trajplot_bench.cpp
TOKEN_WIDTH = 80
COLORSCALE = "rdbu_r"
COL_WIDTH_LIMIT = 10

# The cases and how many times plotly.py builds each one: its large figures
# take tens of seconds.
CASES = ("tutorial", "medium", "long", "large")
PLOTLY_RUNS = {"tutorial": 21, "medium": 5, "long": 3, "large": 1, "long_half": 3}
MIN_TRAJPLOT_RUNS = 5
# The target for medium: trajplot's figure export at least this many
# times faster than plotly.py in the same run.
MEDIUM_TARGET_RATIO = 50.0
# And from the spec file: the trajplot command at least this many times
# faster than plotly.py loading the file and writing the figure.
MEDIUM_SPEC_FILE_TARGET_RATIO = 30.0
MIN_CLI_RUNS = 11

# What keeps equal tokens apart as x categories: the reference appends i
# zero-width non-joiners to token i; trajplot writes markup that Plotly draws
# as nothing. Neither is part of the token.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
MARKUP = re.compile(r"<[^<>]*>")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(REPOSITORY, "build"),
                        help="build tree with libtrajplot.so.1 and bench/trajplot_bench (default: %(default)s)")
    parser.add_argument("--case", action="append", default=[],
                        help="a case to compare (repeatable, comma-separated; default: %s)" % " ".join(CASES))
    parser.add_argument("--repeat", type=int,
                        help="plotly.py runs per case (default: %s); trajplot runs at least %d times"
                        % (", ".join("%s %d" % item for item in PLOTLY_RUNS.items()), MIN_TRAJPLOT_RUNS))
    parser.add_argument("--check-targets", action="store_true",
                        help="exit 1 unless medium's export is at least %g times faster, and the trajplot "
                        "command on its spec file at least %g times" % (MEDIUM_TARGET_RATIO, MEDIUM_SPEC_FILE_TARGET_RATIO))
    arguments = parser.parse_args()
    arguments.case = [name for item in arguments.case for name in item.split(",") if name] or list(CASES)
    if arguments.repeat is not None and arguments.repeat < 1:
        parser.error("--repeat takes a positive integer")
    return arguments


def import_trajplot(build):
    """The binding from this repository, with the library of `build`."""
    os.environ["TRAJPLOT_LIB_PATH"] = os.path.abspath(build)
    sys.path.insert(0, os.path.join(REPOSITORY, "bindings", "python"))
    import trajplot
    return trajplot


class Case:
    """A trajectory as tuned-lens holds it: numpy arrays."""

    def __init__(self, name, spec):
        self.name = name
        self.statistic_name = spec["name"]
        self.units = spec["units"]
        self.stats = np.array(spec["stats"], dtype=np.float32)
        self.tokens = np.array(spec["sequence_labels"], dtype=str)
        labels = spec["trajectory_labels"]
        self.label_strings = np.array(labels["label_strings"], dtype=str)
        hover = labels.get("hover_over_entries")
        self.hover = None if hover is None else np.array(hover, dtype=str)

    @property
    def shape(self):
        return self.stats.shape


def dump_specs(build, names, directory):
    """Writes each case's spec file into `directory`; returns their paths."""
    bench = os.path.join(build, "bench", "trajplot_bench")
    if not os.access(bench, os.X_OK):
        sys.exit("compare_plotly: %s not found: configure %s with -DTRAJPLOT_BENCH=ON and build it" % (bench, build))
    subprocess.run([bench, "--dump-spec", directory, "--case", ",".join(names)],
                   check=True, stdout=subprocess.DEVNULL)
    return {name: os.path.join(directory, name + ".json") for name in names}


def load_case(name, path):
    with open(path, encoding="utf-8") as spec:
        return Case(name, json.load(spec))


def load_cases(build, names):
    """The cases as trajplot_bench writes them, for the other benchmarks
    (python_paths.py, images.py)."""
    with tempfile.TemporaryDirectory(prefix="trajplot-compare-") as directory:
        paths = dump_specs(build, names, directory)
        return [load_case(name, paths[name]) for name in names]


# ---------------------------------------------------------------------------
# plotly.py, as tuned-lens builds the figure

def trunc_string_left(text, new_len):
    if len(text) < new_len:
        return " " * (new_len - len(text)) + text
    return text[-new_len:]


def reference_template_and_customdata(entries, col_width_limit=COL_WIDTH_LIMIT):
    rows, cols = entries.shape[-2:]
    lengths = np.vectorize(len)(entries)
    widths = np.minimum(lengths.max(axis=(0, 1, 2), keepdims=True) + 1, col_width_limit)
    padded = np.vectorize(trunc_string_left)(entries, widths)
    template = ""
    for row in range(rows):
        for col in range(cols):
            template += "%%{customdata[%d]}" % (row * cols + col)
        template += "<br>"
    template += "<extra></extra>"
    return template, padded.reshape(entries.shape[:2] + (-1,))


def reference_layer_labels(n_layers):
    return [str(layer) for layer in range(n_layers - 1)] + ["output"]


def plotly_figure_json(case):
    n_layers, seq_len = case.shape
    heatmap = dict(
        y=reference_layer_labels(n_layers),
        z=case.stats,
        colorbar=dict(title="%s (%s)" % (case.statistic_name, case.units), titleside="right"),
        colorscale=COLORSCALE,
        zmax=None,
        zmin=None,
        # Repeated tokens would be merged into one category.
        x=[token + "\u200c" * position for position, token in enumerate(case.tokens)],
        text=case.label_strings,
        # texttemplate="<b>%{text}</b>" is the one attribute plotly.py 5.4 lacks.
    )
    if case.hover is not None:
        template, customdata = reference_template_and_customdata(case.hover)
        heatmap.update(hoverlabel=dict(bgcolor="rgb(42, 42, 50)", font_family="Monospace"),
                       customdata=customdata, hovertemplate=template)
    figure = go.Figure(go.Heatmap(**heatmap)).update_layout(
        title_text=TITLE, title_x=0.5, width=200 + TOKEN_WIDTH * seq_len,
        xaxis_title="Input", yaxis_title="Layer")
    return figure.to_json()


# ---------------------------------------------------------------------------
# trajplot

def trajplot_statistic(trajplot, case):
    labels = trajplot.TrajectoryLabels(case.label_strings, case.hover)
    return trajplot.TrajectoryStatistic(case.statistic_name, case.stats, case.tokens,
                                        trajectory_labels=labels, units=case.units)


def trajplot_figure_json(statistic):
    return statistic.to_json(title=TITLE, colorscale=COLORSCALE, token_width=TOKEN_WIDTH)


def trajplot_figure_bytes(trajplot, statistic):
    """The library's export alone: the figure made and exported as JSON
    through ctypes, giving the UTF-8 bytes a program writes to a file or
    socket. to_json() also decodes them into a Python str, which for
    non-ASCII text costs CPython more than the export itself. Uses the
    binding's internals (its declared C functions) so both calls are the
    same."""
    import ctypes
    from trajplot import _lib
    with trajplot.Figure(statistic, title=TITLE, colorscale=COLORSCALE, token_width=TOKEN_WIDTH) as figure:
        text, length = _lib.char_p(), ctypes.c_size_t()
        with figure._held() as live:
            _lib.C.trajplot_figure_export(ctypes.byref(text), ctypes.byref(length), live, None)
        return _lib.take_string(text, length)


# ---------------------------------------------------------------------------
# Same figure?

def plotly_py_category(name):
    return INVISIBLE.sub("", name)


def trajplot_category(name):
    """trajplot escapes the token's own markup, so any markup left is its
    own repeat marker."""
    return html.unescape(MARKUP.sub("", INVISIBLE.sub("", name)))


def unescape_nested(value):
    if isinstance(value, str):
        return html.unescape(value)
    return [unescape_nested(item) for item in value]


def first_difference(left, right, where=""):
    """Where two nested lists first differ, or None."""
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return "%s: %d items against %d" % (where or "top", len(left), len(right))
        for index, (a, b) in enumerate(zip(left, right)):
            found = first_difference(a, b, "%s[%d]" % (where, index))
            if found:
                return found
        return None
    return None if left == right else "%s: %r against %r" % (where, left, right)


def compare(case, plotly_text, trajplot_text):
    """The differences between the two figures' data, as messages."""
    ours = json.loads(trajplot_text)["data"][0]
    theirs = json.loads(plotly_text)["data"][0]
    problems = []

    z_ours = np.array(ours["z"], dtype=np.float32)
    z_theirs = np.array(theirs["z"], dtype=np.float32)
    if not (np.array_equal(z_ours, z_theirs) and np.array_equal(z_ours, case.stats)):
        problems.append("z differs")

    tokens = case.tokens.tolist()
    for side, x, visible in (("trajplot", ours["x"], trajplot_category),
                             ("plotly.py", theirs["x"], plotly_py_category)):
        if len(set(x)) != len(x):
            problems.append("%s x has repeated categories, which Plotly merges" % side)
        found = first_difference([visible(name) for name in x], tokens, "x")
        if found:
            problems.append("%s %s" % (side, found))

    found = first_difference(ours["y"], theirs["y"], "y")
    if found:
        problems.append(found)
    found = first_difference(unescape_nested(ours["text"]), theirs["text"], "text")
    if found:
        problems.append(found)

    if case.hover is not None:
        found = first_difference(unescape_nested(ours["customdata"]), theirs["customdata"], "customdata")
        if found:
            problems.append(found)
        if ours.get("hovertemplate") != theirs.get("hovertemplate"):
            problems.append("hovertemplate differs: %r against %r"
                            % (ours.get("hovertemplate"), theirs.get("hovertemplate")))
    return problems


# ---------------------------------------------------------------------------

def timed(function, runs):
    """(median milliseconds, last result) of `runs` calls."""
    times = []
    result = None
    for _ in range(runs):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def plotly_from_spec_file(name, spec_path, figure_path):
    """What a tuned-lens user does with a spec file: load it, hold its
    arrays as tuned-lens does, build the figure and write it."""
    case = load_case(name, spec_path)
    text = plotly_figure_json(case)
    with open(figure_path, "w", encoding="utf-8") as figure:
        figure.write(text)
    return case


def cli_command(build):
    """The trajplot command of `build`, or None when it was not built."""
    cli = os.path.join(build, "trajplot")
    return cli if os.access(cli, os.X_OK) else None


def compare_spec_file(cli, name, spec_path, directory, plotly_runs, cli_runs):
    """Times both from the spec file, prints the line; returns (ratio, problems)."""
    cli_figure = os.path.join(directory, name + "-trajplot.json")
    plotly_figure = os.path.join(directory, name + "-plotly.json")
    command = [cli, "render", spec_path, "--out", cli_figure, "--title", TITLE, "--colorscale", COLORSCALE,
               "--token-width", str(TOKEN_WIDTH)]
    # Once unmeasured: the spec and the libraries in the page cache.
    subprocess.run(command, check=True)
    cli_ms, _ = timed(lambda: subprocess.run(command, check=True), cli_runs)
    plotly_ms, case = timed(lambda: plotly_from_spec_file(name, spec_path, plotly_figure), plotly_runs)
    with open(cli_figure, encoding="utf-8") as figure:
        cli_text = figure.read()
    with open(plotly_figure, encoding="utf-8") as figure:
        plotly_text = figure.read()
    problems = compare(case, plotly_text, cli_text)
    ratio = plotly_ms / cli_ms
    print("case=%s op=spec_file plotly_ms=%.3f cli_ms=%.3f ratio=%.1f spec_bytes=%d plotly_bytes=%d cli_bytes=%d "
          "plotly_runs=%d cli_runs=%d same_figure=%s"
          % (name, plotly_ms, cli_ms, ratio, os.path.getsize(spec_path), os.path.getsize(plotly_figure),
             os.path.getsize(cli_figure), plotly_runs, cli_runs, "no" if problems else "yes"), flush=True)
    return ratio, problems


def compare_case(trajplot, case, plotly_runs, trajplot_runs):
    """Times both sides, prints the case's line; returns (ratio, problems)."""
    create_ms, statistic = timed(lambda: trajplot_statistic(trajplot, case), plotly_runs)
    trajplot_ms, trajplot_bytes = timed(lambda: trajplot_figure_bytes(trajplot, statistic), trajplot_runs)
    to_json_ms, trajplot_text = timed(lambda: trajplot_figure_json(statistic), trajplot_runs)
    plotly_ms, plotly_text = timed(lambda: plotly_figure_json(case), plotly_runs)
    problems = compare(case, plotly_text, trajplot_text)
    if trajplot_bytes != trajplot_text.encode("utf-8"):
        problems.append("the library's bytes and to_json() differ")
    ratio = plotly_ms / trajplot_ms
    print("case=%s plotly_ms=%.3f trajplot_ms=%.3f ratio=%.1f to_json_ms=%.3f ratio_to_json=%.1f "
          "create_ms=%.3f ratio_with_create=%.1f plotly_bytes=%d trajplot_bytes=%d "
          "plotly_runs=%d trajplot_runs=%d same_figure=%s"
          % (case.name, plotly_ms, trajplot_ms, ratio, to_json_ms, plotly_ms / to_json_ms,
             create_ms, plotly_ms / (create_ms + trajplot_ms),
             len(plotly_text.encode("utf-8")), len(trajplot_bytes),
             plotly_runs, trajplot_runs, "no" if problems else "yes"), flush=True)
    return ratio, problems


def main():
    arguments = parse_arguments()
    trajplot = import_trajplot(arguments.build)
    print("plotly.py %s, numpy %s, Python %s; trajplot from %s"
          % (plotly.__version__, np.__version__, sys.version.split()[0], os.path.abspath(arguments.build)))
    print("plotly_ms: template/customdata + go.Heatmap + go.Figure + to_json (tuned-lens' figure());")
    print("trajplot_ms: the library's figure export as UTF-8 bytes (ctypes, in this process); ratio = plotly_ms / trajplot_ms;")
    print("to_json_ms: the binding's to_json(), the same export decoded into a Python str;")
    print("create_ms: the binding's TrajectoryLabels + TrajectoryStatistic from the numpy arrays; times are medians.")
    print("op=spec_file: from the spec file, cli_ms is the whole `trajplot render SPEC --out FILE` process and")
    print("plotly_ms json.load + the numpy arrays + plotly_ms's figure + writing its JSON; ratio = plotly_ms / cli_ms.")
    cli = cli_command(arguments.build)
    if cli is None:
        print("op=spec_file: skipped, %s has no trajplot command (build the trajplot_cli target)" % arguments.build)
    failed = False
    ratios = {}
    spec_file_ratios = {}
    with tempfile.TemporaryDirectory(prefix="trajplot-compare-") as directory:
        spec_paths = dump_specs(arguments.build, arguments.case, directory)
        for name in arguments.case:
            case = load_case(name, spec_paths[name])
            plotly_runs = arguments.repeat or PLOTLY_RUNS.get(name, 1)
            ratio, problems = compare_case(trajplot, case, plotly_runs, max(plotly_runs, MIN_TRAJPLOT_RUNS))
            ratios[name] = ratio
            # The large case's documents take gigabytes as Python objects.
            del case
            gc.collect()
            file_problems = []
            if cli is not None:
                spec_file_ratios[name], file_problems = compare_spec_file(
                    cli, name, spec_paths[name], directory, plotly_runs, max(plotly_runs, MIN_CLI_RUNS))
            for problem in problems + file_problems:
                print("  DIFFERENT %s: %s" % (name, problem))
            failed = failed or bool(problems) or bool(file_problems)
            gc.collect()

    if arguments.check_targets:
        for label, measured, target in (("speedup", ratios, MEDIUM_TARGET_RATIO),
                                         ("spec_file speedup", spec_file_ratios, MEDIUM_SPEC_FILE_TARGET_RATIO)):
            if "medium" in measured:
                passed = measured["medium"] >= target
                print("%s %s case=medium ratio=%.1f (at least %g)"
                      % ("PASS" if passed else "FAIL", label, measured["medium"], target))
                failed = failed or not passed
            else:
                print("SKIP %s case=medium (not compared in this run)" % label)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
