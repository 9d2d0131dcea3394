// Stacked figures through the C API: options, outputs and errors. The layout
// itself is checked in the core's tests and drawn in the browser tests.
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;
namespace fs = std::filesystem;

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

    json stacked(std::vector<const trajplot_statistic*> statistics, const trajplot_panel_options* panels = nullptr,
                 const trajplot_stack_options* options = nullptr) {
        char* out = nullptr;
        std::size_t len = 0;
        const trajplot_status status =
            trajplot_stacked_figure_json(&out, &len, statistics.data(), statistics.size(), panels, options);
        EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
        if (status != TRAJPLOT_OK) return json();
        const StringPtr owned(out);
        return parse(out, len);
    }

    StatisticPtr entropy, rank, wide;
};

TEST_F(CapiStacked, OptionDefaultsMatchTheMacros) {
    trajplot_panel_options panel;
    ASSERT_TRAJPLOT_OK(trajplot_panel_options_init(&panel, TRAJPLOT_PANEL_OPTIONS_VERSION));
    const trajplot_panel_options panel_macro = TRAJPLOT_PANEL_OPTIONS_INIT;
    EXPECT_EQ(panel.version, panel_macro.version);
    EXPECT_EQ(panel.title, nullptr);
    EXPECT_EQ(panel.colorscale, nullptr);
    EXPECT_EQ(panel.extra_json, nullptr);
    EXPECT_FALSE(panel.log_scale);
    EXPECT_FALSE(panel.hover_value);
    EXPECT_EQ(panel.hover_value, panel_macro.hover_value);

    trajplot_stack_options stack;
    ASSERT_TRAJPLOT_OK(trajplot_stack_options_init(&stack, TRAJPLOT_STACK_OPTIONS_VERSION));
    const trajplot_stack_options stack_macro = TRAJPLOT_STACK_OPTIONS_INIT;
    EXPECT_EQ(stack.version, stack_macro.version);
    EXPECT_EQ(stack.token_width, 80u);
    EXPECT_EQ(stack.height, 0u);
    EXPECT_FALSE(stack.has_vertical_spacing);
    EXPECT_FALSE(stack.equal_panel_heights);
    EXPECT_EQ(stack.equal_panel_heights, stack_macro.equal_panel_heights);

    EXPECT_TRAJPLOT_FAILS(trajplot_panel_options_init(&panel, 99), TRAJPLOT_EINVAL, "trajplot_panel_options_init",
                          "99");
    EXPECT_TRAJPLOT_FAILS(trajplot_stack_options_init(nullptr, TRAJPLOT_STACK_OPTIONS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_stack_options_init", "options");
}

TEST_F(CapiStacked, OnePanelPerStatisticWithItsOptions) {
    trajplot_panel_options panels[2] = {TRAJPLOT_PANEL_OPTIONS_INIT, TRAJPLOT_PANEL_OPTIONS_INIT};
    panels[0].title = "Entropy of the lens";
    panels[1].log_scale = true;
    panels[1].colorscale = "viridis";
    panels[1].extra_json = R"({"opacity": 0.5})";
    trajplot_stack_options options = TRAJPLOT_STACK_OPTIONS_INIT;
    options.title = "Two statistics";
    options.height = 700;
    options.token_width = 40;
    options.has_vertical_spacing = true;
    options.vertical_spacing = 0.2;
    const json figure = stacked({entropy.get(), rank.get()}, panels, &options);
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
    EXPECT_NEAR(figure["layout"]["yaxis"]["domain"][0].get<double>() -
                    figure["layout"]["yaxis2"]["domain"][1].get<double>(),
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
    trajplot_stack_options options = TRAJPLOT_STACK_OPTIONS_INIT;
    options.equal_panel_heights = true;
    const std::vector<double> equal = heights(stacked({entropy.get(), rank.get()}, nullptr, &options));
    EXPECT_NEAR(equal[0], equal[1], 1e-9);
}

TEST_F(CapiStacked, HoverValueIsAPanelOption) {
    trajplot_panel_options panels[2] = {TRAJPLOT_PANEL_OPTIONS_INIT, TRAJPLOT_PANEL_OPTIONS_INIT};
    panels[1].hover_value = true;
    const json figure = stacked({entropy.get(), rank.get()}, panels);
    EXPECT_FALSE(figure["data"][0].contains("hovertemplate"));
    EXPECT_EQ(figure["data"][1]["hovertemplate"], "Rank: %{customdata[0]}<extra></extra>");
    EXPECT_EQ(figure["data"][1]["customdata"][0][0], json::array({"0"}));
}

TEST_F(CapiStacked, HtmlAndFilesHoldTheSameFigure) {
    const trajplot_statistic* statistics[] = {entropy.get(), rank.get()};
    trajplot_html_options html = TRAJPLOT_HTML_OPTIONS_INIT;
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    char* page = nullptr;
    std::size_t page_len = 0;
    ASSERT_TRAJPLOT_OK(trajplot_stacked_figure_html(&page, &page_len, statistics, 2, nullptr, nullptr, &html));
    const StringPtr owned_page(page);
    EXPECT_NE(std::string(page, page_len).find("<title>Entropy, Rank</title>"), std::string::npos);

    char* text = nullptr;
    std::size_t text_len = 0;
    ASSERT_TRAJPLOT_OK(trajplot_stacked_figure_json(&text, &text_len, statistics, 2, nullptr, nullptr));
    const StringPtr owned_text(text);

    const fs::path directory = fs::temp_directory_path() / ("trajplot-capi-stacked-" + std::to_string(::getpid()));
    fs::create_directories(directory);
    const std::string json_path = (directory / "figure.json").string();
    const std::string html_path = (directory / "figure.html").string();
    ASSERT_TRAJPLOT_OK(trajplot_stacked_write_figure_json(statistics, 2, nullptr, nullptr, json_path.c_str()));
    ASSERT_TRAJPLOT_OK(trajplot_stacked_write_figure_html(statistics, 2, nullptr, nullptr, &html, html_path.c_str()));
    const auto read = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    };
    EXPECT_EQ(read(json_path), std::string(text, text_len));
    EXPECT_EQ(read(html_path), std::string(page, page_len));
    fs::remove_all(directory);
}

TEST_F(CapiStacked, RefusesWhatCannotBeStackedAndLeavesOutputsAlone) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    const trajplot_statistic* mismatched[] = {entropy.get(), wide.get()};
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, mismatched, 2, nullptr, nullptr),
                          TRAJPLOT_EINVAL, "trajplot_stacked_figure_json", "panels[1] (Wide)", "seq_len 5");
    const trajplot_statistic* with_null[] = {entropy.get(), nullptr};
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, with_null, 2, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_stacked_figure_json", "statistics[1] is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, mismatched, 0, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_stacked_figure_json", "count is 0");
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, nullptr, 1, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_stacked_figure_json", "statistics is NULL");

    const trajplot_statistic* statistics[] = {entropy.get(), rank.get()};
    trajplot_panel_options panels[2] = {TRAJPLOT_PANEL_OPTIONS_INIT, TRAJPLOT_PANEL_OPTIONS_INIT};
    panels[1].version = 7;
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, statistics, 2, panels, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_stacked_figure_json", "panels[1].version is 7");
    panels[1].version = TRAJPLOT_PANEL_OPTIONS_VERSION;
    panels[1].colorscale = "no-such-scale";
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, statistics, 2, panels, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_stacked_figure_json", "panels[1] (Rank)", "no-such-scale");

    trajplot_stack_options options = TRAJPLOT_STACK_OPTIONS_INIT;
    options.has_vertical_spacing = true;
    options.vertical_spacing = 1.0;
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, statistics, 2, nullptr, &options),
                          TRAJPLOT_EINVAL, "trajplot_stacked_figure_json", "vertical_spacing");
    options.vertical_spacing = 0.1;
    options.token_width = 0;
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_figure_json(&out, &len, statistics, 2, nullptr, &options),
                          TRAJPLOT_EINVAL, "trajplot_stacked_figure_json", "token_width");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);

    const fs::path missing = fs::temp_directory_path() / "trajplot-no-such-directory" / "figure.json";
    EXPECT_TRAJPLOT_FAILS(trajplot_stacked_write_figure_json(statistics, 2, nullptr, nullptr, missing.c_str()),
                          TRAJPLOT_EIO, "trajplot_stacked_write_figure_json");
    EXPECT_FALSE(fs::exists(missing));
}

}  // namespace
