#include "trajplot/figure.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trajplot/colorscales.hpp"
#include "trajplot/error.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text_array.hpp"

#include "core_test_support.hpp"
#include "figure_geometry.hpp"

namespace {

using nlohmann::ordered_json;
using trajplot::Errc;
using trajplot::Error;
using trajplot::ExportOptions;
using trajplot::Figure;
using trajplot::FigureOptions;
using trajplot::Format;
using trajplot::PanelOptions;
using trajplot::TextArray;
using trajplot::TrajectoryLabels;
using trajplot::TrajectoryStatistic;
using trajplot_test::error_of;
using trajplot_test::fields_with;
using trajplot_test::inf_value;
using trajplot_test::labelled_statistic;
using trajplot_test::nan_value;
using trajplot_test::statistic_of;
using trajplot_test::Strings;
using trajplot_test::text1;

ordered_json parse(const std::string& text) { return ordered_json::parse(text); }
const ExportOptions trace_only{Format::trace_json};

// The heatmap trace of the figure of `statistic`.
ordered_json heatmap(const TrajectoryStatistic& statistic, const PanelOptions& panel = {},
                     const FigureOptions& options = {}) {
    return parse(Figure(statistic, panel, options).to_string(trace_only));
}

ordered_json figure(const TrajectoryStatistic& statistic, const PanelOptions& panel = {},
                    const FigureOptions& options = {}) {
    return parse(Figure(statistic, panel, options).to_string());
}

// Key order is not part of the contract: compare objects as unordered JSON.
nlohmann::json unordered(const ordered_json& value) { return nlohmann::json::parse(value.dump()); }

// The text a category name shows once the markup the library adds to keep
// repeated names distinct is removed: empty <span> elements (a caller's own
// '<' is always escaped, so any such element is the library's) and
// zero-width characters.
std::string visible_text(const std::string& category) {
    static const std::regex empty_span("<span[^<>]*></span>");
    static const std::regex zero_width("\xE2\x80\x8B|\xE2\x80\x8C|\xE2\x80\x8D|\xE2\x81\xA0|\xEF\xBB\xBF");
    return std::regex_replace(std::regex_replace(category, empty_span, ""), zero_width, "");
}

Strings strings_of(const ordered_json& array) {
    Strings out;
    for (const auto& item : array) out.push_back(item.get<std::string>());
    return out;
}

Strings visible_texts(const ordered_json& array) {
    Strings out;
    for (const auto& item : array) out.push_back(visible_text(item.get<std::string>()));
    return out;
}

void expect_all_distinct(const ordered_json& array) {
    const Strings items = strings_of(array);
    EXPECT_EQ(std::set<std::string>(items.begin(), items.end()).size(), items.size()) << array.dump();
}

const std::vector<std::pair<double, std::string>> rdbu_r_stops = {
    {0.0, "rgb(5,48,97)"},     {0.1, "rgb(33,102,172)"},  {0.2, "rgb(67,147,195)"},  {0.3, "rgb(146,197,222)"},
    {0.4, "rgb(209,229,240)"}, {0.5, "rgb(247,247,247)"}, {0.6, "rgb(253,219,199)"}, {0.7, "rgb(244,165,130)"},
    {0.8, "rgb(214,96,77)"},   {0.9, "rgb(178,24,43)"},   {1.0, "rgb(103,0,31)"},
};

void expect_colorscale(const ordered_json& colorscale, const std::vector<std::pair<double, std::string>>& stops) {
    ASSERT_TRUE(colorscale.is_array()) << colorscale.dump();
    ASSERT_EQ(colorscale.size(), stops.size()) << colorscale.dump();
    for (std::size_t i = 0; i < stops.size(); ++i) {
        ASSERT_EQ(colorscale[i].size(), 2u) << colorscale[i].dump();
        EXPECT_DOUBLE_EQ(colorscale[i][0].get<double>(), stops[i].first) << "stop " << i;
        EXPECT_EQ(colorscale[i][1].get<std::string>(), stops[i].second) << "stop " << i;
    }
}

// ---------------------------------------------------------------------------
// The trace: type, z, y, x

TEST(Heatmap, TypeZAndYOfAPlainStatistic) {
    const ordered_json trace = heatmap(statistic_of({{0.5f, -1.5f}, {2.0f, 4.25f}, {8.0f, 0.0f}}));
    EXPECT_EQ(trace.at("type"), "heatmap");
    EXPECT_EQ(unordered(trace.at("z")), nlohmann::json::parse("[[0.5,-1.5],[2,4.25],[8,0]]"));
    EXPECT_EQ(visible_texts(trace.at("y")), (Strings{"0", "1", "output"}));
    EXPECT_FALSE(trace.contains("x")) << "x without sequence labels";
    for (const char* key : {"text", "texttemplate", "customdata", "hovertemplate", "hoverlabel"}) {
        EXPECT_FALSE(trace.contains(key)) << key << " without trajectory labels";
    }
}

TEST(Heatmap, NonFiniteValuesBecomeNull) {
    const ordered_json trace = heatmap(statistic_of({{1.0f, nan_value, 3.0f}, {inf_value, -inf_value, -2.0f}}));
    const ordered_json& z = trace.at("z");
    ASSERT_EQ(z.size(), 2u);
    ASSERT_EQ(z[0].size(), 3u);
    EXPECT_EQ(z[0][0].get<double>(), 1.0);
    EXPECT_TRUE(z[0][1].is_null());
    EXPECT_EQ(z[0][2].get<double>(), 3.0);
    EXPECT_TRUE(z[1][0].is_null());
    EXPECT_TRUE(z[1][1].is_null());
    EXPECT_EQ(z[1][2].get<double>(), -2.0);
}

TEST(Heatmap, YFollowsLayerLabels) {
    TrajectoryStatistic::Fields without_output = fields_with(xt::xtensor<float, 2>::from_shape({3, 1}));
    without_output.stats.fill(0.0f);
    without_output.includes_output = false;
    EXPECT_EQ(visible_texts(heatmap(TrajectoryStatistic(std::move(without_output))).at("y")), (Strings{"0", "1", "2"}));

    TrajectoryStatistic::Fields named = fields_with({{0.0f}, {1.0f}});
    named.layer_labels = text1({"embedding", "final"});
    EXPECT_EQ(visible_texts(heatmap(TrajectoryStatistic(std::move(named))).at("y")), (Strings{"embedding", "final"}));
}

TEST(Heatmap, XIsTheSequenceLabels) {
    TrajectoryStatistic::Fields fields = fields_with({{0.0f, 1.0f, 2.0f}});
    fields.sequence_labels = text1({"17", "54",
                                    "\xCE\x94"
                                    "x"});
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    ASSERT_TRUE(trace.contains("x"));
    EXPECT_EQ(visible_texts(trace.at("x")), (Strings{"17", "54",
                                                     "\xCE\x94"
                                                     "x"}));
}

TEST(Heatmap, RepeatedTokensAreDistinctCategoriesWithTheSameText) {
    const Strings tokens = {"the", "cat", "the", "the", "cat", "mat"};
    TrajectoryStatistic::Fields fields = fields_with(xt::xtensor<float, 2>::from_shape({1, tokens.size()}));
    fields.stats.fill(1.0f);
    fields.sequence_labels = text1(tokens);
    const ordered_json x = heatmap(TrajectoryStatistic(std::move(fields))).at("x");
    ASSERT_EQ(x.size(), tokens.size());
    expect_all_distinct(x);
    EXPECT_EQ(visible_texts(x), tokens);
}

TEST(Heatmap, RepeatedLayerLabelsAreDistinctCategoriesWithTheSameText) {
    TrajectoryStatistic::Fields fields = fields_with({{0.0f}, {1.0f}, {2.0f}, {3.0f}});
    fields.layer_labels = text1({"block", "block", "head", "block"});
    const ordered_json y = heatmap(TrajectoryStatistic(std::move(fields))).at("y");
    ASSERT_EQ(y.size(), 4u);
    expect_all_distinct(y);
    EXPECT_EQ(visible_texts(y), (Strings{"block", "block", "head", "block"}));
}

TEST(Heatmap, RepeatedTokenPayloadGrowsLinearly) {
    constexpr std::size_t count = 4096;
    TrajectoryStatistic::Fields fields = fields_with(xt::xtensor<float, 2>::from_shape({1, count}));
    fields.stats.fill(0.0f);
    fields.sequence_labels = text1(Strings(count, "a"));
    const std::string raw = Figure(TrajectoryStatistic(std::move(fields))).to_string(trace_only);
    const ordered_json x = parse(raw).at("x");
    ASSERT_EQ(x.size(), count);
    expect_all_distinct(x);
    EXPECT_EQ(visible_texts(x), Strings(count, "a"));
    EXPECT_LT(x.dump().size(), 64 * count);
    // The written text itself, z (4096 short numbers) included, stays linear too.
    EXPECT_LT(raw.size(), (64 + 16) * count);
}

// ---------------------------------------------------------------------------
// Colour bar title

TEST(HeatmapColorbar, TitleWithUnits) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}}, "Entropy");
    fields.units = "nats";
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(unordered(trace.at("colorbar").at("title")),
              nlohmann::json::parse(R"js({"text": "Entropy (nats)", "side": "right"})js"));
}

