use std::fmt;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};

use trajplot_sys as sys;

use crate::error::{Error, Result};
use crate::ffi::{self, StringArray};
use crate::labels::Labels;

/// A statistic (entropy, KL divergence, rank, ...) at every layer and
/// position of a model, with what is needed to draw it: the reference's
/// `TrajectoryStatistic`.
///
/// Immutable: [`stride`](Statistic::stride) and [`clip`](Statistic::clip)
/// return new statistics. It may be shared between threads (e.g. in an
/// `Arc`). A [`Figure`](crate::Figure) draws it.
pub struct Statistic {
    raw: NonNull<sys::trajplot_statistic>,
}

// SAFETY: the library's statistics are immutable and may be read from any
// number of threads at once (trajplot.h); the handle is freed only by Drop,
// which needs the value to be owned.
unsafe impl Send for Statistic {}
unsafe impl Sync for Statistic {}

impl Drop for Statistic {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once.
        unsafe { sys::trajplot_statistic_free(self.raw.as_ptr()) }
    }
}

/// Builds a [`Statistic`] with optional parts; from [`Statistic::builder`].
#[derive(Clone, Debug)]
#[must_use = "call build() to create the statistic"]
pub struct StatisticBuilder<'a> {
    name: &'a str,
    stats: &'a [f32],
    n_layers: usize,
    seq_len: usize,
    units: Option<String>,
    sequence_labels: Option<Vec<String>>,
    trajectory_labels: Option<&'a Labels>,
    layer_labels: Option<Vec<String>>,
    min: Option<f32>,
    max: Option<f32>,
    includes_output: bool,
}

impl<'a> StatisticBuilder<'a> {
    /// The units of the statistic, e.g. "nats".
    pub fn units(mut self, units: &str) -> Self {
        self.units = Some(units.to_string());
        self
    }

    /// seq_len labels for the x axis, typically the input tokens.
    pub fn sequence_labels<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.sequence_labels = Some(labels.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Text for each cell, of the statistic's shape. The statistic keeps its
    /// own reference: `labels` may be dropped once it is built.
    pub fn trajectory_labels(mut self, labels: &'a Labels) -> Self {
        self.trajectory_labels = Some(labels);
        self
    }

    /// n_layers labels for the y axis, instead of "0", "1", ... and
    /// "output".
    pub fn layer_labels<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.layer_labels = Some(labels.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// The lower end of the colour range (default: the smallest finite value).
    pub fn min(mut self, min: f32) -> Self {
        self.min = Some(min);
        self
    }

    /// The upper end of the colour range (default: the largest finite value).
    pub fn max(mut self, max: f32) -> Self {
        self.max = Some(max);
        self
    }

    /// Whether the last layer is the model's output (default: true); it is
    /// then labelled "output".
    pub fn includes_output(mut self, includes_output: bool) -> Self {
        self.includes_output = includes_output;
        self
    }

    /// Creates the statistic. Errors: stats, sequence labels or layer labels
    /// of the wrong length; an empty shape; trajectory labels of another
    /// shape; a NaN bound; min >= max; a name or units with a NUL byte.
    pub fn build(self) -> Result<Statistic> {
        const FUNCTION: &str = "StatisticBuilder::build";
        crate::check_abi()?;
        let shape = [("n_layers", self.n_layers), ("seq_len", self.seq_len)];
        ffi::require_len(FUNCTION, "stats", self.stats.len(), &shape)?;
        let name = ffi::c_string(self.name, "the statistic's name")?;
        let units = match &self.units {
            Some(units) => Some(ffi::c_string(units, "the statistic's units")?),
            None => None,
        };
        let sequence_labels = match &self.sequence_labels {
            Some(labels) => {
                ffi::require_len(FUNCTION, "sequence_labels", labels.len(), &shape[1..])?;
                Some(StringArray::new(labels))
            }
            None => None,
        };
        let layer_labels = match &self.layer_labels {
            Some(labels) => {
                ffi::require_len(FUNCTION, "layer_labels", labels.len(), &shape[..1])?;
                Some(StringArray::new(labels))
            }
            None => None,
        };

        let mut options = sys::TRAJPLOT_STATISTIC_OPTIONS_INIT;
        options.units = units.as_ref().map_or(ptr::null(), |units| units.as_ptr());
        if let Some(labels) = &sequence_labels {
            options.sequence_labels = labels.pointers();
            options.sequence_label_lengths = labels.lengths();
            options.sequence_label_count = labels.len();
        }
        options.trajectory_labels = self.trajectory_labels.map_or(ptr::null(), Labels::as_ptr);
        if let Some(labels) = &layer_labels {
            options.layer_labels = labels.pointers();
            options.layer_label_lengths = labels.lengths();
            options.layer_label_count = labels.len();
        }
        if let Some(min) = self.min {
            options.min = min;
            options.has_min = true;
        }
        if let Some(max) = self.max {
            options.max = max;
            options.has_max = true;
        }
        options.includes_output = self.includes_output;

        let mut raw = ptr::null_mut();
        // SAFETY: stats and the label arrays hold exactly the counts the
        // shape calls for (checked above); every pointer outlives the call,
        // which copies what it needs.
        ffi::check(unsafe {
            sys::trajplot_statistic_create(
                &mut raw,
                name.as_ptr(),
                self.stats.as_ptr(),
                self.n_layers,
                self.seq_len,
                &options,
            )
        })?;
        Statistic::from_new_handle(raw)
    }
}

impl Statistic {
    /// A statistic named `name` (e.g. "Entropy") from n_layers x seq_len
    /// values, row-major (layer, position), with no optional parts. NaN and
    /// infinities are allowed (drawn as gaps).
    pub fn new(name: &str, stats: &[f32], n_layers: usize, seq_len: usize) -> Result<Statistic> {
        Statistic::builder(name, stats, n_layers, seq_len).build()
    }

    /// A builder for a statistic with units, labels, a colour range, ...
    ///
    /// ```
    /// # fn main() -> Result<(), trajplot::Error> {
    /// let entropy = trajplot::Statistic::builder("Entropy", &[3.1, 2.9, 0.4, 1.2], 2, 2)
    ///     .units("nats")
    ///     .sequence_labels(&["The", "cat"])
    ///     .build()?;
    /// assert_eq!(entropy.layer_labels(), ["0", "output"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder<'a>(
        name: &'a str,
        stats: &'a [f32],
        n_layers: usize,
        seq_len: usize,
    ) -> StatisticBuilder<'a> {
        StatisticBuilder {
            name,
            stats,
            n_layers,
            seq_len,
            units: None,
            sequence_labels: None,
            trajectory_labels: None,
            layer_labels: None,
            min: None,
            max: None,
            includes_output: sys::TRAJPLOT_STATISTIC_OPTIONS_INIT.includes_output,
        }
    }

