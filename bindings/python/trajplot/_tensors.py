"""Lens outputs and token ids as the statistics engine takes them.

Lens outputs can be gigabytes, so a float32 C-contiguous tensor is passed
to the library by its own address, held only for the duration of the call,
and anything else is refused with the conversion to make, never converted
here behind the caller's back. Token ids are small: any integer array or
nested sequence is converted to int64.
"""
import array
import ctypes
import numbers
import operator
import sys

from . import _lib
from ._arrays import flatten, shape_text
from ._compat import numpy
from .errors import InvalidArgumentError

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

CONVERSION_HINT = (
    "convert it once with numpy.ascontiguousarray(x, dtype=numpy.float32) "
    "(torch: x.float().contiguous().numpy(); without numpy: array.array('f', x))"
)

# struct formats of a native float32: with no prefix, '@' or '=' the
# platform's byte order, else the explicit one that is the platform's.
_NATIVE_FLOAT_FORMATS = ("f", "@f", "=f", ("<f" if sys.byteorder == "little" else ">f"))
_INTEGER_FORMATS = set("bBhHiIlLqQnN")


# -- The buffer protocol, for objects other than numpy arrays ---------------

class _PyBuffer(ctypes.Structure):
    """Py_buffer (Include/pybuffer.h), whose layout is part of the stable ABI."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
        ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
        ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
        ("internal", ctypes.c_void_p),
    ]


_PyBUF_SIMPLE = 0
_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_release_buffer.restype = None


# Where an empty tensor points: the library checks a length, not a null
# pointer, for the caller to read.
_NO_FLOATS = (ctypes.c_float * 1)()


class FloatTensor:
    """A float32 C-contiguous tensor read in place: ``shape``, ``count``
    (floats) and ``address``, valid until release() (or the end of a
    ``with`` block), which gives the tensor back to its owner: an
    ``array.array`` can be resized again, a numpy array is no longer
    referenced."""

    def __init__(self, shape, address, owner, exported=None):
        self.shape = tuple(shape)
        self.count = 1
        for extent in self.shape:
            self.count *= extent
        self.address = address or ctypes.addressof(_NO_FLOATS)
        self._owner = owner
        self._exported = exported

    def pointer(self, offset=0):
        """A float pointer ``offset`` floats into the tensor."""
        return ctypes.cast(ctypes.c_void_p(self.address + 4 * offset), _lib.c_float_p)

    def release(self):
        exported, self._exported = self._exported, None
        owner, self._owner = self._owner, None
        if exported is not None:
            _release_buffer(ctypes.byref(exported))
        if isinstance(owner, memoryview):
            owner.release()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.release()

    def __del__(self):
        self.release()


def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else "%s.%s" % (kind.__module__, kind.__name__)


def _from_numpy(tensor, name):
    if tensor.dtype != numpy.float32:
        raise TypeError(
            "%s has dtype %s (shape %s); the engine reads float32 in place and does not convert "
            "a tensor silently: %s" % (name, tensor.dtype, shape_text(tensor.shape) or "()", CONVERSION_HINT))
    if not (tensor.flags.c_contiguous and tensor.flags.aligned):
        raise InvalidArgumentError(
            "%s (shape %s, strides %s) is not a C-contiguous aligned array; the engine reads a "
            "tensor in place: %s" % (name, shape_text(tensor.shape) or "()", tensor.strides,
                                     CONVERSION_HINT))
    return FloatTensor(tensor.shape, tensor.ctypes.data, tensor)


def _from_buffer(view, name):
    if view.format not in _NATIVE_FLOAT_FORMATS:
        given = view.format
        shape = shape_text(view.shape) or "()"
        view.release()
        hint = CONVERSION_HINT
        if given in ("B", "b", "c"):
            hint = "if its bytes are float32, read them as such with memoryview(x).cast('f'); else " + hint
        raise TypeError(
            "%s is a buffer of format %r (shape %s); the engine reads float32 (format 'f') in "
            "place and does not convert a tensor silently: %s" % (name, given, shape, hint))
    if not view.c_contiguous:
        message = ("%s (shape %s, strides %s) is not C-contiguous; the engine reads a tensor in "
                   "place: %s" % (name, shape_text(view.shape) or "()", view.strides, CONVERSION_HINT))
        view.release()
        raise InvalidArgumentError(message)
    exported = _PyBuffer()
    try:
        # The address, and an export that keeps it valid (an array.array
        # cannot be resized meanwhile) until release(); works on read-only
        # buffers too (bytes, read-only mmaps), which ctypes' from_buffer
        # refuses.
        _get_buffer(view, ctypes.byref(exported), _PyBUF_SIMPLE)
    except BaseException:
        view.release()
        raise
    return FloatTensor(view.shape, exported.buf or 0, view, exported)


def _nesting_depth(value):
    depth = 0
    while isinstance(value, (list, tuple)):
        depth += 1
        if not value:
            break
        value = value[0]
    return depth


def _from_sequence(value, name):
    def number(item, where):
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            return float(item)
        raise TypeError("%s is %s, expected a number" % (where, type(item).__name__))

    shape, flat = flatten(value, _nesting_depth(value), name, number)
    packed = array.array("f", flat)
    return FloatTensor(shape, packed.buffer_info()[0] if packed else 0, packed)


def float_tensor(value, name):
    """The FloatTensor of ``value``: a numpy float32 C-contiguous array (or
    anything numpy.asarray reads without copying, such as a CPU torch
    tensor), any buffer of format 'f' that is C-contiguous (array.array,
    memoryview, mmap cast to 'f'), both read in place; or nested lists or
    tuples of numbers, packed once (they have no float32 storage to read)."""
    if isinstance(value, (list, tuple)):
        return _from_sequence(value, name)
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _from_numpy(value, name)
    try:
        view = memoryview(value)
    except TypeError:
        view = None
    if view is not None:
        return _from_buffer(view, name)
    if numpy is not None and (hasattr(value, "__array_interface__") or hasattr(value, "__array__")
                              or hasattr(value, "__array_struct__")):
        return _from_numpy(numpy.asarray(value), name)
    raise TypeError(
        "%s must be a float32 array (numpy, array.array('f'), any buffer of format 'f') or "
        "nested lists of numbers, not %s" % (name, _type_name(value)))


# -- Token ids ---------------------------------------------------------------

class Ids:
    """int64 ids in a buffer the library can read: ``pointer`` stays valid
    while this object lives."""

    def __init__(self, shape, packed):
        self.shape = tuple(shape)
        self._packed = packed
        if numpy is not None and isinstance(packed, numpy.ndarray):
            self.pointer = packed.ctypes.data_as(_lib.c_int64_p)
        else:
            self.pointer = (ctypes.c_int64 * len(packed)).from_buffer(packed) if packed else None


def _id(item, where):
    if isinstance(item, bool) or not isinstance(item, numbers.Integral):
        raise TypeError("%s is %s, expected an integer token id" % (where, type(item).__name__))
    item = operator.index(item)
    if not INT64_MIN <= item <= INT64_MAX:
        raise InvalidArgumentError("%s is %d, not a token id (it does not fit in int64)" % (where, item))
    return item


def token_ids(value, name):
    """Ids of any integer numpy dtype, integer buffers, or nested sequences
    of int, as int64."""
    if numpy is not None and not isinstance(value, (list, tuple)):
        ids = numpy.asarray(value)
        if ids.dtype.kind not in "iu":
            raise TypeError("%s has dtype %s, expected integer token ids" % (name, ids.dtype))
        if ids.dtype.kind == "u" and ids.size and ids.max() > INT64_MAX:
            raise InvalidArgumentError("%s holds %d, not a token id (it does not fit in int64)"
                                       % (name, ids.max()))
        return Ids(ids.shape, numpy.ascontiguousarray(ids, dtype=numpy.int64))
    if not isinstance(value, (list, tuple)):
        try:
            view = memoryview(value)
        except TypeError:
            raise TypeError("%s must be integer token ids (a nested sequence or an integer array), "
                            "not %s" % (name, _type_name(value))) from None
        with view:
            if view.format.lstrip("@=<>!") not in _INTEGER_FORMATS:
                raise TypeError("%s is a buffer of format %r, expected integer token ids"
                                % (name, view.format))
            shape, value = view.shape, view.tolist()
        flat = _flatten_ids(value, len(shape), name)[1]
    else:
        shape, flat = _flatten_ids(value, _nesting_depth(value), name)
    return Ids(shape, array.array("q", flat))


def _flatten_ids(value, ndim, name):
    return flatten(value, ndim, name, _id)
