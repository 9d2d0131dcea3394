#include "trajplot/figure.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trajplot/error.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text.hpp"
#include "trajplot/text_array.hpp"

#include "core_test_support.hpp"
#include "text_internals.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using trajplot::Errc;
using trajplot::Error;
using trajplot::ExportOptions;
using trajplot::Figure;
using trajplot::FigureOptions;
using trajplot::Format;
using trajplot::Panel;
using trajplot::PanelOptions;
using trajplot::TextArray;
using trajplot::TrajectoryLabels;
using trajplot::TrajectoryStatistic;
using trajplot_test::counting_statistic;
using trajplot_test::directory_entries;
using trajplot_test::error_of;
using trajplot_test::fields_with;
using trajplot_test::inf_value;
using trajplot_test::nan_value;
using trajplot_test::read_file;
using trajplot_test::shared;
using trajplot_test::statistic_of;
using trajplot_test::Strings;
using trajplot_test::text1;
using trajplot_test::with_file_size_limit;

const ExportOptions trace_only{Format::trace_json};

constexpr std::string_view replacement = "\xEF\xBF\xBD";

TrajectoryStatistic full_statistic() {
    TrajectoryStatistic::Fields fields = fields_with({{0.1f, 1.0f / 3.0f, nan_value}, {inf_value, -2.5f, 7.0f}});
    fields.units = "nats";
    fields.sequence_labels = text1({"a", "b", "a"});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({2, 3}, {"x", "y", "z", "u", "v", "w"}),
        TextArray<4>::from_strings({2, 3, 1, 2},
                                   {"t0", "0.1", "t1", "0.2", "t2", "0.3", "t3", "0.4", "t4", "0.5", "t5", "0.6"}));
    return TrajectoryStatistic(std::move(fields));
}

// The text of the JSON array that follows `"key":` in `raw` (brackets
// matched, strings skipped).
std::string raw_array_after_key(const std::string& raw, const std::string& key) {
    const std::regex key_pattern("\"" + key + "\"\\s*:\\s*\\[");
    std::smatch match;
    if (!std::regex_search(raw, match, key_pattern)) return {};
    const std::size_t start = static_cast<std::size_t>(match.position(0) + match.length(0)) - 1;
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = start; i < raw.size(); ++i) {
        const char c = raw[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[') {
            ++depth;
        } else if (c == ']' && --depth == 0) {
            return raw.substr(start, i - start + 1);
        }
    }
    return {};
}

Strings number_tokens(const std::string& raw_array) {
    static const std::regex number("-?[0-9][0-9.eE+-]*");
    Strings tokens;
    for (auto it = std::sregex_iterator(raw_array.begin(), raw_array.end(), number); it != std::sregex_iterator();
         ++it) {
        tokens.push_back(it->str());
    }
    return tokens;
}

// The significant digits of a decimal number, whatever its notation:
// "0.00125", "1.25e-3" and "125e-5" all give "125".
std::string significant_digits(const std::string& number) {
    std::string mantissa = number.substr(0, number.find_first_of("eE"));
    std::string digits;
    for (const char c : mantissa) {
        if (c >= '0' && c <= '9') digits.push_back(c);
    }
    const std::size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) return "0";
    digits.erase(0, first);
    digits.erase(digits.find_last_not_of('0') + 1);
    return digits;
}

std::string shortest_float_digits(float value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return significant_digits(std::string(buffer, result.ptr));
}

// ---------------------------------------------------------------------------
// Output parses and carries no NaN or Infinity

TEST(JsonOutput, EveryKindOfOutputParses) {
    PanelOptions log_options;
    log_options.log_scale = true;
    for (const PanelOptions& options : {PanelOptions{}, log_options}) {
        const Figure figure(full_statistic(), options);
        EXPECT_TRUE(ordered_json::accept(figure.to_string(trace_only)));
        EXPECT_TRUE(ordered_json::accept(figure.to_string()));
        std::ostringstream streamed;
        figure.write(streamed);
        EXPECT_EQ(streamed.str(), figure.to_string());
        std::ostringstream streamed_trace;
        figure.write(streamed_trace, trace_only);
        EXPECT_EQ(streamed_trace.str(), figure.to_string(trace_only));
    }
}