    pub(crate) fn from_new_handle(raw: *mut sys::trajplot_statistic) -> Result<Statistic> {
        match NonNull::new(raw) {
            Some(raw) => Ok(Statistic { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    pub(crate) fn as_ptr(&self) -> *const sys::trajplot_statistic {
        self.raw.as_ptr()
    }

    /// (n_layers, seq_len).
    pub fn shape(&self) -> (usize, usize) {
        let (mut n_layers, mut seq_len) = (0, 0);
        // SAFETY: a live handle and valid output pointers.
        ffi::expect_ok(
            unsafe { sys::trajplot_statistic_shape(&mut n_layers, &mut seq_len, self.as_ptr()) },
            "trajplot_statistic_shape",
        );
        (n_layers, seq_len)
    }

    /// The n_layers x seq_len values, row-major (layer, position).
    pub fn stats(&self) -> Vec<f32> {
        let (n_layers, seq_len) = self.shape();
        let mut values = vec![0.0f32; n_layers * seq_len];
        // SAFETY: the buffer holds buffer_len floats.
        ffi::expect_ok(
            unsafe {
                sys::trajplot_statistic_stats(values.as_mut_ptr(), values.len(), self.as_ptr())
            },
            "trajplot_statistic_stats",
        );
        values
    }

    pub fn name(&self) -> String {
        let mut name: *const c_char = ptr::null();
        // SAFETY: a live handle; the borrowed name is copied while it lives.
        ffi::expect_ok(
            unsafe { sys::trajplot_statistic_name(&mut name, self.as_ptr()) },
            "trajplot_statistic_name",
        );
        unsafe { ffi::borrowed_c_string(name) }.unwrap_or_default()
    }

    /// The units, or None when the statistic has none.
    pub fn units(&self) -> Option<String> {
        let mut units: *const c_char = ptr::null();
        // SAFETY: as in name.
        ffi::expect_ok(
            unsafe { sys::trajplot_statistic_units(&mut units, self.as_ptr()) },
            "trajplot_statistic_units",
        );
        unsafe { ffi::borrowed_c_string(units) }
    }

    /// The colour range (min, max) given at creation or by
    /// [`clip`](Statistic::clip); None for a bound that is not set.
    pub fn range(&self) -> (Option<f32>, Option<f32>) {
        let (mut has_min, mut min, mut has_max, mut max) = (false, 0.0f32, false, 0.0f32);
        // SAFETY: a live handle and valid output pointers.
        ffi::expect_ok(
            unsafe {
                sys::trajplot_statistic_range(
                    &mut has_min,
                    &mut min,
                    &mut has_max,
                    &mut max,
                    self.as_ptr(),
                )
            },
            "trajplot_statistic_range",
        );
        (
            if has_min { Some(min) } else { None },
            if has_max { Some(max) } else { None },
        )
    }

    /// Whether the last layer is the model's output.
    pub fn includes_output(&self) -> bool {
        let mut includes_output = false;
        // SAFETY: a live handle and a valid output pointer.
        ffi::expect_ok(
            unsafe { sys::trajplot_statistic_includes_output(&mut includes_output, self.as_ptr()) },
            "trajplot_statistic_includes_output",
        );
        includes_output
    }

    /// The y-axis labels, one per layer.
    pub fn layer_labels(&self) -> Vec<String> {
        let (n_layers, _) = self.shape();
        (0..n_layers)
            .map(|layer| {
                let (mut text, mut len): (*const c_char, usize) = (ptr::null(), 0);
                // SAFETY: a live handle, an index in range; the borrowed
                // text is copied while it lives.
                ffi::expect_ok(
                    unsafe {
                        sys::trajplot_statistic_layer_label(
                            &mut text,
                            &mut len,
                            self.as_ptr(),
                            layer,
                        )
                    },
                    "trajplot_statistic_layer_label",
                );
                unsafe { ffi::borrowed_string(text, len) }
            })
            .collect()
    }

    /// The x-axis labels (the input tokens), or None when the statistic has
    /// none.
    pub fn sequence_labels(&self) -> Option<Vec<String>> {
        let (_, seq_len) = self.shape();
        let mut labels = Vec::with_capacity(seq_len);
        for position in 0..seq_len {
            let (mut text, mut len): (*const c_char, usize) = (ptr::null(), 0);
            // SAFETY: as in layer_labels.
            ffi::expect_ok(
                unsafe {
                    sys::trajplot_statistic_sequence_label(
                        &mut text,
                        &mut len,
                        self.as_ptr(),
                        position,
                    )
                },
                "trajplot_statistic_sequence_label",
            );
            if text.is_null() {
                return None;
            }
            labels.push(unsafe { ffi::borrowed_string(text, len) });
        }
        Some(labels)
    }

    /// The statistic's trajectory labels, or None when it has none.
    pub fn trajectory_labels(&self) -> Option<Labels> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle; a non-NULL result is a new handle we own.
        ffi::expect_ok(
            unsafe { sys::trajplot_statistic_trajectory_labels(&mut raw, self.as_ptr()) },
            "trajplot_statistic_trajectory_labels",
        );
        if raw.is_null() {
            None
        } else {
            Labels::from_new_handle(raw).ok()
        }
    }

    /// A new statistic keeping layers 0, k, 2k, ... of all but the last,
    /// then the last (stats, trajectory labels and layer labels alike). An
    /// error when `stride` is 0.
    pub fn stride(&self, stride: usize) -> Result<Statistic> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer.
        ffi::check(unsafe { sys::trajplot_statistic_stride(&mut raw, self.as_ptr(), stride) })?;
        Statistic::from_new_handle(raw)
    }

    /// A new statistic with the values clamped into [min, max] (NaN stays
    /// NaN) and [min, max] as its colour range. An error unless min < max.
    pub fn clip(&self, min: f32, max: f32) -> Result<Statistic> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer.
        ffi::check(unsafe { sys::trajplot_statistic_clip(&mut raw, self.as_ptr(), min, max) })?;
        Statistic::from_new_handle(raw)
    }
}

impl fmt::Debug for Statistic {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n_layers, seq_len) = self.shape();
        formatter
            .debug_struct("Statistic")
            .field("name", &self.name())
            .field("n_layers", &n_layers)
            .field("seq_len", &seq_len)
            .field("units", &self.units())
            .finish()
    }
}
