// Stacked figures from the command line: `render SPEC... --stack`, `demo`
// (four panels) and its data files, and the options that shape the panels.
// Every figure is parsed and checked against the input specs and the
// documented layout (panels top to bottom, equal heights, gaps between).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Three specs of 4 positions with the same tokens but different layer
// counts, names and ranges: panels of one figure.
json spec_a() {
    return {{"name", "Entropy"},
            {"units", "nats"},
            {"stats", {{4.5, 3.25, 2.0, 1.0}, {3.0, 2.5, 1.75, 1.0}, {0.5, 0.25, 0.125, 0.0625}}},
            {"sequence_labels", {"<s>", "Ġa", "&", "Ġa"}}};
}

json spec_b() {
    return {{"name", "Forward KL"},
            {"units", "nats"},
            {"stats",
             {{8.0, 4.0, 2.0, 1.0},
              {6.0, 3.0, 1.5, 0.75},
              {4.0, 2.0, 1.0, 0.5},
              {2.0, 1.0, 0.5, 0.25},
              {1.0, 0.5, nullptr, 0.125}}}};
}

json spec_c() {
    return {{"name", "Δ Log Prob <Difference>"},
            {"stats", {{-1.0, 0.5, 2.0, 0.0}, {1.5, -0.25, 0.0, 3.0}}},
            {"sequence_labels", {"<s>", "Ġa", "&", "Ġa"}},
            {"includes_output", false}};
}

std::vector<std::string> layer_labels(std::size_t n_layers, bool includes_output) {
    std::vector<std::string> labels;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        labels.push_back(includes_output && layer + 1 == n_layers ? "output" : std::to_string(layer));
    }
    return labels;
}

// Plotly's names of axis `number` (1-based): "x", "x2", ... and the layout
// keys "xaxis", "xaxis2", ...
std::string axis_id(char letter, std::size_t number) {
    return number == 1 ? std::string(1, letter) : letter + std::to_string(number);
}
std::string axis_key(char letter, std::size_t number) {
    return std::string(1, letter) + "axis" + (number == 1 ? "" : std::to_string(number));
}

// The panels' y domains, top first: heights in proportion to the panels'
// rows filling the plotting area with `spacing` between neighbours (every
// panel of these tests is taller than the 90 px minimum).
std::vector<std::pair<double, double>> expected_domains(const std::vector<std::size_t>& rows, double spacing) {
    const std::size_t count = rows.size();
    double total_rows = 0;
    for (const std::size_t n : rows) total_rows += static_cast<double>(n);
    const double row_height = (1.0 - spacing * static_cast<double>(count - 1)) / total_rows;
    std::vector<std::pair<double, double>> domains;
    double top = 1.0;
    for (std::size_t i = 0; i < count; ++i) {
        const double bottom = i + 1 == count ? 0.0 : top - row_height * static_cast<double>(rows[i]);
        domains.emplace_back(bottom, top);
        top = bottom - spacing;
    }
    return domains;
}

Grid strided_rows(const Grid& grid, std::size_t stride) {
    // Every stride-th row before the last, and the last.
    Grid kept;
    for (std::size_t row = 0; row + 1 < grid.size(); row += stride) kept.push_back(grid[row]);
    kept.push_back(grid.back());
    return kept;
}

Grid clamped(Grid grid, float min, float max) {
    for (auto& row : grid) {
        for (auto& value : row) {
            if (value) value = std::clamp(*value, min, max);
        }
    }
    return grid;
}

