"""StackedFigure: several statistics of one sequence in one figure, one
panel each, top to bottom (tuned-lens's tutorial figure)."""
import ctypes
import json

from . import _arrays, _lib, _plotly
from ._compat import numpy, plotly_graph_objects
from ._lib import C
from ._statistic import TrajectoryStatistic, _html_options
from .errors import InvalidArgumentError


def _type_name(value):
    return type(value).__name__


def _panel_list(value, count, name, entry):
    """``value`` (a list or tuple, or a numpy array) as a list of one entry
    per panel, ``entry`` saying what each must be."""
    if numpy is not None and isinstance(value, numpy.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError("%s must be a list of %s, one per statistic, not %s"
                        % (name, entry, _type_name(value)))
    if len(value) != count:
        raise InvalidArgumentError("%s has %d entries but there are %d statistics"
                                   % (name, len(value), count))
    return list(value)


def _titles(titles, count):
    if titles is None:
        return [None] * count
    if isinstance(titles, str):
        raise TypeError("titles must be a list of str or None, one per statistic, not a str "
                        "(the title over the whole figure is title=)")
    titles = _panel_list(titles, count, "titles", "str or None")
    for index, title in enumerate(titles):
        if title is not None and not isinstance(title, str):
            raise TypeError("titles[%d] must be str or None, not %s" % (index, _type_name(title)))
    return titles


def _colorscales(colorscales, count):
    if colorscales is None or isinstance(colorscales, str):
        return [colorscales] * count
    colorscales = _panel_list(colorscales, count, "colorscales", "str or None")
    for index, colorscale in enumerate(colorscales):
        if colorscale is not None and not isinstance(colorscale, str):
            raise TypeError("colorscales[%d] must be a colourscale name or None, not %s"
                            % (index, _type_name(colorscale)))
    return colorscales


def _is_bool(value):
    return isinstance(value, bool) or numpy is not None and isinstance(value, numpy.bool_)


def _log_scales(log_scales, count):
    if log_scales is None:
        return [False] * count
    if _is_bool(log_scales):
        return [bool(log_scales)] * count
    log_scales = _panel_list(log_scales, count, "log_scales", "bool")
    for index, log_scale in enumerate(log_scales):
        # Strict: a truthy string or number in this list is a mistake, not True.
        if not _is_bool(log_scale):
            raise TypeError("log_scales[%d] must be a bool, not %s" % (index, _type_name(log_scale)))
    return [bool(log_scale) for log_scale in log_scales]


def _patch(extra, where):
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        raise TypeError("%s must be a dict or None, not %s" % (where, _type_name(extra)))
    for key in extra:
        if not isinstance(key, str):
            raise TypeError("%s has a key %r of type %s; keys are heatmap attribute names (str)"
                            % (where, key, _type_name(key)))
    return _plotly.trace_patch(extra)


def _patches(extra, count):
    """The merge patch of each panel, and the name of the argument it came
    from (for errors)."""
    if extra is None or isinstance(extra, dict):
        return [_patch(extra, "extra")] * count, ["extra"] * count
    extra = _panel_list(extra, count, "extra", "dict or None")
    names = ["extra[%d]" % index for index in range(count)]
    return [_patch(entry, name) for entry, name in zip(extra, names)], names


def _spacing(vertical_spacing):
    if vertical_spacing is None:
        return None
    if isinstance(vertical_spacing, bool) or not isinstance(vertical_spacing, (int, float)) and not (
            numpy is not None and isinstance(vertical_spacing, numpy.number)):
        raise TypeError("vertical_spacing must be a number or None, not %s" % _type_name(vertical_spacing))
    return float(vertical_spacing)


class StackedFigure:
    """Several statistics of one sequence in one figure, one panel each,
    ``statistics[0]`` on top, as tuned-lens's tutorial draws them with
    ``make_subplots``: the panels share one x axis of input tokens, labelled
    under the bottom panel only (zooming one zooms all); each has its
    title, its own colour scale and range, its layer labels (their counts
    may differ) and its colour bar beside it.

    Per-panel options, each a list with one entry per statistic:

    - ``titles``: str, or None for the statistic's name (the default).
    - ``colorscales``: a colourscale name as in ``TrajectoryStatistic.
      figure()``, or None for "rdbu_r"; one str sets every panel's.
    - ``log_scales``: colour the panel by log10 of its values; one bool
      sets every panel's (default False).
    - ``extra``: a dict merged into the panel's heatmap trace, with the
      keyword style of ``heatmap(**kwargs)`` (``{"colorbar_len": 0.5}``
      means ``{"colorbar": {"len": 0.5}}``; None removes an attribute); it
      comes after the stacking's own settings, so it may change them. One
      dict applies to every panel.

    Figure options: ``title`` over the figure, ``token_width`` pixels of
    width per position (the figure is 200 + token_width * seq_len wide),
    ``height`` pixels in all (None: 150 + 250 per panel),
    ``vertical_spacing`` the gap between panels as a fraction of the
    plotting area's height, in [0, 1 / (panels - 1)) (None: 0.3 / panels,
    as ``make_subplots``). Panels share the height in proportion to their
    rows, so that their cells are about equally tall (each at least 90 px
    while there is room); ``equal_panel_heights`` makes them all the same.
    ``hover_value`` shows each cell's value, with its statistic's name and
    units, above the hover table.

    Types and list lengths are checked here. The library checks the rest
    when the figure is drawn (by ``figure()``, ``to_json()``,
    ``write_html()`` and the others), naming the panel: statistics of
    different seq_len or sequence labels, an unknown colourscale, a
    log scale of a statistic whose set min is not positive (cells that are
    not positive become gaps), the spacing's range. The
    figure keeps its statistics alive; closing one makes drawing fail.
    Like the statistics, a StackedFigure is immutable.
    """

    def __init__(self, statistics, *, titles=None, colorscales=None, log_scales=None, extra=None,
                 title="", token_width=80, height=None, vertical_spacing=None,
                 equal_panel_heights=False, hover_value=False):
        if isinstance(statistics, TrajectoryStatistic):
            raise TypeError("statistics must be a list of TrajectoryStatistic, not one statistic "
                            "(a single statistic's figure is its own figure())")
        if isinstance(statistics, (str, bytes, dict)):
            raise TypeError("statistics must be a list of TrajectoryStatistic, not %s"
                            % _type_name(statistics))
        try:
            statistics = tuple(statistics)
        except TypeError:
            raise TypeError("statistics must be a list of TrajectoryStatistic, not %s"
                            % _type_name(statistics)) from None
        if not statistics:
            raise InvalidArgumentError(
                "statistics is empty; a stacked figure needs at least one statistic")
        for index, statistic in enumerate(statistics):
            if not isinstance(statistic, TrajectoryStatistic):
                raise TypeError("statistics[%d] must be a TrajectoryStatistic, not %s"
                                % (index, _type_name(statistic)))
            if statistic.closed:
                raise ValueError("statistics[%d] is a closed TrajectoryStatistic" % index)
        count = len(statistics)
        self._statistics = statistics
        # The arguments as given, normalised: what pickling rebuilds from.
        self._arguments = dict(
            titles=_titles(titles, count), colorscales=_colorscales(colorscales, count),
            log_scales=_log_scales(log_scales, count), title=title,
            token_width=token_width, height=height, vertical_spacing=_spacing(vertical_spacing),
            equal_panel_heights=bool(equal_panel_heights), hover_value=bool(hover_value))
        self._patches, patch_names = _patches(extra, count)
        self._arguments["extra"] = self._patches

        # The option structs are made once; the library only reads them, so
        # any number of threads may draw the figure at once.
        panels = (_lib.trajplot_panel_options * count)()
        for index, panel in enumerate(panels):
            C.trajplot_panel_options_init(ctypes.byref(panel), _lib.PANEL_OPTIONS_VERSION)
            panel_title = self._arguments["titles"][index]
            if panel_title is not None:
                panel.title = _arrays.c_string(panel_title, "titles[%d]" % index)
            colorscale = self._arguments["colorscales"][index]
            if colorscale is not None:
                panel.colorscale = _arrays.c_string(colorscale, "colorscales[%d]" % index)
            patch = _plotly.patch_json(self._patches[index], patch_names[index])
            if patch is not None:
                panel.extra_json = patch.encode("utf-8")
            panel.log_scale = self._arguments["log_scales"][index]
            panel.hover_value = self._arguments["hover_value"]
        options = _lib.trajplot_stack_options()
        C.trajplot_stack_options_init(ctypes.byref(options), _lib.STACK_OPTIONS_VERSION)
        options.title = _arrays.c_string(title, "title")
        options.token_width = _arrays.size_value(token_width, "token_width")
        options.height = 0 if height is None else _arrays.size_value(height, "height")
        spacing = self._arguments["vertical_spacing"]
        if spacing is not None:
            options.vertical_spacing, options.has_vertical_spacing = spacing, True
        options.equal_panel_heights = self._arguments["equal_panel_heights"]
        # ctypes keeps the encoded strings alive with the structs holding them.
        self._panels = panels
        self._options = options

    @property
    def statistics(self):
        """The statistics drawn, top panel first (a tuple)."""
        return self._statistics

    def __len__(self):
        """The number of panels."""
        return len(self._statistics)

    def _handles(self):
        # Read at each call: a statistic closed since construction is
        # reported here as a closed object, never passed on as NULL.
        handles = [statistic._live() for statistic in self._statistics]
        return (_lib.statistic_p * len(handles))(*handles)

    def _panel_names(self):
        return ["panels[%d] (%s)" % (index, self._arguments["titles"][index] or statistic.name)
                for index, statistic in enumerate(self._statistics)]

    # -- Plotly objects ----------------------------------------------------

    def to_json(self):
        """The figure as JSON text, exactly as the library writes it."""
        handles = self._handles()
        text, length = _lib.char_p(), ctypes.c_size_t()
        C.trajplot_stacked_figure_json(ctypes.byref(text), ctypes.byref(length), handles, len(handles),
                                       self._panels, ctypes.byref(self._options))
        return _lib.take_string(text, length).decode("utf-8")

    def figure_dict(self):
        """The figure as a plain dict {"data": [one trace per panel],
        "layout": {...}} (what figure() returns without plotly.py)."""
        return json.loads(self.to_json())

    def figure(self):
        """The figure: a ``plotly.graph_objects.Figure`` when plotly.py is
        importable, else a dict. With a plotly.py older than the traces'
        attributes (5.4 and cell labels) everything it knows is validated
        and the figure is built with validation off to keep the rest, as
        ``TrajectoryStatistic.figure()``; an ``extra`` attribute unknown to
        plotly.py is an error naming the panel."""
        figure = self.figure_dict()
        graph_objects = plotly_graph_objects()
        if graph_objects is None:
            return figure
        return _plotly.figure_object(graph_objects, figure, self._patches, self._panel_names())

    # -- JSON and HTML -----------------------------------------------------

    def write_json(self, file):
        """Writes to_json() to ``file``: a path (replaced atomically: a
        failure leaves no partial file) or a writable text file object."""
        if hasattr(file, "write"):
            file.write(self.to_json())
            return
        path = _arrays.c_path(file)
        handles = self._handles()
        C.trajplot_stacked_write_figure_json(handles, len(handles), self._panels,
                                             ctypes.byref(self._options), path)

    def to_html(self, *, include_plotlyjs=True, full_html=True, div_id=None, responsive=False):
        """The figure as an HTML page (or with ``full_html=False`` a
        ``<div>`` to embed) that draws it with plotly.js; the options are
        those of ``TrajectoryStatistic.to_html()``. The page's ``<title>``
        is the figure's title, or else the panels' titles."""
        html = _html_options(include_plotlyjs, full_html, div_id, responsive)
        handles = self._handles()
        text, length = _lib.char_p(), ctypes.c_size_t()
        C.trajplot_stacked_figure_html(ctypes.byref(text), ctypes.byref(length), handles, len(handles),
                                       self._panels, ctypes.byref(self._options), ctypes.byref(html))
        return _lib.take_string(text, length).decode("utf-8")

    def write_html(self, file, *, include_plotlyjs=True, full_html=True, div_id=None,
                   responsive=False):
        """Writes to_html() to ``file``: a path (replaced atomically) or a
        writable text file object. Options as to_html()."""
        if hasattr(file, "write"):
            file.write(self.to_html(include_plotlyjs=include_plotlyjs, full_html=full_html,
                                    div_id=div_id, responsive=responsive))
            return
        html = _html_options(include_plotlyjs, full_html, div_id, responsive)
        path = _arrays.c_path(file)
        handles = self._handles()
        C.trajplot_stacked_write_figure_html(handles, len(handles), self._panels,
                                             ctypes.byref(self._options), ctypes.byref(html), path)

    # -- Python protocols --------------------------------------------------

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_rebuild, (self._statistics, self._arguments))

    def __repr__(self):
        names = []
        for index, statistic in enumerate(self._statistics):
            given = self._arguments["titles"][index]
            names.append(repr(given) if given is not None
                         else "<closed>" if statistic.closed else repr(statistic.name))
        return "<StackedFigure of %d panel%s: %s>" % (
            len(names), "" if len(names) == 1 else "s", ", ".join(names))


def _rebuild(statistics, arguments):
    return StackedFigure(statistics, **arguments)


def stacked_figure(statistics, *, titles=None, colorscales=None, log_scales=None, extra=None,
                   title="", token_width=80, height=None, vertical_spacing=None,
                   equal_panel_heights=False, hover_value=False):
    """``StackedFigure(statistics, ...)``: the statistics of one sequence
    stacked top to bottom, one panel each; see StackedFigure."""
    return StackedFigure(statistics, titles=titles, colorscales=colorscales, log_scales=log_scales,
                         extra=extra, title=title, token_width=token_width, height=height,
                         vertical_spacing=vertical_spacing, equal_panel_heights=equal_panel_heights,
                         hover_value=hover_value)
