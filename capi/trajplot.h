/*
 * trajplot.h - the C API of trajplot: prediction-trajectory heatmaps of
 * language models (tuned lens, logit lens) as Plotly figures.
 *
 * Conventions
 * -----------
 * - Every function that can fail returns a trajplot_status (0 on success).
 *   On failure it leaves every output untouched and records a message for
 *   the calling thread, read with trajplot_error_last().
 * - Outputs come first, then the handle, then the inputs
 *   (trajplot_statistic_stride(&strided, statistic, 2)).
 * - Handles are opaque and immutable: stride and clip return new handles.
 * - Threads: every function may be called from any thread. A handle may be
 *   used by any number of threads at once (read, strided, clipped,
 *   exported: each gets what a single thread would); only freeing it while
 *   another thread uses it is the caller's bug. Error messages are kept per
 *   thread. Large exports format on one extra thread of their own, joined
 *   before the call returns.
 * - Input arrays are copied: the caller may free them once a call returns.
 * - String inputs are UTF-8. Arrays of strings come as `const char *const *`
 *   plus an optional `const size_t *` of byte lengths: NULL lengths means
 *   each string is NUL-terminated; with lengths, strings may hold NUL bytes.
 *   Invalid UTF-8 byte sequences are replaced with U+FFFD when stored.
 *   The *_from_strings functions take arrays of strings described by a
 *   trajplot_strings instead, which also reads the layouts other languages
 *   hold (numpy's fixed-width arrays, one buffer with offsets) as they are.
 * - Strings the library returns are released with trajplot_string_free();
 *   never with free(). Borrowed `const char *` outputs stay valid until the
 *   handle they came from is freed.
 * - Free functions accept NULL and do nothing.
 *
 * This header compiles as C99 and as C++.
 */
#ifndef TRAJPLOT_H
#define TRAJPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(TRAJPLOT_SHARED)
#  if defined(TRAJPLOT_BUILD)
#    define TRAJPLOT_API __declspec(dllexport)
#  else
#    define TRAJPLOT_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && defined(TRAJPLOT_BUILD)
#  define TRAJPLOT_API __attribute__((visibility("default")))
#else
#  define TRAJPLOT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Versions                                                            */
/* ------------------------------------------------------------------ */

/* Release version of this header. */
#define TRAJPLOT_VERSION_MAJOR 0
#define TRAJPLOT_VERSION_MINOR 1
#define TRAJPLOT_VERSION_PATCH 0

/* ABI version: changes only on a breaking change of the binary interface.
 * It is the SONAME's number (libtrajplot.so.<TRAJPLOT_ABI_VERSION>). */
#define TRAJPLOT_ABI_VERSION 2

/* The ABI version of the library actually loaded. A program built against
 * this header should check it equals TRAJPLOT_ABI_VERSION. */
TRAJPLOT_API int trajplot_abi_version(void);

/* The release version of the library actually loaded; any pointer may be
 * NULL. */
TRAJPLOT_API void trajplot_version(int *major, int *minor, int *patch);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

typedef enum trajplot_status {
    TRAJPLOT_OK = 0,
    TRAJPLOT_ERROR = -1,   /* anything not listed below */
    TRAJPLOT_EINVAL = -2,  /* an argument is wrong: NULL, shape, value */
    TRAJPLOT_ENOMEM = -3,  /* out of memory */
    TRAJPLOT_ERANGE = -4,  /* a size overflows or exceeds a limit */
    TRAJPLOT_EIO = -5      /* a file could not be written */
} trajplot_status;

/* The message of the last failed call on this thread: what was wrong, with
 * the offending value or shape. Never NULL ("" when there was no error);
 * owned by the library, valid until the next trajplot call on this thread.
 * A successful call does not clear it. */
TRAJPLOT_API const char *trajplot_error_last(void);

/* The status of the last failed call on this thread (TRAJPLOT_OK if none). */
TRAJPLOT_API trajplot_status trajplot_error_last_status(void);

/* Forgets this thread's last error. */
TRAJPLOT_API void trajplot_error_clear(void);

/* Releases a string returned by the library. NULL is ignored. */
TRAJPLOT_API void trajplot_string_free(char *string);

/* The memory limit: the most bytes one object (labels, a statistic's copy
 * of its stats, a hover table) or one returned string (a figure's JSON or
 * HTML) may need. A call that would need more fails with TRAJPLOT_ERANGE
 * before allocating it, and its message names the size and the limit, so a
 * wrong shape from a caller is refused instead of exhausting the machine.
 * Process-wide; by default the machine's physical memory. Files are written
 * as they are produced and are not limited. */
TRAJPLOT_API size_t trajplot_memory_limit(void);

/* Sets the memory limit for the whole process; 0 restores the default.
 * Safe from any thread; calls already running may see either value. */
TRAJPLOT_API void trajplot_set_memory_limit(size_t bytes);

/* The threads work is spread over by default (a trajectory's threads 0):
 * the cores available to this process, its CPU affinity and any cgroup
 * CPU quota included; at least 1. */
TRAJPLOT_API size_t trajplot_default_threads(void);

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* Truncates `string` (`string_len` bytes, which may include NUL bytes) to
 * its last `new_len` code points, or pads it on the left with spaces to
 * `new_len` code points when it is shorter (Python's tuned_lens
 * trunc_string_left). `*out` is NUL-terminated and released with
 * trajplot_string_free(); `out_len` (may be NULL) receives its byte length. */
TRAJPLOT_API trajplot_status trajplot_trunc_string_left(char **out, size_t *out_len,
                                                        const char *string, size_t string_len,
                                                        size_t new_len);

/* ------------------------------------------------------------------ */
/* String arrays                                                       */
/* ------------------------------------------------------------------ */

