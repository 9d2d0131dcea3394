"""Figure: a Plotly figure of trajectory statistics, made and checked once,
then exported any number of times, in any format, to a string, a file or a
file object."""
import codecs
import ctypes
import errno
import io
import json
import numbers
import os
import warnings

from . import _arrays, _lib, _notebook, _plotly, _stacked
from ._compat import plotly_graph_objects
from ._handle import Handle, held
from ._lib import C
from ._statistic import TrajectoryStatistic
from .errors import InvalidArgumentError, TrajplotError

_PLOTLYJS_FORMS = (
    "include_plotlyjs takes True (the default: the local plotly.js inlined, "
    "see local_plotlyjs(), else the CDN), 'cdn', False (the page already "
    "loads plotly.js), 'inline:FILE' (the contents of a plotly.min.js of your "
    "own), or 'src:URL' or any URL or path ending in '.js' (a <script src>)"
)


def local_plotlyjs():
    """The plotly.js file that pages inline by default (include_plotlyjs
    True): the file named by the environment variable TRAJPLOT_PLOTLYJS,
    else the copy installed with the library (share/trajplot/plotly.min.js);
    None when there is none, and pages then load plotly.js from its CDN."""
    text, length = _lib.char_p(), ctypes.c_size_t()
    C.trajplot_local_plotlyjs(ctypes.byref(text), ctypes.byref(length))
    if not text:
        return None
    return _lib.take_string(text, length).decode("utf-8", "surrogateescape")


# The image formats, in the order image_formats() lists them.
_IMAGE_FORMATS = {"svg": _lib.FORMAT_SVG, "png": _lib.FORMAT_PNG, "pdf": _lib.FORMAT_PDF}
_IMAGE_CHOICES = "'png', 'svg' or 'pdf'"


def image_formats():
    """The image formats this library writes, of "svg", "png" and "pdf":
    SVG always, PNG and PDF when the library was built with Cairo and
    Pango (``trajplot_format_available``). Figure.write_image() and
    to_image() of a format missing here raise the library's error."""
    return tuple(name for name, code in _IMAGE_FORMATS.items() if C.trajplot_format_available(code))


# -- option structs ----------------------------------------------------------

def _panel_options(colorscale, patch, patch_name, log_scale, hover_value, title=None, index=None):
    """The panel options; ``index`` is the panel's in a stacked figure
    (for errors), None for the figure of one statistic."""
    panel = _lib.trajplot_panel_options()
    C.trajplot_panel_options_init(ctypes.byref(panel), _lib.PANEL_OPTIONS_VERSION)
    if title is not None:
        panel.title = _arrays.c_string(title, "titles[%d]" % index)
    if colorscale is not None:
        panel.colorscale = _arrays.c_string(
            colorscale, "colorscale" if index is None else "colorscales[%d]" % index)
    extra = _plotly.patch_json(patch, patch_name)
    if extra is not None:
        panel.extra_json = extra.encode("utf-8")
    panel.log_scale = bool(log_scale)
    panel.hover_value = bool(hover_value)
    return panel


def _figure_options(title, token_width, height, vertical_spacing=None, equal_panel_heights=False,
                    layout=None):
    options = _lib.trajplot_figure_options()
    C.trajplot_figure_options_init(ctypes.byref(options), _lib.FIGURE_OPTIONS_VERSION)
    options.title = _arrays.c_string(title, "title")
    options.token_width = _arrays.size_value(token_width, "token_width")
    options.height = 0 if height is None else _arrays.size_value(height, "height")
    if vertical_spacing is not None:
        options.vertical_spacing, options.has_vertical_spacing = vertical_spacing, True
    options.equal_panel_heights = bool(equal_panel_heights)
    layout_json = _plotly.patch_json(layout, "layout")
    if layout_json is not None:
        options.layout_json = layout_json.encode("utf-8")
    return options


def _layout_patch(layout):
    """The layout patch a ``layout=`` argument stands for (as
    update_layout(layout) reads it)."""
    return _plotly.update_patch(layout, {}, "layout")


def _require_plotly(what):
    graph_objects = plotly_graph_objects()
    if graph_objects is None:
        raise ModuleNotFoundError(
            "%s needs plotly.py, which cannot be imported here (pip install plotly, or Debian's "
            "python3-plotly); to_dict(), to_json(), write_html(), write_image() and show() need only "
            "trajplot" % what,
            name="plotly")
    return graph_objects


def _json_options(trace_only):
    options = _lib.trajplot_export_options()
    C.trajplot_export_options_init(ctypes.byref(options), _lib.EXPORT_OPTIONS_VERSION)
    options.format = _lib.FORMAT_TRACE_JSON if trace_only else _lib.FORMAT_FIGURE_JSON
    return options


