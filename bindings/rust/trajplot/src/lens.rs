//! Statistics computed natively from a lens's outputs: the statistics
//! engine of the C API ("Statistics from lens outputs" in trajplot.h).
//!
//! A lens gives, at every layer (the model's output being the last) and
//! input position, float32 logits or log-probabilities over the vocabulary:
//! a row-major batch x n_layers x seq_len x vocab tensor. It is added one
//! (batch item, layer) slab of seq_len x vocab floats at a time, or whole,
//! and read in place; the statistics come back as [`Statistic`]s.

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_int, c_uint};
use std::ptr::{self, NonNull};
use std::str::FromStr;

use trajplot_sys as sys;

use crate::error::{Error, Result};
use crate::ffi;
use crate::labels::Labels;
use crate::statistic::Statistic;

// ---------------------------------------------------------------------------
// Vocabulary

/// Token strings by id, for the labels of the statistics: token `i` has id
/// `i`. Immutable; it may be shared between trajectories and threads.
///
/// It may be shorter than the lens's vocabulary (a padded embedding
/// matrix): ids past its end are shown as `<unk>`.
pub struct Vocabulary {
    raw: NonNull<sys::trajplot_vocabulary>,
}

// SAFETY: a vocabulary is immutable and may be read from any number of
// threads at once (trajplot.h); it is freed only by Drop, which needs the
// value to be owned.
unsafe impl Send for Vocabulary {}
unsafe impl Sync for Vocabulary {}

impl Drop for Vocabulary {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once;
        // trajectories made with it hold their own reference.
        unsafe { sys::trajplot_vocabulary_free(self.raw.as_ptr()) }
    }
}