TEST(JsonOutput, NoNanOrInfinityLiterals) {
    TrajectoryStatistic::Fields fields =
        fields_with({{nan_value, inf_value, -inf_value}, {-nan_value, 1.0f, std::numeric_limits<float>::max()}});
    const TrajectoryStatistic statistic(std::move(fields));
    const std::regex non_finite_literal("[\\[,:]\\s*[-+]?(NaN|nan|Infinity|infinity|inf|Inf)\\b");
    PanelOptions log_options;
    log_options.log_scale = true;
    for (const PanelOptions& options : {PanelOptions{}, log_options}) {
        const std::string raw = Figure(statistic, options).to_string();
        EXPECT_FALSE(std::regex_search(raw, non_finite_literal)) << raw;
        const ordered_json parsed = ordered_json::parse(raw);
        const ordered_json& z = parsed.at("data")[0].at("z");
        EXPECT_TRUE(z[0][0].is_null());
        EXPECT_TRUE(z[0][1].is_null());
        EXPECT_TRUE(z[0][2].is_null());
        EXPECT_TRUE(z[1][0].is_null());
    }
    // Every value non-finite: nothing to take a range from, and still no literal.
    const std::string all_nan = Figure(statistic_of({{nan_value, inf_value}})).to_string();
    EXPECT_FALSE(std::regex_search(all_nan, non_finite_literal)) << all_nan;
    EXPECT_TRUE(ordered_json::accept(all_nan));
}

// ---------------------------------------------------------------------------
// Valid UTF-8 whatever the input bytes

TEST(JsonOutput, InvalidInputBytesBecomeReplacementCharacters) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f}}, "Ent\xFFropy");
    fields.units = "n\xC3";
    fields.sequence_labels = text1({"\xED\xA0\x80", "ok\x80"});
    fields.layer_labels = text1({"\xC0\x80"});
    fields.trajectory_labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({1, 2}, {"\xF5", "fine"}),
                                                 TextArray<4>::from_strings({1, 2, 1, 1}, {"\xE2\x82", "v"}));
    FigureOptions options;
    options.title = "title \xFE";
    const std::string raw = Figure(TrajectoryStatistic(std::move(fields)), {}, options).to_string();

    EXPECT_TRUE(trajplot::is_valid_utf8(raw));
    ordered_json parsed;
    ASSERT_NO_THROW(parsed = ordered_json::parse(raw));  // the parser rejects invalid UTF-8 itself
    const ordered_json& trace = parsed.at("data")[0];
    const std::string r(replacement);
    EXPECT_EQ(trace.at("colorbar").at("title").at("text"), "Ent" + r + "ropy (n" + r + ")");
    EXPECT_EQ(parsed.at("layout").at("title").at("text"), "title " + r);
    EXPECT_EQ(trace.at("text"), ordered_json::parse("[[\"" + r + "\", \"fine\"]]"));
    // Python's decode: a surrogate is three replacements, an overlong two.
    const std::string x0 = trace.at("x")[0].get<std::string>();
    const std::string y0 = trace.at("y")[0].get<std::string>();
    EXPECT_EQ(x0.substr(0, 9), r + r + r);
    EXPECT_EQ(y0.substr(0, 6), r + r);
    EXPECT_EQ(trace.at("customdata")[0][0][0], " " + r);
}

TEST(JsonOutput, ControlCharactersAreEscaped) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f}}, std::string("tab\tnew\nline\x01\"q\"\\"));
    const std::string raw = Figure(TrajectoryStatistic(std::move(fields))).to_string(trace_only);
    for (const char c : raw) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control byte in " << raw;
    EXPECT_EQ(ordered_json::parse(raw).at("colorbar").at("title").at("text"), std::string("tab\tnew\nline\x01\"q\"\\"));
}

