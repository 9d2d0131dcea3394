"""The statistics engine (Vocabulary, PredictionTrajectory,
TrajectoryComparison) against a straightforward double-precision
implementation written here, its in-place reading of tensors, and its
errors and handles."""
import array
import copy
import ctypes
import gc
import math
import pickle
import random
import sys
import threading
import unittest

import trajplot
from trajplot import _lib
from support import HAVE_NUMPY, numpy, plain, requires_numpy, without_numpy

INF = math.inf


# ---------------------------------------------------------------------------
# Inputs

def float32(values):
    """The values rounded to float32, as the engine sees them."""
    return array.array("f", values).tolist()


def reshape(flat, shape):
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [reshape(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def flatten(nested):
    if isinstance(nested, list):
        return [value for item in nested for value in flatten(item)]
    return [nested]


def random_logits(seed, shape, quantum=None):
    """Nested lists of float32 values of ``shape``; with ``quantum`` they
    are multiples of it, so that many are equal (ties)."""
    rng = random.Random(seed)
    count = 1
    for extent in shape:
        count *= extent
    values = [rng.gauss(0.0, 2.0) for _ in range(count)]
    if quantum is not None:
        values = [round(value / quantum) * quantum for value in values]
    return reshape(float32(values), shape)


def log_softmax(row):
    top = max(row)
    if top == -INF:
        return list(row)
    total = sum(math.exp(value - top) for value in row)
    normalizer = top + math.log(total)
    return [value - normalizer for value in row]


def rows_of(tensor, depth):
    """The innermost rows (vocabulary vectors) of a nested tensor, in order."""
    if depth == 1:
        return [tensor]
    return [row for item in tensor for row in rows_of(item, depth - 1)]


def as_log_probs(tensor):
    """The tensor (4-D nested lists) normalised row by row, in float32."""
    return [[[float32(log_softmax(row)) for row in layer] for layer in item] for item in tensor]


def masked(tensor, masked_ids):
    """-inf at the given vocabulary ids of every row (a padded vocabulary)."""
    return [[[[(-INF if token in masked_ids else value) for token, value in enumerate(row)]
              for row in layer] for layer in item] for item in tensor]


def engine_input(tensor):
    """What a caller passes: a numpy float32 array when numpy is importable,
    else a shaped memoryview of an array.array('f')."""
    shape = []
    level = tensor
    while isinstance(level, list):
        shape.append(len(level))
        level = level[0]
    flat = flatten(tensor)
    if HAVE_NUMPY:
        return numpy.array(flat, dtype=numpy.float32).reshape(shape)
    return memoryview(array.array("f", flat)).cast("B").cast("f", shape)


def address_of(pointer):
    return ctypes.cast(pointer, ctypes.c_void_p).value


# Tokens that stay distinct once formatted (so a label names one id), with
# the markers the token format replaces and some longer than 7 code points.
def make_tokens(count):
    kinds = ("\u0120w%d", "t%d", "\u010a%d", "%03dlongtoken", "\u00e9%d\u0120", "a\u010a%d")
    return [kinds[token % len(kinds)] % token for token in range(count)]


def format_token(token, max_string_len=7, ellipsis="\u2026", newline_token="\u010a",
                 newline_replacement="\\n", whitespace_token="\u0120", whitespace_replacement="_"):
    """tuned-lens's TokenFormatter: shorten, then replace the markers."""
    if max_string_len is not None and len(token) > max_string_len:
        token = token[:max_string_len - len(ellipsis)] + ellipsis
    return token.replace(newline_token, newline_replacement).replace(whitespace_token,
                                                                     whitespace_replacement)


def consolidated(texts):
    return texts[0] if all(text == texts[0] for text in texts) else "*"


# ---------------------------------------------------------------------------
# The reference: tuned-lens's statistics, in double precision

class Reference:
    """Every statistic of a batch x layers x seq_len x vocab tensor (nested
    lists), computed directly from the definitions."""

    def __init__(self, tensor, values="logits", input_ids=None, targets=None, anti_targets=None,
                 tokens=None, top_k=10, min_prob=0.0, max_batch_items_shown=3, **format_options):
        self.tensor = tensor
        self.batch, self.layers = len(tensor), len(tensor[0])
        self.seq_len, self.vocab = len(tensor[0][0]), len(tensor[0][0][0])
        self.log_probs = tensor if values == "log_probs" else [
            [[log_softmax(row) for row in layer] for layer in item] for item in tensor]
        self.input_ids, self.targets, self.anti_targets = input_ids, targets, anti_targets
        self.tokens = tokens
        self.k = min(top_k, self.vocab)
        self.min_prob = min_prob
        self.shown = min(self.batch, max_batch_items_shown)
        self.format_options = format_options

    def mean(self, value, layers=None):
        layers = self.layers if layers is None else layers
        return [[sum(value(item, layer, position) for item in range(self.batch)) / self.batch
                 for position in range(self.seq_len)] for layer in range(layers)]

    def probabilities(self, item, layer, position):
        return [math.exp(value) for value in self.log_probs[item][layer][position]]

    def entropy(self):
        def value(item, layer, position):
            pairs = zip(self.probabilities(item, layer, position), self.log_probs[item][layer][position])
            return -sum(p * log_p for p, log_p in pairs if p > 0)
        return self.mean(value)

    def max_probability(self):
        return self.mean(lambda item, layer, position: max(self.probabilities(item, layer, position)))

    def target_log_prob(self, ids, item, layer, position):
        return self.log_probs[item][layer][position][ids[item][position]]

    def cross_entropy(self):
        return self.mean(lambda item, layer, position:
                         -self.target_log_prob(self.targets, item, layer, position))

    def forward_kl(self):
        def value(item, layer, position):
            output = self.log_probs[item][self.layers - 1][position]
            mine = self.log_probs[item][layer][position]
            return sum(math.exp(lo) * (lo - lm) for lo, lm in zip(output, mine) if math.exp(lo) > 0)
        return self.mean(value)

    def rank(self):
        def value(item, layer, position):
            row = self.tensor[item][layer][position]
            target = row[self.targets[item][position]]
            return 1 + sum(1 for entry in row if entry > target)
        return self.mean(value)

    def difference(self, item, layer, position):
        return (self.target_log_prob(self.targets, item, layer, position)
                - self.target_log_prob(self.anti_targets, item, layer, position))

    def log_prob_diff(self):
        return self.mean(self.difference)

    def log_prob_diff_delta(self):
        return self.mean(lambda item, layer, position: self.difference(item, layer + 1, position)
                         - self.difference(item, layer, position), self.layers - 1)

    # -- text ---------------------------------------------------------------

    def token(self, token_id):
        if token_id >= len(self.tokens):
            return "<unk>"
        return format_token(self.tokens[token_id], **self.format_options)

    def sequence_labels(self):
        return [consolidated([self.token(self.input_ids[item][position]) for item in range(self.batch)])
                for position in range(self.seq_len)]

    def top(self, item, layer, position):
        """[(id, probability)] of the k largest values, ties by id."""
        row = self.tensor[item][layer][position]
        order = sorted(range(self.vocab), key=lambda token: (-row[token], token))[:self.k]
        probabilities = self.probabilities(item, layer, position)
        return [(token, probabilities[token]) for token in order]

    def labels(self):
        """(label_strings, [[[(token, probability) per row] per item]]) per cell."""
        cells, tables = [], []
        for layer in range(self.layers):
            label_row, table_row = [], []
            for position in range(self.seq_len):
                tops = [self.top(item, layer, position) for item in range(self.batch)]
                keep = all(not (top[0][1] < self.min_prob) for top in tops)
                label_row.append(consolidated([self.token(top[0][0]) for top in tops]) if keep else "")
                table_row.append(tops[:self.shown])
            cells.append(label_row)
            tables.append(table_row)
        return cells, tables


class ComparisonReference(Reference):
    """The statistics between two tensors, self (p) and other (q)."""

    def __init__(self, tensor, other, min_prob_delta=0.0, **options):
        super().__init__(tensor, **options)
        self.other = Reference(other, values=options.get("values", "logits"))
        self.min_prob_delta = min_prob_delta

    def pair(self, item, layer, position):
        return (self.probabilities(item, layer, position), self.log_probs[item][layer][position],
                self.other.probabilities(item, layer, position), self.other.log_probs[item][layer][position])

    @staticmethod
    def kl(p, log_p, log_q):
        return sum(pi * (lp - lq) for pi, lp, lq in zip(p, log_p, log_q) if pi > 0)

    def kl_divergence(self):
        return self.mean(lambda *cell: self.kl(*self.pair(*cell)[:2], self.pair(*cell)[3]))

    def half_symmetric_kl(self):
        def value(*cell):
            p, log_p, q, log_q = self.pair(*cell)
            return 0.5 * (self.kl(p, log_p, log_q) + self.kl(q, log_q, log_p))
        return self.mean(value)

    def js_divergence(self):
        def value(*cell):
            p, _, q, _ = self.pair(*cell)
            m = [(pi + qi) / 2 for pi, qi in zip(p, q)]
            left = sum(pi * math.log(pi / mi) for pi, mi in zip(p, m) if pi > 0)
            right = sum(qi * math.log(qi / mi) for qi, mi in zip(q, m) if qi > 0)
            return 0.5 * left + 0.5 * right
        return self.mean(value)

    def total_variation(self):
        def value(*cell):
            p, _, q, _ = self.pair(*cell)
            return 0.5 * sum(abs(pi - qi) for pi, qi in zip(p, q))
        return self.mean(value)

    def max_abs_prob_difference(self):
        def value(*cell):
            p, _, q, _ = self.pair(*cell)
            return max(abs(pi - qi) for pi, qi in zip(p, q))
        return self.mean(value)

    def changes(self, item, layer, position):
        """{id: q - p} of one cell."""
        p, _, q, _ = self.pair(item, layer, position)
        return {token: q[token] - p[token] for token in range(self.vocab)}


# ---------------------------------------------------------------------------
# Comparisons with the reference

class EngineTestCase(unittest.TestCase):
    def assertStatsClose(self, statistic, expected, rel_tol=2e-5, abs_tol=2e-5):
        got = plain(statistic.stats)
        self.assertEqual((len(got), len(got[0])), (len(expected), len(expected[0])), statistic.name)
        for layer, (got_row, expected_row) in enumerate(zip(got, expected)):
            for position, (value, wanted) in enumerate(zip(got_row, expected_row)):
                if math.isinf(wanted):
                    self.assertEqual(value, wanted, "%s[%d][%d]" % (statistic.name, layer, position))
                    continue
                self.assertTrue(math.isclose(value, wanted, rel_tol=rel_tol, abs_tol=abs_tol),
                                "%s[%d][%d] is %r, expected %r"
                                % (statistic.name, layer, position, value, wanted))

    def assertPercent(self, text, fraction, where, delta=False):
        prefix = "\u0394" if delta else ""
        self.assertTrue(text.startswith(prefix) and text.endswith("%"), "%s: %r" % (where, text))
        number = float(text[len(prefix):-1])
        self.assertEqual(text[len(prefix):-1], "%.2f" % number, where)
        # Two decimals of a float32 percent: at most half a unit of the last
        # digit away, plus the float32 rounding of the probability.
        self.assertLessEqual(abs(number - 100 * fraction), 0.005 + 1e-4, "%s: %r" % (where, text))

    def assertTrajectoryLabels(self, labels, reference):
        """The engine's labels are the reference's: cell texts exactly, hover
        tables the same tokens in the same order (ties by id), and
        probabilities to two decimals."""
        cells, tables = reference.labels()
        self.assertEqual(plain(labels.label_strings), cells)
        hover = plain(labels.hover_over_entries)
        self.assertEqual(labels.hover_shape, (reference.k, 2 * reference.shown))
        for layer in range(reference.layers):
            for position in range(reference.seq_len):
                for item, top in enumerate(tables[layer][position]):
                    for row, (token, probability) in enumerate(top):
                        where = "hover[%d][%d][%d] of item %d" % (layer, position, row, item)
                        entry = hover[layer][position][row]
                        self.assertEqual(entry[2 * item], reference.token(token), where)
                        self.assertPercent(entry[2 * item + 1], probability, where)


# ---------------------------------------------------------------------------
# Statistics

class TrajectoryStatistics(EngineTestCase):
    """Every statistic of one trajectory against the reference."""

    def check_every_statistic(self, tensor, reference, trajectory):
        self.assertTrue(trajectory.complete)
        checks = [
            (trajectory.entropy(), reference.entropy(), "Entropy", "nats", (None, None)),
            (trajectory.max_probability(), reference.max_probability(), "Max Probability", "probs",
             (None, None)),
            (trajectory.forward_kl(), reference.forward_kl(), "Forward KL", "nats", (None, None)),
        ]
        if reference.targets is not None:
            rank_max = None if reference.tokens is None else float(len(reference.tokens))
            checks += [
                (trajectory.cross_entropy(), reference.cross_entropy(), "Cross Entropy", "nats",
                 (None, None)),
                (trajectory.rank(), reference.rank(), "Rank", "", (1.0, rank_max)),
            ]
        for statistic, expected, name, units, (low, high) in checks:
            with self.subTest(statistic=name):
                self.assertEqual(statistic.name, name)
                self.assertEqual(statistic.units, units)
                self.assertEqual((statistic.min, statistic.max), (low, high))
                self.assertTrue(statistic.includes_output)
                self.assertStatsClose(statistic, expected)
                if reference.tokens is None:
                    self.assertIsNone(statistic.trajectory_labels)
                    self.assertIsNone(statistic.sequence_labels)
                else:
                    self.assertEqual(plain(statistic.sequence_labels), reference.sequence_labels())
                    self.assertTrajectoryLabels(statistic.trajectory_labels, reference)
        if reference.tokens is not None:
            self.assertTrajectoryLabels(trajectory.labels(), reference)
        else:
            self.assertIsNone(trajectory.labels())

    def test_batch_of_logits_with_ties(self):
        shape = (2, 4, 5, 37)
        tensor = random_logits(1, shape, quantum=0.5)  # many equal logits: ties in rank and top-k
        rng = random.Random(2)
        ids = [[rng.randrange(37) for _ in range(5)] for _ in range(2)]
        targets = [[rng.randrange(37) for _ in range(5)] for _ in range(2)]
        anti = [[rng.randrange(37) for _ in range(5)] for _ in range(2)]
        tokens = make_tokens(37)
        reference = Reference(tensor, input_ids=ids, targets=targets, anti_targets=anti, tokens=tokens,
                              top_k=6)
        tied_targets = sum(
            1 for item in range(2) for layer in range(4) for position in range(5)
            if tensor[item][layer][position].count(tensor[item][layer][position][targets[item][position]]) > 1)
        self.assertGreater(tied_targets, 5)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), ids, targets, anti, vocabulary=trajplot.Vocabulary(tokens), top_k=6)
        self.assertEqual(trajectory.shape, shape)
        self.check_every_statistic(tensor, reference, trajectory)

        difference = trajectory.log_prob_diff()
        self.assertEqual((difference.name, difference.units), ("Log Prob Difference", "nats"))
        self.assertTrue(difference.includes_output)
        self.assertIsNone(difference.trajectory_labels)
        self.assertEqual(plain(difference.sequence_labels), reference.sequence_labels())
        self.assertStatsClose(difference, reference.log_prob_diff())
        delta = trajectory.log_prob_diff(delta=True)
        self.assertEqual((delta.name, delta.shape), ("\u0394 Log Prob Difference", (3, 5)))
        self.assertFalse(delta.includes_output)
        self.assertStatsClose(delta, reference.log_prob_diff_delta())

    def test_ties_share_the_best_rank(self):
        # Every token of position 0 has the same logit; at position 1 the
        # target ties with two others behind one larger.
        row_equal = [1.0] * 6
        row_ties = [0.5, 2.0, 0.5, -1.0, 0.5, -3.0]
        tensor = [[[row_equal, row_ties]] * 2]
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [[0, 1]], [[4, 2]], vocabulary=make_tokens(6))
        self.assertEqual(plain(trajectory.rank().stats), [[1.0, 2.0], [1.0, 2.0]])
        labels = plain(trajectory.labels().hover_over_entries)
        # The top-k of equal values: the smaller id first.
        self.assertEqual([row[0] for row in labels[0][0]], [format_token(token) for token in make_tokens(6)])
        self.assertEqual([row[0] for row in labels[0][1]][:4],
                         [format_token(make_tokens(6)[token]) for token in (1, 0, 2, 4)])
        shown = trajectory.rank(show_ranks=True)
        self.assertEqual(plain(shown.trajectory_labels.label_strings), [["1", "2"], ["1", "2"]])

    def test_one_batch_item_of_log_probs_with_masked_tokens(self):
        shape = (3, 4, 19)
        logits = random_logits(3, (1,) + shape)
        tensor = as_log_probs(masked(logits, {5, 6, 18}))  # -inf log-probs: probability 0
        ids, targets = [3, 0, 7, 1], [4, 8, 2, 17]
        tokens = make_tokens(19)
        reference = Reference(tensor, "log_probs", [ids], [targets], tokens=tokens)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor[0]), ids, targets, vocabulary=tokens, values="log_probs")
        self.assertEqual(trajectory.shape, (1,) + shape)
        self.check_every_statistic(tensor, reference, trajectory)
        for statistic in (trajectory.entropy(), trajectory.forward_kl()):
            self.assertTrue(all(math.isfinite(value) for value in flatten(plain(statistic.stats))))

    def test_log_probs_are_used_as_given(self):
        # Not normalised: probabilities exp(x) summing to 0.5 at every row.
        tensor = [[[[math.log(0.25), math.log(0.125), math.log(0.125)]]]]
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [[0]], values="log_probs", vocabulary=["a", "b", "c"])
        reference = Reference(tensor, "log_probs", [[0]], tokens=["a", "b", "c"])
        self.assertStatsClose(trajectory.max_probability(), [[0.25]])
        self.assertStatsClose(trajectory.entropy(), reference.entropy())
        self.assertEqual(plain(trajectory.labels().hover_over_entries)[0][0],
                         [["a", "25.00%"], ["b", "12.50%"], ["c", "12.50%"]])

    def test_a_target_of_probability_zero(self):
        tensor = masked(random_logits(4, (1, 2, 3, 5)), {2})
        targets = [[2, 0, 1]]
        trajectory = trajplot.PredictionTrajectory.from_tensor(engine_input(tensor), [[0, 1, 2]], targets)
        reference = Reference(tensor, targets=targets)
        cross_entropy = plain(trajectory.cross_entropy().stats)
        self.assertEqual([row[0] for row in cross_entropy], [INF, INF])
        self.assertStatsClose(trajectory.cross_entropy(), reference.cross_entropy())
        # Behind every finite logit: 4 of them.
        self.assertEqual([row[0] for row in plain(trajectory.rank().stats)], [5.0, 5.0])
        self.assertStatsClose(trajectory.rank(), reference.rank())

    def test_without_vocabulary_there_are_no_labels(self):
        tensor = random_logits(5, (2, 3, 4, 9))
        reference = Reference(tensor, targets=[[1, 2, 3, 4], [5, 6, 7, 8]])
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [[0] * 4, [1] * 4], reference.targets)
        self.check_every_statistic(tensor, reference, trajectory)

    def test_more_batch_items_than_shown_and_top_k_beyond_the_vocabulary(self):
        tensor = random_logits(6, (4, 2, 3, 7))
        ids = [[0, 1, 2], [0, 1, 3], [0, 4, 2], [0, 1, 2]]
        tokens = make_tokens(7)
        reference = Reference(tensor, input_ids=ids, tokens=tokens, top_k=10, max_batch_items_shown=2)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), ids, vocabulary=tokens, top_k=10, max_batch_items_shown=2)
        self.assertEqual(trajectory.labels().hover_shape, (7, 4))
        self.assertEqual(plain(trajectory.entropy().sequence_labels),
                         [format_token(tokens[0]), "*", "*"])
        self.check_every_statistic(tensor, reference, trajectory)

    def test_min_prob_blanks_cells_whose_top_token_is_less_likely(self):
        tensor = random_logits(7, (2, 3, 4, 11))
        tokens = make_tokens(11)
        tops = flatten(Reference(tensor).max_probability())
        min_prob = sorted(tops)[len(tops) // 2]
        # No probability so close to the bound that float32 could decide otherwise.
        for row in rows_of(Reference(tensor).log_probs, 4):
            self.assertGreater(abs(math.exp(max(row)) - min_prob), 1e-4)
        reference = Reference(tensor, input_ids=[[0] * 4] * 2, tokens=tokens, min_prob=min_prob)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [[0] * 4] * 2, vocabulary=tokens, min_prob=min_prob)
        cells = plain(trajectory.labels().label_strings)
        self.assertIn("", flatten(cells))
        self.assertTrue(any(cell != "" for cell in flatten(cells)))
        self.assertTrajectoryLabels(trajectory.labels(), reference)

    def test_token_format_options(self):
        tokens = ["<NL>x", "abcdefghij", "\u00e9\u00e8\u00ea\u00eb\u00ec\u00ed\u00ee", "<SP><SP>"]
        options = dict(max_string_len=6, ellipsis="..", newline_token="<NL>", newline_replacement="\u21b5",
                       whitespace_token="<SP>", whitespace_replacement="\u00b7")
        tensor = random_logits(8, (1, 2, 4, 4))
        reference = Reference(tensor, input_ids=[[0, 1, 2, 3]], tokens=tokens, **options)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [0, 1, 2, 3], vocabulary=tokens, **options)
        # Shortened first, then the markers replaced, as tuned-lens does.
        self.assertEqual(reference.sequence_labels(), ["\u21b5x", "abcd..", "\u00e9\u00e8\u00ea\u00eb..", "\u00b7.."])
        self.assertEqual(plain(trajectory.entropy().sequence_labels), reference.sequence_labels())
        self.assertTrajectoryLabels(trajectory.labels(), reference)
        whole = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [0, 1, 2, 3], vocabulary=tokens, max_string_len=None)
        self.assertEqual(plain(whole.entropy().sequence_labels),
                         [format_token(token, max_string_len=None) for token in tokens])

    def test_a_vocabulary_shorter_than_the_lens_shows_unknown_ids(self):
        tensor = random_logits(9, (1, 2, 3, 8))
        tokens = make_tokens(5)
        reference = Reference(tensor, input_ids=[[0, 6, 7]], targets=[[1, 2, 3]], tokens=tokens)
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [0, 6, 7], [1, 2, 3], vocabulary=trajplot.Vocabulary(tokens))
        self.assertEqual(plain(trajectory.entropy().sequence_labels)[1:], ["<unk>", "<unk>"])
        self.assertEqual(trajectory.rank().max, 5.0)  # the colour range ends at the tokenizer's size
        self.check_every_statistic(tensor, reference, trajectory)

    def test_statistic_by_name(self):
        tensor = random_logits(10, (2, 3, 2, 6))
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [[0, 1], [2, 3]], [[1, 1], [2, 2]], [[3, 3], [4, 4]])
        self.assertEqual(trajectory.measures, ("entropy", "cross_entropy", "forward_kl", "max_probability",
                                               "rank", "log_prob_diff", "log_prob_diff_delta"))
        methods = {"entropy": trajectory.entropy, "cross_entropy": trajectory.cross_entropy,
                   "forward_kl": trajectory.forward_kl, "max_probability": trajectory.max_probability,
                   "rank": trajectory.rank, "log_prob_diff": trajectory.log_prob_diff,
                   "log_prob_diff_delta": lambda: trajectory.log_prob_diff(delta=True)}
        for name in trajectory.measures:
            with self.subTest(name=name):
                by_name, direct = trajectory.statistic(name), methods[name]()
                self.assertEqual((by_name.name, plain(by_name.stats)), (direct.name, plain(direct.stats)))

    def test_statistics_export_like_any_other(self):
        tensor = random_logits(11, (1, 3, 4, 6))
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            engine_input(tensor), [0, 1, 2, 3], vocabulary=make_tokens(6))
        entropy = trajectory.entropy()
        trace = entropy.figure_dict(title="Entropy")["data"][0]
        self.assertEqual(len(trace["z"]), 3)
        self.assertIn("texttemplate", trace)  # the cell labels
        self.assertEqual(entropy.stride(2).shape, (2, 4))
        self.assertIn("Plotly.newPlot(", entropy.to_html(include_plotlyjs=False))


