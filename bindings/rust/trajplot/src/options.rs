use std::ffi::CString;
use std::path::PathBuf;
use std::ptr;

use trajplot_sys as sys;

use crate::error::Result;
use crate::ffi;

/// How to draw a statistic. The heatmap-trace exports write the trace of the
/// figure these options draw (its title aside). Cell labels are sized to
/// fit the cells (at most 12 px, never below 6 px) unless `extra_json` sets
/// `textfont.size` or a `texttemplate` of its own.
///
/// ```
/// let options = trajplot::FigureOptions {
///     title: "Entropy by layer".to_string(),
///     colorscale: "viridis".to_string(),
///     ..Default::default()
/// };
/// # assert_eq!(options.token_width, 80);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureOptions {
    /// The figure's title (default: none).
    pub title: String,
    /// A plotly.py colourscale name, case-insensitive, `_r` for reversed
    /// (default: "rdbu_r").
    pub colorscale: String,
    /// A JSON object merged into the heatmap trace as an RFC 7386 merge
    /// patch (the reference's `**kwargs`), e.g.
    /// `{"colorbar": {"len": 0.25}}`. Its text is written as given, Plotly
    /// markup included.
    pub extra_json: Option<String>,
    /// Figure width per position, in pixels; at least 1 (default: 80).
    pub token_width: usize,
    /// Figure height in pixels; None (or 0) leaves it to Plotly.
    pub height: Option<usize>,
    /// Colour by log10 of the values (default: false).
    pub log_scale: bool,
    /// Show the cell's value, with the statistic's name and units, above
    /// the hover table (default: false, the reference's hover).
    pub hover_value: bool,
}

impl Default for FigureOptions {
    fn default() -> FigureOptions {
        let defaults = sys::TRAJPLOT_FIGURE_OPTIONS_INIT;
        FigureOptions {
            title: String::new(),
            colorscale: "rdbu_r".to_string(),
            extra_json: None,
            token_width: defaults.token_width,
            height: None,
            log_scale: defaults.log_scale,
            hover_value: defaults.hover_value,
        }
    }
}

/// A `trajplot_figure_options` and the C strings its pointers point into.
pub(crate) struct RawFigureOptions {
    pub(crate) raw: sys::trajplot_figure_options,
    // Moving a CString does not move its bytes, so `raw` stays valid.
    _strings: Vec<CString>,
}

impl FigureOptions {
    pub(crate) fn to_raw(&self) -> Result<RawFigureOptions> {
        let title = ffi::c_string(&self.title, "FigureOptions::title")?;
        let colorscale = ffi::c_string(&self.colorscale, "FigureOptions::colorscale")?;
        let extra_json = match &self.extra_json {
            Some(json) => Some(ffi::c_string(json, "FigureOptions::extra_json")?),
            None => None,
        };
        let mut raw = sys::TRAJPLOT_FIGURE_OPTIONS_INIT;
        raw.title = title.as_ptr();
        raw.colorscale = colorscale.as_ptr();
        raw.extra_json = extra_json
            .as_ref()
            .map_or(ptr::null(), |json| json.as_ptr());
        raw.token_width = self.token_width;
        raw.height = self.height.unwrap_or(0);
        raw.log_scale = self.log_scale;
        raw.hover_value = self.hover_value;
        let mut strings = vec![title, colorscale];
        strings.extend(extra_json);
        Ok(RawFigureOptions {
            raw,
            _strings: strings,
        })
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

/// How to write an HTML page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Where plotly.js comes from (default: [`PlotlyJs::Local`]).
    pub plotlyjs: PlotlyJs,
    /// The id of the figure's `<div>`: letters, digits, '-' and '_',
    /// starting with a letter; None: "trajplot-figure". Give each figure on
    /// a page its own.
    pub div_id: Option<String>,
    /// A whole document (default); false: an embeddable `<div>`.
    pub full_html: bool,
    /// Follow the page's width instead of a fixed width (default: false).
    pub responsive: bool,
}

impl Default for HtmlOptions {
    fn default() -> HtmlOptions {
        let defaults = sys::TRAJPLOT_HTML_OPTIONS_INIT;
        HtmlOptions {
            plotlyjs: PlotlyJs::Local,
            div_id: None,
            full_html: defaults.full_html,
            responsive: defaults.responsive,
        }
    }
}

/// A `trajplot_html_options` and the C strings its pointers point into.
pub(crate) struct RawHtmlOptions {
    pub(crate) raw: sys::trajplot_html_options,
    _strings: Vec<CString>,
}

impl HtmlOptions {
    pub(crate) fn to_raw(&self) -> Result<RawHtmlOptions> {
        let (plotlyjs, location) = match &self.plotlyjs {
            PlotlyJs::Local => (sys::TRAJPLOT_PLOTLYJS_LOCAL, None),
            PlotlyJs::Cdn => (sys::TRAJPLOT_PLOTLYJS_CDN, None),
            PlotlyJs::Src(url) => (
                sys::TRAJPLOT_PLOTLYJS_SRC,
                Some(ffi::c_string(url, "PlotlyJs::Src")?),
            ),
            PlotlyJs::Inline(path) => (
                sys::TRAJPLOT_PLOTLYJS_INLINE,
                Some(ffi::c_path(path, "PlotlyJs::Inline")?),
            ),
            PlotlyJs::None => (sys::TRAJPLOT_PLOTLYJS_NONE, None),
        };
        let div_id = match &self.div_id {
            Some(id) => Some(ffi::c_string(id, "HtmlOptions::div_id")?),
            None => None,
        };
        let mut raw = sys::TRAJPLOT_HTML_OPTIONS_INIT;
        raw.plotlyjs = plotlyjs;
        raw.plotlyjs_location = location.as_ref().map_or(ptr::null(), |text| text.as_ptr());
        raw.div_id = div_id.as_ref().map_or(ptr::null(), |text| text.as_ptr());
        raw.full_html = self.full_html;
        raw.responsive = self.responsive;
        let strings = location.into_iter().chain(div_id).collect();
        Ok(RawHtmlOptions {
            raw,
            _strings: strings,
        })
    }
}
