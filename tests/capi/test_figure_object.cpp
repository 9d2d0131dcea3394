// The figure object: its options structs, making it from one statistic or
// stacked, its shape, what NULL options stand for, and its lifetime apart
// from the statistics it was made of.
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;

namespace {

json parse(const std::string& text) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << text.substr(0, 200);
    return parsed;
}

// Every export of a figure that a test compares: figure JSON, the trace
// (for a figure of one statistic), and a page that loads no plotly.js (so
// that it does not depend on the local copy).
struct Exports {
    std::string figure;
    std::string trace;
    std::string page;
    bool operator==(const Exports&) const = default;
};

Exports exports_of(const trajplot_figure* figure, bool stacked) {
    Exports result;
    result.figure = export_string(figure, TRAJPLOT_FORMAT_FIGURE_JSON);
    if (!stacked) result.trace = export_string(figure, TRAJPLOT_FORMAT_TRACE_JSON);
    trajplot_export_options page = export_options(TRAJPLOT_FORMAT_HTML);
    page.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    result.page = export_string(figure, &page);
    return result;
}

// A statistic with every part a figure draws: units, sequence labels, cell
// labels with hover tables, a colour range.
StatisticPtr full_statistic(const char* name, std::size_t n_layers) {
    std::vector<std::string> cells, hover;
    for (std::size_t i = 0; i < n_layers * 3; ++i) {
        cells.push_back(std::string("c").append(std::to_string(i)));
        hover.push_back(std::string("tok").append(std::to_string(i)));
        hover.push_back(std::to_string(i) + ".00%");
    }
    const LabelsPtr labels = make_labels(n_layers, 3, cells, hover, 1, 2);
    const char* tokens[] = {"<s>", "The", "cat"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = "nats";
    options.sequence_labels = tokens;
    options.sequence_label_count = 3;
    options.trajectory_labels = labels.get();
    options.has_min = options.has_max = true;
    options.min = 1;
    options.max = 40;
    // The statistic keeps its own reference to the labels.
    return make_statistic(name, numbered_stats(n_layers, 3), n_layers, 3, &options);
}

}  // namespace

// ---------------------------------------------------------------------------
// Options structs

TEST(CapiFigureOptions, PanelOptionsInitMatchesTheMacro) {
    const trajplot_panel_options expected = TRAJPLOT_PANEL_OPTIONS_INIT;
    trajplot_panel_options options;
    std::memset(&options, 0xAB, sizeof options);
    ASSERT_TRAJPLOT_OK(trajplot_panel_options_init(&options, TRAJPLOT_PANEL_OPTIONS_VERSION));
    EXPECT_EQ(options.version, expected.version);
    EXPECT_EQ(options.title, expected.title);
    EXPECT_EQ(options.colorscale, expected.colorscale);
    EXPECT_EQ(options.extra_json, expected.extra_json);
    EXPECT_EQ(options.log_scale, expected.log_scale);
    EXPECT_EQ(options.hover_value, expected.hover_value);
    // The documented defaults.
    EXPECT_EQ(options.version, static_cast<unsigned>(TRAJPLOT_PANEL_OPTIONS_VERSION));
    EXPECT_EQ(options.title, nullptr);
    EXPECT_EQ(options.colorscale, nullptr);
    EXPECT_EQ(options.extra_json, nullptr);
    EXPECT_FALSE(options.log_scale);
    EXPECT_FALSE(options.hover_value);
}

TEST(CapiFigureOptions, FigureOptionsInitMatchesTheMacro) {
    const trajplot_figure_options expected = TRAJPLOT_FIGURE_OPTIONS_INIT;
    trajplot_figure_options options;
    std::memset(&options, 0xAB, sizeof options);
    ASSERT_TRAJPLOT_OK(trajplot_figure_options_init(&options, TRAJPLOT_FIGURE_OPTIONS_VERSION));
    EXPECT_EQ(options.version, expected.version);
    EXPECT_EQ(options.title, expected.title);
    EXPECT_EQ(options.token_width, expected.token_width);
    EXPECT_EQ(options.height, expected.height);
    EXPECT_EQ(options.vertical_spacing, expected.vertical_spacing);
    EXPECT_EQ(options.has_vertical_spacing, expected.has_vertical_spacing);
    EXPECT_EQ(options.equal_panel_heights, expected.equal_panel_heights);
    EXPECT_EQ(options.version, static_cast<unsigned>(TRAJPLOT_FIGURE_OPTIONS_VERSION));
    EXPECT_EQ(options.title, nullptr);
    EXPECT_EQ(options.token_width, 80u);
    EXPECT_EQ(options.height, 0u);
    EXPECT_FALSE(options.has_vertical_spacing);
    EXPECT_FALSE(options.equal_panel_heights);
}

