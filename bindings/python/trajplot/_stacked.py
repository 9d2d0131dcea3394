"""The arguments of a figure, checked and normalised before the library
sees them: per-panel options of a stacked figure (one entry per panel) and
the trace patches in plotly.py's keyword style."""
from . import _plotly
from ._compat import numpy
from ._statistic import TrajectoryStatistic
from .errors import InvalidArgumentError


def type_name(value):
    return type(value).__name__


def _panel_list(value, count, name, entry):
    """``value`` (a list or tuple, or a numpy array) as a list of one entry
    per panel, ``entry`` saying what each must be."""
    if numpy is not None and isinstance(value, numpy.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError("%s must be a list of %s, one per statistic, not %s"
                        % (name, entry, type_name(value)))
    if len(value) != count:
        raise InvalidArgumentError("%s has %d entries but there are %d statistics"
                                   % (name, len(value), count))
    return list(value)


def statistic_tuple(statistics):
    """The statistics of a stacked figure as a tuple of open
    TrajectoryStatistic objects."""
    if isinstance(statistics, TrajectoryStatistic):
        raise TypeError("statistics must be a list of TrajectoryStatistic, not one statistic "
                        "(the figure of one statistic is Figure(statistic))")
    if isinstance(statistics, (str, bytes, dict)):
        raise TypeError("statistics must be a list of TrajectoryStatistic, not %s" % type_name(statistics))
    try:
        statistics = tuple(statistics)
    except TypeError:
        raise TypeError("statistics must be a list of TrajectoryStatistic, not %s"
                        % type_name(statistics)) from None
    if not statistics:
        raise InvalidArgumentError("statistics is empty; a stacked figure needs at least one statistic")
    for index, statistic in enumerate(statistics):
        if not isinstance(statistic, TrajectoryStatistic):
            raise TypeError("statistics[%d] must be a TrajectoryStatistic, not %s"
                            % (index, type_name(statistic)))
        if statistic.closed:
            raise ValueError("statistics[%d] is a closed TrajectoryStatistic" % index)
    return statistics


def titles(value, count):
    if value is None:
        return [None] * count
    if isinstance(value, str):
        raise TypeError("titles must be a list of str or None, one per statistic, not a str "
                        "(the title over the whole figure is title=)")
    value = _panel_list(value, count, "titles", "str or None")
    for index, title in enumerate(value):
        if title is not None and not isinstance(title, str):
            raise TypeError("titles[%d] must be str or None, not %s" % (index, type_name(title)))
    return value


def colorscales(value, count):
    if value is None or isinstance(value, str):
        return [value] * count
    value = _panel_list(value, count, "colorscales", "str or None")
    for index, colorscale in enumerate(value):
        if colorscale is not None and not isinstance(colorscale, str):
            raise TypeError("colorscales[%d] must be a colourscale name or None, not %s"
                            % (index, type_name(colorscale)))
    return value


def is_bool(value):
    return isinstance(value, bool) or numpy is not None and isinstance(value, numpy.bool_)


def log_scales(value, count):
    if value is None:
        return [False] * count
    if is_bool(value):
        return [bool(value)] * count
    value = _panel_list(value, count, "log_scales", "bool")
    for index, log_scale in enumerate(value):
        # Strict: a truthy string or number in this list is a mistake, not True.
        if not is_bool(log_scale):
            raise TypeError("log_scales[%d] must be a bool, not %s" % (index, type_name(log_scale)))
    return [bool(log_scale) for log_scale in value]


def patch(extra, where):
    """The merge patch that ``extra`` (a dict in the keyword style of
    heatmap(**kwargs), or None) stands for; ``where`` names it in errors."""
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        raise TypeError("%s must be a dict or None, not %s" % (where, type_name(extra)))
    for key in extra:
        if not isinstance(key, str):
            raise TypeError("%s has a key %r of type %s; keys are heatmap attribute names (str)"
                            % (where, key, type_name(key)))
    return _plotly.trace_patch(extra)


def patches(extra, count):
    """The merge patch of each panel, and the name of the argument it came
    from (for errors)."""
    if extra is None or isinstance(extra, dict):
        return [patch(extra, "extra")] * count, ["extra"] * count
    extra = _panel_list(extra, count, "extra", "dict or None")
    names = ["extra[%d]" % index for index in range(count)]
    return [patch(entry, name) for entry, name in zip(extra, names)], names


def spacing(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not (
            numpy is not None and isinstance(value, numpy.number)):
        raise TypeError("vertical_spacing must be a number or None, not %s" % type_name(value))
    return float(value)
