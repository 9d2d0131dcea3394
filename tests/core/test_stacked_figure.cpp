// Stacked figures: several statistics of one sequence, one panel each.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trajplot/error.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/html.hpp"
#include "trajplot/model.hpp"

#include "core_test_support.hpp"

namespace {

using nlohmann::json;
using trajplot::Errc;
using trajplot::Figure;
using trajplot::FigureOptions;
using trajplot::Format;
using trajplot::Panel;
using trajplot::TrajectoryStatistic;
using trajplot_test::error_of;
using trajplot_test::fields_with;
using trajplot_test::shared;
using trajplot_test::text1;

using Statistic = std::shared_ptr<const TrajectoryStatistic>;

// n_layers x 3 values, distinct per statistic, with the given sequence
// labels (none when empty).
Statistic statistic(const std::string& name, std::size_t n_layers, float base,
                    const trajplot_test::Strings& sequence = {"The", "cat", "sat"}, bool includes_output = true) {
    xt::xtensor<float, 2> stats = xt::zeros<float>({n_layers, std::size_t{3}});
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < 3; ++position) {
            stats(layer, position) = base + static_cast<float>(layer * 3 + position);
        }
    }
    TrajectoryStatistic::Fields fields = fields_with(std::move(stats), name);
    if (!sequence.empty()) fields.sequence_labels = text1(sequence);
    fields.units = "nats";
    fields.includes_output = includes_output;
    return shared(TrajectoryStatistic(std::move(fields)));
}

json stacked(std::vector<Panel> panels, const FigureOptions& options = {}) {
    return json::parse(Figure::stacked(std::move(panels), options).to_string());
}

std::string axis_key(char letter, std::size_t number) {
    return std::string(1, letter) + "axis" + (number == 1 ? "" : std::to_string(number));
}

std::string axis_id(char letter, std::size_t number) {
    return std::string(1, letter) + (number == 1 ? "" : std::to_string(number));
}

class FourPanels : public ::testing::Test {
protected:
    Statistic entropy = statistic("Entropy", 4, 1.0f);
    Statistic forward_kl = statistic("Forward KL", 4, 10.0f);
    Statistic cross_entropy = statistic("Cross Entropy", 4, 20.0f);
    Statistic delta = statistic("Log Prob Difference", 3, 30.0f, {"The", "cat", "sat"}, false);
    std::vector<Panel> panels{{entropy}, {forward_kl, {.title = "KL to the output"}}, {cross_entropy}, {delta}};
};

TEST_F(FourPanels, EachPanelDrawsItsStatisticOnItsOwnAxes) {
    const json figure = stacked(panels);
    ASSERT_EQ(figure["data"].size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        const json& trace = figure["data"][i];
        const TrajectoryStatistic& statistic = *panels[i].statistic;
        EXPECT_EQ(trace["type"], "heatmap");
        EXPECT_EQ(trace["xaxis"], axis_id('x', i + 1));
        EXPECT_EQ(trace["yaxis"], axis_id('y', i + 1));
        ASSERT_EQ(trace["z"].size(), statistic.n_layers()) << i;
        EXPECT_EQ(trace["z"][0][1].get<float>(), statistic.stats()(0, 1)) << i;
        EXPECT_EQ(trace["y"].size(), statistic.n_layers()) << i;
        EXPECT_EQ(trace["x"], json({"The", "cat", "sat"})) << i;
    }
    // The layer labels are each panel's own: the delta panel has no output row.
    EXPECT_EQ(figure["data"][0]["y"].back(), "output");
    EXPECT_EQ(figure["data"][3]["y"], json({"0", "1", "2"}));
}

