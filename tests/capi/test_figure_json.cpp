// What a figure of one statistic holds: its heatmap trace (the trace JSON
// export) and the figure around it (the figure JSON export). Destinations:
// test_figure_destinations.cpp; pages: test_html_export.cpp.
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;
namespace {

constexpr float infinity = std::numeric_limits<float>::infinity();
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

json parse(const std::string& text) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << text;
    return parsed;
}

// The trace and the figure of a figure made with these options.
json heatmap(const trajplot_statistic* statistic, const trajplot_panel_options* panel = nullptr,
             const trajplot_figure_options* options = nullptr) {
    return parse(trace_json(statistic, panel, options));
}

json figure(const trajplot_statistic* statistic, const trajplot_panel_options* panel = nullptr,
            const trajplot_figure_options* options = nullptr) {
    return parse(figure_json(statistic, panel, options));
}

// Expects a colourscale stop [position, colour].
void expect_stop(const json& stop, double position, const std::string& color) {
    ASSERT_TRUE(stop.is_array() && stop.size() == 2) << stop;
    EXPECT_DOUBLE_EQ(stop[0].get<double>(), position);
    EXPECT_EQ(stop[1], color);
}

}  // namespace

TEST(CapiHeatmap, TraceStructure) {
    const std::vector<std::string> tokens = {"17", "54"};
    const auto token_pointers = c_strings(tokens);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = "nats";
    options.sequence_labels = token_pointers.data();
    options.sequence_label_count = token_pointers.size();
    const StatisticPtr statistic =
        make_statistic("Entropy", {0.5f, -2, not_a_number, 1.25f, infinity, 3}, 3, 2, &options);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());

    EXPECT_EQ(trace["type"], "heatmap");
    EXPECT_EQ(trace["z"], json::parse("[[0.5,-2],[null,1.25],[null,3]]"));
    EXPECT_EQ(trace["y"], json::parse(R"(["0","1","output"])"));
    EXPECT_EQ(trace["x"], json::parse(R"(["17","54"])"));
    // The colour range of the finite values, as a pair.
    ASSERT_TRUE(trace.contains("zmin") && trace.contains("zmax")) << trace;
    EXPECT_EQ(trace["zmin"].get<double>(), -2.0);
    EXPECT_EQ(trace["zmax"].get<double>(), 3.0);
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Entropy (nats)");
    EXPECT_EQ(trace["colorbar"]["title"]["side"], "right");
    EXPECT_EQ(trace_json(statistic.get()).find("titleside"), std::string::npos);
    // Without trajectory labels there is no cell text or hover table.
    EXPECT_FALSE(trace.contains("text"));
    EXPECT_FALSE(trace.contains("customdata"));
    // The default colourscale is rdbu_r, resolved to explicit stops.
    const json& scale = trace["colorscale"];
    ASSERT_TRUE(scale.is_array());
    ASSERT_EQ(scale.size(), 11u);
    expect_stop(scale[0], 0, "rgb(5,48,97)");
    expect_stop(scale[5], 0.5, "rgb(247,247,247)");
    expect_stop(scale[10], 1, "rgb(103,0,31)");
}

TEST(CapiHeatmap, NoUnitsNoSequenceLabels) {
    const StatisticPtr statistic = make_statistic("Rank", {1, 2}, 1, 2);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Rank");
    EXPECT_FALSE(trace.contains("x"));
    EXPECT_EQ(trace["y"], json::parse(R"(["output"])"));
}

TEST(CapiHeatmap, RepeatedTokensStayDistinctCategories) {
    const char* tokens[] = {"a", "a", "b", "a"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 4;
    const StatisticPtr statistic = make_statistic("x", {1, 2, 3, 4}, 1, 4, &options);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());
    ASSERT_EQ(trace["x"].size(), 4u);
    std::set<std::string> distinct;
    for (const json& category : trace["x"]) distinct.insert(category.get<std::string>());
    EXPECT_EQ(distinct.size(), 4u) << trace["x"];
    EXPECT_EQ(trace["x"][0], "a") << "the first occurrence is unchanged";
}

TEST(CapiHeatmap, ColourRangeOfTheStatistic) {
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.has_min = options.has_max = true;
    options.min = -10;
    options.max = 0.25f;
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2, &options);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());
    EXPECT_EQ(trace["zmin"].get<double>(), -10.0);
    EXPECT_EQ(trace["zmax"].get<double>(), 0.25);
}

