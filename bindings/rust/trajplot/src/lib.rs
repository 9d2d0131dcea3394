//! Prediction-trajectory heatmaps of language models (tuned lens, logit
//! lens) as Plotly figures: the safe Rust API of libtrajplot.
//!
//! A [`Statistic`] holds one value per layer and input position, with
//! optional [`Labels`] for the cells. A [`Figure`] draws one statistic
//! ([`Figure::new`]), or several of one sequence stacked as panels
//! ([`Figure::stacked`]), each as its [`PanelOptions`] say, within the
//! [`FigureOptions`]; it is checked when it is made and then exported, as
//! [`ExportOptions`] say ([`Format::FigureJson`], [`Format::TraceJson`], an
//! HTML page, [`Format::Html`], or an image the library draws itself,
//! [`Format::Svg`], [`Format::Png`] or [`Format::Pdf`]), into a `String`
//! ([`export`](Figure::export)), bytes ([`to_image`](Figure::to_image),
//! [`export_bytes`](Figure::export_bytes)), a file ([`save`](Figure::save))
//! or any `std::io::Write` ([`write_to`](Figure::write_to)), the same bytes
//! each time.
//!
//! ```
//! use trajplot::{ExportOptions, Figure, FigureOptions, Labels, PanelOptions, Statistic};
//!
//! # fn main() -> Result<(), trajplot::Error> {
//! let top1 = Labels::new(&["the", "a", "dog", "cat", "sat", "on"], 2, 3)?;
//! let entropy = Statistic::builder("Entropy", &[3.1, 2.9, 3.3, 0.4, 1.2, 0.8], 2, 3)
//!     .units("nats")
//!     .sequence_labels(&["The", "<s>", "cat"])
//!     .trajectory_labels(&top1)
//!     .build()?;
//! let options = FigureOptions { title: "Entropy by layer".into(), ..Default::default() };
//! let figure = Figure::new(&entropy.stride(1)?.clip(0.0, 3.0)?, &PanelOptions::default(), &options)?;
//! let json = figure.export(&ExportOptions::default())?;
//! assert!(json.contains("\"type\":\"heatmap\""));
//! # Ok(())
//! # }
//! ```
//!
//! The statistics themselves can be computed natively from a lens's
//! outputs (per-layer logits or log-probabilities over the vocabulary): a
//! [`PredictionTrajectory`] takes them slab by slab, or as a resident tensor
//! read in place, and gives entropy, cross entropy, forward KL, the maximum
//! probability, the target's rank and log-prob differences, with labels of
//! the top tokens from a [`Vocabulary`]; a [`TrajectoryComparison`] gives
//! the divergences between two lenses. See the README.
//!
//! Every fallible call returns [`Result`]: an [`Error`] carries an
//! [`ErrorKind`] and the library's message ("trajplot_statistic_clip: ...").
//! Values (labels, statistics, figures) are immutable and `Send + Sync`;
//! trajectories are filled through `&mut self` and then read through
//! `&self`, from any number of threads.
//! Strings come in as `&str` (label text is passed with its byte length, so
//! it may hold any character) and go out as `String`.
//!
//! The binding links libtrajplot.so; set `TRAJPLOT_LIB_DIR` to its
//! directory when building if it is not on the linker's path (see the
//! README), and make it findable at run time (e.g. `LD_LIBRARY_PATH`).

mod error;
mod ffi;
mod figure;
mod labels;
mod lens;
mod options;
mod statistic;

use std::sync::atomic::{AtomicBool, Ordering};

pub use error::{Error, ErrorKind, Result};
pub use figure::Figure;
pub use labels::{HoverTemplate, Labels};
pub use lens::{
    Measure, PredictionTrajectory, TokenFormat, TrajectoryComparison, TrajectoryOptions,
    TrajectoryShape, Values, Vocabulary,
};
pub use options::{ExportOptions, FigureOptions, Format, PanelOptions, PlotlyJs};
pub use statistic::{Statistic, StatisticBuilder};
/// The raw C declarations, for what the safe API does not cover.
pub use trajplot_sys as sys;

