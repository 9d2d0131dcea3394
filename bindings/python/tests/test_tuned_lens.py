"""trajplot.tuned_lens: tuned-lens's plotting API, name for name.

The first tests restate what tuned-lens's own tests
(tests/plotting/test_trajectory_plotting.py, test_token_formatter.py)
require of ``tuned_lens.plotting``; the rest pin this module's behaviour,
with numpy and plotly.py and without.
"""
import dataclasses
import math
import pickle
import unittest

import trajplot
from support import (HAVE_NUMPY, HOVER, LABELS, STATS, TOKENS, numpy, plain, requires_numpy,
                     requires_plotly, without_plotly)
from trajplot.tuned_lens import (TokenFormatter, TrajectoryLabels, TrajectoryStatistic,
                                 TrajplotAssertionError, _stride_keep_last, trunc_string_left)


def zeros(rows, cols):
    return numpy.zeros((rows, cols), dtype=float) if HAVE_NUMPY else [[0.0] * cols for _ in range(rows)]


def empty_strings(rows, cols):
    if HAVE_NUMPY:
        return numpy.zeros((rows, cols), dtype=numpy.str_)
    return [[""] * cols for _ in range(rows)]


def layer_rows(count, width=2):
    """stats whose rows name their layer: layer k holds k, k + 0.5, ..."""
    return [[layer + 0.5 * position for position in range(width)] for layer in range(count)]


def statistic(**overrides):
    arguments = dict(name="Entropy", stats=STATS, sequence_labels=TOKENS,
                     trajectory_labels=TrajectoryLabels(LABELS, HOVER), units="nats")
    arguments.update(overrides)
    return TrajectoryStatistic(**arguments)


# -- what tuned-lens's own tests require -------------------------------------------

class TunedLensTrajectoryPlottingTests(unittest.TestCase):
    def test_stride_keep_last_keeps_every_kth_row_and_the_last(self):
        values = [1, 2, 3, 4, 5]
        expected = {1: [1, 2, 3, 4, 5], 2: [1, 3, 5], 3: [1, 4, 5], 4: [1, 5], 5: [1, 5]}
        inputs = [values] + ([numpy.array(values)] if HAVE_NUMPY else [])
        for given in inputs:
            for stride, kept in expected.items():
                with self.subTest(given=type(given).__name__, stride=stride):
                    self.assertEqual(plain(_stride_keep_last(given, stride)), kept)

    def test_labels_of_another_shape_than_stats_fail_an_assertion(self):
        labels = TrajectoryLabels(label_strings=empty_strings(2, 2))
        with self.assertRaises(AssertionError) as caught:
            TrajectoryStatistic(name="test", stats=zeros(2, 3), trajectory_labels=labels)
        self.assertIn("trajectory_labels has shape 2 x 2 but stats has shape 2 x 3", str(caught.exception))

    def test_layer_labels_are_derived_with_or_without_the_output(self):
        labels = TrajectoryLabels(label_strings=empty_strings(3, 3))
        with_output = TrajectoryStatistic("test", zeros(3, 3), trajectory_labels=labels)
        self.assertIsNotNone(with_output._layer_labels)
        self.assertEqual(plain(with_output._layer_labels), ["0", "1", "output"])
        without_output = TrajectoryStatistic("test", zeros(3, 3), trajectory_labels=labels,
                                             includes_output=False)
        self.assertEqual(plain(without_output._layer_labels), ["0", "1", "2"])

    @requires_plotly
    def test_heatmap_is_a_plotly_heatmap(self):
        from plotly import graph_objects as go

        self.assertIsInstance(TrajectoryStatistic("test", zeros(2, 2)).heatmap(), go.Heatmap)

    @requires_plotly
    def test_figure_is_a_plotly_figure(self):
        from plotly import graph_objects as go

        self.assertIsInstance(TrajectoryStatistic("test", zeros(2, 2)).figure(), go.Figure)

    def test_stride_keeps_every_other_field(self):
        original = TrajectoryStatistic("test", zeros(3, 2))
        strided = original.stride(2)
        for field in ("name", "units", "max", "min", "includes_output"):
            self.assertEqual(getattr(strided, field), getattr(original, field), field)
        self.assertEqual(len(plain(strided.stats)), 2)
        self.assertEqual(len(plain(strided.stats)[0]), 2)
        if HAVE_NUMPY:
            self.assertEqual(strided.stats.shape, (2, 2))
        self.assertEqual(plain(strided._layer_labels), ["0", "output"])