impl Vocabulary {
    /// A vocabulary of the given tokens, in id order: `&str`, `String`, or
    /// raw bytes (`&[u8]`, `Vec<u8>`) as a tokenizer's byte-level tokens
    /// may be. Tokens may hold any bytes, NUL included; invalid UTF-8 is
    /// stored with U+FFFD in its place.
    ///
    /// ```
    /// # fn main() -> Result<(), trajplot::Error> {
    /// let vocabulary = trajplot::Vocabulary::new(["<s>", "\u{120}the", "\u{120}cat"])?;
    /// assert_eq!(vocabulary.len(), 3);
    /// assert_eq!(vocabulary.token(1).as_deref(), Some("\u{120}the"));
    /// assert_eq!(vocabulary.token(3), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new<I>(tokens: I) -> Result<Vocabulary>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        crate::check_abi()?;
        let tokens: Vec<I::Item> = tokens.into_iter().collect();
        let pointers: Vec<*const c_char> = tokens
            .iter()
            .map(|token| token.as_ref().as_ptr().cast::<c_char>())
            .collect();
        let lengths: Vec<usize> = tokens.iter().map(|token| token.as_ref().len()).collect();
        let mut raw = ptr::null_mut();
        // SAFETY: `pointers` and `lengths` hold one entry per token, each
        // pointing at that many bytes of `tokens`, which outlives the call
        // (the library copies them).
        ffi::check(unsafe {
            sys::trajplot_vocabulary_create(
                &mut raw,
                pointers.as_ptr(),
                lengths.as_ptr(),
                tokens.len(),
            )
        })?;
        match NonNull::new(raw) {
            Some(raw) => Ok(Vocabulary { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    fn as_ptr(&self) -> *const sys::trajplot_vocabulary {
        self.raw.as_ptr()
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        let mut size = 0;
        // SAFETY: a live handle and a valid output pointer.
        ffi::expect_ok(
            unsafe { sys::trajplot_vocabulary_size(&mut size, self.as_ptr()) },
            "trajplot_vocabulary_size",
        );
        size
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Token `id` as stored (not formatted), or None past the end.
    pub fn token(&self, id: usize) -> Option<String> {
        if id >= self.len() {
            return None;
        }
        let (mut text, mut len): (*const c_char, usize) = (ptr::null(), 0);
        // SAFETY: a live handle and an id in range; the borrowed text is
        // copied while the handle lives.
        ffi::expect_ok(
            unsafe { sys::trajplot_vocabulary_token(&mut text, &mut len, self.as_ptr(), id) },
            "trajplot_vocabulary_token",
        );
        Some(unsafe { ffi::borrowed_string(text, len) })
    }
}

impl fmt::Debug for Vocabulary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Vocabulary")
            .field("len", &self.len())
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Options

/// What the lens's floats are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Values {
    /// Logits: a numerically stable log-softmax is applied (default).
    #[default]
    Logits,
    /// Log-probabilities, used as given (not renormalised).
    LogProbs,
}

/// How vocabulary tokens (byte-level BPE strings such as "Ġthe") are shown
/// in labels and sequence labels: tuned-lens's `TokenFormatter`. Lengths
/// count code points.
///
/// A token is shortened first, then every `newline_token` is replaced, then
/// every `whitespace_token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenFormat {
    /// Tokens longer than this keep their first `max_string_len -
    /// len(ellipsis)` code points and get the ellipsis; None keeps every
    /// token whole (default: `Some(7)`). At least 1 and at least the
    /// ellipsis's length.
    pub max_string_len: Option<usize>,
    /// Appended to a shortened token (default: "…").
    pub ellipsis: String,
    /// The tokenizer's mark of a newline (default: "Ċ", U+010A).
    pub newline_token: String,
    /// What a newline mark is shown as (default: `\n`, a backslash and n).
    pub newline_replacement: String,
    /// The tokenizer's mark of a leading space (default: "Ġ", U+0120).
    pub whitespace_token: String,
    /// What a space mark is shown as (default: "_").
    pub whitespace_replacement: String,
}

impl Default for TokenFormat {
    fn default() -> TokenFormat {
        let defaults = sys::TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
        TokenFormat {
            max_string_len: Some(defaults.max_string_len).filter(|&len| len != 0),
            ellipsis: "\u{2026}".to_string(),
            newline_token: "\u{010A}".to_string(),
            newline_replacement: "\\n".to_string(),
            whitespace_token: "\u{0120}".to_string(),
            whitespace_replacement: "_".to_string(),
        }
    }
}

/// The optional parts of a [`PredictionTrajectory`] or a
/// [`TrajectoryComparison`]; start from `Default::default()`.
///
/// ```
/// # fn main() -> Result<(), trajplot::Error> {
/// use trajplot::{TrajectoryOptions, Values, Vocabulary};
///
/// let vocabulary = Vocabulary::new(["a", "b", "c"])?;
/// let options = TrajectoryOptions {
///     values: Values::LogProbs,
///     vocabulary: Some(&vocabulary),
///     top_k: 3,
///     ..Default::default()
/// };
/// # assert!(options.forward_kl);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TrajectoryOptions<'a> {
    /// What the floats are (default: logits).
    pub values: Values,
    /// Token strings for the labels and sequence labels; None: statistics
    /// have neither (as tuned-lens without a tokenizer). The trajectory
    /// keeps its own reference: the vocabulary may be dropped once the
    /// trajectory is created.
    pub vocabulary: Option<&'a Vocabulary>,
    /// Hover-table rows per cell, at least 1 (default: 10).
    pub top_k: usize,
    /// A cell whose top-1 probability is below `min_prob` in any batch item
    /// has an empty label (default: 0).
    pub min_prob: f32,
    /// Comparisons: a cell whose largest |change in probability| is at most
    /// `min_prob_delta` in any batch item has an empty label (default: 0).
    pub min_prob_delta: f32,
    /// Batch items shown side by side in hover tables, at least 1
    /// (default: 3).
    pub max_batch_items_shown: usize,
    /// How tokens are shown.
    pub token_format: TokenFormat,
    /// Threads reducing the positions of each slab; 0 (the default):
    /// [`default_threads()`](crate::default_threads).
    pub threads: usize,
    /// Trajectories: compute forward KL to the model's output (default:
    /// true). It needs each batch item's output layer (the last) added
    /// before its other layers, and keeps that layer's probabilities
    /// (seq_len x vocab floats) until the batch item is complete.
    /// Comparisons ignore it.
    pub forward_kl: bool,
}

impl Default for TrajectoryOptions<'_> {
    fn default() -> Self {
        let defaults = sys::TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
        TrajectoryOptions {
            values: Values::Logits,
            vocabulary: None,
            top_k: defaults.top_k,
            min_prob: defaults.min_prob,
            min_prob_delta: defaults.min_prob_delta,
            max_batch_items_shown: defaults.max_batch_items_shown,
            token_format: TokenFormat::default(),
            threads: defaults.threads,
            forward_kl: defaults.forward_kl,
        }
    }
}

