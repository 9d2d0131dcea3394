//! Raw declarations of trajplot's C API, `capi/trajplot.h`, one for one.
//!
//! Everything here is `unsafe` to call and follows the header's contract:
//! outputs first, a `trajplot_status` return (0 on success), the thread's
//! last message in [`trajplot_error_last`], strings returned by the library
//! released with [`trajplot_string_free`]. The `trajplot` crate wraps it in a
//! safe API; use this crate directly only to reach something it lacks.
//!
//! The option structs mirror the C structs field for field; the tests of
//! this crate compare their size, alignment and every field offset with
//! what a C compiler reports for the header.

#![allow(non_camel_case_types)]

use std::marker::{PhantomData, PhantomPinned};
use std::os::raw::{c_char, c_double, c_float, c_int, c_uint, c_void};
use std::ptr;

// ---------------------------------------------------------------------------
// Versions

pub const TRAJPLOT_VERSION_MAJOR: c_int = 0;
pub const TRAJPLOT_VERSION_MINOR: c_int = 1;
pub const TRAJPLOT_VERSION_PATCH: c_int = 0;

/// The ABI version these declarations describe; compare it with
/// [`trajplot_abi_version`] of the library actually loaded.
pub const TRAJPLOT_ABI_VERSION: c_int = 2;

// ---------------------------------------------------------------------------
// Errors

/// `enum trajplot_status`: a C enum, passed as an `int`. Kept as an integer
/// type (not a Rust enum) so that an unexpected value cannot be undefined
/// behaviour.
pub type trajplot_status = c_int;

pub const TRAJPLOT_OK: trajplot_status = 0;
pub const TRAJPLOT_ERROR: trajplot_status = -1;
pub const TRAJPLOT_EINVAL: trajplot_status = -2;
pub const TRAJPLOT_ENOMEM: trajplot_status = -3;
pub const TRAJPLOT_ERANGE: trajplot_status = -4;
pub const TRAJPLOT_EIO: trajplot_status = -5;

// ---------------------------------------------------------------------------
// Handles