class CliStackTest : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        write_file(work_dir() / "a.json", spec_a().dump());
        write_file(work_dir() / "b.json", spec_b().dump());
        write_file(work_dir() / "c.json", spec_c().dump());
    }

    json figure_of(const std::vector<std::string>& arguments) const {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(result.err, "");
        if (result.exit_status != 0) return json::object();
        return parse_json(result.out);
    }

    // The stacked figure of `specs` (top first): one trace per spec on its
    // own axes, the values and layers of its spec, the documented domains,
    // and one x axis shared by all, labelled under the bottom panel.
    static void expect_stacked(const json& figure, const std::vector<json>& specs, double spacing) {
        const std::size_t count = specs.size();
        const json& data = figure.at("data");
        ASSERT_EQ(data.size(), count);
        const json& layout = figure.at("layout");
        std::vector<std::size_t> rows;
        for (const json& spec : specs) rows.push_back(spec.at("stats").size());
        const auto domains = expected_domains(rows, spacing);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t axis = i + 1;
            const json& trace = data[i];
            SCOPED_TRACE("panel " + std::to_string(axis));
            EXPECT_EQ(trace.at("type"), "heatmap");
            EXPECT_EQ(trace.at("xaxis"), axis_id('x', axis));
            EXPECT_EQ(trace.at("yaxis"), axis_id('y', axis));
            expect_z(trace.at("z"), spec_stats(specs[i]));
            EXPECT_EQ(trace.at("y").get<std::vector<std::string>>(),
                      layer_labels(specs[i]["stats"].size(), specs[i].value("includes_output", true)));

            const json& y_axis = layout.at(axis_key('y', axis));
            EXPECT_EQ(y_axis.at("anchor"), axis_id('x', axis));
            EXPECT_NEAR(y_axis.at("domain")[0].get<double>(), domains[i].first, 1e-9);
            EXPECT_NEAR(y_axis.at("domain")[1].get<double>(), domains[i].second, 1e-9);
            const json& x_axis = layout.at(axis_key('x', axis));
            EXPECT_EQ(x_axis.at("anchor"), axis_id('y', axis));
            if (axis == count) {
                EXPECT_EQ(x_axis.at("title").at("text"), "Input");
            } else {
                EXPECT_EQ(x_axis.at("matches"), axis_id('x', count));
                EXPECT_EQ(x_axis.at("showticklabels"), false);
            }
            // Beside its own panel, no taller than it.
            const json& colorbar = trace.at("colorbar");
            EXPECT_NEAR(colorbar.at("y").get<double>(), (domains[i].first + domains[i].second) / 2.0, 1e-9);
            EXPECT_NEAR(colorbar.at("len").get<double>(), domains[i].second - domains[i].first, 1e-9);
        }
        EXPECT_FALSE(layout.contains(axis_key('y', count + 1)));
        ASSERT_EQ(layout.at("annotations").size(), count);
    }

    static std::vector<std::string> annotation_texts(const json& figure) {
        std::vector<std::string> texts;
        for (const json& annotation : figure.at("layout").at("annotations")) texts.push_back(annotation.at("text"));
        return texts;
    }
};

TEST_F(CliStackTest, SeveralSpecsArePanelsTopToBottomInTheOrderGiven) {
    const json figure = figure_of({"render", "b.json", "a.json", "c.json", "--stack"});
    expect_stacked(figure, {spec_b(), spec_a(), spec_c()}, 0.3 / 3.0);
    // Titles default to the statistics' names, escaped for Plotly.
    EXPECT_EQ(annotation_texts(figure),
              (std::vector<std::string>{"Forward KL", "Entropy", escape_markup(spec_c()["name"].get<std::string>())}));
    // The panel without tokens shares the others' x axis.
    for (const json& trace : figure.at("data")) {
        ASSERT_EQ(trace.at("x").size(), 4u);
        EXPECT_TRUE(trace.at("x")[2].get<std::string>().starts_with("&amp;"));
    }
    EXPECT_EQ(figure.at("data")[0].at("colorbar").at("title").at("text"), "Forward KL (nats)");
    const json& layout = figure.at("layout");
    EXPECT_EQ(layout.at("height"), 150 + 250 * 3);
    EXPECT_EQ(layout.at("width"), 200 + 80 * 4);
    EXPECT_EQ(layout.at("title").at("text"), "");
}

