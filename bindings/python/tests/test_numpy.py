"""numpy inputs: float32 C-contiguous arrays reach the library by pointer,
other arrays are converted once by numpy, never element by element."""
import ctypes
import math
import unittest

import trajplot
from trajplot import _arrays
from support import numpy, plain, requires_numpy, without_numpy


class NoPythonElementAccess(object if numpy is None else numpy.ndarray):
    """An array that fails the test if Python code reads it element by element."""

    def _refuse(self, *arguments, **keywords):
        raise AssertionError("the array was read element by element in Python")

    __iter__ = __getitem__ = tolist = item = _refuse


def guarded(array):
    return array.view(NoPythonElementAccess)


@requires_numpy
class ZeroCopy(unittest.TestCase):
    def test_float32_c_contiguous_array_is_passed_by_its_own_pointer(self):
        stats = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
        n_layers, seq_len, pointer, owner = _arrays.float_matrix(stats)
        self.assertEqual((n_layers, seq_len), (3, 4))
        self.assertEqual(ctypes.cast(pointer, ctypes.c_void_p).value, stats.ctypes.data)
        self.assertTrue(numpy.shares_memory(owner, stats))

    def test_large_float32_array_is_never_read_in_python(self):
        stats = numpy.random.default_rng(7).random((48, 4096), dtype=numpy.float32)
        statistic = trajplot.TrajectoryStatistic("Entropy", guarded(stats))
        self.assertTrue(numpy.array_equal(statistic.stats, stats))

    def test_float64_array_is_converted_once_by_numpy(self):
        stats = numpy.linspace(-1.0, 1.0, 24, dtype=numpy.float64).reshape(4, 6)
        n_layers, seq_len, pointer, owner = _arrays.float_matrix(guarded(stats))
        self.assertEqual(owner.dtype, numpy.float32)
        self.assertFalse(numpy.shares_memory(owner, stats))
        statistic = trajplot.TrajectoryStatistic("x", guarded(stats))
        self.assertTrue(numpy.array_equal(statistic.stats, stats.astype(numpy.float32)))

    def test_non_contiguous_views_are_read_in_their_logical_order(self):
        base = numpy.arange(40, dtype=numpy.float32).reshape(5, 8)
        for view in (base.T, base[:, ::3], base[::-2], numpy.asfortranarray(base)):
            with self.subTest(strides=view.strides, shape=view.shape):
                statistic = trajplot.TrajectoryStatistic("x", guarded(view))
                self.assertEqual(statistic.stats.tolist(), view.tolist())

    def test_other_dtypes_and_byte_orders(self):
        expected = [[1.0, 2.0], [3.0, 4.0]]
        for dtype in (numpy.int32, numpy.uint8, numpy.float16, ">f4", ">f8", bool):
            with self.subTest(dtype=dtype):
                array = numpy.array(expected, dtype=dtype)
                statistic = trajplot.TrajectoryStatistic("x", guarded(array))
                self.assertEqual(statistic.stats.tolist(), array.astype(numpy.float32).tolist())

    def test_nan_and_infinity_pass_through(self):
        stats = numpy.array([[numpy.nan, numpy.inf, -numpy.inf, 1.0]], dtype=numpy.float32)
        values = trajplot.TrajectoryStatistic("x", stats).stats[0]
        self.assertTrue(math.isnan(values[0]))
        self.assertEqual(values[1:].tolist(), [math.inf, -math.inf, 1.0])

    def test_array_likes_go_through_numpy(self):
        class ArrayLike:
            def __array__(self, dtype=None):
                return numpy.ones((2, 3), dtype=numpy.float32)

        self.assertEqual(trajplot.TrajectoryStatistic("x", ArrayLike()).shape, (2, 3))

    def test_wrong_dimensions_and_dtypes(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "shape 2 x 3 x 4"):
            trajplot.TrajectoryStatistic("x", numpy.zeros((2, 3, 4), dtype=numpy.float32))
        with self.assertRaisesRegex(TypeError, "dtype complex"):
            trajplot.TrajectoryStatistic("x", numpy.zeros((2, 3), dtype=complex))
        with self.assertRaisesRegex(TypeError, "dtype <U1"):
            trajplot.TrajectoryStatistic("x", numpy.array([["a"]]))

    def test_the_input_array_is_not_modified_or_kept(self):
        stats = numpy.ones((2, 2), dtype=numpy.float32)
        statistic = trajplot.TrajectoryStatistic("x", stats)
        stats[0, 0] = 7.0
        self.assertEqual(statistic.stats[0, 0], 1.0)
        self.assertEqual(statistic.clip(0.0, 0.5).stats.tolist(), [[0.5, 0.5], [0.5, 0.5]])
        self.assertEqual(stats[1, 1], 1.0)

    def test_string_arrays_of_every_kind(self):
        tokens = ["The", "Eiffel", "Tower"]
        for array in (numpy.array(tokens), numpy.array(tokens, dtype=object),
                      numpy.array([token.encode() for token in tokens])):
            with self.subTest(dtype=array.dtype):
                statistic = trajplot.TrajectoryStatistic("x", numpy.ones((1, 3)), sequence_labels=array)
                self.assertEqual(statistic.sequence_labels.tolist(), tokens)

    def test_stats_come_back_as_a_fresh_float32_array(self):
        statistic = trajplot.TrajectoryStatistic("x", numpy.ones((2, 2)))
        first, second = statistic.stats, statistic.stats
        self.assertEqual((first.dtype, first.shape, first.flags.c_contiguous), (numpy.float32, (2, 2), True))
        self.assertFalse(numpy.shares_memory(first, second))


class WithoutNumpy(unittest.TestCase):
    @without_numpy
    def test_nested_lists_are_packed_by_the_standard_library(self):
        n_layers, seq_len, buffer, _ = _arrays.float_matrix([[1.5, 2.5], [3.5, None]])
        self.assertEqual((n_layers, seq_len), (2, 2))
        self.assertEqual(list(buffer)[:3], [1.5, 2.5, 3.5])
        self.assertTrue(math.isnan(list(buffer)[3]))
        statistic = trajplot.TrajectoryStatistic("x", [[1.5, 2.5], [3.5, 4.5]])
        self.assertEqual(plain(statistic.stats), [[1.5, 2.5], [3.5, 4.5]])


if __name__ == "__main__":
    unittest.main()