TEST(HeatmapColorbar, TitleWithoutUnitsIsTheName) {
    const ordered_json trace = heatmap(TrajectoryStatistic(fields_with({{1.0f}}, "Rank")));
    EXPECT_EQ(unordered(trace.at("colorbar").at("title")),
              nlohmann::json::parse(R"({"text": "Rank", "side": "right"})"));
}

TEST(HeatmapColorbar, EmptyUnitsAreNoUnits) {
    // The reference prints "Rank ()" here.
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}}, "Rank");
    fields.units = "";
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(trace.at("colorbar").at("title").at("text"), "Rank");
}

TEST(HeatmapColorbar, NeverTitleside) {
    PanelOptions log_options;
    log_options.log_scale = true;
    PanelOptions patched;
    patched.extra_json = R"({"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}})";
    for (const PanelOptions& options : {PanelOptions{}, log_options, patched}) {
        const std::string trace = Figure(labelled_statistic(), options).to_string(trace_only);
        EXPECT_EQ(trace.find("titleside"), std::string::npos) << trace;
        FigureOptions figure_options;
        figure_options.title = "Title";
        const std::string whole = Figure(labelled_statistic(), options, figure_options).to_string();
        EXPECT_EQ(whole.find("titleside"), std::string::npos) << whole;
    }
}