TEST_F(FourPanels, PanelsAreStackedTopToBottomWithoutOverlap) {
    const json figure = stacked(panels);
    const json& layout = figure["layout"];
    double previous_bottom = 1.0 + 1e-12;
    double first_row_height = 0.0;
    for (std::size_t i = 1; i <= 4; ++i) {
        const json& domain = layout[axis_key('y', i)]["domain"];
        const double bottom = domain[0].get<double>();
        const double top = domain[1].get<double>();
        EXPECT_LT(bottom, top) << i;
        EXPECT_LT(top, previous_bottom) << "panel " << i << " overlaps the one above";
        // Heights follow the rows (4, 4, 4 and 3), so rows are equally tall.
        const double row_height = (top - bottom) / static_cast<double>(panels[i - 1].statistic->n_layers());
        if (i == 1) {
            EXPECT_DOUBLE_EQ(top, 1.0);
            first_row_height = row_height;
        } else {
            EXPECT_NEAR(row_height, first_row_height, 1e-9) << "panel " << i << "'s rows are as tall as panel 1's";
        }
        previous_bottom = bottom;
        EXPECT_EQ(layout[axis_key('y', i)]["anchor"], axis_id('x', i));
        EXPECT_EQ(layout[axis_key('y', i)]["type"], "category");
        EXPECT_EQ(layout[axis_key('x', i)]["type"], "category");
        EXPECT_EQ(layout[axis_key('x', i)]["anchor"], axis_id('y', i));
    }
    EXPECT_NEAR(previous_bottom, 0.0, 1e-12);
    // make_subplots's default gap: 0.3 / rows.
    const double gap = layout["yaxis"]["domain"][0].get<double>() - layout["yaxis2"]["domain"][1].get<double>();
    EXPECT_NEAR(gap, 0.3 / 4, 1e-12);
}

TEST_F(FourPanels, EqualPanelHeightsOnRequest) {
    const json layout = stacked(panels, {.equal_panel_heights = true})["layout"];
    const auto height = [&](std::size_t i) {
        const json& domain = layout[axis_key('y', i)]["domain"];
        return domain[1].get<double>() - domain[0].get<double>();
    };
    for (std::size_t i = 2; i <= 4; ++i) EXPECT_NEAR(height(i), height(1), 1e-9) << i;
}

TEST(StackedFigure, APanelOfFewRowsKeepsAMinimumHeight) {
    const Statistic tall = statistic("Entropy", 40, 1.0f);
    const Statistic single = statistic("Delta", 1, 5.0f, {"The", "cat", "sat"}, false);
    const std::vector<Panel> panels{{tall}, {single}};
    // 150 + 2 x 250 = 650 px; without a title the plotting area is
    // 650 - 50 - 80 = 520 px, 0.15 of it the gap.
    const json layout = stacked(panels)["layout"];
    const double area = 520;
    const json& bottom = layout["yaxis2"]["domain"];
    const double bottom_pixels = (bottom[1].get<double>() - bottom[0].get<double>()) * area;
    EXPECT_NEAR(bottom_pixels, 90, 1e-6) << "the one-row panel is 90 px, not 1/41 of the height";
    const json& top = layout["yaxis"]["domain"];
    EXPECT_NEAR((top[1].get<double>() - top[0].get<double>()) * area, area * 0.85 - 90, 1e-6);
}

TEST(StackedFigure, NoEmptyBandAboveWithoutATitle) {
    const Statistic entropy = statistic("Entropy", 4, 1.0f);
    const std::vector<Panel> panels{{entropy}, {entropy}};
    const json untitled = stacked(panels)["layout"];
    EXPECT_EQ(untitled["margin"], json({{"t", 50}})) << "room for the top panel's title only";
    const json titled = stacked(panels, {.title = "Both"})["layout"];
    EXPECT_FALSE(titled.contains("margin")) << "plotly.js's 100 px hold the title";
}

