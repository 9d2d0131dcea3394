//! Figures: one statistic, or several stacked as panels, planned and checked
//! once and exported any number of times, in any format, to a string, a
//! file or any `std::io::Write`.

use std::any::Any;
use std::borrow::Borrow;
use std::fmt;
use std::io::{self, Write};
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::ptr::{self, NonNull};

use trajplot_sys as sys;

use crate::error::{Error, Result};
use crate::ffi::{self, LibraryString};
use crate::options::{ExportOptions, FigureOptions, Format, PanelOptions, Strings};
use crate::statistic::Statistic;

/// A Plotly figure of statistics: the figure of one statistic (the
/// reference's heatmap figure), or several statistics of one sequence
/// stacked as panels (tuned-lens's tutorial figure).
///
/// It is planned and checked when it is made, so that bad options (an
/// unknown colourscale, `extra_json` that is not a JSON object, a
/// `token_width` of 0, ...) are errors of [`Figure::new`] or
/// [`Figure::stacked`]; it is then exported any number of times, in any
/// [`Format`], to a `String` ([`export`](Figure::export)), bytes
/// ([`export_bytes`](Figure::export_bytes), [`to_image`](Figure::to_image)
/// for PNG, SVG and PDF images), a file ([`save`](Figure::save)) or any
/// [`Write`] ([`write_to`](Figure::write_to)), each giving the same bytes.
///
/// It keeps its own reference to each statistic, which may be dropped once
/// the figure is made. Immutable and `Send + Sync`: any number of threads
/// may export one figure at once.
///
/// ```
/// use trajplot::{ExportOptions, Figure, FigureOptions, Format, PanelOptions, Statistic};
///
/// # fn main() -> Result<(), trajplot::Error> {
/// let entropy = Statistic::builder("Entropy", &[3.1, 2.9, 0.4, 1.2], 2, 2)
///     .units("nats")
///     .sequence_labels(&["The", "cat"])
///     .build()?;
/// let options = FigureOptions { title: "Entropy by layer".into(), ..Default::default() };
/// let figure = Figure::new(&entropy, &PanelOptions::default(), &options)?;
/// let json = figure.export(&ExportOptions::default())?;
/// assert!(json.starts_with("{\"data\":[{\"type\":\"heatmap\""));
/// let trace = figure.export(&ExportOptions::new(Format::TraceJson))?;
/// assert!(json.contains(&trace));
/// let mut page = Vec::new();
/// figure.write_to(&mut page, &ExportOptions::new(Format::Html))?;
/// assert!(page.starts_with(b"<!DOCTYPE html>"));
/// # Ok(())
/// # }
/// ```
pub struct Figure {
    raw: NonNull<sys::trajplot_figure>,
}

// SAFETY: the library's figures are immutable and may be exported from any
// number of threads at once (trajplot.h); the handle is freed only by Drop,
// which needs the value to be owned.
unsafe impl Send for Figure {}
unsafe impl Sync for Figure {}

impl Drop for Figure {
    fn drop(&mut self) {
        // SAFETY: the handle came from the library and is freed once.
        unsafe { sys::trajplot_figure_free(self.raw.as_ptr()) }
    }
}

impl Figure {
    /// The figure of one statistic, drawn as `panel` says (its
    /// [`title`](PanelOptions::title) aside: the figure's title is
    /// `options.title`).
    ///
    /// Errors: an unknown colourscale (the message lists the valid names),
    /// `extra_json` that is not a JSON object (the message gives the
    /// position), a log scale with a colour range bound <= 0, a
    /// `token_width` of 0, a width or height that overflows, a string with a
    /// NUL byte.
    pub fn new(
        statistic: &Statistic,
        panel: &PanelOptions,
        options: &FigureOptions,
    ) -> Result<Figure> {
        let mut strings = Strings::default();
        let panel = panel.to_raw(&mut strings, "PanelOptions")?;
        let options = options.to_raw(&mut strings)?;
        let mut raw = ptr::null_mut();
        // SAFETY: a live statistic and options whose strings outlive the
        // call; on success the figure is ours to free.
        ffi::check(unsafe {
            sys::trajplot_figure_create(&mut raw, statistic.as_ptr(), &panel, &options)
        })?;
        Figure::from_new_handle(raw)
    }