/* How an array of strings lies in memory. Besides the pointer arrays a C
 * program builds, the layouts other languages already hold, so that a
 * binding passes its array as it is instead of converting every string:
 * numpy's fixed-width `U<n>` and `S<n>` arrays, and one UTF-8 buffer with
 * offsets (Apache Arrow's string arrays; any list of strings joined once).
 * Whatever the layout, each string is stored as UTF-8 with what is not a
 * Unicode scalar value replaced by U+FFFD, and the same strings give the
 * same labels, whichever layout carried them. */
typedef enum trajplot_string_layout {
    /* data: `const char *const *`, count pointers; lengths: their byte
     * lengths, or NULL for NUL-terminated strings (as the arrays of
     * trajplot_labels_create). Strings given with lengths may hold NULs. */
    TRAJPLOT_STRINGS_POINTERS = 0,
    /* data: count * width uint32_t UTF-32 code units, width per string, in
     * the host's byte order and aligned for uint32_t (numpy's `U<width>`
     * dtype, native order). U+0000 units at the end of a string are padding,
     * not part of it; a U+0000 before another unit is kept, as numpy keeps
     * it. A unit that is no Unicode scalar value (a surrogate, or above
     * U+10FFFF) becomes one U+FFFD. */
    TRAJPLOT_STRINGS_UTF32 = 1,
    /* data: count * width bytes, width per string (numpy's `S<width>`),
     * read as UTF-8; NUL bytes at the end of a string are padding, NUL
     * bytes before another byte are kept. */
    TRAJPLOT_STRINGS_BYTES = 2,
    /* data: data_len bytes of UTF-8 holding the strings; offsets: count + 1
     * byte offsets into it, aligned for uint64_t: string i is the bytes
     * from offsets[i] up to, not including, offsets[i + 1]. Offsets must
     * not decrease and the last must be at most data_len; the first need
     * not be 0. Strings may hold NUL bytes. */
    TRAJPLOT_STRINGS_UTF8_OFFSETS = 3
} trajplot_string_layout;

#define TRAJPLOT_STRINGS_VERSION 1

/* An array of `count` strings, row-major like every array of the API.
 * Initialise with TRAJPLOT_STRINGS_INIT or trajplot_strings_init(), then
 * set the fields the layout reads; the others are ignored. Functions take
 * it by pointer and read it, and the memory it describes, during the call
 * only. Every size it implies is checked before anything is read: a
 * count * width that overflows is ERANGE; NULL pointers the layout needs
 * (when count > 0), a misaligned pointer, offsets that decrease or pass
 * data_len, an unknown layout or version, and a count other than the one
 * the function's shape needs are EINVAL. The memory limit is checked
 * before anything is allocated: a shape's count before any string is read,
 * the strings' text once its size in UTF-8 is known (ERANGE). */
typedef struct trajplot_strings {
    unsigned int version;     /* TRAJPLOT_STRINGS_VERSION */
    int layout;               /* a trajplot_string_layout */
    size_t count;             /* the number of strings */
    const void *data;         /* the strings, as the layout says */
    const size_t *lengths;    /* POINTERS: byte lengths, or NULL */
    size_t width;             /* UTF32: code units per string; BYTES: bytes per string */
    const uint64_t *offsets;  /* UTF8_OFFSETS: count + 1 byte offsets into data */
    size_t data_len;          /* UTF8_OFFSETS: the bytes at data */
} trajplot_strings;

#define TRAJPLOT_STRINGS_INIT { TRAJPLOT_STRINGS_VERSION, TRAJPLOT_STRINGS_POINTERS, 0, NULL, NULL, 0, NULL, 0 }

/* Fills `strings` with the defaults of `version` (an empty pointer array),
 * for callers that cannot use the macro. EINVAL for an unknown version. */
TRAJPLOT_API trajplot_status trajplot_strings_init(trajplot_strings *strings, unsigned int version);

/* ------------------------------------------------------------------ */
/* Trajectory labels                                                   */
/* ------------------------------------------------------------------ */

/* Text for each layer and position: the label drawn in each cell and,
 * optionally, a small table shown when hovering it (for example the lens's
 * top-k tokens and their probabilities, columns alternating token / value).
 * Immutable; safe to read from many threads. */
typedef struct trajplot_labels trajplot_labels;

/* Creates labels.
 * - label_strings: n_layers * seq_len strings, row-major (layer, position);
 *   label_lengths: their byte lengths, or NULL for NUL-terminated strings.
 * - hover_entries: NULL for no hover tables, else
 *   n_layers * seq_len * hover_rows * hover_cols strings, row-major
 *   (layer, position, row, column); hover_lengths as label_lengths.
 *   hover_rows and hover_cols must be >= 1 when hover_entries is given and
 *   are ignored otherwise.
 * Errors: EINVAL for NULL out/label_strings/strings or an empty shape,
 * ERANGE when the element count overflows. */
TRAJPLOT_API trajplot_status trajplot_labels_create(
    trajplot_labels **out, size_t n_layers, size_t seq_len,
    const char *const *label_strings, const size_t *label_lengths,
    const char *const *hover_entries, const size_t *hover_lengths,
    size_t hover_rows, size_t hover_cols);

/* Creates labels as trajplot_labels_create does, from string arrays in any
 * trajplot_string_layout (the two may differ): label_strings holds
 * n_layers * seq_len strings; hover_entries is NULL for no hover tables,
 * else n_layers * seq_len * hover_rows * hover_cols strings. The labels are
 * those trajplot_labels_create makes of the same strings.
 * Errors: as trajplot_labels_create; EINVAL for a NULL label_strings and
 * for a descriptor trajplot_strings refuses (the message names it and its
 * field: "hover_entries->count is 5 but ..."); ERANGE when a size
 * overflows or the labels would pass the memory limit, before any string
 * is read. */
TRAJPLOT_API trajplot_status trajplot_labels_create_from_strings(
    trajplot_labels **out, size_t n_layers, size_t seq_len,
    const trajplot_strings *label_strings, const trajplot_strings *hover_entries,
    size_t hover_rows, size_t hover_cols);