/// A `trajplot_trajectory_options` and the C strings its pointers point
/// into; the vocabulary it points at is borrowed by the options.
struct RawTrajectoryOptions {
    raw: sys::trajplot_trajectory_options,
    // Moving a CString does not move its bytes, so `raw` stays valid.
    _strings: Vec<CString>,
}

impl TrajectoryOptions<'_> {
    fn to_raw(&self, function: &str) -> Result<RawTrajectoryOptions> {
        let format = &self.token_format;
        // The C API reads 0 as "never shortened", so Some(0) must not pass
        // for it.
        let max_string_len = match format.max_string_len {
            None => 0,
            Some(0) => {
                return Err(Error::invalid_argument(format!(
                    "{}: token_format.max_string_len is Some(0); it must be at least 1 \
                     (None keeps every token whole)",
                    function
                )))
            }
            Some(len) => len,
        };
        let text = |value: &str, field: &str| {
            ffi::c_string(value, &format!("{}: token_format.{}", function, field))
        };
        let ellipsis = text(&format.ellipsis, "ellipsis")?;
        let newline_token = text(&format.newline_token, "newline_token")?;
        let newline_replacement = text(&format.newline_replacement, "newline_replacement")?;
        let whitespace_token = text(&format.whitespace_token, "whitespace_token")?;
        let whitespace_replacement =
            text(&format.whitespace_replacement, "whitespace_replacement")?;

        let mut raw = sys::TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
        raw.values = match self.values {
            Values::Logits => sys::TRAJPLOT_VALUES_LOGITS,
            Values::LogProbs => sys::TRAJPLOT_VALUES_LOG_PROBS,
        };
        raw.vocabulary = self.vocabulary.map_or(ptr::null(), Vocabulary::as_ptr);
        raw.top_k = self.top_k;
        raw.min_prob = self.min_prob;
        raw.min_prob_delta = self.min_prob_delta;
        raw.max_batch_items_shown = self.max_batch_items_shown;
        raw.max_string_len = max_string_len;
        raw.ellipsis = ellipsis.as_ptr();
        raw.newline_token = newline_token.as_ptr();
        raw.newline_replacement = newline_replacement.as_ptr();
        raw.whitespace_token = whitespace_token.as_ptr();
        raw.whitespace_replacement = whitespace_replacement.as_ptr();
        raw.threads = self.threads;
        raw.forward_kl = self.forward_kl;
        Ok(RawTrajectoryOptions {
            raw,
            _strings: vec![
                ellipsis,
                newline_token,
                newline_replacement,
                whitespace_token,
                whitespace_replacement,
            ],
        })
    }
}

// ---------------------------------------------------------------------------
// Measures

/// The statistics trajplot computes from lens outputs. The names
/// ([`Measure::name`]) are the C API's, the CLI's and every binding's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Measure {
    /// "entropy", nats.
    Entropy,
    /// "cross_entropy": -log p(target), nats; needs targets.
    CrossEntropy,
    /// "forward_kl": KL(output || layer), nats; needs
    /// [`TrajectoryOptions::forward_kl`].
    ForwardKl,
    /// "max_probability".
    MaxProbability,
    /// "rank" of the target, 1 for the most likely token; ties share the
    /// best rank (1 + the number of tokens with a strictly greater value).
    /// Needs targets.
    Rank,
    /// "log_prob_diff": log p(target) - log p(anti-target); needs both.
    LogProbDiff,
    /// "log_prob_diff_delta": its change from layer k to k + 1, in row k (no
    /// output row).
    LogProbDiffDelta,
    /// "kl_divergence": KL(self || other). Comparisons only, as every
    /// measure below.
    KlDivergence,
    /// "js_divergence": textbook Jensen-Shannon, 0.5 KL(p||m) + 0.5
    /// KL(q||m), m = (p + q) / 2, in [0, ln 2].
    JsDivergence,
    /// "half_symmetric_kl": 0.5 KL(p||q) + 0.5 KL(q||p), what tuned-lens
    /// calls js_divergence.
    HalfSymmetricKl,
    /// "total_variation": textbook, 0.5 sum |p - q|, in [0, 1].
    TotalVariation,
    /// "max_abs_prob_difference": max |p - q|, what tuned-lens calls
    /// total_variation.
    MaxAbsProbDifference,
}