class ComparisonStatistics(EngineTestCase):
    def check_comparison(self, tensor, other, ids, top_k=10, min_prob_delta=0.0, values="logits",
                         max_batch_items_shown=3):
        tokens = make_tokens(len(tensor[0][0][0]))
        reference = ComparisonReference(tensor, other, min_prob_delta, values=values, input_ids=ids,
                                        tokens=tokens, top_k=top_k,
                                        max_batch_items_shown=max_batch_items_shown)
        comparison = trajplot.TrajectoryComparison.from_tensors(
            engine_input(tensor), engine_input(other), ids if len(ids) > 1 else ids[0],
            vocabulary=tokens, top_k=top_k, min_prob_delta=min_prob_delta, values=values,
            max_batch_items_shown=max_batch_items_shown)
        self.assertTrue(comparison.complete)
        checks = [
            (comparison.kl_divergence(), reference.kl_divergence(), "KL(Self | Other)", "nats", (0.0, None)),
            (comparison.js_divergence(), reference.js_divergence(), "JS(Self | Other)", "nats", (0.0, None)),
            (comparison.half_symmetric_kl(), reference.half_symmetric_kl(),
             "(KL(Self | Other) + KL(Other | Self)) / 2", "nats", (0.0, None)),
            (comparison.total_variation(), reference.total_variation(), "TV(Self | Other)", "probs", (0.0, 1.0)),
            (comparison.max_abs_prob_difference(), reference.max_abs_prob_difference(),
             "Max |\u0394p|(Self | Other)", "probs", (0.0, 1.0)),
        ]
        for statistic, expected, name, units, bounds in checks:
            with self.subTest(statistic=name):
                self.assertEqual((statistic.name, statistic.units), (name, units))
                self.assertEqual((statistic.min, statistic.max), bounds)
                self.assertStatsClose(statistic, expected)
                self.assertEqual(plain(statistic.sequence_labels), reference.sequence_labels())
                self.assertIsNotNone(statistic.trajectory_labels)
        self.assertChangeLabels(comparison.labels(), reference, tokens)
        return comparison, reference

    def assertChangeLabels(self, labels, reference, tokens):
        """Per cell the k tokens whose probability changed most, in order.
        The engine ranks float32 changes: where two changes are within
        float32 noise either order is right, so each row's token must have
        a change as large as the reference's change of that row."""
        by_text = {reference.token(token): token for token in range(reference.vocab)}
        self.assertEqual(len(by_text), reference.vocab)
        hover = plain(labels.hover_over_entries)
        cells = plain(labels.label_strings)
        self.assertEqual(labels.hover_shape, (reference.k, 2 * reference.shown))
        for layer in range(reference.layers):
            for position in range(reference.seq_len):
                top_texts, keep = [], True
                for item in range(reference.batch):
                    changes = reference.changes(item, layer, position)
                    ranked = sorted(changes, key=lambda token: (-abs(changes[token]), token))
                    largest = abs(changes[ranked[0]])
                    self.assertGreater(abs(largest - reference.min_prob_delta), 1e-5)
                    keep = keep and largest > reference.min_prob_delta
                    if item >= reference.shown:
                        top_texts.append(reference.token(ranked[0]))
                        continue
                    seen = set()
                    for row in range(reference.k):
                        where = "hover[%d][%d][%d] of item %d" % (layer, position, row, item)
                        text, value = hover[layer][position][row][2 * item:2 * item + 2]
                        token = by_text[text]
                        self.assertNotIn(token, seen, where)
                        seen.add(token)
                        self.assertLessEqual(abs(abs(changes[token]) - abs(changes[ranked[row]])), 1e-6, where)
                        self.assertPercent(value, changes[token], where, delta=True)
                        if row == 0:
                            top_texts.append(text)
                expected = consolidated(top_texts) if keep else ""
                self.assertEqual(cells[layer][position], expected, "label[%d][%d]" % (layer, position))

    def test_batch_of_logits(self):
        tensor = random_logits(20, (2, 3, 4, 23))
        other = random_logits(21, (2, 3, 4, 23))
        comparison, _ = self.check_comparison(tensor, other, [[0, 1, 2, 3], [4, 5, 6, 7]], top_k=5)
        self.assertEqual(comparison.shape, (2, 3, 4, 23))

    def test_one_batch_item_of_log_probs_with_masked_tokens(self):
        tensor = as_log_probs(masked(random_logits(22, (1, 2, 3, 13)), {0, 12}))
        other = as_log_probs(masked(random_logits(23, (1, 2, 3, 13)), {0, 12}))
        self.check_comparison(tensor, other, [[1, 2, 3]], values="log_probs")

    def test_equal_trajectories_differ_by_nothing(self):
        tensor = random_logits(24, (1, 2, 3, 9))
        comparison = trajplot.TrajectoryComparison.from_tensors(
            engine_input(tensor), engine_input(tensor), [1, 2, 3], vocabulary=make_tokens(9))
        for statistic in (comparison.kl_divergence(), comparison.js_divergence(),
                          comparison.total_variation(), comparison.max_abs_prob_difference()):
            self.assertStatsClose(statistic, [[0.0] * 3] * 2, abs_tol=1e-6)
        # Nothing changed more than min_prob_delta (0): every cell is blank.
        self.assertEqual(set(flatten(plain(comparison.labels().label_strings))), {""})

    def test_min_prob_delta_and_more_batch_items_than_shown(self):
        tensor = random_logits(25, (3, 2, 3, 8))
        other = random_logits(26, (3, 2, 3, 8))
        self.check_comparison(tensor, other, [[0, 1, 2]] * 3, top_k=3, min_prob_delta=0.25,
                              max_batch_items_shown=2)

    def test_statistic_by_name(self):
        tensor, other = random_logits(27, (1, 2, 2, 5)), random_logits(28, (1, 2, 2, 5))
        comparison = trajplot.TrajectoryComparison.from_tensors(engine_input(tensor), engine_input(other),
                                                                 [0, 1])
        self.assertEqual(comparison.measures, ("kl_divergence", "js_divergence", "half_symmetric_kl",
                                               "total_variation", "max_abs_prob_difference"))
        for name in comparison.measures:
            with self.subTest(name=name):
                self.assertEqual(plain(comparison.statistic(name).stats),
                                 plain(getattr(comparison, name)().stats))
        self.assertIsNone(comparison.labels())