TEST(CapiHeatmap, ClippedStatisticCarriesItsRange) {
    const StatisticPtr statistic = make_statistic("x", {-5, 0, 5}, 1, 3);
    ASSERT_TRUE(statistic);
    trajplot_statistic* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_clip(&created, statistic.get(), -1, 2));
    const StatisticPtr clipped(created);
    const json trace = heatmap(clipped.get());
    EXPECT_EQ(trace["z"], json::parse("[[-1,0,2]]"));
    EXPECT_EQ(trace["zmin"].get<double>(), -1.0);
    EXPECT_EQ(trace["zmax"].get<double>(), 2.0);
}

TEST(CapiHeatmap, NoFiniteValuesMeansNoColourRange) {
    const StatisticPtr statistic = make_statistic("x", {not_a_number, infinity, -infinity}, 1, 3);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());
    EXPECT_FALSE(trace.contains("zmin"));
    EXPECT_FALSE(trace.contains("zmax"));
    EXPECT_EQ(trace["z"], json::parse("[[null,null,null]]"));
}

TEST(CapiHeatmap, TrajectoryLabelsAndHoverTables) {
    const LabelsPtr labels = make_labels(2, 1, {"x", "y"}, {"ab", "c", "de", "f", "idk", "l", "mno", "p"}, 2, 2);
    ASSERT_TRUE(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels.get();
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 2, 1, &options);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());

    EXPECT_EQ(trace["text"], json::parse(R"([["x"],["y"]])"));
    EXPECT_EQ(trace["texttemplate"], "<b>%{text}</b>");

    char* hovertemplate = nullptr;
    char* customdata = nullptr;
    ASSERT_TRAJPLOT_OK(
        trajplot_labels_template_and_customdata(&hovertemplate, nullptr, &customdata, nullptr, labels.get(), 10));
    const StringPtr owned_template(hovertemplate), owned_customdata(customdata);
    EXPECT_EQ(trace["hovertemplate"], hovertemplate);
    EXPECT_EQ(trace["customdata"], json::parse(customdata));
    EXPECT_EQ(trace["customdata"], json::parse(R"([[["  ab"," c","  de"," f"]],[[" idk"," l"," mno"," p"]]])"));
    EXPECT_EQ(trace["hoverlabel"]["bgcolor"], "rgb(42, 42, 50)");
    EXPECT_EQ(trace["hoverlabel"]["font"]["family"], "Monospace");
}

TEST(CapiHeatmap, LabelsWithoutHoverHaveNoHoverTemplate) {
    const LabelsPtr labels = make_labels(1, 2, {"p", "q"});
    ASSERT_TRUE(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels.get();
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2, &options);
    ASSERT_TRUE(statistic);
    const json trace = heatmap(statistic.get());
    EXPECT_EQ(trace["text"], json::parse(R"([["p","q"]])"));
    EXPECT_FALSE(trace.contains("customdata"));
    EXPECT_FALSE(trace.contains("hovertemplate"));
}

TEST(CapiHeatmap, ColorscaleNamesAreCaseInsensitiveAndReversible) {
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2);
    ASSERT_TRUE(statistic);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.colorscale = "RdBu";
    const json forward = heatmap(statistic.get(), &panel)["colorscale"];
    ASSERT_EQ(forward.size(), 11u);
    expect_stop(forward[0], 0, "rgb(103,0,31)");
    expect_stop(forward[10], 1, "rgb(5,48,97)");
    panel.colorscale = "RDBU_R";
    const json reversed = heatmap(statistic.get(), &panel)["colorscale"];
    expect_stop(reversed[0], 0, "rgb(5,48,97)");
    panel.colorscale = "Viridis";
    const json viridis = heatmap(statistic.get(), &panel)["colorscale"];
    expect_stop(viridis[0], 0, "#440154");
}

TEST(CapiHeatmap, ExtraJsonIsAMergePatch) {
    const LabelsPtr labels = make_labels(1, 2, {"p", "q"}, {"h", "i"}, 1, 1);
    ASSERT_TRUE(labels);
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.trajectory_labels = labels.get();
    statistic_options.units = "bits";
    const StatisticPtr statistic = make_statistic("KL", {1, 2}, 1, 2, &statistic_options);
    ASSERT_TRUE(statistic);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json =
        R"({"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}, "hoverlabel": null,
            "name": "<i>kept</i>"})";
    const json trace = heatmap(statistic.get(), &panel);
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "KL (bits)") << "the patch keeps the colour bar title";
    EXPECT_EQ(trace["colorbar"]["title"]["side"], "right");
    EXPECT_DOUBLE_EQ(trace["colorbar"]["len"].get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(trace["colorbar"]["y"].get<double>(), 0.89);
    EXPECT_EQ(trace["textfont"]["size"], 10);
    EXPECT_FALSE(trace.contains("hoverlabel")) << "null removes a member";
    EXPECT_EQ(trace["name"], "<i>kept</i>") << "extra text is written as given";
    EXPECT_EQ(trace["type"], "heatmap");
}

