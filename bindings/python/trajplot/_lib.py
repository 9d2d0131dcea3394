"""Finds libtrajplot and declares the C API (capi/trajplot.h) for ctypes.

Each C function is declared once, below its prototype as the header states
it; functions returning a trajplot_status raise the matching TrajplotError
(with the library's message) through ctypes' errcheck hook.
"""
import ctypes
import ctypes.util
import os
import sys

from .errors import AbiVersionError, LibraryNotFoundError, error_for_status

# The ABI this module is written for (TRAJPLOT_ABI_VERSION in trajplot.h).
ABI_VERSION = 2

LIB_PATH_VARIABLE = "TRAJPLOT_LIB_PATH"

if sys.platform == "win32":
    _FILE_NAMES = ("trajplot.dll", "libtrajplot.dll")
elif sys.platform == "darwin":
    _FILE_NAMES = ("libtrajplot.%d.dylib" % ABI_VERSION, "libtrajplot.dylib")
else:
    _FILE_NAMES = ("libtrajplot.so.%d" % ABI_VERSION, "libtrajplot.so")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _candidates(environ):
    """(where, how to load) pairs in search order. A set TRAJPLOT_LIB_PATH
    is the only place searched: an explicit choice must not be silently
    replaced by some other copy of the library."""
    override = environ.get(LIB_PATH_VARIABLE)
    if override:
        if os.path.isdir(override):
            return [os.path.join(override, name) for name in _FILE_NAMES]
        return [os.path.abspath(override)]
    found = [os.path.join(_PACKAGE_DIR, name) for name in _FILE_NAMES]
    system = ctypes.util.find_library("trajplot")
    if system:
        found.append(system)
    # A bare SONAME goes through the dynamic loader's own search
    # (LD_LIBRARY_PATH, the ld.so cache, the default directories).
    found.append(_FILE_NAMES[0])
    return found


def load_library(environ=None):
    """Loads libtrajplot and checks its ABI version.

    Looks at TRAJPLOT_LIB_PATH (a library file, or a directory holding
    one) when it is set, else beside this package, then wherever the system
    loader finds ``libtrajplot``. Raises LibraryNotFoundError listing every
    place tried and why it failed, or AbiVersionError.
    """
    environ = os.environ if environ is None else environ
    tried = []
    for candidate in _candidates(environ):
        is_path = os.sep in candidate or (os.altsep is not None and os.altsep in candidate)
        if is_path and not os.path.exists(candidate):
            tried.append("%s (no such file)" % candidate)
            continue
        try:
            library = ctypes.CDLL(candidate)
        except OSError as error:
            tried.append("%s (%s)" % (candidate, error))
            continue
        _check_abi(library, candidate)
        return library
    hint = (
        "set %s to the library file or its directory (a build tree has it at "
        "build/%s)" % (LIB_PATH_VARIABLE, _FILE_NAMES[0])
    )
    if environ.get(LIB_PATH_VARIABLE):
        hint = "%s=%s names no loadable library" % (LIB_PATH_VARIABLE, environ[LIB_PATH_VARIABLE])
    raise LibraryNotFoundError(
        "cannot load the trajplot library; tried:\n  " + "\n  ".join(tried) + "\n" + hint
    )


def _check_abi(library, where):
    try:
        abi_version = library.trajplot_abi_version
    except AttributeError:
        raise AbiVersionError(
            "%s does not export trajplot_abi_version: not a trajplot library" % where
        ) from None
    abi_version.argtypes = []
    abi_version.restype = ctypes.c_int
    found = abi_version()
    if found != ABI_VERSION:
        raise AbiVersionError(
            "%s implements trajplot ABI %d, but this Python package needs ABI %d"
            % (where, found, ABI_VERSION)
        )


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