/// `trajplot_labels`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_labels {
    _private: [u8; 0],
    // Neither Send, Sync nor Unpin on its own: the safe wrapper decides.
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `trajplot_statistic`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_statistic {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `trajplot_vocabulary`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_vocabulary {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `trajplot_trajectory`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_trajectory {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `trajplot_comparison`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_comparison {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `trajplot_figure`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct trajplot_figure {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

// ---------------------------------------------------------------------------
// String arrays

/// `enum trajplot_string_layout`, the values of `trajplot_strings::layout`.
pub type trajplot_string_layout = c_int;

/// `data`: `*const *const c_char`; `lengths`: their byte lengths or null.
pub const TRAJPLOT_STRINGS_POINTERS: trajplot_string_layout = 0;
/// `data`: `count * width` `u32` UTF-32 code units, NUL-padded (numpy's `U<width>`).
pub const TRAJPLOT_STRINGS_UTF32: trajplot_string_layout = 1;
/// `data`: `count * width` bytes, NUL-padded (numpy's `S<width>`).
pub const TRAJPLOT_STRINGS_BYTES: trajplot_string_layout = 2;
/// `data`: `data_len` bytes of UTF-8; `offsets`: `count + 1` byte offsets.
pub const TRAJPLOT_STRINGS_UTF8_OFFSETS: trajplot_string_layout = 3;

pub const TRAJPLOT_STRINGS_VERSION: c_uint = 1;

/// `trajplot_strings`: an array of strings in one of the layouts above.
/// Start from [`TRAJPLOT_STRINGS_INIT`] or [`trajplot_strings_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_strings {
    pub version: c_uint,
    pub layout: c_int,
    pub count: usize,
    pub data: *const c_void,
    pub lengths: *const usize,
    pub width: usize,
    pub offsets: *const u64,
    pub data_len: usize,
}

/// `TRAJPLOT_STRINGS_INIT`.
pub const TRAJPLOT_STRINGS_INIT: trajplot_strings = trajplot_strings {
    version: TRAJPLOT_STRINGS_VERSION,
    layout: TRAJPLOT_STRINGS_POINTERS,
    count: 0,
    data: ptr::null(),
    lengths: ptr::null(),
    width: 0,
    offsets: ptr::null(),
    data_len: 0,
};

// ---------------------------------------------------------------------------
// Option structs

pub const TRAJPLOT_STATISTIC_OPTIONS_VERSION: c_uint = 1;

/// `trajplot_statistic_options`. Start from
/// [`TRAJPLOT_STATISTIC_OPTIONS_INIT`] or [`trajplot_statistic_options_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_statistic_options {
    pub version: c_uint,
    pub units: *const c_char,
    pub sequence_labels: *const *const c_char,
    pub sequence_label_lengths: *const usize,
    pub sequence_label_count: usize,
    pub trajectory_labels: *const trajplot_labels,
    pub layer_labels: *const *const c_char,
    pub layer_label_lengths: *const usize,
    pub layer_label_count: usize,
    pub min: c_float,
    pub max: c_float,
    pub has_min: bool,
    pub has_max: bool,
    pub includes_output: bool,
}

/// `TRAJPLOT_STATISTIC_OPTIONS_INIT`.
pub const TRAJPLOT_STATISTIC_OPTIONS_INIT: trajplot_statistic_options =
    trajplot_statistic_options {
        version: TRAJPLOT_STATISTIC_OPTIONS_VERSION,
        units: ptr::null(),
        sequence_labels: ptr::null(),
        sequence_label_lengths: ptr::null(),
        sequence_label_count: 0,
        trajectory_labels: ptr::null(),
        layer_labels: ptr::null(),
        layer_label_lengths: ptr::null(),
        layer_label_count: 0,
        min: 0.0,
        max: 0.0,
        has_min: false,
        has_max: false,
        includes_output: true,
    };

/// `enum trajplot_values`, the values of `trajplot_trajectory_options::values`.
pub type trajplot_values = c_int;

pub const TRAJPLOT_VALUES_LOGITS: trajplot_values = 0;
pub const TRAJPLOT_VALUES_LOG_PROBS: trajplot_values = 1;

pub const TRAJPLOT_TRAJECTORY_OPTIONS_VERSION: c_uint = 1;

/// `trajplot_trajectory_options`. Start from
/// [`TRAJPLOT_TRAJECTORY_OPTIONS_INIT`] or
/// [`trajplot_trajectory_options_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_trajectory_options {
    pub version: c_uint,
    pub values: c_int,
    pub vocabulary: *const trajplot_vocabulary,
    pub top_k: usize,
    pub min_prob: c_float,
    pub min_prob_delta: c_float,
    pub max_batch_items_shown: usize,
    pub max_string_len: usize,
    pub ellipsis: *const c_char,
    pub newline_token: *const c_char,
    pub newline_replacement: *const c_char,
    pub whitespace_token: *const c_char,
    pub whitespace_replacement: *const c_char,
    pub threads: usize,
    pub forward_kl: bool,
}

/// `TRAJPLOT_TRAJECTORY_OPTIONS_INIT`.
pub const TRAJPLOT_TRAJECTORY_OPTIONS_INIT: trajplot_trajectory_options =
    trajplot_trajectory_options {
        version: TRAJPLOT_TRAJECTORY_OPTIONS_VERSION,
        values: TRAJPLOT_VALUES_LOGITS,
        vocabulary: ptr::null(),
        top_k: 10,
        min_prob: 0.0,
        min_prob_delta: 0.0,
        max_batch_items_shown: 3,
        max_string_len: 7,
        ellipsis: ptr::null(),
        newline_token: ptr::null(),
        newline_replacement: ptr::null(),
        whitespace_token: ptr::null(),
        whitespace_replacement: ptr::null(),
        threads: 0,
        forward_kl: true,
    };

/// `enum trajplot_measure`: the statistics computed from lens outputs.
/// Kept as an integer type, like [`trajplot_status`].
pub type trajplot_measure = c_int;

pub const TRAJPLOT_MEASURE_ENTROPY: trajplot_measure = 0;
pub const TRAJPLOT_MEASURE_CROSS_ENTROPY: trajplot_measure = 1;
pub const TRAJPLOT_MEASURE_FORWARD_KL: trajplot_measure = 2;
pub const TRAJPLOT_MEASURE_MAX_PROBABILITY: trajplot_measure = 3;
pub const TRAJPLOT_MEASURE_RANK: trajplot_measure = 4;
pub const TRAJPLOT_MEASURE_LOG_PROB_DIFF: trajplot_measure = 5;
pub const TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA: trajplot_measure = 6;
pub const TRAJPLOT_MEASURE_KL_DIVERGENCE: trajplot_measure = 16;
pub const TRAJPLOT_MEASURE_JS_DIVERGENCE: trajplot_measure = 17;
pub const TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL: trajplot_measure = 18;
pub const TRAJPLOT_MEASURE_TOTAL_VARIATION: trajplot_measure = 19;
pub const TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE: trajplot_measure = 20;

/// A flag of [`trajplot_trajectory_statistic`]: the rank's cell labels are
/// the ranks, not tokens.
pub const TRAJPLOT_SHOW_RANKS: c_uint = 1;

pub const TRAJPLOT_PANEL_OPTIONS_VERSION: c_uint = 1;

/// `trajplot_panel_options`: how one statistic is drawn (its heatmap trace,
/// and its panel in a stacked figure). Start from
/// [`TRAJPLOT_PANEL_OPTIONS_INIT`] or [`trajplot_panel_options_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_panel_options {
    pub version: c_uint,
    pub title: *const c_char,
    pub colorscale: *const c_char,
    pub extra_json: *const c_char,
    pub log_scale: bool,
    pub hover_value: bool,
}

/// `TRAJPLOT_PANEL_OPTIONS_INIT`.
pub const TRAJPLOT_PANEL_OPTIONS_INIT: trajplot_panel_options = trajplot_panel_options {
    version: TRAJPLOT_PANEL_OPTIONS_VERSION,
    title: ptr::null(),
    colorscale: ptr::null(),
    extra_json: ptr::null(),
    log_scale: false,
    hover_value: false,
};

pub const TRAJPLOT_FIGURE_OPTIONS_VERSION: c_uint = 2;

/// `trajplot_figure_options`: the figure around the statistics. Start from
/// [`TRAJPLOT_FIGURE_OPTIONS_INIT`] or [`trajplot_figure_options_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_figure_options {
    pub version: c_uint,
    pub title: *const c_char,
    pub token_width: usize,
    pub height: usize,
    pub vertical_spacing: c_double,
    pub has_vertical_spacing: bool,
    pub equal_panel_heights: bool,
    /// A JSON object merged into the finished layout as an RFC 7386 merge
    /// patch (version 2); NULL: none.
    pub layout_json: *const c_char,
}