TEST(StackedFigure, CellTextIsSizedForEachPanelsCells) {
    // Two panels of the same labels, one of 2 rows and one of 20 in equal
    // heights: the taller rows get the larger text.
    const auto labelled = [](std::size_t n_layers) {
        TrajectoryStatistic::Fields fields = fields_with(xt::zeros<float>({n_layers, std::size_t{3}}), "S");
        trajplot_test::Strings cells;
        for (std::size_t i = 0; i < n_layers; ++i) cells.insert(cells.end(), {"ab", "cd", "ef"});
        fields.trajectory_labels = std::make_shared<const trajplot::TrajectoryLabels>(
            trajplot::TextArray<2>::from_strings({n_layers, 3}, cells));
        return shared(TrajectoryStatistic(std::move(fields)));
    };
    const Statistic few = labelled(2);
    const Statistic many = labelled(20);
    const std::vector<Panel> panels{{few}, {many}};
    // 400 px: a plotting area of 270 px, 0.15 of it the gap, 114.75 px a
    // panel: rows of 57.4 px and 5.7 px.
    const json data = stacked(panels, {.height = 400, .equal_panel_heights = true})["data"];
    EXPECT_EQ(data[0]["textfont"]["size"], 12);
    EXPECT_EQ(data[1]["textfont"]["size"], 6) << "5.7 px rows: the floor";
}

TEST_F(FourPanels, XAxesAreMatchedWithTickLabelsOnlyUnderTheBottomPanel) {
    const json layout = stacked(panels)["layout"];
    for (std::size_t i = 1; i <= 3; ++i) {
        EXPECT_EQ(layout[axis_key('x', i)]["matches"], "x4") << i;
        EXPECT_EQ(layout[axis_key('x', i)]["showticklabels"], false) << i;
        EXPECT_FALSE(layout[axis_key('x', i)].contains("title")) << i;
    }
    EXPECT_FALSE(layout["xaxis4"].contains("matches"));
    EXPECT_FALSE(layout["xaxis4"].contains("showticklabels"));
    EXPECT_EQ(layout["xaxis4"]["title"]["text"], "Input");
}

TEST_F(FourPanels, ColourBarsSitBesideTheirPanelsAndNoTaller) {
    const json figure = stacked(panels);
    for (std::size_t i = 0; i < 4; ++i) {
        const json& colorbar = figure["data"][i]["colorbar"];
        const json& domain = figure["layout"][axis_key('y', i + 1)]["domain"];
        const double bottom = domain[0].get<double>();
        const double top = domain[1].get<double>();
        EXPECT_EQ(colorbar["lenmode"], "fraction");
        EXPECT_NEAR(colorbar["len"].get<double>(), top - bottom, 1e-12) << i;
        EXPECT_NEAR(colorbar["y"].get<double>(), (top + bottom) / 2, 1e-12) << i;
        EXPECT_EQ(colorbar["yanchor"], "middle");
        EXPECT_EQ(colorbar["title"]["text"], panels[i].statistic->name() + " (nats)");
    }
}

TEST_F(FourPanels, TitlesOverEachPanelAndOverTheFigure) {
    FigureOptions options;
    options.title = "Prediction trajectory <of> a sentence";
    const json figure = stacked(panels, options);
    EXPECT_EQ(figure["layout"]["title"]["text"], "Prediction trajectory &lt;of&gt; a sentence");
    const json& annotations = figure["layout"]["annotations"];
    ASSERT_EQ(annotations.size(), 4u);
    const std::vector<std::string> titles{"Entropy", "KL to the output", "Cross Entropy", "Log Prob Difference"};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(annotations[i]["text"], titles[i]);
        EXPECT_EQ(annotations[i]["yref"], "paper");
        EXPECT_EQ(annotations[i]["yanchor"], "bottom");
        EXPECT_EQ(annotations[i]["showarrow"], false);
        EXPECT_DOUBLE_EQ(annotations[i]["y"].get<double>(),
                         figure["layout"][axis_key('y', i + 1)]["domain"][1].get<double>());
    }
}

TEST_F(FourPanels, HeightAndSpacingAreConfigurable) {
    EXPECT_EQ(stacked(panels)["layout"]["height"], 150 + 250 * 4);
    FigureOptions options;
    options.height = 900;
    options.vertical_spacing = 0.02;
    options.token_width = 50;
    const json layout = stacked(panels, options)["layout"];
    EXPECT_EQ(layout["height"], 900);
    EXPECT_EQ(layout["width"], 200 + 50 * 3);
    EXPECT_NEAR(layout["yaxis"]["domain"][0].get<double>() - layout["yaxis2"]["domain"][1].get<double>(), 0.02, 1e-12);
    options.vertical_spacing = 0.0;
    EXPECT_NEAR(stacked(panels, options)["layout"]["yaxis2"]["domain"][1].get<double>(),
                stacked(panels, options)["layout"]["yaxis"]["domain"][0].get<double>(), 1e-12);
}

