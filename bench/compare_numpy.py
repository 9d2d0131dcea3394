#!/usr/bin/python3
"""trajplot's statistics engine against tuned-lens's numpy path.

For each case, computes every statistic of one prediction trajectory, with
its labels, twice from the same float32 logits:

- numpy, the way tuned-lens does it: log_softmax over the vocabulary (which
  tuned-lens's producers do before building a PredictionTrajectory), then
  each of PredictionTrajectory's methods (entropy, cross_entropy,
  forward_kl, max_probability, rank, log_prob_diff, log_prob_diff with
  delta), each recomputing the probabilities, its top-k labels (argpartition
  then argsort over the vocabulary, token strings, formatting, percent
  strings, hover tables) and the sequence labels, as tuned-lens's methods
  do; rank by a double argsort over the vocabulary;
- trajplot: through the Python binding (PredictionTrajectory.from_tensor on
  the same array, in this process) when it offers that, else through the
  benchmark program (`trajplot_lens_bench --op all`, whose statistics come
  from its --dump).

It checks that both give the same statistics and labels (see `Tolerances`
below for what "same" allows and why), and prints the times and the ratio
numpy / trajplot. The data is written by `trajplot_lens_bench --dump`, so
this comparison and the benchmark measure the same trajectories.

Run from anywhere, with Debian's python3 (python3-numpy):

    /usr/bin/python3 bench/compare_numpy.py --build build --case lens13

``--build`` is a build tree configured with -DTRAJPLOT_BENCH=ON (it holds
libtrajplot.so.1 and bench/trajplot_lens_bench).
"""
import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = ("lens13",)
KNOWN_CASES = ("lens_tiny", "lens13", "lens13_wide", "lens33")
# The target: every statistic with its labels, for lens13, more than
# this many times faster than numpy's path.
TARGET_CASE = "lens13"
TARGET_RATIO = 80.0
MIN_TRAJPLOT_RUNS = 5
# numpy's path holds about this many bytes per float of the layers it works
# on at once (log-probs, probabilities, products, and rank's two int64
# argsorts); above --memory-gb it works on a few layers at a time.
NUMPY_BYTES_PER_FLOAT = 32

# The statistics, in the order tuned-lens's methods are timed, with the names
# and units tuned-lens gives them.
STATISTICS = (
    ("entropy", "Entropy"),
    ("cross_entropy", "Cross Entropy"),
    ("forward_kl", "Forward KL"),
    ("max_probability", "Max Probability"),
    ("rank", "Rank"),
    ("log_prob_diff", "Log Prob Difference"),
    ("log_prob_diff_delta", "\u0394 Log Prob Difference"),
)


