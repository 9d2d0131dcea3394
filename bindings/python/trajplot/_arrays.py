"""Conversions between Python values and the arrays of the C API.

Numbers go to the library as one float32 buffer: a C-contiguous float32
numpy array is passed by pointer as it is, any other numpy array (or
array-like) is converted once by numpy, and nested lists are packed by the
standard library's array module. Strings go as UTF-8 with explicit byte
lengths, so NUL characters inside them survive; labels and vocabularies
take numpy's fixed-width str and bytes arrays as they are, and anything
else as one UTF-8 buffer with offsets (Strings).
"""
import array
import ctypes
import itertools
import math
import numbers
import operator
import os

from . import _lib
from ._compat import numpy
from .errors import InvalidArgumentError, SizeOverflowError

SIZE_MAX = ctypes.c_size_t(-1).value


def shape_text(shape):
    return " x ".join(str(extent) for extent in shape)


def _is_nested(node):
    if isinstance(node, (str, bytes)):
        return False
    if isinstance(node, (list, tuple)):
        return True
    return numpy is not None and isinstance(node, numpy.ndarray) and node.ndim > 0


def flatten(value, ndim, name, leaf):
    """(shape, flat items) of a rectangular nested sequence of ndim levels;
    ``leaf(item, where)`` converts each item."""
    shape = [None] * ndim
    flat = []

    def walk(node, depth, where):
        if depth == ndim:
            flat.append(leaf(node, where))
            return
        if not _is_nested(node):
            raise InvalidArgumentError(
                "%s must be %d-dimensional, but %s is %s"
                % (name, ndim, where, type(node).__name__)
            )
        length = len(node)
        if shape[depth] is None:
            shape[depth] = length
        elif shape[depth] != length:
            raise InvalidArgumentError(
                "%s is ragged: %s has %d items where the first has %d"
                % (name, where, length, shape[depth])
            )
        for index, item in enumerate(node):
            walk(item, depth + 1, "%s[%d]" % (where, index))

    walk(value, 0, name)
    return tuple(0 if extent is None else extent for extent in shape), flat


def _number(item, where):
    if item is None:
        return math.nan
    if isinstance(item, numbers.Real):
        return float(item)
    raise TypeError("%s is %s, expected a number" % (where, type(item).__name__))


def float_matrix(value, name="stats"):
    """(n_layers, seq_len, pointer, owner): the values as row-major float32;
    ``owner`` keeps the buffer alive while the pointer is in use."""
    from . import _tensors  # here: _tensors builds on this module

    if _tensors.exports_dlpack(value):  # torch tensors, with or without numpy
        return _tensors.float_matrix(value, name)
    if numpy is not None and not isinstance(value, (list, tuple)):
        matrix = numpy.asarray(value)
        if matrix.ndim != 2:
            raise InvalidArgumentError(
                "%s must be 2-dimensional (n_layers x seq_len), got shape %s"
                % (name, shape_text(matrix.shape) or "()")
            )
        if matrix.dtype.kind not in "biuf":
            raise TypeError("%s has dtype %s, expected numbers" % (name, matrix.dtype))
        # No copy at all for an aligned C-contiguous float32 array; anything
        # else is converted once, by numpy, not element by element here.
        matrix = numpy.require(matrix, numpy.float32, ["C_CONTIGUOUS", "ALIGNED"])
        return matrix.shape[0], matrix.shape[1], matrix.ctypes.data_as(_lib.c_float_p), matrix
    shape, flat = flatten(value, 2, name, _number)
    packed = array.array("f", flat)
    buffer = (ctypes.c_float * len(packed)).from_buffer(packed)
    return shape[0], shape[1], buffer, (packed, buffer)


def encode_text(item, where):
    if isinstance(item, str):
        # Lone surrogates cannot be UTF-8; passed through, the library
        # replaces them with U+FFFD like any other invalid sequence.
        return item.encode("utf-8", "surrogatepass")
    if isinstance(item, bytes):
        return bytes(item)
    raise TypeError("%s is %s, expected str" % (where, type(item).__name__))


# The array typecode of a size_t (and of a pointer, which has its size on
# every platform the library supports).
_SIZE_TYPECODE = next(code for code in "LQ" if array.array(code).itemsize == ctypes.sizeof(ctypes.c_size_t))


