// How the figure builder plans a figure before writing it, shared by the
// JSON and HTML writers. Everything that can fail on the options fails
// while planning, before the first byte is written.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "json_value.hpp"
#include "json_writer.hpp"
#include "trajplot/figure.hpp"

namespace trajplot {

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

// The trace of `statistic` drawn in cells of `cell`.
HeatmapPlan plan_heatmap(const TrajectoryStatistic& statistic, const HeatmapOptions& options, const CellBox& cell);
// The trace of figure plan_figure(statistic, options), alone.
HeatmapPlan plan_trace(const TrajectoryStatistic& statistic, const FigureOptions& options);
FigurePlan plan_figure(const TrajectoryStatistic& statistic, const FigureOptions& options);
FigurePlan plan_stacked_figure(std::span<const Panel> panels, const StackedFigureOptions& options);

// `statistic` must be the one the plan was made for.
void write_trace(JsonWriter& writer, const TrajectoryStatistic& statistic, const HeatmapPlan& plan);
void write_figure(JsonWriter& writer, const FigurePlan& plan);

}  // namespace trajplot