TEST_F(CliStackTest, OneSpecWithStackIsAOnePanelStackedFigure) {
    const json figure = figure_of({"render", "a.json", "--stack"});
    expect_stacked(figure, {spec_a()}, 0.3);
    EXPECT_EQ(annotation_texts(figure), std::vector<std::string>{"Entropy"});
    EXPECT_EQ(figure.at("layout").at("height"), 150 + 250);

    // Standard input is one of the SPECs like any file.
    const CliResult from_stdin = run({"render", "a.json", "-", "--stack"}, spec_c().dump());
    ASSERT_EQ(from_stdin.exit_status, 0) << from_stdin.err;
    expect_stacked(parse_json(from_stdin.out), {spec_a(), spec_c()}, 0.15);
}

TEST_F(CliStackTest, EqualPanelHeightsOnRequest) {
    // a has 3 rows and c 2: by default their heights differ.
    const json by_rows = figure_of({"render", "a.json", "c.json", "--stack"});
    const json equal = figure_of({"render", "a.json", "c.json", "--stack", "--equal-panel-heights"});
    const auto height = [](const json& figure, const char* axis) {
        const json& domain = figure.at("layout").at(axis).at("domain");
        return domain[1].get<double>() - domain[0].get<double>();
    };
    EXPECT_NEAR(height(by_rows, "yaxis") / 3, height(by_rows, "yaxis2") / 2, 1e-9);
    EXPECT_NEAR(height(equal, "yaxis"), height(equal, "yaxis2"), 1e-9);
}

TEST_F(CliStackTest, HoverValueReachesEveryPanel) {
    const json figure = figure_of({"render", "a.json", "c.json", "--stack", "--hover-value"});
    EXPECT_EQ(figure.at("data")[0].at("hovertemplate"), "Entropy: %{customdata[0]} nats<extra></extra>");
    EXPECT_EQ(figure.at("data")[1].at("hovertemplate"),
              "\u0394 Log Prob &lt;Difference&gt;: %{customdata[0]}<extra></extra>");
    EXPECT_EQ(figure.at("data")[0].at("customdata")[0][0], json::array({"4.5"}));
}

TEST_F(CliStackTest, FigureOptionsShapeTheWholeFigure) {
    const json figure = figure_of({"render", "a.json", "b.json", "--stack", "--title", "Lens <i>", "--height", "900",
                                   "--token-width", "50", "--vertical-spacing", "0.25"});
    expect_stacked(figure, {spec_a(), spec_b()}, 0.25);
    const json& layout = figure.at("layout");
    EXPECT_EQ(layout.at("title").at("text"), escape_markup("Lens <i>"));
    EXPECT_EQ(layout.at("height"), 900);
    EXPECT_EQ(layout.at("width"), 200 + 50 * 4);

    // No gap at all is allowed too.
    expect_stacked(figure_of({"render", "a.json", "b.json", "--stack", "--vertical-spacing", "0"}),
                   {spec_a(), spec_b()}, 0.0);
}

