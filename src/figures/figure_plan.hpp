// How the figure builder plans a figure before writing it: the small
// attributes as JSON, with placeholders for the large arrays that the
// writer streams from the statistics. Everything that can fail on the
// options fails while planning, before the first byte is written.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "json_value.hpp"
#include "json_writer.hpp"
#include "trajplot/figure.hpp"

namespace trajplot {

// The large arrays of a trace are not built as JSON: the trace holds a
// placeholder naming the array, which the writer replaces with the array
// streamed from the statistic. A merge patch that touches such a key
// replaces the placeholder like any other value.
enum Placeholder : std::uint8_t { x_labels, y_labels, z_values, cell_text, hover_customdata };

// A heatmap trace: its small attributes as JSON, with placeholders for the
// arrays streamed from the statistic.
struct HeatmapPlan {
    JsonValue trace;
    bool log_scale = false;
    bool hover_value = false;  // customdata ends with each cell's value
    std::vector<std::size_t> hover_widths;
    // The x categories; null: none (Plotly numbers the positions). A stacked
    // figure gives every panel the same ones.
    const TextArray<1>* x_labels = nullptr;
};

struct PlannedTrace {
    const TrajectoryStatistic* statistic;
    HeatmapPlan heatmap;
};

// Plans hold pointers to the statistics they were made from, which must
// outlive them.
struct FigurePlan {
    std::vector<PlannedTrace> traces;
    JsonValue layout;
    std::string page_title;  // for an HTML page's <title>, unescaped
};

// The size of one cell in pixels, for sizing the text in it.
struct CellBox {
    double width;
    double height;
};

// z of a log-scale trace: log10 of positive finite values, else a gap.
inline float log10_value(float value) {
    return value > 0 && std::isfinite(value) ? static_cast<float>(std::log10(static_cast<double>(value)))
                                             : std::numeric_limits<float>::quiet_NaN();
}

// The trace of `statistic` drawn in cells of `cell`.
HeatmapPlan plan_heatmap(const TrajectoryStatistic& statistic, const PanelOptions& options, const CellBox& cell);
FigurePlan plan_single_figure(const TrajectoryStatistic& statistic, const PanelOptions& panel,
                              const FigureOptions& options);
FigurePlan plan_stacked_figure(std::span<const Panel> panels, const FigureOptions& options);

// `statistic` must be the one the plan was made for.
void write_trace(JsonWriter& writer, const TrajectoryStatistic& statistic, const HeatmapPlan& plan);
void write_figure(JsonWriter& writer, const FigurePlan& plan);

}  // namespace trajplot
