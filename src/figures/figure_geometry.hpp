// Where plotly.js draws the parts of trajplot's figures, worked out from the
// layout trajplot writes the way plotly.js lays it out. The figure builder
// needs it for what plotly.js would size badly by itself: the text in the
// cells (plotly.js measures labels as written in the JSON, markup included)
// and the share of a stacked figure's height each panel gets.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace trajplot::geometry {

// plotly.js's defaults for a layout that does not set them.
inline constexpr double default_margin_left = 80;
inline constexpr double default_margin_right = 80;
inline constexpr double default_margin_top = 100;
inline constexpr double default_margin_bottom = 80;
inline constexpr double default_height = 450;
inline constexpr int default_font_size = 12;

// A stacked figure without a title keeps only this much above its top
// panel: room for that panel's title.
inline constexpr double untitled_stack_margin_top = 50;

// Cell text is never sized below this many pixels. Smaller text cannot be
// read: a cell too small for it needs a wider token width or a taller
// figure, and text that overflows its cell says so more plainly than
// specks.
inline constexpr int min_cell_text_size = 6;

// A stacked panel is at least this tall (pixels) while the figure has room
// for it: enough for its colour bar to show ticks, whatever its rows.
inline constexpr double min_panel_height = 90;

// The width of the plotting area of a figure `figure_width` pixels wide with
// a colour bar on the right.
double plot_width(double figure_width);
// The same with the given margins, or without a colour bar.
double plot_width(double figure_width, double margin_left, double margin_right, bool colorbar);

// Where plotly.js puts a vertical colour bar: `colorbar_x` of the plotting
// width from its left edge, plus colorbar_pad pixels; colorbar_thickness
// pixels wide, and colorbar_pad pixels shorter than its length at each end.
inline constexpr double colorbar_x = 1.02;
inline constexpr double colorbar_pad = 10;
inline constexpr double colorbar_thickness = 30;

// The plotting area's height: the figure's height less the top and bottom
// margins.
double plot_height(double figure_height, double margin_top);

// The font size (pixels) for cell text whose longest label has
// `code_points` code points in cells of the given size: plotly.js's own
// rule (a character is about 0.65 of the font size wide, a line 1.3 of it
// tall, never above the layout's 12 px) applied to the text people see,
// and never below min_cell_text_size.
int cell_text_size(std::size_t code_points, double cell_width, double cell_height);

// Heights (pixels) of panels with `rows` rows each sharing `available`
// pixels: in proportion to their rows, each at least min_panel_height (or
// an equal share when there is no room for that); with `equal`, all the
// same.
std::vector<double> panel_heights(std::span<const std::size_t> rows, double available, bool equal);

}  // namespace trajplot::geometry