// ---------------------------------------------------------------------------
// Colour scales

TEST(HeatmapColorscale, DefaultIsRdbuRAsAnExplicitArray) {
    const ordered_json trace = heatmap(statistic_of({{1.0f}}));
    expect_colorscale(trace.at("colorscale"), rdbu_r_stops);
}

TEST(HeatmapColorscale, NamesAreCaseInsensitiveAndRSuffixReverses) {
    PanelOptions mixed_case;
    mixed_case.colorscale = "RdBu_R";
    expect_colorscale(heatmap(statistic_of({{1.0f}}), mixed_case).at("colorscale"), rdbu_r_stops);

    // "rdbu" is "rdbu_r" read backwards: same positions, colours reversed.
    std::vector<std::pair<double, std::string>> rdbu_stops;
    for (std::size_t i = 0; i < rdbu_r_stops.size(); ++i) {
        rdbu_stops.emplace_back(rdbu_r_stops[i].first, rdbu_r_stops[rdbu_r_stops.size() - 1 - i].second);
    }
    PanelOptions forward;
    forward.colorscale = "rdbu";
    expect_colorscale(heatmap(statistic_of({{1.0f}}), forward).at("colorscale"), rdbu_stops);
}

TEST(HeatmapColorscale, UnknownNameIsAnErrorListingValidNames) {
    PanelOptions options;
    options.colorscale = "no_such_scale";
    const Error error = error_of([&] { (void)Figure(statistic_of({{1.0f}}), options); });
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    const std::string message = error.what();
    EXPECT_NE(message.find("no_such_scale"), std::string::npos) << message;
    bool names_a_valid_scale = false;
    for (const std::string_view name : trajplot::colorscale_names()) {
        if (message.find(name) != std::string::npos) names_a_valid_scale = true;
    }
    EXPECT_TRUE(names_a_valid_scale) << message;

    // Refused for the figure whatever it is exported as.
    FigureOptions titled;
    titled.title = "Entropy";
    EXPECT_EQ(error_of([&] { (void)Figure(statistic_of({{1.0f}}), options, titled); }).code(), Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// Log scale

TEST(HeatmapLogScale, ZIsLog10WithGapsForNonPositiveAndNonFinite) {
    TrajectoryStatistic::Fields fields =
        fields_with({{0.5f, 10.0f, 100.0f}, {0.0f, -1.0f, nan_value}, {inf_value, 1000.0f, 2000.0f}}, "Rank");
    fields.units = "tokens";
    PanelOptions options;
    options.log_scale = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    const ordered_json& z = trace.at("z");
    EXPECT_NEAR(z[0][0].get<double>(), std::log10(0.5), 1e-6);
    EXPECT_NEAR(z[0][1].get<double>(), 1.0, 1e-6);
    EXPECT_NEAR(z[0][2].get<double>(), 2.0, 1e-6);
    EXPECT_TRUE(z[1][0].is_null());
    EXPECT_TRUE(z[1][1].is_null());
    EXPECT_TRUE(z[1][2].is_null());
    EXPECT_TRUE(z[2][0].is_null());
    EXPECT_NEAR(z[2][1].get<double>(), 3.0, 1e-6);
    EXPECT_NEAR(z[2][2].get<double>(), std::log10(2000.0), 1e-6);

    // Range over the positive finite values: 0.5 ... 2000.
    EXPECT_NEAR(trace.at("zmin").get<double>(), std::log10(0.5), 1e-6);
    EXPECT_NEAR(trace.at("zmax").get<double>(), std::log10(2000.0), 1e-6);

    const ordered_json& colorbar = trace.at("colorbar");
    EXPECT_EQ(colorbar.at("tickmode"), "array");
    EXPECT_EQ(unordered(colorbar.at("tickvals")), nlohmann::json::parse("[0, 1, 2, 3]"));
    EXPECT_EQ(strings_of(colorbar.at("ticktext")),
              (Strings{"10<sup>0</sup>", "10<sup>1</sup>", "10<sup>2</sup>", "10<sup>3</sup>"}));
    EXPECT_EQ(unordered(colorbar.at("title")),
              nlohmann::json::parse(R"js({"text": "Rank (tokens)", "side": "right"})js"));
}

TEST(HeatmapLogScale, ABoundOnAPowerOfTenIsLabelledDespiteFloatRounding) {
    // 0.001 is stored as the float 0.0010000000475: its 10^-3 tick is still
    // drawn, the colour range widened onto it.
    TrajectoryStatistic::Fields fields = fields_with({{0.5f, 0.005f}});
    fields.min = 0.001f;
    fields.max = 10.0f;
    PanelOptions options;
    options.log_scale = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    EXPECT_EQ(strings_of(trace.at("colorbar").at("ticktext")),
              (Strings{"10<sup>\u22123</sup>", "10<sup>\u22122</sup>", "10<sup>\u22121</sup>", "10<sup>0</sup>",
                       "10<sup>1</sup>"}));
    EXPECT_EQ(trace.at("zmin").get<double>(), -3.0);
    EXPECT_EQ(trace.at("zmax").get<double>(), 1.0);
}

TEST(HeatmapLogScale, NegativePowersAndExplicitRange) {
    TrajectoryStatistic::Fields fields = fields_with({{0.001f, 0.5f, 30.0f}});
    fields.min = 0.02f;
    fields.max = 500.0f;
    PanelOptions options;
    options.log_scale = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    EXPECT_NEAR(trace.at("zmin").get<double>(), std::log10(0.02), 1e-6);
    EXPECT_NEAR(trace.at("zmax").get<double>(), std::log10(500.0), 1e-6);
    EXPECT_EQ(unordered(trace.at("colorbar").at("tickvals")), nlohmann::json::parse("[-1, 0, 1, 2]"));
    EXPECT_EQ(strings_of(trace.at("colorbar").at("ticktext")),
              (Strings{"10<sup>\u22121</sup>", "10<sup>0</sup>", "10<sup>1</sup>", "10<sup>2</sup>"}));
    EXPECT_NEAR(trace.at("z")[0][0].get<double>(), -3.0, 1e-6);
}

TEST(HeatmapLogScale, ExplicitNonPositiveMinIsAnError) {
    for (const float min : {0.0f, -1.0f}) {
        TrajectoryStatistic::Fields fields = fields_with({{1.0f, 10.0f}});
        fields.min = min;
        fields.max = 100.0f;
        const TrajectoryStatistic statistic(std::move(fields));
        PanelOptions options;
        options.log_scale = true;
        EXPECT_EQ(error_of([&] { (void)Figure(statistic, options); }).code(), Errc::invalid_argument) << "min " << min;
        // The same statistic draws on a linear scale.
        EXPECT_NO_THROW((void)Figure(statistic).to_string(trace_only));
    }
}

TEST(HeatmapLogScale, NoPositiveValueMeansNoRange) {
    PanelOptions options;
    options.log_scale = true;
    const ordered_json trace = heatmap(statistic_of({{0.0f, -3.0f, nan_value}}), options);
    EXPECT_FALSE(trace.contains("zmin"));
    EXPECT_FALSE(trace.contains("zmax"));
    EXPECT_EQ(trace.at("z"), ordered_json::parse("[[null, null, null]]"));
}

// ---------------------------------------------------------------------------
// Trajectory labels and hover tables

TEST(HeatmapLabels, TextAndTexttemplate) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f}, {3.0f, 4.0f}});
    fields.trajectory_labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({2, 2}, {"a", "b", "a", "\xCE\x94"}));
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(trace.at("text"), ordered_json::parse("[[\"a\", \"b\"], [\"a\", \"\xCE\x94\"]]"));
    EXPECT_EQ(trace.at("texttemplate"), "<b>%{text}</b>");
    // Labels without hover tables: nothing to hover.
    EXPECT_FALSE(trace.contains("customdata"));
    EXPECT_FALSE(trace.contains("hovertemplate"));
    EXPECT_FALSE(trace.contains("hoverlabel"));
}

