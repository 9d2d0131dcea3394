"""TrajectoryStatistic: construction, attributes, stride, clip, handles."""
import copy
import ctypes
import gc
import math
import pickle
import threading
import unittest

import trajplot
from support import (HAVE_NUMPY, LABELS, STATS, TOKENS, make_labels, make_statistic, numpy,
                     plain)


def rows(count, width=2):
    """count layers whose values name their layer: layer k holds k, k + 0.5."""
    return [[layer + 0.5 * position for position in range(width)] for layer in range(count)]


class Attributes(unittest.TestCase):
    def test_reads_back_everything_given(self):
        statistic = make_statistic(max=5.0, min=0.25, includes_output=False)
        self.assertEqual(statistic.name, "Entropy")
        self.assertEqual(statistic.units, "nats")
        self.assertEqual(statistic.shape, (3, 4))
        self.assertEqual(plain(statistic.stats), STATS)
        self.assertEqual(plain(statistic.sequence_labels), TOKENS)
        self.assertEqual(plain(statistic.trajectory_labels.label_strings), LABELS)
        self.assertEqual(statistic.min, 0.25)
        self.assertEqual(statistic.max, 5.0)
        self.assertFalse(statistic.includes_output)

    def test_optional_attributes_default_to_none(self):
        statistic = trajplot.TrajectoryStatistic("Rank", [[1, 2]])
        self.assertIsNone(statistic.units)
        self.assertIsNone(statistic.sequence_labels)
        self.assertIsNone(statistic.trajectory_labels)
        self.assertIsNone(statistic.min)
        self.assertIsNone(statistic.max)
        self.assertTrue(statistic.includes_output)

    def test_positional_arguments_follow_the_reference_order(self):
        # name, stats, sequence_labels, trajectory_labels, units, max, min, includes_output
        statistic = trajplot.TrajectoryStatistic("KL", [[1.0, 2.0]], ["a", "b"], None, "bits", 4.0, 1.0, False)
        self.assertEqual((statistic.units, statistic.max, statistic.min, statistic.includes_output),
                         ("bits", 4.0, 1.0, False))

    def test_stats_type_follows_numpy_availability(self):
        stats = make_statistic().stats
        if HAVE_NUMPY:
            self.assertEqual(stats.dtype, numpy.float32)
            self.assertEqual(stats.shape, (3, 4))
        else:
            self.assertIsInstance(stats, list)
            self.assertIsInstance(stats[0][0], float)

    def test_stats_are_float32(self):
        statistic = trajplot.TrajectoryStatistic("x", [[0.1]])
        self.assertNotEqual(plain(statistic.stats)[0][0], 0.1)
        self.assertAlmostEqual(plain(statistic.stats)[0][0], 0.1, places=7)

    def test_none_in_stats_is_a_gap(self):
        statistic = trajplot.TrajectoryStatistic("x", [[1.0, None]])
        self.assertTrue(math.isnan(plain(statistic.stats)[0][1]))

    def test_each_stats_access_is_a_new_copy(self):
        statistic = make_statistic()
        first = statistic.stats
        first[0][0] = 99.0
        self.assertEqual(plain(statistic.stats)[0][0], STATS[0][0])


