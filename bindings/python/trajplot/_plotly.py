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


# Property names that hold an underscore of their own, which plotly.py does
# not split (its BaseFigure._valid_underscore_properties): where one occurs
# in a key, its underscore stays part of the name.
_UNDERSCORE_NAMES = ("error_x", "error_y", "error_z", "copy_xstyle", "copy_ystyle", "copy_zstyle",
                     "paper_bgcolor", "plot_bgcolor")


def property_path(key, where):
    """The property names a key of update_layout()/update_traces() stands
    for, as plotly.py reads it: split at dots and at every underscore but
    those of the names in _UNDERSCORE_NAMES. ``where`` starts the message of
    an error."""
    if not isinstance(key, str):
        raise TypeError("%s: property names are str, not %s" % (where, type(key).__name__))
    protected = key
    for name in _UNDERSCORE_NAMES:
        protected = protected.replace(name, name.replace("_", "-"))
    path = [part.replace("-", "_") for part in protected.replace(".", "_").split("_")]
    if not all(path):
        raise InvalidArgumentError("%s: %r is not a plotly property path (name_subname_... or "
                                   "name.subname...)" % (where, key))
    for part in path:
        if part.isdigit():
            raise InvalidArgumentError(
                "%s: %r indexes an array (part %r); a merge patch replaces arrays whole, so pass "
                "the whole list (annotations=[...])" % (where, key, part))
    return path


def _update_value(value, where):
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        return update_patch(value, {}, where)
    if isinstance(value, (list, tuple)):
        return [_update_value(item, where) if isinstance(item, dict) or hasattr(item, "to_plotly_json")
                else item for item in value]
    return value


def update_patch(properties, kwargs, where):
    """The merge patch that update_layout(properties, **kwargs) or
    update_traces(...) stands for, following plotly.py's update(): every
    key, in ``properties``, in ``kwargs`` and in the dicts nested in their
    values (lists of dicts included), is a property path split by
    property_path(); dicts merge with what other keys put at the same place,
    ``kwargs`` after ``properties``; a str or number given for a ``title``
    is its text (``title="Entropy"`` means ``{"title": {"text": "Entropy"}}``)
    as plotly.py's title properties take it; None removes."""
    if properties is None:
        properties = {}
    elif hasattr(properties, "to_plotly_json"):
        properties = properties.to_plotly_json()
    if not isinstance(properties, dict):
        raise TypeError("%s takes a dict of properties, not %s" % (where, type(properties).__name__))
    patch = {}
    for source in (properties, kwargs):
        for key, value in source.items():
            path = property_path(key, where)
            value = _update_value(value, where)
            if path[-1] == "title" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
                value = {"text": value}
            for name in reversed(path[1:]):
                value = {name: value}
            patch = _merged(patch, {path[0]: value})
    return patch


def then(first, second):
    """One merge patch for ``first`` applied, then ``second``: dicts merge,
    anything else in ``second`` replaces. Exact but for a dict in
    ``second`` where ``first`` removed or replaced a dict the figure has:
    that dict then merges into the figure's, where applying the two in turn
    would start it afresh."""
    return _merged(first, second)


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


def validated_heatmap_object(graph_objects, trace, patch, validate=True):
    """A go.Heatmap of ``trace`` that any plotly.py figure accepts.

    A trace with attributes this plotly.py does not know (plotly.py < 5.5
    has no heatmap ``texttemplate``, which draws the cell labels) would be
    refused by every figure that validates the traces added to it
    (make_subplots'): it is refused here instead, with an error saying how
    to stack panels without plotly.py. With ``validate`` false the trace is
    built without validation, keeping everything.
    """
    if not validate:
        return graph_objects.Heatmap(trace, _validate=False)
    unknown = _unknown_attributes(graph_objects, trace, patch)
    if not unknown:
        return graph_objects.Heatmap(trace)
    import plotly

    raise InvalidArgumentError(
        "plotly.py %s has no heatmap attribute%s %s, which this trace needs to draw its cell labels "
        "(plotly.py 5.5 and later have them), so a figure that validates its traces, as "
        "make_subplots' figures do, cannot hold it. To stack statistics as panels, use "
        "trajplot.stacked_figure([...]) (or Figure.stacked), which needs no plotly.py; "
        "to_plotly(validate=False) gives the trace unvalidated, which only "
        "go.Figure(data=[trace], _validate=False) accepts; texttemplate=None, textfont=None "
        "drop the labels."
        % (plotly.__version__, "s" if len(unknown) > 1 else "", ", ".join(repr(key) for key in sorted(unknown))))


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