# ---------------------------------------------------------------------------
# Streaming

def slab_of(tensor, item, layer):
    return engine_input(tensor[item][layer])


class Streaming(EngineTestCase):
    SHAPE = (2, 4, 3, 17)

    def setUp(self):
        self.tensor = random_logits(30, self.SHAPE)
        self.ids = [[1, 2, 3], [4, 5, 6]]
        self.targets = [[7, 8, 9], [10, 11, 12]]
        self.tokens = make_tokens(17)

    def make(self, **options):
        return trajplot.PredictionTrajectory(self.SHAPE, self.ids, self.targets, self.targets,
                                             vocabulary=self.tokens, **options)

    def assertSameStatistics(self, streamed, whole, names=None):
        for name in names or streamed.measures:
            with self.subTest(statistic=name):
                self.assertEqual(plain(streamed.statistic(name).stats), plain(whole.statistic(name).stats))
        self.assertEqual(plain(streamed.labels().hover_over_entries), plain(whole.labels().hover_over_entries))
        self.assertEqual(plain(streamed.labels().label_strings), plain(whole.labels().label_strings))

    def test_layer_by_layer_output_first_equals_add_all(self):
        whole = self.make()
        whole.add_all(engine_input(self.tensor))
        streamed = self.make()
        batch, layers = self.SHAPE[:2]
        for layer in [layers - 1] + list(range(layers - 1)):
            for item in reversed(range(batch)):
                self.assertFalse(streamed.complete)
                streamed.add(item, layer, slab_of(self.tensor, item, layer))
        self.assertTrue(streamed.complete)
        self.assertSameStatistics(streamed, whole)

    def test_add_layer_equals_add_all(self):
        whole = self.make()
        whole.add_all(engine_input(self.tensor))
        streamed = self.make()
        layers = self.SHAPE[1]
        for layer in [layers - 1] + list(range(layers - 1)):
            streamed.add_layer(layer, engine_input([item[layer] for item in self.tensor]))
        self.assertSameStatistics(streamed, whole)

    def test_without_forward_kl_any_order(self):
        whole = self.make(forward_kl=False)
        whole.add_all(engine_input(self.tensor))
        streamed = self.make(forward_kl=False)
        slabs = [(item, layer) for item in range(self.SHAPE[0]) for layer in range(self.SHAPE[1])]
        random.Random(31).shuffle(slabs)
        slabs.sort(key=lambda slab: slab[1] == self.SHAPE[1] - 1)  # the output layers last
        for item, layer in slabs:
            streamed.add(item, layer, slab_of(self.tensor, item, layer))
        names = [name for name in streamed.measures if name != "forward_kl"]
        self.assertSameStatistics(streamed, whole, names)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "built without forward KL"):
            streamed.forward_kl()

    def test_forward_kl_needs_the_output_layer_first(self):
        trajectory = self.make()
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajectory.add(1, 0, slab_of(self.tensor, 1, 0))
        self.assertIn("trajplot_trajectory_add: forward KL needs the output layer (layer 3) of batch item 1 "
                      "before its other layers, but layer 0 came first", str(caught.exception))
        trajectory.add(1, 3, slab_of(self.tensor, 1, 3))
        trajectory.add(1, 0, slab_of(self.tensor, 1, 0))  # the failed call left nothing behind

    def test_each_slab_once(self):
        trajectory = self.make()
        trajectory.add(0, 3, slab_of(self.tensor, 0, 3))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "the slab of batch item 0, layer 3 was already added"):
            trajectory.add(0, 3, slab_of(self.tensor, 0, 3))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "add_all needs a trajectory without slabs, but 1 of 8 were already added"):
            trajectory.add_all(engine_input(self.tensor))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "batch_index 2 is out of range"):
            trajectory.add(2, 3, slab_of(self.tensor, 0, 3))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "layer_index 4 is out of range"):
            trajectory.add(0, 4, slab_of(self.tensor, 0, 3))

    def test_comparison_streamed_equals_add_all(self):
        other = random_logits(32, self.SHAPE)
        whole = trajplot.TrajectoryComparison(self.SHAPE, self.ids, vocabulary=self.tokens)
        whole.add_all(engine_input(self.tensor), engine_input(other))
        streamed = trajplot.TrajectoryComparison(self.SHAPE, self.ids, vocabulary=self.tokens)
        by_layer = trajplot.TrajectoryComparison(self.SHAPE, self.ids, vocabulary=self.tokens)
        for layer in reversed(range(self.SHAPE[1])):
            for item in range(self.SHAPE[0]):
                streamed.add(item, layer, slab_of(self.tensor, item, layer), slab_of(other, item, layer))
            by_layer.add_layer(layer, engine_input([item[layer] for item in self.tensor]),
                               engine_input([item[layer] for item in other]))
        for filled in (streamed, by_layer):
            self.assertTrue(filled.complete)
            self.assertSameStatistics(filled, whole)

    def test_threads_filling_one_trajectory(self):
        whole = self.make()
        whole.add_all(engine_input(self.tensor))
        streamed = self.make()
        batch, layers = self.SHAPE[:2]
        for item in range(batch):
            streamed.add(item, layers - 1, slab_of(self.tensor, item, layers - 1))
        errors = []

        def fill(layer):
            try:
                for item in range(batch):
                    streamed.add(item, layer, slab_of(self.tensor, item, layer))
            except Exception as error:  # reported below, in the test's thread
                errors.append(error)

        workers = [threading.Thread(target=fill, args=(layer,)) for layer in range(layers - 1)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.assertEqual(errors, [])
        self.assertSameStatistics(streamed, whole)


# ---------------------------------------------------------------------------
# Reading tensors in place

class RecordingFunction:
    """Stands in for a ctypes function of the library, recording the
    addresses it is given and calling the real one."""

    def __init__(self, test, name):
        self.name = name
        self.real = getattr(_lib.C, name)
        self.calls = []
        setattr(_lib.C, name, self)
        test.addCleanup(setattr, _lib.C, name, self.real)

    def __call__(self, *arguments):
        self.calls.append([address_of(argument) if isinstance(argument, ctypes._Pointer) else argument
                           for argument in arguments[1:]])
        return self.real(*arguments)


class InPlace(unittest.TestCase):
    SHAPE = (2, 3, 4, 5)

    def setUp(self):
        self.tensor = random_logits(40, self.SHAPE)
        self.flat = flatten(self.tensor)
        self.ids = [[0, 1, 2, 3], [4, 0, 1, 2]]

    def make(self, kind=trajplot.PredictionTrajectory):
        return kind(self.SHAPE, self.ids)

    @requires_numpy
    def test_numpy_float32_is_passed_by_its_own_address(self):
        tensor = numpy.array(self.flat, dtype=numpy.float32).reshape(self.SHAPE)
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        references = sys.getrefcount(tensor)
        self.make().add_all(tensor)
        trajplot.PredictionTrajectory.from_tensor(tensor, self.ids)
        self.assertEqual(add_all.calls, [[tensor.ctypes.data, tensor.size]] * 2)
        self.assertEqual(sys.getrefcount(tensor), references)  # nothing keeps it

        add = RecordingFunction(self, "trajplot_trajectory_add")
        trajectory = trajplot.PredictionTrajectory(self.SHAPE, self.ids, forward_kl=False)
        trajectory.add(1, 2, tensor[1, 2])
        layer = numpy.ascontiguousarray(tensor[:, 1])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "not a C-contiguous"):
            trajectory.add_layer(1, tensor[:, 1])  # the items are apart in memory
        trajectory.add_layer(1, layer)
        self.assertEqual(add.calls, [[1, 2, tensor[1, 2].ctypes.data, 20],
                                     [0, 1, layer.ctypes.data, 20],
                                     [1, 1, layer[1].ctypes.data, 20]])

    @requires_numpy
    def test_comparisons_read_both_tensors_in_place(self):
        mine = numpy.array(self.flat, dtype=numpy.float32).reshape(self.SHAPE)
        theirs = mine[::-1].copy()
        add_all = RecordingFunction(self, "trajplot_comparison_add_all")
        trajplot.TrajectoryComparison.from_tensors(mine, theirs, self.ids)
        self.assertEqual(add_all.calls, [[mine.ctypes.data, theirs.ctypes.data, mine.size]])
        add = RecordingFunction(self, "trajplot_comparison_add")
        self.make(trajplot.TrajectoryComparison).add(0, 1, mine[0, 1], theirs[0, 1])
        self.assertEqual(add.calls, [[0, 1, mine[0, 1].ctypes.data, theirs[0, 1].ctypes.data, 20]])

    @requires_numpy
    def test_array_likes_are_read_in_place_through_numpy(self):
        tensor = numpy.array(self.flat, dtype=numpy.float32).reshape(self.SHAPE)

        class ArrayLike:  # as a CPU torch tensor, through numpy's array interface
            __array_interface__ = tensor.__array_interface__

        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        self.make().add_all(ArrayLike())
        self.assertEqual(add_all.calls, [[tensor.ctypes.data, tensor.size]])

    def test_empty_tensors_report_their_length(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^trajplot_trajectory_add_all: tensor_len is 0 but batch x n_layers x "
                                    "seq_len x vocab is 120$"):
            self.make().add_all([])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^trajplot_comparison_add: slab_len is 0 but seq_len x vocab is 20$"):
            self.make(trajplot.TrajectoryComparison).add(0, 0, array.array("f"), array.array("f"))

    @requires_numpy
    def test_a_large_tensor_is_never_read_in_python(self):
        class NoElementAccess(numpy.ndarray):
            def _refuse(self, *arguments, **keywords):
                raise AssertionError("the tensor was read element by element in Python")

            __iter__ = __getitem__ = tolist = item = _refuse

        tensor = numpy.random.default_rng(41).standard_normal((1, 6, 32, 4099), dtype=numpy.float32)
        guarded = tensor.view(NoElementAccess)
        trajectory = trajplot.PredictionTrajectory.from_tensor(guarded, numpy.zeros(32, dtype=numpy.int32))
        reference = trajplot.PredictionTrajectory.from_tensor(numpy.array(tensor), [0] * 32)
        self.assertTrue(numpy.array_equal(trajectory.entropy().stats, reference.entropy().stats))

    def test_array_array_is_passed_by_its_own_address(self):
        flat = array.array("f", self.flat)
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        self.make().add_all(flat)
        self.assertEqual(add_all.calls, [[flat.buffer_info()[0], len(flat)]])
        flat.append(0.0)  # resizable again: the buffer was given back after the call
        flat.pop()
        shaped = memoryview(flat).cast("B").cast("f", self.SHAPE)
        trajplot.PredictionTrajectory.from_tensor(shaped, self.ids)
        self.assertEqual(add_all.calls[1], [flat.buffer_info()[0], len(flat)])
        shaped.release()
        flat.append(0.0)

    def test_read_only_buffers_are_read_in_place(self):
        data = array.array("f", self.flat).tobytes()
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        trajplot.PredictionTrajectory.from_tensor(memoryview(data).cast("f", self.SHAPE), self.ids)
        self.assertEqual(add_all.calls, [[address_of(ctypes.c_char_p(data)), len(self.flat)]])

    def test_slabs_of_a_buffer_are_read_at_their_offsets(self):
        flat = array.array("f", self.flat)
        shaped = memoryview(flat).cast("B").cast("f", self.SHAPE)
        add = RecordingFunction(self, "trajplot_trajectory_add")
        trajectory = self.make()
        layer = array.array("f", flatten([item[2] for item in self.tensor]))
        trajectory.add_layer(2, layer)
        self.assertEqual(add.calls, [[0, 2, layer.buffer_info()[0], 20], [1, 2, layer.buffer_info()[0] + 4 * 20, 20]])
        whole = trajplot.PredictionTrajectory.from_tensor(shaped, self.ids)
        for item in range(2):
            for layer in range(2):
                trajectory.add(item, layer, array.array("f", flatten(self.tensor[item][layer])))
        self.assertEqual(plain(trajectory.entropy().stats), plain(whole.entropy().stats))

    def test_the_buffer_is_given_back_when_the_call_fails(self):
        flat = array.array("f", self.flat[:-1])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "tensor_len is 119 but batch x n_layers x seq_len x vocab is 120"):
            self.make().add_all(flat)
        flat.append(0.0)
        with self.assertRaises(trajplot.InvalidArgumentError):
            self.make().add_all(memoryview(flat).cast("B").cast("f", (2, 3, 5, 4)))
        flat.append(0.0)

    def test_nested_lists_are_packed_once(self):
        trajectory = trajplot.PredictionTrajectory.from_tensor(self.tensor, self.ids)
        reference = trajplot.PredictionTrajectory.from_tensor(engine_input(self.tensor), self.ids)
        self.assertEqual(plain(trajectory.entropy().stats), plain(reference.entropy().stats))
        with self.assertRaisesRegex(TypeError, r"tensor\[0\]\[0\]\[0\]\[1\] is str, expected a number"):
            trajplot.PredictionTrajectory.from_tensor([[[[0.0, "1"]]]], [0])

    @requires_numpy
    def test_other_dtypes_are_refused_with_the_conversion(self):
        tensor = numpy.array(self.flat, dtype=numpy.float32).reshape(self.SHAPE)
        for dtype in (numpy.float64, numpy.float16, ">f4", numpy.int32):
            with self.subTest(dtype=dtype):
                converted = tensor.astype(dtype)
                with self.assertRaises(TypeError) as caught:
                    self.make().add_all(converted)
                message = str(caught.exception)
                self.assertIn("tensor has dtype %s (shape 2 x 3 x 4 x 5)" % converted.dtype, message)
                self.assertIn("numpy.ascontiguousarray(x, dtype=numpy.float32)", message)
        with self.assertRaisesRegex(TypeError, "slab has dtype float64.*ascontiguousarray"):
            self.make().add(0, 2, tensor[0, 2].astype(numpy.float64))

    @requires_numpy
    def test_non_contiguous_arrays_are_refused_with_the_conversion(self):
        tensor = numpy.array(self.flat, dtype=numpy.float32).reshape(self.SHAPE)
        for view in (numpy.asfortranarray(tensor), tensor[:, :, :, ::-1]):
            with self.subTest(strides=view.strides):
                with self.assertRaises(ValueError) as caught:
                    self.make().add_all(view)
                self.assertIsInstance(caught.exception, trajplot.InvalidArgumentError)
                self.assertIn("is not a C-contiguous aligned array", str(caught.exception))
                self.assertIn("ascontiguousarray", str(caught.exception))
        trajectory = self.make()
        trajectory.add_all(numpy.ascontiguousarray(tensor[:, :, :, ::-1]))  # what the message says works

    def test_buffers_of_other_formats_are_refused_with_the_conversion(self):
        doubles = array.array("d", self.flat)
        with self.assertRaises(TypeError) as caught:
            self.make().add_all(doubles)
        self.assertIn("tensor is a buffer of format 'd' (shape 120)", str(caught.exception))
        self.assertIn("array.array('f', x)", str(caught.exception))
        raw = array.array("f", self.flat).tobytes()
        with self.assertRaisesRegex(TypeError, r"format 'B'.*memoryview\(x\)\.cast\('f'\)"):
            self.make().add_all(raw)
        self.make().add_all(memoryview(raw).cast("f"))

    def test_non_contiguous_buffers_are_refused(self):
        flat = array.array("f", self.flat * 2)
        with self.assertRaisesRegex(ValueError, r"tensor \(shape 120, strides \(8,\)\) is not C-contiguous"):
            self.make().add_all(memoryview(flat)[::2])
        flat.append(0.0)

    def test_objects_without_numbers_are_refused(self):
        for value in ("text", 3.0, {"a": 1}, None):
            with self.subTest(value=value):
                with self.assertRaisesRegex(TypeError, "tensor must be a float32 array"):
                    self.make().add_all(value)

    def test_wrong_shapes_name_both(self):
        trajectory = self.make()
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"tensor has shape 3 x 2 x 4 x 5; expected batch x n_layers x seq_len x "
                                    r"vocab = 2 x 3 x 4 x 5 \(or flat, 120 floats\)"):
            trajectory.add_all(engine_input(reshape(self.flat, (3, 2, 4, 5))))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "slab has shape 5 x 4; expected seq_len x vocab = 4 x 5"):
            trajectory.add(0, 2, engine_input(reshape(self.flat[:20], (5, 4))))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "trajplot_trajectory_add: slab_len is 19 but seq_len x vocab is 20"):
            trajectory.add(0, 2, array.array("f", self.flat[:19]))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "tensor has 20 floats; expected batch x seq_len x vocab = 2 x 4 x 5 = 40"):
            trajectory.add_layer(2, array.array("f", self.flat[:20]))
        trajectory.add(0, 2, engine_input([self.tensor[0][2]]))  # leading extents of 1 are fine
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "tensor must be batch x n_layers x seq_len x vocab or n_layers x seq_len x "
                                    "vocab, got shape 4 x 5"):
            trajplot.PredictionTrajectory.from_tensor(engine_input(self.tensor[0][0]), [0, 1, 2, 3])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "other_tensor has shape 1 x 3 x 4 x 5 but self_tensor has shape 2 x 3 x 4 x 5"):
            trajplot.TrajectoryComparison.from_tensors(engine_input(self.tensor),
                                                       engine_input(self.tensor[:1]), self.ids)


