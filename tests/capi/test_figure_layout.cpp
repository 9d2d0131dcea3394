// The layout patch of trajplot_figure_options (version 2), and callers
// still passing the version 1 struct, which ends before it.
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;

namespace {

// What a caller compiled against version 1 of the header passes: the
// struct as it was then, without layout_json.
struct figure_options_v1 {
    unsigned int version;
    const char* title;
    size_t token_width;
    size_t height;
    double vertical_spacing;
    bool has_vertical_spacing;
    bool equal_panel_heights;
};

StatisticPtr entropy() {
    const char* tokens[] = {"The", "cat", "sat"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 3;
    options.units = "nats";
    return make_statistic("Entropy", numbered_stats(2, 3), 2, 3, &options);
}

json layout_of(const trajplot_figure* figure) { return json::parse(export_string(figure))["layout"]; }

}  // namespace

TEST(CapiFigureLayout, ThePatchMergesIntoTheLayout) {
    const StatisticPtr statistic = entropy();
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "Entropy by layer";
    options.layout_json = R"({"title": {"font": {"size": 14}}, "plot_bgcolor": "black", "yaxis": {"title": null}})";
    const FigurePtr figure = make_figure(statistic.get(), nullptr, &options);
    ASSERT_TRUE(figure);
    const json layout = layout_of(figure.get());
    EXPECT_EQ(layout["title"], json::parse(R"({"text": "Entropy by layer", "x": 0.5, "font": {"size": 14}})"));
    EXPECT_EQ(layout["plot_bgcolor"], "black");
    EXPECT_EQ(layout["yaxis"], json::parse(R"({"type": "category"})"));
    EXPECT_EQ(layout["width"], 200 + 80 * 3);

    // The trace alone has no layout to patch.
    trajplot_figure_options plain = options;
    plain.layout_json = nullptr;
    const FigurePtr unpatched = make_figure(statistic.get(), nullptr, &plain);
    EXPECT_EQ(export_string(figure.get(), TRAJPLOT_FORMAT_TRACE_JSON),
              export_string(unpatched.get(), TRAJPLOT_FORMAT_TRACE_JSON));
    EXPECT_EQ(json::parse(export_string(figure.get()))["data"], json::parse(export_string(unpatched.get()))["data"]);
}

TEST(CapiFigureLayout, NullAndEmptyAreNoPatch) {
    const StatisticPtr statistic = entropy();
    const FigurePtr defaults = make_figure(statistic.get());
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    EXPECT_EQ(options.layout_json, nullptr);
    options.layout_json = "";
    const FigurePtr empty = make_figure(statistic.get(), nullptr, &options);
    options.layout_json = "{}";
    const FigurePtr empty_object = make_figure(statistic.get(), nullptr, &options);
    EXPECT_EQ(export_string(empty.get()), export_string(defaults.get()));
    EXPECT_EQ(export_string(empty_object.get()), export_string(defaults.get()));
}

TEST(CapiFigureLayout, AStackedFiguresPatchComesAfterItsPanels) {
    const StatisticPtr top = entropy();
    const StatisticPtr bottom = entropy();
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.layout_json = R"({"annotations": [{"text": "mine"}], "yaxis2": {"title": {"text": "Bottom"}}})";
    const FigurePtr figure = make_stacked({top.get(), bottom.get()}, {}, &options);
    ASSERT_TRUE(figure);
    const json layout = layout_of(figure.get());
    EXPECT_EQ(layout["annotations"], json::parse(R"([{"text": "mine"}])"));
    EXPECT_EQ(layout["yaxis2"]["title"]["text"], "Bottom");
    EXPECT_EQ(layout["yaxis2"]["anchor"], "x2");
    EXPECT_EQ(layout["yaxis"]["title"]["text"], "Layer");
}

TEST(CapiFigureLayout, ATitleTheTextSetsIsThePagesTitle) {
    const StatisticPtr statistic = entropy();
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.layout_json = R"({"title": {"text": "Lens & <entropy>"}})";
    trajplot_export_options page = export_options(TRAJPLOT_FORMAT_HTML);
    page.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    const std::string html = html_page(statistic.get(), nullptr, &options, &page);
    EXPECT_NE(html.find("<title>Lens &amp; &lt;entropy&gt;</title>"), std::string::npos) << html.substr(0, 200);
}

TEST(CapiFigureLayout, APatchThatIsNotAJsonObjectIsRefused) {
    const StatisticPtr statistic = entropy();
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    trajplot_figure* figure = sentinel_figure();
    options.layout_json = "[1]";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&figure, statistic.get(), nullptr, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "layout_json must be a JSON object, got array");
    options.layout_json = R"({"title": })";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&figure, statistic.get(), nullptr, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "layout_json is");
    const trajplot_statistic* both[] = {statistic.get(), statistic.get()};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&figure, both, nullptr, 2, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "layout_json");
    EXPECT_EQ(figure, sentinel_figure());
}

