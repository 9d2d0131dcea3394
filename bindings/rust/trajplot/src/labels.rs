use std::fmt;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};

use trajplot_sys as sys;

use crate::error::{Error, Result};
use crate::ffi::{self, LibraryString, StringArray};

/// Text for every layer and position of a trajectory: the label drawn in
/// each cell and, optionally, a small table shown when hovering it (for
/// example a lens's top-k tokens and their probabilities, columns
/// alternating token / value). The reference's `TrajectoryLabels`.
///
/// Immutable: [`stride`](Labels::stride) returns new labels. It may be
/// shared between threads.
pub struct Labels {
    raw: NonNull<sys::trajplot_labels>,
}

// SAFETY: the library's labels are immutable and may be read from any number
// of threads at once (trajplot.h); the handle is freed only by Drop, which
// needs the value to be owned.
unsafe impl Send for Labels {}
unsafe impl Sync for Labels {}

impl Drop for Labels {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once.
        unsafe { sys::trajplot_labels_free(self.raw.as_ptr()) }
    }
}

/// The hover template and customdata for Plotly, from
/// [`Labels::template_and_customdata`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverTemplate {
    /// The `hovertemplate`: `%{customdata[i]}` for each column of a row,
    /// `<br>` after each row, then `<extra></extra>`.
    pub template: String,
    /// A JSON array n_layers x seq_len x (rows * cols) of the padded
    /// entries, as given (not escaped for Plotly markup).
    pub customdata_json: String,
}

impl Labels {
    /// Labels without hover tables. `label_strings` holds n_layers x seq_len
    /// strings, row-major (layer, position); they may hold any text,
    /// NUL bytes included.
    pub fn new<S: AsRef<str>>(
        label_strings: &[S],
        n_layers: usize,
        seq_len: usize,
    ) -> Result<Labels> {
        const FUNCTION: &str = "Labels::new";
        ffi::require_len(
            FUNCTION,
            "label_strings",
            label_strings.len(),
            &[("n_layers", n_layers), ("seq_len", seq_len)],
        )?;
        Labels::create(
            &StringArray::new(label_strings),
            None,
            n_layers,
            seq_len,
            0,
            0,
        )
    }

    /// Labels with a hover table of hover_rows x hover_cols entries per
    /// cell: `hover_entries` holds n_layers x seq_len x hover_rows x
    /// hover_cols strings, row-major (layer, position, row, column).
    pub fn with_hover<S: AsRef<str>, H: AsRef<str>>(
        label_strings: &[S],
        n_layers: usize,
        seq_len: usize,
        hover_entries: &[H],
        hover_rows: usize,
        hover_cols: usize,
    ) -> Result<Labels> {
        const FUNCTION: &str = "Labels::with_hover";
        ffi::require_len(
            FUNCTION,
            "label_strings",
            label_strings.len(),
            &[("n_layers", n_layers), ("seq_len", seq_len)],
        )?;
        ffi::require_len(
            FUNCTION,
            "hover_entries",
            hover_entries.len(),
            &[
                ("n_layers", n_layers),
                ("seq_len", seq_len),
                ("hover_rows", hover_rows),
                ("hover_cols", hover_cols),
            ],
        )?;
        Labels::create(
            &StringArray::new(label_strings),
            Some(&StringArray::new(hover_entries)),
            n_layers,
            seq_len,
            hover_rows,
            hover_cols,
        )
    }

    fn create(
        labels: &StringArray<'_>,
        hover: Option<&StringArray<'_>>,
        n_layers: usize,
        seq_len: usize,
        hover_rows: usize,
        hover_cols: usize,
    ) -> Result<Labels> {
        crate::check_abi()?;
        let (hover_entries, hover_lengths) = match hover {
            Some(array) => (array.pointers(), array.lengths()),
            None => (ptr::null(), ptr::null()),
        };
        let mut raw = ptr::null_mut();
        // SAFETY: the arrays hold exactly the counts the shape calls for
        // (checked by the callers) and outlive the call, which copies them.
        ffi::check(unsafe {
            sys::trajplot_labels_create(
                &mut raw,
                n_layers,
                seq_len,
                labels.pointers(),
                labels.lengths(),
                hover_entries,
                hover_lengths,
                hover_rows,
                hover_cols,
            )
        })?;
        Labels::from_new_handle(raw)
    }