/// `TRAJPLOT_FIGURE_OPTIONS_INIT`.
pub const TRAJPLOT_FIGURE_OPTIONS_INIT: trajplot_figure_options = trajplot_figure_options {
    version: TRAJPLOT_FIGURE_OPTIONS_VERSION,
    title: ptr::null(),
    token_width: 80,
    height: 0,
    vertical_spacing: 0.0,
    has_vertical_spacing: false,
    equal_panel_heights: false,
    layout_json: ptr::null(),
};

/// `enum trajplot_format`, the values of `trajplot_export_options::format`.
pub type trajplot_format = c_int;

pub const TRAJPLOT_FORMAT_FIGURE_JSON: trajplot_format = 0;
pub const TRAJPLOT_FORMAT_TRACE_JSON: trajplot_format = 1;
pub const TRAJPLOT_FORMAT_HTML: trajplot_format = 2;
pub const TRAJPLOT_FORMAT_SVG: trajplot_format = 3;
pub const TRAJPLOT_FORMAT_PNG: trajplot_format = 4;
pub const TRAJPLOT_FORMAT_PDF: trajplot_format = 5;

/// `enum trajplot_plotlyjs`, the values of `trajplot_export_options::plotlyjs`.
pub type trajplot_plotlyjs = c_int;

pub const TRAJPLOT_PLOTLYJS_LOCAL: trajplot_plotlyjs = 0;
pub const TRAJPLOT_PLOTLYJS_CDN: trajplot_plotlyjs = 1;
pub const TRAJPLOT_PLOTLYJS_SRC: trajplot_plotlyjs = 2;
pub const TRAJPLOT_PLOTLYJS_INLINE: trajplot_plotlyjs = 3;
pub const TRAJPLOT_PLOTLYJS_NONE: trajplot_plotlyjs = 4;