impl Measure {
    /// Every measure: those of one trajectory, then the comparisons'.
    pub const ALL: &'static [Measure] = &[
        Measure::Entropy,
        Measure::CrossEntropy,
        Measure::ForwardKl,
        Measure::MaxProbability,
        Measure::Rank,
        Measure::LogProbDiff,
        Measure::LogProbDiffDelta,
        Measure::KlDivergence,
        Measure::JsDivergence,
        Measure::HalfSymmetricKl,
        Measure::TotalVariation,
        Measure::MaxAbsProbDifference,
    ];

    fn raw(self) -> sys::trajplot_measure {
        match self {
            Measure::Entropy => sys::TRAJPLOT_MEASURE_ENTROPY,
            Measure::CrossEntropy => sys::TRAJPLOT_MEASURE_CROSS_ENTROPY,
            Measure::ForwardKl => sys::TRAJPLOT_MEASURE_FORWARD_KL,
            Measure::MaxProbability => sys::TRAJPLOT_MEASURE_MAX_PROBABILITY,
            Measure::Rank => sys::TRAJPLOT_MEASURE_RANK,
            Measure::LogProbDiff => sys::TRAJPLOT_MEASURE_LOG_PROB_DIFF,
            Measure::LogProbDiffDelta => sys::TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA,
            Measure::KlDivergence => sys::TRAJPLOT_MEASURE_KL_DIVERGENCE,
            Measure::JsDivergence => sys::TRAJPLOT_MEASURE_JS_DIVERGENCE,
            Measure::HalfSymmetricKl => sys::TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL,
            Measure::TotalVariation => sys::TRAJPLOT_MEASURE_TOTAL_VARIATION,
            Measure::MaxAbsProbDifference => sys::TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE,
        }
    }

    fn from_raw(raw: c_int) -> Option<Measure> {
        Measure::ALL
            .iter()
            .copied()
            .find(|measure| measure.raw() == raw)
    }

    /// The measure's name, e.g. "cross_entropy".
    pub fn name(self) -> &'static str {
        // SAFETY: any value may be asked; the result is NULL or a static
        // NUL-terminated string.
        let name = unsafe { sys::trajplot_measure_name(self.raw()) };
        if name.is_null() {
            debug_assert!(false, "trajplot_measure_name({}) is NULL", self.raw());
            return "";
        }
        // SAFETY: see above; the library's names are static ASCII.
        unsafe { CStr::from_ptr(name) }.to_str().unwrap_or("")
    }

    /// The measure named `name`, exactly as [`Measure::name`] gives it. An
    /// error for an unknown name, listing the valid ones.
    pub fn from_name(name: &str) -> Result<Measure> {
        let text = ffi::c_string(name, "Measure::from_name's name")?;
        let mut raw: c_int = -1;
        // SAFETY: a NUL-terminated name and a valid output pointer.
        ffi::check(unsafe { sys::trajplot_measure_from_name(&mut raw, text.as_ptr()) })?;
        Measure::from_raw(raw).ok_or_else(|| {
            Error::other(format!(
                "Measure::from_name: the library knows {:?} as measure {}, which this binding \
                 does not",
                name, raw
            ))
        })
    }

    /// Whether it is a measure of two trajectories (a
    /// [`TrajectoryComparison`]'s).
    pub fn is_comparison(self) -> bool {
        // SAFETY: any value may be asked.
        unsafe { sys::trajplot_measure_is_comparison(self.raw()) }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Measure {
    type Err = Error;

    fn from_str(name: &str) -> Result<Measure> {
        Measure::from_name(name)
    }
}

// ---------------------------------------------------------------------------
// Shapes and ids

/// The shape of a lens's outputs: batch x n_layers x seq_len x vocab
/// floats, row-major; `n_layers` counts the model's output, the last layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrajectoryShape {
    pub batch: usize,
    pub n_layers: usize,
    pub seq_len: usize,
    pub vocab: usize,
}

impl TrajectoryShape {
    pub fn new(batch: usize, n_layers: usize, seq_len: usize, vocab: usize) -> TrajectoryShape {
        TrajectoryShape {
            batch,
            n_layers,
            seq_len,
            vocab,
        }
    }
}

