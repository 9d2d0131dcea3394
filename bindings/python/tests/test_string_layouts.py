"""Strings reach the library in the layout they come in: numpy's str (U)
and bytes (S) arrays as they are, lists and object arrays as one UTF-8
buffer with offsets. Every layout gives the labels, the figure and the
vocabulary the same strings give as a list."""
import ctypes
import unittest

import trajplot
from trajplot import _arrays, _lib
from support import numpy, plain, requires_numpy

# 2 layers x 3 positions: ASCII, Greek, CJK, an astral emoji, markup and
# JSON's escapes, an empty string, a NUL inside a string.
CELLS = [["the", "Δ0.00%", "日本語"],
         ["🙂 ok", "", "a\0b"]]
# 2 x 3 tables of 1 row x 2 columns.
HOVER = [[[["<|endoftext|>", "12.34%"]], [["&amp;", '"q" \\']], [["\t\n", "\u2028"]]],
         [[["𝔘", "Ġthe"]], [["", "99.99%"]], [["x\0y", "…"]]]]


def labels_json(labels):
    """The figure JSON of a statistic drawn with `labels`."""
    n_layers, seq_len = labels.shape
    stats = [[float(layer * seq_len + position) for position in range(seq_len)] for layer in range(n_layers)]
    return trajplot.TrajectoryStatistic("Entropy", stats, trajectory_labels=labels).to_json()


class ListsAndTuples(unittest.TestCase):
    def test_lists_go_as_one_utf8_buffer_with_offsets(self):
        shape, strings = _arrays.strings(CELLS, 2, "label_strings")
        self.assertEqual(shape, (2, 3))
        descriptor = strings.descriptor
        self.assertEqual(descriptor.layout, _lib.STRINGS_UTF8_OFFSETS)
        self.assertEqual(descriptor.count, 6)
        encoded = [text.encode("utf-8") for row in CELLS for text in row]
        self.assertEqual(descriptor.data_len, sum(map(len, encoded)))
        self.assertEqual(ctypes.string_at(descriptor.data, descriptor.data_len), b"".join(encoded))
        self.assertEqual([descriptor.offsets[i] for i in range(7)], [0, 3, 10, 19, 26, 26, 29])

    def test_ascii_only_lists_are_measured_without_encoding_each_string(self):
        _, strings = _arrays.strings([["ab", "", "cde"]], 2, "label_strings")
        descriptor = strings.descriptor
        self.assertEqual([descriptor.offsets[i] for i in range(4)], [0, 2, 2, 5])
        self.assertEqual(ctypes.string_at(descriptor.data, 5), b"abcde")

    def test_offsets_count_bytes_with_or_without_nuls_in_the_strings(self):
        rows = [["🙂", "Δx", ""], ["日本", "a\ud800", "é"]]
        expected = [0, 4, 7, 7, 13, 17, 19]
        for texts in (rows, [row[:2] + ["\0"] for row in rows]):
            with self.subTest(texts=texts):
                _, strings = _arrays.strings(texts, 2, "label_strings")
                offsets = [strings.descriptor.offsets[i] for i in range(7)]
                lengths = [len(text.encode("utf-8", "surrogatepass")) for row in texts for text in row]
                self.assertEqual(offsets, [sum(lengths[:i]) for i in range(7)])
        descriptor = _arrays.strings(rows, 2, "label_strings")[1].descriptor  # keeps its buffers alive
        self.assertEqual([descriptor.offsets[i] for i in range(7)], expected)
        self.assertEqual(ctypes.string_at(descriptor.data, descriptor.data_len),
                         "".join(text for row in rows for text in row).encode("utf-8", "surrogatepass"))

    def test_labels_and_hover_entries_read_back_as_given(self):
        labels = trajplot.TrajectoryLabels(CELLS, HOVER)
        self.assertEqual(plain(labels.label_strings), CELLS)
        self.assertEqual(plain(labels.hover_over_entries), HOVER)

    def test_tuples_bytes_and_lone_surrogates(self):
        labels = trajplot.TrajectoryLabels((("a\ud800b", b"ok\xff"), ("Δ".encode(), "x")))
        texts = plain(labels.label_strings)
        self.assertEqual(texts[0][1], "ok\ufffd")
        self.assertEqual(texts[1], ["Δ", "x"])
        self.assertTrue(texts[0][0].startswith("a") and texts[0][0].endswith("b"))
        self.assertEqual(set(texts[0][0][1:-1]), {"\ufffd"})

    def test_vocabulary_from_a_list_and_a_generator(self):
        tokens = ["Ġthe", "a\0b", "", "🙂", "<s>"]
        self.assertEqual(list(trajplot.Vocabulary(tokens)), tokens)
        self.assertEqual(list(trajplot.Vocabulary(token for token in tokens)), tokens)
        self.assertEqual(len(trajplot.Vocabulary([])), 0)