pub const TRAJPLOT_EXPORT_OPTIONS_VERSION: c_uint = 2;

/// `trajplot_export_options`: what an export writes. Start from
/// [`TRAJPLOT_EXPORT_OPTIONS_INIT`] or [`trajplot_export_options_init`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trajplot_export_options {
    pub version: c_uint,
    pub format: c_int,
    pub plotlyjs: c_int,
    pub plotlyjs_location: *const c_char,
    pub div_id: *const c_char,
    pub full_html: bool,
    pub responsive: bool,
    /// Image formats: the image is the figure's size times this; finite,
    /// > 0 and at most 16, or 0 for 1 (version 2).
    pub scale: f64,
}

/// `TRAJPLOT_EXPORT_OPTIONS_INIT`.
pub const TRAJPLOT_EXPORT_OPTIONS_INIT: trajplot_export_options = trajplot_export_options {
    version: TRAJPLOT_EXPORT_OPTIONS_VERSION,
    format: TRAJPLOT_FORMAT_FIGURE_JSON,
    plotlyjs: TRAJPLOT_PLOTLYJS_LOCAL,
    plotlyjs_location: ptr::null(),
    div_id: ptr::null(),
    full_html: true,
    responsive: false,
    scale: 1.0,
};

/// `trajplot_write_fn`: a destination of the caller's for
/// [`trajplot_figure_stream`], called with consecutive pieces of the output
/// (not NUL-terminated); it returns 0 to go on, anything else to stop the
/// export, which then fails with `TRAJPLOT_EIO`.
pub type trajplot_write_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, data: *const c_char, len: usize) -> c_int>;

// ---------------------------------------------------------------------------
// Functions, in the order of the header

