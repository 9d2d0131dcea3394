// The colour range a heatmap trace writes (zmin, zmax): the statistic's
// bounds where set, else the extremes of its finite values; never empty or
// reversed, which plotly.js would ignore.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core_test_support.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/model.hpp"

namespace {

using nlohmann::ordered_json;
using trajplot::ExportOptions;
using trajplot::Figure;
using trajplot::Format;
using trajplot::PanelOptions;
using trajplot::TrajectoryStatistic;
using trajplot_test::fields_with;
using trajplot_test::inf_value;
using trajplot_test::labelled_statistic;
using trajplot_test::nan_value;
using trajplot_test::statistic_of;

// The heatmap trace of the figure of `statistic`.
ordered_json heatmap(const TrajectoryStatistic& statistic, const PanelOptions& panel = {}) {
    return ordered_json::parse(Figure(statistic, panel).to_string(ExportOptions{Format::trace_json}));
}

std::pair<double, double> range_of(const ordered_json& trace) {
    return {trace.at("zmin").get<double>(), trace.at("zmax").get<double>()};
}

PanelOptions log_scale() {
    PanelOptions options;
    options.log_scale = true;
    return options;
}

TEST(HeatmapRange, ExplicitMinAndMax) {
    TrajectoryStatistic::Fields fields = fields_with({{0.0f, 10.0f}});
    fields.min = -2.5f;
    fields.max = 4.0f;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(trace.at("zmin").get<double>(), -2.5);
    EXPECT_EQ(trace.at("zmax").get<double>(), 4.0);
}

TEST(HeatmapRange, FiniteExtremesIgnoringNanAndInfinity) {
    const ordered_json trace = heatmap(statistic_of({{nan_value, 3.5f, -inf_value}, {-1.25f, inf_value, 2.0f}}));
    EXPECT_EQ(trace.at("zmin").get<double>(), -1.25);
    EXPECT_EQ(trace.at("zmax").get<double>(), 3.5);
}

TEST(HeatmapRange, OneBoundGivenTheOtherFromTheData) {
    TrajectoryStatistic::Fields only_min = fields_with({{1.0f, 7.0f, nan_value}});
    only_min.min = 0.0f;
    const ordered_json with_min = heatmap(TrajectoryStatistic(std::move(only_min)));
    EXPECT_EQ(with_min.at("zmin").get<double>(), 0.0);
    EXPECT_EQ(with_min.at("zmax").get<double>(), 7.0);

    TrajectoryStatistic::Fields only_max = fields_with({{1.0f, 7.0f, -inf_value}});
    only_max.max = 10.0f;
    const ordered_json with_max = heatmap(TrajectoryStatistic(std::move(only_max)));
    EXPECT_EQ(with_max.at("zmin").get<double>(), 1.0);
    EXPECT_EQ(with_max.at("zmax").get<double>(), 10.0);
}

TEST(HeatmapRange, AbsentWhenEveryValueIsNonFinite) {
    const ordered_json trace = heatmap(statistic_of({{nan_value, inf_value}, {-inf_value, nan_value}}));
    EXPECT_FALSE(trace.contains("zmin")) << trace.dump();
    EXPECT_FALSE(trace.contains("zmax")) << trace.dump();
}

TEST(HeatmapRange, AlwaysBothOrNeither) {
    const std::vector<TrajectoryStatistic> statistics = {
        statistic_of({{1.0f}}),
        statistic_of({{nan_value}}),
        statistic_of({{nan_value, 2.0f}}),
        labelled_statistic(),
    };
    for (const TrajectoryStatistic& statistic : statistics) {
        for (const bool log_scale : {false, true}) {
            PanelOptions options;
            options.log_scale = log_scale;
            const ordered_json trace = heatmap(statistic, options);
            EXPECT_EQ(trace.contains("zmin"), trace.contains("zmax")) << trace.dump();
        }
    }
}

TEST(HeatmapRange, AConstantStatisticWidensByAHalfEitherWayAsPlotlyJsWould) {
    EXPECT_EQ(range_of(heatmap(statistic_of({{2.5f}}))), std::make_pair(2.0, 3.0));
    EXPECT_EQ(range_of(heatmap(statistic_of({{0.0f, 0.0f}, {nan_value, 0.0f}}))), std::make_pair(-0.5, 0.5));
    // On a log scale the half is in decades, around log10 of the value.
    const auto [low, high] = range_of(heatmap(statistic_of({{100.0f, 100.0f}}), log_scale()));
    EXPECT_DOUBLE_EQ(low, 1.5);
    EXPECT_DOUBLE_EQ(high, 2.5);
}

TEST(HeatmapRange, ASetBoundBeyondTheDataKeepsItsPlace) {
    TrajectoryStatistic::Fields above = fields_with({{1.0f, 4.0f}});
    above.min = 5.0f;
    EXPECT_EQ(range_of(heatmap(TrajectoryStatistic(std::move(above)))), std::make_pair(5.0, 6.0));

    TrajectoryStatistic::Fields below = fields_with({{1.0f, 4.0f}});
    below.max = 0.5f;
    EXPECT_EQ(range_of(heatmap(TrajectoryStatistic(std::move(below)))), std::make_pair(-0.5, 0.5));

    // A bound equal to the data's only value is beyond it too.
    TrajectoryStatistic::Fields equal = fields_with({{3.0f}});
    equal.min = 3.0f;
    EXPECT_EQ(range_of(heatmap(TrajectoryStatistic(std::move(equal)))), std::make_pair(3.0, 4.0));

    TrajectoryStatistic::Fields log_above = fields_with({{1.0f, 10.0f}});
    log_above.min = 1000.0f;
    const auto [low, high] = range_of(heatmap(TrajectoryStatistic(std::move(log_above)), log_scale()));
    EXPECT_DOUBLE_EQ(low, 3.0);
    EXPECT_DOUBLE_EQ(high, 4.0);
}

TEST(HeatmapRange, FarFromZeroTheRangeStaysNonEmpty) {
    for (const float value : {1e20f, -3e38f, 3.4028235e38f}) {
        const auto [low, high] = range_of(heatmap(statistic_of({{value, value}})));
        EXPECT_LT(low, high) << value;
        EXPECT_LE(low, value);
        EXPECT_GE(high, value);
    }
    TrajectoryStatistic::Fields above = fields_with({{1.0f}});
    above.min = 3e38f;
    const auto [low, high] = range_of(heatmap(TrajectoryStatistic(std::move(above))));
    EXPECT_EQ(low, 3e38);  // the bound as written: its shortest decimal
    EXPECT_LT(low, high);
}

TEST(HeatmapRange, NeverEmptyOrReversed) {
    std::vector<TrajectoryStatistic> statistics;
    statistics.push_back(statistic_of({{1.0f}}));
    statistics.push_back(statistic_of({{-7.0f, nan_value}, {-7.0f, inf_value}}));
    statistics.push_back(labelled_statistic());
    for (const float bound : {-10.0f, 0.5f, 1.0f, 2.0f, 10.0f}) {
        TrajectoryStatistic::Fields with_min = fields_with({{1.0f, 2.0f}});
        with_min.min = bound;
        statistics.emplace_back(std::move(with_min));
        TrajectoryStatistic::Fields with_max = fields_with({{1.0f, 2.0f}});
        with_max.max = bound;
        statistics.emplace_back(std::move(with_max));
    }
    for (const TrajectoryStatistic& statistic : statistics) {
        for (const bool log : {false, true}) {
            if (log && ((statistic.min() && *statistic.min() <= 0) || (statistic.max() && *statistic.max() <= 0))) {
                continue;  // refused: a log scale needs positive bounds
            }
            const ordered_json trace = heatmap(statistic, log ? log_scale() : PanelOptions{});
            if (!trace.contains("zmin")) continue;  // no positive value to draw on a log scale
            const auto [low, high] = range_of(trace);
            EXPECT_LT(low, high) << trace.dump();
        }
    }
}

}  // namespace