TEST_F(CliStackTest, PanelOptionsLandInTheirPanelAndOverrideTheFigureWide) {
    const json figure = figure_of({"render",
                                   "a.json",
                                   "b.json",
                                   "c.json",
                                   "--stack",
                                   "--colorscale",
                                   "viridis",
                                   "--extra",
                                   R"({"opacity": 0.5})",
                                   "--panel-colorscale",
                                   "2",
                                   "blues",
                                   "--panel-title",
                                   "3",
                                   "Third <b>",
                                   "--panel-log-scale",
                                   "2",
                                   "--panel-title",
                                   "1",
                                   "Top"});
    EXPECT_EQ(annotation_texts(figure), (std::vector<std::string>{"Top", "Forward KL", escape_markup("Third <b>")}));
    const json& data = figure.at("data");
    ASSERT_EQ(data.size(), 3u);

    // The colour scales as single figures draw them.
    const json viridis = figure_of({"render", "a.json", "--colorscale", "viridis"}).at("data")[0].at("colorscale");
    const json blues = figure_of({"render", "a.json", "--colorscale", "blues"}).at("data")[0].at("colorscale");
    ASSERT_NE(viridis, blues);
    EXPECT_EQ(data[0].at("colorscale"), viridis);
    EXPECT_EQ(data[1].at("colorscale"), blues);
    EXPECT_EQ(data[2].at("colorscale"), viridis);
    for (const json& trace : data) EXPECT_EQ(trace.at("opacity"), 0.5);

    // Only panel 2 is coloured by log10 of its values.
    expect_z(data[0].at("z"), spec_stats(spec_a()));
    expect_z(data[2].at("z"), spec_stats(spec_c()));
    const Grid values = spec_stats(spec_b());
    const json& z = data[1].at("z");
    ASSERT_EQ(z.size(), values.size());
    for (std::size_t layer = 0; layer < values.size(); ++layer) {
        for (std::size_t position = 0; position < values[layer].size(); ++position) {
            const std::optional<float>& value = values[layer][position];
            if (!value) {
                EXPECT_TRUE(z[layer][position].is_null());
                continue;
            }
            EXPECT_NEAR(z[layer][position].get<double>(), std::log10(*value), 1e-6)
                << "z[" << layer << "][" << position << "]";
        }
    }
}

TEST_F(CliStackTest, LogScaleAppliesToEveryPanel) {
    const json figure = figure_of({"render", "a.json", "b.json", "--stack", "--log-scale"});
    for (const std::size_t panel : {0u, 1u}) {
        const json& z = figure.at("data")[panel].at("z");
        EXPECT_NEAR(z[0][0].get<double>(), std::log10(panel == 0 ? 4.5 : 8.0), 1e-6) << panel;
    }
    // A --panel-log-scale next to --log-scale changes nothing more.
    EXPECT_EQ(figure_of({"render", "a.json", "b.json", "--stack", "--log-scale", "--panel-log-scale", "1"}), figure);
}

TEST_F(CliStackTest, StrideAndClipApplyToEveryStatistic) {
    const json figure = figure_of({"render", "a.json", "b.json", "--stack", "--stride", "2", "--clip", "1", "3"});
    const json& data = figure.at("data");
    ASSERT_EQ(data.size(), 2u);
    expect_z(data[0].at("z"), clamped(strided_rows(spec_stats(spec_a()), 2), 1.0f, 3.0f));
    expect_z(data[1].at("z"), clamped(strided_rows(spec_stats(spec_b()), 2), 1.0f, 3.0f));
    EXPECT_EQ(data[1].at("y"), json({"0", "2", "output"}));
    for (const json& trace : data) {
        EXPECT_EQ(trace.at("zmin"), 1.0);
        EXPECT_EQ(trace.at("zmax"), 3.0);
    }
}

TEST_F(CliStackTest, StdoutAndOutFileHoldTheSameBytes) {
    const CliResult to_stdout = run({"render", "a.json", "b.json", "--stack"});
    ASSERT_EQ(to_stdout.exit_status, 0) << to_stdout.err;
    const CliResult to_file = run({"render", "a.json", "b.json", "--stack", "-o", "figure.json"});
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
    EXPECT_EQ(to_file.out, "");
    EXPECT_EQ(read_file(work_dir() / "figure.json"), to_stdout.out);
}