extern "C" {
    // Versions
    pub fn trajplot_abi_version() -> c_int;
    pub fn trajplot_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int);

    // Errors
    pub fn trajplot_error_last() -> *const c_char;
    pub fn trajplot_error_last_status() -> trajplot_status;
    pub fn trajplot_error_clear();
    pub fn trajplot_string_free(string: *mut c_char);
    pub fn trajplot_memory_limit() -> usize;
    pub fn trajplot_set_memory_limit(bytes: usize);
    pub fn trajplot_default_threads() -> usize;

    // Text
    pub fn trajplot_trunc_string_left(
        out: *mut *mut c_char,
        out_len: *mut usize,
        string: *const c_char,
        string_len: usize,
        new_len: usize,
    ) -> trajplot_status;

    // String arrays
    pub fn trajplot_strings_init(strings: *mut trajplot_strings, version: c_uint) -> trajplot_status;

    // Trajectory labels
    pub fn trajplot_labels_create(
        out: *mut *mut trajplot_labels,
        n_layers: usize,
        seq_len: usize,
        label_strings: *const *const c_char,
        label_lengths: *const usize,
        hover_entries: *const *const c_char,
        hover_lengths: *const usize,
        hover_rows: usize,
        hover_cols: usize,
    ) -> trajplot_status;
    pub fn trajplot_labels_create_from_strings(
        out: *mut *mut trajplot_labels,
        n_layers: usize,
        seq_len: usize,
        label_strings: *const trajplot_strings,
        hover_entries: *const trajplot_strings,
        hover_rows: usize,
        hover_cols: usize,
    ) -> trajplot_status;
    pub fn trajplot_labels_free(labels: *mut trajplot_labels);
    pub fn trajplot_labels_shape(
        n_layers: *mut usize,
        seq_len: *mut usize,
        hover_rows: *mut usize,
        hover_cols: *mut usize,
        labels: *const trajplot_labels,
    ) -> trajplot_status;
    pub fn trajplot_labels_label(
        out: *mut *const c_char,
        len: *mut usize,
        labels: *const trajplot_labels,
        layer: usize,
        position: usize,
    ) -> trajplot_status;
    pub fn trajplot_labels_hover_entry(
        out: *mut *const c_char,
        len: *mut usize,
        labels: *const trajplot_labels,
        layer: usize,
        position: usize,
        row: usize,
        col: usize,
    ) -> trajplot_status;
    pub fn trajplot_labels_stride(
        out: *mut *mut trajplot_labels,
        labels: *const trajplot_labels,
        stride: usize,
    ) -> trajplot_status;
    pub fn trajplot_labels_template_and_customdata(
        template_out: *mut *mut c_char,
        template_len: *mut usize,
        customdata_json: *mut *mut c_char,
        customdata_len: *mut usize,
        labels: *const trajplot_labels,
        col_width_limit: usize,
    ) -> trajplot_status;

    // Trajectory statistic
    pub fn trajplot_statistic_options_init(
        options: *mut trajplot_statistic_options,
        version: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_statistic_create(
        out: *mut *mut trajplot_statistic,
        name: *const c_char,
        stats: *const c_float,
        n_layers: usize,
        seq_len: usize,
        options: *const trajplot_statistic_options,
    ) -> trajplot_status;
    pub fn trajplot_statistic_free(statistic: *mut trajplot_statistic);
    pub fn trajplot_statistic_shape(
        n_layers: *mut usize,
        seq_len: *mut usize,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_stats(
        buffer: *mut c_float,
        buffer_len: usize,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_name(
        out: *mut *const c_char,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_units(
        out: *mut *const c_char,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_range(
        has_min: *mut bool,
        min: *mut c_float,
        has_max: *mut bool,
        max: *mut c_float,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_includes_output(
        out: *mut bool,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_layer_label(
        out: *mut *const c_char,
        len: *mut usize,
        statistic: *const trajplot_statistic,
        layer: usize,
    ) -> trajplot_status;
    pub fn trajplot_statistic_sequence_label(
        out: *mut *const c_char,
        len: *mut usize,
        statistic: *const trajplot_statistic,
        position: usize,
    ) -> trajplot_status;
    pub fn trajplot_statistic_trajectory_labels(
        out: *mut *mut trajplot_labels,
        statistic: *const trajplot_statistic,
    ) -> trajplot_status;
    pub fn trajplot_statistic_stride(
        out: *mut *mut trajplot_statistic,
        statistic: *const trajplot_statistic,
        stride: usize,
    ) -> trajplot_status;
    pub fn trajplot_statistic_clip(
        out: *mut *mut trajplot_statistic,
        statistic: *const trajplot_statistic,
        min: c_float,
        max: c_float,
    ) -> trajplot_status;

    // Statistics from lens outputs
    pub fn trajplot_vocabulary_create(
        out: *mut *mut trajplot_vocabulary,
        tokens: *const *const c_char,
        lengths: *const usize,
        size: usize,
    ) -> trajplot_status;
    pub fn trajplot_vocabulary_create_from_strings(
        out: *mut *mut trajplot_vocabulary,
        tokens: *const trajplot_strings,
    ) -> trajplot_status;
    pub fn trajplot_vocabulary_free(vocabulary: *mut trajplot_vocabulary);
    pub fn trajplot_vocabulary_size(
        out: *mut usize,
        vocabulary: *const trajplot_vocabulary,
    ) -> trajplot_status;
    pub fn trajplot_vocabulary_token(
        out: *mut *const c_char,
        len: *mut usize,
        vocabulary: *const trajplot_vocabulary,
        id: usize,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_options_init(
        options: *mut trajplot_trajectory_options,
        version: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_measures(out: *mut c_int, capacity: usize) -> usize;
    pub fn trajplot_measure_name(measure: c_int) -> *const c_char;
    pub fn trajplot_measure_from_name(out: *mut c_int, name: *const c_char) -> trajplot_status;
    pub fn trajplot_measure_is_comparison(measure: c_int) -> bool;
    pub fn trajplot_trajectory_create(
        out: *mut *mut trajplot_trajectory,
        batch: usize,
        n_layers: usize,
        seq_len: usize,
        vocab: usize,
        input_ids: *const i64,
        targets: *const i64,
        anti_targets: *const i64,
        options: *const trajplot_trajectory_options,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_free(trajectory: *mut trajplot_trajectory);
    pub fn trajplot_trajectory_shape(
        batch: *mut usize,
        n_layers: *mut usize,
        seq_len: *mut usize,
        vocab: *mut usize,
        trajectory: *const trajplot_trajectory,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_add(
        trajectory: *mut trajplot_trajectory,
        batch_index: usize,
        layer: usize,
        slab: *const c_float,
        slab_len: usize,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_add_all(
        trajectory: *mut trajplot_trajectory,
        tensor: *const c_float,
        tensor_len: usize,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_complete(
        out: *mut bool,
        trajectory: *const trajplot_trajectory,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_statistic(
        out: *mut *mut trajplot_statistic,
        trajectory: *const trajplot_trajectory,
        measure: c_int,
        flags: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_trajectory_labels(
        out: *mut *mut trajplot_labels,
        trajectory: *const trajplot_trajectory,
    ) -> trajplot_status;
    pub fn trajplot_comparison_create(
        out: *mut *mut trajplot_comparison,
        batch: usize,
        n_layers: usize,
        seq_len: usize,
        vocab: usize,
        input_ids: *const i64,
        options: *const trajplot_trajectory_options,
    ) -> trajplot_status;
    pub fn trajplot_comparison_free(comparison: *mut trajplot_comparison);
    pub fn trajplot_comparison_shape(
        batch: *mut usize,
        n_layers: *mut usize,
        seq_len: *mut usize,
        vocab: *mut usize,
        comparison: *const trajplot_comparison,
    ) -> trajplot_status;
    pub fn trajplot_comparison_add(
        comparison: *mut trajplot_comparison,
        batch_index: usize,
        layer: usize,
        self_slab: *const c_float,
        other_slab: *const c_float,
        slab_len: usize,
    ) -> trajplot_status;
    pub fn trajplot_comparison_add_all(
        comparison: *mut trajplot_comparison,
        self_tensor: *const c_float,
        other_tensor: *const c_float,
        tensor_len: usize,
    ) -> trajplot_status;
    pub fn trajplot_comparison_complete(
        out: *mut bool,
        comparison: *const trajplot_comparison,
    ) -> trajplot_status;
    pub fn trajplot_comparison_statistic(
        out: *mut *mut trajplot_statistic,
        comparison: *const trajplot_comparison,
        measure: c_int,
        flags: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_comparison_labels(
        out: *mut *mut trajplot_labels,
        comparison: *const trajplot_comparison,
    ) -> trajplot_status;

    // Figures
    pub fn trajplot_panel_options_init(
        options: *mut trajplot_panel_options,
        version: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_figure_options_init(
        options: *mut trajplot_figure_options,
        version: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_figure_create(
        out: *mut *mut trajplot_figure,
        statistic: *const trajplot_statistic,
        panel: *const trajplot_panel_options,
        options: *const trajplot_figure_options,
    ) -> trajplot_status;
    pub fn trajplot_figure_create_stacked(
        out: *mut *mut trajplot_figure,
        statistics: *const *const trajplot_statistic,
        panels: *const *const trajplot_panel_options,
        count: usize,
        options: *const trajplot_figure_options,
    ) -> trajplot_status;
    pub fn trajplot_figure_free(figure: *mut trajplot_figure);
    pub fn trajplot_figure_shape(
        stacked: *mut bool,
        panels: *mut usize,
        figure: *const trajplot_figure,
    ) -> trajplot_status;
    pub fn trajplot_format_available(format: c_int) -> bool;
    pub fn trajplot_local_plotlyjs(out: *mut *mut c_char, out_len: *mut usize) -> trajplot_status;
    pub fn trajplot_export_options_init(
        options: *mut trajplot_export_options,
        version: c_uint,
    ) -> trajplot_status;
    pub fn trajplot_figure_export(
        out: *mut *mut c_char,
        out_len: *mut usize,
        figure: *const trajplot_figure,
        options: *const trajplot_export_options,
    ) -> trajplot_status;
    pub fn trajplot_figure_save(
        figure: *const trajplot_figure,
        options: *const trajplot_export_options,
        path: *const c_char,
    ) -> trajplot_status;
    pub fn trajplot_figure_stream(
        figure: *const trajplot_figure,
        options: *const trajplot_export_options,
        write: trajplot_write_fn,
        user: *mut c_void,
    ) -> trajplot_status;
}