class Tolerances:
    """What "the same statistics" allows, and why.

    numpy works in float32 throughout: log_softmax rounds every log-prob to
    float32 (an absolute error up to half an ulp of |log p|: 2e-6 at
    |log p| = 30, the most negative these cases reach), exp is float32, and
    the vocabulary sums are float32 pairwise sums (relative error about
    log2(V) * 6e-8 = 1e-6). trajplot normalises and sums in double. So an
    entropy, KL or cross-entropy of magnitude m may differ by a few 1e-6
    absolute plus about 1e-6 * m; the tolerance is 10x that. Anything an
    actual mistake produces (a wrong row, position or token, a missing
    normalisation, a natural log against log2) is orders of magnitude
    larger. Max probability is a single exp: relative 1e-5.

    Rank: numpy's double argsort gives tied tokens distinct ranks in an
    order numpy does not specify, while trajplot gives ties the best shared
    rank; and rounding to float32 log-probs can tie logits that differ. So
    trajplot's rank must equal 1 + the number of log-probs strictly greater
    than the target's, up to the number tied with it in float32, and numpy's
    must lie in the same range (counted and printed as rank_ties).

    Labels: the top-k order may differ only between tokens whose float32
    log-probs are equal (ties: numpy's order among them is unspecified). A
    percent string ("xx.xx%") may differ in its last digit where the two
    float32 exps differ by an ulp across a rounding boundary (counted and
    printed as percent_last_digit).
    """
    atol = 5e-5
    rtol = 1e-5
    max_probability_rtol = 1e-5
    percent = 0.01


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(REPOSITORY, "build"),
                        help="build tree with libtrajplot.so.1 and bench/trajplot_lens_bench (default: %(default)s)")
    parser.add_argument("--case", action="append", default=[],
                        help="a case to compare (repeatable, comma-separated; default: %s; known: %s)"
                        % (" ".join(CASES), " ".join(KNOWN_CASES)))
    parser.add_argument("--repeat", type=int, default=1,
                        help="numpy runs per case (default: %(default)s; lens13 takes about a minute)")
    parser.add_argument("--trajplot-repeat", type=int, default=MIN_TRAJPLOT_RUNS,
                        help="trajplot runs per case (default: %(default)s)")
    parser.add_argument("--skip-rank", action="store_true",
                        help="leave out rank, numpy's slowest statistic by far (the ratio then omits it on both sides)")
    parser.add_argument("--memory-gb", type=float, default=4.0,
                        help="numpy's working memory beyond the logits; above it, layers are taken a few at a "
                             "time, which changes the peak, not the work (default: %(default)s)")
    parser.add_argument("--data",
                        help="a directory holding trajplot_lens_bench --dump output to reuse (default: dump into "
                             "a temporary directory)")
    parser.add_argument("--via", choices=("auto", "binding", "bench"), default="auto",
                        help="how trajplot runs: the Python binding, the benchmark program, or the binding when it "
                             "has PredictionTrajectory.from_tensor (default: %(default)s)")
    parser.add_argument("--check-targets", action="store_true",
                        help="exit 1 unless %s's ratio is at least %g" % (TARGET_CASE, TARGET_RATIO))
    arguments = parser.parse_args()
    arguments.case = [name for item in arguments.case for name in item.split(",") if name] or list(CASES)
    for name in arguments.case:
        if name not in KNOWN_CASES:
            parser.error("unknown case %s (known: %s)" % (name, " ".join(KNOWN_CASES)))
    if arguments.repeat < 1 or arguments.trajplot_repeat < 1:
        parser.error("--repeat and --trajplot-repeat take positive integers")
    if arguments.memory_gb <= 0:
        parser.error("--memory-gb must be positive")
    return arguments


class Clock:
    """Wall and CPU time (every thread of this process) since start()."""

    def __init__(self):
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def elapsed_ms(self):
        return (time.perf_counter() - self.wall) * 1e3, (time.process_time() - self.cpu) * 1e3


def timed(function, runs):
    """(median wall ms, median CPU ms, last result) of `runs` calls."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        result = None
        gc.collect()
        clock = Clock()
        result = function()
        wall, cpu = clock.elapsed_ms()
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), result


# ---------------------------------------------------------------------------
# The data

class Case:
    """One case as trajplot_lens_bench --dump wrote it."""

    def __init__(self, directory, name):
        with open(os.path.join(directory, name + ".json"), encoding="utf-8") as spec:
            data = json.load(spec)
        self.name = name
        self.batch, self.layers, self.seq_len, self.vocab = (
            data["batch"], data["layers"], data["seq_len"], data["vocab"])
        shape = (self.batch, self.layers, self.seq_len, self.vocab)
        logits = np.fromfile(os.path.join(directory, data["tensor"]), dtype=np.float32)
        if logits.size != np.prod(shape):
            sys.exit("compare_numpy: %s holds %d floats, not %s"
                     % (data["tensor"], logits.size, " x ".join(map(str, shape))))
        if self.batch != 1:
            sys.exit("compare_numpy: %s has %d batch items; the comparison takes one sequence" % (name, self.batch))
        # tuned-lens's trajectories of one sequence have no batch axis.
        self.logits = logits.reshape(shape[1:])
        ids_shape = (self.seq_len,)
        self.input_ids = np.array(data["input_ids"], dtype=np.int64).reshape(ids_shape)
        self.targets = np.array(data["targets"], dtype=np.int64).reshape(ids_shape)
        self.anti_targets = np.array(data["anti_targets"], dtype=np.int64).reshape(ids_shape)
        self.vocabulary = data["vocabulary"]
        self.dumped_results = data["trajplot"]


def bench_program(build):
    bench = os.path.join(build, "bench", "trajplot_lens_bench")
    if not os.access(bench, os.X_OK):
        sys.exit("compare_numpy: %s not found: configure %s with -DTRAJPLOT_BENCH=ON and build trajplot_lens_bench"
                 % (bench, build))
    return bench


def dump_case(build, directory, name):
    subprocess.run([bench_program(build), "--dump", directory, "--case", name], check=True, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------
# numpy, as tuned-lens computes it

class TokenFormatter:
    """tuned-lens's TokenFormatter with its defaults."""
    ellipsis = "\u2026"
    newline_replacement = "\\n"
    newline_token = "\u010a"
    whitespace_token = "\u0120"
    whitespace_replacement = "_"
    max_string_len = 7

    def __init__(self):
        self.vectorized_format = np.vectorize(self.format)

    def format(self, token):
        if not isinstance(token, str):
            return "<unk>"
        if self.max_string_len is not None and len(token) > self.max_string_len:
            token = token[:self.max_string_len - len(self.ellipsis)] + self.ellipsis
        return token.replace(self.newline_token, self.newline_replacement).replace(
            self.whitespace_token, self.whitespace_replacement)