# ---------------------------------------------------------------------------
# Arguments and errors

class Arguments(unittest.TestCase):
    SHAPE = (2, 2, 3, 7)

    def test_ids_of_any_integer_type(self):
        tensor = engine_input(random_logits(50, self.SHAPE))
        tokens = make_tokens(7)
        expected = [consolidated([format_token(tokens[a]), format_token(tokens[b])])
                    for a, b in zip((0, 1, 2), (3, 1, 5))]
        kinds = [((0, 1, 2), (3, 1, 5)), [[0, 1, 2], (3, 1, 5)]]
        if HAVE_NUMPY:
            kinds += [numpy.array([[0, 1, 2], [3, 1, 5]], dtype=dtype)
                      for dtype in (numpy.int8, numpy.uint16, numpy.int32, numpy.uint64)]
        for ids in kinds:
            with self.subTest(ids=repr(ids)):
                trajectory = trajplot.PredictionTrajectory.from_tensor(tensor, ids, vocabulary=tokens)
                self.assertEqual(plain(trajectory.entropy().sequence_labels), expected)
        one_item = trajplot.PredictionTrajectory((2, 3, 7), array.array("l", [6, 5, 4]), vocabulary=tokens)
        one_item.add_all(engine_input(random_logits(50, self.SHAPE)[0]))
        self.assertEqual(plain(one_item.entropy().sequence_labels), [format_token(tokens[i]) for i in (6, 5, 4)])

    def test_ids_that_are_not_integers(self):
        with self.assertRaisesRegex(TypeError, r"input_ids\[0\]\[1\] is float, expected an integer token id"):
            trajplot.PredictionTrajectory(self.SHAPE, [[0, 1.0, 2], [0, 1, 2]])
        with self.assertRaisesRegex(TypeError, r"targets\[1\]\[0\] is bool"):
            trajplot.PredictionTrajectory(self.SHAPE, [[0, 1, 2]] * 2, [[0, 1, 2], [True, 1, 2]])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"input_ids\[0\]\[0\] is 36893488147419103232"):
            trajplot.PredictionTrajectory(self.SHAPE, [[2 ** 65, 1, 2]] * 2)
        if HAVE_NUMPY:
            with self.assertRaisesRegex(TypeError, "input_ids has dtype float32, expected integer token ids"):
                trajplot.PredictionTrajectory(self.SHAPE, numpy.zeros((2, 3), dtype=numpy.float32))
            with self.assertRaisesRegex(trajplot.InvalidArgumentError, "does not fit in int64"):
                trajplot.PredictionTrajectory(self.SHAPE, numpy.full((2, 3), 2 ** 64 - 1, dtype=numpy.uint64))

    def test_ids_of_the_wrong_shape(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "input_ids has shape 3; the trajectory needs batch x seq_len = 2 x 3$"):
            trajplot.PredictionTrajectory(self.SHAPE, [0, 1, 2])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"anti_targets has shape 2 x 2; the trajectory needs batch x seq_len = 1 x 3 "
                                    r"\(or 3 for its one batch item\)"):
            trajplot.PredictionTrajectory((2, 3, 7), [0, 1, 2], [0, 1, 2], [[0, 1], [2, 3]])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"input_ids is ragged"):
            trajplot.PredictionTrajectory(self.SHAPE, [[0, 1, 2], [0, 1]])

    def test_ids_out_of_range_report_the_library_message(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.PredictionTrajectory(self.SHAPE, [[0, 1, 2], [3, 7, 5]])
        self.assertEqual(str(caught.exception),
                         "trajplot_trajectory_create: input_ids[1][1] is 7; token ids must be in [0, 7)")
        self.assertEqual(caught.exception.status, trajplot.InvalidArgumentError.status)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"^trajplot_trajectory_create: targets\[0\]\[2\] is -1; token ids must be in "
                                    r"\[0, 7\)$"):
            trajplot.PredictionTrajectory(self.SHAPE, [[0] * 3] * 2, [[0, 0, -1], [0, 0, 0]])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"^trajplot_comparison_create: input_ids\[0\]\[0\] is 9"):
            trajplot.TrajectoryComparison(self.SHAPE, [[9, 0, 0], [0, 0, 0]])

    def test_shapes(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^trajplot_trajectory_create: every dimension must be at least 1"):
            trajplot.PredictionTrajectory((1, 0, 3, 7), [0, 1, 2])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"shape must be \(batch, n_layers"):
            trajplot.PredictionTrajectory((3, 7), [0, 1, 2])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "seq_len must not be negative, got -3"):
            trajplot.PredictionTrajectory((2, -3, 7), [0, 1, 2])
        with self.assertRaisesRegex(TypeError, "shape must be"):
            trajplot.PredictionTrajectory(5, [0])

    def test_options_are_checked(self):
        ids = [[0, 1, 2]] * 2
        cases = [
            (dict(values="probs"), trajplot.InvalidArgumentError,
             "values must be 'logits' or 'log_probs', got 'probs'"),
            (dict(top_k=0), trajplot.InvalidArgumentError,
             "^trajplot_trajectory_create: options->top_k must be at least 1, got 0$"),
            (dict(max_batch_items_shown=0), trajplot.InvalidArgumentError, "max_batch_items_shown must be at least 1"),
            (dict(max_string_len=0), trajplot.InvalidArgumentError, "max_string_len must be at least 1, or None"),
            (dict(max_string_len=2, ellipsis="..."), trajplot.InvalidArgumentError,
             r"options->max_string_len is 2; it must be 0 \(never shortened\) or at least the ellipsis's length \(3 code points\)"),
            (dict(newline_token=""), trajplot.InvalidArgumentError, "options->newline_token must not be empty"),
            (dict(whitespace_token="a\0b"), trajplot.InvalidArgumentError, "whitespace_token contains a NUL"),
            (dict(min_prob=math.nan), trajplot.InvalidArgumentError, "options->min_prob is NaN"),
            (dict(min_prob="0.5"), TypeError, "min_prob must be a number, not str"),
            (dict(threads=-1), trajplot.InvalidArgumentError, "threads must not be negative"),
            (dict(vocabulary=5), TypeError, "int"),
        ]
        for options, error, message in cases:
            with self.subTest(options=options):
                with self.assertRaisesRegex(error, message):
                    trajplot.PredictionTrajectory(self.SHAPE, ids, **options)
        with self.assertRaises(TypeError):
            trajplot.PredictionTrajectory(self.SHAPE, ids, min_prob_delta=0.1)  # comparisons only
        with self.assertRaises(TypeError):
            trajplot.TrajectoryComparison(self.SHAPE, ids, min_prob=0.1)  # trajectories only
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "options->min_prob_delta is NaN"):
            trajplot.TrajectoryComparison(self.SHAPE, ids, min_prob_delta=math.nan)

    def test_statistics_need_every_slab(self):
        trajectory = trajplot.PredictionTrajectory(self.SHAPE, [[0] * 3] * 2, vocabulary=make_tokens(7))
        trajectory.add(0, 1, engine_input(random_logits(51, (3, 7))))
        self.assertFalse(trajectory.complete)
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajectory.entropy()
        self.assertEqual(str(caught.exception),
                         "trajplot_trajectory_statistic: entropy: the statistics need every slab: 3 of 4 are "
                         "missing, the first is batch item 0, layer 0")
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^trajplot_trajectory_labels: labels: the statistics need every slab"):
            trajectory.labels()
        comparison = trajplot.TrajectoryComparison(self.SHAPE, [[0] * 3] * 2)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^trajplot_comparison_statistic: js_divergence: the statistics need every slab"):
            comparison.js_divergence()

    def test_statistics_that_need_targets(self):
        tensor = engine_input(random_logits(52, self.SHAPE))
        trajectory = trajplot.PredictionTrajectory.from_tensor(tensor, [[0] * 3] * 2)
        for method, message in ((trajectory.cross_entropy, "cross_entropy needs targets; none were given"),
                                (trajectory.rank, "rank needs targets; none were given"),
                                (trajectory.log_prob_diff, "log_prob_diff needs targets and anti_targets")):
            with self.subTest(method=method.__name__):
                with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                    method()
                self.assertEqual(str(caught.exception), "trajplot_trajectory_statistic: " + message)
        with_targets = trajplot.PredictionTrajectory.from_tensor(tensor, [[0] * 3] * 2, [[1] * 3] * 2)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "needs targets and anti_targets"):
            with_targets.log_prob_diff(delta=True)
        with_targets.rank()

    def test_unknown_and_misplaced_measure_names(self):
        tensor = engine_input(random_logits(53, self.SHAPE))
        trajectory = trajplot.PredictionTrajectory.from_tensor(tensor, [[0] * 3] * 2)
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajectory.statistic("perplexity")
        self.assertEqual(str(caught.exception),
                         'trajplot_measure_from_name: unknown measure "perplexity"; known: '
                         + ", ".join(trajectory.measures + trajplot.TrajectoryComparison.measures))
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "kl_divergence is a measure of two trajectories"):
            trajectory.statistic("kl_divergence")
        comparison = trajplot.TrajectoryComparison.from_tensors(tensor, tensor, [[0] * 3] * 2)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "entropy is a measure of one trajectory"):
            comparison.statistic("entropy")
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"flags 1 are not known for entropy \(expected 0\)"):
            trajectory.statistic("entropy", show_ranks=True)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "name contains a NUL"):
            trajectory.statistic("entropy\0")

    def test_measure_constants_match_the_library(self):
        for name in trajplot.PredictionTrajectory.measures + trajplot.TrajectoryComparison.measures:
            constant = getattr(_lib, "MEASURE_" + name.upper())
            self.assertEqual(_lib.C.trajplot_measure_name(constant), name.encode())
            self.assertEqual(bool(_lib.C.trajplot_measure_is_comparison(constant)),
                             name in trajplot.TrajectoryComparison.measures)