TEST(HeatmapLabels, HoverTablesGiveCustomdataTemplateAndHoverlabel) {
    const ordered_json trace = heatmap(labelled_statistic());
    EXPECT_EQ(trace.at("text"), ordered_json::parse(R"([["a", "bb", "c"], ["d", "e", "f"]])"));
    // Column 0's longest entry is "qqqq" (width 5), column 1's "0.125" (width 6).
    EXPECT_EQ(trace.at("customdata"), ordered_json::parse(R"([
        [["    x", "   0.5"], ["   yy", "  0.25"], ["    z", "     1"]],
        [["    p", " 0.125"], [" qqqq", "     1"], ["    r", "  0.75"]]
    ])"));
    EXPECT_EQ(trace.at("hovertemplate"), "%{customdata[0]}%{customdata[1]}<br><extra></extra>");
    EXPECT_EQ(unordered(trace.at("hoverlabel")),
              nlohmann::json::parse(R"js({"bgcolor": "rgb(42, 42, 50)", "font": {"family": "Monospace"}})js"));
}

TEST(HeatmapLabels, ReferenceExampleThroughTheTrace) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}, {2.0f}});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({2, 1}, {"x", "y"}),
        TextArray<4>::from_strings({2, 1, 2, 2}, {"ab", "c", "de", "f", "idk", "l", "mno", "p"}));
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(trace.at("hovertemplate"),
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
    EXPECT_EQ(trace.at("customdata"),
              ordered_json::parse(R"([[["  ab"," c","  de"," f"]],[[" idk"," l"," mno"," p"]]])"));
}

// ---------------------------------------------------------------------------
// extra: an RFC 7386 merge patch

TEST(HeatmapExtra, AddsToTheColorbarAndKeepsItsTitle) {
    PanelOptions options;
    options.extra_json = R"({"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}})";
    const ordered_json trace = heatmap(labelled_statistic(), options);
    const ordered_json& colorbar = trace.at("colorbar");
    EXPECT_EQ(unordered(colorbar.at("title")),
              nlohmann::json::parse(R"js({"text": "Entropy (nats)", "side": "right"})js"));
    EXPECT_EQ(colorbar.at("len").get<double>(), 0.25);
    EXPECT_EQ(colorbar.at("y").get<double>(), 0.89);
    EXPECT_EQ(unordered(trace.at("textfont")), nlohmann::json::parse(R"({"size": 10})"));
    // The rest of the trace is untouched.
    const ordered_json plain = heatmap(labelled_statistic());
    for (const char* key : {"type", "x", "y", "z", "text", "customdata", "hovertemplate", "colorscale"}) {
        EXPECT_EQ(trace.at(key), plain.at(key)) << key;
    }
}