def log_softmax(logits):
    """What a lens's producer hands tuned-lens: log-probabilities."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


class Tokenizer:
    """The part of a Hugging Face tokenizer tuned-lens uses: ids to token
    strings, one Python call per id."""

    def __init__(self, vocabulary):
        self.vocabulary = vocabulary

    def convert_ids_to_tokens(self, ids):
        return [self.vocabulary[i] for i in ids]


def ids_to_tokens(ids, tokenizer):
    return np.array(tokenizer.convert_ids_to_tokens(ids.flatten().tolist())).reshape(ids.shape)


def at_targets(values, targets):
    """values (..., layers, seq_len, vocab) at targets (..., seq_len)."""
    return np.take_along_axis(values, targets[..., None, :, None], axis=-1).squeeze(-1)


def consolidate(tokens, n_batch_axes, differs="*"):
    """One string per cell: the batch items' common string, or `differs`."""
    if n_batch_axes == 0:
        return tokens
    first = tokens.reshape(-1, *tokens.shape[n_batch_axes:])[0]
    same = np.all(tokens == first.reshape((1,) * n_batch_axes + first.shape), axis=tuple(range(n_batch_axes)))
    return np.where(same, first, differs)


class NumpyTrajectory:
    """tuned-lens's PredictionTrajectory on some layers of the log-probs.

    `model_log_probs` is the output layer's (..., seq_len, vocab), which
    forward_kl compares every layer with; when `log_probs` holds every layer
    it is their last one, exactly as in tuned-lens.
    """

    def __init__(self, log_probs, model_log_probs, input_ids, targets, anti_targets, tokenizer):
        self.log_probs = log_probs
        self.model_log_probs = model_log_probs
        self.input_ids = input_ids
        self.targets = targets
        self.anti_targets = anti_targets
        self.tokenizer = tokenizer
        self.formatter = TokenFormatter()

    @property
    def n_batch_axes(self):
        return self.log_probs.ndim - 3

    @property
    def batch_axes(self):
        return tuple(range(self.n_batch_axes))

    @property
    def probs(self):
        return np.exp(self.log_probs)

    def batch_mean(self, stats):
        return stats.mean(axis=self.batch_axes) if self.n_batch_axes else stats

    def sequence_labels(self):
        return consolidate(self.formatter.vectorized_format(ids_to_tokens(self.input_ids, self.tokenizer)),
                           self.n_batch_axes)

    def top_k(self, k, sort_by, values):
        chosen = np.argpartition(sort_by, -k, axis=-1)[..., -k:]
        chosen_keys = np.take_along_axis(sort_by, chosen, axis=-1)
        chosen_values = np.take_along_axis(values, chosen, axis=-1)
        order = np.argsort(-chosen_keys, axis=-1)
        chosen = np.take_along_axis(chosen, order, axis=-1)
        chosen_values = np.take_along_axis(chosen_values, order, axis=-1)
        return ids_to_tokens(chosen, self.tokenizer), chosen_values, chosen

    def hover_over_entries(self, tokens, values, max_entries_to_show=3):
        k = tokens.shape[-1]
        layers, seq_len = self.log_probs.shape[-3:-1]
        tokens = np.moveaxis(tokens.reshape(-1, layers, seq_len, k), 0, -1)
        values = np.moveaxis(values.reshape(-1, layers, seq_len, k), 0, -1)
        # The table takes the tokens' string width: longer values are cut,
        # as in tuned-lens.
        table = np.empty(tokens.shape[:-1] + (2 * tokens.shape[-1],), dtype=tokens.dtype)
        table[..., 0::2] = tokens
        table[..., 1::2] = values
        return table[..., :2 * max_entries_to_show]

    def largest_prob_labels(self, min_prob=0, topk=10, max_entries_to_show=3):
        tokens, probs, ids = self.top_k(topk, self.log_probs, self.probs)
        label_strings = consolidate(self.formatter.vectorized_format(tokens[..., 0]), self.n_batch_axes)
        label_strings = np.where((probs[..., 0] > min_prob).all(), label_strings, "")
        # tuned-lens formats the values and tokens twice; so does this.
        for _ in range(2):
            percents = np.char.add(np.char.mod("%.2f", probs * 100), "%")
            formatted = self.formatter.vectorized_format(tokens)
        return {"label_strings": label_strings,
                "hover_over_entries": self.hover_over_entries(formatted, percents, max_entries_to_show),
                "ids": ids}

    def statistic(self, stats, labels=True):
        return {"stats": self.batch_mean(stats),
                "labels": self.largest_prob_labels() if labels else None,
                "sequence_labels": self.sequence_labels()}

    def entropy(self):
        return self.statistic(-np.sum(self.probs * self.log_probs, axis=-1))

    def cross_entropy(self):
        return self.statistic(-at_targets(self.log_probs, self.targets))

    def forward_kl(self):
        model = self.model_log_probs[..., np.newaxis, :, :]
        return self.statistic(np.sum(np.exp(model) * (model - self.log_probs), axis=-1))

    def max_probability(self):
        return self.statistic(np.exp(self.log_probs.max(-1)))

    def rank(self):
        likeliest_first = np.argsort(-self.log_probs, axis=-1)
        ranks = np.argsort(likeliest_first, axis=-1) + 1
        return self.statistic(at_targets(ranks, self.targets))

    def log_prob_diff_rows(self):
        """log p(target) - log p(anti-target) per layer, before any mean:
        log_prob_diff's statistic, and what its delta is taken from."""
        return at_targets(self.log_probs, self.targets) - at_targets(self.log_probs, self.anti_targets)

    def log_prob_diff(self, delta=False):
        stats = self.log_prob_diff_rows()
        if delta:
            stats = stats[..., 1:, :] - stats[..., :-1, :]
        return self.statistic(stats, labels=False)