TEST(CapiHeatmap, LogScale) {
    const StatisticPtr statistic = make_statistic("Rank", {1, 10, 100, 0, -1, not_a_number}, 2, 3);
    ASSERT_TRUE(statistic);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.log_scale = true;
    const json trace = heatmap(statistic.get(), &panel);
    EXPECT_EQ(trace["z"], json::parse("[[0,1,2],[null,null,null]]"));
    EXPECT_EQ(trace["zmin"].get<double>(), 0.0);
    EXPECT_EQ(trace["zmax"].get<double>(), 2.0);
    const json& colorbar = trace["colorbar"];
    EXPECT_EQ(colorbar["tickmode"], "array");
    EXPECT_EQ(colorbar["ticktext"], json::parse(R"(["10<sup>0</sup>","10<sup>1</sup>","10<sup>2</sup>"])"));
    ASSERT_EQ(colorbar["tickvals"].size(), 3u);
    EXPECT_EQ(colorbar["title"]["text"], "Rank") << "log scale keeps the title";
}

TEST(CapiHeatmap, LengthIsReportedAndOptional) {
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2);
    ASSERT_TRUE(statistic);
    const FigurePtr figure = make_figure(statistic.get());
    ASSERT_TRUE(figure);
    const trajplot_export_options trace = export_options(TRAJPLOT_FORMAT_TRACE_JSON);
    char* out = nullptr;
    std::size_t len = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_figure_export(&out, &len, figure.get(), &trace));
    StringPtr owned(out);
    EXPECT_EQ(len, std::strlen(out));
    EXPECT_EQ(out[0], '{');
    ASSERT_TRAJPLOT_OK(trajplot_figure_export(&out, nullptr, figure.get(), nullptr));
    owned.reset(out);
    EXPECT_EQ(std::string(out, 9), "{\"data\":[") << "NULL options export the figure JSON";
}

// ---------------------------------------------------------------------------
// Figure

TEST(CapiFigure, CellTextIsSizedForTheCellsOfTheFigure) {
    const LabelsPtr labels = make_labels(1, 7, {"<|endoftext|>", "a", "b", "c", "d", "e", "f"});
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.trajectory_labels = labels.get();
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(1, 7), 1, 7, &statistic_options);
    ASSERT_TRUE(statistic);
    // The trace carries the size its figure's cells give it: the same with
    // the trace alone, smaller in narrower columns.
    EXPECT_EQ(figure(statistic.get())["data"][0]["textfont"]["size"], 9);
    EXPECT_EQ(heatmap(statistic.get())["textfont"]["size"], 9);
    trajplot_figure_options narrow = TRAJPLOT_FIGURE_OPTIONS_INIT;
    narrow.token_width = 60;
    EXPECT_EQ(heatmap(statistic.get(), nullptr, &narrow)["textfont"]["size"], 7);
    EXPECT_EQ(figure(statistic.get(), nullptr, &narrow)["data"][0], heatmap(statistic.get(), nullptr, &narrow));
    trajplot_panel_options sized = TRAJPLOT_PANEL_OPTIONS_INIT;
    sized.extra_json = R"({"textfont": {"size": 11}})";
    EXPECT_EQ(heatmap(statistic.get(), &sized)["textfont"]["size"], 11);
    EXPECT_EQ(heatmap(statistic.get(), &sized, &narrow)["textfont"]["size"], 11);
}

TEST(CapiFigure, HoverValueShowsTheValueWithNameAndUnits) {
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.units = "nats";
    const StatisticPtr statistic = make_statistic("Entropy", {0.5f, 2.25f}, 1, 2, &statistic_options);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.hover_value = true;
    const json trace = heatmap(statistic.get(), &panel);
    EXPECT_EQ(trace["hovertemplate"], "Entropy: %{customdata[0]} nats<extra></extra>");
    EXPECT_EQ(trace["customdata"], json::parse(R"([[["0.5"], ["2.25"]]])"));
    EXPECT_FALSE(heatmap(statistic.get()).contains("customdata"));
}