class StringArray:
    """Strings as the C API takes them: pointers plus byte lengths.

    The strings are joined into one buffer and the pointer and length
    arrays computed in bulk, by numpy or by the array module: building a
    million ctypes pointers one by one costs more than the library's whole
    export.
    """

    def __init__(self, encoded):
        self.encoded = encoded
        if not encoded:
            self.pointers = (ctypes.c_char_p * 0)()
            self.lengths = (ctypes.c_size_t * 0)()
            return
        self._buffer = ctypes.c_char_p(b"".join(encoded))  # keeps the joined bytes alive
        base = ctypes.cast(self._buffer, ctypes.c_void_p).value or 0
        if numpy is None:
            self._lengths = array.array(_SIZE_TYPECODE, map(len, encoded))
            self._pointers = array.array(_SIZE_TYPECODE, itertools.accumulate(self._lengths, initial=base))
            self._pointers.pop()  # the end of the last string
            self.pointers = ctypes.cast(self._pointers.buffer_info()[0], ctypes.POINTER(ctypes.c_char_p))
            self.lengths = ctypes.cast(self._lengths.buffer_info()[0], ctypes.POINTER(ctypes.c_size_t))
            return
        self._lengths = numpy.fromiter(map(len, encoded), dtype=numpy.uintp, count=len(encoded))
        self._pointers = numpy.empty(len(encoded), dtype=numpy.uintp)
        self._pointers[0] = base
        numpy.cumsum(self._lengths[:-1], out=self._pointers[1:])
        self._pointers[1:] += base
        self.pointers = ctypes.cast(self._pointers.ctypes.data, ctypes.POINTER(ctypes.c_char_p))
        self.lengths = ctypes.cast(self._lengths.ctypes.data, ctypes.POINTER(ctypes.c_size_t))


_SEQUENCE_TYPES = frozenset((list, tuple))


def _nested_items(value, ndim):
    """(shape, items) of a rectangular nested list or tuple `ndim` deep,
    found in bulk (a few passes at C speed per level); None for anything
    else, which flatten() then examines item by item (and explains, when it
    is wrong)."""
    level = [value]
    shape = []
    for _ in range(ndim):
        if not set(map(type, level)) <= _SEQUENCE_TYPES:
            return None
        lengths = set(map(len, level))
        if len(lengths) != 1:
            return None
        shape.append(lengths.pop())
        level = list(itertools.chain.from_iterable(level))
    return tuple(shape), level


def _plain_strings(value, ndim):
    """(shape, items) of a rectangular nested list or tuple of str; None for
    anything else."""
    nested = _nested_items(value, ndim)
    if nested is None or not all(type(item) is str for item in nested[1]):
        return None
    return nested


def _encode_all(items):
    # Lone surrogates pass through, as in encode_text.
    return [item.encode("utf-8", "surrogatepass") for item in items]


def string_array(value, ndim, name):
    """(shape, StringArray) of a nested sequence or numpy array of str."""
    if numpy is not None and isinstance(value, numpy.ndarray):
        if value.ndim != ndim:
            raise InvalidArgumentError(
                "%s must be %d-dimensional, got shape %s"
                % (name, ndim, shape_text(value.shape) or "()")
            )
        if value.dtype.kind not in "USO":
            raise TypeError("%s has dtype %s, expected str" % (name, value.dtype))
        items = value.ravel().tolist()
        if all(type(item) is str for item in items):
            return value.shape, StringArray(_encode_all(items))
        encoded = [encode_text(item, "%s element %d" % (name, index))
                   for index, item in enumerate(items)]
        return value.shape, StringArray(encoded)
    plain = _plain_strings(value, ndim)
    if plain is not None:
        shape, items = plain
        return shape, StringArray(_encode_all(items))
    shape, encoded = flatten(value, ndim, name, encode_text)
    return shape, StringArray(encoded)


class Strings:
    """A string array as a trajplot_strings descriptor describes it, with
    the memory it points into kept alive: numpy's fixed-width arrays as
    they are, anything else as one UTF-8 buffer with offsets. Pass
    ``pointer`` to the C API."""

    def __init__(self, layout, count, owner, data, width=0, offsets=None, data_len=0):
        self.count = count
        self.descriptor = _lib.trajplot_strings(
            _lib.STRINGS_VERSION, layout, count, data, None, width, offsets, data_len)
        # Held by the descriptor itself, so that it never outlives the
        # memory it points into.
        self.descriptor.owner = owner

    @property
    def pointer(self):
        return ctypes.byref(self.descriptor)


def _address(data):
    return ctypes.cast(data, ctypes.c_void_p).value


def _offset_strings(data, offsets, offsets_address):
    """Strings as one UTF-8 buffer, `data`, and count + 1 uint64 offsets."""
    pointer = ctypes.cast(offsets_address, ctypes.POINTER(ctypes.c_uint64))
    return Strings(_lib.STRINGS_UTF8_OFFSETS, len(offsets) - 1, (data, offsets), _address(data),
                   offsets=pointer, data_len=len(data))


def _length_strings(data, lengths):
    """Strings as one UTF-8 buffer and their byte lengths."""
    offsets = array.array("Q", itertools.accumulate(lengths, initial=0))
    return _offset_strings(data, offsets, offsets.buffer_info()[0])