class TunedLensTokenFormatterTests(unittest.TestCase):
    def setUp(self):
        self.formatter = TokenFormatter()

    def test_anything_but_a_str_is_unknown(self):
        self.assertEqual(self.formatter.format(None), "<unk>")
        self.assertEqual(self.formatter.format(123), "<unk>")

    def test_long_tokens_end_in_an_ellipsis(self):
        self.assertEqual(self.formatter.format("ThisIsALongToken"), "ThisIs\u2026")

    def test_no_limit_keeps_long_tokens(self):
        self.formatter.max_string_len = None
        self.assertEqual(self.formatter.format("ThisIsALongToken"), "ThisIsALongToken")

    def test_newline_marker_is_shown_as_backslash_n(self):
        self.formatter.max_string_len = None
        self.assertEqual(self.formatter.format("Hello\u010aWorld"), "Hello\\nWorld")

    def test_whitespace_marker_is_shown_as_underscore(self):
        self.formatter.max_string_len = None
        self.assertEqual(self.formatter.format("Hello\u0120World"), "Hello_World")

    def test_both_markers_in_one_token(self):
        self.formatter.max_string_len = None
        self.assertEqual(self.formatter.format("Line1\u010aLine2\u0120Line3"), "Line1\\nLine2_Line3")


# -- this module's behaviour -------------------------------------------------------

class StrideKeepLast(unittest.TestCase):
    def test_one_row_is_kept_by_any_stride(self):
        for stride in (1, 2, 10 ** 30):
            self.assertEqual(plain(_stride_keep_last(["only"], stride)), ["only"])

    def test_rows_of_a_matrix_are_kept_whole(self):
        self.assertEqual(plain(_stride_keep_last(layer_rows(5), 3)), [[0, 0.5], [3, 3.5], [4, 4.5]])

    @requires_numpy
    def test_a_new_array_of_the_same_dtype(self):
        given = numpy.arange(10, dtype=numpy.float32).reshape(5, 2)
        kept = _stride_keep_last(given, 1)
        self.assertEqual(kept.dtype, numpy.float32)
        self.assertTrue(numpy.array_equal(kept, given))
        kept[0, 0] = 99
        self.assertEqual(given[0, 0], 0)
        self.assertEqual(_stride_keep_last(numpy.array(["0", "1", "output"]), 2).tolist(), ["0", "output"])

    def test_an_array_with_numpy_as_tuned_lens_a_list_without(self):
        kept = _stride_keep_last((1, 2, 3), 2)
        if HAVE_NUMPY:
            self.assertIsInstance(kept, numpy.ndarray)
            self.assertEqual(kept.tolist(), [1, 3])
        else:
            self.assertEqual(kept, [1, 3])

    def test_a_stride_below_one_fails_an_assertion_that_is_also_a_value_error(self):
        for stride in (0, -1):
            with self.assertRaisesRegex(AssertionError, "stride must be positive, got %d" % stride):
                _stride_keep_last([1, 2, 3], stride)
            with self.assertRaises(ValueError):
                _stride_keep_last([1, 2, 3], stride)
            with self.assertRaises(trajplot.InvalidArgumentError):
                _stride_keep_last([1, 2, 3], stride)

    def test_stride_must_be_an_integer(self):
        for stride in (2.0, "2", None, True):
            with self.assertRaises(TypeError):
                _stride_keep_last([1, 2, 3], stride)

    def test_an_empty_sequence_has_no_last_row(self):
        with self.assertRaises(IndexError):
            _stride_keep_last([], 2)


