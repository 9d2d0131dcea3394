"""Optional dependencies: numpy and plotly.py are used when importable,
never required."""
try:
    import numpy
except ImportError:
    numpy = None

_graph_objects = None


def plotly_graph_objects():
    """plotly.graph_objects, or None without plotly.py. Imported on first
    use: plotly.py takes a while to import and many callers never need it."""
    global _graph_objects
    if _graph_objects is None:
        try:
            from plotly import graph_objects
        except ImportError:
            return None
        _graph_objects = graph_objects
    return _graph_objects