/// The shape a trajectory or comparison reports.
fn shape_of<T>(
    handle: *const T,
    shape_function: unsafe extern "C" fn(
        *mut usize,
        *mut usize,
        *mut usize,
        *mut usize,
        *const T,
    ) -> sys::trajplot_status,
    function_name: &str,
) -> TrajectoryShape {
    let mut shape = TrajectoryShape::new(0, 0, 0, 0);
    // SAFETY: a live handle and valid output pointers.
    ffi::expect_ok(
        unsafe {
            shape_function(
                &mut shape.batch,
                &mut shape.n_layers,
                &mut shape.seq_len,
                &mut shape.vocab,
                handle,
            )
        },
        function_name,
    );
    shape
}

/// Checks that `ids` (None allowed) holds batch x seq_len ids, as the C API
/// reads that many; a pointer to them, or NULL.
fn ids_pointer(
    function: &str,
    what: &str,
    ids: Option<&[i64]>,
    shape: &TrajectoryShape,
) -> Result<*const i64> {
    match ids {
        None => Ok(ptr::null()),
        Some(ids) => {
            ffi::require_len(
                function,
                what,
                ids.len(),
                &[("batch", shape.batch), ("seq_len", shape.seq_len)],
            )?;
            Ok(ids.as_ptr())
        }
    }
}

fn label_handle(raw: *mut sys::trajplot_labels) -> Result<Option<Labels>> {
    if raw.is_null() {
        Ok(None)
    } else {
        Labels::from_new_handle(raw).map(Some)
    }
}

// ---------------------------------------------------------------------------
// PredictionTrajectory

/// The statistics of one trajectory (tuned-lens's `PredictionTrajectory`),
/// filled slab by slab through `&mut self` and read through `&self` once
/// complete.
///
/// It is `Send + Sync`: once complete, share it (e.g. in an `Arc`) and take
/// statistics and labels from any number of threads at once.
///
/// ```
/// use trajplot::{Figure, PredictionTrajectory, TrajectoryOptions, TrajectoryShape, Vocabulary};
///
/// # fn main() -> Result<(), trajplot::Error> {
/// // 1 batch item, 2 layers (the last is the model's output), 2 positions,
/// // a vocabulary of 3 tokens.
/// let shape = TrajectoryShape::new(1, 2, 2, 3);
/// let vocabulary = Vocabulary::new(["a", "b", "c"])?;
/// let options = TrajectoryOptions { vocabulary: Some(&vocabulary), ..Default::default() };
/// let mut trajectory =
///     PredictionTrajectory::new(shape, &[0, 1], Some(&[1, 2]), None, &options)?;
/// let logits = [
///     0.0, 1.0, 0.0, /**/ 2.0, 0.0, 0.0, // layer 0, positions 0 and 1
///     0.0, 3.0, 0.0, /**/ 0.0, 0.0, 3.0, // the output layer
/// ];
/// trajectory.add_all(&logits)?;
/// let rank = trajectory.rank(false)?;
/// assert_eq!(rank.stats(), [1.0, 2.0, 1.0, 1.0]);
/// assert_eq!(rank.sequence_labels().unwrap(), ["a", "b"]);
/// let figure = Figure::new(&trajectory.entropy()?, &Default::default(), &Default::default())?;
/// # assert!(figure.export(&Default::default())?.contains("Entropy"));
/// # Ok(())
/// # }
/// ```
pub struct PredictionTrajectory {
    raw: NonNull<sys::trajplot_trajectory>,
}

// SAFETY: every C call may come from any thread. Filling takes `&mut self`,
// so it never overlaps another call on the same trajectory; the calls that
// take `&self` (shape, completeness, statistics, labels) may run on any
// number of threads at once (trajplot.h). The handle is freed only by Drop.
unsafe impl Send for PredictionTrajectory {}
unsafe impl Sync for PredictionTrajectory {}

impl Drop for PredictionTrajectory {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once.
        unsafe { sys::trajplot_trajectory_free(self.raw.as_ptr()) }
    }
}