    /// Several statistics of one sequence stacked in one figure, one panel
    /// each, the first on top, each drawn as its [`PanelOptions`] say. The
    /// panels share one x axis of input tokens, labelled under the bottom
    /// panel only, and zooming one zooms all; each has its title, its own
    /// colour range and scale, its layer labels and a colour bar beside it.
    /// Layer counts may differ (a delta statistic has no output row).
    ///
    /// `panels` yields (statistic, options) pairs, each borrowed or owned:
    /// `[(&entropy, PanelOptions::default()), (&rank, log_scale)]`,
    /// `statistics.iter().zip(&options)`, ...
    ///
    /// Errors, naming the panel ("panels[1] (Wide) has seq_len 4 but
    /// panels[0] (Entropy) has 3; ..."): no panel; statistics of different
    /// seq_len, or whose sequence labels differ; a panel option refused as
    /// [`Figure::new`] refuses it; a `vertical_spacing` out of range; a
    /// `token_width` of 0.
    ///
    /// ```
    /// use trajplot::{ExportOptions, Figure, FigureOptions, PanelOptions, Statistic};
    ///
    /// # fn main() -> Result<(), trajplot::Error> {
    /// let entropy = Statistic::new("Entropy", &[3.1, 2.9, 0.4, 1.2], 2, 2)?;
    /// let rank = Statistic::new("Rank", &[7.0, 3.0, 1.0, 1.0], 2, 2)?;
    /// let log_scale = PanelOptions { log_scale: true, ..Default::default() };
    /// let figure = Figure::stacked(
    ///     [(&entropy, PanelOptions::default()), (&rank, log_scale)],
    ///     &FigureOptions::default(),
    /// )?;
    /// assert_eq!((figure.is_stacked(), figure.panel_count()), (true, 2));
    /// assert!(figure.export(&ExportOptions::default())?.contains("\"yaxis\":\"y2\""));
    /// # Ok(())
    /// # }
    /// ```
    pub fn stacked<I, S, P>(panels: I, options: &FigureOptions) -> Result<Figure>
    where
        I: IntoIterator<Item = (S, P)>,
        S: Borrow<Statistic>,
        P: Borrow<PanelOptions>,
    {
        // Without a panel there is no statistic whose creation checked the
        // ABI.
        crate::check_abi()?;
        // Held until the call returns: owned statistics must outlive it.
        let panels: Vec<(S, P)> = panels.into_iter().collect();
        let mut strings = Strings::default();
        let mut statistics = Vec::with_capacity(panels.len());
        let mut raw_panels = Vec::with_capacity(panels.len());
        for (index, (statistic, panel)) in panels.iter().enumerate() {
            let name = format!("panels[{}]'s PanelOptions", index);
            raw_panels.push(panel.borrow().to_raw(&mut strings, &name)?);
            statistics.push(statistic.borrow().as_ptr());
        }
        // The C API takes an array of pointers to the panel options.
        let panel_pointers: Vec<*const sys::trajplot_panel_options> =
            raw_panels.iter().map(|panel| panel as *const _).collect();
        let options = options.to_raw(&mut strings)?;
        let mut raw = ptr::null_mut();
        // SAFETY: `count` live statistics and as many pointers to panel
        // options, which with their strings outlive the call; on success the
        // figure is ours to free.
        ffi::check(unsafe {
            sys::trajplot_figure_create_stacked(
                &mut raw,
                statistics.as_ptr(),
                panel_pointers.as_ptr(),
                statistics.len(),
                &options,
            )
        })?;
        Figure::from_new_handle(raw)
    }

    fn from_new_handle(raw: *mut sys::trajplot_figure) -> Result<Figure> {
        match NonNull::new(raw) {
            Some(raw) => Ok(Figure { raw }),
            None => Err(Error::last(sys::TRAJPLOT_ERROR)),
        }
    }

    fn as_ptr(&self) -> *const sys::trajplot_figure {
        self.raw.as_ptr()
    }

    fn shape(&self) -> (bool, usize) {
        let (mut stacked, mut panels) = (false, 0);
        // SAFETY: a live handle and valid output pointers.
        ffi::expect_ok(
            unsafe { sys::trajplot_figure_shape(&mut stacked, &mut panels, self.as_ptr()) },
            "trajplot_figure_shape",
        );
        (stacked, panels)
    }