class NumpyPath:
    """Times tuned-lens's numpy path on a case, statistic by statistic.

    With every layer at once (`layers_per_chunk` None) this is exactly
    tuned-lens. A smaller `layers_per_chunk` runs the same operations on a
    few layers at a time, so that the 3.4 GB lens33 fits in memory: the work
    is the same, the peak is not. log_prob_diff with delta then takes the
    differences between consecutive rows of all chunks, as on one array.
    """

    def __init__(self, case, layers_per_chunk, skip_rank):
        self.case = case
        self.tokenizer = Tokenizer(case.vocabulary)
        self.layers_per_chunk = layers_per_chunk or case.layers
        self.names = [name for name, _ in STATISTICS if not (skip_rank and name == "rank")]

    def run(self):
        """({statistic: (wall ms, CPU ms)}, {statistic: result}); "log_softmax"
        is timed too."""
        case = self.case
        whole = self.layers_per_chunk == case.layers
        times = {name: np.zeros(2) for name in ["log_softmax"] + self.names}
        parts = {name: [] for name in self.names}

        if whole:
            chunks = [(0, case.layers)]
        else:
            # Forward KL needs the output layer first: it is normalised once,
            # on its own, and is the last chunk.
            chunks = [(first, min(case.layers - 1, first + self.layers_per_chunk))
                      for first in range(0, case.layers - 1, self.layers_per_chunk)]
            clock = Clock()
            model_log_probs = log_softmax(case.logits[-1])
            times["log_softmax"] += clock.elapsed_ms()
            chunks.append((case.layers - 1, case.layers))
        for first, last in chunks:
            gc.collect()
            clock = Clock()
            if whole or last < case.layers:
                log_probs = log_softmax(case.logits[first:last])
            else:
                log_probs = model_log_probs[np.newaxis]
            if whole:
                model_log_probs = log_probs[-1]  # a view, as tuned-lens's model_log_probs
            times["log_softmax"] += clock.elapsed_ms()
            trajectory = NumpyTrajectory(log_probs, model_log_probs, case.input_ids, case.targets,
                                         case.anti_targets, self.tokenizer)
            for name in self.names:
                gc.collect()
                clock = Clock()
                parts[name].append(self.call(trajectory, name, whole))
                times[name] += clock.elapsed_ms()
            del trajectory, log_probs
        del model_log_probs
        results = {name: self.join(name, chunks) for name, chunks in parts.items()}
        return {name: tuple(value) for name, value in times.items()}, results

    @staticmethod
    def call(trajectory, name, whole):
        """The statistic `name` of the trajectory; with delta, on a chunk,
        the rows that join() takes the differences of."""
        if name == "log_prob_diff_delta":
            if whole:
                return trajectory.log_prob_diff(delta=True)
            return trajectory.statistic(trajectory.log_prob_diff_rows(), labels=False)
        return getattr(trajectory, name)()

    @staticmethod
    def join(name, chunks):
        """One result from the chunks' (layers first in every array)."""
        if len(chunks) == 1:
            return chunks[0]
        stats = np.concatenate([chunk["stats"] for chunk in chunks])
        if name == "log_prob_diff_delta":
            stats = stats[1:] - stats[:-1]
        labels = None
        if chunks[0]["labels"] is not None:
            labels = {key: np.concatenate([chunk["labels"][key] for chunk in chunks])
                      for key in ("label_strings", "hover_over_entries", "ids")}
        return {"stats": stats, "labels": labels, "sequence_labels": chunks[0]["sequence_labels"]}