class LayerLabels(unittest.TestCase):
    def test_with_output(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(4))
        self.assertEqual(plain(statistic.layer_labels), ["0", "1", "2", "output"])

    def test_without_output(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(4), includes_output=False)
        self.assertEqual(plain(statistic.layer_labels), ["0", "1", "2", "3"])

    def test_one_layer_with_output(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(1))
        self.assertEqual(plain(statistic.layer_labels), ["output"])

    def test_explicit_labels(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(3), layer_labels=["emb", "mid", "out"])
        self.assertEqual(plain(statistic.layer_labels), ["emb", "mid", "out"])
        self.assertEqual(plain(statistic.stride(2).layer_labels), ["emb", "out"])

    def test_the_reference_keyword(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(2), _layer_labels=["a", "b"])
        self.assertEqual(plain(statistic.layer_labels), ["a", "b"])
        with self.assertRaises(TypeError):
            trajplot.TrajectoryStatistic("x", rows(2), _layer_labels=["a", "b"], layer_labels=["a", "b"])

    def test_wrong_count_is_an_error(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.TrajectoryStatistic("x", rows(3), layer_labels=["a", "b"])
        # The library is given the count and checks it.
        self.assertEqual(str(caught.exception),
                         "trajplot_statistic_create: options->layer_labels has 2 labels "
                         "(options->layer_label_count) but the statistic has 3 (n_layers)")


class ShapeErrors(unittest.TestCase):
    def test_trajectory_labels_of_another_shape_report_the_library_message(self):
        labels = trajplot.TrajectoryLabels([["a"] * 4] * 2)
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.TrajectoryStatistic("Entropy", rows(3, 4), trajectory_labels=labels)
        error = caught.exception
        self.assertIsInstance(error, ValueError)
        self.assertIsInstance(error, trajplot.TrajplotError)
        self.assertEqual(error.status, -2)
        self.assertEqual(str(error),
                         "trajplot_statistic_create: trajectory_labels has shape 2 x 4 but stats has shape 3 x 4")

    def test_sequence_labels_of_another_length(self):
        with self.assertRaises(ValueError) as caught:
            trajplot.TrajectoryStatistic("x", rows(2, 3), sequence_labels=["a", "b"])
        # The library is given the count and checks it: a short sequence
        # never reaches a read past its end.
        self.assertEqual(str(caught.exception),
                         "trajplot_statistic_create: options->sequence_labels has 2 labels "
                         "(options->sequence_label_count) but the statistic has 3 (seq_len)")
        self.assertIsInstance(caught.exception, trajplot.InvalidArgumentError)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "has 5 labels .* but the statistic has 3"):
            trajplot.TrajectoryStatistic("x", rows(2, 3), sequence_labels=["a", "b", "c", "d", "e"])

    def test_empty_stats_report_the_library_message(self):
        for stats in ([], [[]]):
            with self.subTest(stats=stats), self.assertRaises(ValueError) as caught:
                trajplot.TrajectoryStatistic("x", stats)
            self.assertIn("at least one layer and one position", str(caught.exception))

    def test_ragged_stats(self):
        with self.assertRaisesRegex(ValueError, r"stats is ragged: stats\[1\] has 1 items where the first has 2"):
            trajplot.TrajectoryStatistic("x", [[1, 2], [3]])

    def test_one_dimensional_stats(self):
        with self.assertRaisesRegex(ValueError, "stats must be 2-dimensional"):
            trajplot.TrajectoryStatistic("x", [1, 2])

    def test_non_numbers(self):
        with self.assertRaisesRegex(TypeError, r"stats\[0\]\[1\] is str, expected a number"):
            trajplot.TrajectoryStatistic("x", [[1, "2"]])

    def test_range_with_min_not_below_max(self):
        with self.assertRaises(ValueError) as caught:
            trajplot.TrajectoryStatistic("x", rows(2), min=2.0, max=1.0)
        self.assertTrue(str(caught.exception).startswith("trajplot_statistic_create:"))

    def test_nan_bound(self):
        with self.assertRaises(trajplot.InvalidArgumentError):
            trajplot.TrajectoryStatistic("x", rows(2), min=math.nan)

    def test_trajectory_labels_must_be_trajectory_labels(self):
        with self.assertRaisesRegex(TypeError, "trajectory_labels must be a TrajectoryLabels"):
            trajplot.TrajectoryStatistic("x", rows(3, 4), trajectory_labels=LABELS)