class StatisticFields(unittest.TestCase):
    def test_fields_are_the_references_in_its_order(self):
        self.assertEqual([field.name for field in dataclasses.fields(TrajectoryStatistic)],
                         ["name", "stats", "sequence_labels", "trajectory_labels", "units", "max", "min",
                          "includes_output", "_layer_labels"])
        self.assertEqual([field.name for field in dataclasses.fields(TrajectoryLabels)],
                         ["label_strings", "hover_over_entries"])
        self.assertEqual([field.name for field in dataclasses.fields(TokenFormatter)],
                         ["ellipsis", "newline_replacement", "newline_token", "whitespace_token",
                          "whitespace_replacement", "max_string_len"])

    def test_fields_hold_what_was_given(self):
        stats, tokens = zeros(3, 4), list(TOKENS)
        labels = TrajectoryLabels(LABELS, HOVER)
        made = TrajectoryStatistic("KL", stats, tokens, labels, "bits", 4.0, 1.0, False, ["a", "b", "c"])
        self.assertIs(made.stats, stats)
        self.assertIs(made.sequence_labels, tokens)
        self.assertIs(made.trajectory_labels, labels)
        self.assertIs(made.trajectory_labels.label_strings, LABELS)
        self.assertEqual((made.name, made.units, made.max, made.min, made.includes_output, made._layer_labels),
                         ("KL", "bits", 4.0, 1.0, False, ["a", "b", "c"]))
        self.assertEqual(made.num_layers, 3)

    def test_optional_fields_default_as_in_the_reference(self):
        made = TrajectoryStatistic("Rank", [[1, 2]])
        self.assertEqual((made.sequence_labels, made.trajectory_labels, made.units, made.max, made.min,
                          made.includes_output), (None, None, None, None, None, True))
        self.assertEqual(plain(made._layer_labels), ["output"])

    @requires_numpy
    def test_numpy_inputs_of_any_dtype(self):
        for dtype in (numpy.float64, numpy.float32, numpy.int64):
            with self.subTest(dtype=dtype.__name__):
                made = TrajectoryStatistic("x", numpy.array(STATS, dtype=dtype), numpy.array(TOKENS),
                                           TrajectoryLabels(numpy.array(LABELS), numpy.array(HOVER)))
                self.assertEqual(made.stats.dtype, dtype)
                self.assertEqual(made._layer_labels.tolist(), ["0", "1", "output"])
                self.assertEqual(made.heatmap_dict()["z"], numpy.array(STATS, dtype=dtype).astype(numpy.float32).tolist())

    def test_replace_makes_a_checked_statistic(self):
        made = statistic()
        renamed = dataclasses.replace(made, name="Cross Entropy", units=None)
        self.assertEqual(renamed.heatmap_dict()["colorbar"]["title"]["text"], "Cross Entropy")
        with self.assertRaisesRegex(AssertionError, "sequence_labels"):
            dataclasses.replace(made, sequence_labels=TOKENS[:2])

    def test_the_library_checks_what_tuned_lens_asserts_and_more(self):
        cases = [
            (dict(stats=[1.0, 2.0]), "2-dimensional"),
            (dict(sequence_labels=TOKENS[:3]), "sequence_labels"),
            (dict(_layer_labels=["a", "b"]), "layer_labels"),
            (dict(min=2.0, max=1.0), "min"),
            (dict(min=math.nan), "min"),
        ]
        for overrides, named in cases:
            with self.subTest(overrides=overrides):
                with self.assertRaisesRegex(TrajplotAssertionError, named):
                    statistic(**overrides)

    def test_wrong_types_stay_type_errors(self):
        with self.assertRaises(TypeError):
            statistic(trajectory_labels=[["a"]])
        with self.assertRaises(TypeError):
            statistic(name=3)

    def test_a_trajplot_labels_object_is_taken_too(self):
        native = trajplot.TrajectoryLabels(LABELS, HOVER)
        made = statistic(trajectory_labels=native)
        self.assertEqual(made.heatmap_dict(), statistic().heatmap_dict())
        self.assertIsInstance(made.stride(2).trajectory_labels, trajplot.TrajectoryLabels)

    def test_pickles_and_compares_as_a_dataclass(self):
        made = TrajectoryStatistic("Rank", [[1.0, 2.0]], ["a", "b"], TrajectoryLabels([["x", "y"]]))
        again = pickle.loads(pickle.dumps(made))
        self.assertEqual(again.heatmap_dict(), made.heatmap_dict())
        self.assertNotIn("_trajplot_cache", pickle.loads(pickle.dumps(made.trajectory_labels)).__dict__)
        if not HAVE_NUMPY:
            self.assertEqual(again, made)