impl PredictionTrajectory {
    /// An empty trajectory of `shape`.
    /// - `input_ids`: batch x seq_len ids in [0, vocab), row-major (the
    ///   sequence labels are their tokens);
    /// - `targets`, `anti_targets`: None or batch x seq_len ids, the token
    ///   wanted at each position (no shifting is done). cross_entropy and
    ///   rank need targets; log_prob_diff needs both.
    ///
    /// Errors: ids of the wrong length or out of range, a zero dimension, a
    /// bad option (naming the field and value); [`crate::ErrorKind::OutOfRange`]
    /// when the shape overflows.
    pub fn new(
        shape: TrajectoryShape,
        input_ids: &[i64],
        targets: Option<&[i64]>,
        anti_targets: Option<&[i64]>,
        options: &TrajectoryOptions<'_>,
    ) -> Result<PredictionTrajectory> {
        const FUNCTION: &str = "PredictionTrajectory::new";
        crate::check_abi()?;
        let input_ids = ids_pointer(FUNCTION, "input_ids", Some(input_ids), &shape)?;
        let targets = ids_pointer(FUNCTION, "targets", targets, &shape)?;
        let anti_targets = ids_pointer(FUNCTION, "anti_targets", anti_targets, &shape)?;
        let options = options.to_raw(FUNCTION)?;
        let mut raw = ptr::null_mut();
        // SAFETY: each id array is NULL or holds batch x seq_len ids (checked
        // above); the options and their strings outlive the call, which
        // copies what it needs.
        ffi::check(unsafe {
            sys::trajplot_trajectory_create(
                &mut raw,
                shape.batch,
                shape.n_layers,
                shape.seq_len,
                shape.vocab,
                input_ids,
                targets,
                anti_targets,
                &options.raw,
            )
        })?;
        match NonNull::new(raw) {
            Some(raw) => Ok(PredictionTrajectory { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    fn as_ptr(&self) -> *const sys::trajplot_trajectory {
        self.raw.as_ptr()
    }

    /// The shape it was created with.
    pub fn shape(&self) -> TrajectoryShape {
        shape_of(
            self.as_ptr(),
            sys::trajplot_trajectory_shape,
            "trajplot_trajectory_shape",
        )
    }

    /// Adds the slab of (`batch_index`, `layer`): seq_len x vocab floats,
    /// row-major (position, vocab), read during the call only. Each slab
    /// exactly once, in any order, except that with forward KL a batch
    /// item's output layer comes before its other layers.
    ///
    /// Errors (the trajectory unchanged): an index out of range, a slab
    /// already added, a layer before its output layer with forward KL, a
    /// slab of the wrong length.
    pub fn add(&mut self, batch_index: usize, layer: usize, slab: &[f32]) -> Result<()> {
        // SAFETY: the library reads slab_len floats, the slice's length,
        // after checking it is seq_len x vocab; `&mut self` keeps other calls
        // on this trajectory out.
        ffi::check(unsafe {
            sys::trajplot_trajectory_add(
                self.raw.as_ptr(),
                batch_index,
                layer,
                slab.as_ptr(),
                slab.len(),
            )
        })
    }

    /// Adds every slab of a resident batch x n_layers x seq_len x vocab
    /// tensor, read in place (not copied). Only into a trajectory without
    /// slabs.
    pub fn add_all(&mut self, tensor: &[f32]) -> Result<()> {
        // SAFETY: as in add, with tensor_len the slice's length.
        ffi::check(unsafe {
            sys::trajplot_trajectory_add_all(self.raw.as_ptr(), tensor.as_ptr(), tensor.len())
        })
    }

    /// Whether every slab has been added; the statistics need that.
    pub fn is_complete(&self) -> bool {
        let mut complete = false;
        // SAFETY: a live handle and a valid output pointer.
        ffi::expect_ok(
            unsafe { sys::trajplot_trajectory_complete(&mut complete, self.as_ptr()) },
            "trajplot_trajectory_complete",
        );
        complete
    }

    fn raw_statistic(&self, measure: Measure, flags: c_uint) -> Result<Statistic> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer; a new statistic
        // is ours.
        ffi::check(unsafe {
            sys::trajplot_trajectory_statistic(&mut raw, self.as_ptr(), measure.raw(), flags)
        })?;
        Statistic::from_new_handle(raw)
    }

    /// The statistic `measure`, one of the measures of one trajectory:
    /// n_layers x seq_len values (log_prob_diff_delta: n_layers - 1 rows)
    /// averaged over the batch, with tuned-lens's name, units and colour
    /// range, the labels and the sequence labels.
    ///
    /// Errors: slabs still missing (the message names the first), a
    /// comparison's measure, a measure whose targets were not given, forward
    /// KL when it was turned off.
    pub fn statistic(&self, measure: Measure) -> Result<Statistic> {
        self.raw_statistic(measure, 0)
    }

    /// Entropy of each layer's distribution, in nats.
    pub fn entropy(&self) -> Result<Statistic> {
        self.statistic(Measure::Entropy)
    }

    /// -log p(target), in nats; needs targets.
    pub fn cross_entropy(&self) -> Result<Statistic> {
        self.statistic(Measure::CrossEntropy)
    }

    /// KL(output || layer), in nats; needs [`TrajectoryOptions::forward_kl`].
    pub fn forward_kl(&self) -> Result<Statistic> {
        self.statistic(Measure::ForwardKl)
    }

    /// The largest probability of each cell.
    pub fn max_probability(&self) -> Result<Statistic> {
        self.statistic(Measure::MaxProbability)
    }

    /// The target's rank, 1 for the most likely token (ties share the best
    /// rank); needs targets. With `show_ranks` the cell labels are the
    /// ranks (truncated towards zero), not tokens; as every label, they
    /// need a vocabulary.
    pub fn rank(&self, show_ranks: bool) -> Result<Statistic> {
        let flags = if show_ranks {
            sys::TRAJPLOT_SHOW_RANKS
        } else {
            0
        };
        self.raw_statistic(Measure::Rank, flags)
    }

    /// log p(target) - log p(anti-target), in nats; needs both. With
    /// `delta`, its change from layer k to k + 1 in row k (n_layers - 1
    /// rows, no output row).
    pub fn log_prob_diff(&self, delta: bool) -> Result<Statistic> {
        self.statistic(if delta {
            Measure::LogProbDiffDelta
        } else {
            Measure::LogProbDiff
        })
    }

    /// The labels every statistic but log_prob_diff carries: per cell the
    /// most likely token, and a hover table of the top_k tokens and their
    /// probabilities. None without a vocabulary; an error while slabs are
    /// missing.
    pub fn labels(&self) -> Result<Option<Labels>> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer; a non-NULL
        // result is a new handle we own.
        ffi::check(unsafe { sys::trajplot_trajectory_labels(&mut raw, self.as_ptr()) })?;
        label_handle(raw)
    }
}

impl fmt::Debug for PredictionTrajectory {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PredictionTrajectory")
            .field("shape", &self.shape())
            .field("complete", &self.is_complete())
            .finish()
    }
}

// ---------------------------------------------------------------------------
// TrajectoryComparison

/// The statistics between two trajectories of the same shape, "self" and
/// "other" (e.g. a lens and the logit lens), filled with pairs of slabs.
/// Threads as for [`PredictionTrajectory`]: `Send + Sync`, filled through
/// `&mut self`, read from any number of threads once complete.
pub struct TrajectoryComparison {
    raw: NonNull<sys::trajplot_comparison>,
}

// SAFETY: as for PredictionTrajectory (trajplot.h: "Threads as for
// trajectories").
unsafe impl Send for TrajectoryComparison {}
unsafe impl Sync for TrajectoryComparison {}

impl Drop for TrajectoryComparison {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once.
        unsafe { sys::trajplot_comparison_free(self.raw.as_ptr()) }
    }
}