TEST(CapiFigureOptions, ExportOptionsInitMatchesTheMacro) {
    const trajplot_export_options expected = TRAJPLOT_EXPORT_OPTIONS_INIT;
    trajplot_export_options options;
    std::memset(&options, 0xAB, sizeof options);
    ASSERT_TRAJPLOT_OK(trajplot_export_options_init(&options, TRAJPLOT_EXPORT_OPTIONS_VERSION));
    EXPECT_EQ(options.version, expected.version);
    EXPECT_EQ(options.format, expected.format);
    EXPECT_EQ(options.plotlyjs, expected.plotlyjs);
    EXPECT_EQ(options.plotlyjs_location, expected.plotlyjs_location);
    EXPECT_EQ(options.div_id, expected.div_id);
    EXPECT_EQ(options.full_html, expected.full_html);
    EXPECT_EQ(options.responsive, expected.responsive);
    EXPECT_EQ(options.version, static_cast<unsigned>(TRAJPLOT_EXPORT_OPTIONS_VERSION));
    EXPECT_EQ(options.format, TRAJPLOT_FORMAT_FIGURE_JSON);
    EXPECT_EQ(options.plotlyjs, TRAJPLOT_PLOTLYJS_LOCAL);
    EXPECT_EQ(options.plotlyjs_location, nullptr);
    EXPECT_EQ(options.div_id, nullptr);
    EXPECT_TRUE(options.full_html);
    EXPECT_FALSE(options.responsive);
}

TEST(CapiFigureOptions, EnumValuesAreStable) {
    // Bindings in other languages hard-code these numbers.
    EXPECT_EQ(TRAJPLOT_FORMAT_FIGURE_JSON, 0);
    EXPECT_EQ(TRAJPLOT_FORMAT_TRACE_JSON, 1);
    EXPECT_EQ(TRAJPLOT_FORMAT_HTML, 2);
    EXPECT_EQ(TRAJPLOT_PLOTLYJS_LOCAL, 0);
    EXPECT_EQ(TRAJPLOT_PLOTLYJS_CDN, 1);
    EXPECT_EQ(TRAJPLOT_PLOTLYJS_SRC, 2);
    EXPECT_EQ(TRAJPLOT_PLOTLYJS_INLINE, 3);
    EXPECT_EQ(TRAJPLOT_PLOTLYJS_NONE, 4);
}

// ---------------------------------------------------------------------------
// Making figures

TEST(CapiFigureObject, FigureOfOneStatistic) {
    const StatisticPtr statistic = full_statistic("Entropy", 4);
    ASSERT_TRUE(statistic);
    trajplot_figure* created = sentinel_figure();
    ASSERT_TRAJPLOT_OK(trajplot_figure_create(&created, statistic.get(), nullptr, nullptr));
    const FigurePtr figure(created);
    ASSERT_NE(created, sentinel_figure());
    ASSERT_NE(created, nullptr);
    bool stacked = true;
    std::size_t panels = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(&stacked, &panels, figure.get()));
    EXPECT_FALSE(stacked);
    EXPECT_EQ(panels, 1u);
    // Either output may be NULL.
    panels = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(nullptr, &panels, figure.get()));
    EXPECT_EQ(panels, 1u);
    stacked = true;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(&stacked, nullptr, figure.get()));
    EXPECT_FALSE(stacked);
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(nullptr, nullptr, figure.get()));

    const json document = parse(export_string(figure.get()));
    ASSERT_EQ(document["data"].size(), 1u);
    EXPECT_EQ(document["data"][0], parse(export_string(figure.get(), TRAJPLOT_FORMAT_TRACE_JSON)));
    EXPECT_EQ(document["data"][0]["z"].size(), 4u);
    EXPECT_EQ(document["layout"]["width"], 200 + 80 * 3);
}

