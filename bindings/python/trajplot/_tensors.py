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
    "(without numpy: array.array('f', x))"
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


# -- DLPack: torch tensors and other exporters, read without numpy -----------
#
# __dlpack__() gives a capsule of the tensor's DLManagedTensor (dlpack.h):
# the address, shape, strides in elements and dtype of its own memory. The
# capsule is held, not consumed, while the library reads: left named
# "dltensor", its destructor calls the producer's deleter when it is
# dropped, which is when the memory may go.

class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


_DL_CPU = 1
_DL_INT, _DL_UINT, _DL_FLOAT = 0, 1, 2
_DL_TYPE_NAMES = {0: "int", 1: "uint", 2: "float", 4: "bfloat", 5: "complex", 6: "bool"}
_DL_INTEGERS = {
    (_DL_INT, 8): ctypes.c_int8, (_DL_INT, 16): ctypes.c_int16,
    (_DL_INT, 32): ctypes.c_int32, (_DL_INT, 64): ctypes.c_int64,
    (_DL_UINT, 8): ctypes.c_uint8, (_DL_UINT, 16): ctypes.c_uint16,
    (_DL_UINT, 32): ctypes.c_uint32, (_DL_UINT, 64): ctypes.c_uint64,
}

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_pointer.restype = ctypes.c_void_p

# The conversion a refusal names for exporters other than torch, by kind of
# input (a torch tensor is told the exact calls).
_GENERIC_FIX = {
    "floats": CONVERSION_HINT,
    "stats": "convert it to float32 in CPU memory",
    "ids": "convert them to an integer dtype in CPU memory",
}


def exports_dlpack(value):
    """Whether ``value`` is read through DLPack: torch tensors and other
    exporters, but not numpy arrays, which keep their own path (numpy's
    flags and messages, and numpy before DLPack)."""
    return (hasattr(value, "__dlpack__") and hasattr(value, "__dlpack_device__")
            and not isinstance(value, type)
            and not (numpy is not None and isinstance(value, numpy.ndarray)))


def _is_torch(value):
    # torch.Tensor or a subclass (nn.Parameter, a user's), whose torch
    # attributes name dtype, device and grad.
    return any(kind.__name__ == "Tensor" and kind.__module__ == "torch" for kind in type(value).__mro__)


def _torch_dtype_fits(dtype, kind):
    if kind == "ids":
        return not (dtype.is_floating_point or dtype.is_complex or str(dtype) == "torch.bool")
    return str(dtype) == "torch.float32"


def _fix(value, kind):
    """What to pass instead: for a torch tensor the calls that make it one
    the engine reads ("pass tensor.detach().cpu().float()")."""
    if not _is_torch(value):
        return _GENERIC_FIX[kind]
    calls = []
    if value.requires_grad:
        calls.append("detach()")
    if value.device.type != "cpu":
        calls.append("cpu()")
    if not _torch_dtype_fits(value.dtype, kind):
        calls.append("long()" if kind == "ids" else "float()")
    if kind == "floats" and not value.is_contiguous():
        calls.append("contiguous()")
    # A contiguous view of misaligned bytes: a copy has its own storage.
    return "pass tensor." + (".".join(calls) or "clone()")


def _describe(value, exported=None):
    """'a torch.float64 tensor', or the type and dtype of another exporter."""
    dtype = getattr(value, "dtype", None)
    if dtype is None and exported is not None:
        dtype = exported.dtype_name
    if _is_torch(value):
        return "a %s tensor" % dtype
    if dtype is None:
        return "a %s" % _type_name(value)
    return "a %s of dtype %s" % (_type_name(value), dtype)


class _Exported:
    """The memory of a DLPack tensor: ``shape``, ``strides`` (in elements,
    None for row-major), dtype ``code``, ``bits``, ``lanes`` and
    ``address``, valid while ``capsule`` is held."""

    def __init__(self, value):
        self.capsule = value.__dlpack__()
        managed = _DLManagedTensor.from_address(_capsule_pointer(self.capsule, b"dltensor"))
        tensor = managed.dl_tensor
        self.shape = tuple(tensor.shape[axis] for axis in range(tensor.ndim))
        self.strides = (tuple(tensor.strides[axis] for axis in range(tensor.ndim))
                        if tensor.strides else None)
        self.code, self.bits, self.lanes = tensor.dtype.code, tensor.dtype.bits, tensor.dtype.lanes
        self.address = (tensor.data or 0) + tensor.byte_offset

    @property
    def dtype_name(self):
        name = "%s%d" % (_DL_TYPE_NAMES.get(self.code, "code %d/" % self.code), self.bits)
        return name if self.lanes == 1 else "%sx%d" % (name, self.lanes)

    def is_dtype(self, code, bits):
        return (self.code, self.bits, self.lanes) == (code, bits, 1)

    def is_row_major(self, alignment):
        """Whether the elements lie in row-major order, one after the other,
        from an aligned address. Strides of extents of 1 do not matter:
        torch reports 1 for them."""
        if self.address % alignment:
            return False
        if self.strides is None or 0 in self.shape:
            return True
        expected = 1
        for extent, stride in zip(reversed(self.shape), reversed(self.strides)):
            if extent != 1 and stride != expected:
                return False
            expected *= extent
        return True

    def elements(self, ctype):
        """Every element in row-major order, read through the strides: for
        the small inputs that are copied (statistics, token ids)."""
        count = 1
        for extent in self.shape:
            count *= extent
        if count == 0:
            return []
        strides = self.strides
        if strides is None:
            strides, step = [], 1
            for extent in reversed(self.shape):
                strides.insert(0, step)
                step *= extent
        offsets = [0]
        for extent, stride in zip(self.shape, strides):
            offsets = [offset + index * stride for offset in offsets for index in range(extent)]
        low = min(offsets)
        span = (ctype * (max(offsets) - low + 1)).from_address(
            self.address + low * ctypes.sizeof(ctype))
        return [span[offset - low] for offset in offsets]