/* Releases labels. Statistics created with them keep their own reference,
 * so labels may be freed as soon as they have been passed on. */
TRAJPLOT_API void trajplot_labels_free(trajplot_labels *labels);

/* Shape of the labels; hover_rows and hover_cols are 0 without hover
 * tables. Any output pointer may be NULL. */
TRAJPLOT_API trajplot_status trajplot_labels_shape(
    size_t *n_layers, size_t *seq_len, size_t *hover_rows, size_t *hover_cols,
    const trajplot_labels *labels);

/* The label of one cell (borrowed, NUL-terminated; `len` may be NULL). */
TRAJPLOT_API trajplot_status trajplot_labels_label(
    const char **out, size_t *len, const trajplot_labels *labels,
    size_t layer, size_t position);

/* One hover table entry (borrowed, NUL-terminated; `len` may be NULL).
 * EINVAL when the labels have no hover tables. */
TRAJPLOT_API trajplot_status trajplot_labels_hover_entry(
    const char **out, size_t *len, const trajplot_labels *labels,
    size_t layer, size_t position, size_t row, size_t col);

/* New labels keeping layers 0, k, 2k, ... of all but the last, then the
 * last layer. EINVAL when stride is 0. */
TRAJPLOT_API trajplot_status trajplot_labels_stride(
    trajplot_labels **out, const trajplot_labels *labels, size_t stride);

/* The hover template and its customdata for Plotly (the reference's
 * template_and_customdata). Each hover column c is padded on the left, or
 * cut to its last characters, to min(1 + its longest entry, col_width_limit)
 * code points. `*template_out` is the hovertemplate; `*customdata_json` a
 * JSON array n_layers x seq_len x (rows * cols) of the padded entries, as
 * given (not escaped for Plotly markup). Both are released with
 * trajplot_string_free(); the length pointers may be NULL. EINVAL without
 * hover tables or when col_width_limit is 0. */
TRAJPLOT_API trajplot_status trajplot_labels_template_and_customdata(
    char **template_out, size_t *template_len,
    char **customdata_json, size_t *customdata_len,
    const trajplot_labels *labels, size_t col_width_limit);

/* ------------------------------------------------------------------ */
/* Trajectory statistic                                                */
/* ------------------------------------------------------------------ */

/* A statistic (entropy, KL, rank, ...) at every layer and position, with
 * what is needed to draw it. Immutable; safe to read from many threads. */
typedef struct trajplot_statistic trajplot_statistic;

#define TRAJPLOT_STATISTIC_OPTIONS_VERSION 1

/* Optional parts of a statistic. Initialise with
 * TRAJPLOT_STATISTIC_OPTIONS_INIT or trajplot_statistic_options_init(). */
typedef struct trajplot_statistic_options {
    unsigned int version;               /* TRAJPLOT_STATISTIC_OPTIONS_VERSION */
    const char *units;                  /* e.g. "nats"; NULL: none */
    /* Input tokens for the x axis, sequence_label_count of them, which must
     * be seq_len; NULL: none (positions are numbered). Lengths as in
     * trajplot_labels_create. */
    const char *const *sequence_labels;
    const size_t *sequence_label_lengths;
    size_t sequence_label_count;
    /* Text per cell; NULL: none. Shape must equal the statistic's. The
     * statistic keeps its own reference. */
    const trajplot_labels *trajectory_labels;
    /* Labels for the y axis, layer_label_count of them, which must be
     * n_layers; NULL: "0", "1", ..., and "output" for the last layer when
     * includes_output. */
    const char *const *layer_labels;
    const size_t *layer_label_lengths;
    size_t layer_label_count;
    float min;                          /* colour range, used when has_min */
    float max;                          /* colour range, used when has_max */
    bool has_min;
    bool has_max;
    bool includes_output;               /* last layer is the model output */
} trajplot_statistic_options;

#define TRAJPLOT_STATISTIC_OPTIONS_INIT \
    { TRAJPLOT_STATISTIC_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, \
      0.0f, 0.0f, false, false, true }

/* Fills `options` with the defaults of `version` (for callers that cannot
 * use the macro: Python, Rust, Julia). EINVAL for an unknown version. */
TRAJPLOT_API trajplot_status trajplot_statistic_options_init(
    trajplot_statistic_options *options, unsigned int version);

/* Creates a statistic named `name` (e.g. "Entropy") from n_layers * seq_len
 * float32 values, row-major (layer, position). NaN and infinities are
 * allowed (drawn as gaps). `options` may be NULL for the defaults.
 * Errors (EINVAL, message names the field and both shapes): NULL out, name
 * or stats; n_layers or seq_len 0; trajectory labels of another shape; a
 * bound that is set and NaN; has_min and has_max with min >= max. ERANGE on
 * overflow. */
TRAJPLOT_API trajplot_status trajplot_statistic_create(
    trajplot_statistic **out, const char *name, const float *stats,
    size_t n_layers, size_t seq_len, const trajplot_statistic_options *options);

TRAJPLOT_API void trajplot_statistic_free(trajplot_statistic *statistic);

/* Any output pointer may be NULL. */
TRAJPLOT_API trajplot_status trajplot_statistic_shape(
    size_t *n_layers, size_t *seq_len, const trajplot_statistic *statistic);

/* Copies the n_layers * seq_len values, row-major, into `buffer`.
 * ERANGE when buffer_len (in floats) is smaller. */
TRAJPLOT_API trajplot_status trajplot_statistic_stats(
    float *buffer, size_t buffer_len, const trajplot_statistic *statistic);

/* Name (borrowed). */
TRAJPLOT_API trajplot_status trajplot_statistic_name(
    const char **out, const trajplot_statistic *statistic);

/* Units (borrowed); *out is NULL when the statistic has none. */
TRAJPLOT_API trajplot_status trajplot_statistic_units(
    const char **out, const trajplot_statistic *statistic);

/* Colour range; a bound that is not set reports has_* false and leaves its
 * value untouched. Any output pointer may be NULL. */