TEST(HeatmapExtra, NullDeletesAKey) {
    PanelOptions options;
    options.extra_json = R"({"hoverlabel": null, "colorbar": {"title": null}})";
    const ordered_json trace = heatmap(labelled_statistic(), options);
    EXPECT_FALSE(trace.contains("hoverlabel"));
    ASSERT_TRUE(trace.contains("colorbar"));
    EXPECT_FALSE(trace.at("colorbar").contains("title"));
    EXPECT_TRUE(trace.contains("hovertemplate"));
}

TEST(HeatmapExtra, CanReplaceTheLargeArrays) {
    PanelOptions options;
    options.extra_json = R"({"z": [[9, 8, 7]], "text": [["p", "q", "r"]], "x": ["u", "v", "w"]})";
    const ordered_json trace = heatmap(labelled_statistic(), options);
    EXPECT_EQ(trace.at("z"), ordered_json::parse("[[9, 8, 7]]"));
    EXPECT_EQ(trace.at("text"), ordered_json::parse(R"([["p", "q", "r"]])"));
    EXPECT_EQ(trace.at("x"), ordered_json::parse(R"(["u", "v", "w"])"));
    EXPECT_EQ(trace.at("customdata"), heatmap(labelled_statistic()).at("customdata"));
}

TEST(HeatmapExtra, CanDeleteTheLargeArrays) {
    PanelOptions options;
    options.extra_json = R"({"customdata": null, "x": null})";
    const ordered_json trace = heatmap(labelled_statistic(), options);
    EXPECT_FALSE(trace.contains("customdata"));
    EXPECT_FALSE(trace.contains("x"));
    EXPECT_TRUE(trace.contains("z"));
}

TEST(HeatmapExtra, EmptyObjectChangesNothing) {
    PanelOptions options;
    options.extra_json = "{}";
    EXPECT_EQ(Figure(labelled_statistic(), options).to_string(trace_only),
              Figure(labelled_statistic()).to_string(trace_only));
}

TEST(HeatmapExtra, NotJsonIsAnErrorNamingThePosition) {
    // The trailing comma makes the '}' at byte offset 52 (0-based) the error.
    const std::string extra = R"({"colorbar": {"len": 0.25}, "textfont": {"size": 1},})";
    ASSERT_EQ(extra.find(",}"), 51u);
    PanelOptions options;
    options.extra_json = extra;
    const Error error = error_of([&] { (void)Figure(labelled_statistic(), options); });
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    const std::string message = error.what();
    EXPECT_TRUE(message.find("52") != std::string::npos || message.find("53") != std::string::npos)
        << "no position in: " << message;

    for (const char* not_json : {"{", "{\"a\": }", "nonsense", "{\"a\": 1} trailing"}) {
        options.extra_json = not_json;
        EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), options); }).code(), Errc::invalid_argument)
            << not_json;
    }
}

TEST(HeatmapExtra, NotAnObjectIsAnError) {
    for (const char* not_object : {"[1, 2]", "42", "\"colorbar\"", "null", "true"}) {
        PanelOptions options;
        options.extra_json = not_object;
        EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), options); }).code(), Errc::invalid_argument)
            << not_object;
    }
}

// ---------------------------------------------------------------------------
// The figure

TEST(Figure, LayoutAndData) {
    FigureOptions options;
    options.title = "Prediction trajectory";
    options.token_width = 17;
    const TrajectoryStatistic statistic = labelled_statistic();
    const ordered_json result = figure(statistic, {}, options);
    ASSERT_TRUE(result.at("data").is_array());
    ASSERT_EQ(result.at("data").size(), 1u);
    EXPECT_EQ(result.at("data")[0], heatmap(statistic, {}, options));
    EXPECT_EQ(unordered(result.at("layout")), nlohmann::json::parse(R"({
        "title": {"text": "Prediction trajectory", "x": 0.5},
        "width": 251,
        "xaxis": {"title": {"text": "Input"}, "type": "category"},
        "yaxis": {"title": {"text": "Layer"}, "type": "category"}
    })"));
    Strings keys;
    for (const auto& item : result.items()) keys.push_back(item.key());
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), (std::set<std::string>{"data", "layout"}));
}

TEST(Figure, Defaults) {
    const ordered_json result = figure(labelled_statistic());
    const ordered_json& layout = result.at("layout");
    EXPECT_EQ(layout.at("width").get<std::uint64_t>(), 200u + 80u * 3u);
    EXPECT_EQ(unordered(layout.at("title")), nlohmann::json::parse(R"({"text": "", "x": 0.5})"));
    expect_colorscale(result.at("data")[0].at("colorscale"), rdbu_r_stops);
}

TEST(Figure, PanelOptionsReachTheTrace) {
    PanelOptions options;
    options.colorscale = "rdbu";
    options.log_scale = true;
    options.extra_json = R"({"textfont": {"size": 10}})";
    const ordered_json trace = figure(labelled_statistic(), options).at("data")[0];
    EXPECT_EQ(trace, heatmap(labelled_statistic(), options));
    EXPECT_EQ(trace.at("colorbar").at("tickmode"), "array");
    EXPECT_EQ(trace.at("colorscale")[0][1], "rgb(103,0,31)");
}

