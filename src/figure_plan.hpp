// How the figure builder plans a figure before writing it, shared by the
// JSON and HTML writers. Everything that can fail on the options fails
// while planning, before the first byte is written.
#pragma once

#include <cstddef>
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
    std::vector<std::size_t> hover_widths;
};

struct FigurePlan {
    HeatmapPlan heatmap;
    JsonValue layout;
};

HeatmapPlan plan_heatmap(const TrajectoryStatistic& statistic, const HeatmapOptions& options);
FigurePlan plan_figure(const TrajectoryStatistic& statistic, const FigureOptions& options);

// `statistic` must be the one the plan was made for.
void write_trace(JsonWriter& writer, const TrajectoryStatistic& statistic, const HeatmapPlan& plan);
void write_figure(JsonWriter& writer, const TrajectoryStatistic& statistic, const FigurePlan& plan);

}  // namespace trajplot
