"""Keyword arguments in plotly.py's style, and plotly.py objects.

``heatmap(**kwargs)`` follows plotly.py: ``colorbar_y=0.89`` means
``{"colorbar": {"y": 0.89}}`` (no heatmap property name has an underscore,
so every underscore of a keyword separates a level), and a dict value
merges with what other keywords put at the same place. The result goes to
the library as the trace's extra JSON, an RFC 7386 merge patch, so ``None``
removes an attribute.
"""
import json

from ._compat import numpy
from .errors import InvalidArgumentError


def _plain(value):
    """JSON-ready form of plotly.py objects and numpy values."""
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return value.tolist()
        if isinstance(value, numpy.generic):
            return value.item()
    raise TypeError("%s is not JSON serialisable" % type(value).__name__)


def _merged(base, patch):
    result = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = value
    return result


def trace_patch(kwargs):
    """The nested dict that keyword arguments stand for."""
    patch = {}
    for keyword, value in kwargs.items():
        path = keyword.split("_")
        if not all(path):
            raise InvalidArgumentError(
                "keyword %r is not a plotly property path (name_subname_...)" % keyword
            )
        if hasattr(value, "to_plotly_json"):
            value = value.to_plotly_json()
        for name in reversed(path[1:]):
            value = {name: value}
        patch = _merged(patch, {path[0]: value})
    return patch


def patch_json(patch, name="keyword arguments"):
    """The merge patch as JSON, or None when there is nothing to merge;
    ``name`` says where the patch came from in errors."""
    if not patch:
        return None
    try:
        return json.dumps(patch, default=_plain, allow_nan=False)
    except ValueError as error:
        raise InvalidArgumentError("%s cannot be written as JSON: %s" % (name, error)) from None


def _unknown_attributes(graph_objects, trace, patch, where=""):
    """Top-level trace attributes this plotly.py does not know. One the
    caller passed is an error, as in plotly.py (a misspelling, or an
    attribute newer than this plotly.py); the ones the library wrote itself
    are returned, to be kept. ``where`` (e.g. "panels[2] (Rank): ") starts the
    message."""
    known = getattr(graph_objects.Heatmap, "_valid_props", None)
    if known is None:
        return set()
    unknown = {key for key in trace if key not in known and key != "type"}
    passed = sorted(unknown & set(patch))
    if passed:
        import plotly

        raise InvalidArgumentError(
            "%splotly.py %s has no heatmap attribute %s (misspelt, or newer than this "
            "plotly.py); heatmap_dict(), figure_dict(), to_json() and write_html() "
            "write it without going through plotly.py"
            % (where, plotly.__version__, ", ".join(repr(key) for key in passed)))
    return unknown


def _without(trace, keys):
    return {key: value for key, value in trace.items() if key not in keys}


def heatmap_object(graph_objects, trace, patch):
    """A go.Heatmap holding every attribute of ``trace``.

    plotly.py validates attributes against the plotly.js schema it was
    built with; one older than the library's figures (plotly.py < 5.5 has
    no heatmap ``texttemplate``) would reject them. Everything it does know
    is validated; the object is then built with validation off so that the
    rest is kept.
    """
    unknown = _unknown_attributes(graph_objects, trace, patch)
    if not unknown:
        return graph_objects.Heatmap(trace)
    graph_objects.Heatmap(_without(trace, unknown))
    return graph_objects.Heatmap(trace, _validate=False)


def figure_object(graph_objects, figure, patches, panel_names=None):
    """A go.Figure holding every attribute of ``figure`` (see
    heatmap_object). ``patches[i]`` is what the caller merged into trace i;
    ``panel_names[i]``, when given, names that trace in errors."""
    traces = figure["data"]
    unknown = [
        _unknown_attributes(graph_objects, trace, patch,
                            "" if panel_names is None else "%s: " % panel_names[index])
        for index, (trace, patch) in enumerate(zip(traces, patches))
    ]
    if not any(unknown):
        return graph_objects.Figure(figure)
    graph_objects.Figure(dict(figure, data=[_without(trace, keys) for trace, keys in zip(traces, unknown)]))
    return graph_objects.Figure(figure, _validate=False)