def _export(value, name, kind):
    """The _Exported memory of a CPU tensor of a dtype ``kind`` may take
    ("floats", "stats" or "ids"); anything else is refused naming the
    conversion, before anything is exported."""
    if _is_torch(value):
        # torch's own device: __dlpack_device__ raises for some (meta).
        where = str(value.device)
        on_cpu = value.device.type == "cpu"
    else:
        device_type, device_id = (int(item) for item in value.__dlpack_device__())
        where = "DLPack device type %d (id %d)" % (device_type, device_id)
        on_cpu = device_type == _DL_CPU
    if not on_cpu:
        raise InvalidArgumentError(
            "%s is %s on %s; trajplot reads tensors in CPU memory, in place: %s"
            % (name, _describe(value), where, _fix(value, kind)))
    if getattr(value, "requires_grad", False) is True:
        raise InvalidArgumentError(
            "%s is %s that requires grad; trajplot reads it in place, outside autograd: %s"
            % (name, _describe(value), _fix(value, kind)))
    # torch cannot export some dtypes (bool) at all: its own dtype is
    # checked first, so that the refusal names the conversion.
    if _is_torch(value) and not _torch_dtype_fits(value.dtype, kind):
        _refuse_dtype(value, name, kind, tuple(value.shape))
    exported = _Exported(value)
    if kind == "ids":
        fits = (exported.code, exported.bits) in _DL_INTEGERS and exported.lanes == 1
    else:
        fits = exported.is_dtype(_DL_FLOAT, 32)
    if not fits:
        _refuse_dtype(value, name, kind, exported.shape, exported)
    return exported


def _refuse_dtype(value, name, kind, shape, exported=None):
    if kind == "ids":
        what = "token ids are integers"
    elif kind == "stats":
        what = "a statistic's values are read as float32 and a tensor is not converted silently"
    else:
        what = "the engine reads float32 in place and does not convert a tensor silently"
    raise TypeError("%s is %s (shape %s); %s: %s"
                    % (name, _describe(value, exported), shape_text(shape) or "()", what,
                       _fix(value, kind)))


def _from_dlpack(value, name):
    exported = _export(value, name, "floats")
    if not exported.is_row_major(ctypes.alignment(ctypes.c_float)):
        raise InvalidArgumentError(
            "%s (shape %s, strides %s in elements) is not a C-contiguous aligned tensor; the "
            "engine reads a tensor in place: %s"
            % (name, shape_text(exported.shape) or "()", exported.strides, _fix(value, "floats")))
    return FloatTensor(exported.shape, exported.address, exported.capsule)


def float_matrix(value, name):
    """(n_layers, seq_len, pointer, owner) of a 2-dimensional float32
    DLPack tensor, for a statistic's values: read in place when row-major,
    else copied once, as numpy arrays of another layout are (a statistic is
    small); another dtype is refused, as for lens outputs."""
    exported = _export(value, name, "stats")
    if len(exported.shape) != 2:
        raise InvalidArgumentError("%s must be 2-dimensional (n_layers x seq_len), got shape %s"
                                   % (name, shape_text(exported.shape) or "()"))
    if exported.is_row_major(ctypes.alignment(ctypes.c_float)):
        tensor = FloatTensor(exported.shape, exported.address, exported.capsule)
    else:
        packed = array.array("f", exported.elements(ctypes.c_float))
        tensor = FloatTensor(exported.shape, packed.buffer_info()[0] if packed else 0, packed)
    return exported.shape[0], exported.shape[1], tensor.pointer(), tensor


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
    """The FloatTensor of ``value``: a numpy float32 C-contiguous array, a
    CPU torch float32 contiguous tensor (or another DLPack exporter's), any
    buffer of format 'f' that is C-contiguous (array.array, memoryview, mmap
    cast to 'f'), or anything numpy.asarray reads without copying, all read
    in place; or nested lists or tuples of numbers, packed once (they have
    no float32 storage to read)."""
    if isinstance(value, (list, tuple)):
        return _from_sequence(value, name)
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _from_numpy(value, name)
    if exports_dlpack(value):
        return _from_dlpack(value, name)
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

    def __init__(self, shape, packed, address=None):
        self.shape = tuple(shape)
        self._packed = packed
        if address is not None:  # int64 memory of ``packed``'s, read in place
            self.pointer = ctypes.cast(ctypes.c_void_p(address), _lib.c_int64_p)
        elif numpy is not None and isinstance(packed, numpy.ndarray):
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
    """Ids of any integer numpy or torch dtype, integer buffers, or nested
    sequences of int, as int64 (an int64 row-major tensor read in place)."""
    if exports_dlpack(value):
        return _ids_from_dlpack(value, name)
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


def _ids_from_dlpack(value, name):
    exported = _export(value, name, "ids")
    if exported.is_dtype(_DL_INT, 64) and exported.is_row_major(ctypes.alignment(ctypes.c_int64)):
        return Ids(exported.shape, exported.capsule, exported.address)
    # Another integer dtype or layout is converted, as numpy's are: ids are
    # small.
    ids = exported.elements(_DL_INTEGERS[exported.code, exported.bits])
    if exported.code == _DL_UINT and ids and max(ids) > INT64_MAX:
        raise InvalidArgumentError("%s holds %d, not a token id (it does not fit in int64)"
                                   % (name, max(ids)))
    return Ids(exported.shape, array.array("q", ids))