TRAJPLOT_API trajplot_status trajplot_statistic_range(
    bool *has_min, float *min, bool *has_max, float *max,
    const trajplot_statistic *statistic);

TRAJPLOT_API trajplot_status trajplot_statistic_includes_output(
    bool *out, const trajplot_statistic *statistic);

/* The y-axis label of `layer` (borrowed; `len` may be NULL). */
TRAJPLOT_API trajplot_status trajplot_statistic_layer_label(
    const char **out, size_t *len, const trajplot_statistic *statistic, size_t layer);

/* The sequence label of `position` (borrowed; `len` may be NULL); *out is
 * NULL and *len (if not NULL) is 0 when the statistic has no sequence
 * labels. */
TRAJPLOT_API trajplot_status trajplot_statistic_sequence_label(
    const char **out, size_t *len, const trajplot_statistic *statistic, size_t position);

/* A new handle to the statistic's trajectory labels (free it with
 * trajplot_labels_free), or *out = NULL when it has none. */
TRAJPLOT_API trajplot_status trajplot_statistic_trajectory_labels(
    trajplot_labels **out, const trajplot_statistic *statistic);

/* New statistic with layers 0, k, 2k, ... of all but the last, then the
 * last (stats, trajectory labels and layer labels alike). EINVAL for 0. */
TRAJPLOT_API trajplot_status trajplot_statistic_stride(
    trajplot_statistic **out, const trajplot_statistic *statistic, size_t stride);

/* New statistic with values clamped into [min, max] (NaN stays NaN) and
 * [min, max] as its colour range. EINVAL unless min < max (NaN bounds
 * included). */
TRAJPLOT_API trajplot_status trajplot_statistic_clip(
    trajplot_statistic **out, const trajplot_statistic *statistic, float min, float max);

/* ------------------------------------------------------------------ */
/* Statistics from lens outputs                                        */
/* ------------------------------------------------------------------ */

/* trajplot computes the statistics tuned-lens's PredictionTrajectory
 * computes, natively, from the float32 outputs of a lens at every layer:
 * logits or log-probabilities over the vocabulary, row-major
 * (batch, layer, position, vocab), the model's output being the last layer.
 * The data is streamed one (batch item, layer) slab of seq_len * vocab
 * floats at a time and read in place, so a caller never needs the whole
 * tensor in memory, and a resident tensor is never copied. */

/* Token strings by id, for labels. Immutable; safe to share between
 * trajectories and threads. */
typedef struct trajplot_vocabulary trajplot_vocabulary;

/* Creates a vocabulary of `size` tokens, token i having id i. Lengths as in
 * trajplot_labels_create. It may be shorter than the lens's vocabulary (a
 * padded embedding matrix): ids past its end are shown as "<unk>".
 * Errors: EINVAL for NULL out or tokens (with size > 0), ERANGE on overflow
 * or over the memory limit. */
TRAJPLOT_API trajplot_status trajplot_vocabulary_create(
    trajplot_vocabulary **out, const char *const *tokens, const size_t *lengths, size_t size);

/* Creates a vocabulary of tokens->count tokens, token i having id i, from
 * strings in any trajplot_string_layout; otherwise as
 * trajplot_vocabulary_create. EINVAL for NULL out or tokens and for a
 * descriptor trajplot_strings refuses. */
TRAJPLOT_API trajplot_status trajplot_vocabulary_create_from_strings(
    trajplot_vocabulary **out, const trajplot_strings *tokens);

/* Releases a vocabulary; trajectories keep their own reference. */
TRAJPLOT_API void trajplot_vocabulary_free(trajplot_vocabulary *vocabulary);

TRAJPLOT_API trajplot_status trajplot_vocabulary_size(
    size_t *out, const trajplot_vocabulary *vocabulary);

/* Token `id` as stored (borrowed, NUL-terminated; `len` may be NULL). */
TRAJPLOT_API trajplot_status trajplot_vocabulary_token(
    const char **out, size_t *len, const trajplot_vocabulary *vocabulary, size_t id);

/* What the floats are. */
typedef enum trajplot_values {
    TRAJPLOT_VALUES_LOGITS = 0,    /* a numerically stable log-softmax is applied */
    TRAJPLOT_VALUES_LOG_PROBS = 1  /* used as given, not renormalised */
} trajplot_values;

#define TRAJPLOT_TRAJECTORY_OPTIONS_VERSION 1

/* Optional parts of a trajectory or comparison. Initialise with
 * TRAJPLOT_TRAJECTORY_OPTIONS_INIT or trajplot_trajectory_options_init().
 * The token-format strings are UTF-8; NULL means the default shown. */
typedef struct trajplot_trajectory_options {
    unsigned int version;             /* TRAJPLOT_TRAJECTORY_OPTIONS_VERSION */
    int values;                       /* a trajplot_values */
    /* Token strings for labels and sequence labels; NULL: statistics have
     * neither (as tuned-lens without a tokenizer). Not copied: the
     * trajectory keeps a reference. */
    const trajplot_vocabulary *vocabulary;
    size_t top_k;                     /* hover rows per cell (10); >= 1 */
    /* A cell whose top-1 probability is below min_prob in any batch item
     * has an empty label (0). */
    float min_prob;
    /* Comparisons: a cell whose largest |change in probability| is at most
     * min_prob_delta in any batch item has an empty label (0). */
    float min_prob_delta;
    size_t max_batch_items_shown;     /* batch items side by side in hover tables (3); >= 1 */
    /* Tokens longer than max_string_len code points keep their first
     * max_string_len - len(ellipsis) and get the ellipsis; 0: never
     * shortened. (7, "\u2026") */
    size_t max_string_len;
    const char *ellipsis;
    const char *newline_token;          /* shown as newline_replacement ("\u010A", "\\n") */
    const char *newline_replacement;
    const char *whitespace_token;       /* shown as whitespace_replacement ("\u0120", "_") */
    const char *whitespace_replacement;
    /* Threads reducing the positions of each slab; 0:
     * trajplot_default_threads(). */
    size_t threads;
    /* Trajectories: compute forward KL to the model's output (true). It
     * needs the output layer of each batch item added before its other
     * layers, and keeps that layer's probabilities (seq_len * vocab floats)
     * until the batch item is complete. Comparisons ignore it. */
    bool forward_kl;
} trajplot_trajectory_options;