TEST(FigureLayoutPatch, MergesIntoTheFinishedLayout) {
    FigureOptions options;
    options.title = "Entropy";
    options.layout_json =
        R"({"title": {"font": {"size": 14}}, "paper_bgcolor": "black", "xaxis": {"title": null}, "height": 300})";
    const TrajectoryStatistic statistic = labelled_statistic();
    const ordered_json result = figure(statistic, {}, options);
    EXPECT_EQ(unordered(result.at("layout")), nlohmann::json::parse(R"({
        "title": {"text": "Entropy", "x": 0.5, "font": {"size": 14}},
        "width": 440,
        "height": 300,
        "paper_bgcolor": "black",
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": "Layer"}, "type": "category"}
    })"));
    // The trace is the layout patch's business no more than the trace alone.
    FigureOptions unpatched = options;
    unpatched.layout_json.clear();
    EXPECT_EQ(result.at("data")[0], heatmap(statistic, {}, unpatched));
    EXPECT_EQ(Figure(statistic, {}, options).to_string(trace_only),
              Figure(statistic, {}, unpatched).to_string(trace_only));
}

TEST(FigureLayoutPatch, AnEmptyPatchChangesNothing) {
    FigureOptions options;
    options.layout_json = "{}";
    EXPECT_EQ(Figure(labelled_statistic(), {}, options).to_string(), Figure(labelled_statistic()).to_string());
}

TEST(FigureLayoutPatch, ATitleItSetsIsThePagesTitle) {
    const ExportOptions page{Format::html, {.plotlyjs = trajplot::PlotlyJs::none}};
    FigureOptions options;
    options.title = "Old";
    options.layout_json = R"({"title": {"text": "New <b>and</b> bold"}})";
    const std::string html = Figure(labelled_statistic(), {}, options).to_string(page);
    EXPECT_NE(html.find("<title>New &lt;b&gt;and&lt;/b&gt; bold</title>"), std::string::npos) << html;
    options.layout_json = R"({"title": "Shorthand"})";
    EXPECT_NE(Figure(labelled_statistic(), {}, options).to_string(page).find("<title>Shorthand</title>"),
              std::string::npos);
    // A patch that leaves the title's text alone leaves the page's title too.
    options.layout_json = R"({"title": {"font": {"size": 20}}})";
    EXPECT_NE(Figure(labelled_statistic(), {}, options).to_string(page).find("<title>Old</title>"), std::string::npos);
}

TEST(FigureLayoutPatch, NotAJsonObjectIsAnErrorNamingTheOption) {
    for (const char* bad : {"{\"a\": }", "nonsense", "[1, 2]", "42", "null"}) {
        FigureOptions options;
        options.layout_json = bad;
        const Error error = error_of([&] { (void)Figure(labelled_statistic(), {}, options); });
        EXPECT_EQ(error.code(), Errc::invalid_argument) << bad;
        EXPECT_NE(std::string(error.what()).find("layout_json"), std::string::npos) << error.what();
    }
    FigureOptions options;
    options.layout_json = "[1, 2]";
    EXPECT_STREQ(error_of([&] { (void)Figure(labelled_statistic(), {}, options); }).what(),
                 "layout_json must be a JSON object, got array");
}

// ---------------------------------------------------------------------------
// Text reaching the page

const Strings markup_tokens = {"<s>", "</s>", "<|endoftext|>", "<br>", "a&b", "&amp;"};
const Strings escaped_tokens = {"&lt;s&gt;", "&lt;/s&gt;", "&lt;|endoftext|&gt;", "&lt;br&gt;", "a&amp;b", "&amp;amp;"};

TEST(TextReachingThePage, LabelsAreEscaped) {
    const std::size_t n = markup_tokens.size();
    TrajectoryStatistic::Fields fields = fields_with(xt::xtensor<float, 2>::from_shape({n, n}), "<s>");
    fields.stats.fill(1.0f);
    fields.units = "a&b";
    fields.sequence_labels = text1(markup_tokens);
    fields.layer_labels = text1(markup_tokens);
    Strings cell_labels;
    for (std::size_t i = 0; i < n; ++i)
        cell_labels.insert(cell_labels.end(), markup_tokens.begin(), markup_tokens.end());
    fields.trajectory_labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({n, n}, cell_labels));
    FigureOptions options;
    options.title = "<|endoftext|> &amp; <br>";
    const ordered_json result = figure(TrajectoryStatistic(std::move(fields)), {}, options);
    const ordered_json& trace = result.at("data")[0];

    EXPECT_EQ(visible_texts(trace.at("x")), escaped_tokens);
    EXPECT_EQ(visible_texts(trace.at("y")), escaped_tokens);
    for (std::size_t layer = 0; layer < n; ++layer) {
        EXPECT_EQ(strings_of(trace.at("text")[layer]), escaped_tokens) << "layer " << layer;
    }
    EXPECT_EQ(trace.at("colorbar").at("title").at("text"), "&lt;s&gt; (a&amp;b)");
    EXPECT_EQ(result.at("layout").at("title").at("text"), "&lt;|endoftext|&gt; &amp;amp; &lt;br&gt;");
    // The library's own markup stays markup.
    EXPECT_EQ(trace.at("texttemplate"), "<b>%{text}</b>");
}

