//! The options of figures: how each statistic is drawn ([`PanelOptions`]),
//! the figure around them ([`FigureOptions`]), and what an export writes
//! ([`ExportOptions`]).

use std::ffi::CString;
use std::os::raw::c_char;
use std::path::{Path, PathBuf};
use std::ptr;

use trajplot_sys as sys;

use crate::error::{Error, Result};
use crate::ffi;

/// How one statistic is drawn: its heatmap trace, and its panel in a
/// stacked figure. Cell labels are sized to fit the cells (at most 12 px,
/// never below 6 px) unless `extra_json` sets `textfont.size` or a
/// `texttemplate` of its own.
///
/// ```
/// let options = trajplot::PanelOptions {
///     colorscale: "viridis".to_string(),
///     log_scale: true,
///     ..Default::default()
/// };
/// # assert_eq!(options.title, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelOptions {
    /// The title over the panel of a stacked figure; None: the statistic's
    /// name. A figure of one statistic has [`FigureOptions::title`]
    /// instead.
    pub title: Option<String>,
    /// A plotly.py colourscale name, case-insensitive, `_r` for reversed
    /// (default: "rdbu_r").
    pub colorscale: String,
    /// A JSON object merged into the heatmap trace as an RFC 7386 merge
    /// patch (the reference's `**kwargs`), after trajplot's own attributes
    /// (a stacked panel's colour bar place included, so it may move or
    /// resize it), e.g. `{"colorbar": {"len": 0.25}}`. Its text is written
    /// as given, Plotly markup included.
    pub extra_json: Option<String>,
    /// Colour by log10 of the values (default: false).
    pub log_scale: bool,
    /// Show the cell's value, with the statistic's name and units, above
    /// the hover table ("Entropy: 2.718 nats"; default: false, the
    /// reference's hover).
    pub hover_value: bool,
}

impl Default for PanelOptions {
    fn default() -> PanelOptions {
        let defaults = sys::TRAJPLOT_PANEL_OPTIONS_INIT;
        PanelOptions {
            title: None,
            colorscale: "rdbu_r".to_string(),
            extra_json: None,
            log_scale: defaults.log_scale,
            hover_value: defaults.hover_value,
        }
    }
}

/// The figure around the statistics. It is `200 + token_width * seq_len`
/// pixels wide. In a stacked figure the panels share the plotting height in
/// proportion to their rows, so that their cells are about equally tall
/// (each at least 90 px while there is room).
///
/// ```
/// let options = trajplot::FigureOptions {
///     title: "Entropy by layer".to_string(),
///     height: Some(600),
///     ..Default::default()
/// };
/// # assert_eq!(options.token_width, 80);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FigureOptions {
    /// The title over the figure (default: none). An HTML page's `<title>`
    /// is this, or else the statistics' names (a stacked figure's panel
    /// titles).
    pub title: String,
    /// Width per position, in pixels; at least 1 (default: 80).
    pub token_width: usize,
    /// Height in pixels; None (or 0): plotly.js's 450 for one statistic,
    /// 150 + 250 per panel for a stacked figure.
    pub height: Option<usize>,
    /// Stacked: the gap between panels as a fraction of the plotting
    /// area's height, in [0, 1 / (panels - 1)); None: 0.3 / panels, as
    /// plotly.py's `make_subplots`.
    pub vertical_spacing: Option<f64>,
    /// Stacked: every panel the same height, whatever its rows (default:
    /// false).
    pub equal_panel_heights: bool,
}

impl Default for FigureOptions {
    fn default() -> FigureOptions {
        let defaults = sys::TRAJPLOT_FIGURE_OPTIONS_INIT;
        FigureOptions {
            title: String::new(),
            token_width: defaults.token_width,
            height: None,
            vertical_spacing: None,
            equal_panel_heights: defaults.equal_panel_heights,
        }
    }
}

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Plotly figure, `{"data": [...], "layout": {...}}`, as JSON (the
    /// default).
    FigureJson,
    /// The heatmap trace alone, sized for the figure's cells; a figure of
    /// one statistic only. Placed in a layout of your own, it needs
    /// `"type": "category"` on both axes.
    TraceJson,
    /// An HTML page (or `<div>` fragment) drawing the figure with
    /// plotly.js, as the HTML fields of [`ExportOptions`] say.
    Html,
    /// An SVG image of the figure, drawn by the library itself (no
    /// browser): UTF-8 text. Always available.
    Svg,
    /// A PNG image of the figure, drawn by the library itself: binary,
    /// so [`Figure::export`](crate::Figure::export) refuses it (use
    /// [`Figure::to_image`](crate::Figure::to_image) or
    /// [`Figure::export_bytes`](crate::Figure::export_bytes)). Only a
    /// library built with Cairo and Pango writes it: see
    /// [`format_available`](crate::format_available).
    Png,
    /// A PDF document of the figure, drawn by the library itself: binary,
    /// and available, as [`Format::Png`].
    Pdf,
}