class Vocabularies(unittest.TestCase):
    def test_reads_back_every_token(self):
        tokens = ["\u0120the", "a\0b", "\u010a", "", "\U0001f600"]
        vocabulary = trajplot.Vocabulary(tokens)
        self.assertEqual(len(vocabulary), 5)
        self.assertEqual(list(vocabulary), tokens)
        self.assertEqual((vocabulary[0], vocabulary[-1], vocabulary[1:3]), (tokens[0], tokens[-1], tokens[1:3]))
        with self.assertRaisesRegex(IndexError, "vocabulary index 5 is out of range: the vocabulary has 5 tokens"):
            vocabulary[5]
        with self.assertRaises(IndexError):
            vocabulary[-6]
        with self.assertRaises(TypeError):
            vocabulary["a"]
        self.assertEqual(repr(vocabulary), "<Vocabulary of 5 tokens>")

    def test_bytes_and_invalid_utf8(self):
        vocabulary = trajplot.Vocabulary([b"caf\xc3\xa9", b"\xff", "x", "\ud800"])
        self.assertEqual(list(vocabulary)[:3], ["caf\u00e9", "\ufffd", "x"])
        self.assertEqual(set(vocabulary[3]), {"\ufffd"})  # a lone surrogate is not UTF-8

    def test_any_sequence_or_iterable_of_tokens(self):
        self.assertEqual(list(trajplot.Vocabulary(("a", "b"))), ["a", "b"])
        self.assertEqual(list(trajplot.Vocabulary(token for token in "xyz")), ["x", "y", "z"])
        self.assertEqual(len(trajplot.Vocabulary([])), 0)
        if HAVE_NUMPY:
            self.assertEqual(list(trajplot.Vocabulary(numpy.array(["p", "q"]))), ["p", "q"])

    def test_wrong_tokens(self):
        with self.assertRaisesRegex(TypeError, r"tokens\[1\] is NoneType, expected str"):
            trajplot.Vocabulary(["a", None])
        with self.assertRaisesRegex(TypeError, "Vocabulary.from_tokenizer"):
            trajplot.Vocabulary({"a": 0})
        with self.assertRaisesRegex(TypeError, "not a single str"):
            trajplot.Vocabulary("abc")

    def test_from_tokenizer(self):
        class Tokenizer:
            tokens = ["<s>", "\u0120hello", "\u010a"]

            def __len__(self):
                return len(self.tokens)

            def convert_ids_to_tokens(self, ids):
                return [self.tokens[token] for token in ids]

        self.assertEqual(list(trajplot.Vocabulary.from_tokenizer(Tokenizer())), Tokenizer.tokens)

    def test_pickle_round_trip(self):
        vocabulary = trajplot.Vocabulary(["a", "b\0"])
        self.assertEqual(list(pickle.loads(pickle.dumps(vocabulary))), ["a", "b\0"])

    def test_one_vocabulary_shared_and_closed(self):
        vocabulary = trajplot.Vocabulary(make_tokens(7))
        tensor = engine_input(random_logits(54, (1, 2, 3, 7)))
        first = trajplot.PredictionTrajectory.from_tensor(tensor, [0, 1, 2], vocabulary=vocabulary)
        vocabulary.close()  # the trajectory keeps its own reference
        self.assertEqual(plain(first.entropy().sequence_labels), [format_token(token) for token in make_tokens(3)])
        with self.assertRaisesRegex(ValueError, "closed Vocabulary"):
            trajplot.PredictionTrajectory.from_tensor(tensor, [0, 1, 2], vocabulary=vocabulary)