// ---------------------------------------------------------------------------
// Floats: shortest round-trip form of the float32 value

TEST(JsonOutput, FloatsAreShortestFloat32) {
    const std::string raw = Figure(statistic_of({{0.1f, 1.0f / 3.0f, -0.7f}})).to_string(trace_only);
    const std::string z = raw_array_after_key(raw, "z");
    ASSERT_FALSE(z.empty()) << raw;
    EXPECT_EQ(number_tokens(z), (Strings{"0.1", "0.33333334", "-0.7"})) << z;
    // Not their double expansions.
    EXPECT_EQ(raw.find("0.10000000149011612"), std::string::npos);
    EXPECT_EQ(raw.find("0.3333333432674408"), std::string::npos);
}

TEST(JsonOutput, RangeIsShortestFloat32) {
    TrajectoryStatistic::Fields fields = fields_with({{0.5f}});
    fields.min = 0.1f;
    fields.max = 0.7f;
    const std::string raw = Figure(TrajectoryStatistic(std::move(fields))).to_string(trace_only);
    EXPECT_TRUE(std::regex_search(raw, std::regex("\"zmin\"\\s*:\\s*0\\.1\\s*[,}]"))) << raw;
    EXPECT_TRUE(std::regex_search(raw, std::regex("\"zmax\"\\s*:\\s*0\\.7\\s*[,}]"))) << raw;
}

TEST(JsonOutput, FloatsRoundTripWithTheFewestDigits) {
    std::mt19937 generator(12345);
    std::vector<float> values = {1e-38f,      1.17549435e-38f, 1e-45f, 3.4028235e38f, 16777216.0f, 16777217.0f,
                                 123456.789f, -0.0001f,        1e10f,  2.5e-7f,       100.0f,      0.0f};
    std::uniform_real_distribution<float> uniform(-1000.0f, 1000.0f);
    std::uniform_int_distribution<std::uint32_t> any_bits;
    while (values.size() < 256) {
        values.push_back(uniform(generator));
        std::uint32_t bits = any_bits(generator);
        float from_bits;
        std::memcpy(&from_bits, &bits, sizeof from_bits);
        if (std::isfinite(from_bits)) values.push_back(from_bits);
    }
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({1, values.size()});
    for (std::size_t i = 0; i < values.size(); ++i) stats(0, i) = values[i];
    const std::string raw = Figure(statistic_of(stats)).to_string(trace_only);

    const Strings tokens = number_tokens(raw_array_after_key(raw, "z"));
    ASSERT_EQ(tokens.size(), values.size());
    const ordered_json z = ordered_json::parse(raw).at("z")[0];
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(static_cast<float>(z[i].get<double>()), values[i]) << "written as " << tokens[i];
        EXPECT_EQ(significant_digits(tokens[i]), shortest_float_digits(values[i]))
            << "value " << values[i] << " written as " << tokens[i];
    }
}

// ---------------------------------------------------------------------------
// Large arrays, formatted on two threads

