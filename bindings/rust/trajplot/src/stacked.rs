//! Stacked figures: several statistics of one sequence, one panel each, top
//! to bottom (tuned-lens's tutorial figure).

use std::ffi::CString;
use std::os::raw::c_char;
use std::path::Path;
use std::ptr;

use trajplot_sys as sys;

use crate::error::Result;
use crate::ffi::{self, LibraryString};
use crate::options::HtmlOptions;
use crate::statistic::Statistic;

/// How to draw one panel of a [`StackedFigure`].
///
/// ```
/// let options = trajplot::PanelOptions {
///     title: Some("KL to the output".to_string()),
///     log_scale: true,
///     ..Default::default()
/// };
/// # assert_eq!(options.colorscale, "rdbu_r");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelOptions {
    /// The title over the panel; None: the statistic's name.
    pub title: Option<String>,
    /// A plotly.py colourscale name, case-insensitive, `_r` for reversed
    /// (default: "rdbu_r").
    pub colorscale: String,
    /// A JSON object merged into this panel's trace as an RFC 7386 merge
    /// patch, after the stacking's own settings (the colour bar's place and
    /// length, the axes), so it may change them.
    pub extra_json: Option<String>,
    /// Colour by log10 of the values (default: false).
    pub log_scale: bool,
    /// Show each cell's value, with the statistic's name and units, above
    /// the hover table (default: false).
    pub hover_value: bool,
}

impl Default for PanelOptions {
    fn default() -> PanelOptions {
        PanelOptions {
            title: None,
            colorscale: "rdbu_r".to_string(),
            extra_json: None,
            log_scale: sys::TRAJPLOT_PANEL_OPTIONS_INIT.log_scale,
            hover_value: sys::TRAJPLOT_PANEL_OPTIONS_INIT.hover_value,
        }
    }
}

/// The figure around the panels of a [`StackedFigure`].
///
/// ```
/// let options = trajplot::StackOptions {
///     title: "Prediction trajectory".to_string(),
///     height: Some(900),
///     ..Default::default()
/// };
/// # assert_eq!(options.token_width, 80);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StackOptions {
    /// The figure's title (default: none). The HTML page's `<title>` is
    /// this, or else the panels' titles.
    pub title: String,
    /// Figure width per position, in pixels; at least 1 (default: 80).
    pub token_width: usize,
    /// Total height in pixels; None (or 0): 150 + 250 per panel.
    pub height: Option<usize>,
    /// The gap between panels as a fraction of the plotting area's height,
    /// in [0, 1 / (panels - 1)); None: 0.3 / panels, as plotly.py's
    /// `make_subplots`.
    pub vertical_spacing: Option<f64>,
    /// Panels share the height in proportion to their rows, so that their
    /// cells are about equally tall (each at least 90 px while there is
    /// room); true: every panel the same height (default: false).
    pub equal_panel_heights: bool,
}

impl Default for StackOptions {
    fn default() -> StackOptions {
        let defaults = sys::TRAJPLOT_STACK_OPTIONS_INIT;
        StackOptions {
            title: String::new(),
            token_width: defaults.token_width,
            height: None,
            vertical_spacing: None,
            equal_panel_heights: defaults.equal_panel_heights,
        }
    }
}