def _html_options(include_plotlyjs=True, full_html=True, div_id=None, responsive=False):
    options = _lib.trajplot_export_options()
    C.trajplot_export_options_init(ctypes.byref(options), _lib.EXPORT_OPTIONS_VERSION)
    options.format = _lib.FORMAT_HTML
    if include_plotlyjs is False or include_plotlyjs is None:
        options.plotlyjs = _lib.PLOTLYJS_NONE
    elif include_plotlyjs is True:
        options.plotlyjs = _lib.PLOTLYJS_LOCAL
    elif not isinstance(include_plotlyjs, str):
        raise TypeError(_PLOTLYJS_FORMS + ", not %s" % type(include_plotlyjs).__name__)
    elif include_plotlyjs == "cdn":
        options.plotlyjs = _lib.PLOTLYJS_CDN
    elif include_plotlyjs.startswith("inline:"):
        options.plotlyjs = _lib.PLOTLYJS_INLINE
        options.plotlyjs_location = _arrays.c_path(include_plotlyjs[len("inline:"):], "include_plotlyjs")
    elif include_plotlyjs.startswith("src:"):
        options.plotlyjs = _lib.PLOTLYJS_SRC
        options.plotlyjs_location = _arrays.c_string(include_plotlyjs[len("src:"):], "include_plotlyjs")
    elif include_plotlyjs.endswith(".js"):
        options.plotlyjs = _lib.PLOTLYJS_SRC
        options.plotlyjs_location = _arrays.c_string(include_plotlyjs, "include_plotlyjs")
    else:
        raise InvalidArgumentError(_PLOTLYJS_FORMS + ", not %r" % include_plotlyjs)
    if div_id is not None:
        options.div_id = _arrays.c_string(div_id, "div_id")
    options.full_html = bool(full_html)
    options.responsive = bool(responsive)
    return options


def _image_format(format, file=None):
    """The image format named by ``format`` (case-insensitive, as plotly.py
    takes it: "png", ".png"), or when it is None by the extension of the
    path ``file``, or of a file object's name; a file object without a
    telling name gets PNG, plotly.py's default."""
    if format is None:
        if file is None:
            return "png"
        is_object = hasattr(file, "write")
        name = getattr(file, "name", None) if is_object else file
        extension = ""
        if isinstance(name, (str, bytes, os.PathLike)):
            extension = os.path.splitext(os.fsdecode(name))[1].lower()
        if extension[1:] in _IMAGE_FORMATS:
            return extension[1:]
        if is_object:
            return "png"
        raise InvalidArgumentError("cannot tell the image format of %r from its extension: name the file .png, "
                                   ".svg or .pdf, or pass format=%s" % (name, _IMAGE_CHOICES))
    if not isinstance(format, str):
        raise TypeError("format must be %s, not %s" % (_IMAGE_CHOICES, type(format).__name__))
    name = format.lower()
    name = name[1:] if name.startswith(".") else name
    if name not in _IMAGE_FORMATS:
        raise InvalidArgumentError("format must be %s, not %r" % (_IMAGE_CHOICES, format))
    return name


def _image_options(format, scale):
    if scale is None:
        scale = 1
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise TypeError("scale must be a number, not %s" % type(scale).__name__)
    if scale == 0:
        # The C API reads 0 as "unset", that is 1; here it is a mistake.
        raise InvalidArgumentError("scale is 0; it must be above 0 and at most 16")
    options = _lib.trajplot_export_options()
    C.trajplot_export_options_init(ctypes.byref(options), _lib.EXPORT_OPTIONS_VERSION)
    options.format = _IMAGE_FORMATS[format]
    options.scale = float(scale)
    return options


# -- file objects --------------------------------------------------------------

def _text_mode(file):
    """Whether ``file`` takes str (True) or bytes (False); None when it
    cannot be told before writing."""
    if isinstance(file, io.TextIOBase):
        return True
    if isinstance(file, (io.RawIOBase, io.BufferedIOBase)):
        return False
    mode = getattr(file, "mode", None)
    if isinstance(mode, str) and mode:
        return "b" not in mode
    return None


def _binary_file_error(format, file):
    return TypeError("%s images are binary: write_image needs a binary file object (open(path, 'wb'), "
                     "io.BytesIO(), or a text file's .buffer), not %r" % (format.upper(), file))