class trajplot_labels(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


class trajplot_statistic(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


class trajplot_vocabulary(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


class trajplot_trajectory(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


class trajplot_comparison(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


class trajplot_figure(ctypes.Structure):
    """Opaque: only pointers to it are handled."""


labels_p = ctypes.POINTER(trajplot_labels)
statistic_p = ctypes.POINTER(trajplot_statistic)
vocabulary_p = ctypes.POINTER(trajplot_vocabulary)
trajectory_p = ctypes.POINTER(trajplot_trajectory)
comparison_p = ctypes.POINTER(trajplot_comparison)
figure_p = ctypes.POINTER(trajplot_figure)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
char_p = ctypes.POINTER(ctypes.c_char)  # not c_char_p: keeps the pointer, and bytes with NULs
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_float_p = ctypes.POINTER(ctypes.c_float)
c_bool_p = ctypes.POINTER(ctypes.c_bool)
c_int_p = ctypes.POINTER(ctypes.c_int)
string_array = ctypes.POINTER(ctypes.c_char_p)  # const char *const *

STATISTIC_OPTIONS_VERSION = 1
TRAJECTORY_OPTIONS_VERSION = 1
PANEL_OPTIONS_VERSION = 1
FIGURE_OPTIONS_VERSION = 2
EXPORT_OPTIONS_VERSION = 2

# enum trajplot_format
FORMAT_FIGURE_JSON = 0
FORMAT_TRACE_JSON = 1
FORMAT_HTML = 2
FORMAT_SVG = 3
FORMAT_PNG = 4
FORMAT_PDF = 5

# enum trajplot_plotlyjs
PLOTLYJS_LOCAL = 0
PLOTLYJS_CDN = 1
PLOTLYJS_SRC = 2
PLOTLYJS_INLINE = 3
PLOTLYJS_NONE = 4

# enum trajplot_values
VALUES_LOGITS = 0
VALUES_LOG_PROBS = 1

# enum trajplot_measure
MEASURE_ENTROPY = 0
MEASURE_CROSS_ENTROPY = 1
MEASURE_FORWARD_KL = 2
MEASURE_MAX_PROBABILITY = 3
MEASURE_RANK = 4
MEASURE_LOG_PROB_DIFF = 5
MEASURE_LOG_PROB_DIFF_DELTA = 6
MEASURE_KL_DIVERGENCE = 16
MEASURE_JS_DIVERGENCE = 17
MEASURE_HALF_SYMMETRIC_KL = 18
MEASURE_TOTAL_VARIATION = 19
MEASURE_MAX_ABS_PROB_DIFFERENCE = 20

SHOW_RANKS = 1  # TRAJPLOT_SHOW_RANKS

# enum trajplot_string_layout
STRINGS_POINTERS = 0
STRINGS_UTF32 = 1
STRINGS_BYTES = 2
STRINGS_UTF8_OFFSETS = 3

STRINGS_VERSION = 1


class trajplot_strings(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("layout", ctypes.c_int),
        ("count", ctypes.c_size_t),
        ("data", ctypes.c_void_p),
        ("lengths", c_size_p),
        ("width", ctypes.c_size_t),
        ("offsets", ctypes.POINTER(ctypes.c_uint64)),
        ("data_len", ctypes.c_size_t),
    ]


class trajplot_statistic_options(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("units", ctypes.c_char_p),
        ("sequence_labels", string_array),
        ("sequence_label_lengths", c_size_p),
        ("sequence_label_count", ctypes.c_size_t),
        ("trajectory_labels", labels_p),
        ("layer_labels", string_array),
        ("layer_label_lengths", c_size_p),
        ("layer_label_count", ctypes.c_size_t),
        ("min", ctypes.c_float),
        ("max", ctypes.c_float),
        ("has_min", ctypes.c_bool),
        ("has_max", ctypes.c_bool),
        ("includes_output", ctypes.c_bool),
    ]


class trajplot_trajectory_options(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("values", ctypes.c_int),
        ("vocabulary", vocabulary_p),
        ("top_k", ctypes.c_size_t),
        ("min_prob", ctypes.c_float),
        ("min_prob_delta", ctypes.c_float),
        ("max_batch_items_shown", ctypes.c_size_t),
        ("max_string_len", ctypes.c_size_t),
        ("ellipsis", ctypes.c_char_p),
        ("newline_token", ctypes.c_char_p),
        ("newline_replacement", ctypes.c_char_p),
        ("whitespace_token", ctypes.c_char_p),
        ("whitespace_replacement", ctypes.c_char_p),
        ("threads", ctypes.c_size_t),
        ("forward_kl", ctypes.c_bool),
    ]


class trajplot_panel_options(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("title", ctypes.c_char_p),
        ("colorscale", ctypes.c_char_p),
        ("extra_json", ctypes.c_char_p),
        ("log_scale", ctypes.c_bool),
        ("hover_value", ctypes.c_bool),
    ]


class trajplot_figure_options(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("title", ctypes.c_char_p),
        ("token_width", ctypes.c_size_t),
        ("height", ctypes.c_size_t),
        ("vertical_spacing", ctypes.c_double),
        ("has_vertical_spacing", ctypes.c_bool),
        ("equal_panel_heights", ctypes.c_bool),
        ("layout_json", ctypes.c_char_p),
    ]


class trajplot_export_options(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("format", ctypes.c_int),
        ("plotlyjs", ctypes.c_int),
        ("plotlyjs_location", ctypes.c_char_p),
        ("div_id", ctypes.c_char_p),
        ("full_html", ctypes.c_bool),
        ("responsive", ctypes.c_bool),
        ("scale", ctypes.c_double),
    ]


# typedef int (*trajplot_write_fn)(void *user, const char *data, size_t len);
# data is not NUL-terminated: a POINTER(c_char), read with string_at.
trajplot_write_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, char_p, ctypes.c_size_t)


# ---------------------------------------------------------------------------
# Prototypes
# ---------------------------------------------------------------------------

_PROTOTYPES = []
STATUS = object()  # restype marker: a trajplot_status, checked by errcheck


def _declare(name, argtypes, restype):
    _PROTOTYPES.append((name, argtypes, restype))


# int trajplot_abi_version(void);
_declare("trajplot_abi_version", [], ctypes.c_int)

# void trajplot_version(int *major, int *minor, int *patch);
_declare("trajplot_version", [c_int_p, c_int_p, c_int_p], None)

# const char *trajplot_error_last(void);
_declare("trajplot_error_last", [], ctypes.c_char_p)

# trajplot_status trajplot_error_last_status(void);
_declare("trajplot_error_last_status", [], ctypes.c_int)

# void trajplot_error_clear(void);
_declare("trajplot_error_clear", [], None)

# void trajplot_string_free(char *string);
_declare("trajplot_string_free", [char_p], None)

# size_t trajplot_memory_limit(void);
_declare("trajplot_memory_limit", [], ctypes.c_size_t)

# void trajplot_set_memory_limit(size_t bytes);
_declare("trajplot_set_memory_limit", [ctypes.c_size_t], None)

# size_t trajplot_default_threads(void);
_declare("trajplot_default_threads", [], ctypes.c_size_t)

# trajplot_status trajplot_trunc_string_left(char **out, size_t *out_len,
#                                            const char *string, size_t string_len,
#                                            size_t new_len);
_declare("trajplot_trunc_string_left",
         [ctypes.POINTER(char_p), c_size_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_strings_init(trajplot_strings *strings, unsigned int version);
_declare("trajplot_strings_init", [ctypes.POINTER(trajplot_strings), ctypes.c_uint], STATUS)

# trajplot_status trajplot_labels_create(
#     trajplot_labels **out, size_t n_layers, size_t seq_len,
#     const char *const *label_strings, const size_t *label_lengths,
#     const char *const *hover_entries, const size_t *hover_lengths,
#     size_t hover_rows, size_t hover_cols);
_declare("trajplot_labels_create",
         [ctypes.POINTER(labels_p), ctypes.c_size_t, ctypes.c_size_t,
          string_array, c_size_p, string_array, c_size_p,
          ctypes.c_size_t, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_labels_create_from_strings(
#     trajplot_labels **out, size_t n_layers, size_t seq_len,
#     const trajplot_strings *label_strings, const trajplot_strings *hover_entries,
#     size_t hover_rows, size_t hover_cols);
_declare("trajplot_labels_create_from_strings",
         [ctypes.POINTER(labels_p), ctypes.c_size_t, ctypes.c_size_t,
          ctypes.POINTER(trajplot_strings), ctypes.POINTER(trajplot_strings),
          ctypes.c_size_t, ctypes.c_size_t], STATUS)

# void trajplot_labels_free(trajplot_labels *labels);
_declare("trajplot_labels_free", [labels_p], None)

# trajplot_status trajplot_labels_shape(
#     size_t *n_layers, size_t *seq_len, size_t *hover_rows, size_t *hover_cols,
#     const trajplot_labels *labels);
_declare("trajplot_labels_shape", [c_size_p, c_size_p, c_size_p, c_size_p, labels_p], STATUS)

# trajplot_status trajplot_labels_label(
#     const char **out, size_t *len, const trajplot_labels *labels,
#     size_t layer, size_t position);
_declare("trajplot_labels_label",
         [ctypes.POINTER(char_p), c_size_p, labels_p, ctypes.c_size_t, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_labels_hover_entry(
#     const char **out, size_t *len, const trajplot_labels *labels,
#     size_t layer, size_t position, size_t row, size_t col);
_declare("trajplot_labels_hover_entry",
         [ctypes.POINTER(char_p), c_size_p, labels_p, ctypes.c_size_t, ctypes.c_size_t,
          ctypes.c_size_t, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_labels_stride(
#     trajplot_labels **out, const trajplot_labels *labels, size_t stride);
_declare("trajplot_labels_stride", [ctypes.POINTER(labels_p), labels_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_labels_template_and_customdata(
#     char **template_out, size_t *template_len,
#     char **customdata_json, size_t *customdata_len,
#     const trajplot_labels *labels, size_t col_width_limit);
_declare("trajplot_labels_template_and_customdata",
         [ctypes.POINTER(char_p), c_size_p, ctypes.POINTER(char_p), c_size_p,
          labels_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_statistic_options_init(
#     trajplot_statistic_options *options, unsigned int version);
_declare("trajplot_statistic_options_init",
         [ctypes.POINTER(trajplot_statistic_options), ctypes.c_uint], STATUS)

# trajplot_status trajplot_statistic_create(
#     trajplot_statistic **out, const char *name, const float *stats,
#     size_t n_layers, size_t seq_len, const trajplot_statistic_options *options);
_declare("trajplot_statistic_create",
         [ctypes.POINTER(statistic_p), ctypes.c_char_p, c_float_p, ctypes.c_size_t,
          ctypes.c_size_t, ctypes.POINTER(trajplot_statistic_options)], STATUS)

# void trajplot_statistic_free(trajplot_statistic *statistic);
_declare("trajplot_statistic_free", [statistic_p], None)

# trajplot_status trajplot_statistic_shape(
#     size_t *n_layers, size_t *seq_len, const trajplot_statistic *statistic);
_declare("trajplot_statistic_shape", [c_size_p, c_size_p, statistic_p], STATUS)

# trajplot_status trajplot_statistic_stats(
#     float *buffer, size_t buffer_len, const trajplot_statistic *statistic);
_declare("trajplot_statistic_stats", [c_float_p, ctypes.c_size_t, statistic_p], STATUS)

# trajplot_status trajplot_statistic_name(
#     const char **out, const trajplot_statistic *statistic);
_declare("trajplot_statistic_name", [ctypes.POINTER(char_p), statistic_p], STATUS)

# trajplot_status trajplot_statistic_units(
#     const char **out, const trajplot_statistic *statistic);
_declare("trajplot_statistic_units", [ctypes.POINTER(char_p), statistic_p], STATUS)

# trajplot_status trajplot_statistic_range(
#     bool *has_min, float *min, bool *has_max, float *max,
#     const trajplot_statistic *statistic);
_declare("trajplot_statistic_range", [c_bool_p, c_float_p, c_bool_p, c_float_p, statistic_p],
         STATUS)

# trajplot_status trajplot_statistic_includes_output(
#     bool *out, const trajplot_statistic *statistic);
_declare("trajplot_statistic_includes_output", [c_bool_p, statistic_p], STATUS)

# trajplot_status trajplot_statistic_layer_label(
#     const char **out, size_t *len, const trajplot_statistic *statistic, size_t layer);
_declare("trajplot_statistic_layer_label",
         [ctypes.POINTER(char_p), c_size_p, statistic_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_statistic_sequence_label(
#     const char **out, size_t *len, const trajplot_statistic *statistic, size_t position);
_declare("trajplot_statistic_sequence_label",
         [ctypes.POINTER(char_p), c_size_p, statistic_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_statistic_trajectory_labels(
#     trajplot_labels **out, const trajplot_statistic *statistic);
_declare("trajplot_statistic_trajectory_labels", [ctypes.POINTER(labels_p), statistic_p], STATUS)

# trajplot_status trajplot_statistic_stride(
#     trajplot_statistic **out, const trajplot_statistic *statistic, size_t stride);
_declare("trajplot_statistic_stride",
         [ctypes.POINTER(statistic_p), statistic_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_statistic_clip(
#     trajplot_statistic **out, const trajplot_statistic *statistic, float min, float max);
_declare("trajplot_statistic_clip",
         [ctypes.POINTER(statistic_p), statistic_p, ctypes.c_float, ctypes.c_float], STATUS)

# -- Statistics from lens outputs --------------------------------------------

# trajplot_status trajplot_vocabulary_create(
#     trajplot_vocabulary **out, const char *const *tokens, const size_t *lengths, size_t size);
_declare("trajplot_vocabulary_create",
         [ctypes.POINTER(vocabulary_p), string_array, c_size_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_vocabulary_create_from_strings(
#     trajplot_vocabulary **out, const trajplot_strings *tokens);
_declare("trajplot_vocabulary_create_from_strings",
         [ctypes.POINTER(vocabulary_p), ctypes.POINTER(trajplot_strings)], STATUS)

# void trajplot_vocabulary_free(trajplot_vocabulary *vocabulary);
_declare("trajplot_vocabulary_free", [vocabulary_p], None)

# trajplot_status trajplot_vocabulary_size(size_t *out, const trajplot_vocabulary *vocabulary);
_declare("trajplot_vocabulary_size", [c_size_p, vocabulary_p], STATUS)

# trajplot_status trajplot_vocabulary_token(
#     const char **out, size_t *len, const trajplot_vocabulary *vocabulary, size_t id);
_declare("trajplot_vocabulary_token",
         [ctypes.POINTER(char_p), c_size_p, vocabulary_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_trajectory_options_init(
#     trajplot_trajectory_options *options, unsigned int version);
_declare("trajplot_trajectory_options_init",
         [ctypes.POINTER(trajplot_trajectory_options), ctypes.c_uint], STATUS)

# size_t trajplot_measures(int *out, size_t capacity);
_declare("trajplot_measures", [ctypes.POINTER(ctypes.c_int), ctypes.c_size_t], ctypes.c_size_t)
# const char *trajplot_measure_name(int measure);
_declare("trajplot_measure_name", [ctypes.c_int], ctypes.c_char_p)

# trajplot_status trajplot_measure_from_name(int *out, const char *name);
_declare("trajplot_measure_from_name", [c_int_p, ctypes.c_char_p], STATUS)

# bool trajplot_measure_is_comparison(int measure);
_declare("trajplot_measure_is_comparison", [ctypes.c_int], ctypes.c_bool)

# trajplot_status trajplot_trajectory_create(
#     trajplot_trajectory **out, size_t batch, size_t n_layers, size_t seq_len, size_t vocab,
#     const int64_t *input_ids, const int64_t *targets, const int64_t *anti_targets,
#     const trajplot_trajectory_options *options);
_declare("trajplot_trajectory_create",
         [ctypes.POINTER(trajectory_p), ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
          ctypes.c_size_t, c_int64_p, c_int64_p, c_int64_p,
          ctypes.POINTER(trajplot_trajectory_options)], STATUS)

# void trajplot_trajectory_free(trajplot_trajectory *trajectory);
_declare("trajplot_trajectory_free", [trajectory_p], None)

# trajplot_status trajplot_trajectory_shape(
#     size_t *batch, size_t *n_layers, size_t *seq_len, size_t *vocab,
#     const trajplot_trajectory *trajectory);
_declare("trajplot_trajectory_shape", [c_size_p, c_size_p, c_size_p, c_size_p, trajectory_p], STATUS)

# trajplot_status trajplot_trajectory_add(
#     trajplot_trajectory *trajectory, size_t batch_index, size_t layer,
#     const float *slab, size_t slab_len);
_declare("trajplot_trajectory_add",
         [trajectory_p, ctypes.c_size_t, ctypes.c_size_t, c_float_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_trajectory_add_all(
#     trajplot_trajectory *trajectory, const float *tensor, size_t tensor_len);
_declare("trajplot_trajectory_add_all", [trajectory_p, c_float_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_trajectory_complete(bool *out, const trajplot_trajectory *trajectory);
_declare("trajplot_trajectory_complete", [c_bool_p, trajectory_p], STATUS)

# trajplot_status trajplot_trajectory_statistic(
#     trajplot_statistic **out, const trajplot_trajectory *trajectory, int measure, unsigned int flags);
_declare("trajplot_trajectory_statistic",
         [ctypes.POINTER(statistic_p), trajectory_p, ctypes.c_int, ctypes.c_uint], STATUS)

# trajplot_status trajplot_trajectory_labels(
#     trajplot_labels **out, const trajplot_trajectory *trajectory);
_declare("trajplot_trajectory_labels", [ctypes.POINTER(labels_p), trajectory_p], STATUS)

# trajplot_status trajplot_comparison_create(
#     trajplot_comparison **out, size_t batch, size_t n_layers, size_t seq_len, size_t vocab,
#     const int64_t *input_ids, const trajplot_trajectory_options *options);
_declare("trajplot_comparison_create",
         [ctypes.POINTER(comparison_p), ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
          ctypes.c_size_t, c_int64_p, ctypes.POINTER(trajplot_trajectory_options)], STATUS)

# void trajplot_comparison_free(trajplot_comparison *comparison);
_declare("trajplot_comparison_free", [comparison_p], None)

# trajplot_status trajplot_comparison_shape(
#     size_t *batch, size_t *n_layers, size_t *seq_len, size_t *vocab,
#     const trajplot_comparison *comparison);
_declare("trajplot_comparison_shape", [c_size_p, c_size_p, c_size_p, c_size_p, comparison_p], STATUS)

# trajplot_status trajplot_comparison_add(
#     trajplot_comparison *comparison, size_t batch_index, size_t layer,
#     const float *self_slab, const float *other_slab, size_t slab_len);
_declare("trajplot_comparison_add",
         [comparison_p, ctypes.c_size_t, ctypes.c_size_t, c_float_p, c_float_p, ctypes.c_size_t],
         STATUS)

# trajplot_status trajplot_comparison_add_all(
#     trajplot_comparison *comparison, const float *self_tensor, const float *other_tensor,
#     size_t tensor_len);
_declare("trajplot_comparison_add_all",
         [comparison_p, c_float_p, c_float_p, ctypes.c_size_t], STATUS)

# trajplot_status trajplot_comparison_complete(bool *out, const trajplot_comparison *comparison);
_declare("trajplot_comparison_complete", [c_bool_p, comparison_p], STATUS)

# trajplot_status trajplot_comparison_statistic(
#     trajplot_statistic **out, const trajplot_comparison *comparison, int measure, unsigned int flags);
_declare("trajplot_comparison_statistic",
         [ctypes.POINTER(statistic_p), comparison_p, ctypes.c_int, ctypes.c_uint], STATUS)

# trajplot_status trajplot_comparison_labels(
#     trajplot_labels **out, const trajplot_comparison *comparison);
_declare("trajplot_comparison_labels", [ctypes.POINTER(labels_p), comparison_p], STATUS)

# -- Figures ------------------------------------------------------------------

statistic_array = ctypes.POINTER(statistic_p)  # const trajplot_statistic *const *
panel_array = ctypes.POINTER(ctypes.POINTER(trajplot_panel_options))  # const trajplot_panel_options *const *

# trajplot_status trajplot_panel_options_init(
#     trajplot_panel_options *options, unsigned int version);
_declare("trajplot_panel_options_init",
         [ctypes.POINTER(trajplot_panel_options), ctypes.c_uint], STATUS)

# trajplot_status trajplot_figure_options_init(
#     trajplot_figure_options *options, unsigned int version);
_declare("trajplot_figure_options_init",
         [ctypes.POINTER(trajplot_figure_options), ctypes.c_uint], STATUS)

# trajplot_status trajplot_figure_create(
#     trajplot_figure **out, const trajplot_statistic *statistic,
#     const trajplot_panel_options *panel, const trajplot_figure_options *options);
_declare("trajplot_figure_create",
         [ctypes.POINTER(figure_p), statistic_p, ctypes.POINTER(trajplot_panel_options),
          ctypes.POINTER(trajplot_figure_options)], STATUS)

# trajplot_status trajplot_figure_create_stacked(
#     trajplot_figure **out, const trajplot_statistic *const *statistics,
#     const trajplot_panel_options *const *panels, size_t count,
#     const trajplot_figure_options *options);
_declare("trajplot_figure_create_stacked",
         [ctypes.POINTER(figure_p), statistic_array, panel_array, ctypes.c_size_t,
          ctypes.POINTER(trajplot_figure_options)], STATUS)

# void trajplot_figure_free(trajplot_figure *figure);
_declare("trajplot_figure_free", [figure_p], None)

# trajplot_status trajplot_figure_shape(
#     bool *stacked, size_t *panels, const trajplot_figure *figure);
_declare("trajplot_figure_shape", [c_bool_p, c_size_p, figure_p], STATUS)

# trajplot_status trajplot_local_plotlyjs(char **out, size_t *out_len);
_declare("trajplot_local_plotlyjs", [ctypes.POINTER(char_p), c_size_p], STATUS)

# bool trajplot_format_available(int format);
_declare("trajplot_format_available", [ctypes.c_int], ctypes.c_bool)

# trajplot_status trajplot_export_options_init(
#     trajplot_export_options *options, unsigned int version);
_declare("trajplot_export_options_init",
         [ctypes.POINTER(trajplot_export_options), ctypes.c_uint], STATUS)

# trajplot_status trajplot_figure_export(
#     char **out, size_t *out_len, const trajplot_figure *figure,
#     const trajplot_export_options *options);
_declare("trajplot_figure_export",
         [ctypes.POINTER(char_p), c_size_p, figure_p, ctypes.POINTER(trajplot_export_options)], STATUS)

# trajplot_status trajplot_figure_save(
#     const trajplot_figure *figure, const trajplot_export_options *options, const char *path);
_declare("trajplot_figure_save",
         [figure_p, ctypes.POINTER(trajplot_export_options), ctypes.c_char_p], STATUS)

# trajplot_status trajplot_figure_stream(
#     const trajplot_figure *figure, const trajplot_export_options *options,
#     trajplot_write_fn write, void *user);
_declare("trajplot_figure_stream",
         [figure_p, ctypes.POINTER(trajplot_export_options), trajplot_write_fn, ctypes.c_void_p], STATUS)


def _bind(library):
    def check_status(status, function, _arguments):
        if status != 0:
            # Read on the calling thread right after the call: the message
            # is thread-local and the next trajplot call may replace it.
            message = library.trajplot_error_last().decode("utf-8", "replace")
            library.trajplot_error_clear()
            raise error_for_status(status, message or "%s failed" % function.__name__)
        return status

    for name, argtypes, restype in _PROTOTYPES:
        function = getattr(library, name)
        function.argtypes = argtypes
        if restype is STATUS:
            function.restype = ctypes.c_int
            function.errcheck = check_status
        else:
            function.restype = restype
    return library


C = _bind(load_library())


def take_string(pointer, length):
    """The bytes of a string the library returned, which is then freed."""
    try:
        return ctypes.string_at(pointer, length.value)
    finally:
        C.trajplot_string_free(pointer)


# CPython decodes a long ASCII run fast, but a wide character after
# megabytes of ASCII (a token after the inlined plotly.js) makes it redo the
# run character by character: 50 ms for a 5 MB page. Decoded in slices, the
# slices are each fast and joined in one copy.
_DECODE_SLICE = 1 << 18


def take_text(pointer, length):
    """The text of a UTF-8 string the library returned, which is then
    freed: decoded straight from the library's buffer, in slices."""
    try:
        size = length.value
        if not size:
            return ""
        view = memoryview(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_char * size)).contents).cast("B")
        if size <= _DECODE_SLICE:
            return str(view, "utf-8")
        pieces = []
        start = 0
        while start < size:
            end = min(size, start + _DECODE_SLICE)
            while end < size and view[end] & 0xC0 == 0x80:  # not inside a character
                end -= 1
            pieces.append(str(view[start:end], "utf-8"))
            start = end
        return "".join(pieces)
    finally:
        C.trajplot_string_free(pointer)


def borrowed_string(pointer, length):
    """Text of a borrowed string; the library stores valid UTF-8 only."""
    return ctypes.string_at(pointer, length.value).decode("utf-8")
