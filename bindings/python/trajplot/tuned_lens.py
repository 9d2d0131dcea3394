"""tuned-lens's plotting API, drawn by trajplot.

For code written against tuned-lens, this module has the names of
``tuned_lens.plotting.trajectory_plotting`` (``TrajectoryLabels``,
``TrajectoryStatistic``, ``trunc_string_left`` and the private
``_stride_keep_last`` that tuned-lens's tests call) and of
``tuned_lens.plotting.token_formatter`` (``TokenFormatter``), with the same
constructor parameters, fields, methods and return types, so that changing
the import line is the whole migration::

    from trajplot.tuned_lens import TrajectoryLabels, TrajectoryStatistic

    statistic = TrajectoryStatistic("Entropy", stats, sequence_labels=tokens,
                                    trajectory_labels=TrajectoryLabels(top1, topk),
                                    units="nats")
    fig = statistic.stride(2).figure(title="Entropy")   # a plotly.graph_objects.Figure
    trace = statistic.heatmap(colorbar_y=0.89)          # a plotly.graph_objects.Heatmap

The classes are dataclasses, as tuned-lens's are: their fields hold what
was given (numpy arrays, or nested lists) and may be read, assigned, or
changed with ``dataclasses.replace``. The figures are trajplot's (category
axes, escaped text, explicit colour scales, sized cell text, ...); see
"Where trajplot deliberately differs" in README.md for each difference
from the reference and the binding's README for this module's own.

``heatmap()`` and ``figure()`` return plotly.py objects and need plotly.py,
as tuned-lens does; without it they raise ModuleNotFoundError, and
``heatmap_dict()``, ``figure_dict()`` and ``to_trajplot()`` (a
``trajplot.TrajectoryStatistic``, whose figures write JSON and HTML without
plotly.py) still work. numpy is optional: stride() and clip() keep the
kind of each field, numpy arrays (of their dtype) or nested lists, and
nested lists need no numpy.

Where tuned-lens asserts (shapes that disagree, a stride below 1, clip's
``min >= max``, a hover template without hover entries), the error is a
:class:`TrajplotAssertionError`: an ``AssertionError``, as tuned-lens
raises, and a ``trajplot.InvalidArgumentError`` (a ``ValueError``) carrying
the library's message.
"""
import contextlib
import dataclasses
import math
import numbers
import operator
from typing import Any, Optional

from . import _plotly
from . import TrajectoryLabels as _NativeLabels
from . import TrajectoryStatistic as _NativeStatistic
from . import trunc_string_left
from ._compat import numpy, plotly_graph_objects
from .errors import InvalidArgumentError

__all__ = [
    "TrajectoryLabels",
    "TrajectoryStatistic",
    "TokenFormatter",
    "TrajplotAssertionError",
    "trunc_string_left",
]

_DEFAULT_COLORSCALE = "rdbu_r"


class TrajplotAssertionError(InvalidArgumentError, AssertionError):
    """A value tuned-lens asserts on is wrong. Caught as ``AssertionError``
    (as tuned-lens's failed assertions are) or as
    ``trajplot.InvalidArgumentError`` / ``ValueError``."""


@contextlib.contextmanager
def _asserting():
    """Re-raises the library's refusal of an argument as the assertion
    tuned-lens would fail, keeping the library's message."""
    try:
        yield
    except TrajplotAssertionError:
        raise
    except InvalidArgumentError as error:
        raise TrajplotAssertionError(error.message, error.status) from None


def _positive_stride(stride):
    if isinstance(stride, bool):
        raise TypeError("stride must be an integer, not bool")
    try:
        stride = operator.index(stride)
    except TypeError:
        raise TypeError("stride must be an integer, not %s" % type(stride).__name__) from None
    if stride < 1:
        raise TrajplotAssertionError("stride must be positive, got %d" % stride)
    return stride


def _stride_keep_last(x, stride):
    """Rows 0, stride, 2 * stride, ... of all of ``x`` but its last row,
    then the last row, which every stride keeps (``[1, 2, 3, 4, 5]`` with
    stride 2 gives ``[1, 3, 5]``, with 3 ``[1, 4, 5]``).

    A new numpy array when numpy is importable (as tuned-lens returns; of
    ``x``'s dtype when ``x`` is an array), else a list. A stride below 1
    raises TrajplotAssertionError (a ValueError too, as tuned-lens's stride
    0 does); an empty ``x`` has no last row and raises IndexError.
    """
    kept = _strided(x, stride)
    return kept if numpy is None else numpy.asarray(kept)


