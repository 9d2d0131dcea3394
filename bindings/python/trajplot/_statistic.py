"""TrajectoryStatistic: a statistic at every layer and position, and its
Plotly figures (drawn through Figure)."""
import array
import contextlib
import ctypes

from . import _arrays, _lib
from ._compat import numpy
from ._handle import Handle
from ._labels import TrajectoryLabels
from ._lib import C

_DEFAULT_COLORSCALE = "rdbu_r"

def _bound(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not (
            numpy is not None and isinstance(value, numpy.number)):
        raise TypeError("%s must be a number or None, not %s" % (name, type(value).__name__))
    return float(value)


class TrajectoryStatistic(Handle):
    """A statistic (entropy, KL, rank, ...) of a lens's predictions at
    every layer and position, with what is needed to draw it.

    ``stats`` is n_layers x seq_len numbers: a numpy array or a CPU torch
    float32 tensor (a C-contiguous float32 one is passed to the library
    without any copy in Python) or nested lists (None is a gap, NaN). ``sequence_labels`` are seq_len input
    tokens, ``trajectory_labels`` a TrajectoryLabels of the same shape,
    ``min``/``max`` the colour range. Layer labels are "0", "1", ..., and
    "output" for the last layer when ``includes_output``; pass n_layers
    strings as ``layer_labels`` (or, as the reference spells it,
    ``_layer_labels``) to choose them. The statistic is immutable: stride()
    and clip() return new statistics.
    """

    _free = staticmethod(C.trajplot_statistic_free)

    def __init__(self, name, stats, sequence_labels=None, trajectory_labels=None, units=None,
                 max=None, min=None, includes_output=True, _layer_labels=None, *,
                 layer_labels=None):
        if _layer_labels is not None and layer_labels is not None:
            raise TypeError("pass layer_labels or _layer_labels, not both")
        if layer_labels is None:
            layer_labels = _layer_labels
        options = _lib.trajplot_statistic_options()
        C.trajplot_statistic_options_init(ctypes.byref(options), _lib.STATISTIC_OPTIONS_VERSION)
        encoded_name = _arrays.c_string(name, "name")
        # values_owner keeps the buffer that values points into alive until
        # the library has copied it.
        n_layers, seq_len, values, values_owner = _arrays.float_matrix(stats)
        if units is not None:
            options.units = _arrays.c_string(units, "units")
        # The library checks each count against the shape of stats.
        if sequence_labels is not None:
            (count,), tokens = _arrays.string_array(sequence_labels, 1, "sequence_labels")
            options.sequence_labels = tokens.pointers
            options.sequence_label_lengths = tokens.lengths
            options.sequence_label_count = count
        labels_held = contextlib.nullcontext(None)
        if trajectory_labels is not None:
            if not isinstance(trajectory_labels, TrajectoryLabels):
                raise TypeError("trajectory_labels must be a TrajectoryLabels, not %s"
                                % type(trajectory_labels).__name__)
            labels_held = trajectory_labels._held()
        if layer_labels is not None:
            (count,), layers = _arrays.string_array(layer_labels, 1, "layer_labels")
            options.layer_labels = layers.pointers
            options.layer_label_lengths = layers.lengths
            options.layer_label_count = count
        low, high = _bound(min, "min"), _bound(max, "max")
        if low is not None:
            options.min, options.has_min = low, True
        if high is not None:
            options.max, options.has_max = high, True
        options.includes_output = bool(includes_output)
        handle = _lib.statistic_p()
        with labels_held as live_labels:
            options.trajectory_labels = live_labels
            C.trajplot_statistic_create(ctypes.byref(handle), encoded_name, values, n_layers, seq_len,
                                        ctypes.byref(options))
        super().__init__(handle)

    @classmethod
    def _adopt(cls, handle):
        statistic = cls.__new__(cls)
        Handle.__init__(statistic, handle)
        return statistic

    # -- attributes, read back from the library ----------------------------

    @property
    def shape(self):
        """(n_layers, seq_len)."""
        if "_cached_shape" not in self.__dict__:
            n_layers, seq_len = ctypes.c_size_t(), ctypes.c_size_t()
            with self._held() as live:
                C.trajplot_statistic_shape(ctypes.byref(n_layers), ctypes.byref(seq_len), live)
            self._cached_shape = (n_layers.value, seq_len.value)
        return self._cached_shape

    @property
    def stats(self):
        """The values, n_layers x seq_len float32: a new numpy array on each
        access (nested lists of float without numpy)."""
        n_layers, seq_len = self.shape
        count = n_layers * seq_len
        if numpy is not None:
            values = numpy.empty((n_layers, seq_len), dtype=numpy.float32)
            with self._held() as live:
                C.trajplot_statistic_stats(values.ctypes.data_as(_lib.c_float_p), count, live)
            return values
        packed = array.array("f", bytes(4 * count))
        with self._held() as live:
            C.trajplot_statistic_stats((ctypes.c_float * count).from_buffer(packed), count, live)
        return _arrays.nest(packed.tolist(), (n_layers, seq_len))

    @property
    def name(self):
        text = _lib.char_p()
        with self._held() as live:
            C.trajplot_statistic_name(ctypes.byref(text), live)
            # Borrowed from the statistic: read while it is held.
            return ctypes.string_at(text).decode("utf-8")

    @property
    def units(self):
        """The units, or None."""
        text = _lib.char_p()
        with self._held() as live:
            C.trajplot_statistic_units(ctypes.byref(text), live)
            return ctypes.string_at(text).decode("utf-8") if text else None

    def _range(self):
        has_min, low = ctypes.c_bool(), ctypes.c_float()
        has_max, high = ctypes.c_bool(), ctypes.c_float()
        with self._held() as live:
            C.trajplot_statistic_range(ctypes.byref(has_min), ctypes.byref(low),
                                       ctypes.byref(has_max), ctypes.byref(high), live)
        return (low.value if has_min.value else None, high.value if has_max.value else None)

    @property
    def min(self):
        """The lower end of the colour range, or None."""
        return self._range()[0]

    @property
    def max(self):
        """The upper end of the colour range, or None."""
        return self._range()[1]

    @property
    def includes_output(self):
        flag = ctypes.c_bool()
        with self._held() as live:
            C.trajplot_statistic_includes_output(ctypes.byref(flag), live)
        return flag.value

    def _layer_texts(self):
        if "_cached_layers" not in self.__dict__:
            with self._held() as handle:
                text, length = _lib.char_p(), ctypes.c_size_t()
                texts = []
                for layer in range(self.shape[0]):
                    C.trajplot_statistic_layer_label(ctypes.byref(text), ctypes.byref(length), handle, layer)
                    texts.append(_lib.borrowed_string(text, length))
            self._cached_layers = tuple(texts)
        return self._cached_layers

    def _sequence_texts(self):
        if "_cached_tokens" not in self.__dict__:
            with self._held() as handle:
                text, length = _lib.char_p(), ctypes.c_size_t()
                texts = []
                for position in range(self.shape[1]):
                    C.trajplot_statistic_sequence_label(ctypes.byref(text), ctypes.byref(length),
                                                        handle, position)
                    if not text:
                        texts = None
                        break
                    texts.append(_lib.borrowed_string(text, length))
            self._cached_tokens = None if texts is None else tuple(texts)
        return self._cached_tokens

    @property
    def layer_labels(self):
        """The n_layers y-axis labels (given, or derived from
        includes_output)."""
        texts = self._layer_texts()
        return _arrays.text_array(texts, (len(texts),))

    @property
    def sequence_labels(self):
        """The seq_len input tokens, or None."""
        texts = self._sequence_texts()
        return None if texts is None else _arrays.text_array(texts, (len(texts),))

    @property
    def trajectory_labels(self):
        """The TrajectoryLabels, or None."""
        labels = self.__dict__.get("_cached_trajectory_labels", False)
        # A caller may close the labels it was given; the next access
        # fetches a new handle.
        if labels is False or labels is not None and labels.closed:
            handle = _lib.labels_p()
            with self._held() as live:
                C.trajplot_statistic_trajectory_labels(ctypes.byref(handle), live)
            labels = TrajectoryLabels._adopt(handle) if handle else None
            self._cached_trajectory_labels = labels
        return labels

    # -- new statistics ----------------------------------------------------

    def stride(self, stride):
        """A new statistic keeping layers 0, stride, 2 * stride, ... of all
        but the last layer, then the last layer (values, trajectory labels
        and layer labels alike)."""
        stride = _arrays.size_value(stride, "stride")
        handle = _lib.statistic_p()
        with self._held() as live:
            C.trajplot_statistic_stride(ctypes.byref(handle), live, stride)
        return TrajectoryStatistic._adopt(handle)

    def clip(self, min, max):
        """A new statistic with values clamped into [min, max] (NaN stays
        NaN) and [min, max] as its colour range; needs min < max."""
        low, high = _bound(min, "min"), _bound(max, "max")
        if low is None or high is None:
            raise TypeError("clip needs both min and max")
        handle = _lib.statistic_p()
        with self._held() as live:
            C.trajplot_statistic_clip(ctypes.byref(handle), live, low, high)
        return TrajectoryStatistic._adopt(handle)

    # -- Plotly objects, JSON, HTML and images: through a Figure ------------

    def _figure(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, height=None,
                log_scale=False, hover_value=False, kwargs=None):
        from ._figure import Figure

        return Figure._of(self, title, colorscale, token_width, height, log_scale, hover_value, kwargs or {})

    def heatmap_dict(self, colorscale=_DEFAULT_COLORSCALE, log_scale=False, *, hover_value=False,
                     **kwargs):
        """The heatmap trace as a plain dict (``heatmap().to_dict()``)."""
        return self._figure(colorscale=colorscale, log_scale=log_scale, hover_value=hover_value,
                            kwargs=kwargs).heatmap_dict()

    def heatmap(self, colorscale=_DEFAULT_COLORSCALE, log_scale=False, *, hover_value=False,
                **kwargs):
        """The Plotly heatmap trace, a ``trajplot.Heatmap``: x is the
        sequence, y the layers, the colour of each cell the statistic.
        ``to_dict()`` and ``to_json()`` give it without plotly.py,
        ``to_plotly()`` as a ``plotly.graph_objects.Heatmap``
        (``make_subplots(...).add_trace(stat.heatmap().to_plotly())``; with
        cell labels that needs plotly.py 5.5 or later, see
        Heatmap.to_plotly(); ``trajplot.stacked_figure`` stacks statistics
        without plotly.py).

        Cell labels are sized to fit the cells of trajplot's own figure of
        the statistic (at most 12 px, at least 6); set ``textfont_size``
        (or ``textfont={"size": ...}``) for a layout of your own.
        ``hover_value`` shows the cell's value, with the statistic's name
        and units, above the hover table.

        ``kwargs`` are merged into the trace in plotly.py's style
        (``colorbar_y=0.89``, ``textfont={"size": 10}``); the library checks
        that they are JSON, plotly.py (in ``to_plotly()``) that they are
        attributes it knows.
        """
        return self._figure(colorscale=colorscale, log_scale=log_scale, hover_value=hover_value,
                            kwargs=kwargs).heatmap()

    def figure_dict(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
                    log_scale=False, height=None, hover_value=False, **kwargs):
        """The figure as a plain dict {"data": [trace], "layout": {...}}
        (``figure().to_dict()``)."""
        return self._figure(title, colorscale, token_width, height, log_scale, hover_value,
                            kwargs).figure_dict()

    def figure(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
               log_scale=False, height=None, hover_value=False, **kwargs):
        """The heatmap figure, a ``trajplot.Figure``: a notebook displays
        it, ``show()`` opens it, ``update_layout()`` / ``update_traces()``
        change it in plotly.py's style, ``to_html()`` / ``write_html()`` /
        ``to_json()`` / ``to_dict()`` export it, all without plotly.py;
        ``to_plotly()`` gives a ``plotly.graph_objects.Figure``.

        The figure is 200 + token_width * seq_len pixels wide; ``height``
        (pixels) defaults to Plotly's; ``log_scale``, ``hover_value`` and
        ``kwargs`` are those of heatmap(). The same as
        ``trajplot.Figure(statistic, ...)`` with ``kwargs`` as ``extra``.
        """
        return self._figure(title, colorscale, token_width, height, log_scale, hover_value, kwargs)

    def to_json(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
                trace_only=False, log_scale=False, height=None, hover_value=False, **kwargs):
        """The figure (or with ``trace_only`` the heatmap trace) as JSON
        text, exactly as the library writes it."""
        return self._figure(title, colorscale, token_width, height, log_scale, hover_value,
                            kwargs).to_json(trace_only)

    def write_json(self, file, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
                   trace_only=False, log_scale=False, height=None, hover_value=False, **kwargs):
        """Writes to_json() to ``file``: a path (replaced atomically: a
        failure leaves no partial file) or a file object, text or binary,
        which gets the output streamed (Figure.write_json)."""
        self._figure(title, colorscale, token_width, height, log_scale, hover_value,
                     kwargs).write_json(file, trace_only=trace_only)

    def to_html(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
                include_plotlyjs=True, full_html=True, div_id=None, responsive=False,
                log_scale=False, height=None, hover_value=False, **kwargs):
        """The figure as an HTML page (or with ``full_html=False`` a
        ``<div>`` to embed) that draws it with plotly.js.

        ``include_plotlyjs`` says where the page gets plotly.js, as in
        plotly.py: True (the default: the local plotly.js inlined, so that
        the page draws offline, as plotly.py inlines its bundle; that is
        the file TRAJPLOT_PLOTLYJS names, else the copy installed with the
        library, see local_plotlyjs(); without one, the CDN), "cdn" (the
        official CDN, at the plotly.js version trajplot is tested with),
        False (nothing: the embedding page loads plotly.js), "inline:FILE"
        (the contents of a plotly.min.js of your own), or "src:URL" or any
        string ending in ".js" (a ``<script src>`` of your own). ``div_id`` names
        the figure's element (default "trajplot-figure"); ``responsive``
        makes it follow the page's width.
        """
        return self._figure(title, colorscale, token_width, height, log_scale, hover_value, kwargs).to_html(
            include_plotlyjs=include_plotlyjs, full_html=full_html, div_id=div_id, responsive=responsive)

    def write_html(self, file, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *,
                   include_plotlyjs=True, full_html=True, div_id=None, responsive=False,
                   log_scale=False, height=None, hover_value=False, **kwargs):
        """Writes to_html() to ``file``: a path (replaced atomically) or a
        file object, text or binary, which gets the page streamed. Options
        as to_html()."""
        self._figure(title, colorscale, token_width, height, log_scale, hover_value, kwargs).write_html(
            file, include_plotlyjs=include_plotlyjs, full_html=full_html, div_id=div_id, responsive=responsive)

    def to_image(self, format="png", scale=1, *, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80,
                 log_scale=False, height=None, hover_value=False, **kwargs):
        """The figure as a PNG, SVG or PDF image (bytes), drawn by the
        library: Figure.to_image() of ``figure(title, ...)``."""
        return self._figure(title, colorscale, token_width, height, log_scale, hover_value, kwargs).to_image(
            format, scale)

    def write_image(self, file, format=None, scale=1, *, title="", colorscale=_DEFAULT_COLORSCALE,
                    token_width=80, log_scale=False, height=None, hover_value=False, **kwargs):
        """Writes to_image() to ``file``: a path (replaced atomically; the
        format follows its extension, .png, .svg or .pdf, unless given) or
        a binary file object, which gets the image streamed
        (Figure.write_image)."""
        self._figure(title, colorscale, token_width, height, log_scale, hover_value, kwargs).write_image(
            file, format, scale)

    # -- Python protocols --------------------------------------------------

    def __reduce__(self):
        labels = self.trajectory_labels
        tokens = self._sequence_texts()
        low, high = self._range()
        return (TrajectoryStatistic, (
            self.name, self.stats, None if tokens is None else list(tokens), labels, self.units,
            high, low, self.includes_output, list(self._layer_texts())))

    def __repr__(self):
        if self.closed:
            return "<closed TrajectoryStatistic>"
        units = self.units
        return "<TrajectoryStatistic %r%s, %s>" % (
            self.name, " (%s)" % units if units else "", _arrays.shape_text(self.shape))


def trunc_string_left(string, new_len):
    """``string`` cut to its last ``new_len`` characters, or padded on the
    left with spaces to ``new_len`` when shorter. NUL characters are
    characters like any other."""
    if not isinstance(string, str):
        raise TypeError("string must be str, not %s" % type(string).__name__)
    encoded = string.encode("utf-8", "surrogatepass")
    new_len = _arrays.size_value(new_len, "new_len")
    text, length = _lib.char_p(), ctypes.c_size_t()
    C.trajplot_trunc_string_left(ctypes.byref(text), ctypes.byref(length), encoded, len(encoded), new_len)
    return _lib.take_string(text, length).decode("utf-8")