#define TRAJPLOT_TRAJECTORY_OPTIONS_INIT \
    { TRAJPLOT_TRAJECTORY_OPTIONS_VERSION, TRAJPLOT_VALUES_LOGITS, NULL, 10, 0.0f, 0.0f, 3, 7, \
      NULL, NULL, NULL, NULL, NULL, 0, true }

TRAJPLOT_API trajplot_status trajplot_trajectory_options_init(
    trajplot_trajectory_options *options, unsigned int version);

/* The statistics trajplot computes. Names (trajplot_measure_name) are the
 * CLI's and the bindings'. */
typedef enum trajplot_measure {
    /* One trajectory */
    TRAJPLOT_MEASURE_ENTROPY = 0,           /* "entropy", nats */
    TRAJPLOT_MEASURE_CROSS_ENTROPY = 1,     /* "cross_entropy", nats; needs targets */
    TRAJPLOT_MEASURE_FORWARD_KL = 2,        /* "forward_kl": KL(output || layer), nats */
    TRAJPLOT_MEASURE_MAX_PROBABILITY = 3,   /* "max_probability" */
    /* "rank" of the target, 1 for the most likely token; ties share the
     * best rank (1 + the number of tokens with a strictly greater value).
     * Needs targets. */
    TRAJPLOT_MEASURE_RANK = 4,
    /* "log_prob_diff": log p(target) - log p(anti-target); needs both */
    TRAJPLOT_MEASURE_LOG_PROB_DIFF = 5,
    /* "log_prob_diff_delta": its change from layer k to k + 1, in row k (no
     * output row) */
    TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA = 6,
    /* Two trajectories (self, other) */
    TRAJPLOT_MEASURE_KL_DIVERGENCE = 16,    /* "kl_divergence": KL(self || other) */
    /* "js_divergence": textbook Jensen-Shannon, 0.5 KL(p||m) + 0.5 KL(q||m),
     * m = (p + q) / 2, in [0, ln 2] */
    TRAJPLOT_MEASURE_JS_DIVERGENCE = 17,
    /* "half_symmetric_kl": 0.5 KL(p||q) + 0.5 KL(q||p), what tuned-lens
     * calls js_divergence */
    TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL = 18,
    /* "total_variation": textbook, 0.5 sum |p - q|, in [0, 1] */
    TRAJPLOT_MEASURE_TOTAL_VARIATION = 19,
    /* "max_abs_prob_difference": max |p - q|, what tuned-lens calls
     * total_variation */
    TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE = 20
} trajplot_measure;

/* Every measure, in the order above: writes the first min(capacity, total)
 * into `out` (which may be NULL when capacity is 0) and returns the total. */
TRAJPLOT_API size_t trajplot_measures(int *out, size_t capacity);

/* The measure's name (static, NUL-terminated), or NULL for a value that is
 * not a trajplot_measure. */
TRAJPLOT_API const char *trajplot_measure_name(int measure);

/* The measure named `name` (exactly, as trajplot_measure_name gives it).
 * EINVAL for an unknown name; the message lists the valid ones. */
TRAJPLOT_API trajplot_status trajplot_measure_from_name(int *out, const char *name);

/* Whether `measure` is one of two trajectories (a comparison's). */
TRAJPLOT_API bool trajplot_measure_is_comparison(int measure);

/* Flags of trajplot_trajectory_statistic. */
#define TRAJPLOT_SHOW_RANKS 1u  /* rank: cell labels are the ranks, not tokens */

/* The statistics of one trajectory, filled slab by slab.
 * Threads: filling (trajplot_trajectory_add*) must not overlap any other
 * call on the same trajectory; once complete, any number of threads may
 * take statistics and labels from it at once. */
typedef struct trajplot_trajectory trajplot_trajectory;

/* Creates a trajectory of batch x n_layers x seq_len x vocab values
 * (n_layers counts the model's output, the last layer).
 * - input_ids: batch * seq_len ids in [0, vocab), row-major; copied.
 * - targets, anti_targets: NULL or batch * seq_len ids in [0, vocab):
 *   the token wanted at each position (no shifting is done). cross_entropy
 *   and rank need targets; log_prob_diff needs both.
 * - options: NULL for the defaults.
 * Errors: EINVAL naming the field and value for a zero dimension, an id out
 * of range, a bad option; ERANGE when the shape overflows. */
TRAJPLOT_API trajplot_status trajplot_trajectory_create(
    trajplot_trajectory **out, size_t batch, size_t n_layers, size_t seq_len, size_t vocab,
    const int64_t *input_ids, const int64_t *targets, const int64_t *anti_targets,
    const trajplot_trajectory_options *options);

TRAJPLOT_API void trajplot_trajectory_free(trajplot_trajectory *trajectory);

/* Any output pointer may be NULL. */
TRAJPLOT_API trajplot_status trajplot_trajectory_shape(
    size_t *batch, size_t *n_layers, size_t *seq_len, size_t *vocab,
    const trajplot_trajectory *trajectory);

/* Adds the slab of (batch_index, layer): seq_len * vocab floats, row-major
 * (position, vocab); slab_len must be that count. Each slab exactly once,
 * in any order, except that with forward_kl a batch item's output layer
 * comes before its other layers. The slab is read during the call only.
 * Errors (EINVAL, the trajectory unchanged): an index out of range, a slab
 * already added, a layer before its output layer with forward_kl, a wrong
 * slab_len. */