    /// Whether the figure was made by [`Figure::stacked`] (one panel
    /// included).
    pub fn is_stacked(&self) -> bool {
        self.shape().0
    }

    /// The number of statistics drawn: 1 for a figure of one statistic.
    pub fn panel_count(&self) -> usize {
        self.shape().1
    }

    /// The figure exported into a `String`: JSON, a page or an SVG image.
    /// Nothing a caller passes (labels, titles, units, `extra_json`) can
    /// end a page's `<script>` element or inject markup.
    ///
    /// Errors: a binary format, PNG or PDF (use
    /// [`export_bytes`](Figure::export_bytes) or
    /// [`to_image`](Figure::to_image)); the trace of a stacked figure; a bad
    /// `div_id`; plotly.js that cannot be read
    /// ([`ErrorKind::Io`](crate::ErrorKind::Io)) or holds `<script`; an
    /// image format the library was built without (see
    /// [`format_available`](crate::format_available)) or a scale out of
    /// range; an output beyond the [memory limit](crate::memory_limit).
    pub fn export(&self, options: &ExportOptions) -> Result<String> {
        if options.format.is_binary() {
            return Err(Error::invalid_argument(format!(
                "Figure::export: {:?} is binary and a String holds text: use Figure::to_image or \
                 Figure::export_bytes",
                options.format
            )));
        }
        Ok(self.exported(options)?.text())
    }

    /// The figure exported into bytes, in any format: a PNG or PDF image
    /// as it is, the text formats as UTF-8. Errors as
    /// [`export`](Figure::export), binary formats aside.
    pub fn export_bytes(&self, options: &ExportOptions) -> Result<Vec<u8>> {
        Ok(self.exported(options)?.bytes())
    }