@requires_numpy
class NumpyArrays(unittest.TestCase):
    def expect_list_labels(self, labels, cells=CELLS, hover=HOVER):
        reference = trajplot.TrajectoryLabels(cells, hover)
        self.assertEqual(labels.label_strings.tolist(), reference.label_strings.tolist())
        if hover is not None:
            self.assertEqual(labels.hover_over_entries.tolist(), reference.hover_over_entries.tolist())
        self.assertEqual(labels_json(labels), labels_json(reference))

    def test_str_arrays_are_passed_as_they_are(self):
        cells = numpy.array(CELLS)
        self.assertEqual(cells.dtype, numpy.dtype("<U6"))
        _, strings = _arrays.strings(cells, 2, "label_strings")
        descriptor = strings.descriptor
        self.assertEqual(descriptor.layout, _lib.STRINGS_UTF32)
        self.assertEqual((descriptor.count, descriptor.width), (6, 6))
        self.assertEqual(descriptor.data, cells.ctypes.data)  # the array's own buffer, not a copy
        self.expect_list_labels(trajplot.TrajectoryLabels(cells, numpy.array(HOVER)))

    def test_bytes_arrays_are_passed_as_they_are_and_read_as_utf8(self):
        cells = numpy.array([[text.encode("utf-8") for text in row] for row in CELLS])
        self.assertEqual(cells.dtype.kind, "S")
        _, strings = _arrays.strings(cells, 2, "label_strings")
        descriptor = strings.descriptor
        self.assertEqual(descriptor.layout, _lib.STRINGS_BYTES)
        self.assertEqual((descriptor.width, descriptor.data), (cells.dtype.itemsize, cells.ctypes.data))
        self.expect_list_labels(trajplot.TrajectoryLabels(cells), hover=None)
        invalid = trajplot.TrajectoryLabels(numpy.array([[b"ok\xff", b"\xce\x94"]]))
        self.assertEqual(invalid.label_strings.tolist(), [["ok\ufffd", "Δ"]])

    def test_strings_filling_the_whole_width_and_empty_ones(self):
        cells = numpy.array([["abcdef", ""], ["", "日本語日本語"]])
        self.assertEqual(cells.dtype.itemsize // 4, 6)
        labels = trajplot.TrajectoryLabels(cells)
        self.assertEqual(labels.label_strings.tolist(), cells.tolist())
        wider = trajplot.TrajectoryLabels(cells.astype("U40"))
        self.assertEqual(labels_json(wider), labels_json(labels))

    def test_trailing_nuls_are_numpy_padding_and_inner_ones_are_kept(self):
        cells = numpy.array([["end\0", "a\0b"], ["\0", "\0\0z"]])
        # numpy itself drops the trailing ones; the library reads what numpy gives.
        self.assertEqual(cells.tolist(), [["end", "a\0b"], ["", "\0\0z"]])
        labels = trajplot.TrajectoryLabels(cells)
        self.assertEqual(labels.label_strings.tolist(), cells.tolist())
        self.assertEqual(trajplot.TrajectoryLabels(cells.astype("S")).label_strings.tolist(), cells.tolist())

    def test_non_contiguous_arrays_are_copied_once_then_passed(self):
        grid = numpy.array([["a%d%d" % (row, col) for col in range(6)] for row in range(4)])
        for view in (grid[:, ::2], grid.T, numpy.asfortranarray(grid), grid[::-1, 1:4]):
            with self.subTest(strides=view.strides):
                _, strings = _arrays.strings(view, 2, "label_strings")
                self.assertNotEqual(strings.descriptor.data, grid.ctypes.data)
                labels = trajplot.TrajectoryLabels(view)
                self.assertEqual(labels.label_strings.tolist(), view.tolist())
        hover = numpy.array(HOVER)[:, :, :, ::-1]
        self.assertEqual(trajplot.TrajectoryLabels(CELLS, hover).hover_over_entries.tolist(), hover.tolist())

    def test_big_endian_str_arrays_are_converted_to_native_order(self):
        cells = numpy.array(CELLS).astype(">U6")
        self.assertEqual(trajplot.TrajectoryLabels(cells).label_strings.tolist(), CELLS)

    def test_object_arrays_go_as_one_utf8_buffer(self):
        cells = numpy.array(CELLS, dtype=object)
        _, strings = _arrays.strings(cells, 2, "label_strings")
        self.assertEqual(strings.descriptor.layout, _lib.STRINGS_UTF8_OFFSETS)
        self.expect_list_labels(trajplot.TrajectoryLabels(cells, numpy.array(HOVER, dtype=object)))
        mixed = numpy.array([["Δ", b"ok\xff"]], dtype=object)
        self.assertEqual(trajplot.TrajectoryLabels(mixed).label_strings.tolist(), [["Δ", "ok\ufffd"]])
        with self.assertRaisesRegex(TypeError, "label_strings element 1 is int, expected str"):
            trajplot.TrajectoryLabels(numpy.array([["a", 1]], dtype=object))

    def test_shapes_and_dtypes_are_checked_before_anything_is_passed(self):
        with self.assertRaisesRegex(ValueError, "label_strings must be 2-dimensional, got shape 6"):
            trajplot.TrajectoryLabels(numpy.array(CELLS).ravel())
        with self.assertRaisesRegex(TypeError, "hover_over_entries has dtype int64, expected str"):
            trajplot.TrajectoryLabels(CELLS, numpy.zeros((2, 3, 1, 2), dtype=numpy.int64))
        with self.assertRaisesRegex(ValueError, "hover_over_entries has shape 2 x 2 x 1 x 2"):
            trajplot.TrajectoryLabels(numpy.array(CELLS), numpy.array(HOVER)[:, :2])

    def test_layouts_may_differ_between_labels_and_hover_entries(self):
        self.expect_list_labels(trajplot.TrajectoryLabels(numpy.array(CELLS), HOVER))
        self.expect_list_labels(trajplot.TrajectoryLabels(CELLS, numpy.array(HOVER)))

    def test_vocabulary_from_str_and_bytes_arrays(self):
        tokens = ["Ġthe", "a\0b", "", "🙂", "<s>"]
        self.assertEqual(list(trajplot.Vocabulary(numpy.array(tokens))), tokens)
        self.assertEqual(list(trajplot.Vocabulary(numpy.array([t.encode() for t in tokens]))), tokens)
        self.assertEqual(list(trajplot.Vocabulary(numpy.array(tokens, dtype=object))), tokens)
        self.assertEqual(len(trajplot.Vocabulary(numpy.array([], dtype="U1"))), 0)


if __name__ == "__main__":
    unittest.main()