class StatisticStride(unittest.TestCase):
    def test_stats_labels_and_layer_labels_are_strided_together(self):
        labels = [["L%d" % layer, "M%d" % layer] for layer in range(5)]
        hover = [[[["t%d" % layer, "p"]] for _ in range(2)] for layer in range(5)]
        made = TrajectoryStatistic("x", layer_rows(5), trajectory_labels=TrajectoryLabels(labels, hover))
        strided = made.stride(2)
        self.assertEqual(plain(strided.stats), [[0, 0.5], [2, 2.5], [4, 4.5]])
        self.assertEqual(plain(strided._layer_labels), ["0", "2", "output"])
        self.assertEqual(plain(strided.trajectory_labels.label_strings),
                         [["L0", "M0"], ["L2", "M2"], ["L4", "M4"]])
        self.assertEqual([plain(cell)[0][0][0] for cell in plain(strided.trajectory_labels.hover_over_entries)],
                         ["t0", "t2", "t4"])

    def test_draws_what_the_librarys_stride_draws(self):
        made = statistic()
        for stride in (1, 2, 3):
            with made.to_trajplot() as native, native.stride(stride) as expected:
                self.assertEqual(made.stride(stride).heatmap_dict(), expected.heatmap_dict())

    def test_a_stride_below_one_fails_an_assertion(self):
        made = statistic()
        for stride in (0, -2):
            with self.assertRaisesRegex(AssertionError, "stride must be positive"):
                made.stride(stride)
            with self.assertRaisesRegex(AssertionError, "stride must be positive"):
                made.trajectory_labels.stride(stride)

    def test_strided_labels_have_their_own_fields(self):
        labels = TrajectoryLabels([["a"], ["b"], ["c"]])
        strided = labels.stride(2)
        self.assertEqual(plain(strided.label_strings), [["a"], ["c"]])
        self.assertIsNone(strided.hover_over_entries)
        self.assertEqual(plain(labels.label_strings), [["a"], ["b"], ["c"]])


class StatisticClip(unittest.TestCase):
    def test_values_are_clamped_and_the_range_set(self):
        made = TrajectoryStatistic("x", [[-math.inf, 0.5, 7.0, math.nan]])
        clipped = made.clip(0, 2)
        values = plain(clipped.stats)[0]
        self.assertEqual(values[:3], [0, 0.5, 2])
        self.assertTrue(math.isnan(values[3]))
        self.assertEqual((clipped.min, clipped.max), (0, 2))
        trace = clipped.heatmap_dict()
        self.assertEqual((trace["zmin"], trace["zmax"]), (0, 2))
        self.assertEqual(plain(made.stats)[0][2], 7.0)

    def test_min_must_be_below_max(self):
        made = statistic()
        for low, high in ((2, 1), (1, 1), (math.nan, 1), (0, math.nan)):
            with self.assertRaisesRegex(AssertionError, "min must be less than max"):
                made.clip(low, high)

    @requires_numpy
    def test_clips_as_numpy_does_keeping_the_dtype(self):
        stats = numpy.array(STATS, dtype=numpy.float64)
        clipped = TrajectoryStatistic("x", stats).clip(0.5, 2.0)
        self.assertEqual(clipped.stats.dtype, numpy.float64)
        self.assertTrue(numpy.array_equal(clipped.stats, numpy.clip(stats, 0.5, 2.0)))

    def test_nested_lists_stay_lists_with_their_gaps(self):
        made = TrajectoryStatistic("x", [[None, 5.0], [-1.0, 1.5], [0.5, None]])
        clipped = made.clip(0.0, 2.0)
        self.assertEqual(clipped.stats, [[None, 2.0], [0.0, 1.5], [0.5, None]])
        strided = clipped.stride(2)
        self.assertEqual(strided.stats, [[None, 2.0], [0.5, None]])
        strided.stats[0][1] = 1.0
        self.assertEqual(clipped.stats[0][1], 2.0)  # no row is shared
        self.assertIsNone(strided.heatmap_dict()["z"][0][0])


