"""TrajectoryLabels: the text of each cell and its hover table."""
import ctypes
import json

from . import _arrays, _lib
from ._handle import Handle
from ._lib import C
from .errors import InvalidArgumentError


class TrajectoryLabels(Handle):
    """Labels for each layer and position in the residual stream.

    ``label_strings`` is n_layers x seq_len strings (the text drawn in each
    cell); ``hover_over_entries``, when given, n_layers x seq_len x rows x
    cols strings (a table shown when hovering a cell, e.g. the top-k tokens
    and their probabilities). Both may be nested lists or numpy arrays of
    str. The labels are immutable: stride() returns new labels.
    """

    _free = staticmethod(C.trajplot_labels_free)

    def __init__(self, label_strings, hover_over_entries=None):
        # numpy str and bytes arrays reach the library as they are; other
        # strings as one UTF-8 buffer each (_arrays.strings).
        shape, labels = _arrays.strings(label_strings, 2, "label_strings")
        hover = None
        rows = cols = 0
        if hover_over_entries is not None:
            hover_shape, hover = _arrays.strings(hover_over_entries, 4, "hover_over_entries")
            if tuple(hover_shape[:2]) != tuple(shape):
                raise InvalidArgumentError(
                    "hover_over_entries has shape %s but label_strings has shape %s"
                    % (_arrays.shape_text(hover_shape), _arrays.shape_text(shape))
                )
            rows, cols = hover_shape[2], hover_shape[3]
        handle = _lib.labels_p()
        C.trajplot_labels_create_from_strings(
            ctypes.byref(handle), shape[0], shape[1], labels.pointer,
            hover.pointer if hover is not None else None, rows, cols)
        super().__init__(handle)

    @classmethod
    def _adopt(cls, handle):
        """Wraps a handle the library returned; the object then owns it."""
        labels = cls.__new__(cls)
        Handle.__init__(labels, handle)
        return labels

    # -- shape and contents, read back from the library -------------------

    @property
    def shape(self):
        """(n_layers, seq_len)."""
        return self._shape()[:2]

    @property
    def hover_shape(self):
        """(rows, cols) of each hover table, or None without hover tables."""
        rows, cols = self._shape()[2:]
        return (rows, cols) if rows else None

    def _shape(self):
        if "_cached_shape" not in self.__dict__:
            extents = [ctypes.c_size_t() for _ in range(4)]
            with self._held() as live:
                C.trajplot_labels_shape(*(ctypes.byref(extent) for extent in extents), live)
            self._cached_shape = tuple(extent.value for extent in extents)
        return self._cached_shape

    def _label_texts(self):
        if "_cached_labels" not in self.__dict__:
            with self._held() as handle:
                n_layers, seq_len = self.shape
                text, length = _lib.char_p(), ctypes.c_size_t()
                out, out_len = ctypes.byref(text), ctypes.byref(length)
                texts = []
                for layer in range(n_layers):
                    for position in range(seq_len):
                        C.trajplot_labels_label(out, out_len, handle, layer, position)
                        texts.append(_lib.borrowed_string(text, length))
            self._cached_labels = tuple(texts)
        return self._cached_labels

    def _hover_texts(self):
        if "_cached_hover" not in self.__dict__:
            with self._held() as handle:
                n_layers, seq_len, rows, cols = self._shape()
                text, length = _lib.char_p(), ctypes.c_size_t()
                out, out_len = ctypes.byref(text), ctypes.byref(length)
                texts = []
                for layer in range(n_layers):
                    for position in range(seq_len):
                        for row in range(rows):
                            for col in range(cols):
                                C.trajplot_labels_hover_entry(out, out_len, handle, layer, position, row, col)
                                texts.append(_lib.borrowed_string(text, length))
            self._cached_hover = tuple(texts)
        return self._cached_hover

    @property
    def label_strings(self):
        """n_layers x seq_len labels (numpy str array, or nested lists
        without numpy)."""
        return _arrays.text_array(self._label_texts(), self.shape)

    @property
    def hover_over_entries(self):
        """n_layers x seq_len x rows x cols hover entries, or None."""
        if self.hover_shape is None:
            return None
        return _arrays.text_array(self._hover_texts(), self._shape())

    # -- operations -------------------------------------------------------

    def stride(self, stride):
        """New labels keeping layers 0, stride, 2 * stride, ... of all but
        the last layer, then the last layer."""
        stride = _arrays.size_value(stride, "stride")
        handle = _lib.labels_p()
        with self._held() as live:
            C.trajplot_labels_stride(ctypes.byref(handle), live, stride)
        return TrajectoryLabels._adopt(handle)

    def template_and_customdata(self, col_width_limit=10):
        """(hovertemplate, customdata) for Plotly: each hover column is
        padded on the left, or cut to its last characters, to
        min(1 + its longest entry, col_width_limit) characters; customdata
        is n_layers x seq_len x (rows * cols)."""
        col_width_limit = _arrays.size_value(col_width_limit, "col_width_limit")
        template, template_len = _lib.char_p(), ctypes.c_size_t()
        customdata, customdata_len = _lib.char_p(), ctypes.c_size_t()
        with self._held() as live:
            C.trajplot_labels_template_and_customdata(
                ctypes.byref(template), ctypes.byref(template_len),
                ctypes.byref(customdata), ctypes.byref(customdata_len),
                live, col_width_limit)
        template_text = _lib.take_string(template, template_len).decode("utf-8")
        rows = json.loads(_lib.take_string(customdata, customdata_len).decode("utf-8"))
        n_layers, seq_len, hover_rows, hover_cols = self._shape()
        flat = [entry for layer in rows for cell in layer for entry in cell]
        return template_text, _arrays.text_array(flat, (n_layers, seq_len, hover_rows * hover_cols))

    # -- Python protocols -------------------------------------------------

    def _nested(self):
        hover = None
        if self.hover_shape is not None:
            hover = _arrays.nest(self._hover_texts(), self._shape())
        return _arrays.nest(self._label_texts(), self.shape), hover

    def __reduce__(self):
        return (TrajectoryLabels, self._nested())

    def __repr__(self):
        if self.closed:
            return "<closed TrajectoryLabels>"
        hover = self.hover_shape
        return "<TrajectoryLabels %s%s>" % (
            _arrays.shape_text(self.shape),
            ", hover tables %s" % _arrays.shape_text(hover) if hover else "")