impl TrajectoryComparison {
    /// An empty comparison of `shape`; `input_ids` and the options'
    /// vocabulary are self's, and both trajectories hold `options.values`
    /// (`options.forward_kl` is ignored). Errors as
    /// [`PredictionTrajectory::new`].
    pub fn new(
        shape: TrajectoryShape,
        input_ids: &[i64],
        options: &TrajectoryOptions<'_>,
    ) -> Result<TrajectoryComparison> {
        const FUNCTION: &str = "TrajectoryComparison::new";
        crate::check_abi()?;
        let input_ids = ids_pointer(FUNCTION, "input_ids", Some(input_ids), &shape)?;
        let options = options.to_raw(FUNCTION)?;
        let mut raw = ptr::null_mut();
        // SAFETY: as in PredictionTrajectory::new.
        ffi::check(unsafe {
            sys::trajplot_comparison_create(
                &mut raw,
                shape.batch,
                shape.n_layers,
                shape.seq_len,
                shape.vocab,
                input_ids,
                &options.raw,
            )
        })?;
        match NonNull::new(raw) {
            Some(raw) => Ok(TrajectoryComparison { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    fn as_ptr(&self) -> *const sys::trajplot_comparison {
        self.raw.as_ptr()
    }

    pub fn shape(&self) -> TrajectoryShape {
        shape_of(
            self.as_ptr(),
            sys::trajplot_comparison_shape,
            "trajplot_comparison_shape",
        )
    }

    /// Adds the (`batch_index`, `layer`) slabs of both trajectories, each
    /// seq_len x vocab floats. Any order; each pair exactly once.
    pub fn add(
        &mut self,
        batch_index: usize,
        layer: usize,
        self_slab: &[f32],
        other_slab: &[f32],
    ) -> Result<()> {
        // The C API takes one length for both slabs.
        same_len("TrajectoryComparison::add", "slab", self_slab, other_slab)?;
        // SAFETY: both slices hold slab_len floats, which the library checks
        // is seq_len x vocab before reading; `&mut self` keeps other calls on
        // this comparison out.
        ffi::check(unsafe {
            sys::trajplot_comparison_add(
                self.raw.as_ptr(),
                batch_index,
                layer,
                self_slab.as_ptr(),
                other_slab.as_ptr(),
                self_slab.len(),
            )
        })
    }

    /// Adds both whole resident tensors (batch x n_layers x seq_len x
    /// vocab), read in place. Only into a comparison without slabs.
    pub fn add_all(&mut self, self_tensor: &[f32], other_tensor: &[f32]) -> Result<()> {
        same_len(
            "TrajectoryComparison::add_all",
            "tensor",
            self_tensor,
            other_tensor,
        )?;
        // SAFETY: as in add.
        ffi::check(unsafe {
            sys::trajplot_comparison_add_all(
                self.raw.as_ptr(),
                self_tensor.as_ptr(),
                other_tensor.as_ptr(),
                self_tensor.len(),
            )
        })
    }

    pub fn is_complete(&self) -> bool {
        let mut complete = false;
        // SAFETY: a live handle and a valid output pointer.
        ffi::expect_ok(
            unsafe { sys::trajplot_comparison_complete(&mut complete, self.as_ptr()) },
            "trajplot_comparison_complete",
        );
        complete
    }

    /// The statistic `measure`, one of the comparison measures, with
    /// tuned-lens's name, units and colour range, the labels and the
    /// sequence labels. Errors: slabs still missing, a measure of one
    /// trajectory.
    pub fn statistic(&self, measure: Measure) -> Result<Statistic> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer; a new statistic
        // is ours.
        ffi::check(unsafe {
            sys::trajplot_comparison_statistic(&mut raw, self.as_ptr(), measure.raw(), 0)
        })?;
        Statistic::from_new_handle(raw)
    }

    /// KL(self || other), in nats.
    pub fn kl_divergence(&self) -> Result<Statistic> {
        self.statistic(Measure::KlDivergence)
    }

    /// The textbook Jensen-Shannon divergence, in nats, in [0, ln 2].
    pub fn js_divergence(&self) -> Result<Statistic> {
        self.statistic(Measure::JsDivergence)
    }

    /// (KL(self || other) + KL(other || self)) / 2, what tuned-lens calls
    /// js_divergence.
    pub fn half_symmetric_kl(&self) -> Result<Statistic> {
        self.statistic(Measure::HalfSymmetricKl)
    }

    /// The textbook total variation, 0.5 sum |p - q|, in [0, 1].
    pub fn total_variation(&self) -> Result<Statistic> {
        self.statistic(Measure::TotalVariation)
    }

    /// max |p - q|, what tuned-lens calls total_variation.
    pub fn max_abs_prob_difference(&self) -> Result<Statistic> {
        self.statistic(Measure::MaxAbsProbDifference)
    }

    /// The labels every comparison statistic carries: per cell the tokens
    /// whose probability changed most, "Δxx.xx%" (other minus self). None
    /// without a vocabulary; an error while slabs are missing.
    pub fn labels(&self) -> Result<Option<Labels>> {
        let mut raw = ptr::null_mut();
        // SAFETY: as in PredictionTrajectory::labels.
        ffi::check(unsafe { sys::trajplot_comparison_labels(&mut raw, self.as_ptr()) })?;
        label_handle(raw)
    }
}

impl fmt::Debug for TrajectoryComparison {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TrajectoryComparison")
            .field("shape", &self.shape())
            .field("complete", &self.is_complete())
            .finish()
    }
}

fn same_len(function: &str, what: &str, self_values: &[f32], other_values: &[f32]) -> Result<()> {
    if self_values.len() == other_values.len() {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{}: self_{} has {} floats but other_{} has {}; both must have the same length",
            function,
            what,
            self_values.len(),
            what,
            other_values.len()
        )))
    }
}