TRAJPLOT_API trajplot_status trajplot_trajectory_add(
    trajplot_trajectory *trajectory, size_t batch_index, size_t layer,
    const float *slab, size_t slab_len);

/* Adds every slab of a resident batch x n_layers x seq_len x vocab tensor,
 * read in place; tensor_len must be that count. The trajectory must be
 * empty. */
TRAJPLOT_API trajplot_status trajplot_trajectory_add_all(
    trajplot_trajectory *trajectory, const float *tensor, size_t tensor_len);

/* Whether every slab has been added. */
TRAJPLOT_API trajplot_status trajplot_trajectory_complete(
    bool *out, const trajplot_trajectory *trajectory);

/* A new statistic (free with trajplot_statistic_free): `measure` is one of
 * the one-trajectory measures; flags 0 or TRAJPLOT_SHOW_RANKS (rank only).
 * n_layers x seq_len (log_prob_diff_delta: n_layers - 1 rows), averaged
 * over the batch, with tuned-lens's name, units and colour range, the
 * shared labels and the sequence labels.
 * Errors: EINVAL while slabs are missing (the message names the first),
 * for a comparison measure, for a measure whose targets were not given or
 * forward KL when it was turned off, for unknown flags. */
TRAJPLOT_API trajplot_status trajplot_trajectory_statistic(
    trajplot_statistic **out, const trajplot_trajectory *trajectory, int measure, unsigned int flags);

/* A new handle to the labels every statistic but log_prob_diff shares (the
 * top-k tokens of each cell), or *out = NULL without a vocabulary. EINVAL
 * while slabs are missing. */
TRAJPLOT_API trajplot_status trajplot_trajectory_labels(
    trajplot_labels **out, const trajplot_trajectory *trajectory);

/* The statistics between two trajectories of the same shape, "self" and
 * "other", filled with pairs of slabs. Threads as for trajectories. */
typedef struct trajplot_comparison trajplot_comparison;

/* As trajplot_trajectory_create without targets; input_ids and the
 * vocabulary are self's, and both trajectories hold options->values. */
TRAJPLOT_API trajplot_status trajplot_comparison_create(
    trajplot_comparison **out, size_t batch, size_t n_layers, size_t seq_len, size_t vocab,
    const int64_t *input_ids, const trajplot_trajectory_options *options);

TRAJPLOT_API void trajplot_comparison_free(trajplot_comparison *comparison);

TRAJPLOT_API trajplot_status trajplot_comparison_shape(
    size_t *batch, size_t *n_layers, size_t *seq_len, size_t *vocab,
    const trajplot_comparison *comparison);

/* Adds the (batch_index, layer) slabs of both trajectories; each slab_len
 * floats (seq_len * vocab). Any order; each pair exactly once. */
TRAJPLOT_API trajplot_status trajplot_comparison_add(
    trajplot_comparison *comparison, size_t batch_index, size_t layer,
    const float *self_slab, const float *other_slab, size_t slab_len);

/* Adds both whole resident tensors, read in place. */
TRAJPLOT_API trajplot_status trajplot_comparison_add_all(
    trajplot_comparison *comparison, const float *self_tensor, const float *other_tensor,
    size_t tensor_len);

TRAJPLOT_API trajplot_status trajplot_comparison_complete(
    bool *out, const trajplot_comparison *comparison);

/* A new statistic: `measure` one of the comparison measures; flags 0.
 * Labels: per cell the tokens whose probability changed most, "Δxx.xx%"
 * (other minus self). */
TRAJPLOT_API trajplot_status trajplot_comparison_statistic(
    trajplot_statistic **out, const trajplot_comparison *comparison, int measure, unsigned int flags);

TRAJPLOT_API trajplot_status trajplot_comparison_labels(
    trajplot_labels **out, const trajplot_comparison *comparison);

/* ------------------------------------------------------------------ */
/* Figures                                                             */
/* ------------------------------------------------------------------ */

/* A Plotly figure of statistics: the figure of one statistic (the
 * reference's heatmap figure), or several statistics of one sequence
 * stacked as panels (tuned-lens's tutorial figure). It is planned and
 * checked when it is made, and exported any number of times in any format
 * (figure JSON, the heatmap trace alone, an HTML page, an SVG, PNG or PDF
 * image) to any destination
 * (a returned string, a file replaced atomically, a caller's write
 * function). Immutable; any number of threads may export it at once. It
 * keeps its own reference to each statistic, which may be freed once the
 * figure is made. */
typedef struct trajplot_figure trajplot_figure;

#define TRAJPLOT_PANEL_OPTIONS_VERSION 1

/* How one statistic is drawn: its heatmap trace, and its panel in a
 * stacked figure. Initialise with TRAJPLOT_PANEL_OPTIONS_INIT or
 * trajplot_panel_options_init().
 * Cell text is sized to fit the cells: by the longest label as it is shown
 * (in code points), the column width (token_width) and the row height (the
 * plotting area's height over the rows), at most 12 px (plotly.js's
 * default) and never below 6 px; extra_json that sets textfont.size, or a
 * texttemplate of its own, takes over. */
typedef struct trajplot_panel_options {
    unsigned int version;    /* TRAJPLOT_PANEL_OPTIONS_VERSION */
    /* Over the panel of a stacked figure; NULL: the statistic's name. A
     * figure of one statistic has trajplot_figure_options.title instead. */
    const char *title;
    /* A plotly.py colourscale name, case-insensitive, "_r" for reversed;
     * NULL: "rdbu_r". */
    const char *colorscale;
    /* A JSON object merged into the heatmap trace as an RFC 7386 merge
     * patch (Python's **kwargs), after trajplot's own attributes (a stacked
     * panel's colour bar place included); NULL or "": none. Text in it is
     * written as given, Plotly markup included. */
    const char *extra_json;
    bool log_scale;          /* colour by log10 of the values */
    /* Show the cell's value with the statistic's name and units above the
     * hover table ("Entropy: 2.718 nats"); false: the reference's hover. */
    bool hover_value;
} trajplot_panel_options;

