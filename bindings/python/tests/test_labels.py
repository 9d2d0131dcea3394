"""TrajectoryLabels: construction, read-back, stride, hover template."""
import unittest

import trajplot
from support import HAVE_NUMPY, HOVER, LABELS, numpy, plain, requires_numpy


def layer_rows(count):
    """label_strings whose rows name their layer, one position each."""
    return [["L%d" % layer] for layer in range(count)]


class Construction(unittest.TestCase):
    def test_reads_back_labels_and_hover_entries(self):
        with trajplot.TrajectoryLabels(LABELS, HOVER) as labels:
            self.assertEqual(labels.shape, (3, 4))
            self.assertEqual(labels.hover_shape, (2, 2))
            self.assertEqual(plain(labels.label_strings), LABELS)
            self.assertEqual(plain(labels.hover_over_entries), HOVER)

    def test_without_hover_tables(self):
        labels = trajplot.TrajectoryLabels(LABELS)
        self.assertIsNone(labels.hover_over_entries)
        self.assertIsNone(labels.hover_shape)

    def test_returns_numpy_str_arrays_when_numpy_is_importable(self):
        labels = trajplot.TrajectoryLabels(LABELS, HOVER)
        if HAVE_NUMPY:
            self.assertIsInstance(labels.label_strings, numpy.ndarray)
            self.assertEqual(labels.label_strings.dtype.kind, "U")
            self.assertEqual(labels.hover_over_entries.shape, (3, 4, 2, 2))
        else:
            self.assertIsInstance(labels.label_strings, list)

    @requires_numpy
    def test_accepts_numpy_str_arrays(self):
        labels = trajplot.TrajectoryLabels(numpy.array(LABELS), numpy.array(HOVER))
        self.assertEqual(labels.label_strings.tolist(), LABELS)
        self.assertEqual(labels.hover_over_entries.tolist(), HOVER)

    @requires_numpy
    def test_accepts_numpy_object_arrays_of_str(self):
        labels = trajplot.TrajectoryLabels(numpy.array(LABELS, dtype=object))
        self.assertEqual(labels.label_strings.tolist(), LABELS)

    @requires_numpy
    def test_rejects_numpy_arrays_of_numbers(self):
        with self.assertRaisesRegex(TypeError, "label_strings has dtype"):
            trajplot.TrajectoryLabels(numpy.zeros((2, 2)))

    def test_tuples_are_sequences_too(self):
        labels = trajplot.TrajectoryLabels((("a", "b"),))
        self.assertEqual(plain(labels.label_strings), [["a", "b"]])

    def test_ragged_labels_are_an_error(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    r"label_strings is ragged: label_strings\[1\] has 1 items where the first has 2"):
            trajplot.TrajectoryLabels([["a", "b"], ["c"]])

    def test_wrong_dimensions_are_an_error(self):
        with self.assertRaisesRegex(ValueError, "label_strings must be 2-dimensional"):
            trajplot.TrajectoryLabels(["a", "b"])

    def test_non_str_label_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, r"label_strings\[0\]\[1\] is int, expected str"):
            trajplot.TrajectoryLabels([["a", 1]])

    def test_hover_shape_must_match_the_labels(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.TrajectoryLabels(LABELS, [row[:3] for row in HOVER])
        self.assertEqual(str(caught.exception),
                         "hover_over_entries has shape 3 x 3 x 2 x 2 but label_strings has shape 3 x 4")

    def test_empty_hover_table_is_the_library_error(self):
        empty_rows = [[[] for _ in row] for row in LABELS]
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.TrajectoryLabels(LABELS, empty_rows)
        self.assertTrue(str(caught.exception).startswith("trajplot_labels_create_from_strings:"),
                        str(caught.exception))
        self.assertIn("hover", str(caught.exception))

    def test_empty_labels_are_the_library_error(self):
        with self.assertRaises(ValueError) as caught:
            trajplot.TrajectoryLabels([])
        self.assertIn("0 x 0", str(caught.exception))
        self.assertEqual(caught.exception.status, -2)


class Stride(unittest.TestCase):
    # The reference's stride-keep-last table: 5 layers.
    TABLE = {1: [0, 1, 2, 3, 4], 2: [0, 2, 4], 3: [0, 3, 4], 4: [0, 4], 5: [0, 4], 9: [0, 4]}

    def test_keeps_every_kth_layer_and_the_last(self):
        labels = trajplot.TrajectoryLabels(layer_rows(5))
        for stride, kept in self.TABLE.items():
            with self.subTest(stride=stride):
                self.assertEqual(plain(labels.stride(stride).label_strings),
                                 [["L%d" % layer] for layer in kept])

    def test_one_layer_stays(self):
        labels = trajplot.TrajectoryLabels(layer_rows(1))
        self.assertEqual(plain(labels.stride(3).label_strings), [["L0"]])

    def test_strides_hover_entries_with_the_labels(self):
        strided = trajplot.TrajectoryLabels(LABELS, HOVER).stride(2)
        self.assertEqual(plain(strided.label_strings), [LABELS[0], LABELS[2]])
        self.assertEqual(plain(strided.hover_over_entries), [HOVER[0], HOVER[2]])

    def test_returns_a_new_object_and_leaves_the_original(self):
        labels = trajplot.TrajectoryLabels(layer_rows(5))
        strided = labels.stride(2)
        self.assertIsNot(strided, labels)
        self.assertEqual(labels.shape, (5, 1))
        self.assertEqual(strided.shape, (3, 1))

    def test_zero_is_the_library_error(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.TrajectoryLabels(layer_rows(2)).stride(0)
        self.assertTrue(str(caught.exception).startswith("trajplot_labels_stride:"), str(caught.exception))

    def test_negative_is_an_error_before_the_library(self):
        with self.assertRaisesRegex(ValueError, "stride must not be negative, got -1"):
            trajplot.TrajectoryLabels(layer_rows(2)).stride(-1)

    def test_non_integer_is_a_type_error(self):
        with self.assertRaises(TypeError):
            trajplot.TrajectoryLabels(layer_rows(2)).stride(1.5)


class TemplateAndCustomdata(unittest.TestCase):
    def test_reference_example(self):
        labels = trajplot.TrajectoryLabels(
            [["x"], ["y"]],
            [[[["ab", "c"], ["de", "f"]]], [[["idk", "l"], ["mno", "p"]]]])
        template, customdata = labels.template_and_customdata()
        self.assertEqual(
            template,
            "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>")
        self.assertEqual(plain(customdata),
                         [[["  ab", " c", "  de", " f"]], [[" idk", " l", " mno", " p"]]])

    def test_col_width_limit_cuts_on_the_left(self):
        labels = trajplot.TrajectoryLabels([["x"]], [[[["abcdefgh", "1"]]]])
        _, customdata = labels.template_and_customdata(col_width_limit=4)
        self.assertEqual(plain(customdata), [[["efgh", " 1"]]])

    def test_widths_count_code_points(self):
        labels = trajplot.TrajectoryLabels([["x"], ["y"]], [[[["Δ0.00%"]]], [[["ab"]]]])
        _, customdata = labels.template_and_customdata()
        self.assertEqual(plain(customdata), [[[" Δ0.00%"]], [["     ab"]]])

    def test_customdata_is_a_numpy_array_when_numpy_is_importable(self):
        _, customdata = trajplot.TrajectoryLabels(LABELS, HOVER).template_and_customdata()
        if HAVE_NUMPY:
            self.assertEqual(customdata.shape, (3, 4, 4))
        else:
            self.assertEqual((len(customdata), len(customdata[0]), len(customdata[0][0])), (3, 4, 4))

    def test_without_hover_tables_is_the_library_error(self):
        with self.assertRaises(ValueError) as caught:
            trajplot.TrajectoryLabels(LABELS).template_and_customdata()
        self.assertTrue(str(caught.exception).startswith("trajplot_labels_template_and_customdata:"))

    def test_zero_limit_is_the_library_error(self):
        with self.assertRaises(trajplot.InvalidArgumentError):
            trajplot.TrajectoryLabels(LABELS, HOVER).template_and_customdata(0)


class TruncStringLeft(unittest.TestCase):
    def test_pads_and_cuts_by_code_points(self):
        self.assertEqual(trajplot.trunc_string_left("ab", 4), "  ab")
        self.assertEqual(trajplot.trunc_string_left("Δ0.00%", 3), "00%")
        self.assertEqual(trajplot.trunc_string_left("Δ0.00%", 6), "Δ0.00%")
        self.assertEqual(trajplot.trunc_string_left("abc", 0), "")

    def test_nul_characters_are_characters(self):
        # The string goes with its byte length: a NUL does not end it.
        self.assertEqual(trajplot.trunc_string_left("a\0b", 2), "\0b")
        self.assertEqual(trajplot.trunc_string_left("a\0b", 5), "  a\0b")
        self.assertEqual(trajplot.trunc_string_left("\0", 3), "  \0")
        self.assertEqual(trajplot.trunc_string_left("x\0Δ\0", 3), "\0Δ\0")
        self.assertEqual(trajplot.trunc_string_left("", 2), "  ")

    def test_lone_surrogates_become_replacement_characters(self):
        text = trajplot.trunc_string_left("a\ud800", 8).lstrip(" ")
        self.assertTrue(text.startswith("a") and set(text[1:]) == {"\ufffd"}, repr(text))

    def test_arguments(self):
        with self.assertRaisesRegex(TypeError, "string must be str, not bytes"):
            trajplot.trunc_string_left(b"abc", 2)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "new_len must not be negative"):
            trajplot.trunc_string_left("abc", -1)


if __name__ == "__main__":
    unittest.main()