TEST_F(FourPanels, EachPanelHasItsOwnColourScaleAndRange) {
    panels[1].options.log_scale = true;
    panels[2].options.colorscale = "viridis";
    const json figure = stacked(panels);
    // Forward KL values 10..21 on a log scale: z is log10 of each.
    EXPECT_NEAR(figure["data"][1]["z"][0][0].get<double>(), 1.0, 1e-6);
    EXPECT_EQ(figure["data"][1]["colorbar"]["tickmode"], "array");
    EXPECT_FALSE(figure["data"][0]["colorbar"].contains("tickmode"));
    EXPECT_NE(figure["data"][2]["colorscale"], figure["data"][0]["colorscale"]);
    EXPECT_NEAR(figure["data"][0]["zmin"].get<double>(), 1.0, 1e-6);
    EXPECT_NEAR(figure["data"][3]["zmin"].get<double>(), 30.0, 1e-6);
}

TEST_F(FourPanels, APanelsMergePatchComesLastAndStaysInItsPanel) {
    panels[2].options.extra_json = R"({"colorbar": {"len": 0.1}, "opacity": 0.5})";
    const json figure = stacked(panels);
    EXPECT_DOUBLE_EQ(figure["data"][2]["colorbar"]["len"].get<double>(), 0.1);
    EXPECT_EQ(figure["data"][2]["opacity"], 0.5);
    EXPECT_EQ(figure["data"][2]["colorbar"]["yanchor"], "middle");
    EXPECT_FALSE(figure["data"][1].contains("opacity"));
}

TEST_F(FourPanels, TheHtmlPageDrawsEveryPanel) {
    trajplot::HtmlOptions html;
    html.plotlyjs = trajplot::PlotlyJs::none;
    const std::string page = Figure::stacked(panels).to_string({Format::html, html});
    EXPECT_NE(page.find("<title>Entropy, KL to the output, Cross Entropy, Log Prob Difference</title>"),
              std::string::npos);
    EXPECT_NE(page.find("\"yaxis4\""), std::string::npos);
    EXPECT_NE(page.find("Plotly.newPlot"), std::string::npos);
}

TEST(StackedFigure, PanelsWithoutSequenceLabelsShareTheOthersAxis) {
    const Statistic labelled = statistic("Entropy", 2, 0.0f);
    const Statistic unlabelled = statistic("Rank", 2, 5.0f, {});
    const json figure = stacked({{unlabelled}, {labelled}});
    EXPECT_EQ(figure["data"][0]["x"], json({"The", "cat", "sat"}));
    EXPECT_EQ(figure["data"][1]["x"], json({"The", "cat", "sat"}));

    const json bare = stacked({{unlabelled}, {unlabelled}});
    EXPECT_FALSE(bare["data"][0].contains("x"));
}

TEST(StackedFigure, OnePanelIsAFigureWithOneSubplot) {
    const Statistic entropy = statistic("Entropy", 2, 0.0f);
    const json figure = stacked({{entropy}});
    ASSERT_EQ(figure["data"].size(), 1u);
    EXPECT_EQ(figure["layout"]["xaxis"]["title"]["text"], "Input");
    EXPECT_EQ(figure["layout"]["yaxis"]["domain"], json({0.0, 1.0}));
}