def _joined_strings(items):
    """Items that are all str as one UTF-8 buffer with offsets, or None when
    one is not. They are joined and then encoded once, which costs a
    fraction of encoding each. With numpy, joined with NUL separators when
    no item holds a NUL: the separators' places in the UTF-8 are the
    offsets, found at C speed. Otherwise their byte lengths are their
    lengths when all are ASCII, and only the others are encoded to measure
    them. Lone surrogates pass through, as in encode_text."""
    count = len(items)
    if numpy is not None and count > 1:
        try:
            joined = "\0".join(items)
        except TypeError:
            return None
        if joined.count("\0") == count - 1:
            data = joined.encode("utf-8", "surrogatepass")
            separators = numpy.flatnonzero(numpy.frombuffer(data, numpy.uint8) == 0)
            offsets = numpy.empty(count + 1, numpy.uint64)
            offsets[0] = 0
            offsets[1:count] = separators - numpy.arange(count - 1)
            offsets[count] = len(data) - (count - 1)
            return _offset_strings(data.replace(b"\0", b""), offsets, offsets.ctypes.data)
    try:
        joined = "".join(items)
    except TypeError:
        return None
    data = joined.encode("utf-8", "surrogatepass")
    if len(data) == len(joined):
        return _length_strings(data, map(len, items))
    return _length_strings(data, [len(item) if item.isascii() else len(item.encode("utf-8", "surrogatepass"))
                                  for item in items])


def _fixed_width_strings(value):
    """A numpy U or S array passed as it is (copied only when it is not
    C-contiguous, aligned and, for U, in native byte order): the library
    reads numpy's own layout, so no string is touched here."""
    if value.dtype.kind == "U":
        fixed = numpy.require(value, value.dtype.newbyteorder("="), ["C_CONTIGUOUS", "ALIGNED"])
        layout, width = _lib.STRINGS_UTF32, fixed.dtype.itemsize // 4
    else:
        fixed = numpy.require(value, None, ["C_CONTIGUOUS"])
        layout, width = _lib.STRINGS_BYTES, fixed.dtype.itemsize
    return Strings(layout, fixed.size, fixed, fixed.ctypes.data, width=width)


def strings(value, ndim, name):
    """(shape, Strings) of a nested sequence or numpy array of str (bytes
    items are read as UTF-8), as string_array accepts them."""
    if numpy is not None and isinstance(value, numpy.ndarray):
        if value.ndim != ndim:
            raise InvalidArgumentError(
                "%s must be %d-dimensional, got shape %s"
                % (name, ndim, shape_text(value.shape) or "()")
            )
        if value.dtype.kind not in "USO":
            raise TypeError("%s has dtype %s, expected str" % (name, value.dtype))
        if value.dtype.kind in "US":
            return value.shape, _fixed_width_strings(value)
        items = value.ravel().tolist()
        joined = _joined_strings(items)
        if joined is not None:
            return value.shape, joined
        encoded = [encode_text(item, "%s element %d" % (name, index))
                   for index, item in enumerate(items)]
        return value.shape, _length_strings(b"".join(encoded), map(len, encoded))
    nested = _nested_items(value, ndim)
    if nested is not None:
        shape, items = nested
        joined = _joined_strings(items)
        if joined is not None:
            return shape, joined
    shape, encoded = flatten(value, ndim, name, encode_text)
    return shape, _length_strings(b"".join(encoded), map(len, encoded))


def c_string(value, name):
    """A str the C API takes NUL-terminated (names, units, titles)."""
    if not isinstance(value, str):
        raise TypeError("%s must be str, not %s" % (name, type(value).__name__))
    encoded = value.encode("utf-8", "surrogatepass")
    if b"\0" in encoded:
        raise InvalidArgumentError(
            "%s contains a NUL character, which the C API cannot take here "
            "(labels, tokens and hover entries may hold NULs; names, units, "
            "titles and options may not)" % name
        )
    return encoded


def c_path(value, name="path"):
    encoded = os.fsencode(value)
    if b"\0" in encoded:
        raise InvalidArgumentError("%s contains a NUL character" % name)
    return encoded


def size_value(value, name):
    """A non-negative integer that fits a size_t."""
    if isinstance(value, bool):
        raise TypeError("%s must be an integer, not bool" % name)
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an integer, not %s" % (name, type(value).__name__)) from None
    if value < 0:
        raise InvalidArgumentError("%s must not be negative, got %d" % (name, value))
    if value > SIZE_MAX:
        raise SizeOverflowError("%s is %d, larger than the largest size, %d" % (name, value, SIZE_MAX))
    return value


def nest(flat, shape):
    """Nested lists of the given shape from row-major items."""
    if len(shape) <= 1:
        return list(flat)
    step = 1
    for extent in shape[1:]:
        step *= extent
    return [nest(flat[row * step:(row + 1) * step], shape[1:]) for row in range(shape[0])]


def text_array(flat, shape):
    """Strings as the reference holds them: a numpy str array when numpy is
    importable (its str_ dtype drops trailing NUL characters), else nested
    lists."""
    if numpy is not None:
        return numpy.array(flat, dtype=str).reshape(shape)
    return nest(flat, shape)