// Large z arrays are formatted by two threads in blocks of rows; rows must
// still come out complete and in order, in plain and log scale alike.
TEST(HeatmapLargeZ, RowsFormattedInParallelKeepTheirValuesAndOrder) {
    const std::size_t n_layers = 37;  // blocks of rows do not divide it evenly
    const std::size_t seq_len = 5003;
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({n_layers, seq_len});
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < seq_len; ++position) {
            stats(layer, position) = static_cast<float>(layer) + static_cast<float>(position) / 8192.0f + 0.001f;
        }
    }
    stats(20, 7) = std::numeric_limits<float>::quiet_NaN();
    const auto statistic = shared(TrajectoryStatistic({.name = "Big", .stats = stats}));
    for (const bool log_scale : {false, true}) {
        const Figure figure(statistic, {.log_scale = log_scale});
        const ordered_json trace = ordered_json::parse(figure.to_string(trace_only));
        const ordered_json& z = trace.at("z");
        ASSERT_EQ(z.size(), n_layers);
        for (std::size_t layer = 0; layer < n_layers; ++layer) {
            ASSERT_EQ(z[layer].size(), seq_len) << "layer " << layer;
            for (std::size_t position = 0; position < seq_len; position += 997) {
                const float value = stats(layer, position);
                if (std::isnan(value) || (log_scale && value <= 0)) continue;
                const float expected = log_scale ? static_cast<float>(std::log10(static_cast<double>(value))) : value;
                ASSERT_EQ(z[layer][position].get<float>(), expected) << "layer " << layer << " position " << position;
            }
        }
        EXPECT_TRUE(z[20][7].is_null());
    }
}

// Cell text and hover tables are formatted on two threads in blocks of rows
// as well; in JSON and in an HTML page (whose strings are also escaped for
// the page) every string must come out whole, escaped, and in order.
TEST(HeatmapLargeLabels, RowsFormattedInParallelKeepTheirTextAndOrder) {
    const std::size_t n_layers = 23;  // blocks of rows do not divide it evenly
    const std::size_t seq_len = 3001;
    std::vector<std::string> cells;
    std::vector<std::string> entries;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < seq_len; ++position) {
            std::string cell = std::string("t").append(std::to_string(layer * seq_len + position));
            if (position % 7 == 0) cell += "<&>";
            if (position % 5 == 0) cell += "\xCE\x94";
            if (position % 11 == 0) cell += "\xE2\x80\xA8";  // U+2028, a line break to older JavaScript
            cells.push_back(cell);
            for (const std::string& entry :
                 {cell, std::string("12.5%"), std::to_string(position % 97), std::string("</script>")}) {
                entries.push_back(entry);
            }
        }
    }
    const auto labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({n_layers, seq_len}, cells),
                                                 TextArray<4>::from_strings({n_layers, seq_len, 2, 2}, entries));
    const Figure figure(TrajectoryStatistic(
        {.name = "Big", .stats = xt::zeros<float>({n_layers, seq_len}), .trajectory_labels = labels}));
    const TextArray<3> padded = labels->template_and_customdata().customdata;

    const auto check = [&](const ordered_json& trace, const std::string& where) {
        const ordered_json& text = trace.at("text");
        const ordered_json& customdata = trace.at("customdata");
        ASSERT_EQ(text.size(), n_layers) << where;
        ASSERT_EQ(customdata.size(), n_layers) << where;
        for (std::size_t layer = 0; layer < n_layers; ++layer) {
            ASSERT_EQ(text[layer].size(), seq_len) << where << " layer " << layer;
            ASSERT_EQ(customdata[layer].size(), seq_len) << where << " layer " << layer;
            for (std::size_t position = 0; position < seq_len; ++position) {
                const std::size_t flat = layer * seq_len + position;
                ASSERT_EQ(text[layer][position].get<std::string>(), trajplot::plotly_escaped(cells[flat]))
                    << where << " layer " << layer << " position " << position;
                for (std::size_t k = 0; k < 4; ++k) {
                    ASSERT_EQ(customdata[layer][position][k].get<std::string>(),
                              trajplot::plotly_escaped(padded.flat(flat * 4 + k)))
                        << where << " layer " << layer << " position " << position << " entry " << k;
                }
            }
        }
    };
    check(ordered_json::parse(figure.to_string(trace_only)), "JSON");

    const std::string page = figure.to_string({Format::html});
    const std::size_t start = page.find("var figure = ");
    const std::size_t end = page.find(";\n  Plotly.newPlot", start);
    ASSERT_NE(start, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    const std::string embedded = page.substr(start + 13, end - start - 13);
    EXPECT_EQ(embedded.find('<'), std::string::npos) << "the page's figure holds a raw '<'";
    EXPECT_EQ(embedded.find("\xE2\x80\xA8"), std::string::npos) << "the page's figure holds a raw U+2028";
    check(ordered_json::parse(embedded).at("data")[0], "HTML");
    check(ordered_json::parse(figure.to_string()).at("data")[0], "figure JSON");
}