class Handles(unittest.TestCase):
    def count_frees(self, kind):
        freed = []
        original = kind._free

        def counting_free(handle):
            freed.append(ctypes.addressof(handle.contents))
            original(handle)

        kind._free = staticmethod(counting_free)
        self.addCleanup(setattr, kind, "_free", original)
        return freed

    def test_each_handle_is_freed_exactly_once(self):
        kinds = (trajplot.Vocabulary, trajplot.PredictionTrajectory, trajplot.TrajectoryComparison,
                 trajplot.TrajectoryStatistic, trajplot.TrajectoryLabels)
        freed = {kind: self.count_frees(kind) for kind in kinds}
        tensor = engine_input(random_logits(60, (1, 2, 3, 5)))
        tokens = make_tokens(5)
        for _ in range(20):
            # A vocabulary made from the tokens and closed at once, a
            # trajectory, two statistics and the labels, all dropped.
            trajectory = trajplot.PredictionTrajectory.from_tensor(tensor, [0, 1, 2], [1, 1, 1], vocabulary=tokens)
            trajectory.entropy().stride(1)
            trajectory.labels()
            comparison = trajplot.TrajectoryComparison.from_tensors(tensor, tensor, [0, 1, 2])
            comparison.kl_divergence()
            del trajectory, comparison
        with trajplot.Vocabulary(tokens) as vocabulary:
            pass
        vocabulary.close()
        failed = trajplot.PredictionTrajectory((1, 2, 3, 5), [0, 1, 2])
        with self.assertRaises(trajplot.InvalidArgumentError):
            failed.add_all(array.array("f", [0.0]))  # a failing call frees nothing early
        failed.close()
        failed.close()
        gc.collect()
        self.assertEqual({kind.__name__: len(addresses) for kind, addresses in freed.items()},
                         {"Vocabulary": 21, "PredictionTrajectory": 21, "TrajectoryComparison": 20,
                          "TrajectoryStatistic": 60, "TrajectoryLabels": 20})

    def test_failed_construction_frees_what_it_made(self):
        freed = self.count_frees(trajplot.Vocabulary)
        with self.assertRaises(trajplot.InvalidArgumentError):
            trajplot.PredictionTrajectory((1, 2, 3, 5), [0, 1, 9], vocabulary=make_tokens(5))
        self.assertEqual(len(freed), 1)  # the vocabulary made from the tokens

        freed = self.count_frees(trajplot.PredictionTrajectory)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "got shape 30"):
            trajplot.PredictionTrajectory.from_tensor(array.array("f", [0.0] * 30), [0, 1, 2])
        self.assertEqual(freed, [])  # refused before anything was made

        def failing_add_all(*arguments):
            raise trajplot.OutOfMemoryError("trajplot_trajectory_add_all: out of memory")

        # Restored as it was: a function looked up anew would lack its
        # declaration and error check.
        self.addCleanup(setattr, _lib.C, "trajplot_trajectory_add_all", _lib.C.trajplot_trajectory_add_all)
        _lib.C.trajplot_trajectory_add_all = failing_add_all
        tensor = memoryview(array.array("f", [0.0] * 30)).cast("B").cast("f", (2, 3, 5))
        with self.assertRaisesRegex(trajplot.OutOfMemoryError, "out of memory"):
            trajplot.PredictionTrajectory.from_tensor(tensor, [0, 1, 2])
        self.assertEqual(len(freed), 1)  # made, filling failed, freed at once

    def test_closed_objects_cannot_be_used_but_their_statistics_can(self):
        tensor = engine_input(random_logits(61, (1, 2, 3, 5)))
        trajectory = trajplot.PredictionTrajectory.from_tensor(tensor, [0, 1, 2], vocabulary=make_tokens(5))
        entropy = trajectory.entropy()
        labels = trajectory.labels()
        trajectory.close()
        trajectory.close()
        self.assertTrue(trajectory.closed)
        self.assertEqual(repr(trajectory), "<closed PredictionTrajectory>")
        for call in (trajectory.entropy, trajectory.labels, lambda: trajectory.complete,
                     lambda: trajectory.add(0, 1, tensor[0][1] if HAVE_NUMPY else array.array("f", [0.0] * 15))):
            with self.assertRaisesRegex(ValueError, "closed PredictionTrajectory"):
                call()
        self.assertEqual(entropy.shape, (2, 3))
        self.assertEqual(labels.shape, (2, 3))
        self.assertIn("Entropy", entropy.to_json())

    def test_trajectories_are_neither_copied_nor_pickled(self):
        trajectory = trajplot.PredictionTrajectory((1, 2, 3, 5), [0, 1, 2])
        for operation in (copy.copy, copy.deepcopy, pickle.dumps):
            with self.subTest(operation=operation.__name__):
                with self.assertRaisesRegex(TypeError, "PredictionTrajectory cannot be"):
                    operation(trajectory)

    def test_repr(self):
        trajectory = trajplot.PredictionTrajectory((1, 2, 3, 5), [0, 1, 2])
        self.assertEqual(repr(trajectory),
                         "<PredictionTrajectory batch 1, n_layers 2, seq_len 3, vocab 5, filling>")
        trajectory.add_all(array.array("f", [0.0] * 30))
        self.assertEqual(repr(trajectory),
                         "<PredictionTrajectory batch 1, n_layers 2, seq_len 3, vocab 5, complete>")


@without_numpy
class WithoutNumpy(unittest.TestCase):
    def test_statistics_and_labels_are_nested_lists(self):
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            memoryview(array.array("f", [0.0] * 30)).cast("B").cast("f", (2, 3, 5)), [0, 1, 2],
            vocabulary=make_tokens(5))
        entropy = trajectory.entropy()
        self.assertIsInstance(entropy.stats, list)
        self.assertIsInstance(trajectory.labels().label_strings, list)
        for row in entropy.stats:
            for value in row:
                self.assertAlmostEqual(value, math.log(5), places=5)  # uniform over 5 tokens


if __name__ == "__main__":
    unittest.main()