#define TRAJPLOT_PANEL_OPTIONS_INIT { TRAJPLOT_PANEL_OPTIONS_VERSION, NULL, NULL, NULL, false, false }

TRAJPLOT_API trajplot_status trajplot_panel_options_init(
    trajplot_panel_options *options, unsigned int version);

/* Version 2 added layout_json. A struct of version 1 (without it) is still
 * accepted, and trajplot_figure_options_init(options, 1) fills in only the
 * fields version 1 has. */
#define TRAJPLOT_FIGURE_OPTIONS_VERSION 2

/* The figure around the statistics. Initialise with
 * TRAJPLOT_FIGURE_OPTIONS_INIT or trajplot_figure_options_init(). The
 * figure is 200 + token_width * seq_len pixels wide. In a stacked figure
 * the panels share the plotting height in proportion to their rows, so
 * that their cells are about equally tall, each at least 90 px while there
 * is room; without a title, the top margin keeps only the top panel's
 * title (50 px rather than plotly.js's 100). */
typedef struct trajplot_figure_options {
    unsigned int version;      /* TRAJPLOT_FIGURE_OPTIONS_VERSION */
    const char *title;         /* over the figure; NULL: "" */
    size_t token_width;        /* width per position, pixels; >= 1 */
    /* Pixels; 0: plotly.js's 450 for one statistic, 150 + 250 per panel
     * for a stacked figure. */
    size_t height;
    /* Stacked: the gap between panels as a fraction of the plotting area's
     * height, used when has_vertical_spacing, in [0, 1 / (panels - 1));
     * otherwise 0.3 / panels, as plotly.py's make_subplots. */
    double vertical_spacing;
    bool has_vertical_spacing;
    bool equal_panel_heights;  /* stacked: every panel the same height */
    /* A JSON object merged into the finished layout as an RFC 7386 merge
     * patch (plotly.py's update_layout): {"title": {"font": {"size": 14}}},
     * {"paper_bgcolor": "black"}; null deletes. It comes after everything
     * the figure sets (axes, margins, a stack's panel titles), so it may
     * change any of it; the sizes planned from the fields above (cell text,
     * panel heights) do not follow a patched width or height. A title text
     * it sets ({"title": {"text": ...}}) is also an HTML page's <title>.
     * Text in it is written as given, Plotly markup included. NULL or "":
     * none. Version 2. */
    const char *layout_json;
} trajplot_figure_options;

#define TRAJPLOT_FIGURE_OPTIONS_INIT { TRAJPLOT_FIGURE_OPTIONS_VERSION, NULL, 80, 0, 0.0, false, false, NULL }

TRAJPLOT_API trajplot_status trajplot_figure_options_init(
    trajplot_figure_options *options, unsigned int version);

/* The figure of one statistic. `panel` and `options` may be NULL for the
 * defaults. Errors (EINVAL, ERANGE): NULL out or statistic; an unknown
 * colourscale (the message lists valid names); extra_json or layout_json
 * that is not a JSON object (the message gives the position); a log scale with a colour
 * range bound <= 0; token_width 0; a width or height that overflows. */
TRAJPLOT_API trajplot_status trajplot_figure_create(
    trajplot_figure **out, const trajplot_statistic *statistic,
    const trajplot_panel_options *panel, const trajplot_figure_options *options);

/* A stacked figure of `count` statistics, statistics[0] on top: panels
 * share one x axis of input tokens, labelled under the bottom panel only,
 * and zooming one zooms all; each has its title, its colour range, scale
 * and colour bar beside it, its layer labels (counts may differ). `panels`
 * is NULL for the defaults or `count` pointers, each NULL for the defaults
 * of its panel; `options` may be NULL. Errors as trajplot_figure_create,
 * naming the panel, and: count 0 or a NULL statistic; statistics of
 * different seq_len, or whose sequence labels differ; a vertical_spacing
 * out of range. */
TRAJPLOT_API trajplot_status trajplot_figure_create_stacked(
    trajplot_figure **out, const trajplot_statistic *const *statistics,
    const trajplot_panel_options *const *panels, size_t count,
    const trajplot_figure_options *options);

TRAJPLOT_API void trajplot_figure_free(trajplot_figure *figure);

/* Whether the figure is stacked, and its panel count (1 for a figure of
 * one statistic). Any output pointer may be NULL. */
TRAJPLOT_API trajplot_status trajplot_figure_shape(
    bool *stacked, size_t *panels, const trajplot_figure *figure);

/* What an export writes. */
typedef enum trajplot_format {
    TRAJPLOT_FORMAT_FIGURE_JSON = 0, /* {"data": [...], "layout": {...}} */
    /* The heatmap trace alone, sized for the figure's cells; a figure of
     * one statistic only. Placed in a layout of your own, it needs
     * "type": "category" on both axes. */
    TRAJPLOT_FORMAT_TRACE_JSON = 1,
    TRAJPLOT_FORMAT_HTML = 2,        /* a page (or fragment) drawing it with plotly.js */
    /* Static images of the whole figure (single or stacked), drawn by
     * trajplot itself as plotly.js draws it, without a browser, at the
     * figure's width and height times trajplot_export_options.scale. SVG:
     * its words are <text> elements, its cells <rect>s. PNG and PDF (text
     * kept as text, fonts embedded) need the image component (Cairo and
     * Pango, in the image module that the library loads when first asked),
     * which a build may lack: see trajplot_format_available(). */
    TRAJPLOT_FORMAT_SVG = 3,
    TRAJPLOT_FORMAT_PNG = 4,
    TRAJPLOT_FORMAT_PDF = 5
} trajplot_format;

/* Whether this library can export `format` (a trajplot_format): true for
 * JSON, HTML and SVG; for PNG and PDF when its image component can be
 * loaded (the image module, trajplot-images.so beside the library, which
 * a build may lack; asking loads it, as the first PNG or PDF would); false
 * for a value that is no format. */