TEST(CapiFigureObject, StackedFigureOfThree) {
    const StatisticPtr entropy = full_statistic("Entropy", 4);
    const StatisticPtr rank = full_statistic("Rank", 2);
    const StatisticPtr kl = make_statistic("KL", numbered_stats(3, 3), 3, 3);
    ASSERT_TRUE(entropy && rank && kl);
    const FigurePtr figure = make_stacked({entropy.get(), rank.get(), kl.get()});
    ASSERT_TRUE(figure);
    bool stacked = false;
    std::size_t panels = 0;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(&stacked, &panels, figure.get()));
    EXPECT_TRUE(stacked);
    EXPECT_EQ(panels, 3u);
    const json document = parse(export_string(figure.get()));
    ASSERT_EQ(document["data"].size(), 3u);
    EXPECT_EQ(document["data"][0]["z"].size(), 4u);
    EXPECT_EQ(document["data"][1]["z"].size(), 2u);
    EXPECT_EQ(document["data"][2]["z"].size(), 3u);
    EXPECT_EQ(document["data"][2]["yaxis"], "y3");
    // Sequence labels of the panels that have them; KL has none.
    EXPECT_EQ(document["data"][2]["x"], json::parse(R"(["&lt;s&gt;", "The", "cat"])"));
}

TEST(CapiFigureObject, StackedFigureOfOneIsStacked) {
    const StatisticPtr entropy = full_statistic("Entropy", 2);
    ASSERT_TRUE(entropy);
    const FigurePtr figure = make_stacked({entropy.get()});
    ASSERT_TRUE(figure);
    bool stacked = false;
    std::size_t panels = 0;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(&stacked, &panels, figure.get()));
    EXPECT_TRUE(stacked);
    EXPECT_EQ(panels, 1u);
    // Its layout is a stack's: a panel title and a height of 150 + 250.
    const json layout = parse(export_string(figure.get()))["layout"];
    EXPECT_EQ(layout["annotations"][0]["text"], "Entropy");
    EXPECT_EQ(layout["height"], 400);
}

TEST(CapiFigureObject, NullOptionsAreTheDefaults) {
    const StatisticPtr statistic = full_statistic("Entropy", 3);
    ASSERT_TRUE(statistic);
    const trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    const trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const FigurePtr with_nulls = make_figure(statistic.get());
    const FigurePtr with_defaults = make_figure(statistic.get(), &panel, &options);
    ASSERT_TRUE(with_nulls && with_defaults);
    const Exports expected = exports_of(with_nulls.get(), false);
    EXPECT_EQ(exports_of(with_defaults.get(), false), expected);
    // And NULL export options are the figure JSON.
    EXPECT_EQ(export_string(with_nulls.get(), nullptr), expected.figure);
    const trajplot_export_options defaults = TRAJPLOT_EXPORT_OPTIONS_INIT;
    EXPECT_EQ(export_string(with_nulls.get(), &defaults), expected.figure);
}

TEST(CapiFigureObject, NullPanelEntriesAreTheirPanelsDefaults) {
    const StatisticPtr entropy = full_statistic("Entropy", 3);
    const StatisticPtr rank = full_statistic("Rank", 2);
    ASSERT_TRUE(entropy && rank);
    const trajplot_panel_options defaults = TRAJPLOT_PANEL_OPTIONS_INIT;
    trajplot_panel_options custom = TRAJPLOT_PANEL_OPTIONS_INIT;
    custom.title = "custom";
    custom.colorscale = "viridis";
    custom.log_scale = true;

    const FigurePtr null_array = make_stacked({entropy.get(), rank.get()});
    const FigurePtr null_entries = make_stacked({entropy.get(), rank.get()}, {nullptr, nullptr});
    const FigurePtr default_entries = make_stacked({entropy.get(), rank.get()}, {&defaults, &defaults});
    ASSERT_TRUE(null_array && null_entries && default_entries);
    const Exports expected = exports_of(null_array.get(), true);
    EXPECT_EQ(exports_of(null_entries.get(), true), expected);
    EXPECT_EQ(exports_of(default_entries.get(), true), expected);

    // A NULL entry beside a given one: each panel gets its own.
    const FigurePtr mixed = make_stacked({entropy.get(), rank.get()}, {nullptr, &custom});
    const FigurePtr spelled_out = make_stacked({entropy.get(), rank.get()}, {&defaults, &custom});
    ASSERT_TRUE(mixed && spelled_out);
    EXPECT_EQ(exports_of(mixed.get(), true), exports_of(spelled_out.get(), true));
    const json document = parse(export_string(mixed.get()));
    EXPECT_EQ(document["layout"]["annotations"][0]["text"], "Entropy");
    EXPECT_EQ(document["layout"]["annotations"][1]["text"], "custom");
    EXPECT_EQ(document["data"][0]["colorbar"].value("tickmode", ""), "");
    EXPECT_EQ(document["data"][1]["colorbar"]["tickmode"], "array");
    EXPECT_NE(exports_of(mixed.get(), true), expected);
}

