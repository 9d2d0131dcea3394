"""Every handle type used from many threads while one thread closes it, or
drops the last reference: the other calls succeed or raise ValueError
("operation on a closed ..."), and nothing crashes. ctypes releases the GIL
during library calls, so the calls really overlap."""
import math
import os
import sys
import threading
import unittest

import trajplot
from support import HOVER, LABELS, STATS, TOKENS

THREADS = 8
# Each round closes one object under THREADS users; enough rounds to hit
# every point of a call (before, during and after the library call).
ROUNDS = int(os.environ.get("TRAJPLOT_THREAD_ROUNDS", "25"))


def _logits(n_layers, seq_len, vocab):
    return [[[[math.sin(1.0 + layer * 7 + position * 3 + token) * 4.0 for token in range(vocab)]
              for position in range(seq_len)] for layer in range(n_layers)]]


class _Hammer:
    """Runs `use(obj)` on THREADS threads in a loop until told to stop,
    counting successes and ValueErrors about a closed object; anything else
    is recorded as a failure."""

    def __init__(self, obj, use):
        self.obj = obj
        self.use = use
        self.started = threading.Barrier(THREADS + 1)
        self.stop = threading.Event()
        self.succeeded = 0
        self.refused = 0
        self.failures = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run) for _ in range(THREADS)]

    def _run(self):
        obj, use = self.obj, self.use
        self.started.wait()
        while not self.stop.is_set():
            try:
                use(obj)
                outcome = "succeeded"
            except ValueError as error:
                if "closed" not in str(error):
                    with self.lock:
                        self.failures.append(repr(error))
                    return
                outcome = "refused"
            except Exception as error:  # noqa: BLE001 - every other error is a failure
                with self.lock:
                    self.failures.append(repr(error))
                return
            with self.lock:
                setattr(self, outcome, getattr(self, outcome) + 1)
            if outcome == "refused":
                return  # closed for good: every later call is refused too

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        self.started.wait()
        return self

    def __exit__(self, *exception):
        # After a close every thread stops at its first refused call; after
        # a dropped reference nothing refuses, so they are told to stop.
        if self.obj is None or exception[0] is not None:
            self.stop.set()
        for thread in self.threads:
            thread.join()


class HandlesAcrossThreads(unittest.TestCase):

    def setUp(self):
        # Switch threads often, so that closes land inside calls rather than
        # waiting out the users' 5 ms time slices.
        self.addCleanup(sys.setswitchinterval, sys.getswitchinterval())
        sys.setswitchinterval(1e-5)

    def hammer(self, make, use, release="close"):
        """`make()` gives a fresh object; THREADS threads `use` it while this
        thread closes it (or drops its reference) a moment later."""
        succeeded = refused = 0
        for round_index in range(ROUNDS):
            obj = make()
            use(obj)  # works while open
            with _Hammer(obj, use) as hammer:
                # Vary the moment of the close within the users' calls.
                for _ in range(round_index % 5):
                    threading.Event().wait(0.0002)
                if release == "close":
                    obj.close()
                    self.assertTrue(obj.closed)
                else:
                    del obj  # the threads still hold it: nothing is freed under them
                    hammer.obj = None
            self.assertEqual(hammer.failures, [])
            succeeded += hammer.succeeded
            refused += hammer.refused
            if release == "close":
                with self.assertRaisesRegex(ValueError, "closed"):
                    use(hammer.obj)
        # Both outcomes were seen, so the calls did overlap the close.
        self.assertGreater(succeeded, 0)
        if release == "close":
            self.assertGreater(refused, 0)

    def test_labels(self):
        self.hammer(lambda: trajplot.TrajectoryLabels(LABELS, HOVER),
                    lambda labels: labels.stride(2).close())

    def test_labels_read_back(self):
        self.hammer(lambda: trajplot.TrajectoryLabels(LABELS, HOVER),
                    lambda labels: labels.template_and_customdata())

    def test_statistic_exports(self):
        self.hammer(lambda: trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS,
                                                         trajplot.TrajectoryLabels(LABELS, HOVER)),
                    lambda statistic: statistic.to_json())

    def test_statistic_stride_and_clip(self):
        self.hammer(lambda: trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS),
                    lambda statistic: statistic.stride(2).clip(0.5, 2.0).close())

    def test_statistic_read_back(self):
        self.hammer(lambda: trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS),
                    lambda statistic: (statistic.stats, statistic.name, statistic.units, statistic.min))

    def test_figure(self):
        statistic = trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS, trajplot.TrajectoryLabels(LABELS, HOVER))
        self.hammer(lambda: trajplot.Figure(statistic, title="t"), lambda figure: figure.to_html(include_plotlyjs="cdn"))

    def test_stacked_figure(self):
        statistics = [trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS) for _ in range(3)]
        self.hammer(lambda: trajplot.Figure.stacked(statistics), lambda figure: figure.to_json())

    def test_statistics_closed_while_a_figure_is_made_of_them(self):
        self.hammer(lambda: trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS),
                    lambda statistic: trajplot.Figure.stacked([statistic, statistic]).close())

    def test_vocabulary(self):
        tokens = ["tok%d" % index for index in range(16)]
        self.hammer(lambda: trajplot.Vocabulary(tokens), lambda vocabulary: (len(vocabulary), vocabulary[3]))

    def test_vocabulary_closed_while_a_trajectory_is_made_with_it(self):
        tokens = ["tok%d" % index for index in range(16)]
        logits = _logits(2, 3, 16)
        self.hammer(lambda: trajplot.Vocabulary(tokens),
                    lambda vocabulary: trajplot.PredictionTrajectory.from_tensor(
                        logits, [[1, 2, 3]], vocabulary=vocabulary).close())

    def test_trajectory(self):
        logits = _logits(3, 4, 16)
        self.hammer(lambda: trajplot.PredictionTrajectory.from_tensor(logits, [[1, 2, 3, 4]],
                                                                      vocabulary=["t%d" % i for i in range(16)]),
                    lambda trajectory: (trajectory.entropy().close(), trajectory.labels()))

    def test_comparison(self):
        logits = _logits(2, 3, 8)
        self.hammer(lambda: trajplot.TrajectoryComparison.from_tensors(logits, logits, [[1, 2, 3]]),
                    lambda comparison: comparison.kl_divergence().close())

    def test_dropping_the_last_reference_while_others_export(self):
        self.hammer(lambda: trajplot.TrajectoryStatistic("Entropy", STATS, TOKENS),
                    lambda statistic: statistic.to_json(), release="drop")


if __name__ == "__main__":
    unittest.main(argv=sys.argv)