TEST(TextReachingThePage, HoverEntriesAreEscapedAfterPadding) {
    // One cell, one row, one column per token: each column is as wide as its
    // token plus one, measured before escaping; "<|endoftext|>" (13) is cut
    // to the limit of 10.
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({1, 1}, {"t"}),
        TextArray<4>::from_strings({1, 1, 1, markup_tokens.size()}, markup_tokens));
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(strings_of(trace.at("customdata")[0][0]),
              (Strings{" &lt;s&gt;", " &lt;/s&gt;", "ndoftext|&gt;", " &lt;br&gt;", " a&amp;b", " &amp;amp;"}));
    EXPECT_EQ(trace.at("hovertemplate"),
              "%{customdata[0]}%{customdata[1]}%{customdata[2]}%{customdata[3]}%{customdata[4]}%{customdata[5]}"
              "<br><extra></extra>");
}

TEST(TextReachingThePage, WidthIsMeasuredBeforeEscaping) {
    // "<s>" is 3 long as shown: width 4, padded with one space (not the 10
    // that "&lt;s&gt;" would ask for); "a" pads to the same width.
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f}});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({1, 2}, {"t", "u"}), TextArray<4>::from_strings({1, 2, 1, 1}, {"<s>", "a"}));
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)));
    EXPECT_EQ(trace.at("customdata"), ordered_json::parse(R"([[[" &lt;s&gt;"], ["   a"]]])"));

    // Truncation to the limit also happens before escaping, so no entity is cut.
    TrajectoryStatistic::Fields long_fields = fields_with({{1.0f}});
    long_fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({1, 1}, {"t"}), TextArray<4>::from_strings({1, 1, 1, 1}, {"<s><s><s><s>"}));
    EXPECT_EQ(heatmap(TrajectoryStatistic(std::move(long_fields))).at("customdata"),
              ordered_json::parse(R"([[["&gt;&lt;s&gt;&lt;s&gt;&lt;s&gt;"]]])"));
}

TEST(TextReachingThePage, RepeatedEscapedTokensStayDistinct) {
    // "<s>" twice and its escaped spelling once: three categories, shown as
    // "<s>", "<s>" and "&lt;s&gt;".
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f, 3.0f}});
    fields.sequence_labels = text1({"<s>", "&lt;s&gt;", "<s>"});
    const ordered_json x = heatmap(TrajectoryStatistic(std::move(fields))).at("x");
    expect_all_distinct(x);
    EXPECT_EQ(visible_texts(x), (Strings{"&lt;s&gt;", "&amp;lt;s&amp;gt;", "&lt;s&gt;"}));
}

}  // namespace

// ---------------------------------------------------------------------------
// Cell text sized to be read

namespace cell_text {

// One layer of seq_len positions labelled with `labels`, in a figure of
// the given token width.
TrajectoryStatistic labelled(const Strings& labels, std::size_t n_layers = 1) {
    Strings cells;
    for (std::size_t layer = 0; layer < n_layers; ++layer) cells.insert(cells.end(), labels.begin(), labels.end());
    TrajectoryStatistic::Fields fields = fields_with(xt::zeros<float>({n_layers, labels.size()}));
    fields.trajectory_labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({n_layers, labels.size()}, cells));
    return TrajectoryStatistic(std::move(fields));
}

int size_of(const ordered_json& trace) { return trace.at("textfont").at("size").get<int>(); }

TEST(CellTextSize, FollowsTheLabelsAsShownNotAsWritten) {
    // 7 positions at 80 px: columns of about 80 px. "<|endoftext|>" is 13
    // characters shown, 26 as plotly.js would count them in the JSON.
    const TrajectoryStatistic markup = labelled({"<|endoftext|>", "a", "b", "c", "d", "e", "f"});
    EXPECT_EQ(size_of(figure(markup)["data"][0]), 9);
    // A label as long but without markup gets the same size.
    const TrajectoryStatistic plain = labelled({"abcdefghijklm", "a", "b", "c", "d", "e", "f"});
    EXPECT_EQ(size_of(figure(plain)["data"][0]), 9);
    // Short labels: plotly.js's 12 px.
    EXPECT_EQ(size_of(figure(labelled({"a", "bb", "c", "d", "e", "f", "g"}))["data"][0]), 12);
}

TEST(CellTextSize, FollowsTheColumnWidthAndTheRowHeight) {
    const TrajectoryStatistic wide = labelled({"abcdefghijklm", "a", "b", "c", "d", "e", "f"});
    const auto size_with = [&](std::size_t token_width, std::size_t height) {
        FigureOptions options;
        options.token_width = token_width;
        options.height = height;
        return size_of(figure(wide, {}, options)["data"][0]);
    };
    EXPECT_GT(size_with(110, 0), size_with(80, 0));
    EXPECT_EQ(size_with(40, 0), trajplot::geometry::min_cell_text_size) << "never below the floor";
    // 30 rows in the default 450 px: 270 / 30 = 9 px rows, 6 px text.
    const TrajectoryStatistic tall = labelled({"a", "b"}, 30);
    EXPECT_EQ(size_of(figure(tall)["data"][0]), 6);
    FigureOptions taller;
    taller.height = 30 * 20 + 180;
    EXPECT_EQ(size_of(figure(tall, {}, taller)["data"][0]), 12);
}

