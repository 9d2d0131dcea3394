// Plotly figures of a TrajectoryStatistic: the heatmap trace and the figure
// around it, written as JSON by a streaming writer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>

#include "trajplot/model.hpp"

namespace trajplot {

struct HeatmapOptions {
    std::string colorscale = "rdbu_r";
    bool log_scale = false;
    // A JSON object merged into the trace as an RFC 7386 merge patch (the
    // reference's **kwargs); empty for none. Unless it sets textfont.size,
    // or a texttemplate of its own, cell text is sized to fit the cells.
    std::string extra_json{};
    // Shows the cell's value, with the statistic's name and units, above
    // the hover table ("Entropy: 2.718 nats"); off, the hover box is the
    // reference's.
    bool hover_value = false;
};

struct FigureOptions {
    std::string title{};
    std::size_t token_width = 80;
    std::size_t height = 0;  // pixels; 0 leaves it to Plotly (450)
    HeatmapOptions heatmap{};
};

// Writes the heatmap trace of `statistic` as a JSON object to `out`. Options
// are checked before anything is written. Its cell text is sized for the
// cells of the figure trajplot draws around it: by default, or with the
// token width and height of `figure` (whose heatmap options are the
// trace's).
void write_heatmap_json(std::ostream& out, const TrajectoryStatistic& statistic,
                        const HeatmapOptions& options = {});
void write_heatmap_json(std::ostream& out, const TrajectoryStatistic& statistic, const FigureOptions& figure);
std::string heatmap_json(const TrajectoryStatistic& statistic, const HeatmapOptions& options = {});
std::string heatmap_json(const TrajectoryStatistic& statistic, const FigureOptions& figure);

// Writes the figure {"data": [trace], "layout": {...}} as JSON to `out`.
void write_figure_json(std::ostream& out, const TrajectoryStatistic& statistic,
                       const FigureOptions& options = {});
std::string figure_json(const TrajectoryStatistic& statistic, const FigureOptions& options = {});

// One panel of a stacked figure: a statistic with its own colour scale,
// range and colour bar.
struct Panel {
    const TrajectoryStatistic& statistic;
    std::optional<std::string> title{};  // over the panel; nullopt: the statistic's name
    HeatmapOptions heatmap{};
};

// Several statistics of one sequence stacked top to bottom, as tuned-lens's
// tutorial draws them with make_subplots: one x axis of input tokens, its
// labels under the bottom panel only, zooming one panel zooms all.
struct StackedFigureOptions {
    std::string title{};
    std::size_t token_width = 80;
    // Total pixels; 0: 150 + 250 per panel.
    std::size_t height = 0;
    // Gap between panels as a fraction of the plotting area's height, in
    // [0, 1 / (panels - 1)); nullopt: 0.3 / panels, as make_subplots.
    std::optional<double> vertical_spacing{};
    // Panels share the height in proportion to their rows (each at least
    // 90 pixels while there is room), so that every panel's cells are about
    // as tall; true: all panels the same height.
    bool equal_panel_heights = false;
};

// Panels must have the same seq_len, and the same sequence labels where
// they have any (layer counts may differ). Throws Error naming the panel
// otherwise, before writing anything.
void write_stacked_figure_json(std::ostream& out, std::span<const Panel> panels,
                               const StackedFigureOptions& options = {});
std::string stacked_figure_json(std::span<const Panel> panels, const StackedFigureOptions& options = {});
void save_stacked_figure_json(const std::filesystem::path& path, std::span<const Panel> panels,
                              const StackedFigureOptions& options = {});

// The customdata of template_and_customdata as a JSON array
// n_layers x seq_len x (rows * cols) of the padded entries, unescaped.
std::string customdata_json(const HoverTemplate& hover);

// Streams the JSON into `path`, replacing it atomically: a failure leaves no
// partial file and any earlier file intact.
void save_heatmap_json(const std::filesystem::path& path, const TrajectoryStatistic& statistic,
                       const HeatmapOptions& options = {});
void save_heatmap_json(const std::filesystem::path& path, const TrajectoryStatistic& statistic,
                       const FigureOptions& figure);
void save_figure_json(const std::filesystem::path& path, const TrajectoryStatistic& statistic,
                      const FigureOptions& options = {});

}  // namespace trajplot