// ---------------------------------------------------------------------------
// Saving

using SaveJson = trajplot_test::ScratchDirectory;

TEST_F(SaveJson, FigureFileEqualsFigureJson) {
    FigureOptions options;
    options.title = "Saved";
    const Figure figure(full_statistic(), {.extra_json = R"({"textfont": {"size": 10}})"}, options);
    const fs::path path = directory_ / "figure.json";
    figure.save(path);
    EXPECT_EQ(read_file(path), figure.to_string());
    EXPECT_EQ(directory_entries(directory_), (Strings{"figure.json"}));
}

TEST_F(SaveJson, HeatmapFileEqualsHeatmapJson) {
    const fs::path path = directory_ / "trace.json";
    const Figure figure(full_statistic());
    figure.save(path, trace_only);
    EXPECT_EQ(read_file(path), figure.to_string(trace_only));
}

TEST_F(SaveJson, LargeFigureIsWrittenWhole) {
    // Larger than any write buffer: the file must still equal the string.
    const Figure figure(counting_statistic(64, 4096));
    const fs::path path = directory_ / "large.json";
    figure.save(path);
    const std::string expected = figure.to_string();
    EXPECT_GT(expected.size(), std::size_t{1} << 20);
    EXPECT_EQ(read_file(path), expected);
}

TEST_F(SaveJson, ReplacesAnExistingFile) {
    const fs::path path = directory_ / "figure.json";
    std::ofstream(path) << "old content that is longer than nothing";
    const Figure figure(full_statistic());
    figure.save(path);
    EXPECT_EQ(read_file(path), figure.to_string());
    EXPECT_EQ(directory_entries(directory_), (Strings{"figure.json"}));
}