impl Format {
    /// Whether the format is an image: [`Format::Svg`], [`Format::Png`]
    /// or [`Format::Pdf`], sized by [`ExportOptions::scale`].
    pub fn is_image(self) -> bool {
        matches!(self, Format::Svg | Format::Png | Format::Pdf)
    }

    /// Whether the output is binary rather than UTF-8 text: PNG and PDF.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Png | Format::Pdf)
    }

    /// The format a file name's extension stands for, case-insensitive:
    /// `.json` (the figure), `.html` or `.htm`, `.svg`, `.png`, `.pdf`;
    /// None for any other.
    ///
    /// ```
    /// use trajplot::Format;
    ///
    /// assert_eq!(Format::from_extension("entropy.PNG"), Some(Format::Png));
    /// assert_eq!(Format::from_extension("entropy.jpg"), None);
    /// ```
    pub fn from_extension<P: AsRef<Path>>(path: P) -> Option<Format> {
        let extension = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(Format::FigureJson),
            "html" | "htm" => Some(Format::Html),
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub(crate) fn to_raw(self) -> sys::trajplot_format {
        match self {
            Format::FigureJson => sys::TRAJPLOT_FORMAT_FIGURE_JSON,
            Format::TraceJson => sys::TRAJPLOT_FORMAT_TRACE_JSON,
            Format::Html => sys::TRAJPLOT_FORMAT_HTML,
            Format::Svg => sys::TRAJPLOT_FORMAT_SVG,
            Format::Png => sys::TRAJPLOT_FORMAT_PNG,
            Format::Pdf => sys::TRAJPLOT_FORMAT_PDF,
        }
    }
}

/// Where an HTML page gets plotly.js from (plotly.py's `include_plotlyjs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlotlyJs {
    /// The default: the local plotly.js (see [`local_plotlyjs`](crate::local_plotlyjs))
    /// inlined, so that the page draws offline, as plotly.py's `write_html`
    /// inlines its bundle; without a local copy, as [`PlotlyJs::Cdn`].
    Local,
    /// A `<script src>` on the official CDN, at the plotly.js version
    /// trajplot is tested with.
    Cdn,
    /// A `<script src>` on this URL or path.
    Src(String),
    /// The contents of this local plotly.min.js, inlined: the page works
    /// offline.
    Inline(PathBuf),
    /// Nothing: the embedding page loads plotly.js itself.
    None,
}

/// How to export a [`Figure`](crate::Figure): the format and, for
/// [`Format::Html`], the page, for the image formats the scale. The HTML
/// fields are ignored for the other formats, the scale for all but images.
///
/// ```
/// use trajplot::{ExportOptions, Format, PlotlyJs};
///
/// let fragment = ExportOptions {
///     plotlyjs: PlotlyJs::None,
///     div_id: Some("entropy".to_string()),
///     full_html: false,
///     ..ExportOptions::new(Format::Html)
/// };
/// # assert!(!fragment.responsive);
/// let sharp = ExportOptions::new(Format::Png).scale(2.0);
/// # assert_eq!(sharp.scale, 2.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ExportOptions {
    /// What is written (default: [`Format::FigureJson`]).
    pub format: Format,
    /// Where the page gets plotly.js from (default: [`PlotlyJs::Local`]).
    pub plotlyjs: PlotlyJs,
    /// The id of the figure's `<div>`: letters, digits, '-' and '_',
    /// starting with a letter; None: "trajplot-figure". Give each figure on
    /// a page its own.
    pub div_id: Option<String>,
    /// A whole document (default); false: an embeddable `<div>`.
    pub full_html: bool,
    /// Follow the page's width instead of a fixed width (default: false).
    pub responsive: bool,
    /// Images: the image is the figure's size (its layout's width and
    /// height in pixels) times this, a number > 0 and at most 16 (default:
    /// 1; 2 gives a sharp PNG on a high-density screen).
    pub scale: f64,
}

impl ExportOptions {
    /// The defaults, exporting `format`.
    pub fn new(format: Format) -> ExportOptions {
        let defaults = sys::TRAJPLOT_EXPORT_OPTIONS_INIT;
        ExportOptions {
            format,
            plotlyjs: PlotlyJs::Local,
            div_id: None,
            full_html: defaults.full_html,
            responsive: defaults.responsive,
            scale: 1.0,
        }
    }

