#include "trajplot/colorscales.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "trajplot/error.hpp"

#ifndef TRAJPLOT_TEST_DATA_DIR
#error "TRAJPLOT_TEST_DATA_DIR must name the tests/data directory as a string literal"
#endif

namespace {

using trajplot::Colorscale;
using trajplot::colorscale_names;
using trajplot::Errc;
using trajplot::Error;
using trajplot::resolve_colorscale;

std::string ascii_uppercase(std::string_view text) {
    std::string upper(text);
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return upper;
}

// The stops as docs/behaviour.md writes them: shortest round-trip numbers, so
// 0.0 is "0" and 0.1 is "0.1" only if the position is the double nearest
// to 0.1.
std::string compact_json(const Colorscale& stops) {
    std::string out = "[";
    for (std::size_t i = 0; i < stops.size(); ++i) {
        char number[32];
        const auto [end, ec] = std::to_chars(number, number + sizeof number, stops[i].position);
        EXPECT_EQ(ec, std::errc{});
        out += i == 0 ? "[" : ",[";
        out.append(number, end);
        out += ",\"" + stops[i].color + "\"]";
    }
    return out + "]";
}

// The Error resolving `name` throws; a test failure if it throws none.
Error resolve_error(std::string_view name) {
    try {
        resolve_colorscale(name);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "resolve_colorscale(\"" << name << "\") did not throw";
    return Error(Errc::io, "");
}

std::vector<std::string> colors_of(const Colorscale& stops) {
    std::vector<std::string> colors;
    for (const auto& stop : stops) {
        colors.push_back(stop.color);
    }
    return colors;
}

std::vector<double> positions_of(const Colorscale& stops) {
    std::vector<double> positions;
    for (const auto& stop : stops) {
        positions.push_back(stop.position);
    }
    return positions;
}

void expect_same_stops(const Colorscale& actual, const Colorscale& expected, std::string_view name) {
    ASSERT_EQ(actual.size(), expected.size()) << name;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        // Exact: the positions must be the very doubles plotly.py computes.
        EXPECT_EQ(actual[i].position, expected[i].position) << name << " stop " << i;
        EXPECT_EQ(actual[i].color, expected[i].color) << name << " stop " << i;
    }
}

TEST(Colorscales, RdbuReversedIsTheArrayOfTheBehaviourSpec) {
    const Colorscale expected = {
        {0.0, "rgb(5,48,97)"},     {0.1, "rgb(33,102,172)"},  {0.2, "rgb(67,147,195)"},  {0.3, "rgb(146,197,222)"},
        {0.4, "rgb(209,229,240)"}, {0.5, "rgb(247,247,247)"}, {0.6, "rgb(253,219,199)"}, {0.7, "rgb(244,165,130)"},
        {0.8, "rgb(214,96,77)"},   {0.9, "rgb(178,24,43)"},   {1.0, "rgb(103,0,31)"},
    };
    expect_same_stops(resolve_colorscale("rdbu_r"), expected, "rdbu_r");
}

TEST(Colorscales, RdbuReversedPrintsByteForByteAsInTheBehaviourSpec) {
    const std::string behaviour_md =
        R"json([[0,"rgb(5,48,97)"],[0.1,"rgb(33,102,172)"],)json"
        R"json([0.2,"rgb(67,147,195)"],[0.3,"rgb(146,197,222)"],[0.4,"rgb(209,229,240)"],)json"
        R"json([0.5,"rgb(247,247,247)"],[0.6,"rgb(253,219,199)"],[0.7,"rgb(244,165,130)"],)json"
        R"json([0.8,"rgb(214,96,77)"],[0.9,"rgb(178,24,43)"],[1,"rgb(103,0,31)"]])json";
    EXPECT_EQ(compact_json(resolve_colorscale("rdbu_r")), behaviour_md);
}

TEST(Colorscales, NamesAndSuffixIgnoreAsciiCase) {
    const Colorscale reversed = resolve_colorscale("rdbu_r");
    for (const std::string_view spelling : {"RdBu_R", "RDBU_R", "rdbu_R", "RdBu_r"}) {
        expect_same_stops(resolve_colorscale(spelling), reversed, spelling);
    }
    const Colorscale viridis = resolve_colorscale("viridis");
    for (const std::string_view spelling : {"Viridis", "VIRIDIS", "vIrIdIs"}) {
        expect_same_stops(resolve_colorscale(spelling), viridis, spelling);
    }
}

TEST(Colorscales, KnowsPlotlysNinetyFourBaseNames) {
    const auto& names = colorscale_names();
    EXPECT_EQ(names.size(), 94u);
    EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size()) << "a name is listed twice";
    for (const std::string_view expected : {"rdbu", "viridis", "blues", "plotly3", "mygbm"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    }
    for (const std::string_view name : names) {
        EXPECT_FALSE(name.ends_with("_r")) << name;
        EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) << name;
    }
}