    /// The figure as an image drawn by the library itself, with no
    /// browser: `format` is [`Format::Png`], [`Format::Svg`] or
    /// [`Format::Pdf`], and the image is the figure's size (its layout's
    /// width and height in pixels) times `scale`, a number > 0 and at most
    /// 16. PNG and PDF need a library built with Cairo and Pango
    /// ([`format_available`](crate::format_available)); any other format
    /// is an [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)
    /// error, as is a scale out of range.
    ///
    /// ```
    /// use trajplot::{Figure, FigureOptions, Format, PanelOptions, Statistic};
    ///
    /// # fn main() -> Result<(), trajplot::Error> {
    /// let entropy = Statistic::new("Entropy", &[3.1, 2.9, 0.4, 1.2], 2, 2)?;
    /// let figure = Figure::new(&entropy, &PanelOptions::default(), &FigureOptions::default())?;
    /// let svg = figure.to_image(Format::Svg, 1.0)?;
    /// assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    /// if trajplot::format_available(Format::Png) {
    ///     let png = figure.to_image(Format::Png, 2.0)?;
    ///     assert!(png.starts_with(b"\x89PNG"));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_image(&self, format: Format, scale: f64) -> Result<Vec<u8>> {
        if !format.is_image() {
            return Err(Error::invalid_argument(format!(
                "Figure::to_image: {:?} is not an image format (Svg, Png or Pdf): use Figure::export",
                format
            )));
        }
        self.export_bytes(&ExportOptions::new(format).scale(scale))
    }

    fn exported(&self, options: &ExportOptions) -> Result<LibraryString> {
        let mut strings = Strings::default();
        let options = options.to_raw(&mut strings)?;
        let (mut text, mut len) = (ptr::null_mut(), 0);
        // SAFETY: a live handle, options whose strings outlive the call and
        // valid outputs; on success the string is ours to free.
        ffi::check(unsafe {
            sys::trajplot_figure_export(&mut text, &mut len, self.as_ptr(), &options)
        })?;
        // SAFETY: on success the library returned `len` bytes at `text`.
        Ok(unsafe { LibraryString::new(text, len) })
    }

    /// The figure exported into the file `path`, in any format (images
    /// included: `ExportOptions::new(Format::Png).scale(2.0)`; see
    /// [`Format::from_extension`] to follow the path's extension), streamed
    /// without holding the output in memory. The file is replaced
    /// atomically: a failed call leaves no partial file and any earlier
    /// file intact. Errors as [`export`](Figure::export), binary formats
    /// aside, and [`ErrorKind::Io`](crate::ErrorKind::Io) naming the file
    /// when it cannot be written.
    pub fn save<P: AsRef<Path>>(&self, path: P, options: &ExportOptions) -> Result<()> {
        let path = ffi::c_path(path.as_ref(), "path")?;
        let mut strings = Strings::default();
        let options = options.to_raw(&mut strings)?;
        // SAFETY: a live handle; the options and the path outlive the call.
        ffi::check(unsafe { sys::trajplot_figure_save(self.as_ptr(), &options, path.as_ptr()) })
    }

    /// The figure exported into `writer` as it is produced, in pieces (a
    /// socket, a compressor, a buffer of your own), then `writer` flushed;
    /// any format, PNG and PDF images included.
    /// Nothing is written when the options are refused.
    ///
    /// When the writer fails, the export stops there and that error comes
    /// back, of kind [`ErrorKind::Io`](crate::ErrorKind::Io), with the
    /// writer's [`io::Error`] in [`Error::io_error`]; what was written
    /// before stays written. A panic in the writer stops the export too and
    /// then continues in the caller.
    pub fn write_to<W: Write + ?Sized>(
        &self,
        writer: &mut W,
        options: &ExportOptions,
    ) -> Result<()> {
        const FUNCTION: &str = "Figure::write_to";
        let mut strings = Strings::default();
        let options = options.to_raw(&mut strings)?;
        let mut sink = Sink {
            writer,
            error: None,
            panic: None,
        };
        // SAFETY: a live handle, options whose strings outlive the call, and
        // a write function given a pointer to `sink`, which outlives the
        // call and is used by nothing else meanwhile.
        let status = unsafe {
            sys::trajplot_figure_stream(
                self.as_ptr(),
                &options,
                Some(write_to_sink::<W>),
                (&mut sink as *mut Sink<'_, W>).cast::<c_void>(),
            )
        };
        if let Some(payload) = sink.panic.take() {
            // The library's message about the stopped export is moot.
            // SAFETY: no arguments, no preconditions.
            unsafe { sys::trajplot_error_clear() };
            panic::resume_unwind(payload);
        }
        if let Some(error) = sink.error.take() {
            // SAFETY: as above.
            unsafe { sys::trajplot_error_clear() };
            return Err(Error::writer(FUNCTION, error));
        }
        ffi::check(status)?;
        sink.writer
            .flush()
            .map_err(|error| Error::writer(FUNCTION, error))
    }
}

/// The destination of [`Figure::write_to`], reached from the write function
/// through the C API's `user` pointer: the writer, and what stopped it.
struct Sink<'a, W: ?Sized> {
    writer: &'a mut W,
    error: Option<io::Error>,
    panic: Option<Box<dyn Any + Send + 'static>>,
}

/// The `trajplot_write_fn` of [`Figure::write_to`]: writes each piece into
/// the sink's writer; returns nonzero, which stops the export, once the
/// writer has failed or panicked. No panic crosses into the library.
unsafe extern "C" fn write_to_sink<W: Write + ?Sized>(
    user: *mut c_void,
    data: *const c_char,
    len: usize,
) -> c_int {
    // SAFETY: `user` is the `Sink<W>` write_to passed, alive and not
    // otherwise used during the call.
    let sink = &mut *user.cast::<Sink<'_, W>>();
    if sink.error.is_some() || sink.panic.is_some() {
        return 1;
    }
    if len == 0 {
        return 0;
    }
    // SAFETY: the library passes `len` readable bytes at `data`.
    let bytes = std::slice::from_raw_parts(data.cast::<u8>(), len);
    let writer = &mut *sink.writer;
    match panic::catch_unwind(AssertUnwindSafe(|| writer.write_all(bytes))) {
        Ok(Ok(())) => 0,
        Ok(Err(error)) => {
            sink.error = Some(error);
            1
        }
        Err(payload) => {
            sink.panic = Some(payload);
            1
        }
    }
}

impl fmt::Debug for Figure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (stacked, panels) = self.shape();
        formatter
            .debug_struct("Figure")
            .field("stacked", &stacked)
            .field("panel_count", &panels)
            .finish()
    }
}