class _FileSink:
    """Passes the pieces of an export to ``file.write``: as str (decoded
    incrementally, since a piece may end inside a character) to a text
    file, as bytes to a binary one. A file of unknown kind gets str first,
    bytes if that raises TypeError. ``binary`` (the name of a binary
    format) sends bytes only: such a file that refuses them on the first
    write is a TypeError naming the fix. An exception raised by ``write``
    is kept and the library told to stop; the caller raises it."""

    def __init__(self, file, binary=None):
        self.file = file
        self.binary = binary
        self.text = False if binary else _text_mode(file)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.error = None
        # The ctypes function pointer; it must live until the call returns.
        self.callback = _lib.trajplot_write_fn(self._write)

    def _write(self, _user, data, length):
        try:
            self._put(ctypes.string_at(data, length))
            return 0
        except BaseException as error:  # KeyboardInterrupt too: the caller raises it
            self.error = error
            return 1

    def _put(self, piece):
        if self.text is None:
            text = self.decoder.decode(piece)
            try:
                self.file.write(text)
            except TypeError:
                self.decoder.reset()
                self.text = False
                self._write_bytes(piece)
                return
            self.text = True
        elif self.text:
            text = self.decoder.decode(piece)
            if text:
                self.file.write(text)
        elif self.binary:
            binary, self.binary = self.binary, None  # a file taking one piece takes them all
            try:
                self._write_bytes(piece)
            except TypeError as error:
                raise _binary_file_error(binary, self.file) from error
        else:
            self._write_bytes(piece)

    def _write_bytes(self, piece):
        written = self.file.write(piece)
        if not isinstance(self.file, io.RawIOBase):
            return
        # A raw (unbuffered) file may take only part of a piece.
        view = memoryview(piece)
        while True:
            if written is None:
                raise BlockingIOError(errno.EAGAIN, "%r is non-blocking and cannot take more now" % (self.file,))
            if written >= len(view):
                return
            if written <= 0:
                raise OSError("%r took none of the last %d bytes" % (self.file, len(view)))
            view = view[written:]
            written = self.file.write(view)

    def finish(self):
        if self.text:
            rest = self.decoder.decode(b"", final=True)
            if rest:
                self.file.write(rest)


def _stream(handle, options, file, binary=None):
    sink = _FileSink(file, binary)
    failure = None
    try:
        C.trajplot_figure_stream(handle, ctypes.byref(options), sink.callback, None)
    except TrajplotError as library_error:
        failure = library_error
    finally:
        sink.callback = None  # the call is over; breaks the sink's reference cycle
    raised, sink.error = sink.error, None
    if raised is not None:
        raise raised  # what file.write raised, as it raised it, not the library's EIO
    if failure is not None:
        raise failure
    sink.finish()


# -- the figure ----------------------------------------------------------------