TEST(Colorscales, EveryNameAndItsReverseResolveToAScaleFromZeroToOne) {
    for (const std::string_view name : colorscale_names()) {
        for (const std::string& spelling : {std::string(name), std::string(name) + "_r"}) {
            Colorscale stops;
            ASSERT_NO_THROW(stops = resolve_colorscale(spelling)) << spelling;
            ASSERT_GE(stops.size(), 2u) << spelling;
            EXPECT_EQ(stops.front().position, 0.0) << spelling;
            EXPECT_EQ(stops.back().position, 1.0) << spelling;
            const auto positions = positions_of(stops);
            EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end())) << spelling;
            for (const auto& stop : stops) {
                EXPECT_FALSE(stop.color.empty()) << spelling;
            }
        }
    }
}

TEST(Colorscales, ReverseKeepsPositionsAndReversesColours) {
    for (const std::string_view name : colorscale_names()) {
        const Colorscale forward = resolve_colorscale(name);
        const Colorscale reversed = resolve_colorscale(std::string(name) + "_r");
        EXPECT_EQ(positions_of(reversed), positions_of(forward)) << name;
        auto colors = colors_of(forward);
        std::reverse(colors.begin(), colors.end());
        EXPECT_EQ(colors_of(reversed), colors) << name;
    }
}

TEST(Colorscales, UnknownNameIsAnInvalidArgumentThatQuotesIt) {
    const Error error = resolve_error("foo");
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    const std::string message = error.what();
    EXPECT_NE(message.find("\"foo\""), std::string::npos) << message;
    // A few valid names, so that a caller can correct the mistake.
    EXPECT_NE(message.find("\"rdbu\""), std::string::npos) << message;
    EXPECT_NE(message.find("\"viridis\""), std::string::npos) << message;
    EXPECT_NE(message.find("94"), std::string::npos) << message;
    EXPECT_NE(message.find("_r"), std::string::npos) << message;
}

TEST(Colorscales, NamesPlotlyRejectsAreRejected) {
    // "_r" reverses once, and only as a suffix of a base name.
    for (const std::string_view name :
         {"", "_r", "_R", "rdbu_r_r", "rdbu_", "_rdbu", "rdbur", " rdbu", "rdbu ", "rd bu", "r"}) {
        const Error error = resolve_error(name);
        EXPECT_EQ(error.code(), Errc::invalid_argument) << '"' << name << '"';
        EXPECT_NE(std::string(error.what()).find('"' + std::string(name) + '"'), std::string::npos) << error.what();
    }
}

TEST(Colorscales, MessageOfAnUnknownNameStaysPrintableAndShort) {
    const std::string_view with_control_bytes("rd\0bu\n\"\xff", 8);
    const std::string message = resolve_error(with_control_bytes).what();
    EXPECT_NE(message.find(R"q("rd\x00bu\x0a\"\xff")q"), std::string::npos) << message;
    EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << message;

    const std::string huge(1'000'000, 'x');
    EXPECT_LT(std::string(resolve_error(huge).what()).size(), 400u);
}

TEST(Colorscales, MatchesWhatPlotlyPyResolves) {
    const std::string path = std::string(TRAJPLOT_TEST_DATA_DIR) + "/colorscales_plotly.json";
    std::ifstream file(path);
    ASSERT_TRUE(file) << "cannot open " << path;
    const auto plotly = nlohmann::json::parse(file);

    const auto plotly_names = plotly.at("names").get<std::vector<std::string>>();
    EXPECT_EQ(std::vector<std::string>(colorscale_names().begin(), colorscale_names().end()), plotly_names);

    const auto& scales = plotly.at("colorscales");
    // Every base name and its "_r" form.
    EXPECT_EQ(scales.size(), 2 * plotly_names.size());
    for (const auto& [name, stops] : scales.items()) {
        Colorscale expected;
        for (const auto& stop : stops) {
            expected.push_back({stop.at(0).get<double>(), stop.at(1).get<std::string>()});
        }
        expect_same_stops(resolve_colorscale(name), expected, name);
        expect_same_stops(resolve_colorscale(ascii_uppercase(name)), expected, ascii_uppercase(name));
    }
}

}  // namespace
