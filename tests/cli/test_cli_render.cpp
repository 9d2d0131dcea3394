// What `trajplot render` and `trajplot demo` write for good input: checked
// against the input spec and docs/behaviour.md, never against earlier output.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "trajplot.h"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;

const json& trace_of(const json& figure) { return figure.at("data").at(0); }

// For a figure that is a temporary: the trace is moved out rather than
// referenced, so that binding the result to a reference stays valid.
json trace_of(json&& figure) { return std::move(figure.at("data").at(0)); }

std::vector<std::string> strings_of(const json& array) { return array.get<std::vector<std::string>>(); }

// Layer labels the library derives: "0", "1", ..., "output" for the last
// layer when it is the model output.
std::vector<std::string> derived_layer_labels(std::size_t n_layers, bool includes_output) {
    std::vector<std::string> labels;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        labels.push_back(includes_output && layer + 1 == n_layers ? "output" : std::to_string(layer));
    }
    return labels;
}

std::vector<std::vector<std::string>> escaped_matrix(const json& matrix) {
    std::vector<std::vector<std::string>> escaped;
    for (const json& row : matrix) {
        std::vector<std::string>& out = escaped.emplace_back();
        for (const json& text : row) {
            out.push_back(escape_markup(text.get<std::string>()));
        }
    }
    return escaped;
}

// Repeated tokens must stay separate categories on the x axis while showing
// the same text, so each x entry starts with its escaped token and no two
// are equal.
void expect_sequence_axis(const json& x, const std::vector<std::string>& tokens) {
    ASSERT_EQ(x.size(), tokens.size());
    std::set<std::string> distinct;
    for (std::size_t position = 0; position < tokens.size(); ++position) {
        const std::string category = x[position].get<std::string>();
        EXPECT_TRUE(category.starts_with(escape_markup(tokens[position]))) << "x[" << position << "] = " << category;
        distinct.insert(category);
    }
    EXPECT_EQ(distinct.size(), tokens.size());
}

Grid strided(const Grid& grid, const std::vector<std::size_t>& rows) {
    Grid kept;
    for (const std::size_t row : rows) {
        kept.push_back(grid.at(row));
    }
    return kept;
}

Grid clamped(Grid grid, float min, float max) {
    for (auto& row : grid) {
        for (auto& value : row) {
            if (value) {
                value = std::clamp(*value, min, max);
            }
        }
    }
    return grid;
}

class CliRenderTest : public CliTest {
protected:
    // Renders with `arguments` to standard output and returns the JSON.
    json render_stdout(const std::vector<std::string>& arguments) {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(result.err, "");
        return parse_json(result.out);
    }
};