class StrideAndClip(unittest.TestCase):
    def test_stride_keeps_every_kth_layer_and_the_last(self):
        statistic = trajplot.TrajectoryStatistic("x", rows(5))
        for stride, kept in {1: [0, 1, 2, 3, 4], 2: [0, 2, 4], 3: [0, 3, 4], 4: [0, 4], 5: [0, 4]}.items():
            with self.subTest(stride=stride):
                strided = statistic.stride(stride)
                self.assertEqual(plain(strided.stats), [rows(5)[layer] for layer in kept])
                self.assertEqual(plain(strided.layer_labels),
                                 [str(layer) for layer in kept[:-1]] + ["output"])

    def test_stride_keeps_everything_else(self):
        statistic = make_statistic(min=0.0, max=5.0)
        strided = statistic.stride(2)
        self.assertEqual(plain(strided.trajectory_labels.label_strings), [LABELS[0], LABELS[2]])
        self.assertEqual((strided.name, strided.units, strided.min, strided.max),
                         ("Entropy", "nats", 0.0, 5.0))
        self.assertEqual(plain(strided.sequence_labels), TOKENS)

    def test_clip_clamps_and_sets_the_range(self):
        statistic = trajplot.TrajectoryStatistic("x", [[-math.inf, 0.5, 2.0, math.inf, math.nan]])
        clipped = statistic.clip(0.0, 1.0)
        values = plain(clipped.stats)[0]
        self.assertEqual(values[:4], [0.0, 0.5, 1.0, 1.0])
        self.assertTrue(math.isnan(values[4]))
        self.assertEqual((clipped.min, clipped.max), (0.0, 1.0))

    def test_clip_needs_min_below_max(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            make_statistic().clip(2, 1)
        self.assertTrue(str(caught.exception).startswith("trajplot_statistic_clip:"))

    def test_clip_with_nan_bound(self):
        with self.assertRaises(ValueError):
            make_statistic().clip(math.nan, 1)

    def test_new_objects_leave_the_original_unchanged(self):
        statistic = make_statistic()
        clipped = statistic.clip(1.0, 2.0)
        strided = statistic.stride(2)
        self.assertIsNot(clipped, statistic)
        self.assertIsNot(strided, statistic)
        self.assertEqual(plain(statistic.stats), STATS)
        self.assertIsNone(statistic.min)
        self.assertEqual(statistic.shape, (3, 4))


class Handles(unittest.TestCase):
    def test_close_is_idempotent_and_later_use_is_an_error(self):
        statistic = make_statistic()
        self.assertFalse(statistic.closed)
        statistic.close()
        statistic.close()
        self.assertTrue(statistic.closed)
        with self.assertRaisesRegex(ValueError, "closed TrajectoryStatistic"):
            statistic.to_json()
        self.assertEqual(repr(statistic), "<closed TrajectoryStatistic>")

    def test_context_manager_closes(self):
        with make_statistic() as statistic:
            self.assertEqual(statistic.shape, (3, 4))
        self.assertTrue(statistic.closed)

    def test_statistic_keeps_its_labels_after_they_are_closed(self):
        labels = make_labels()
        statistic = trajplot.TrajectoryStatistic("x", STATS, trajectory_labels=labels)
        labels.close()
        self.assertEqual(plain(statistic.trajectory_labels.label_strings), LABELS)
        self.assertIn("texttemplate", statistic.to_json())

    def test_closing_the_labels_read_back_does_not_lose_them(self):
        statistic = make_statistic()
        statistic.trajectory_labels.close()
        self.assertEqual(plain(statistic.trajectory_labels.label_strings), LABELS)

    def test_closed_labels_cannot_be_used(self):
        labels = make_labels()
        labels.close()
        with self.assertRaisesRegex(ValueError, "closed TrajectoryLabels"):
            trajplot.TrajectoryStatistic("x", STATS, trajectory_labels=labels)

    def test_derived_objects_outlive_their_source(self):
        statistic = make_statistic()
        strided = statistic.stride(2)
        labels = statistic.trajectory_labels
        statistic.close()
        del statistic
        gc.collect()
        self.assertEqual(strided.shape, (2, 4))
        self.assertEqual(labels.shape, (3, 4))

    def test_each_handle_is_freed_exactly_once(self):
        freed = []
        original = trajplot.TrajectoryStatistic._free

        def counting_free(handle):
            freed.append(ctypes.addressof(handle.contents))
            original(handle)

        trajplot.TrajectoryStatistic._free = staticmethod(counting_free)
        try:
            closed = make_statistic()
            closed.close()
            closed.close()
            with make_statistic():
                pass
            for _ in range(50):
                make_statistic().stride(2).clip(0, 1)  # three handles each, dropped at once
            gc.collect()
        finally:
            trajplot.TrajectoryStatistic._free = original
        self.assertEqual(len(freed), 2 + 50 * 3)

    def test_copies_share_the_immutable_object(self):
        statistic = make_statistic()
        self.assertIs(copy.copy(statistic), statistic)
        self.assertIs(copy.deepcopy(statistic), statistic)

    def test_pickle_round_trip(self):
        statistic = make_statistic(min=0.0, max=4.5, includes_output=False)
        restored = pickle.loads(pickle.dumps(statistic))
        self.assertIsNot(restored, statistic)
        self.assertEqual(restored.to_json(title="t"), statistic.to_json(title="t"))
        labels = pickle.loads(pickle.dumps(make_labels()))
        self.assertEqual(plain(labels.label_strings), LABELS)

    def test_repr(self):
        self.assertEqual(repr(make_statistic()), "<TrajectoryStatistic 'Entropy' (nats), 3 x 4>")
        self.assertEqual(repr(make_labels()), "<TrajectoryLabels 3 x 4, hover tables 2 x 2>")


class Errors(unittest.TestCase):
    def test_status_classes_derive_from_the_builtins(self):
        from trajplot.errors import error_for_status

        expected = {-1: trajplot.TrajplotError, -2: ValueError, -3: MemoryError,
                    -4: OverflowError, -5: OSError}
        for status, builtin in expected.items():
            with self.subTest(status=status):
                error = error_for_status(status, "message %d" % status)
                self.assertIsInstance(error, builtin)
                self.assertIsInstance(error, trajplot.TrajplotError)
                self.assertEqual((str(error), error.status), ("message %d" % status, status))

    def test_width_overflow_is_an_overflow_error(self):
        with self.assertRaises(OverflowError) as caught:
            make_statistic().to_json(token_width=trajplot._arrays.SIZE_MAX)
        self.assertIsInstance(caught.exception, trajplot.SizeOverflowError)
        self.assertEqual(caught.exception.status, -4)

    def test_size_beyond_size_t_is_an_overflow_error(self):
        with self.assertRaises(trajplot.SizeOverflowError):
            make_statistic().stride(trajplot._arrays.SIZE_MAX + 1)

    def test_threads_share_one_statistic(self):
        statistic = make_statistic()
        expected = statistic.stride(2).to_json("t")
        results = []

        def export():
            for _ in range(50):
                results.append(statistic.stride(2).to_json("t"))
                results.append(plain(statistic.trajectory_labels.label_strings) == LABELS)

        threads = [threading.Thread(target=export) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(results), 400)
        self.assertEqual(set(result for result in results if result is not True), {expected})

    def test_messages_stay_with_their_thread(self):
        failures = []

        def fail_repeatedly(stride_error):
            for _ in range(200):
                try:
                    if stride_error:
                        make_statistic().stride(0)
                    else:
                        make_statistic().clip(1, 0)
                except trajplot.InvalidArgumentError as error:
                    expected = "trajplot_statistic_stride:" if stride_error else "trajplot_statistic_clip:"
                    if not str(error).startswith(expected):
                        failures.append(str(error))

        threads = [threading.Thread(target=fail_repeatedly, args=(index % 2 == 0,)) for index in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
