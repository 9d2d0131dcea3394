#include "figure_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trajplot::geometry {
namespace {

// plotly.js places a colour bar at x = 1.02 of the plotting width, past the
// area's right edge, and widens the right margin until the bar, its tick
// labels and its title fit: about this many pixels beyond that 2 %
// (measured in Chromium on trajplot's figures; a little generous, so that
// text sized by it fits).
constexpr double colorbar_extent = 105;
constexpr double colorbar_offset = colorbar_x - 1;

// plotly.js's heatmap text rule (traces/heatmap/plot.js): a character is
// taken as LINE_SPACING / 2 of the font size wide, a line as LINE_SPACING.
constexpr double line_spacing = 1.3;
constexpr double character_width = line_spacing / 2;

}  // namespace

double plot_width(double figure_width) {
    return plot_width(figure_width, default_margin_left, default_margin_right, true);
}

double plot_width(double figure_width, double margin_left, double margin_right, bool colorbar) {
    const double within_margins = figure_width - margin_left - margin_right;
    if (!colorbar) return std::max(1.0, within_margins);
    const double beside_colorbar = (figure_width - margin_left - colorbar_extent) / (1 + colorbar_offset);
    return std::max(1.0, std::min(beside_colorbar, within_margins));
}

double plot_height(double figure_height, double margin_top) {
    return std::max(1.0, figure_height - margin_top - default_margin_bottom);
}

int cell_text_size(std::size_t code_points, double cell_width, double cell_height) {
    double size = default_font_size;
    if (code_points > 0) size = std::min(size, cell_width / (static_cast<double>(code_points) * character_width));
    size = std::min(size, cell_height / line_spacing);
    return std::clamp(static_cast<int>(std::floor(size)), min_cell_text_size, default_font_size);
}

std::vector<double> panel_heights(std::span<const std::size_t> rows, double available, bool equal) {
    const std::size_t count = rows.size();
    std::vector<double> heights(count, count ? available / static_cast<double>(count) : 0.0);
    if (equal || count < 2) return heights;
    const double floor_height = std::min(min_panel_height, available / static_cast<double>(count));
    // Panels whose share by rows falls below the floor get the floor; the
    // rest share what is left by rows, until no share falls below it.
    std::vector<bool> at_floor(count, false);
    while (true) {
        double free_rows = 0;
        double free_height = available;
        for (std::size_t i = 0; i < count; ++i) {
            if (at_floor[i]) {
                free_height -= floor_height;
            } else {
                free_rows += static_cast<double>(rows[i]);
            }
        }
        bool changed = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (at_floor[i]) continue;
            heights[i] = free_height * static_cast<double>(rows[i]) / free_rows;
            if (heights[i] < floor_height) {
                at_floor[i] = true;
                heights[i] = floor_height;
                changed = true;
            }
        }
        if (!changed) return heights;
    }
}

}  // namespace trajplot::geometry