/// Several statistics of one sequence drawn in one figure, one panel each,
/// the first on top: the panels share one x axis of input tokens, labelled
/// under the bottom panel only, and zooming one zooms all; each has its
/// title, its own colour range and scale, its layer labels and a colour bar
/// beside it. Layer counts may differ (a delta statistic has no output
/// row), but every statistic must have the same seq_len, and the same
/// sequence labels where it has any.
///
/// It borrows the statistics; the figure's own options ([`StackOptions`])
/// are given to each export, as [`FigureOptions`](crate::FigureOptions) are
/// to [`Statistic::figure_json`].
///
/// ```
/// use trajplot::{PanelOptions, StackOptions, StackedFigure, Statistic};
///
/// # fn main() -> Result<(), trajplot::Error> {
/// let entropy = Statistic::new("Entropy", &[3.1, 2.9, 0.4, 1.2], 2, 2)?;
/// let rank = Statistic::new("Rank", &[7.0, 3.0, 1.0, 1.0], 2, 2)?;
/// let figure = StackedFigure::new()
///     .panel(&entropy)
///     .panel_with(&rank, PanelOptions { log_scale: true, ..Default::default() });
/// let json = figure.to_json(&StackOptions::default())?;
/// assert!(json.contains("\"yaxis\":\"y2\""));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a stacked figure does nothing until it is exported"]
pub struct StackedFigure<'a> {
    panels: Vec<(&'a Statistic, PanelOptions)>,
}

impl<'a> StackedFigure<'a> {
    /// A figure with no panels yet; exporting it is an error until one is
    /// added.
    pub fn new() -> StackedFigure<'a> {
        StackedFigure { panels: Vec::new() }
    }

    /// Adds `statistic` below the panels already there, drawn with the
    /// default [`PanelOptions`].
    pub fn panel(self, statistic: &'a Statistic) -> Self {
        self.panel_with(statistic, PanelOptions::default())
    }

    /// Adds `statistic` below the panels already there, drawn as `options`
    /// say.
    pub fn panel_with(mut self, statistic: &'a Statistic, options: PanelOptions) -> Self {
        self.panels.push((statistic, options));
        self
    }

    /// The panels, top to bottom.
    pub fn panels(&self) -> &[(&'a Statistic, PanelOptions)] {
        &self.panels
    }

    /// The Plotly figure, `{"data": [one trace per panel], "layout": {...}}`,
    /// as JSON.
    pub fn to_json(&self, options: &StackOptions) -> Result<String> {
        let call = RawCall::new(self, options)?;
        let (mut json, mut len) = (ptr::null_mut(), 0);
        // SAFETY: `call` holds `count` live statistics and as many panel
        // options, whose strings outlive the call; on success the string is
        // ours to free.
        ffi::check(unsafe {
            sys::trajplot_stacked_figure_json(
                &mut json,
                &mut len,
                call.statistics.as_ptr(),
                call.statistics.len(),
                call.panels.as_ptr(),
                &call.options,
            )
        })?;
        Ok(unsafe { LibraryString::new(json, len) }.text())
    }

    /// Writes the figure as JSON to `path`. The file is replaced
    /// atomically: a failed call leaves no partial file and any earlier
    /// file intact.
    pub fn write_json<P: AsRef<Path>>(&self, path: P, options: &StackOptions) -> Result<()> {
        let path = ffi::c_path(path.as_ref(), "path")?;
        let call = RawCall::new(self, options)?;
        // SAFETY: as in to_json; the path outlives the call.
        ffi::check(unsafe {
            sys::trajplot_stacked_write_figure_json(
                call.statistics.as_ptr(),
                call.statistics.len(),
                call.panels.as_ptr(),
                &call.options,
                path.as_ptr(),
            )
        })
    }

    /// The figure as an HTML page (or `<div>` fragment) that draws it with
    /// plotly.js, as [`Statistic::figure_html`] writes one.
    pub fn to_html(&self, options: &StackOptions, html: &HtmlOptions) -> Result<String> {
        let call = RawCall::new(self, options)?;
        let html = html.to_raw()?;
        let (mut page, mut len) = (ptr::null_mut(), 0);
        // SAFETY: as in to_json.
        ffi::check(unsafe {
            sys::trajplot_stacked_figure_html(
                &mut page,
                &mut len,
                call.statistics.as_ptr(),
                call.statistics.len(),
                call.panels.as_ptr(),
                &call.options,
                &html.raw,
            )
        })?;
        Ok(unsafe { LibraryString::new(page, len) }.text())
    }

    /// Writes the HTML page to `path`, replaced atomically.
    pub fn write_html<P: AsRef<Path>>(
        &self,
        path: P,
        options: &StackOptions,
        html: &HtmlOptions,
    ) -> Result<()> {
        let path = ffi::c_path(path.as_ref(), "path")?;
        let call = RawCall::new(self, options)?;
        let html = html.to_raw()?;
        // SAFETY: as in write_json.
        ffi::check(unsafe {
            sys::trajplot_stacked_write_figure_html(
                call.statistics.as_ptr(),
                call.statistics.len(),
                call.panels.as_ptr(),
                &call.options,
                &html.raw,
                path.as_ptr(),
            )
        })
    }
}