// The page embeds the same figure as the JSON, and the HTML options work.
TEST_F(CliStackTest, HtmlDrawsTheStackedFigure) {
    const std::vector<std::string> stacked = {"render", "a.json", "b.json", "--stack", "--panel-title", "2", "KL"};
    const json expected = figure_of(stacked);

    std::vector<std::string> page_arguments = stacked;
    page_arguments.insert(page_arguments.end(), {"--format", "html", "--div-id", "stack-fig", "-o", "page.html"});
    const CliResult result = run(page_arguments);
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const std::string page = read_file(work_dir() / "page.html");
    EXPECT_NE(page.find("<html"), std::string::npos);
    EXPECT_NE(page.find("id=\"stack-fig\""), std::string::npos);
    const std::string marker = "var figure = ";
    const std::size_t start = page.find(marker);
    ASSERT_NE(start, std::string::npos) << page;
    const std::size_t end = page.find(";\n  Plotly.newPlot", start);
    ASSERT_NE(end, std::string::npos) << page;
    EXPECT_EQ(parse_json(page.substr(start + marker.size(), end - start - marker.size())), expected);

    std::vector<std::string> fragment_arguments = stacked;
    fragment_arguments.insert(fragment_arguments.end(),
                              {"--format", "html", "--html-fragment", "--plotlyjs", "none", "--responsive"});
    const CliResult fragment = run(fragment_arguments);
    ASSERT_EQ(fragment.exit_status, 0) << fragment.err;
    EXPECT_EQ(fragment.out.find("<html"), std::string::npos);
    EXPECT_EQ(fragment.out.find("<script src"), std::string::npos);
    EXPECT_NE(fragment.out.find("id=\"trajplot-figure\""), std::string::npos);
    EXPECT_NE(fragment.out.find("Plotly.newPlot"), std::string::npos);
}

// ---------------------------------------------------------------------------
// The demo: four panels, each the statistic of its data file.