def _strided(x, stride):
    """_stride_keep_last keeping the kind of ``x``: a numpy array gives a
    numpy array of its dtype, anything else a list (copied to the leaves,
    so that the result shares no list with ``x``), which keeps None gaps
    that a numpy array would turn into objects."""
    stride = _positive_stride(stride)
    count = len(x)
    if count == 0:
        raise IndexError("an empty sequence has no last row to keep")
    rows = list(range(0, count - 1, stride))
    rows.append(count - 1)
    if numpy is not None and isinstance(x, numpy.ndarray):
        return x[rows]
    return [_list_copy(x[row]) for row in rows]


def _list_copy(item):
    if isinstance(item, (list, tuple)):
        return [_list_copy(inner) for inner in item]
    if numpy is not None and isinstance(item, numpy.ndarray):
        return item.copy()
    return item


# -- noticing fields changed in place ------------------------------------------
#
# A dataclass's fields may be changed in place (``labels.label_strings[0, 0]
# = "x"``) and tuned-lens draws what they hold when asked. Copying labels
# into the library costs far more than comparing them with a copy, so the
# library's labels are kept with a copy of what they were made from and
# made again only when that differs.

_UNKNOWN = object()  # a value that cannot be copied and compared: always made again


def _snapshot(value):
    if value is None or isinstance(value, (str, bytes)):
        return value
    if numpy is not None and isinstance(value, numpy.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        copied = [_snapshot(item) for item in value]
        if any(item is _UNKNOWN for item in copied):
            return _UNKNOWN
        return type(value)(copied)
    if numpy is not None and isinstance(value, numpy.generic):
        return value
    return _UNKNOWN


def _unchanged(snapshot, value):
    if snapshot is _UNKNOWN:
        return False
    if snapshot is None:
        return value is None
    if numpy is not None and isinstance(snapshot, numpy.ndarray):
        if not isinstance(value, numpy.ndarray) or value.shape != snapshot.shape or value.dtype != snapshot.dtype:
            return False
        kind = value.dtype.kind
        if kind == "O":
            return value.tolist() == snapshot.tolist()
        if kind in "fc":
            return bool(numpy.array_equal(value, snapshot, equal_nan=True))
        if kind in "USbiu":
            return bool(numpy.array_equal(value, snapshot))
        return value.tobytes() == snapshot.tobytes()
    if type(value) is not type(snapshot):
        return False
    try:
        return bool(value == snapshot)
    except ValueError:  # numpy arrays nested in lists: compared as a whole
        return all(_unchanged(old, new) for old, new in zip(snapshot, value)) and len(value) == len(snapshot)


# -- plotly.py ---------------------------------------------------------------------

def _graph_objects(method, dict_method):
    graph_objects = plotly_graph_objects()
    if graph_objects is None:
        error = ModuleNotFoundError(
            "trajplot.tuned_lens.TrajectoryStatistic.%s returns a plotly.py object, as tuned-lens "
            "does, and needs plotly.py (pip install plotly); without it, %s returns the same as a "
            "dict, and trajplot.Figure(statistic.to_trajplot()) writes its JSON and HTML"
            % (method, dict_method))
        error.name = "plotly"
        raise error
    return graph_objects


def _caller_attributes(kwargs):
    """The top-level trace attributes the caller's keywords set (plotly.py's
    ``colorbar_y`` sets ``colorbar``), which plotly.py must know: an
    attribute the library wrote itself is kept even when plotly.py does not
    know it, one the caller passed is checked as plotly.py checks it."""
    return {keyword.split("_", 1)[0]: None for keyword in kwargs}


# -- the classes -------------------------------------------------------------------

@dataclasses.dataclass
class TrajectoryLabels:
    """Labels for each layer and position in the residual stream, as
    tuned-lens's TrajectoryLabels.

    ``label_strings``: n_layers x seq_len strings drawn in the cells (e.g.
    the lens's top token). ``hover_over_entries``: None, or n_layers x
    seq_len x rows x cols strings, the table shown when hovering over a
    cell (e.g. the top-k tokens and their probabilities). numpy arrays of
    str or nested lists.

    Unlike tuned-lens, the labels are checked when made (trajplot's
    invariants: at least one layer and position, hover tables sharing the
    labels' first two dimensions with at least one row and column); a
    violation raises TrajplotAssertionError.
    """

    label_strings: Any
    hover_over_entries: Optional[Any] = None

    def __post_init__(self):
        self._native()

    def _native(self):
        """The library's labels of what the fields hold now."""
        cached = self.__dict__.get("_trajplot_cache")
        # A caller may have closed the object to_trajplot() gave it.
        if (cached is not None and not cached[0].closed and _unchanged(cached[1], self.label_strings)
                and _unchanged(cached[2], self.hover_over_entries)):
            return cached[0]
        with _asserting():
            native = _NativeLabels(self.label_strings, self.hover_over_entries)
        self._keep(native)
        return native

    def _keep(self, native):
        self.__dict__["_trajplot_cache"] = (
            native, _snapshot(self.label_strings), _snapshot(self.hover_over_entries))

    def stride(self, stride):
        """New labels keeping layers 0, stride, 2 * stride, ... of all but
        the last layer, then the last layer (see _stride_keep_last)."""
        stride = _positive_stride(stride)
        native = self._native().stride(stride)
        # dataclasses.replace would copy the strided labels into the library
        # once more to check them; the library's own stride needs no check.
        strided = object.__new__(type(self))
        strided.__dict__.update(
            {name: value for name, value in self.__dict__.items() if name != "_trajplot_cache"})
        strided.label_strings = _strided(self.label_strings, stride)
        strided.hover_over_entries = (None if self.hover_over_entries is None
                                      else _strided(self.hover_over_entries, stride))
        strided._keep(native)
        return strided

    def template_and_customdata(self, col_width_limit=10):
        """(hovertemplate, customdata) for Plotly, as tuned-lens makes them:
        each hover column padded on the left, or cut to its last characters,
        to min(1 + its longest entry, col_width_limit) characters, and
        customdata n_layers x seq_len x (rows * cols). Labels without hover
        entries, and col_width_limit 0, raise TrajplotAssertionError."""
        with _asserting():
            return self._native().template_and_customdata(col_width_limit)

    def to_trajplot(self):
        """The same labels as a ``trajplot.TrajectoryLabels`` (shared with
        this object while its fields are unchanged)."""
        return self._native()

    def __getstate__(self):
        return {name: value for name, value in self.__dict__.items() if name != "_trajplot_cache"}


@dataclasses.dataclass
class TrajectoryStatistic:
    """A statistic that can be visualised, as tuned-lens's
    TrajectoryStatistic: for example the entropy of the lens's predictions
    at each layer and position.

    Fields, as in tuned-lens: ``name`` ("Entropy"); ``stats``, n_layers x
    seq_len numbers (a numpy array or nested lists; None in lists and NaN
    are gaps); ``sequence_labels``, seq_len strings for the x axis (the
    input tokens); ``trajectory_labels``, a TrajectoryLabels of the same
    shape (or a ``trajplot.TrajectoryLabels``); ``units``; ``max`` and
    ``min``, the colour range; ``includes_output``, whether the last layer
    is the model's output; ``_layer_labels``, the n_layers y-axis labels,
    derived when None ("0", "1", ..., "output").

    Checked when made, by the library: a violation (shapes that disagree,
    ``min >= max``, a NaN bound, wrong numbers of sequence or layer labels)
    raises TrajplotAssertionError naming the field and the shapes.
    """

    name: str
    stats: Any
    sequence_labels: Optional[Any] = None
    trajectory_labels: Optional[Any] = None
    units: Optional[str] = None
    max: Optional[float] = None
    min: Optional[float] = None
    includes_output: bool = True
    _layer_labels: Optional[Any] = None

    def __post_init__(self):
        with self._native() as native:
            if self._layer_labels is None:
                self._layer_labels = native.layer_labels

    def _native(self):
        """The library's statistic of what the fields hold now."""
        labels = self.trajectory_labels
        if isinstance(labels, TrajectoryLabels):
            labels = labels._native()
        elif labels is not None and not isinstance(labels, _NativeLabels):
            raise TypeError("trajectory_labels must be a TrajectoryLabels, not %s" % type(labels).__name__)
        with _asserting():
            return _NativeStatistic(self.name, self.stats, self.sequence_labels, labels, self.units,
                                    self.max, self.min, self.includes_output,
                                    layer_labels=self._layer_labels)

    @property
    def num_layers(self):
        """The number of layers (rows of ``stats``)."""
        return len(self.stats)

    def stride(self, stride):
        """A new statistic keeping layers 0, stride, 2 * stride, ... of all
        but the last layer, then the last layer: its stats, trajectory
        labels and layer labels alike (five layers strided by 2 keep "0",
        "2", "output"). A stride below 1 raises TrajplotAssertionError."""
        stride = _positive_stride(stride)
        labels = self.trajectory_labels
        return dataclasses.replace(
            self,
            stats=_strided(self.stats, stride),
            trajectory_labels=None if labels is None else labels.stride(stride),
            _layer_labels=_strided(self._layer_labels, stride),
        )

    def clip(self, min, max):
        """A new statistic with its values clamped into [min, max]
        (infinities onto the bounds, NaN kept) and [min, max] as its colour
        range. ``min < max`` is asserted, so a NaN bound fails too."""
        if not min < max:
            raise TrajplotAssertionError(
                "min must be less than max, got min %r and max %r" % (min, max))
        if numpy is not None and not isinstance(self.stats, (list, tuple)):
            clipped = numpy.clip(self.stats, min, max)
        else:
            clipped = [[_clamp(value, min, max, "stats[%d][%d]" % (layer, position))
                        for position, value in enumerate(row)]
                       for layer, row in enumerate(self.stats)]
        return dataclasses.replace(self, stats=clipped, max=max, min=min)

    # -- plotly.py objects, and the same without plotly.py ---------------

    def heatmap_dict(self, colorscale=_DEFAULT_COLORSCALE, log_scale=False, *, hover_value=False,
                     **kwargs):
        """heatmap() as a plain dict; needs no plotly.py."""
        with self._native() as native:
            return native.heatmap_dict(colorscale, log_scale, hover_value=hover_value, **kwargs)

    def heatmap(self, colorscale=_DEFAULT_COLORSCALE, log_scale=False, *, hover_value=False, **kwargs):
        """A ``plotly.graph_objects.Heatmap`` of the statistic: x the
        sequence, y the layers, the colour of each cell its value.

        ``log_scale`` colours by log10 of the values (trajplot's colour bar
        ticks). ``kwargs`` are merged into the trace in plotly.py's style
        (``colorbar_y=0.89``); dict values merge with what trajplot writes
        (``colorbar={"len": 0.5}`` keeps the colour bar's title).
        ``hover_value`` (trajplot's) shows each cell's value above its
        hover table. Needs plotly.py (ModuleNotFoundError without it).
        """
        graph_objects = _graph_objects("heatmap()", "heatmap_dict()")
        trace = self.heatmap_dict(colorscale, log_scale, hover_value=hover_value, **kwargs)
        return _plotly.heatmap_object(graph_objects, trace, _caller_attributes(kwargs))

    def figure_dict(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *, log_scale=False,
                    height=None, hover_value=False, **kwargs):
        """figure() as a plain dict; needs no plotly.py."""
        with self._native() as native:
            return native.figure_dict(title, colorscale, token_width, log_scale=log_scale, height=height,
                                      hover_value=hover_value, **kwargs)

    def figure(self, title="", colorscale=_DEFAULT_COLORSCALE, token_width=80, *, log_scale=False,
               height=None, hover_value=False, **kwargs):
        """A ``plotly.graph_objects.Figure`` of the heatmap, titled
        ``title``, 200 + token_width * seq_len pixels wide, axes titled
        "Input" and "Layer". trajplot's keyword-only extras: ``log_scale``,
        ``height`` (pixels), ``hover_value`` and ``kwargs`` for the trace,
        as heatmap() takes them. Needs plotly.py (ModuleNotFoundError
        without it)."""
        graph_objects = _graph_objects("figure()", "figure_dict()")
        figure = self.figure_dict(title, colorscale, token_width, log_scale=log_scale, height=height,
                                  hover_value=hover_value, **kwargs)
        return _plotly.figure_object(graph_objects, figure, [_caller_attributes(kwargs)])

    def to_trajplot(self):
        """The same statistic as a ``trajplot.TrajectoryStatistic``: made
        once, its figures are written as JSON or HTML pages without
        plotly.py (``trajplot.Figure(statistic.to_trajplot()).write_html(path)``)."""
        return self._native()


def _clamp(value, low, high, where):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s is %s, expected a number" % (where, type(value).__name__))
    if math.isnan(value):
        return value
    return low if value < low else high if value > high else value


# -- token formatting --------------------------------------------------------------

_FORMATTER_TEXTS = ("ellipsis", "newline_replacement", "newline_token", "whitespace_token",
                    "whitespace_replacement")
_FORMATTER_MARKERS = ("newline_token", "whitespace_token")


@dataclasses.dataclass
class TokenFormatter:
    """Formats tokens for display in plots, as tuned-lens's TokenFormatter.

    ``format(token)``: a token longer than ``max_string_len`` characters
    (None: never) keeps its first ``max_string_len - len(ellipsis)`` and
    gets the ellipsis; then ``newline_token`` is shown as
    ``newline_replacement`` and ``whitespace_token`` as
    ``whitespace_replacement``. Anything but a str is "<unk>".
    ``vectorized_format`` formats every element of an array (nested lists
    without numpy).

    As trajplot's token format, and unlike tuned-lens, ``max_string_len``
    must be None or at least 1 and the ellipsis's length, and the two
    markers must not be empty (an empty marker would be "found" between
    every two characters): assigning such a value raises
    InvalidArgumentError.
    """

    ellipsis: str = "\u2026"
    newline_replacement: str = "\\n"
    newline_token: str = "\u010a"
    whitespace_token: str = "\u0120"
    whitespace_replacement: str = "_"
    max_string_len: Optional[int] = 7

    def __setattr__(self, name, value):
        if name in _FORMATTER_TEXTS:
            if not isinstance(value, str):
                raise TypeError("%s must be str, not %s" % (name, type(value).__name__))
            if name in _FORMATTER_MARKERS and not value:
                raise InvalidArgumentError("%s must not be empty" % name)
            if name == "ellipsis":
                self._check_length(self.__dict__.get("max_string_len"), value)
        elif name == "max_string_len" and value is not None:
            if isinstance(value, bool):
                raise TypeError("max_string_len must be an integer or None, not bool")
            try:
                operator.index(value)
            except TypeError:
                raise TypeError("max_string_len must be an integer or None, not %s"
                                % type(value).__name__) from None
            self._check_length(value, self.__dict__.get("ellipsis", ""))
        object.__setattr__(self, name, value)

    @staticmethod
    def _check_length(max_string_len, ellipsis):
        if max_string_len is None:
            return
        limit = operator.index(max_string_len)
        if limit < 1 or limit < len(ellipsis):
            raise InvalidArgumentError(
                "max_string_len must be None or at least 1 and the ellipsis's length (%d), got %d"
                % (len(ellipsis), limit))

    def __post_init__(self):
        if numpy is not None:
            # otypes: tuned-lens's np.vectorize(self.format) refuses empty
            # arrays, having no first result to take its type from.
            vectorized = numpy.vectorize(self.format, otypes=[str])
        else:
            vectorized = self._format_nested
        object.__setattr__(self, "vectorized_format", vectorized)

    def format(self, token):
        """The token as a plot shows it; "<unk>" for anything but a str."""
        if not isinstance(token, str):
            return "<unk>"
        if self.max_string_len is not None and len(token) > self.max_string_len:
            token = token[:operator.index(self.max_string_len) - len(self.ellipsis)] + self.ellipsis
        token = token.replace(self.newline_token, self.newline_replacement)
        return token.replace(self.whitespace_token, self.whitespace_replacement)

    def _format_nested(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return [self._format_nested(token) for token in tokens]
        return self.format(tokens)

    def pad_token_repr_to_max_len(self, token_repr):
        """``token_repr`` cut or padded on the right with spaces to
        ``max_string_len`` characters (unchanged when that is None)."""
        if self.max_string_len is None:
            return token_repr
        limit = operator.index(self.max_string_len)
        return token_repr[:limit] + " " * (limit - len(token_repr))