TEST_F(CliRenderTest, DemoRendersTheEmbeddedSpecFromAnyDirectory) {
    // The work directory holds nothing, so the spec must come from the
    // binary itself.
    const CliResult result = run({"demo", "--out", "figure.json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err, "");

    const json spec = read_json(TRAJPLOT_DEMO_SPEC_PATH);
    const json figure = read_json(work_dir() / "figure.json");
    const json& trace = trace_of(figure);
    const std::size_t seq_len = spec["sequence_labels"].size();

    EXPECT_EQ(trace["type"], "heatmap");
    expect_z(trace["z"], spec_stats(spec));
    EXPECT_EQ(strings_of(trace["y"]), derived_layer_labels(spec["stats"].size(), true));
    expect_sequence_axis(trace["x"], strings_of(spec["sequence_labels"]));
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Entropy (nats)");
    EXPECT_EQ(trace["text"].get<std::vector<std::vector<std::string>>>(),
              escaped_matrix(spec["trajectory_labels"]["label_strings"]));
    EXPECT_EQ(trace["texttemplate"], "<b>%{text}</b>");

    const json& hover = spec["trajectory_labels"]["hover_over_entries"];
    const std::size_t entries_per_cell = hover[0][0].size() * hover[0][0][0].size();
    ASSERT_EQ(trace["customdata"].size(), spec["stats"].size());
    ASSERT_EQ(trace["customdata"][0].size(), seq_len);
    EXPECT_EQ(trace["customdata"][0][0].size(), entries_per_cell);
    EXPECT_NE(
        trace["hovertemplate"].get<std::string>().find("%{customdata[" + std::to_string(entries_per_cell - 1) + "]}"),
        std::string::npos);

    EXPECT_EQ(figure["layout"]["width"], 200 + 80 * seq_len);
}

TEST_F(CliRenderTest, DemoDataIsAPlausibleEntropyTrajectory) {
    const json spec = read_json(TRAJPLOT_DEMO_SPEC_PATH);
    EXPECT_EQ(spec["units"], "nats");
    ASSERT_EQ(spec["stats"].size(), 13u);
    const Grid stats = spec_stats(spec);
    const std::vector<std::string> tokens = strings_of(spec["sequence_labels"]);
    EXPECT_EQ(tokens.size(), 11u);
    EXPECT_LT(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size())
        << "the demo should show a repeated token";
    for (std::size_t position = 0; position < tokens.size(); ++position) {
        EXPECT_GT(*stats.front()[position], *stats.back()[position]) << "position " << position;
    }
    for (const json& layer : spec["trajectory_labels"]["hover_over_entries"]) {
        for (const json& table : layer) {
            ASSERT_EQ(table.size(), 10u);
            double total = 0.0;
            double previous = 100.0;
            for (const json& row : table) {
                ASSERT_EQ(row.size(), 2u);
                const std::string percentage = row[1].get<std::string>();
                ASSERT_TRUE(percentage.ends_with("%")) << percentage;
                const double value = std::stod(percentage);
                EXPECT_LE(value, previous);
                previous = value;
                total += value;
            }
            EXPECT_LE(total, 100.0);
        }
    }
}

TEST_F(CliRenderTest, StdoutAndOutFileHoldTheSameBytes) {
    const CliResult to_stdout = run({"demo"});
    ASSERT_EQ(to_stdout.exit_status, 0) << to_stdout.err;
    const CliResult to_dash = run({"demo", "--out", "-"});
    ASSERT_EQ(to_dash.exit_status, 0) << to_dash.err;
    const CliResult to_file = run({"demo", "--out", "figure.json"});
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;

    EXPECT_FALSE(to_stdout.out.empty());
    EXPECT_EQ(to_dash.out, to_stdout.out);
    EXPECT_EQ(read_file(work_dir() / "figure.json"), to_stdout.out);
}

TEST_F(CliRenderTest, MinimalSpecNeedsOnlyNameAndStats) {
    const json spec = read_json(spec_path("minimal.json"));
    const json figure = render_stdout({"render", spec_path("minimal.json")});
    const json& trace = trace_of(figure);

    expect_z(trace["z"], spec_stats(spec));
    EXPECT_EQ(strings_of(trace["y"]), derived_layer_labels(2, true));
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Rank");
    EXPECT_FALSE(trace.contains("text"));
    EXPECT_FALSE(trace.contains("customdata"));
    // No explicit range: the finite extremes, the null cell ignored.
    EXPECT_EQ(trace["zmin"], 0.5);
    EXPECT_EQ(trace["zmax"], 4.0);
    EXPECT_EQ(figure["layout"]["width"], 200 + 80 * 3);
    EXPECT_EQ(figure["layout"]["title"]["text"], "");
}

TEST_F(CliRenderTest, NullOptionalKeysMeanNotGiven) {
    const CliResult with_nulls = run({"render", spec_path("nulls_as_absent.json")});
    const CliResult without = run({"render", spec_path("minimal.json")});
    ASSERT_EQ(with_nulls.exit_status, 0) << with_nulls.err;
    ASSERT_EQ(without.exit_status, 0) << without.err;
    EXPECT_EQ(with_nulls.out, without.out);
}

TEST_F(CliRenderTest, IncludesOutputFalseNumbersEveryLayer) {
    const json figure = render_stdout({"render", spec_path("includes_output_false.json")});
    EXPECT_EQ(strings_of(trace_of(figure)["y"]), derived_layer_labels(2, false));
}

TEST_F(CliRenderTest, EveryOptionalKeyReachesTheFigure) {
    const json spec = read_json(spec_path("full.json"));
    const json figure = render_stdout({"render", spec_path("full.json")});
    const json& trace = trace_of(figure);

    expect_z(trace["z"], spec_stats(spec));
    EXPECT_EQ(strings_of(trace["y"]), strings_of(spec["layer_labels"]));
    expect_sequence_axis(trace["x"], strings_of(spec["sequence_labels"]));
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Entropy (nats)");
    EXPECT_EQ(trace["zmin"], 0.0);
    EXPECT_EQ(trace["zmax"], 5.0);
    EXPECT_EQ(trace["text"].get<std::vector<std::vector<std::string>>>(),
              escaped_matrix(spec["trajectory_labels"]["label_strings"]));
    ASSERT_TRUE(trace.contains("customdata"));
    ASSERT_EQ(trace["customdata"].size(), 3u);
    ASSERT_EQ(trace["customdata"][2].size(), 4u);
    EXPECT_EQ(trace["customdata"][2][3].size(), 4u);
    EXPECT_EQ(trace["hovertemplate"],
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
}

TEST_F(CliRenderTest, StringsKeepTheirNulBytes) {
    const json figure = render_stdout({"render", spec_path("nul_strings.json")});
    const json& trace = trace_of(figure);
    EXPECT_EQ(trace["text"][0][0].get<std::string>(), std::string("x\0y", 3));
    EXPECT_EQ(trace["text"][1][1].get<std::string>(), std::string("q\0", 2));
    EXPECT_TRUE(trace["x"][0].get<std::string>().starts_with(std::string("a\0b", 3)));
}

TEST_F(CliRenderTest, AcceptsTheWholeFloat32Range) {
    const json spec = read_json(spec_path("float32_limits.json"));
    const json figure = render_stdout({"render", spec_path("float32_limits.json")});
    expect_z(trace_of(figure)["z"], spec_stats(spec));
}

TEST_F(CliRenderTest, ReadsTheSpecFromStandardInput) {
    const CliResult from_file = run({"render", spec_path("full.json")});
    const CliResult from_stdin = run({"render", "-"}, read_file(spec_path("full.json")));
    ASSERT_EQ(from_file.exit_status, 0) << from_file.err;
    ASSERT_EQ(from_stdin.exit_status, 0) << from_stdin.err;
    EXPECT_EQ(from_stdin.out, from_file.out);
}

TEST_F(CliRenderTest, TraceOnlyWritesTheHeatmapTraceOfTheFigure) {
    const json figure = render_stdout({"render", spec_path("full.json")});
    const json trace = render_stdout({"render", spec_path("full.json"), "--trace-only"});
    EXPECT_EQ(trace["type"], "heatmap");
    EXPECT_FALSE(trace.contains("layout"));
    EXPECT_EQ(trace, trace_of(figure));

    const CliResult to_file = run({"render", spec_path("full.json"), "--trace-only", "--out", "trace.json"});
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
    EXPECT_EQ(read_json(work_dir() / "trace.json"), trace);
}

// A bare trace is sized for the figure trajplot would draw around it, so
// --token-width and --height shape its cell text as they shape the
// figure's (docs/behaviour.md, "Cell text and its size").
TEST_F(CliRenderTest, TraceOnlyCellTextFollowsTokenWidthAndHeight) {
    const std::string spec = spec_path("full.json");
    const json wide = render_stdout({"render", spec, "--trace-only"});
    ASSERT_TRUE(wide.contains("textfont")) << wide.dump();
    EXPECT_EQ(wide["textfont"]["size"], 12);

    const json narrow = render_stdout({"render", spec, "--trace-only", "--token-width", "20"});
    ASSERT_TRUE(narrow.contains("textfont")) << narrow.dump();
    EXPECT_LT(narrow["textfont"]["size"].get<int>(), wide["textfont"]["size"].get<int>());
    EXPECT_GE(narrow["textfont"]["size"].get<int>(), 6);
    EXPECT_EQ(narrow, trace_of(render_stdout({"render", spec, "--token-width", "20"})));

    const json low = render_stdout({"render", spec, "--trace-only", "--height", "200"});
    ASSERT_TRUE(low.contains("textfont")) << low.dump();
    EXPECT_LT(low["textfont"]["size"].get<int>(), wide["textfont"]["size"].get<int>());
    EXPECT_EQ(low, trace_of(render_stdout({"render", spec, "--height", "200"})));

    // Written to a file, the same trace.
    const CliResult to_file = run({"render", spec, "--trace-only", "--token-width", "20", "--out", "trace.json"});
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
    EXPECT_EQ(read_json(work_dir() / "trace.json"), narrow);
}

TEST_F(CliRenderTest, StrideKeepsEveryKthLayerAndTheLast) {
    const json spec = read_json(spec_path("five_layers.json"));
    const Grid stats = spec_stats(spec);

    const json& by_two = trace_of(render_stdout({"render", spec_path("five_layers.json"), "--stride", "2"}));
    EXPECT_EQ(strings_of(by_two["y"]), (std::vector<std::string>{"0", "2", "output"}));
    expect_z(by_two["z"], strided(stats, {0, 2, 4}));
    EXPECT_EQ(by_two["text"][1][0], "l2p0");

    const json& by_three = trace_of(render_stdout({"render", spec_path("five_layers.json"), "--stride", "3"}));
    EXPECT_EQ(strings_of(by_three["y"]), (std::vector<std::string>{"0", "3", "output"}));
    expect_z(by_three["z"], strided(stats, {0, 3, 4}));
}

TEST_F(CliRenderTest, ClipClampsValuesAndSetsTheColourRange) {
    const json spec = read_json(spec_path("five_layers.json"));
    const json& trace = trace_of(render_stdout({"render", spec_path("five_layers.json"), "--clip", "0", "1"}));
    EXPECT_EQ(trace["zmin"], 0.0);
    EXPECT_EQ(trace["zmax"], 1.0);
    expect_z(trace["z"], clamped(spec_stats(spec), 0.0f, 1.0f));
}

TEST_F(CliRenderTest, ClipTakesNegativeBounds) {
    const json spec = read_json(spec_path("five_layers.json"));
    const json& trace = trace_of(render_stdout({"render", spec_path("five_layers.json"), "--clip", "-0.25", "2.5"}));
    EXPECT_EQ(trace["zmin"], -0.25);
    EXPECT_EQ(trace["zmax"], 2.5);
    expect_z(trace["z"], clamped(spec_stats(spec), -0.25f, 2.5f));
}

TEST_F(CliRenderTest, StrideAppliesBeforeClip) {
    const json spec = read_json(spec_path("five_layers.json"));
    const json& trace =
        trace_of(render_stdout({"render", spec_path("five_layers.json"), "--clip", "0", "2", "--stride", "2"}));
    EXPECT_EQ(strings_of(trace["y"]), (std::vector<std::string>{"0", "2", "output"}));
    expect_z(trace["z"], clamped(strided(spec_stats(spec), {0, 2, 4}), 0.0f, 2.0f));
}

TEST_F(CliRenderTest, TitleBecomesTheFigureTitle) {
    const json figure = render_stdout({"render", spec_path("minimal.json"), "--title", "Rank per layer"});
    EXPECT_EQ(figure["layout"]["title"]["text"], "Rank per layer");
}

TEST_F(CliRenderTest, ColorscaleIsResolvedToPlotlysStops) {
    const json plotly = read_json(std::string(TRAJPLOT_TEST_DATA_DIR) + "/colorscales_plotly.json");
    const auto expect_scale = [&](const json& actual, const std::string& plotly_name) {
        const json& expected = plotly["colorscales"].at(plotly_name);
        ASSERT_EQ(actual.size(), expected.size()) << plotly_name;
        for (std::size_t stop = 0; stop < expected.size(); ++stop) {
            EXPECT_NEAR(actual[stop][0].get<double>(), expected[stop][0].get<double>(), 1e-12);
            EXPECT_EQ(actual[stop][1], expected[stop][1]) << plotly_name << " stop " << stop;
        }
    };
    const std::string minimal = spec_path("minimal.json");
    expect_scale(render_stdout({"render", minimal, "--trace-only"})["colorscale"], "rdbu_r");
    expect_scale(render_stdout({"render", minimal, "--trace-only", "--colorscale", "Viridis"})["colorscale"],
                 "viridis");
    expect_scale(render_stdout({"render", minimal, "--trace-only", "--colorscale", "viridis_r"})["colorscale"],
                 "viridis_r");
}

TEST_F(CliRenderTest, TokenWidthSetsTheFigureWidth) {
    const json figure = render_stdout({"render", spec_path("minimal.json"), "--token-width", "10"});
    EXPECT_EQ(figure["layout"]["width"], 200 + 10 * 3);
}

TEST_F(CliRenderTest, LogScaleColoursByTheLogarithm) {
    const json spec = read_json(spec_path("five_layers.json"));
    const Grid stats = spec_stats(spec);
    const json& trace = trace_of(render_stdout({"render", spec_path("five_layers.json"), "--log-scale"}));

    const json& z = trace["z"];
    ASSERT_EQ(z.size(), stats.size());
    for (std::size_t layer = 0; layer < stats.size(); ++layer) {
        for (std::size_t position = 0; position < stats[layer].size(); ++position) {
            const std::optional<float>& value = stats[layer][position];
            if (!value || *value <= 0.0f) {
                EXPECT_TRUE(z[layer][position].is_null()) << layer << "," << position;
            } else {
                EXPECT_NEAR(z[layer][position].get<double>(), std::log10(static_cast<double>(*value)), 1e-6)
                    << layer << "," << position;
            }
        }
    }
    EXPECT_EQ(trace["colorbar"]["tickmode"], "array");
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "KL (nats)");
}

TEST_F(CliRenderTest, ExtraIsMergedIntoTheTrace) {
    const json& trace =
        trace_of(render_stdout({"render", spec_path("minimal.json"), "--extra",
                                R"({"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}})"}));
    EXPECT_EQ(trace["colorbar"]["len"], 0.25);
    EXPECT_EQ(trace["colorbar"]["y"], 0.89);
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Rank");
    EXPECT_EQ(trace["textfont"]["size"], 10);
}

TEST_F(CliRenderTest, CellTextIsSizedToBeReadUnlessExtraSetsIt) {
    // The demo's longest label, "<|endoftext|>", is 13 characters (26 as
    // plotly.js would count "<b>&lt;|endoftext|&gt;</b>").
    const json demo = render_stdout({"demo"});
    for (const json& trace : demo.at("data")) EXPECT_EQ(trace.at("textfont").at("size"), 9);
    const json sized = render_stdout({"demo", "--extra", R"({"textfont": {"size": 11, "color": "black"}})"});
    for (const json& trace : sized.at("data")) {
        EXPECT_EQ(trace.at("textfont"), json({{"size", 11}, {"color", "black"}}));
    }
    const json own_template = render_stdout({"demo", "--extra", R"({"texttemplate": "%{z:.2f}"})"});
    for (const json& trace : own_template.at("data")) EXPECT_FALSE(trace.contains("textfont"));
    // Without cell labels there is no text to size.
    EXPECT_FALSE(trace_of(render_stdout({"render", spec_path("minimal.json")})).contains("textfont"));
}

TEST_F(CliRenderTest, HoverValueShowsTheValueAboveTheHoverTable) {
    const json trace = trace_of(render_stdout({"demo", "--hover-value"}));
    const std::string hovertemplate = trace.at("hovertemplate");
    EXPECT_EQ(hovertemplate.rfind("Entropy: %{customdata[20]} nats<br>%{customdata[0]}", 0), 0u) << hovertemplate;
    // Four significant digits: the demo's first entropy is 8.2549.
    EXPECT_EQ(read_json(TRAJPLOT_DEMO_SPEC_PATH).at("stats")[0][0], 8.2549);
    EXPECT_EQ(trace.at("customdata")[0][0][20], "8.255");
    EXPECT_EQ(trace_of(render_stdout({"demo"})).at("customdata")[0][0].size(), 20u);
    const json plain = trace_of(render_stdout({"render", spec_path("minimal.json"), "--hover-value"}));
    EXPECT_EQ(plain.at("hovertemplate"), "Rank: %{customdata[0]}<extra></extra>");
}

TEST_F(CliRenderTest, DemoTakesTheRenderingOptions) {
    const json& trace = trace_of(render_stdout({"demo", "--stride", "4", "--clip", "1", "5"}));
    EXPECT_EQ(strings_of(trace["y"]), (std::vector<std::string>{"0", "4", "8", "output"}));
    EXPECT_EQ(trace["zmin"], 1.0);
    EXPECT_EQ(trace["zmax"], 5.0);
}

// Standard output gets the figure as it is produced, --out gets it from a
// temporary file renamed into place: the same bytes either way.
TEST_F(CliRenderTest, StandardOutputAndAFileGetTheSameBytes) {
    const std::vector<std::vector<std::string>> runs = {
        {"render", spec_path("full.json")},
        {"render", spec_path("full.json"), "--trace-only", "--token-width", "30"},
        {"render", spec_path("full.json"), "--format", "html", "--title", "t"},
        {"demo"},
        {"demo", "--format", "html", "--html-fragment"},
    };
    for (const std::vector<std::string>& arguments : runs) {
        SCOPED_TRACE(arguments.front() + " " + arguments.back());
        const CliResult to_stdout = run(arguments);
        ASSERT_EQ(to_stdout.exit_status, 0) << to_stdout.err;
        std::vector<std::string> to_file_arguments = arguments;
        to_file_arguments.insert(to_file_arguments.end(), {"--out", "figure.out"});
        const CliResult to_file = run(to_file_arguments);
        ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
        EXPECT_EQ(to_file.out, "");
        EXPECT_FALSE(to_stdout.out.empty());
        EXPECT_TRUE(read_file(work_dir() / "figure.out") == to_stdout.out);
    }
}

TEST_F(CliRenderTest, SuccessReplacesAnExistingOutputFile) {
    write_file(work_dir() / "figure.json", "an older figure");
    const CliResult result = run({"render", spec_path("minimal.json"), "--out", "figure.json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(read_json(work_dir() / "figure.json"), render_stdout({"render", spec_path("minimal.json")}));
    EXPECT_EQ(work_entries(), std::set<std::string>{"figure.json"});
}

TEST_F(CliRenderTest, VersionReportsTheLibraryAndAbiVersions) {
    const CliResult result = run({"--version"});
    EXPECT_EQ(result.exit_status, 0);
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(result.out, "trajplot " + std::to_string(TRAJPLOT_VERSION_MAJOR) + "." +
                              std::to_string(TRAJPLOT_VERSION_MINOR) + "." + std::to_string(TRAJPLOT_VERSION_PATCH) +
                              " (ABI " + std::to_string(TRAJPLOT_ABI_VERSION) + ")\n");
}

TEST_F(CliRenderTest, HelpDescribesBothCommandsAndEveryOption) {
    for (const std::string help : {"--help", "-h", "help"}) {
        const CliResult result = run({help});
        EXPECT_EQ(result.exit_status, 0) << help;
        EXPECT_EQ(result.err, "");
        for (const char* word :
             {"render SPEC", "demo", "--out", "--format", "--trace-only", "--stride", "--clip", "--title",
              "--colorscale", "--token-width", "--log-scale", "--extra", "--height", "--plotlyjs",
              "cdn|none|inline:FILE|src:URL", "--div-id", "--html-fragment", "--responsive"}) {
            EXPECT_NE(result.out.find(word), std::string::npos) << word << " missing from " << help;
        }
    }
    const CliResult after_command = run({"render", "--help"});
    EXPECT_EQ(after_command.exit_status, 0);
    EXPECT_NE(after_command.out.find("render SPEC"), std::string::npos);
}

}  // namespace
}  // namespace trajplot_cli_test