TEST_F(CliStackTest, DemoDrawsTheFourStatisticsOfItsDataFiles) {
    const CliResult result = run({"demo", "--out", "figure.json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const json figure = read_json(work_dir() / "figure.json");

    const fs::path data_dir = TRAJPLOT_DEMO_DATA_DIR;
    std::vector<json> specs;
    for (const char* file : {"entropy.json", "forward_kl.json", "cross_entropy.json", "max_probability.json"}) {
        specs.push_back(read_json(data_dir / file));
    }
    expect_stacked(figure, specs, 0.3 / 4.0);
    EXPECT_EQ(annotation_texts(figure),
              (std::vector<std::string>{"Entropy", "Forward KL", "Cross Entropy", "Max Probability"}));
    const std::vector<std::string> colorbars = {"Entropy (nats)", "Forward KL (nats)", "Cross Entropy (nats)",
                                                "Max Probability (probs)"};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(figure.at("data")[i].at("colorbar").at("title").at("text"), colorbars[i]);
    }
    EXPECT_EQ(figure.at("layout").at("height"), 150 + 250 * 4);
}

TEST_F(CliStackTest, DemoTakesThePanelOptions) {
    const json figure =
        figure_of({"demo", "--panel-title", "4", "Top-1 probability", "--vertical-spacing", "0.05", "--stride", "3"});
    EXPECT_EQ(annotation_texts(figure).back(), "Top-1 probability");
    ASSERT_EQ(figure.at("data").size(), 4u);
    const json entropy = read_json(fs::path(TRAJPLOT_DEMO_DATA_DIR) / "entropy.json");
    expect_z(figure.at("data")[0].at("z"), strided_rows(spec_stats(entropy), 3));
    const auto domains = expected_domains({5, 5, 5, 5}, 0.05);  // 13 rows strided by 3
    EXPECT_NEAR(figure.at("layout").at("yaxis4").at("domain")[1].get<double>(), domains[3].second, 1e-9);
}

// The demo files follow tuned-lens's definitions, checked here on the data
// itself: they all describe one distribution per cell.
TEST_F(CliStackTest, DemoDataFilesAgreeWithEachOther) {
    const fs::path data_dir = TRAJPLOT_DEMO_DATA_DIR;
    const json entropy = read_json(data_dir / "entropy.json");
    const json forward_kl = read_json(data_dir / "forward_kl.json");
    const json cross_entropy = read_json(data_dir / "cross_entropy.json");
    const json max_probability = read_json(data_dir / "max_probability.json");
    EXPECT_EQ(forward_kl.at("units"), "nats");
    EXPECT_EQ(cross_entropy.at("units"), "nats");
    EXPECT_EQ(max_probability.at("units"), "probs");
    for (const json* spec : {&forward_kl, &cross_entropy, &max_probability}) {
        // tuned-lens gives all four statistics the same labels.
        EXPECT_EQ(spec->at("trajectory_labels"), entropy.at("trajectory_labels")) << spec->at("name");
        EXPECT_EQ(spec->at("sequence_labels"), entropy.at("sequence_labels")) << spec->at("name");
        EXPECT_EQ(spec->at("stats").size(), entropy.at("stats").size()) << spec->at("name");
        EXPECT_FALSE(spec->contains("min") || spec->contains("max")) << spec->at("name");
    }
    const std::size_t layers = entropy.at("stats").size();
    const json& hover = entropy.at("trajectory_labels").at("hover_over_entries");
    for (std::size_t layer = 0; layer < layers; ++layer) {
        for (std::size_t position = 0; position < entropy.at("stats")[layer].size(); ++position) {
            SCOPED_TRACE("layer " + std::to_string(layer) + ", position " + std::to_string(position));
            const double kl = forward_kl.at("stats")[layer][position];
            const double top = max_probability.at("stats")[layer][position];
            const double ce = cross_entropy.at("stats")[layer][position];
            // KL(output || output) = 0; KL is never negative.
            if (layer + 1 == layers) {
                EXPECT_EQ(kl, 0.0);
            } else {
                EXPECT_GT(kl, 0.0);
            }
            // The top probability is the hover table's first row, rounded.
            const double shown = std::stod(hover[layer][position][0][1].get<std::string>()) / 100.0;
            EXPECT_NEAR(top, shown, 0.00006);
            EXPECT_GT(top, 0.0);
            EXPECT_LE(top, 1.0);
            // No token is likelier than the top one: -log p(target) >= -log max p.
            EXPECT_GE(ce, -std::log(top) - 1e-3);
            // Shannon entropy is at least the min-entropy -log max p.
            EXPECT_GE(entropy.at("stats")[layer][position].get<double>(), -std::log(top) - 1e-3);
        }
    }
    // Where the next token is the output's clear favourite ("el" after
    // "iff"), the output's cross-entropy equals -log of its top probability.
    const std::vector<std::string> tokens = entropy.at("sequence_labels");
    ASSERT_EQ(tokens[2], "iff");
    ASSERT_EQ(tokens[3], "el");
    ASSERT_EQ(hover[layers - 1][2][0][0], "el");
    EXPECT_NEAR(cross_entropy.at("stats")[layers - 1][2].get<double>(),
                -std::log(max_probability.at("stats")[layers - 1][2].get<double>()), 1e-3);
}

// ---------------------------------------------------------------------------
// Errors

struct BadStack {
    const char* name;
    std::vector<std::string> options;
    const char* message;
};

void PrintTo(const BadStack& bad, std::ostream* out) { *out << bad.name; }

class CliStackUsageTest : public CliStackTest, public ::testing::WithParamInterface<BadStack> {};

TEST_P(CliStackUsageTest, IsAUsageErrorAndWritesNothing) {
    // --out right after the command, so that a missing value at the end
    // stays missing.
    std::vector<std::string> arguments = GetParam().options;
    arguments.insert(arguments.begin() + 1, {"--out", "figure.json"});
    expect_usage_error(run(arguments), GetParam().message);
    EXPECT_EQ(work_entries(), (std::set<std::string>{"a.json", "b.json", "c.json"}));
}

const BadStack bad_stack_command_lines[] = {
    {"SeveralSpecsWithoutStack",
     {"render", "a.json", "b.json"},
     "2 SPECs are given ('a.json', 'b.json'); several SPECs need --stack"},
    {"ThreeSpecsWithoutStack", {"render", "a.json", "b.json", "c.json"}, "3 SPECs are given ('a.json', 'b.json', ...)"},
    {"StandardInputTwice", {"render", "-", "a.json", "-", "--stack"}, "- (standard input) is given as more than one"},
    {"PanelTitleWithoutStack",
     {"render", "a.json", "--panel-title", "1", "x"},
     "--panel-title 1 applies to stacked figures only; add --stack"},
    {"PanelColorscaleWithoutStack",
     {"render", "a.json", "--panel-colorscale", "1", "blues"},
     "--panel-colorscale 1 applies to stacked figures only; add --stack"},
    {"PanelLogScaleWithoutStack",
     {"render", "a.json", "--panel-log-scale", "1"},
     "--panel-log-scale 1 applies to stacked figures only; add --stack"},
    {"VerticalSpacingWithoutStack",
     {"render", "a.json", "--vertical-spacing", "0.1"},
     "--vertical-spacing applies to stacked figures only; add --stack"},
    {"EqualPanelHeightsWithoutStack",
     {"render", "a.json", "--equal-panel-heights"},
     "--equal-panel-heights applies to stacked figures only; add --stack"},
    {"EqualPanelHeightsTwice",
     {"render", "a.json", "--stack", "--equal-panel-heights", "--equal-panel-heights"},
     "--equal-panel-heights is given more than once"},
    {"PanelPastTheLast",
     {"render", "a.json", "b.json", "--stack", "--panel-title", "3", "x"},
     "--panel-title 3 names no panel: the figure has 2 panels, numbered from 1 at the top"},
    {"PanelPastTheOnlyOne",
     {"render", "a.json", "--stack", "--panel-log-scale", "2"},
     "--panel-log-scale 2 names no panel: the figure has 1 panel"},
    {"PanelZero",
     {"render", "a.json", "--stack", "--panel-colorscale", "0", "blues"},
     "--panel-colorscale needs a panel number N (1 = top), got '0'"},
    {"PanelNotANumber",
     {"render", "a.json", "--stack", "--panel-title", "top", "x"},
     "--panel-title needs a panel number N (1 = top), got 'top'"},
    {"PanelTitleMissingText",
     {"render", "a.json", "--stack", "--panel-title", "1"},
     "--panel-title needs a value: --panel-title N TEXT"},
    {"PanelTitleTwice",
     {"render", "a.json", "b.json", "--stack", "--panel-title", "2", "x", "--panel-title", "2", "y"},
     "--panel-title 2 is given more than once"},
    {"PanelColorscaleTwice",
     {"render", "a.json", "--stack", "--panel-colorscale", "1", "blues", "--panel-colorscale", "1", "reds"},
     "--panel-colorscale 1 is given more than once"},
    {"PanelLogScaleTwice",
     {"render", "a.json", "--stack", "--panel-log-scale", "1", "--panel-log-scale", "1"},
     "--panel-log-scale 1 is given more than once"},
    {"VerticalSpacingTwice",
     {"render", "a.json", "--stack", "--vertical-spacing", "0.1", "--vertical-spacing", "0.2"},
     "--vertical-spacing is given more than once"},
    {"StackTwice", {"render", "a.json", "--stack", "--stack"}, "--stack is given more than once"},
    {"TraceOnlyWithStack",
     {"render", "a.json", "--stack", "--trace-only"},
     "--trace-only writes one heatmap trace, not the stacked figure of --stack"},
    {"DemoTraceOnly",
     {"demo", "--trace-only"},
     "--trace-only writes one heatmap trace, and the demo is a stacked figure of 4 panels"},
    {"DemoPanelPastTheLast", {"demo", "--panel-log-scale", "5"}, "--panel-log-scale 5 names no panel"},
};

INSTANTIATE_TEST_SUITE_P(CommandLines, CliStackUsageTest, ::testing::ValuesIn(bad_stack_command_lines),
                         [](const ::testing::TestParamInfo<BadStack>& info) { return info.param.name; });

class CliStackBadInputTest : public CliStackTest, public ::testing::WithParamInterface<BadStack> {};

// Refused before anything is written: an earlier output stays as it was.
TEST_P(CliStackBadInputTest, FailsNamingTheProblemAndKeepsTheEarlierFile) {
    const std::string earlier = "{\"an\": \"earlier figure\"}\n";
    write_file(work_dir() / "figure.json", earlier);
    std::vector<std::string> arguments = GetParam().options;
    arguments.insert(arguments.end(), {"--out", "figure.json"});
    expect_error(run(arguments), 1, GetParam().message);
    EXPECT_EQ(read_file(work_dir() / "figure.json"), earlier);
    EXPECT_EQ(work_entries(), (std::set<std::string>{"a.json", "b.json", "c.json", "figure.json"}));
}

const BadStack bad_stack_inputs[] = {
    {"VerticalSpacingTooLarge",
     {"render", "a.json", "b.json", "c.json", "--stack", "--vertical-spacing", "0.5"},
     "--vertical-spacing must be in [0, 1/2) for 3 panels, got 0.5"},
    {"VerticalSpacingOfOnePanel",
     {"render", "a.json", "--stack", "--vertical-spacing", "1"},
     "--vertical-spacing must be in [0, 1) for 1 panel, got 1"},
    {"VerticalSpacingNegative",
     {"render", "a.json", "b.json", "--stack", "--vertical-spacing", "-0.1"},
     "--vertical-spacing must be in [0, 1) for 2 panels, got -0.1"},
    {"VerticalSpacingNotANumber",
     {"render", "a.json", "b.json", "--stack", "--vertical-spacing", "wide"},
     "--vertical-spacing must be a finite number, got 'wide'"},
    {"VerticalSpacingNan",
     {"render", "a.json", "b.json", "--stack", "--vertical-spacing", "nan"},
     "--vertical-spacing must be a finite number, got 'nan'"},
    {"UnknownPanelColorscale",
     {"render", "a.json", "b.json", "--stack", "--panel-colorscale", "2", "nosuchscale"},
     "panel 2 (Forward KL): unknown colorscale 'nosuchscale'; valid names are plotly.py's"},
    {"BadExtraForEveryPanel",
     {"render", "a.json", "b.json", "--stack", "--extra", "[1]"},
     "--extra must be a JSON object, got array"},
    {"BadSpecAmongSeveral", {"render", "a.json", "missing.json", "--stack"}, "cannot open spec file 'missing.json'"},
};

INSTANTIATE_TEST_SUITE_P(Inputs, CliStackBadInputTest, ::testing::ValuesIn(bad_stack_inputs),
                         [](const ::testing::TestParamInfo<BadStack>& info) { return info.param.name; });

TEST_F(CliStackTest, PanelsMustShareTheirPositions) {
    json longer = spec_a();
    for (json& row : longer["stats"]) row.push_back(0.5);
    longer["sequence_labels"].push_back("Ġb");
    write_file(work_dir() / "longer.json", longer.dump());
    expect_error(run({"render", "a.json", "longer.json", "--stack"}), 1,
                 "panel 2 (spec file 'longer.json') has 5 positions but panel 1 (spec file 'a.json') has 4; "
                 "stacked panels share one x axis");

    json other_tokens = spec_a();
    other_tokens["sequence_labels"][3] = "Ġb";
    write_file(work_dir() / "other_tokens.json", other_tokens.dump());
    // Panel 2 has no tokens, so panel 3's are compared with panel 1's.
    expect_error(run({"render", "a.json", "b.json", "other_tokens.json", "--stack"}), 1,
                 "panel 3 (spec file 'other_tokens.json') has sequence label 'Ġb' at position 3 but spec file "
                 "'a.json' has 'Ġa'; stacked panels share one x axis");
}

TEST_F(CliStackTest, HelpDocumentsStacking) {
    const CliResult result = run({"--help"});
    ASSERT_EQ(result.exit_status, 0);
    for (const std::string word : {"render SPEC [SPEC...] --stack", "--stack", "--vertical-spacing F",
                                   "--panel-title N TEXT", "--panel-colorscale N NAME", "--panel-log-scale N",
                                   "entropy, forward KL, cross-entropy and", "max probability"}) {
        EXPECT_NE(result.out.find(word), std::string::npos) << word;
    }
}

}  // namespace
}  // namespace trajplot_cli_test