TEST(CellTextSize, TheTraceAloneIsSizedForItsFigure) {
    const TrajectoryStatistic wide = labelled({"abcdefghijklm", "a", "b", "c", "d", "e", "f"});
    FigureOptions narrow;
    narrow.token_width = 50;
    EXPECT_EQ(heatmap(wide, {}, narrow), figure(wide, {}, narrow)["data"][0]);
    EXPECT_EQ(heatmap(wide), figure(wide)["data"][0]) << "by default, for the default figure";
}

TEST(CellTextSize, ACallersSizeWins) {
    const TrajectoryStatistic statistic = labelled({"<|endoftext|>", "a"});
    PanelOptions options;
    options.extra_json = R"({"textfont": {"size": 14, "family": "serif"}})";
    EXPECT_EQ(unordered(heatmap(statistic, options)["textfont"]),
              nlohmann::json::parse(R"({"size": 14, "family": "serif"})"));
    // A patch that styles the text without a size keeps the library's size.
    options.extra_json = R"({"textfont": {"color": "black"}})";
    const int sized = size_of(heatmap(statistic));
    EXPECT_EQ(unordered(heatmap(statistic, options)["textfont"]),
              nlohmann::json({{"size", sized}, {"color", "black"}}));
}

TEST(CellTextSize, ACallersTemplateIsLeftToPlotly) {
    const TrajectoryStatistic statistic = labelled({"<|endoftext|>", "a"});
    PanelOptions options;
    options.extra_json = R"({"texttemplate": "%{z:.2f}"})";
    EXPECT_FALSE(heatmap(statistic, options).contains("textfont"));
    options.extra_json = R"({"texttemplate": "%{z:.2f}", "textfont": {"size": 8}})";
    EXPECT_EQ(heatmap(statistic, options)["textfont"]["size"], 8);
}

TEST(CellTextSize, NoTextNoSize) {
    EXPECT_FALSE(heatmap(statistic_of({{1.0f, 2.0f}})).contains("textfont"));
    EXPECT_FALSE(heatmap(labelled({"", ""})).contains("textfont")) << "every label empty";
}

}  // namespace cell_text

// ---------------------------------------------------------------------------
// The cell's value on hover

TEST(HoverValue, ComesAboveTheHoverTable) {
    PanelOptions options;
    options.hover_value = true;
    const ordered_json trace = heatmap(labelled_statistic(), options);
    // 1 x 2 hover tables: the value is customdata[2].
    EXPECT_EQ(trace["hovertemplate"],
              "Entropy: %{customdata[2]} nats<br>%{customdata[0]}%{customdata[1]}<br>"
              "<extra></extra>");
    EXPECT_EQ(trace["customdata"][1][2], ordered_json::parse(R"(["    r", "  0.75", "6"])"));
    EXPECT_EQ(unordered(trace["hoverlabel"]), unordered(heatmap(labelled_statistic())["hoverlabel"]))
        << "the table's look is kept";
}

TEST(HoverValue, OffByDefault) {
    const ordered_json trace = heatmap(labelled_statistic());
    EXPECT_EQ(trace["hovertemplate"], "%{customdata[0]}%{customdata[1]}<br><extra></extra>");
    EXPECT_EQ(trace["customdata"][1][2].size(), 2u);
    EXPECT_FALSE(heatmap(statistic_of({{1.0f}})).contains("hovertemplate"));
}

TEST(HoverValue, WithoutHoverTablesIsTheWholeBox) {
    TrajectoryStatistic::Fields fields =
        fields_with({{2.5f, 0.000123456f, nan_value}, {50257.0f, -3.0f, 1e9f}}, "Rank");
    PanelOptions options;
    options.hover_value = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    EXPECT_EQ(trace["hovertemplate"], "Rank: %{customdata[0]}<extra></extra>");
    // Whole numbers in full, others to four significant digits; a gap as NaN.
    EXPECT_EQ(trace["customdata"],
              ordered_json::parse(R"([[["2.5"], ["0.0001235"], ["NaN"]], [["50257"], ["-3"], ["1000000000"]]])"));
}

TEST(HoverValue, LogScaleShowsTheValueNotItsLogarithm) {
    TrajectoryStatistic::Fields fields = fields_with({{10.0f, 0.0f, 250.0f}}, "Rank");
    PanelOptions options;
    options.hover_value = true;
    options.log_scale = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    EXPECT_EQ(trace["customdata"], ordered_json::parse(R"([[["10"], ["0"], ["250"]]])"));
}

TEST(HoverValue, NameAndUnitsShowLiterally) {
    // Neither Plotly markup nor a %{...} placeholder of the template.
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}}, "100% <b>%{y}</b>");
    fields.units = "n&ts %{x}";
    PanelOptions options;
    options.hover_value = true;
    const ordered_json trace = heatmap(TrajectoryStatistic(std::move(fields)), options);
    EXPECT_EQ(trace["hovertemplate"],
              "100&#37; &lt;b&gt;&#37;{y}&lt;/b&gt;: %{customdata[0]} n&amp;ts &#37;{x}<extra></extra>");
}