class Labels(unittest.TestCase):
    def test_the_references_hover_template_example(self):
        labels = TrajectoryLabels([["x"], ["y"]],
                                  [[[["ab", "c"], ["de", "f"]]], [[["idk", "l"], ["mno", "p"]]]])
        template, customdata = labels.template_and_customdata()
        self.assertEqual(template, "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br>"
                                   "<extra></extra>")
        self.assertEqual(plain(customdata), [[["  ab", " c", "  de", " f"]], [[" idk", " l", " mno", " p"]]])
        if HAVE_NUMPY:
            self.assertEqual(customdata.dtype.kind, "U")

    def test_a_template_needs_hover_entries(self):
        with self.assertRaises(AssertionError):
            TrajectoryLabels(LABELS).template_and_customdata()
        with self.assertRaises(AssertionError):
            TrajectoryLabels(LABELS, HOVER).template_and_customdata(0)

    def test_hover_tables_of_another_shape_fail_when_made(self):
        with self.assertRaisesRegex(AssertionError, "hover_over_entries has shape"):
            TrajectoryLabels(LABELS, HOVER[:2])

    def test_fields_changed_in_place_are_drawn(self):
        labels = [["a", "b"], ["c", "d"]]
        made = TrajectoryStatistic("x", [[1.0, 2.0], [3.0, 4.0]], trajectory_labels=TrajectoryLabels(labels))
        self.assertEqual(made.heatmap_dict()["text"], [["a", "b"], ["c", "d"]])
        labels[0][1] = "changed"
        self.assertEqual(made.heatmap_dict()["text"], [["a", "changed"], ["c", "d"]])
        made.trajectory_labels.label_strings = [["p", "q"], ["r", "s"]]
        self.assertEqual(made.heatmap_dict()["text"], [["p", "q"], ["r", "s"]])
        made.stats[1][0] = 9.0
        self.assertEqual(made.heatmap_dict()["z"], [[1.0, 2.0], [9.0, 4.0]])

    @requires_numpy
    def test_numpy_fields_changed_in_place_are_drawn(self):
        hover = numpy.array(HOVER)
        made = statistic(trajectory_labels=TrajectoryLabels(numpy.array(LABELS), hover))
        hover[0, 0, 0, 0] = "zz"
        template, customdata = made.trajectory_labels.template_and_customdata()
        self.assertEqual(customdata[0, 0, 0].strip(), "zz")


class PlotlyObjects(unittest.TestCase):
    @requires_plotly
    def test_the_heatmap_holds_trajplots_trace(self):
        made = statistic()
        trace = made.heatmap(colorbar_y=0.89).to_plotly_json()
        expected = made.heatmap_dict(colorbar_y=0.89)
        self.assertEqual(trace["texttemplate"], "<b>%{text}</b>")  # kept even where plotly.py lacks it
        self.assertEqual(trace["colorbar"]["title"]["text"], "Entropy (nats)")
        self.assertEqual(trace["colorbar"]["y"], 0.89)
        self.assertEqual(plain(trace["z"]), expected["z"])
        self.assertEqual(plain(trace["customdata"]), expected["customdata"])

    @requires_plotly
    def test_the_figure_is_trajplots_figure(self):
        figure = statistic().figure(title="Entropy", token_width=50).to_dict()
        layout = figure["layout"]
        self.assertEqual(layout["width"], 200 + 50 * len(TOKENS))
        self.assertEqual(layout["title"]["text"], "Entropy")
        self.assertEqual((layout["xaxis"]["type"], layout["yaxis"]["type"]), ("category", "category"))
        self.assertEqual(layout["xaxis"]["title"]["text"], "Input")
        self.assertEqual(plain(figure["data"][0]["y"]), ["0", "1", "output"])

    @requires_plotly
    def test_an_attribute_plotly_does_not_know_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "nosuchattribute"):
            statistic().heatmap(nosuchattribute=1)

    @requires_plotly
    def test_log_scale_and_the_colorscale_reach_the_trace(self):
        trace = statistic().heatmap("viridis", log_scale=True).to_plotly_json()
        self.assertEqual(trace["colorbar"]["tickmode"], "array")
        self.assertEqual(trace["colorscale"][0][1], "#440154")

    @without_plotly
    def test_without_plotly_the_objects_are_refused_and_the_dicts_given(self):
        made = statistic()
        for method in (made.heatmap, made.figure):
            with self.assertRaisesRegex(ModuleNotFoundError, "needs plotly.py") as caught:
                method()
            self.assertEqual(caught.exception.name, "plotly")
        self.assertEqual(made.heatmap_dict()["type"], "heatmap")
        self.assertEqual(made.figure_dict()["layout"]["width"], 200 + 80 * len(TOKENS))

    def test_closing_what_to_trajplot_gave_leaves_the_labels_usable(self):
        labels = TrajectoryLabels(LABELS, HOVER)
        with labels.to_trajplot() as native:
            self.assertEqual(plain(native.label_strings), LABELS)
        self.assertEqual(plain(labels.stride(2).to_trajplot().label_strings), [LABELS[0], LABELS[2]])

    def test_to_trajplot_is_the_same_statistic_for_the_fast_path(self):
        made = statistic()
        with made.to_trajplot() as native:
            self.assertIsInstance(native, trajplot.TrajectoryStatistic)
            self.assertEqual(trajplot.Figure(native, title="t").figure_dict(), made.figure_dict("t"))