// The README's Rust examples are compiled as documentation tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// The release version of the library actually loaded: (major, minor, patch).
pub fn version() -> (i32, i32, i32) {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: valid output pointers.
    unsafe { sys::trajplot_version(&mut major, &mut minor, &mut patch) };
    (major, minor, patch)
}

/// The ABI version of the library actually loaded.
pub fn abi_version() -> i32 {
    // SAFETY: no arguments, no preconditions.
    unsafe { sys::trajplot_abi_version() }
}

/// The most bytes one object (labels, a statistic, a hover table) or one
/// returned string may need, process-wide; by default the machine's
/// physical memory. A call needing more fails with
/// [`ErrorKind::OutOfRange`] before allocating.
pub fn memory_limit() -> usize {
    // SAFETY: no arguments, no preconditions.
    unsafe { sys::trajplot_memory_limit() }
}

/// Sets [`memory_limit`] for the whole process; 0 restores the default.
pub fn set_memory_limit(bytes: usize) {
    // SAFETY: any value is valid.
    unsafe { sys::trajplot_set_memory_limit(bytes) }
}

/// The threads work is spread over by default (a
/// [`TrajectoryOptions::threads`] of 0): the cores available to this
/// process, its CPU affinity and any cgroup CPU quota included; at least 1.
pub fn default_threads() -> usize {
    // SAFETY: no arguments, no preconditions.
    unsafe { sys::trajplot_default_threads() }
}

/// The plotly.js file that pages inline by default ([`PlotlyJs::Local`]):
/// the file named by the environment variable `TRAJPLOT_PLOTLYJS`, else the
/// copy installed with the library (`share/trajplot/plotly.min.js`); None
/// when there is none, and pages then load plotly.js from its CDN.
pub fn local_plotlyjs() -> Result<Option<std::path::PathBuf>> {
    let mut pointer: *mut std::os::raw::c_char = std::ptr::null_mut();
    let mut len = 0usize;
    // SAFETY: valid output pointers; the string is released by LibraryString.
    ffi::check(unsafe { sys::trajplot_local_plotlyjs(&mut pointer, &mut len) })?;
    if pointer.is_null() {
        return Ok(None);
    }
    // SAFETY: a string the library returned, `len` bytes long.
    let text = unsafe { ffi::LibraryString::new(pointer, len) }.text();
    Ok(Some(std::path::PathBuf::from(text)))
}

/// Whether the loaded library writes `format`: the JSON formats, pages and
/// SVG always; PNG and PDF when it was built with Cairo and Pango.
pub fn format_available(format: Format) -> bool {
    // SAFETY: any value is valid.
    unsafe { sys::trajplot_format_available(format.to_raw()) }
}

static ABI_CHECKED: AtomicBool = AtomicBool::new(false);

/// Ok when the loaded library has the ABI version this binding was written
/// for. Creating labels or a statistic checks it first, so a mismatch is an
/// [`ErrorKind::AbiMismatch`] error rather than undefined behaviour.
pub fn check_abi() -> Result<()> {
    if ABI_CHECKED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let loaded = abi_version();
    if loaded != sys::TRAJPLOT_ABI_VERSION {
        return Err(Error::abi_mismatch(format!(
            "the loaded libtrajplot has ABI version {} but this binding needs version {}",
            loaded,
            sys::TRAJPLOT_ABI_VERSION
        )));
    }
    ABI_CHECKED.store(true, Ordering::Relaxed);
    Ok(())
}

/// Truncates `string` to its last `new_len` characters (code points), or
/// pads it on the left with spaces to `new_len` when it is shorter (the
/// reference's `trunc_string_left`). Any text works, NUL included.
pub fn trunc_string_left(string: &str, new_len: usize) -> Result<String> {
    check_abi()?;
    let (mut out, mut len) = (std::ptr::null_mut(), 0);
    // SAFETY: `string.len()` readable bytes and valid outputs; on success
    // the string is ours to free.
    ffi::check(unsafe {
        sys::trajplot_trunc_string_left(
            &mut out,
            &mut len,
            string.as_ptr().cast(),
            string.len(),
            new_len,
        )
    })?;
    Ok(unsafe { ffi::LibraryString::new(out, len) }.text())
}