TEST(CapiFigure, Structure) {
    const char* tokens[] = {"1", "2", "3"};
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.sequence_labels = tokens;
    statistic_options.sequence_label_count = 3;
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(4, 3), 4, 3, &statistic_options);
    ASSERT_TRUE(statistic);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "Entropy by layer";
    options.token_width = 37;
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.colorscale = "viridis";
    const json document = figure(statistic.get(), &panel, &options);

    ASSERT_TRUE(document["data"].is_array());
    ASSERT_EQ(document["data"].size(), 1u);
    EXPECT_EQ(document["data"][0], heatmap(statistic.get(), &panel, &options));
    expect_stop(document["data"][0]["colorscale"][0], 0, "#440154");
    const json& layout = document["layout"];
    EXPECT_EQ(layout["title"]["text"], "Entropy by layer");
    EXPECT_DOUBLE_EQ(layout["title"]["x"].get<double>(), 0.5);
    EXPECT_EQ(layout["width"], 200 + 37 * 3);
    EXPECT_EQ(layout["xaxis"]["title"]["text"], "Input");
    EXPECT_EQ(layout["yaxis"]["title"]["text"], "Layer");
    // Numeric labels must stay categories.
    EXPECT_EQ(layout["xaxis"]["type"], "category");
    EXPECT_EQ(layout["yaxis"]["type"], "category");
}

TEST(CapiFigure, Defaults) {
    const StatisticPtr statistic = make_statistic("x", numbered_stats(2, 5), 2, 5);
    ASSERT_TRUE(statistic);
    const json document = figure(statistic.get());
    EXPECT_EQ(document["layout"]["width"], 200 + 80 * 5);
    EXPECT_EQ(document["layout"]["title"]["text"], "");
    expect_stop(document["data"][0]["colorscale"][0], 0, "rgb(5,48,97)");
}

TEST(CapiFigure, TokenWidthOfOne) {
    const StatisticPtr statistic = make_statistic("x", numbered_stats(1, 7), 1, 7);
    ASSERT_TRUE(statistic);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.token_width = 1;
    EXPECT_EQ(figure(statistic.get(), nullptr, &options)["layout"]["width"], 207);
}

TEST(CapiFigure, StridedStatisticDrawsTheKeptLayers) {
    const StatisticPtr statistic = make_statistic("x", numbered_stats(5, 1), 5, 1);
    ASSERT_TRUE(statistic);
    trajplot_statistic* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_stride(&created, statistic.get(), 3));
    const StatisticPtr strided(created);
    const json trace = figure(strided.get())["data"][0];
    EXPECT_EQ(trace["y"], json::parse(R"(["0","3","output"])"));
    EXPECT_EQ(trace["z"], json::parse("[[0],[30],[40]]"));
}

TEST(CapiFigure, PanelTitleBelongsToStackedPanelsOnly) {
    // A figure of one statistic has the figure's title; a panel title does
    // not change it, nor the trace.
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(2, 2), 2, 2);
    ASSERT_TRUE(statistic);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.title = "a panel title";
    EXPECT_EQ(figure_json(statistic.get(), &panel), figure_json(statistic.get()));
    EXPECT_EQ(trace_json(statistic.get(), &panel), trace_json(statistic.get()));
}

TEST(CapiFigure, VerticalSpacingAndEqualHeightsBelongToStackedFiguresOnly) {
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(2, 2), 2, 2);
    ASSERT_TRUE(statistic);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.has_vertical_spacing = true;
    options.vertical_spacing = 0.5;
    options.equal_panel_heights = true;
    EXPECT_EQ(figure_json(statistic.get(), nullptr, &options), figure_json(statistic.get()));
}

TEST(CapiFigure, EmptyExtraJsonAndNullColorscaleAreTheDefaults) {
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(2, 2), 2, 2);
    ASSERT_TRUE(statistic);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = "";
    EXPECT_EQ(figure_json(statistic.get(), &panel), figure_json(statistic.get()));
    panel.extra_json = "{}";
    EXPECT_EQ(figure_json(statistic.get(), &panel), figure_json(statistic.get()));
    panel.extra_json = nullptr;
    panel.colorscale = "rdbu_r";
    EXPECT_EQ(figure_json(statistic.get(), &panel), figure_json(statistic.get()));
    panel.colorscale = "rdbu";
    EXPECT_NE(figure_json(statistic.get(), &panel), figure_json(statistic.get()));
}