class TokenFormatting(unittest.TestCase):
    def test_shortening_comes_before_the_markers(self):
        self.assertEqual(TokenFormatter().format("Hello\u010aWorld"), "Hello\\n\u2026")
        self.assertEqual(TokenFormatter(max_string_len=1, ellipsis="").format("abc"), "a")

    def test_vectorized_format(self):
        tokens = [["\u0120the", None], ["a\u010a", "ThisIsALongToken"]]
        expected = [["_the", "<unk>"], ["a\\n", "ThisIs\u2026"]]
        formatter = TokenFormatter()
        if HAVE_NUMPY:
            formatted = formatter.vectorized_format(numpy.array(tokens, dtype=object))
            self.assertEqual(formatted.dtype.kind, "U")
            self.assertEqual(formatted.tolist(), expected)
            self.assertEqual(formatter.vectorized_format(numpy.array([], dtype=str)).tolist(), [])
        else:
            self.assertEqual(formatter.vectorized_format(tokens), expected)

    def test_vectorized_format_follows_later_changes(self):
        formatter = TokenFormatter()
        formatter.max_string_len = None
        self.assertEqual(plain(formatter.vectorized_format(["ThisIsALongToken"])), ["ThisIsALongToken"])

    def test_settings_trajplot_refuses(self):
        for settings in (dict(max_string_len=0), dict(max_string_len=2, ellipsis="..."),
                         dict(newline_token=""), dict(whitespace_token="")):
            with self.subTest(settings=settings):
                with self.assertRaises(trajplot.InvalidArgumentError):
                    TokenFormatter(**settings)
        formatter = TokenFormatter()
        with self.assertRaises(trajplot.InvalidArgumentError):
            formatter.ellipsis = "12345678"
        self.assertEqual(formatter.ellipsis, "\u2026")
        with self.assertRaises(TypeError):
            formatter.max_string_len = 7.5
        with self.assertRaises(TypeError):
            formatter.newline_replacement = None

    def test_pad_token_repr_to_max_len(self):
        formatter = TokenFormatter()
        self.assertEqual(formatter.pad_token_repr_to_max_len("abc"), "abc    ")
        self.assertEqual(formatter.pad_token_repr_to_max_len("abcdefghij"), "abcdefg")
        formatter.max_string_len = None
        self.assertEqual(formatter.pad_token_repr_to_max_len("abc"), "abc")


class TruncStringLeft(unittest.TestCase):
    def test_is_trajplots(self):
        self.assertIs(trunc_string_left, trajplot.trunc_string_left)
        self.assertEqual(trunc_string_left("abc", 5), "  abc")
        self.assertEqual(trunc_string_left("abcdef", 3), "def")
        self.assertEqual(trunc_string_left("abc", 0), "")


if __name__ == "__main__":
    unittest.main()