class Figure(Handle):
    """A Plotly figure of trajectory statistics: the figure of one
    statistic (the reference's heatmap figure), or several statistics of one
    sequence stacked as panels (``Figure.stacked``). It is what
    ``TrajectoryStatistic.figure()`` and ``stacked_figure()`` return. It is
    planned and checked by the library when it is made, so that a bad option
    (an unknown colourscale, token_width 0, a log scale of a statistic whose
    set min is not positive, statistics that cannot share an axis) raises
    there; it is then exported any number of times, in any format, to any
    destination, with no plotly.py involved:

    - ``to_json(trace_only=False)``, ``to_html(...)``: a str;
      ``to_dict()``: the figure as a plain dict; ``to_image(format="png",
      scale=1)``: a PNG, SVG or PDF image as bytes, drawn natively;
    - ``write_json(file, ...)``, ``write_html(file, ...)``,
      ``write_image(file, format=None, scale=1)``: ``file`` is a path
      (replaced atomically: a failed call leaves no partial file and an
      earlier file intact) or a file object, which gets the output streamed
      piece by piece (str for a text file, bytes for a binary one), never
      held whole in memory;
    - ``show()``: in a notebook, displays it; elsewhere opens it in the web
      browser. A notebook displays a figure on its own (``_repr_mimebundle_``);
    - ``update_layout(...)``, ``update_traces(...)``: a new Figure with
      changes in plotly.py's style;
    - ``to_plotly()``: a ``plotly.graph_objects.Figure`` (needs plotly.py,
      and takes its time: build it only to use plotly.py's own API);
    - ``heatmap()``, ``heatmap_dict()``: the heatmap trace of a figure of
      one statistic.

    ``Figure(statistic, ...)`` takes the options of
    ``TrajectoryStatistic.figure()``: ``title``, ``colorscale`` (None:
    "rdbu_r"), ``token_width`` (pixels per position; the figure is 200 +
    token_width * seq_len wide), ``height`` (None: plotly.js's),
    ``log_scale``, ``hover_value``, ``extra``, a dict merged into the trace
    in the keyword style of ``heatmap(**kwargs)``, and ``layout``, a dict
    merged into the layout as ``update_layout(layout)`` merges it.

    The figure holds its own reference to each statistic: closing or
    dropping a statistic afterwards does not affect it (but update_*()
    and pickling, which make the figure again, need its statistics open).
    It is immutable and any number of threads may export it at once.
    ``close()`` (or a ``with`` block) frees it early.
    """

    _free = staticmethod(C.trajplot_figure_free)

    def __init__(self, statistic, *, title="", colorscale=None, token_width=80, height=None,
                 log_scale=False, hover_value=False, extra=None, layout=None):
        self._make_single(statistic, dict(title=title, colorscale=colorscale, token_width=token_width,
                                          height=height, log_scale=bool(log_scale),
                                          hover_value=bool(hover_value), layout=_layout_patch(layout)),
                          _stacked.patch(extra, "extra"), "extra")

    @classmethod
    def _of(cls, statistic, title, colorscale, token_width, height, log_scale, hover_value, kwargs):
        """The figure TrajectoryStatistic's methods draw: ``kwargs`` are
        their keyword arguments for the trace."""
        figure = cls.__new__(cls)
        figure._make_single(statistic, dict(title=title, colorscale=colorscale, token_width=token_width,
                                            height=height, log_scale=bool(log_scale),
                                            hover_value=bool(hover_value), layout={}),
                            _plotly.trace_patch(kwargs), "keyword arguments")
        return figure

    def _make_single(self, statistic, arguments, patch, patch_name):
        if not isinstance(statistic, TrajectoryStatistic):
            if isinstance(statistic, (list, tuple)):
                raise TypeError("Figure takes one TrajectoryStatistic; several statistics are stacked "
                                "with Figure.stacked(statistics)")
            raise TypeError("statistic must be a TrajectoryStatistic, not %s" % _stacked.type_name(statistic))
        panel = _panel_options(arguments["colorscale"], patch, patch_name, arguments["log_scale"],
                               arguments["hover_value"])
        options = _figure_options(arguments["title"], arguments["token_width"], arguments["height"],
                                  layout=arguments["layout"])
        handle = _lib.figure_p()
        with statistic._held() as live:
            C.trajplot_figure_create(ctypes.byref(handle), live, ctypes.byref(panel),
                                     ctypes.byref(options))
        arguments["extra"] = patch
        self._adopt(handle, (statistic,), [patch], arguments, False, [statistic.name])
        self._shape_text = _arrays.shape_text(statistic.shape)

    @classmethod
    def stacked(cls, statistics, *, titles=None, colorscales=None, log_scales=None, extra=None,
                title="", token_width=80, height=None, vertical_spacing=None,
                equal_panel_heights=False, hover_value=False, layout=None):
        """Several statistics of one sequence in one figure, one panel
        each, ``statistics[0]`` on top, as tuned-lens's tutorial draws them
        with ``make_subplots``: the panels share one x axis of input tokens,
        labelled under the bottom panel only (zooming one zooms all); each
        has its title, its own colour scale and range, its layer labels
        (their counts may differ) and its colour bar beside it.

        Per-panel options, each one value for every panel or a list with
        one entry per statistic:

        - ``titles`` (a list only): str, or None for the statistic's name.
        - ``colorscales``: a colourscale name, or None for "rdbu_r".
        - ``log_scales``: colour the panel by log10 of its values.
        - ``extra``: a dict merged into the panel's heatmap trace, in the
          keyword style of ``heatmap(**kwargs)`` (``{"colorbar_len": 0.5}``
          means ``{"colorbar": {"len": 0.5}}``; None removes an attribute),
          after the stacking's own settings, so it may change them.

        Figure options: ``title`` over the figure, ``token_width`` pixels
        per position (200 + token_width * seq_len wide), ``height`` pixels
        in all (None: 150 + 250 per panel), ``vertical_spacing`` the gap
        between panels as a fraction of the plotting area's height, in
        [0, 1 / (panels - 1)) (None: 0.3 / panels, as ``make_subplots``).
        Panels share the height in proportion to their rows (each at least
        90 px while there is room); ``equal_panel_heights`` makes them all
        the same. ``hover_value`` shows each cell's value, with its
        statistic's name and units, above the hover table. ``layout`` is a
        dict merged into the layout, as ``update_layout(layout)``.

        Types and list lengths are checked here; the library checks the
        rest when the figure is made, naming the panel: statistics of
        different seq_len or sequence labels, an unknown colourscale, a log
        scale of a statistic whose set min is not positive, the spacing's
        range, token_width 0.
        """
        statistics = _stacked.statistic_tuple(statistics)
        count = len(statistics)
        arguments = dict(
            titles=_stacked.titles(titles, count), colorscales=_stacked.colorscales(colorscales, count),
            log_scales=_stacked.log_scales(log_scales, count), title=title, token_width=token_width,
            height=height, vertical_spacing=_stacked.spacing(vertical_spacing),
            equal_panel_heights=bool(equal_panel_heights), hover_value=bool(hover_value),
            layout=_layout_patch(layout))
        patches, patch_names = _stacked.patches(extra, count)
        return cls._make_stacked(statistics, arguments, patches, patch_names)

    @classmethod
    def _make_stacked(cls, statistics, arguments, patches, patch_names):
        """The stacked figure of checked ``arguments`` and trace
        ``patches`` (merge patches, one per panel)."""
        count = len(statistics)
        arguments["extra"] = patches
        panels = [_panel_options(arguments["colorscales"][index], patches[index], patch_names[index],
                                 arguments["log_scales"][index], arguments["hover_value"],
                                 arguments["titles"][index], index)
                  for index in range(count)]
        options = _figure_options(arguments["title"], arguments["token_width"], arguments["height"],
                                  arguments["vertical_spacing"], arguments["equal_panel_heights"],
                                  arguments["layout"])
        pointers = (ctypes.POINTER(_lib.trajplot_panel_options) * count)(
            *(ctypes.pointer(panel) for panel in panels))
        handle = _lib.figure_p()
        with held(statistics) as live:
            handles = (_lib.statistic_p * count)(*live)
            C.trajplot_figure_create_stacked(ctypes.byref(handle), handles, pointers, count, ctypes.byref(options))
        figure = cls.__new__(cls)
        names = [given if given is not None else statistic.name
                 for given, statistic in zip(arguments["titles"], statistics)]
        figure._adopt(handle, statistics, patches, arguments, True, names)
        return figure

    def _adopt(self, handle, statistics, patches, arguments, stacked, names):
        Handle.__init__(self, handle)
        self._statistics = tuple(statistics)
        self._patches = patches  # what the caller merged into each trace, for plotly.py
        self._arguments = arguments  # as given, normalised: what pickling rebuilds from
        self._stacked = stacked
        self._names = tuple(names)  # panel titles, or the statistics' names

    def _remade(self, patches, layout, where):
        """This figure made again with these trace patches (one per panel)
        and layout patch."""
        arguments = dict(self._arguments, layout=layout)
        if self._stacked:
            return Figure._make_stacked(self._statistics, arguments, list(patches),
                                        ["%s (panels[%d])" % (where, index) for index in range(len(patches))])
        figure = Figure.__new__(Figure)
        figure._make_single(self._statistics[0], arguments, patches[0], where)
        return figure

    # -- what it holds -------------------------------------------------------

    def _shape(self):
        stacked, panels = ctypes.c_bool(), ctypes.c_size_t()
        with self._held() as live:
            C.trajplot_figure_shape(ctypes.byref(stacked), ctypes.byref(panels), live)
        return stacked.value, panels.value

    @property
    def is_stacked(self):
        """Whether the figure is stacked (made by Figure.stacked, even of
        one panel)."""
        return self._shape()[0]

    def __len__(self):
        """The number of panels (1 for the figure of one statistic)."""
        return self._shape()[1]

    @property
    def statistics(self):
        """The statistics drawn, top panel first (a tuple)."""
        return self._statistics

    @property
    def title(self):
        """The title over the figure ("" for none), as given when it was
        made (a title update_layout() sets is in the layout instead)."""
        return self._arguments["title"]

    @property
    def token_width(self):
        """Pixels of width per position."""
        return self._arguments["token_width"]

    @property
    def height(self):
        """The height in pixels, or None for the default."""
        return self._arguments["height"]

    # -- exports -------------------------------------------------------------

    def _export(self, options):
        text, length = _lib.char_p(), ctypes.c_size_t()
        with self._held() as live:
            C.trajplot_figure_export(ctypes.byref(text), ctypes.byref(length), live, ctypes.byref(options))
        return _lib.take_text(text, length)

    def _export_bytes(self, options):
        data, length = _lib.char_p(), ctypes.c_size_t()
        with self._held() as live:
            C.trajplot_figure_export(ctypes.byref(data), ctypes.byref(length), live, ctypes.byref(options))
        return _lib.take_string(data, length)

    def _write(self, file, options, binary=None):
        if hasattr(file, "write"):
            with self._held() as live:
                _stream(live, options, file, binary)
        else:
            with self._held() as live:
                C.trajplot_figure_save(live, ctypes.byref(options), _arrays.c_path(file))

    def to_json(self, trace_only=False):
        """The figure (or with ``trace_only`` the heatmap trace, which only
        a figure of one statistic has: a stacked figure raises
        InvalidArgumentError) as JSON text, exactly as the library writes
        it."""
        return self._export(_json_options(trace_only))

    def write_json(self, file, *, trace_only=False):
        """Writes to_json() to ``file``: a path (replaced atomically) or a
        file object (text or binary), streamed to it."""
        self._write(file, _json_options(trace_only))

    def to_html(self, *, include_plotlyjs=True, full_html=True, div_id=None, responsive=False):
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
        string ending in ".js" (a ``<script src>`` of your own). ``div_id``
        names the figure's element (default "trajplot-figure");
        ``responsive`` makes it follow the page's width. The page's
        ``<title>`` is the figure's title (a title text update_layout()
        sets included), or else the panels' titles.
        """
        return self._export(_html_options(include_plotlyjs, full_html, div_id, responsive))

    def write_html(self, file, *, include_plotlyjs=True, full_html=True, div_id=None, responsive=False):
        """Writes to_html() to ``file``: a path (replaced atomically) or a
        file object (text or binary), streamed to it. Options as
        to_html()."""
        self._write(file, _html_options(include_plotlyjs, full_html, div_id, responsive))

    def to_image(self, format="png", scale=1):
        """The figure as an image, drawn by the library itself (no browser,
        no kaleido): ``bytes`` of a PNG, an SVG document or a PDF, as
        plotly.py's ``to_image`` returns them (SVG too comes as UTF-8
        bytes).

        ``format`` is "png" (the default), "svg" or "pdf"
        (case-insensitive); PNG and PDF need a library built with Cairo
        and Pango (see ``trajplot.image_formats()``). The image is the
        figure's layout size in pixels (200 + token_width * seq_len wide,
        by its height) times ``scale``, a number > 0 and at most 16 (2 for
        a sharp PNG on a high-density screen); the size itself comes from
        the figure's ``token_width`` and ``height``. A PDF page is as many
        points; a PNG of more than 32767 pixels a side raises
        SizeOverflowError naming a token width or scale that fits."""
        return self._export_bytes(_image_options(_image_format(format), scale))

    def write_image(self, file, format=None, scale=1):
        """Writes to_image() to ``file``: a path (replaced atomically: a
        failed call leaves no partial file and an earlier file intact), or
        a binary file object, which gets the image streamed piece by piece
        (SVG may also go to a text file). ``format`` None follows the
        path's extension, .png, .svg or .pdf (any other is an error), or
        a file object's name, else PNG, as in plotly.py; ``scale`` as
        to_image(). A text file for PNG or PDF is a TypeError, raised
        before anything is written."""
        name = _image_format(format, file)
        options = _image_options(name, scale)
        binary = None if name == "svg" else name
        if binary and hasattr(file, "write") and _text_mode(file):
            raise _binary_file_error(binary, file)
        self._write(file, options, binary)

    def to_dict(self):
        """The figure as a plain dict {"data": [one trace per panel],
        "layout": {...}} (Python's JSON parser reading to_json())."""
        return json.loads(self.to_json())

    def figure_dict(self):
        """The same as to_dict()."""
        return self.to_dict()

    def to_plotly(self):
        """The figure as a ``plotly.graph_objects.Figure``, for plotly.py's
        own API (``add_*``, ...). Needs plotly.py (else
        ModuleNotFoundError, an ImportError) and costs what plotly.py's
        validation costs (most of a second for 33 x 1024 cells with hover
        tables); nothing else here needs it. With a plotly.py older than the
        traces' attributes (5.4 and cell labels) everything it knows is
        validated and the figure is built with validation off to keep the
        rest; an ``extra`` attribute unknown to plotly.py is an error
        (naming the panel of a stacked figure), and so is a layout
        attribute."""
        graph_objects = _require_plotly("Figure.to_plotly()")
        names = ["panels[%d] (%s)" % (index, name) for index, name in enumerate(self._names)]
        return _plotly.figure_object(graph_objects, self.to_dict(), self._patches,
                                     names if self._stacked else None)

    def figure(self):
        """Deprecated: to_plotly() (a ``plotly.graph_objects.Figure``) or
        to_dict(). Returns the first with plotly.py importable, else the
        second, as it did before figures were trajplot objects."""
        warnings.warn("Figure.figure() is deprecated: use Figure.to_plotly() for a "
                      "plotly.graph_objects.Figure, or Figure.to_dict()", DeprecationWarning, stacklevel=2)
        if plotly_graph_objects() is None:
            return self.to_dict()
        return self.to_plotly()

    def heatmap_dict(self):
        """The heatmap trace of a figure of one statistic as a plain dict."""
        return json.loads(self.to_json(trace_only=True))

    def heatmap(self):
        """The heatmap trace of a figure of one statistic, as a
        trajplot.Heatmap (see TrajectoryStatistic.heatmap()); a stacked
        figure raises InvalidArgumentError."""
        if self._stacked:
            self.to_json(trace_only=True)  # the library's error, naming the panels
        return _heatmap_of(self)

    # -- changes, in plotly.py's style ---------------------------------------

    def update_layout(self, dict1=None, **kwargs):
        """A new Figure whose layout has these changes merged into it, as
        plotly.py's ``update_layout`` takes them:
        ``fig.update_layout(title_font_size=14, paper_bgcolor="white")``.

        Keys (of ``dict1``, of the keyword arguments, and of the dicts in
        their values) are property paths: split at dots and at underscores,
        ``title_font_size`` meaning ``{"title": {"font": {"size": 14}}}``,
        except the underscores of names that have one (``paper_bgcolor``,
        ``plot_bgcolor``, ``error_x``, ...); a number part (``annotations_0``)
        is refused, since a list is replaced as a whole. Dicts merge with the
        layout (the title keeps its place when its font changes), None
        removes a property, anything else replaces it; a str for a ``title``
        is its text. Keyword arguments come after ``dict1``.

        plotly.py changes its figure and returns it; trajplot's figures are
        immutable, so this returns a new one, leaving this one as it was:
        write ``fig = fig.update_layout(...)``. Chains read as in plotly.py:
        ``stat.figure().update_layout(...).update_traces(...).show()``. The
        figure is made again (its statistics must be open), and the changes
        are checked there; the library merges them last, so they may change
        anything it set, but the cell text and the panels' heights are
        sized from the figure's options (height=, token_width=), not from
        a height or width set here. Nothing is validated against plotly.js's
        schema: a misspelt property is kept, and ignored by plotly.js.
        """
        patch = _plotly.update_patch(dict1, kwargs, "update_layout")
        return self._remade(self._patches, _plotly.then(self._arguments.get("layout") or {}, patch),
                            "update_layout")

    def update_traces(self, patch=None, selector=None, row=None, **kwargs):
        """A new Figure whose heatmap traces have these changes merged into
        them, as plotly.py's ``update_traces`` takes them
        (``fig.update_traces(colorbar_len=0.5, zsmooth="best")``; keys and
        values as update_layout()). They come after the library's own
        attributes and after earlier changes (``extra``, keyword arguments
        of ``figure()``).

        Every panel's trace is changed, or in a stacked figure those chosen
        by ``selector``, a panel's index (0 for the top one, negative from
        the bottom) or a list of them, or ``row``, the panel's row counting
        from 1 at the top as make_subplots numbers them. Returns a new
        Figure (see update_layout())."""
        changes = _plotly.update_patch(patch, kwargs, "update_traces")
        count = len(self._patches)
        chosen = set(range(count))
        if selector is not None:
            indices = selector if isinstance(selector, (list, tuple)) else [selector]
            chosen = set()
            for index in indices:
                if isinstance(index, bool) or not isinstance(index, int):
                    raise TypeError("update_traces: selector takes a panel index or a list of them, "
                                    "not %s" % _stacked.type_name(index))
                if not -count <= index < count:
                    raise IndexError("update_traces: panel %d of a figure of %d panel%s"
                                     % (index, count, "" if count == 1 else "s"))
                chosen.add(index % count)
        if row is not None:
            if isinstance(row, bool) or not isinstance(row, int):
                raise TypeError("update_traces: row takes an int, not %s" % _stacked.type_name(row))
            if not 1 <= row <= count:
                raise IndexError("update_traces: row %d of a figure of %d row%s (rows count from 1)"
                                 % (row, count, "" if count == 1 else "s"))
            chosen &= {row - 1}
        patches = [_plotly.then(current, changes) if index in chosen else current
                   for index, current in enumerate(self._patches)]
        return self._remade(patches, self._arguments.get("layout") or {}, "update_traces")

    # -- display ---------------------------------------------------------------

    def show(self):
        """Displays the figure: in a notebook (a Jupyter kernel: Jupyter,
        JupyterLab, VS Code) as the notebook displays it; anywhere else as a
        page, plotly.js inlined, written to a temporary file and opened in
        the web browser (``webbrowser``). Needs no plotly.py."""
        _notebook.show(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """What a notebook shows: the figure as plotly's mimetype
        (``application/vnd.plotly.v1+json``, the figure with its config),
        which JupyterLab's plotly extension and VS Code draw with the
        plotly.js they bundle, and as HTML (``text/html``) that draws with
        the plotly.js installed with trajplot, also offline and in
        nbconvert's HTML export: the first figure a process displays
        carries it, later ones use the copy it left in the page."""
        return _notebook.mimebundle(self, include, exclude)

    def _repr_html_(self):
        """The HTML of _repr_mimebundle_(), for tools that ask for HTML
        alone."""
        return _notebook.figure_html(self, self.to_json())

    # -- Python protocols ----------------------------------------------------

    def __reduce__(self):
        return (_rebuild, (self._statistics, self._arguments, self._stacked))

    def __repr__(self):
        if self.closed:
            return "<closed Figure>"
        names = ", ".join(repr(name) for name in self._names)
        if not self._stacked:
            return "<Figure of %s, %s>" % (names, self._shape_text)
        return "<stacked Figure of %d panel%s: %s>" % (
            len(self._names), "" if len(self._names) == 1 else "s", names)


class Heatmap:
    """The heatmap trace of one statistic, what
    ``TrajectoryStatistic.heatmap()`` returns: ``to_dict()``, ``to_json()``
    and ``write_json(file)`` give it without plotly.py, ``to_plotly()`` as
    a ``plotly.graph_objects.Heatmap``, for figures of plotly.py's own:

        fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
        fig.add_trace(entropy.heatmap().to_plotly(), row=1, col=1)

    (``trajplot.stacked_figure`` stacks statistics without plotly.py, and
    with every cell label.) Its cell text is sized for the cells of the
    statistic's own figure; placed in a layout of your own, set
    ``textfont_size`` and give the axes ``type="category"``. Immutable;
    ``close()`` frees it early.
    """

    __slots__ = ("_figure",)

    def __init__(self, *arguments, **kwargs):
        raise TypeError("Heatmap objects come from TrajectoryStatistic.heatmap() or Figure.heatmap()")

    @property
    def statistic(self):
        """The statistic drawn."""
        return self._figure.statistics[0]

    @property
    def closed(self):
        return self._figure.closed

    def to_dict(self):
        """The trace as a plain dict."""
        return self._figure.heatmap_dict()

    def to_json(self):
        """The trace as JSON text, exactly as the library writes it."""
        return self._figure.to_json(trace_only=True)

    def write_json(self, file):
        """Writes to_json() to ``file``: a path (replaced atomically) or a
        file object (text or binary), streamed to it."""
        self._figure.write_json(file, trace_only=True)

    def to_plotly(self, validate=True):
        """The trace as a ``plotly.graph_objects.Heatmap`` (needs
        plotly.py: else ModuleNotFoundError, an ImportError).

        A keyword argument of heatmap() that plotly.py does not know is an
        error, as in plotly.py. A trace with cell labels needs heatmap
        ``texttemplate``, which plotly.py learned in 5.5: an older one
        (Debian 12's 5.4) cannot hold it in a figure that validates its
        traces, as ``make_subplots``' do, so it raises
        InvalidArgumentError, which names ``trajplot.stacked_figure``, the
        way to stack panels without plotly.py. ``validate=False`` builds
        the trace without plotly.py's validation, keeping everything; only
        an unvalidated figure (``go.Figure(data=[trace], _validate=False)``)
        holds it then."""
        graph_objects = _require_plotly("Heatmap.to_plotly()")
        return _plotly.validated_heatmap_object(graph_objects, self.to_dict(), self._figure._patches[0],
                                                validate=bool(validate))

    def update(self, dict1=None, **kwargs):
        """A new Heatmap with these changes merged into the trace, in the
        style of plotly.py's ``update`` (see Figure.update_traces())."""
        return _heatmap_of(self._figure.update_traces(dict1, **kwargs))

    def close(self):
        """Frees the library's figure behind the trace early."""
        self._figure.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __reduce__(self):
        return (_heatmap_of, (self._figure,))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        if self.closed:
            return "<closed Heatmap>"
        return "<Heatmap of %r, %s>" % (self._figure._names[0], self._figure._shape_text)


def _heatmap_of(figure):
    heatmap = object.__new__(Heatmap)
    heatmap._figure = figure
    return heatmap


def _rebuild(statistics, arguments, stacked):
    arguments = dict(arguments)
    arguments.setdefault("layout", {})
    patches = arguments["extra"]
    if stacked:
        return Figure._make_stacked(statistics, arguments, list(patches),
                                    ["extra[%d]" % index for index in range(len(patches))])
    figure = Figure.__new__(Figure)
    figure._make_single(statistics[0], arguments, patches, "extra")
    return figure


def stacked_figure(statistics, *, titles=None, colorscales=None, log_scales=None, extra=None,
                   title="", token_width=80, height=None, vertical_spacing=None,
                   equal_panel_heights=False, hover_value=False, layout=None):
    """``Figure.stacked(statistics, ...)``: the statistics of one sequence
    stacked top to bottom, one panel each, as one Figure."""
    return Figure.stacked(statistics, titles=titles, colorscales=colorscales, log_scales=log_scales,
                          extra=extra, title=title, token_width=token_width, height=height,
                          vertical_spacing=vertical_spacing, equal_panel_heights=equal_panel_heights,
                          hover_value=hover_value, layout=layout)


# The spelling of earlier releases, kept: StackedFigure(...) makes the same
# Figure as stacked_figure(...).
StackedFigure = stacked_figure