    /// Takes ownership of a handle the library just created.
    pub(crate) fn from_new_handle(raw: *mut sys::trajplot_labels) -> Result<Labels> {
        match NonNull::new(raw) {
            Some(raw) => Ok(Labels { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    pub(crate) fn as_ptr(&self) -> *const sys::trajplot_labels {
        self.raw.as_ptr()
    }

    fn raw_shape(&self) -> [usize; 4] {
        let mut shape = [0usize; 4];
        let [n_layers, seq_len, rows, cols] = &mut shape;
        // SAFETY: a live handle; the outputs are valid pointers.
        ffi::expect_ok(
            unsafe { sys::trajplot_labels_shape(n_layers, seq_len, rows, cols, self.as_ptr()) },
            "trajplot_labels_shape",
        );
        shape
    }

    /// (n_layers, seq_len).
    pub fn shape(&self) -> (usize, usize) {
        let [n_layers, seq_len, _, _] = self.raw_shape();
        (n_layers, seq_len)
    }

    /// (hover_rows, hover_cols), or None without hover tables.
    pub fn hover_shape(&self) -> Option<(usize, usize)> {
        match self.raw_shape() {
            [_, _, 0, _] | [_, _, _, 0] => None,
            [_, _, rows, cols] => Some((rows, cols)),
        }
    }

    /// The label of one cell; an error when the cell is out of range.
    pub fn label(&self, layer: usize, position: usize) -> Result<String> {
        let mut text: *const c_char = ptr::null();
        let mut len = 0;
        // SAFETY: a live handle; the borrowed text is copied while it lives.
        ffi::check(unsafe {
            sys::trajplot_labels_label(&mut text, &mut len, self.as_ptr(), layer, position)
        })?;
        Ok(unsafe { ffi::borrowed_string(text, len) })
    }

    /// All labels, row-major (layer, position).
    pub fn label_strings(&self) -> Vec<String> {
        let (n_layers, seq_len) = self.shape();
        let mut strings = Vec::with_capacity(n_layers * seq_len);
        for layer in 0..n_layers {
            for position in 0..seq_len {
                strings.push(self.label(layer, position).unwrap_or_default());
            }
        }
        strings
    }

    /// One hover table entry; an error without hover tables or when an index
    /// is out of range.
    pub fn hover_entry(
        &self,
        layer: usize,
        position: usize,
        row: usize,
        col: usize,
    ) -> Result<String> {
        let mut text: *const c_char = ptr::null();
        let mut len = 0;
        // SAFETY: as in label.
        ffi::check(unsafe {
            sys::trajplot_labels_hover_entry(
                &mut text,
                &mut len,
                self.as_ptr(),
                layer,
                position,
                row,
                col,
            )
        })?;
        Ok(unsafe { ffi::borrowed_string(text, len) })
    }

    /// All hover entries, row-major (layer, position, row, column), or None
    /// without hover tables.
    pub fn hover_entries(&self) -> Option<Vec<String>> {
        let [n_layers, seq_len, rows, cols] = self.raw_shape();
        if rows == 0 || cols == 0 {
            return None;
        }
        let mut entries = Vec::with_capacity(n_layers * seq_len * rows * cols);
        for layer in 0..n_layers {
            for position in 0..seq_len {
                for row in 0..rows {
                    for col in 0..cols {
                        entries.push(
                            self.hover_entry(layer, position, row, col)
                                .unwrap_or_default(),
                        );
                    }
                }
            }
        }
        Some(entries)
    }

    /// New labels keeping layers 0, k, 2k, ... of all but the last, then the
    /// last layer. An error when `stride` is 0.
    pub fn stride(&self, stride: usize) -> Result<Labels> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live handle and a valid output pointer.
        ffi::check(unsafe { sys::trajplot_labels_stride(&mut raw, self.as_ptr(), stride) })?;
        Labels::from_new_handle(raw)
    }

    /// The hover template and its customdata for Plotly (the reference's
    /// `template_and_customdata`, whose default `col_width_limit` is 10):
    /// each hover column is padded on the left, or cut to its last
    /// characters, to min(1 + its longest entry, col_width_limit) code
    /// points. An error without hover tables or when `col_width_limit` is 0.
    pub fn template_and_customdata(&self, col_width_limit: usize) -> Result<HoverTemplate> {
        let (mut template, mut template_len) = (ptr::null_mut(), 0);
        let (mut customdata, mut customdata_len) = (ptr::null_mut(), 0);
        // SAFETY: a live handle and valid output pointers; on success both
        // strings are ours to free, which LibraryString does.
        ffi::check(unsafe {
            sys::trajplot_labels_template_and_customdata(
                &mut template,
                &mut template_len,
                &mut customdata,
                &mut customdata_len,
                self.as_ptr(),
                col_width_limit,
            )
        })?;
        let (template, customdata) = unsafe {
            (
                LibraryString::new(template, template_len),
                LibraryString::new(customdata, customdata_len),
            )
        };
        Ok(HoverTemplate {
            template: template.text(),
            customdata_json: customdata.text(),
        })
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n_layers, seq_len) = self.shape();
        formatter
            .debug_struct("Labels")
            .field("n_layers", &n_layers)
            .field("seq_len", &seq_len)
            .field("hover_shape", &self.hover_shape())
            .finish()
    }
}