TEST_F(SaveJson, MissingDirectoryIsAnIoErrorAndLeavesNothing) {
    const fs::path missing = directory_ / "missing";
    const Figure figure(full_statistic());
    const Error error = error_of([&] { figure.save(missing / "figure.json"); });
    EXPECT_EQ(error.code(), Errc::io) << error.what();
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_TRUE(directory_entries(directory_).empty());

    EXPECT_EQ(error_of([&] { figure.save(missing / "trace.json", trace_only); }).code(), Errc::io);
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(SaveJson, PathThroughAFileIsAnIoError) {
    const fs::path file = directory_ / "plain";
    std::ofstream(file) << "x";
    EXPECT_EQ(error_of([&] { Figure(full_statistic()).save(file / "figure.json"); }).code(), Errc::io);
    EXPECT_EQ(read_file(file), "x");
    EXPECT_EQ(directory_entries(directory_), (Strings{"plain"}));
}

TEST_F(SaveJson, FailedSaveLeavesAnExistingFileIntact) {
    const fs::path path = directory_ / "figure.json";
    const std::string earlier = Figure(statistic_of({{1.0f}})).to_string();
    std::ofstream(path, std::ios::binary) << earlier;

    PanelOptions unknown_scale;
    unknown_scale.colorscale = "no_such_scale";
    FigureOptions zero_width;
    zero_width.token_width = 0;
    PanelOptions bad_extra;
    bad_extra.extra_json = "{\"colorbar\": ";
    FigureOptions huge_width;
    huge_width.token_width = std::numeric_limits<std::size_t>::max();
    PanelOptions log_scale;
    log_scale.log_scale = true;
    TrajectoryStatistic::Fields zero_min = fields_with({{1.0f, 2.0f}});
    zero_min.min = 0.0f;
    zero_min.max = 10.0f;
    const TrajectoryStatistic zero_min_statistic(std::move(zero_min));

    // Options that cannot make a figure are refused when it is made, so no
    // export of it, its trace included, can begin.
    struct Failing {
        const TrajectoryStatistic* statistic;  // nullptr: full_statistic()
        PanelOptions panel;
        FigureOptions options;
    };
    const std::vector<Failing> failing = {
        {nullptr, unknown_scale, {}},
        {nullptr, {}, zero_width},
        {nullptr, bad_extra, {}},
        {nullptr, {}, huge_width},
        {&zero_min_statistic, log_scale, {}},
    };
    const TrajectoryStatistic statistic = full_statistic();
    for (const Failing& failure : failing) {
        const TrajectoryStatistic& target = failure.statistic ? *failure.statistic : statistic;
        (void)error_of([&] { (void)Figure(target, failure.panel, failure.options); });
        for (const ExportOptions& format : {ExportOptions{}, trace_only}) {
            (void)error_of([&] { Figure(target, failure.panel, failure.options).save(path, format); });
            EXPECT_EQ(read_file(path), earlier);
            EXPECT_EQ(directory_entries(directory_), (Strings{"figure.json"}));
        }
    }

    // A figure refuses only the exports it cannot make: a stacked figure has
    // no single trace.
    const Figure stacked = Figure::stacked({Panel{shared(full_statistic())}, Panel{shared(full_statistic())}});
    EXPECT_EQ(error_of([&] { stacked.save(path, trace_only); }).code(), Errc::invalid_argument);
    EXPECT_EQ(read_file(path), earlier);
    EXPECT_EQ(directory_entries(directory_), (Strings{"figure.json"}));
}

TEST_F(SaveJson, WriteErrorIsAnIoErrorAndLeavesAnExistingFileIntact) {
    const fs::path path = directory_ / "figure.json";
    const std::string earlier = Figure(statistic_of({{1.0f}})).to_string();
    std::ofstream(path, std::ios::binary) << earlier;
    const Figure large(counting_statistic(64, 4096));

    std::optional<Error> figure_error;
    std::optional<Error> trace_error;
    with_file_size_limit(std::size_t{1} << 18, [&] {
        try {
            large.save(path);
        } catch (const Error& error) {
            figure_error = error;
        }
        try {
            large.save(path, trace_only);
        } catch (const Error& error) {
            trace_error = error;
        }
    });
    ASSERT_TRUE(figure_error.has_value()) << "a write past the file size limit did not fail";
    EXPECT_EQ(figure_error->code(), Errc::io) << figure_error->what();
    ASSERT_TRUE(trace_error.has_value()) << "a write past the file size limit did not fail";
    EXPECT_EQ(trace_error->code(), Errc::io) << trace_error->what();
    EXPECT_EQ(read_file(path), earlier);
    EXPECT_EQ(directory_entries(directory_), (Strings{"figure.json"}));
}

TEST_F(SaveJson, WriteErrorLeavesNoPartialFile) {
    const fs::path path = directory_ / "figure.json";
    const Figure large(counting_statistic(64, 4096));
    std::optional<Error> error;
    with_file_size_limit(std::size_t{1} << 18, [&] {
        try {
            large.save(path);
        } catch (const Error& caught) {
            error = caught;
        }
    });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), Errc::io) << error->what();
    EXPECT_TRUE(directory_entries(directory_).empty());
}

TEST_F(SaveJson, FailedSaveCreatesNoFile) {
    const fs::path path = directory_ / "figure.json";
    FigureOptions zero_width;
    zero_width.token_width = 0;
    (void)error_of([&] { Figure(full_statistic(), {}, zero_width).save(path); });
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(directory_entries(directory_).empty());

    // Nor does an export the figure refuses.
    const Figure stacked = Figure::stacked({Panel{shared(full_statistic())}});
    (void)error_of([&] { stacked.save(path, trace_only); });
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(directory_entries(directory_).empty());
}

}  // namespace
