// A Plotly figure of trajectory statistics and its exports: the figure of
// one statistic (the reference's heatmap figure), or several statistics of
// one sequence stacked as panels; written as the figure's JSON, as the
// heatmap trace alone, as an HTML page that draws it, or as a static image
// (SVG, PNG, PDF), into a string, a stream, a caller's sink, or a file
// replaced atomically.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trajplot/html.hpp"
#include "trajplot/model.hpp"

namespace trajplot {

// How one statistic is drawn: its heatmap trace, and its panel in a
// stacked figure.
struct PanelOptions {
    // Over the panel of a stacked figure; nullopt: the statistic's name. A
    // figure of one statistic has the figure's title instead.
    std::optional<std::string> title{};
    // A plotly.py colourscale name, case-insensitive, "_r" for reversed.
    std::string colorscale = "rdbu_r";
    bool log_scale = false;  // colour by log10 of the values
    // A JSON object merged into the trace as an RFC 7386 merge patch (the
    // reference's **kwargs); empty for none. Unless it sets textfont.size,
    // or a texttemplate of its own, cell text is sized to fit the cells.
    std::string extra_json{};
    // Shows the cell's value, with the statistic's name and units, above
    // the hover table ("Entropy: 2.718 nats"); off, the hover box is the
    // reference's.
    bool hover_value = false;
};

// The figure around the statistics.
struct FigureOptions {
    std::string title{};
    std::size_t token_width = 80;  // pixels of width per position
    // Pixels; 0: plotly.js's 450 for one statistic, 150 + 250 per panel
    // for a stacked figure.
    std::size_t height = 0;
    // Stacked figures: the gap between panels as a fraction of the plotting
    // area's height, in [0, 1 / (panels - 1)); nullopt: 0.3 / panels, as
    // make_subplots.
    std::optional<double> vertical_spacing{};
    // Stacked figures: panels share the height in proportion to their rows
    // (each at least 90 pixels while there is room), so that every panel's
    // cells are about as tall; true: all panels the same height.
    bool equal_panel_heights = false;
    // A JSON object merged into the finished layout as an RFC 7386 merge
    // patch (plotly.py's update_layout); empty for none. It comes after
    // everything the figure sets, so it may change any of it, but the sizes
    // planned from the options (cell text, panel heights) do not follow a
    // patched width or height. A title text it sets is the page's <title>.
    std::string layout_json{};
};

// One panel of a stacked figure.
struct Panel {
    std::shared_ptr<const TrajectoryStatistic> statistic;
    PanelOptions options{};
};

enum class Format {
    figure_json,  // {"data": [...], "layout": {...}}
    trace_json,   // the heatmap trace of a figure of one statistic
    html,         // a page (or fragment) that draws the figure with plotly.js
    // Static images of the whole figure, drawn by trajplot itself as
    // plotly.js would draw it (no browser): SVG with its words as <text>,
    // PNG, and PDF with its text as text and its fonts embedded. PNG and
    // PDF need the image component (Cairo and Pango), which a build may
    // leave out: format_available() says.
    svg,
    png,
    pdf,
};

// Whether this build can export `format`: always for JSON, HTML and SVG;
// for PNG and PDF when it was built with Cairo and Pango.
bool format_available(Format format) noexcept;

struct ExportOptions {
    Format format = Format::figure_json;
    HtmlOptions html{};  // Format::html only
    // Images only: pixels per figure pixel, finite, > 0 and at most 16. A
    // PNG is round(width * scale) x round(height * scale) pixels, at most
    // 32767 a side (Cairo's limit); a PDF page is width * scale points wide.
    double scale = 1.0;
};

// Receives an export's bytes, in order, a chunk at a time. An exception it
// throws stops the export and propagates.
using ExportSink = std::function<void(std::string_view)>;

// A figure, planned and checked when it is made: an unknown colourscale,
// invalid extra_json, a log scale with a bound <= 0, a token width of 0,
// statistics that cannot share a stacked figure's x axis throw Error there,
// so that an export can fail only on its own options (a page's div id and
// plotly.js) and on output. Immutable: any number of threads may export
// one figure at once. It keeps its statistics alive.
class Figure {
public:
    // The figure of one statistic.
    explicit Figure(std::shared_ptr<const TrajectoryStatistic> statistic, PanelOptions panel = {},
                    FigureOptions options = {});
    explicit Figure(TrajectoryStatistic statistic, PanelOptions panel = {}, FigureOptions options = {});

    // Several statistics of one sequence stacked top to bottom, panels[0]
    // on top, as tuned-lens's tutorial draws them with make_subplots: one x
    // axis of input tokens, its labels under the bottom panel only, zooming
    // one panel zooms all; each panel has its own colour scale, range and
    // colour bar. Panels must have the same seq_len, and the same sequence
    // labels where they have any (layer counts may differ); the error names
    // the panel otherwise.
    static Figure stacked(std::vector<Panel> panels, FigureOptions options = {});

    bool is_stacked() const noexcept;
    std::span<const Panel> panels() const noexcept;
    const FigureOptions& options() const noexcept;

    // The export as a string (PNG and PDF: their bytes).
    std::string to_string(const ExportOptions& options = {}) const;
    // Streams the export; nothing is written when the options are refused.
    void write(std::ostream& out, const ExportOptions& options = {}) const;
    void write(const ExportSink& sink, const ExportOptions& options = {}) const;
    // Streams the export into `path`, replacing it atomically: a failure
    // leaves no partial file and any earlier file intact.
    void save(const std::filesystem::path& path, const ExportOptions& options = {}) const;

private:
    struct State;
    explicit Figure(std::shared_ptr<const State> state);
    std::shared_ptr<const State> state_;
};

// The customdata of template_and_customdata as a JSON array
// n_layers x seq_len x (rows * cols) of the padded entries, unescaped.
std::string customdata_json(const HoverTemplate& hover);

}  // namespace trajplot
