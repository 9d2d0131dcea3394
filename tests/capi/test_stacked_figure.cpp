// Stacked figures through the C API: panel and figure options, outputs and
// errors. The layout itself is checked in the core's tests and drawn in the
// browser tests.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;

namespace {

json parse(const char* text, std::size_t len) {
    json parsed = json::parse(std::string(text, len), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON";
    return parsed;
}

class CapiStacked : public ::testing::Test {
protected:
    void SetUp() override {
        entropy = make_statistic("Entropy", numbered_stats(3, 2), 3, 2);
        rank = make_statistic("Rank", numbered_stats(2, 2), 2, 2);
        wide = make_statistic("Wide", numbered_stats(3, 5), 3, 5);
    }

    // The figure JSON of the stacked figure.
    json stacked(const std::vector<const trajplot_statistic*>& statistics,
                 const std::vector<const trajplot_panel_options*>& panels = {},
                 const trajplot_figure_options* options = nullptr) {
        const FigurePtr figure = make_stacked(statistics, panels, options);
        if (!figure) return json();
        const std::string text = export_string(figure.get());
        return parse(text.data(), text.size());
    }

    StatisticPtr entropy, rank, wide;
};

TEST_F(CapiStacked, OnePanelPerStatisticWithItsOptions) {
    trajplot_panel_options panels[2] = {TRAJPLOT_PANEL_OPTIONS_INIT, TRAJPLOT_PANEL_OPTIONS_INIT};
    panels[0].title = "Entropy of the lens";
    panels[1].log_scale = true;
    panels[1].colorscale = "viridis";
    panels[1].extra_json = R"({"opacity": 0.5})";
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "Two statistics";
    options.height = 700;
    options.token_width = 40;
    options.has_vertical_spacing = true;
    options.vertical_spacing = 0.2;
    const json figure = stacked({entropy.get(), rank.get()}, {&panels[0], &panels[1]}, &options);
    ASSERT_EQ(figure["data"].size(), 2u);
    EXPECT_EQ(figure["data"][0]["z"].size(), 3u);
    EXPECT_EQ(figure["data"][1]["z"].size(), 2u);
    EXPECT_EQ(figure["data"][1]["yaxis"], "y2");
    EXPECT_EQ(figure["data"][1]["opacity"], 0.5);
    EXPECT_EQ(figure["data"][1]["colorbar"]["tickmode"], "array");
    EXPECT_EQ(figure["layout"]["annotations"][0]["text"], "Entropy of the lens");
    EXPECT_EQ(figure["layout"]["annotations"][1]["text"], "Rank");
    EXPECT_EQ(figure["layout"]["title"]["text"], "Two statistics");
    EXPECT_EQ(figure["layout"]["height"], 700);
    EXPECT_EQ(figure["layout"]["width"], 200 + 40 * 2);
    EXPECT_NEAR(
        figure["layout"]["yaxis"]["domain"][0].get<double>() - figure["layout"]["yaxis2"]["domain"][1].get<double>(),
        0.2, 1e-12);
    EXPECT_EQ(figure["layout"]["xaxis"]["matches"], "x2");
}

TEST_F(CapiStacked, PanelHeightsFollowRowsUnlessEqualAreAskedFor) {
    const auto heights = [](const json& figure) {
        std::vector<double> result;
        for (const char* axis : {"yaxis", "yaxis2"}) {
            const json& domain = figure["layout"][axis]["domain"];
            result.push_back(domain[1].get<double>() - domain[0].get<double>());
        }
        return result;
    };
    // 3 rows and 2: heights in that proportion.
    const std::vector<double> by_rows = heights(stacked({entropy.get(), rank.get()}));
    EXPECT_NEAR(by_rows[0] / 3, by_rows[1] / 2, 1e-9);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.equal_panel_heights = true;
    const std::vector<double> equal = heights(stacked({entropy.get(), rank.get()}, {}, &options));
    EXPECT_NEAR(equal[0], equal[1], 1e-9);
}

TEST_F(CapiStacked, HoverValueIsAPanelOption) {
    trajplot_panel_options hover = TRAJPLOT_PANEL_OPTIONS_INIT;
    hover.hover_value = true;
    const json figure = stacked({entropy.get(), rank.get()}, {nullptr, &hover});
    EXPECT_FALSE(figure["data"][0].contains("hovertemplate"));
    EXPECT_EQ(figure["data"][1]["hovertemplate"], "Rank: %{customdata[0]}<extra></extra>");
    EXPECT_EQ(figure["data"][1]["customdata"][0][0], json::array({"0"}));
}

TEST_F(CapiStacked, PageTitleNamesEveryPanelUnlessTheFigureHasATitle) {
    const FigurePtr figure = make_stacked({entropy.get(), rank.get()});
    ASSERT_TRUE(figure);
    trajplot_export_options html = export_options(TRAJPLOT_FORMAT_HTML);
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    const std::string page = export_string(figure.get(), &html);
    EXPECT_NE(page.find("<title>Entropy, Rank</title>"), std::string::npos);
    EXPECT_NE(page.find("\"yaxis2\""), std::string::npos);

    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "Both";
    trajplot_panel_options titled = TRAJPLOT_PANEL_OPTIONS_INIT;
    titled.title = "First";
    const FigurePtr with_title = make_stacked({entropy.get(), rank.get()}, {&titled, nullptr}, &options);
    ASSERT_TRUE(with_title);
    EXPECT_NE(export_string(with_title.get(), &html).find("<title>Both</title>"), std::string::npos);
    const FigurePtr panel_titled = make_stacked({entropy.get(), rank.get()}, {&titled, nullptr});
    ASSERT_TRUE(panel_titled);
    EXPECT_NE(export_string(panel_titled.get(), &html).find("<title>First, Rank</title>"), std::string::npos);
}

TEST_F(CapiStacked, DefaultHeightAndTopMargin) {
    const json two = stacked({entropy.get(), rank.get()});
    EXPECT_EQ(two["layout"]["height"], 150 + 250 * 2);
    EXPECT_EQ(two["layout"]["margin"]["t"], 50) << "without a title, only the top panel's title is above";
    EXPECT_EQ(two["layout"]["width"], 200 + 80 * 2);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "titled";
    const json titled = stacked({entropy.get(), rank.get()}, {}, &options);
    EXPECT_FALSE(titled["layout"].contains("margin"));
}

TEST_F(CapiStacked, PanelsShareTheSequenceLabelsWhereTheyHaveAny) {
    const char* tokens[] = {"a", "b"};
    const char* other_tokens[] = {"a", "c"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 2;
    const StatisticPtr labelled = make_statistic("Labelled", numbered_stats(2, 2), 2, 2, &options);
    options.sequence_labels = other_tokens;
    const StatisticPtr other = make_statistic("Other", numbered_stats(2, 2), 2, 2, &options);
    ASSERT_TRUE(labelled && other);
    // A panel without labels takes the others'.
    const json figure = stacked({entropy.get(), labelled.get()});
    EXPECT_EQ(figure["data"][0]["x"], json::parse(R"(["a", "b"])"));
    EXPECT_EQ(figure["data"][1]["x"], json::parse(R"(["a", "b"])"));

    trajplot_figure* out = sentinel_figure();
    const trajplot_statistic* differing[] = {labelled.get(), entropy.get(), other.get()};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, differing, nullptr, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[2]'s sequence label at position 1", "\"c\"",
                          "panels[0]'s is \"b\"");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiStacked, RefusesWhatCannotBeStackedAndLeavesTheOutputAlone) {
    trajplot_figure* out = sentinel_figure();
    const trajplot_statistic* mismatched[] = {entropy.get(), wide.get()};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, mismatched, nullptr, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[1] (Wide)", "seq_len 5");
    const trajplot_statistic* with_null[] = {entropy.get(), nullptr};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, with_null, nullptr, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "statistics[1] is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, mismatched, nullptr, 0, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "count is 0");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, nullptr, nullptr, 1, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "statistics is NULL");

    const trajplot_statistic* statistics[] = {entropy.get(), rank.get()};
    trajplot_panel_options wrong = TRAJPLOT_PANEL_OPTIONS_INIT;
    wrong.version = 7;
    const trajplot_panel_options* panels[] = {nullptr, &wrong};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, panels, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[1]->version is 7");
    trajplot_panel_options bad_scale = TRAJPLOT_PANEL_OPTIONS_INIT;
    bad_scale.colorscale = "no-such-scale";
    panels[1] = &bad_scale;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, panels, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[1] (Rank)", "no-such-scale");

    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.has_vertical_spacing = true;
    options.vertical_spacing = 1.0;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, 2, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "vertical_spacing");
    options.vertical_spacing = 0.1;
    options.token_width = 0;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, 2, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "token_width");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiStacked, CountOverflowIsARangeErrorBeforeReading) {
    // Only two pointers exist behind `statistics`.
    const trajplot_statistic* statistics[] = {entropy.get(), rank.get()};
    trajplot_figure* out = sentinel_figure();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, SIZE_MAX / 2, nullptr),
                          TRAJPLOT_ERANGE, "trajplot_figure_create_stacked", "count");
    EXPECT_EQ(out, sentinel_figure());
}

}  // namespace