TEST(CapiFigureLayout, Version1StructsAreStillAccepted) {
    // Bytes past the version 1 struct belong to someone else: poisoned, so
    // that reading them as layout_json would crash or show.
    std::vector<unsigned char> memory(sizeof(trajplot_figure_options) + 16, 0xA5);
    auto* options = reinterpret_cast<trajplot_figure_options*>(memory.data());
    ASSERT_EQ(trajplot_figure_options_init(options, 1), TRAJPLOT_OK) << trajplot_error_last();
    for (std::size_t i = sizeof(figure_options_v1); i < memory.size(); ++i) {
        ASSERT_EQ(memory[i], 0xA5) << "trajplot_figure_options_init(options, 1) wrote byte " << i;
    }
    figure_options_v1 v1;
    std::memcpy(&v1, memory.data(), sizeof v1);
    EXPECT_EQ(v1.version, 1u);
    EXPECT_EQ(v1.token_width, 80u);
    EXPECT_EQ(v1.title, nullptr);

    v1.title = "Old caller";
    v1.token_width = 50;
    std::memcpy(memory.data(), &v1, sizeof v1);
    const StatisticPtr statistic = entropy();
    const FigurePtr figure = make_figure(statistic.get(), nullptr, options);
    ASSERT_TRUE(figure);
    const json layout = layout_of(figure.get());
    EXPECT_EQ(layout["title"]["text"], "Old caller");
    EXPECT_EQ(layout["width"], 200 + 50 * 3);
    EXPECT_FALSE(layout.contains("paper_bgcolor"));

    const trajplot_statistic* both[] = {statistic.get(), statistic.get()};
    const FigurePtr stacked = make_stacked({both[0], both[1]}, {}, options);
    ASSERT_TRUE(stacked);
    EXPECT_EQ(layout_of(stacked.get())["title"]["text"], "Old caller");
}

TEST(CapiFigureLayout, TheVersionSaysWhichStructItIs) {
    trajplot_figure_options options;
    std::memset(&options, 0x5A, sizeof options);
    ASSERT_EQ(trajplot_figure_options_init(&options, TRAJPLOT_FIGURE_OPTIONS_VERSION), TRAJPLOT_OK);
    EXPECT_EQ(TRAJPLOT_FIGURE_OPTIONS_VERSION, 2);
    EXPECT_EQ(options.version, 2u);
    EXPECT_EQ(options.layout_json, nullptr);
    for (const unsigned int unknown : {0u, 3u}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_options_init(&options, unknown), TRAJPLOT_EINVAL,
                              "trajplot_figure_options_init", "version", std::to_string(unknown));
        const StatisticPtr statistic = entropy();
        trajplot_figure* figure = sentinel_figure();
        options.version = unknown;
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&figure, statistic.get(), nullptr, &options), TRAJPLOT_EINVAL,
                              "trajplot_figure_create", "options->version", std::to_string(unknown));
        options.version = TRAJPLOT_FIGURE_OPTIONS_VERSION;
    }
}