def layers_per_chunk(case, memory_gb):
    per_layer = NUMPY_BYTES_PER_FLOAT * case.batch * case.seq_len * case.vocab
    fitting = max(1, int(memory_gb * 1e9 // per_layer))
    return None if fitting >= case.layers else fitting


def rank_bounds(case, chunk):
    """Per cell, the lowest and highest rank the target can have among the
    float32 log-probs: 1 + #greater and #greater + #tied (ties included)."""
    step = chunk or case.layers
    low, high = [], []
    for first in range(0, case.layers, step):
        log_probs = log_softmax(case.logits[first:first + step])
        targets = at_targets(log_probs, case.targets)[..., None]
        greater = (log_probs > targets).sum(axis=-1)
        low.append(greater + 1)
        high.append(greater + (log_probs == targets).sum(axis=-1))
        del log_probs
    return np.concatenate(low), np.concatenate(high)


# ---------------------------------------------------------------------------
# trajplot

def import_trajplot(build):
    """The binding from this repository, with the library of `build`."""
    os.environ["TRAJPLOT_LIB_PATH"] = os.path.abspath(build)
    sys.path.insert(0, os.path.join(REPOSITORY, "bindings", "python"))
    import trajplot
    return trajplot


def binding_has_engine(trajplot):
    engine = getattr(trajplot, "PredictionTrajectory", None)
    return engine is not None and hasattr(engine, "from_tensor") and hasattr(trajplot, "Vocabulary")


def trajplot_through_binding(trajplot, case, vocabulary, names):
    """The binding's statistics of the case, from the numpy array in place."""
    trajectory = trajplot.PredictionTrajectory.from_tensor(
        case.logits, case.input_ids, targets=case.targets, anti_targets=case.anti_targets, vocabulary=vocabulary)
    results = {}
    for name in names:
        if name == "log_prob_diff_delta":
            results[name] = trajectory.log_prob_diff(delta=True)
        else:
            results[name] = getattr(trajectory, name)()
    return results


def statistic_values(statistic):
    """(stats, name, label_strings, hover_over_entries, sequence_labels) of
    the binding's TrajectoryStatistic."""
    labels = statistic.trajectory_labels
    return {
        "name": statistic.name,
        "stats": np.asarray(statistic.stats, dtype=np.float32),
        "label_strings": None if labels is None else np.asarray(labels.label_strings, dtype=str),
        "hover_over_entries": None if labels is None else np.asarray(labels.hover_over_entries, dtype=str),
        "sequence_labels": np.asarray(statistic.sequence_labels, dtype=str),
    }


def dumped_values(case, name):
    """The same, from what trajplot_lens_bench --dump computed."""
    dumped = case.dumped_results
    statistic = dumped["statistics"][name]
    rows = statistic["rows"]
    stats = np.array([np.nan if value is None else value for value in statistic["stats"]], dtype=np.float32)
    labels = dumped["labels"]
    hover_shape = (case.layers, case.seq_len, labels["hover_rows"], labels["hover_cols"])
    has_labels = name not in ("log_prob_diff", "log_prob_diff_delta")
    return {
        "name": statistic["name"],
        "stats": stats.reshape(rows, case.seq_len),
        "label_strings": np.array(labels["label_strings"], dtype=str).reshape(case.layers, case.seq_len)
        if has_labels else None,
        "hover_over_entries": np.array(labels["hover_over_entries"], dtype=str).reshape(hover_shape)
        if has_labels else None,
        "sequence_labels": np.array(dumped["sequence_labels"], dtype=str),
    }


def bench_all_ms(build, name, runs):
    """The median wall and CPU times of op `all` in the benchmark program."""
    output = subprocess.run([bench_program(build), "--case", name, "--op", "all", "--repeat", str(runs)],
                            check=True, capture_output=True, text=True).stdout
    found = re.search(r"case=%s op=all ms=([0-9.]+) .* cpu_ms=([0-9.]+) " % re.escape(name), output)
    if not found:
        sys.exit("compare_numpy: no time in trajplot_lens_bench's output:\n" + output)
    return float(found.group(1)), float(found.group(2))


# ---------------------------------------------------------------------------
# Same statistics?

class Comparison:
    def __init__(self, case):
        self.case = case
        self.problems = []
        self.notes = {"rank_ties": 0, "label_ties": 0, "percent_last_digit": 0, "cut_hover_values": 0}
        self.max_differences = {}

    def problem(self, text):
        self.problems.append(text)

    def statistic(self, name, expected_name, numpy_result, trajplot_values, rank_bounds):
        if trajplot_values["name"] != expected_name:
            self.problem("%s: trajplot names it %r, tuned-lens %r" % (name, trajplot_values["name"], expected_name))
        ours = trajplot_values["stats"]
        theirs = np.asarray(numpy_result["stats"])
        if ours.shape != theirs.shape:
            self.problem("%s: trajplot's shape %s, numpy's %s" % (name, ours.shape, theirs.shape))
            return
        if name == "rank":
            self.rank(ours, theirs, rank_bounds)
        else:
            difference = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
            self.max_differences[name] = float(np.nanmax(difference)) if difference.size else 0.0
            if name == "max_probability":
                allowed = Tolerances.max_probability_rtol * np.abs(theirs)
            else:
                allowed = Tolerances.atol + Tolerances.rtol * np.abs(theirs)
            bad = ~(difference <= allowed)
            if bad.any():
                where = np.argwhere(bad)[0]
                self.problem("%s: %d values differ beyond the tolerance, the first at %s: trajplot %r, numpy %r"
                             % (name, int(bad.sum()), tuple(where), float(ours[tuple(where)]),
                                float(theirs[tuple(where)])))
        sequence = numpy_result["sequence_labels"]
        if not np.array_equal(trajplot_values["sequence_labels"], sequence):
            self.problem("%s: sequence labels differ" % name)
        if numpy_result["labels"] is None:
            if trajplot_values["label_strings"] is not None:
                self.problem("%s: trajplot has labels, tuned-lens none" % name)
        elif trajplot_values["label_strings"] is None:
            self.problem("%s: trajplot has no labels" % name)
        else:
            self.labels(name, numpy_result["labels"], trajplot_values)

    def rank(self, ours, theirs, bounds):
        """Both ranks within [1 + #greater, #greater + #tied] of the target's
        float32 log-prob."""
        low, high = bounds
        for side, ranks in (("trajplot", ours), ("numpy", theirs)):
            outside = (ranks < low) | (ranks > high)
            if outside.any():
                where = tuple(np.argwhere(outside)[0])
                self.problem("rank: %d of %s's ranks are outside [1 + #greater, #greater + #tied], the first at %s: "
                             "%r not in [%d, %d]" % (int(outside.sum()), side, where, float(ranks[where]),
                                                     low[where], high[where]))
        self.notes["rank_ties"] = int((ours != theirs).sum())
        self.max_differences["rank"] = float(np.abs(ours.astype(np.float64) - theirs).max())

    def labels(self, name, numpy_labels, trajplot_values):
        ids = numpy_labels["ids"]

        def tied(layer, position, rank):
            """Whether another token has the same float32 log-prob (rare:
            recomputed for the one row)."""
            row = log_softmax(self.case.logits[layer, position])
            return int((row == row[ids[layer, position, rank]]).sum()) > 1

        cells_ours = trajplot_values["label_strings"]
        cells_theirs = numpy_labels["label_strings"]
        for layer, position in np.argwhere(cells_ours != cells_theirs):
            if tied(layer, position, 0):
                self.notes["label_ties"] += 1
            else:
                self.problem("%s: label at layer %d, position %d: trajplot %r, numpy %r"
                             % (name, layer, position, cells_ours[layer, position], cells_theirs[layer, position]))
                return
        hover_ours = trajplot_values["hover_over_entries"]
        hover_theirs = numpy_labels["hover_over_entries"]
        if hover_ours.shape != hover_theirs.shape:
            # tuned-lens's tables are (layers, seq_len, k, 2 x items), items at most 3.
            self.problem("%s: hover tables of shape %s against %s" % (name, hover_ours.shape, hover_theirs.shape))
            return
        width = hover_theirs.dtype.itemsize // 4  # numpy's fixed string width, in code points
        for layer, position, rank, column in np.argwhere(hover_ours != hover_theirs):
            ours, theirs = hover_ours[layer, position, rank, column], hover_theirs[layer, position, rank, column]
            if column % 2 == 1 and len(ours) > width and ours[:width] == theirs:
                self.notes["cut_hover_values"] += 1  # tuned-lens's table cuts values to the tokens' width
            elif tied(layer, position, rank):
                self.notes["label_ties"] += 1
            elif column % 2 == 1 and ours.endswith("%") and theirs.endswith("%") and \
                    abs(float(ours[:-1]) - float(theirs[:-1])) <= Tolerances.percent + 1e-9:
                self.notes["percent_last_digit"] += 1
            else:
                self.problem("%s: hover entry (%d, %d, %d, %d): trajplot %r, numpy %r"
                             % (name, layer, position, rank, column, ours, theirs))
                return


# ---------------------------------------------------------------------------

def compare_case(arguments, trajplot, case):
    """Times both sides, checks them, prints the case's lines; returns (ratio, problems)."""
    chunk = layers_per_chunk(case, arguments.memory_gb)
    numpy_path = NumpyPath(case, chunk, arguments.skip_rank)
    names = numpy_path.names
    via = arguments.via
    if via == "auto":
        via = "binding" if trajplot is not None and binding_has_engine(trajplot) else "bench"
    if via == "binding" and not binding_has_engine(trajplot):
        sys.exit("compare_numpy: the binding has no PredictionTrajectory.from_tensor yet; use --via bench")

    # trajplot first, while numpy's memory is not in use.
    if via == "binding":
        vocabulary = trajplot.Vocabulary(case.vocabulary)
        trajplot_ms, trajplot_cpu_ms, statistics_by_name = timed(
            lambda: trajplot_through_binding(trajplot, case, vocabulary, names), arguments.trajplot_repeat)
        trajplot_values = {name: statistic_values(statistic) for name, statistic in statistics_by_name.items()}
        del statistics_by_name
    else:
        # The program always computes every statistic: with --skip-rank its
        # time still includes rank, which only lowers the ratio.
        trajplot_ms, trajplot_cpu_ms = bench_all_ms(arguments.build, case.name, arguments.trajplot_repeat)
        trajplot_values = {name: dumped_values(case, name) for name in names}

    runs = []
    for _ in range(arguments.repeat):
        runs.append(numpy_path.run())
        if len(runs) > 1:
            runs[-2] = (runs[-2][0], None)  # keep one run's results
    numpy_times = {name: statistics.median(run[0][name][0] for run in runs) for name in runs[0][0]}
    numpy_cpu_times = {name: statistics.median(run[0][name][1] for run in runs) for name in runs[0][0]}
    numpy_results = runs[-1][1]
    del runs

    comparison = Comparison(case)
    bounds = rank_bounds(case, chunk) if "rank" in names else None
    for name, expected_name in STATISTICS:
        if name in names:
            comparison.statistic(name, expected_name, numpy_results[name], trajplot_values[name], bounds)

    numpy_total = sum(numpy_times.values())
    numpy_statistics = numpy_total - numpy_times["log_softmax"]
    numpy_cpu_total = sum(numpy_cpu_times.values())
    ratio = numpy_total / trajplot_ms
    for name in ["log_softmax"] + names:
        difference = comparison.max_differences.get(name)
        print("case=%s statistic=%s numpy_ms=%.1f numpy_cpu_ms=%.1f%s" % (
            case.name, name, numpy_times[name], numpy_cpu_times[name],
            "" if difference is None else " max_abs_difference=%.3g" % difference), flush=True)
    print("case=%s numpy_ms=%.1f trajplot_ms=%.3f ratio=%.1f numpy_statistics_ms=%.1f ratio_without_log_softmax=%.1f "
          "numpy_cpu_ms=%.1f trajplot_cpu_ms=%.3f cpu_ratio=%.1f "
          "numpy_runs=%d trajplot_runs=%d trajplot_via=%s numpy_layers_at_once=%d%s rank_ties=%d label_ties=%d "
          "percent_last_digit=%d cut_hover_values=%d same_values=%s"
          % (case.name, numpy_total, trajplot_ms, ratio, numpy_statistics, numpy_statistics / trajplot_ms,
             numpy_cpu_total, trajplot_cpu_ms, numpy_cpu_total / trajplot_cpu_ms if trajplot_cpu_ms > 0 else 0.0,
             arguments.repeat, arguments.trajplot_repeat, via, chunk or case.layers,
             " rank=skipped" if arguments.skip_rank else "", comparison.notes["rank_ties"],
             comparison.notes["label_ties"], comparison.notes["percent_last_digit"],
             comparison.notes["cut_hover_values"], "no" if comparison.problems else "yes"), flush=True)
    return ratio, comparison.problems


def main():
    arguments = parse_arguments()
    trajplot = None
    if arguments.via != "bench":
        trajplot = import_trajplot(arguments.build)
    print("numpy %s, Python %s, trajplot from %s" % (np.__version__, sys.version.split()[0],
                                                      os.path.abspath(arguments.build)))
    print("numpy_ms: log_softmax, then each tuned-lens PredictionTrajectory method (statistic, top-k labels, sequence "
          "labels), one thread;")
    print("trajplot_ms: every statistic with its labels from the same logits (the binding's from_tensor and methods, "
          "or trajplot_lens_bench's op all); ratio = numpy_ms / trajplot_ms; times are medians.")
    failed = False
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="trajplot-compare-numpy-") as scratch:
        for name in arguments.case:
            directory = arguments.data or scratch
            if not os.path.exists(os.path.join(directory, name + ".json")):
                dump_case(arguments.build, directory, name)
            case = Case(directory, name)
            ratio, problems = compare_case(arguments, trajplot, case)
            ratios[name] = ratio
            for problem in problems:
                print("  DIFFERENT %s: %s" % (name, problem))
            failed = failed or bool(problems)
            if not arguments.data:
                for suffix in (".json", ".f32"):
                    os.remove(os.path.join(scratch, name + suffix))
            del case
            gc.collect()

    if arguments.check_targets:
        if TARGET_CASE in ratios:
            passed = ratios[TARGET_CASE] >= TARGET_RATIO
            print("%s speedup case=%s ratio=%.1f (at least %g%s)"
                  % ("PASS" if passed else "FAIL", TARGET_CASE, ratios[TARGET_CASE], TARGET_RATIO,
                     "; rank left out" if arguments.skip_rank else ""))
            failed = failed or not passed
        else:
            print("SKIP speedup case=%s (not compared in this run)" % TARGET_CASE)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
