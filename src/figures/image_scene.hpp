// A figure as a static image: what plotly.js draws for trajplot's figures
// (cells, their labels, category axes, titles, colour bars), laid out from
// the figure's plan the way plotly.js lays it out, for the SVG writer and
// the Cairo renderer to draw alike. The cells are not stored: a figure may
// hold millions, so the writers read them from the statistics as they draw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "figure_plan.hpp"
#include "trajplot/model.hpp"

namespace trajplot::image {

struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    friend bool operator==(const Rgb&, const Rgb&) = default;
};

// plotly.js's default text and line colour, and its background.
inline constexpr Rgb default_ink{0x44, 0x44, 0x44};
inline constexpr Rgb white{0xff, 0xff, 0xff};

// "rgb(5,48,97)", "rgba(...)" (alpha ignored), "#rgb" or "#rrggbb"; nullopt
// for anything else.
std::optional<Rgb> parse_color(std::string_view text);

// The colour plotly.js writes a cell's text in when the trace sets none:
// white on a dark cell, #444 on a light one (tinycolor's isDark).
Rgb text_color_on(Rgb cell) noexcept;

// A colourscale as plotly.js applies it: linear in RGB between the stops,
// clamped to its ends.
class ColorScale {
public:
    struct Stop {
        double position;
        double rgb[3];
    };
    // Stops must come in ascending position.
    void add(double position, Rgb color);
    Rgb at(double fraction) const noexcept;
    const std::vector<Stop>& stops() const noexcept { return stops_; }

private:
    std::vector<Stop> stops_;
};

// A piece of text in one style: Plotly's <sup> raises and shrinks it.
struct TextRun {
    std::string text;
    bool superscript = false;
};

// Text as plotly.js shows Plotly markup: entities decoded (&lt; is "<"),
// <sup> kept as a superscript run, other tags (<b>, <span ...>) dropped,
// <br> read as a space (the renderer draws one line).
std::vector<TextRun> markup_runs(std::string_view markup);

// Text shown as given, as one run; characters no drawing can hold (control
// characters, U+FFFE, U+FFFF) become spaces, as a browser shows them.
std::vector<TextRun> plain_runs(std::string_view text);
std::string displayable(std::string_view text);

// The width of text in pixels, estimated from DejaVu Sans's advances (what
// Debian's browsers draw plotly.js's font stack in). Layout uses it where
// plotly.js measures text: the colour bars' room beside the plotting area,
// titles beside tick labels, the x labels' angle.
double estimated_width(std::string_view text, double size, bool bold);
double estimated_width(const std::vector<TextRun>& runs, double size, bool bold);

// How a superscript run is drawn, relative to the text's font size.
inline constexpr double superscript_scale = 0.7;
inline constexpr double superscript_rise = 0.42;

enum class Anchor : std::uint8_t { start, middle, end };

struct TextItem {
    std::vector<TextRun> runs;
    double x = 0;  // the anchor point on the baseline, in figure pixels
    double y = 0;
    double size = 12;
    double rotation = 0;  // degrees clockwise about (x, y)
    Anchor anchor = Anchor::middle;
    bool bold = false;
    Rgb color = default_ink;
};

// A one-pixel line in the default ink: an axis's tick mark, a colour bar's
// outline.
struct Line {
    double x1, y1, x2, y2;
};

struct Box {
    double left = 0;
    double top = 0;
    double width = 0;
    double height = 0;
};

// One heatmap trace: its cells and their labels, drawn from the statistic.
struct Heatmap {
    const TrajectoryStatistic* statistic = nullptr;
    const TextArray<2>* labels = nullptr;  // the cells' text; nullptr: none
    bool log_scale = false;
    // The values at the scale's ends, in the units of z (log10 on a log
    // scale); nullopt without any value to colour.
    std::optional<double> zmin;
    std::optional<double> zmax;
    ColorScale scale;
    Box area;  // the plotting area the cells fill
    double text_size = 12;
    bool bold_text = true;
    // The colour bar's gradient, zmin at the bottom; its labels and title are
    // in Scene::texts.
    std::optional<Box> colorbar;

    std::size_t rows() const noexcept { return statistic->n_layers(); }
    std::size_t columns() const noexcept { return statistic->seq_len(); }
    // Cell edges in figure pixels: column i spans [column_edge(i),
    // column_edge(i + 1)], layer 0 is the bottom row.
    double column_edge(std::size_t i) const noexcept;
    double row_top(std::size_t layer) const noexcept;
    double row_bottom(std::size_t layer) const noexcept;
    // The cell's colour, or nullopt for a gap (NaN, infinite, <= 0 on a log
    // scale) or without a colour range.
    std::optional<Rgb> cell_color(std::size_t layer, std::size_t position) const noexcept;
};

struct Scene {
    double width = 0;  // figure pixels, before the export's scale
    double height = 0;
    Rgb background = white;
    std::string title;  // the document's title (a PDF's metadata)
    std::vector<Heatmap> heatmaps;
    std::vector<Line> lines;
    std::vector<TextItem> texts;
};

// Lays out the figure of `plan` as plotly.js would draw it, following what
// the layout and traces hold after the caller's patches (sizes, margins,
// titles, colour scales and ranges, colour bar places). Throws Error
// (invalid_argument) when a trace holds what the renderer cannot draw: a
// colourscale it cannot read, or z replaced by a merge patch.
Scene layout_scene(const FigurePlan& plan);

}  // namespace trajplot::image