/// Each statistic drawn with the default [`PanelOptions`].
impl<'a> FromIterator<&'a Statistic> for StackedFigure<'a> {
    fn from_iter<I: IntoIterator<Item = &'a Statistic>>(statistics: I) -> Self {
        statistics
            .into_iter()
            .map(|statistic| (statistic, PanelOptions::default()))
            .collect()
    }
}

impl<'a> FromIterator<(&'a Statistic, PanelOptions)> for StackedFigure<'a> {
    fn from_iter<I: IntoIterator<Item = (&'a Statistic, PanelOptions)>>(panels: I) -> Self {
        StackedFigure {
            panels: panels.into_iter().collect(),
        }
    }
}

/// The arguments of a `trajplot_stacked_*` call and the C strings their
/// pointers point into.
struct RawCall {
    statistics: Vec<*const sys::trajplot_statistic>,
    panels: Vec<sys::trajplot_panel_options>,
    options: sys::trajplot_stack_options,
    // Moving a CString does not move its bytes, so the pointers stay valid.
    _strings: Vec<CString>,
}

impl RawCall {
    fn new(figure: &StackedFigure<'_>, options: &StackOptions) -> Result<RawCall> {
        // An empty figure has no statistic whose creation checked the ABI.
        crate::check_abi()?;
        let mut strings = Vec::new();
        let mut panels = Vec::with_capacity(figure.panels.len());
        for (index, (_, panel)) in figure.panels.iter().enumerate() {
            let field = |name: &str| format!("panels[{}]'s PanelOptions::{}", index, name);
            let mut raw = sys::TRAJPLOT_PANEL_OPTIONS_INIT;
            raw.title = keep(&mut strings, panel.title.as_deref(), &field("title"))?;
            raw.colorscale = keep(&mut strings, Some(&panel.colorscale), &field("colorscale"))?;
            raw.extra_json = keep(
                &mut strings,
                panel.extra_json.as_deref(),
                &field("extra_json"),
            )?;
            raw.log_scale = panel.log_scale;
            raw.hover_value = panel.hover_value;
            panels.push(raw);
        }
        let mut raw_options = sys::TRAJPLOT_STACK_OPTIONS_INIT;
        raw_options.title = keep(&mut strings, Some(&options.title), "StackOptions::title")?;
        raw_options.token_width = options.token_width;
        raw_options.height = options.height.unwrap_or(0);
        if let Some(spacing) = options.vertical_spacing {
            raw_options.vertical_spacing = spacing;
            raw_options.has_vertical_spacing = true;
        }
        raw_options.equal_panel_heights = options.equal_panel_heights;
        Ok(RawCall {
            statistics: figure
                .panels
                .iter()
                .map(|(statistic, _)| statistic.as_ptr())
                .collect(),
            panels,
            options: raw_options,
            _strings: strings,
        })
    }
}

/// `text` as a C string kept alive in `strings`, or NULL for None.
fn keep(strings: &mut Vec<CString>, text: Option<&str>, what: &str) -> Result<*const c_char> {
    match text {
        Some(text) => {
            let text = ffi::c_string(text, what)?;
            let pointer = text.as_ptr();
            strings.push(text);
            Ok(pointer)
        }
        None => Ok(ptr::null()),
    }
}
