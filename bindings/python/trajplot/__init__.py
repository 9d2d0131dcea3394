"""trajplot: prediction-trajectory heatmaps of language models.

Python binding of the native trajplot library (libtrajplot), with the API
of tuned-lens's ``tuned_lens.plotting.trajectory_plotting``::

    from trajplot import TrajectoryLabels, TrajectoryStatistic

    labels = TrajectoryLabels([["the", "a"], ["cat", "sat"]])
    entropy = TrajectoryStatistic("Entropy", [[3.1, 2.9], [0.4, 1.2]],
                                  sequence_labels=["The", "cat"],
                                  trajectory_labels=labels, units="nats")
    entropy.stride(2).clip(0, 3).write_html("entropy.html")

A Figure is made, and checked, once and exported any number of times, to a
string, a path (replaced atomically) or a file object (streamed)::

    from trajplot import Figure

    figure = Figure(entropy, title="Entropy by layer", log_scale=True)
    figure.write_html("entropy.html")
    with open("entropy.json", "wb") as file:
        figure.write_json(file)
    figure.write_image("entropy.png", scale=2)  # also .svg and .pdf: see image_formats()

The statistics themselves can be computed natively from a lens's outputs
(float32 logits or log-probabilities of every layer, read in place)::

    from trajplot import PredictionTrajectory, Vocabulary

    vocabulary = Vocabulary.from_tokenizer(tokenizer)  # or the token strings
    trajectory = PredictionTrajectory.from_tensor(
        logits, input_ids, targets, vocabulary=vocabulary)  # (layers, seq, vocab) float32
    trajectory.entropy().write_html("entropy.html")

Several statistics of one sequence go into one figure, one panel each::

    Figure.stacked([trajectory.entropy(), trajectory.forward_kl()],
                   log_scales=[False, True]).write_html("trajectory.html")

Figures are trajplot objects, drawn by plotly.js without plotly.py: a
notebook displays them, ``show()`` opens them in a browser, and
``update_layout()`` / ``update_traces()`` change them in plotly.py's style
(returning new figures); ``to_plotly()`` gives plotly.py's object::

    entropy.figure(title="Entropy").update_layout(title_font_size=20).show()

The library is looked up through TRAJPLOT_LIB_PATH (the library file or
its directory), beside this package, then by the system's loader. Only the
standard library is needed; numpy arrays are taken without copying and
given back when numpy is importable; plotly.py objects come from
``to_plotly()`` when plotly.py is importable.
"""
import ctypes as _ctypes

from . import _lib
from ._labels import TrajectoryLabels
from ._lens import PredictionTrajectory, TrajectoryComparison, Vocabulary
from ._figure import Figure, Heatmap, StackedFigure, image_formats, local_plotlyjs, stacked_figure
from ._notebook import reset as reset_notebook
from ._statistic import TrajectoryStatistic, trunc_string_left
from .errors import (
    AbiVersionError,
    FileWriteError,
    InvalidArgumentError,
    LibraryNotFoundError,
    OutOfMemoryError,
    SizeOverflowError,
    TrajplotError,
)

__all__ = [
    "TrajectoryLabels",
    "TrajectoryStatistic",
    "trunc_string_left",
    "Vocabulary",
    "PredictionTrajectory",
    "TrajectoryComparison",
    "Figure",
    "Heatmap",
    "stacked_figure",
    "StackedFigure",
    "default_threads",
    "library_version",
    "library_path",
    "local_plotlyjs",
    "image_formats",
    "reset_notebook",
    "memory_limit",
    "set_memory_limit",
    "TrajplotError",
    "InvalidArgumentError",
    "OutOfMemoryError",
    "SizeOverflowError",
    "FileWriteError",
    "LibraryNotFoundError",
    "AbiVersionError",
]

ABI_VERSION = _lib.ABI_VERSION


def library_version():
    """(major, minor, patch) release version of the loaded library."""
    parts = [_ctypes.c_int() for _ in range(3)]
    _lib.C.trajplot_version(*(_ctypes.byref(part) for part in parts))
    return tuple(part.value for part in parts)


def library_path():
    """The file the library was loaded from (as given to the loader)."""
    return _lib.C._name


def default_threads():
    """The threads the library spreads work over by default (a trajectory
    made with ``threads=None`` or 0): the CPUs available to this process,
    its CPU affinity and any cgroup CPU quota included; at least 1."""
    return _lib.C.trajplot_default_threads()


def memory_limit():
    """The most bytes one object or returned string may need, process-wide
    (by default the machine's physical memory); a call needing more raises
    SizeOverflowError before allocating."""
    return _lib.C.trajplot_memory_limit()


def set_memory_limit(limit_bytes):
    """Sets memory_limit() for the whole process; 0 restores the default."""
    if isinstance(limit_bytes, bool) or not isinstance(limit_bytes, int) or limit_bytes < 0:
        raise InvalidArgumentError("limit_bytes must be a non-negative int, got %r" % (limit_bytes,))
    if limit_bytes > _ctypes.c_size_t(-1).value:
        raise SizeOverflowError("limit_bytes %d does not fit in size_t" % limit_bytes)
    _lib.C.trajplot_set_memory_limit(limit_bytes)


__version__ = "%d.%d.%d" % library_version()