TEST(StackedFigure, RefusesPanelsThatCannotShareAnAxis) {
    const Statistic entropy = statistic("Entropy", 2, 0.0f);
    const Statistic other_words = statistic("Rank", 2, 0.0f, {"The", "dog", "sat"});
    const Statistic wider =
        shared(TrajectoryStatistic(fields_with(xt::zeros<float>({std::size_t{2}, std::size_t{4}}), "Wide")));

    const trajplot::Error empty = error_of([&] { (void)Figure::stacked({}); });
    EXPECT_EQ(empty.code(), Errc::invalid_argument);
    EXPECT_STREQ(empty.what(), "a stacked figure needs at least one panel, got none");

    const trajplot::Error length = error_of([&] { (void)Figure::stacked({{entropy}, {wider}}); });
    EXPECT_EQ(length.code(), Errc::invalid_argument);
    EXPECT_STREQ(length.what(),
                 "panels[1] (Wide) has seq_len 4 but panels[0] (Entropy) has 3; stacked panels share one x axis");

    const trajplot::Error words = error_of([&] { (void)Figure::stacked({{entropy}, {other_words}}); });
    EXPECT_STREQ(words.what(),
                 "panels[1]'s sequence label at position 1 is \"dog\" but panels[0]'s is \"cat\"; stacked panels share "
                 "one x axis");
}

TEST(StackedFigure, RefusesBadOptionsNamingThePanel) {
    const Statistic entropy = statistic("Entropy", 2, 0.0f);
    std::vector<Panel> panels{{entropy}, {entropy}, {entropy}};
    FigureOptions options;
    options.vertical_spacing = 0.5;
    const trajplot::Error spacing = error_of([&] { (void)Figure::stacked(panels, options); });
    EXPECT_EQ(spacing.code(), Errc::invalid_argument);
    EXPECT_STREQ(spacing.what(), "vertical_spacing must be in [0, 0.5) for 3 panels, got 0.5");
    options.vertical_spacing = -0.1;
    EXPECT_EQ(error_of([&] { (void)Figure::stacked(panels, options); }).code(), Errc::invalid_argument);

    panels[1].options.colorscale = "no-such-scale";
    const std::string message = error_of([&] { (void)Figure::stacked(panels); }).what();
    EXPECT_EQ(message.rfind("panels[1] (Entropy): ", 0), 0u) << message;
    EXPECT_NE(message.find("no-such-scale"), std::string::npos) << message;

    panels[1].options.colorscale = "viridis";
    panels[2].options.extra_json = "[1]";
    EXPECT_EQ(std::string(error_of([&] { (void)Figure::stacked(panels); }).what())
                  .rfind("panels[2] (Entropy): extra_json", 0),
              0u);
}

TEST(StackedFigure, TheLayoutPatchComesAfterThePanels) {
    FigureOptions options;
    // The panels' titles are annotations, which a patch replaces as a whole
    // (merge patches replace arrays); the axes merge by key.
    options.layout_json = R"({"annotations": [], "yaxis2": {"title": {"text": "Rank layers"}}, "xaxis": null})";
    const json figure = stacked({{statistic("Entropy", 2, 0.0f)}, {statistic("Rank", 2, 7.0f)}}, options);
    const json& layout = figure.at("layout");
    EXPECT_EQ(layout.at("annotations"), json::array());
    EXPECT_EQ(layout.at("yaxis2").at("title").at("text"), "Rank layers");
    EXPECT_EQ(layout.at("yaxis2").at("anchor"), "x2");
    EXPECT_FALSE(layout.contains("xaxis"));
    EXPECT_EQ(layout.at("xaxis2").at("title").at("text"), "Input");

    options.layout_json = "[]";
    const trajplot::Error error = error_of([&] { (void)Figure::stacked({{statistic("Entropy", 2, 0.0f)}}, options); });
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    EXPECT_STREQ(error.what(), "layout_json must be a JSON object, got array");
}

TEST(StackedFigure, FilesAreWrittenLikeSingleFigures) {
    const Figure figure = Figure::stacked({{statistic("Entropy", 2, 0.0f)}, {statistic("Rank", 2, 7.0f)}});
    const auto directory = std::filesystem::temp_directory_path() / ("trajplot-stacked-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    figure.save(directory / "figure.json");
    EXPECT_EQ(trajplot_test::read_file(directory / "figure.json"), figure.to_string());
    figure.save(directory / "figure.html", {Format::html});
    EXPECT_EQ(trajplot_test::read_file(directory / "figure.html"), figure.to_string({Format::html}));
    std::filesystem::remove_all(directory);
}

}  // namespace