    /// These options with [`scale`](ExportOptions::scale) set:
    /// `ExportOptions::new(Format::Png).scale(2.0)`.
    pub fn scale(self, scale: f64) -> ExportOptions {
        ExportOptions { scale, ..self }
    }
}

impl Default for ExportOptions {
    /// The figure as JSON.
    fn default() -> ExportOptions {
        ExportOptions::new(Format::FigureJson)
    }
}

/// C strings kept alive for the pointers of an options struct (moving a
/// CString does not move its bytes).
#[derive(Default)]
pub(crate) struct Strings(Vec<CString>);

impl Strings {
    /// `text` as a C string kept alive here, or NULL for None.
    pub(crate) fn keep(&mut self, text: Option<&str>, what: &str) -> Result<*const c_char> {
        match text {
            Some(text) => Ok(self.push(ffi::c_string(text, what)?)),
            None => Ok(ptr::null()),
        }
    }

    fn push(&mut self, text: CString) -> *const c_char {
        let pointer = text.as_ptr();
        self.0.push(text);
        pointer
    }
}

impl PanelOptions {
    /// The C struct, its strings kept in `strings`; `name` is how an error
    /// names these options ("PanelOptions", "panels[1]'s PanelOptions").
    pub(crate) fn to_raw(
        &self,
        strings: &mut Strings,
        name: &str,
    ) -> Result<sys::trajplot_panel_options> {
        let field = |field: &str| format!("{}::{}", name, field);
        let mut raw = sys::TRAJPLOT_PANEL_OPTIONS_INIT;
        raw.title = strings.keep(self.title.as_deref(), &field("title"))?;
        raw.colorscale = strings.keep(Some(&self.colorscale), &field("colorscale"))?;
        raw.extra_json = strings.keep(self.extra_json.as_deref(), &field("extra_json"))?;
        raw.log_scale = self.log_scale;
        raw.hover_value = self.hover_value;
        Ok(raw)
    }
}

impl FigureOptions {
    pub(crate) fn to_raw(&self, strings: &mut Strings) -> Result<sys::trajplot_figure_options> {
        let mut raw = sys::TRAJPLOT_FIGURE_OPTIONS_INIT;
        raw.title = strings.keep(Some(&self.title), "FigureOptions::title")?;
        raw.token_width = self.token_width;
        raw.height = self.height.unwrap_or(0);
        if let Some(spacing) = self.vertical_spacing {
            raw.vertical_spacing = spacing;
            raw.has_vertical_spacing = true;
        }
        raw.equal_panel_heights = self.equal_panel_heights;
        Ok(raw)
    }
}

impl ExportOptions {
    pub(crate) fn to_raw(&self, strings: &mut Strings) -> Result<sys::trajplot_export_options> {
        let mut raw = sys::TRAJPLOT_EXPORT_OPTIONS_INIT;
        raw.format = self.format.to_raw();
        if self.format.is_image() {
            // The C API reads 0 as "unset", that is 1; here it is a mistake.
            // The library checks every other value.
            if self.scale == 0.0 {
                return Err(Error::invalid_argument(
                    "ExportOptions::scale is 0; it must be above 0 and at most 16".to_string(),
                ));
            }
            raw.scale = self.scale;
        }
        if self.format != Format::Html {
            // The library reads the HTML fields for pages only.
            return Ok(raw);
        }
        let (plotlyjs, location) = match &self.plotlyjs {
            PlotlyJs::Local => (sys::TRAJPLOT_PLOTLYJS_LOCAL, ptr::null()),
            PlotlyJs::Cdn => (sys::TRAJPLOT_PLOTLYJS_CDN, ptr::null()),
            PlotlyJs::Src(url) => (
                sys::TRAJPLOT_PLOTLYJS_SRC,
                strings.keep(Some(url), "PlotlyJs::Src")?,
            ),
            PlotlyJs::Inline(path) => (
                sys::TRAJPLOT_PLOTLYJS_INLINE,
                strings.push(ffi::c_path(path, "PlotlyJs::Inline")?),
            ),
            PlotlyJs::None => (sys::TRAJPLOT_PLOTLYJS_NONE, ptr::null()),
        };
        raw.plotlyjs = plotlyjs;
        raw.plotlyjs_location = location;
        raw.div_id = strings.keep(self.div_id.as_deref(), "ExportOptions::div_id")?;
        raw.full_html = self.full_html;
        raw.responsive = self.responsive;
        Ok(raw)
    }
}