TRAJPLOT_API bool trajplot_format_available(int format);

/* Where an HTML page gets plotly.js from (plotly.py's include_plotlyjs). */
typedef enum trajplot_plotlyjs {
    /* The default: the local plotly.js (trajplot_local_plotlyjs) inlined, as
     * plotly.py's write_html inlines its bundle, so that the page draws
     * offline; with no local copy, as TRAJPLOT_PLOTLYJS_CDN. */
    TRAJPLOT_PLOTLYJS_LOCAL = 0,
    TRAJPLOT_PLOTLYJS_CDN = 1,    /* <script src> on the official CDN, at the
                                     plotly.js version trajplot is tested with */
    TRAJPLOT_PLOTLYJS_SRC = 2,    /* <script src> on plotlyjs_location (URL or path) */
    TRAJPLOT_PLOTLYJS_INLINE = 3, /* the contents of the file plotlyjs_location
                                     (a plotly.min.js), inlined */
    TRAJPLOT_PLOTLYJS_NONE = 4    /* nothing: the embedding page loads plotly.js */
} trajplot_plotlyjs;

/* The plotly.js file TRAJPLOT_PLOTLYJS_LOCAL inlines: the file named by the
 * environment variable TRAJPLOT_PLOTLYJS when it is set and not empty
 * (taken as given: a page fails with EIO if it cannot be read), else the
 * copy installed with the library, <prefix>/share/trajplot/plotly.min.js
 * (found from where the library was loaded, so an installed tree may be
 * moved; in a build tree, share/trajplot/ beside the library). `*out` is
 * the path, released with trajplot_string_free(), or NULL when there is no
 * local copy (pages then load plotly.js from the CDN). */
TRAJPLOT_API trajplot_status trajplot_local_plotlyjs(char **out, size_t *out_len);

/* Version 2 added scale. A struct of version 1 (without it) is still
 * accepted, and trajplot_export_options_init(options, 1) fills in only the
 * fields version 1 has. */
#define TRAJPLOT_EXPORT_OPTIONS_VERSION 2

/* How to export a figure. Initialise with TRAJPLOT_EXPORT_OPTIONS_INIT or
 * trajplot_export_options_init(). The HTML fields are read for
 * TRAJPLOT_FORMAT_HTML only, scale for the image formats only. */
typedef struct trajplot_export_options {
    unsigned int version;           /* TRAJPLOT_EXPORT_OPTIONS_VERSION */
    int format;                     /* a trajplot_format */
    int plotlyjs;                   /* a trajplot_plotlyjs */
    const char *plotlyjs_location;  /* for SRC and INLINE, see above */
    /* id of the figure's <div>: letters, digits, '-' and '_', starting with
     * a letter; NULL: "trajplot-figure". Give each figure on a page its own. */
    const char *div_id;
    bool full_html;                 /* a whole document; false: an embeddable <div> */
    bool responsive;                /* follow the page's width (no fixed width) */
    /* Images: a factor on the figure's pixels, finite, > 0 and at most 16;
     * 0 means 1. A PNG is round(width * scale) x round(height * scale)
     * pixels, at most 32767 a side; a PDF page is width * scale points
     * wide. Version 2. */
    double scale;
} trajplot_export_options;

#define TRAJPLOT_EXPORT_OPTIONS_INIT \
    { TRAJPLOT_EXPORT_OPTIONS_VERSION, TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_PLOTLYJS_LOCAL, NULL, NULL, \
      true, false, 1.0 }

TRAJPLOT_API trajplot_status trajplot_export_options_init(
    trajplot_export_options *options, unsigned int version);

/* Exports the figure into a new string, `*out` (NUL-terminated, released
 * with trajplot_string_free(); `out_len`, which may be NULL, gets its byte
 * length). `options` may be NULL for figure JSON. Nothing a caller passes
 * (labels, titles, units, extra_json) can end an HTML page's <script>
 * element or inject markup.
 * An image's bytes are binary (PNG, PDF); `out_len` gives their length.
 * Errors: EINVAL for an unknown format or plotlyjs value, the trace of a
 * stacked figure, a bad div_id, a missing plotlyjs_location, an inline
 * file holding "<script" or "</script", a scale that is not finite, not
 * above 0 or above 16, PNG or PDF without the image component; EIO when a
 * plotly.js file cannot be read; ERANGE when the output would pass the
 * memory limit, or a PNG would be more than 32767 pixels a side (the
 * message gives the figure's size and a token width or scale that fits)
 * or its pixels would pass the memory limit. */
TRAJPLOT_API trajplot_status trajplot_figure_export(
    char **out, size_t *out_len, const trajplot_figure *figure,
    const trajplot_export_options *options);

/* Exports the figure into the file `path`, streamed without holding the
 * output in memory and replaced atomically: it is written to a temporary
 * file beside `path`, renamed over it once complete, so that a failed call
 * (EIO naming the file and the reason, or any error above) leaves no
 * partial file and any earlier file intact. A device or FIFO is written
 * directly. */
TRAJPLOT_API trajplot_status trajplot_figure_save(
    const trajplot_figure *figure, const trajplot_export_options *options, const char *path);

/* A destination of the caller's: called with consecutive pieces of the
 * output, in order (a piece is not NUL-terminated, never empty), always on
 * the thread that called the export; returns 0 to go on, anything else to
 * stop the export, which then fails with EIO and calls it no more. */
typedef int (*trajplot_write_fn)(void *user, const char *data, size_t len);

/* Exports the figure through `write`, passing it `user` unchanged: into a
 * socket, a file object of another language, a buffer of the caller's.
 * Nothing is written when the options are refused. */
TRAJPLOT_API trajplot_status trajplot_figure_stream(
    const trajplot_figure *figure, const trajplot_export_options *options,
    trajplot_write_fn write, void *user);

#ifdef __cplusplus
}
#endif

#endif /* TRAJPLOT_H */