TEST(CapiFigureObject, OptionsAreCopiedWhenTheFigureIsMade) {
    const StatisticPtr statistic = full_statistic("Entropy", 3);
    ASSERT_TRUE(statistic);
    std::string title = "the first title";
    std::string extra = R"({"name": "first"})";
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = extra.c_str();
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = title.c_str();
    const FigurePtr figure = make_figure(statistic.get(), &panel, &options);
    ASSERT_TRUE(figure);
    const std::string before = export_string(figure.get());
    title.assign("a second title, longer than the first");
    extra.assign(R"({"name": "second, and longer than the first"})");
    options.token_width = 3;
    EXPECT_EQ(export_string(figure.get()), before);
    const json document = parse(before);
    EXPECT_EQ(document["layout"]["title"]["text"], "the first title");
    EXPECT_EQ(document["data"][0]["name"], "first");
}

// ---------------------------------------------------------------------------
// Lifetime

TEST(CapiFigureObject, FigureOutlivesTheStatisticsFreedRightAfterMakingIt) {
    // The expected bytes come from statistics that stay alive.
    const StatisticPtr kept_entropy = full_statistic("Entropy", 4);
    const StatisticPtr kept_rank = full_statistic("Rank", 2);
    ASSERT_TRUE(kept_entropy && kept_rank);
    const FigurePtr kept_single = make_figure(kept_entropy.get());
    const FigurePtr kept_stacked = make_stacked({kept_entropy.get(), kept_rank.get()});
    ASSERT_TRUE(kept_single && kept_stacked);
    const Exports single_expected = exports_of(kept_single.get(), false);
    const Exports stacked_expected = exports_of(kept_stacked.get(), true);

    FigurePtr single, stacked;
    {
        StatisticPtr entropy = full_statistic("Entropy", 4);
        StatisticPtr rank = full_statistic("Rank", 2);
        ASSERT_TRUE(entropy && rank);
        single = make_figure(entropy.get());
        stacked = make_stacked({entropy.get(), rank.get()});
        entropy.reset();
        rank.reset();
        // Fresh statistics of other values now likely reuse their memory.
        const StatisticPtr reuse_a = make_statistic("Reuse", std::vector<float>(12, -7.0f), 4, 3);
        const StatisticPtr reuse_b = make_statistic("Reuse", std::vector<float>(6, -7.0f), 2, 3);
        ASSERT_TRUE(reuse_a && reuse_b);
    }
    ASSERT_TRUE(single && stacked);
    EXPECT_EQ(exports_of(single.get(), false), single_expected);
    EXPECT_EQ(exports_of(stacked.get(), true), stacked_expected);
}

TEST(CapiFigureObject, ExportsAreRepeatable) {
    const StatisticPtr statistic = full_statistic("Entropy", 4);
    ASSERT_TRUE(statistic);
    const FigurePtr figure = make_figure(statistic.get());
    ASSERT_TRUE(figure);
    const Exports first = exports_of(figure.get(), false);
    EXPECT_FALSE(first.figure.empty());
    EXPECT_FALSE(first.trace.empty());
    EXPECT_FALSE(first.page.empty());
    for (int round = 0; round < 3; ++round) EXPECT_EQ(exports_of(figure.get(), false), first);
}

TEST(CapiFigureObject, FiguresOfOneStatisticAreIndependent) {
    // Two figures of one statistic with different options: neither changes
    // the other, nor the statistic.
    const StatisticPtr statistic = full_statistic("Entropy", 3);
    ASSERT_TRUE(statistic);
    const std::vector<float> stats = read_stats(statistic.get());
    trajplot_panel_options log = TRAJPLOT_PANEL_OPTIONS_INIT;
    log.log_scale = true;
    const FigurePtr plain = make_figure(statistic.get());
    const std::string plain_bytes = export_string(plain.get());
    const FigurePtr logged = make_figure(statistic.get(), &log);
    ASSERT_TRUE(plain && logged);
    EXPECT_NE(export_string(logged.get()), plain_bytes);
    EXPECT_EQ(export_string(plain.get()), plain_bytes);
    EXPECT_EQ(read_stats(statistic.get()), stats);
}
