#include "text_array_internals.hpp"
#include "text_internals.hpp"
#include "trajplot/error.hpp"
#include "trajplot/text.hpp"
#include "trajplot/text_array.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::string_view_literals;
using trajplot::append_plotly_escaped;
using trajplot::code_point_count;
using trajplot::is_valid_utf8;
using trajplot::plotly_escaped;
using trajplot::sanitize_utf8;
using trajplot::shortest_string;
using trajplot::trunc_string_left;

// ---------------------------------------------------------------------------
// code_point_count: Python's len of the decoded string.

TEST(CodePointCount, CountsCodePointsNotBytes) {
    EXPECT_EQ(code_point_count("\xCE\x94"
                               "0.00%"),
              6u);  // "Δ0.00%", 7 bytes
    EXPECT_EQ(code_point_count(""), 0u);
    EXPECT_EQ(code_point_count("abc"), 3u);
    EXPECT_EQ(code_point_count("\xE2\x82\xAC"), 1u);      // "€"
    EXPECT_EQ(code_point_count("\xF0\x9F\x98\x80"), 1u);  // U+1F600
    EXPECT_EQ(code_point_count("a\xE2\x82\xAC\xF0\x9F\x98\x80"
                               "b"),
              4u);  // "a€😀b"
    EXPECT_EQ(code_point_count("a\0b"sv), 3u);
}

// ---------------------------------------------------------------------------
// trunc_string_left

TEST(TruncStringLeft, PadsShortTextOnTheLeft) {
    EXPECT_EQ(trunc_string_left("ab", 4), "  ab");
    EXPECT_EQ(trunc_string_left("", 3), "   ");
    EXPECT_EQ(trunc_string_left("x", 2), " x");
}

TEST(TruncStringLeft, PadsToCodePointsNotBytes) {
    // "Δ" is one code point (two bytes): two spaces bring it to three.
    EXPECT_EQ(trunc_string_left("\xCE\x94", 3), "  \xCE\x94");
    EXPECT_EQ(trunc_string_left("\xF0\x9F\x98\x80", 2), " \xF0\x9F\x98\x80");
}

TEST(TruncStringLeft, KeepsTextOfExactLength) {
    EXPECT_EQ(trunc_string_left("abc", 3), "abc");
    EXPECT_EQ(trunc_string_left("\xCE\x94"
                                "0.00%",
                                6),
              "\xCE\x94"
              "0.00%");
}

TEST(TruncStringLeft, KeepsTheLastCodePoints) {
    EXPECT_EQ(trunc_string_left("abcdef", 3), "def");
    EXPECT_EQ(trunc_string_left("abcdef", 1), "f");
    EXPECT_EQ(trunc_string_left("abcdef", 0), "");
    EXPECT_EQ(trunc_string_left("\xCE\x94"
                                "0.00%",
                                3),
              "00%");
}

TEST(TruncStringLeft, NeverSplitsMultiByteText) {
    // "ΔΔΔ" keeps two whole "Δ", not the last four bytes' worth of halves.
    EXPECT_EQ(trunc_string_left("\xCE\x94\xCE\x94\xCE\x94", 2), "\xCE\x94\xCE\x94");
    // "😀x" -> "x"; "x😀" -> "😀"; "a€😀" -> "€😀".
    EXPECT_EQ(trunc_string_left("\xF0\x9F\x98\x80x", 1), "x");
    EXPECT_EQ(trunc_string_left("x\xF0\x9F\x98\x80", 1), "\xF0\x9F\x98\x80");
    EXPECT_EQ(trunc_string_left("a\xE2\x82\xAC\xF0\x9F\x98\x80", 2), "\xE2\x82\xAC\xF0\x9F\x98\x80");
    // Keeping the last 5 of "Δ0.00%" drops exactly its two-byte first code point.
    EXPECT_EQ(trunc_string_left("\xCE\x94"
                                "0.00%",
                                5),
              "0.00%");
}

// ---------------------------------------------------------------------------
// is_valid_utf8

TEST(IsValidUtf8, AcceptsWellFormedText) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii text that is longer than eight bytes"));
    EXPECT_TRUE(is_valid_utf8("a\0b"sv));
    EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest two-byte
    EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));          // U+07FF
    EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest three-byte
    EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
    EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
    EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBD"));      // U+FFFD
    EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest four-byte
    EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the largest
    EXPECT_TRUE(
        is_valid_utf8("0123456789abcdef\xCE\x94"
                      "0123456789abcdef"));
}

TEST(IsValidUtf8, RejectsIllFormedText) {
    const std::vector<std::string_view> invalid = {
        "\xC3"sv,                  // truncated two-byte
        "\xE2\x82"sv,              // truncated three-byte
        "\xF0\x9F\x98"sv,          // truncated four-byte
        "\xC0\x80"sv,              // overlong NUL
        "\xC1\xBF"sv,              // overlong
        "\xE0\x80\x80"sv,          // overlong three-byte
        "\xE0\x9F\xBF"sv,          // overlong three-byte (U+07FF)
        "\xF0\x8F\xBF\xBF"sv,      // overlong four-byte (U+FFFF)
        "\xED\xA0\x80"sv,          // U+D800, a surrogate
        "\xED\xBF\xBF"sv,          // U+DFFF, a surrogate
        "\xF4\x90\x80\x80"sv,      // U+110000, past the last code point
        "\xF5\x80\x80\x80"sv,      // lead byte F5
        "\xF8\x88\x80\x80\x80"sv,  // lead byte F8
        "\xFE"sv,
        "\xFF"sv,
        "\x80"sv,  // lone continuation byte
        "\xBF"sv,
        "abcdefgh\x80"sv,          // after an ASCII run
        "abcdefghijklmnop\xC3"sv,  // truncated at the very end after a long ASCII run
        "\xE2\x82\xAC\x80"sv,      // "€" followed by a stray continuation byte
        "\xC3\xE9"sv,              // lead followed by a non-continuation byte
    };
    for (const std::string_view bytes : invalid) {
        EXPECT_FALSE(is_valid_utf8(bytes)) << testing::PrintToString(std::string(bytes));
    }
}

// ---------------------------------------------------------------------------
// sanitize_utf8: the expected outputs are those of Python's
// bytes.decode("utf-8", "replace").encode("utf-8"), which replaces each
// maximal subpart of an ill-formed sequence with one U+FFFD ("\xEF\xBF\xBD").

TEST(SanitizeUtf8, KeepsValidTextUnchanged) {
    for (const std::string_view valid : {""sv, "abc"sv,
                                         "\xCE\x94"
                                         "0.00%"sv,
                                         "\xF4\x8F\xBF\xBF"sv, "a\0b"sv, "\xEF\xBF\xBD"sv}) {
        EXPECT_EQ(sanitize_utf8(valid), valid);
    }
}

TEST(SanitizeUtf8, ReplacesLikePythonDecodeReplace) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        // Truncated sequences: the whole truncated prefix is one U+FFFD.
        {"\xC3"sv, "\xEF\xBF\xBD"sv},
        {"a\xC3"sv, "a\xEF\xBF\xBD"sv},
        {"\xE2\x82"sv, "\xEF\xBF\xBD"sv},
        {"\xE2\x82"
         "a"sv,
         "\xEF\xBF\xBD"
         "a"sv},
        {"\xF0\x9F\x98"sv, "\xEF\xBF\xBD"sv},
        {"\xF0\x9F\x98"
         "a"sv,
         "\xEF\xBF\xBD"
         "a"sv},
        {"\xE1\x80"sv, "\xEF\xBF\xBD"sv},
        {"\xF0\x9F\x98\xC3\xA9"sv, "\xEF\xBF\xBD\xC3\xA9"sv},
        {"\xC3\xE9"sv, "\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xE2(\xA1"sv, "\xEF\xBF\xBD(\xEF\xBF\xBD"sv},
        {"\xF1\x80\x80\xE1\x80\xC2"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        // Overlongs: every byte is replaced on its own.
        {"\xC0\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xC1\xBF"sv, "\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xE0\x80\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xE0\x9F\xBF"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xF0\x80\x80\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xF0\x8F\xBF\xBF"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        // Surrogates encoded in UTF-8 (CESU-style): every byte replaced.
        {"\xED\xA0\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xED\xBF\xBF"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xED\xA0\x80\xED\xB0\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        // Past U+10FFFF and lead bytes F5..FF.
        {"\xF4\x90\x80\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xF5"sv, "\xEF\xBF\xBD"sv},
        {"\xF5\x80\x80\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xF8\x88\x80\x80\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xFE\xFF"sv, "\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"\xFF"sv, "\xEF\xBF\xBD"sv},
        // Lone continuation bytes.
        {"\x80"sv, "\xEF\xBF\xBD"sv},
        {"\xBF\x80"sv, "\xEF\xBF\xBD\xEF\xBF\xBD"sv},
        {"a\x80"
         "b"sv,
         "a\xEF\xBF\xBD"
         "b"sv},
        {"\xE2\x82\xAC\x80"sv, "\xE2\x82\xAC\xEF\xBF\xBD"sv},
        // Valid neighbours survive untouched, NUL included.
        {"ok\xF4\x8F\xBF\xBF"sv, "ok\xF4\x8F\xBF\xBF"sv},
        {"\0\xFF"sv, "\0\xEF\xBF\xBD"sv},
    };
    for (const auto& [input, expected] : cases) {
        const std::string output = sanitize_utf8(input);
        EXPECT_EQ(output, expected) << "input " << testing::PrintToString(std::string(input));
        EXPECT_TRUE(is_valid_utf8(output));
    }
}

// ---------------------------------------------------------------------------
// plotly_escaped / append_plotly_escaped

TEST(PlotlyEscaped, EscapesTheThreeMarkupCharacters) {
    EXPECT_EQ(plotly_escaped("a&b<c>d"), "a&amp;b&lt;c&gt;d");
    EXPECT_EQ(plotly_escaped("<s>"), "&lt;s&gt;");
    EXPECT_EQ(plotly_escaped("</s>"), "&lt;/s&gt;");
    EXPECT_EQ(plotly_escaped("<|endoftext|>"), "&lt;|endoftext|&gt;");
    EXPECT_EQ(plotly_escaped("<br>"), "&lt;br&gt;");
    // An entity in the input is shown literally, so its '&' is escaped again.
    EXPECT_EQ(plotly_escaped("&amp;"), "&amp;amp;");
    EXPECT_EQ(plotly_escaped("<<>>&&"), "&lt;&lt;&gt;&gt;&amp;&amp;");
}

TEST(PlotlyEscaped, LeavesEverythingElseUnchanged) {
    EXPECT_EQ(plotly_escaped(""), "");
    EXPECT_EQ(plotly_escaped("plain text 0.5%"), "plain text 0.5%");
    EXPECT_EQ(plotly_escaped("\"quoted\" 'single' \\ / ; # %{x}"), "\"quoted\" 'single' \\ / ; # %{x}");
    EXPECT_EQ(plotly_escaped("\xCE\x94\xE2\x82\xAC\xF0\x9F\x98\x80"), "\xCE\x94\xE2\x82\xAC\xF0\x9F\x98\x80");
    EXPECT_EQ(plotly_escaped("a\0b\n\t"sv), "a\0b\n\t"sv);
}

TEST(PlotlyEscaped, AppendKeepsWhatIsAlreadyThere) {
    std::string out = "<b>";
    append_plotly_escaped(out, "x<y");
    EXPECT_EQ(out, "<b>x&lt;y");
    append_plotly_escaped(out, "");
    EXPECT_EQ(out, "<b>x&lt;y");
}

// ---------------------------------------------------------------------------
// shortest_string: the float's shortest round-trip decimal text.

TEST(ShortestString, FloatsReadBackWithTheFewestDigits) {
    EXPECT_EQ(shortest_string(0.1f), "0.1");
    EXPECT_EQ(shortest_string(1.0f / 3.0f), "0.33333334");
    EXPECT_EQ(shortest_string(-2.5f), "-2.5");
    EXPECT_EQ(shortest_string(0.0f), "0");
}

// ---------------------------------------------------------------------------
// TextArray from the layouts other languages hold: the same storage as
// build() makes of the same UTF-8.

std::string utf8_of(char32_t code_point) {
    std::string out;
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
    return out;
}

bool is_scalar_value(char32_t unit) { return unit <= 0x10FFFF && (unit < 0xD800 || unit > 0xDFFF); }

// Strings, code point counts and the writers' plain flags alike.
template <std::size_t N>
void expect_same_storage(const trajplot::TextArray<N>& got, const trajplot::TextArray<N>& expected) {
    ASSERT_EQ(got.shape(), expected.shape());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(got.flat(i), expected.flat(i)) << "string " << i;
        ASSERT_EQ(got.flat_code_points(i), expected.flat_code_points(i)) << "string " << i;
        ASSERT_EQ(trajplot::TextArrayInternals::is_plain(got, i), trajplot::TextArrayInternals::is_plain(expected, i))
            << "string " << i;
        ASSERT_EQ(got.flat(i).data()[got.flat(i).size()], '\0') << "string " << i;
    }
}

TEST(CodePointMayNeedEscaping, AgreesWithTheBytesOfEveryScalarValue) {
    for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
        if (!is_scalar_value(code_point)) continue;
        ASSERT_EQ(trajplot::code_point_may_need_escaping(code_point),
                  trajplot::needs_json_escaping(utf8_of(code_point)))
            << "U+" << std::hex << static_cast<std::uint32_t>(code_point);
    }
}

TEST(TextArrayLayouts, Utf32OfEveryUnitIsStoredAsItsUtf8) {
    // Each unit alone, then each unit between two others, so that the
    // ASCII-only and mixed encodings both meet every value.
    std::vector<std::uint32_t> units;
    std::vector<std::string> expected;
    for (std::uint32_t unit = 1; unit <= 0x110000; unit += unit < 0x30000 ? 1 : 0x101) {
        const std::string utf8 = utf8_of(is_scalar_value(unit) ? unit : 0xFFFD);
        units.insert(units.end(), {unit, 0, 0});
        expected.push_back(utf8);
        units.insert(units.end(), {'a', unit, 'b'});
        expected.push_back("a" + utf8 + "b");
    }
    for (const std::uint32_t unit : {0xD800u, 0xDFFFu, 0x110000u, 0xFFFFFFFFu}) {
        units.insert(units.end(), {unit, unit, 0});
        expected.push_back("\xEF\xBF\xBD\xEF\xBF\xBD");
    }
    const std::size_t count = expected.size();
    expect_same_storage(trajplot::TextArray<1>::from_utf32({count}, units.data(), 3),
                        trajplot::TextArray<1>::from_strings({count}, expected));
}

TEST(TextArrayLayouts, PaddingIsTrailingNulsOnlyAndOffsetsKeepEveryByte) {
    using namespace std::string_literals;
    const std::vector<std::string> given = {"end\0"s, "a\0b"s, "\0\0"s, "full", "\xFF\xCE", "\xCE\x94<", ""};
    const std::vector<std::string> unpadded = {"end", "a\0b"s, "", "full", "\xFF\xCE", "\xCE\x94<", ""};
    std::string padded, joined;
    std::vector<std::uint64_t> offsets = {3};
    joined = "xyz";
    for (const std::string& text : given) {
        padded += text + std::string(4 - text.size(), '\0');
        joined += text;
        offsets.push_back(joined.size());
    }
    expect_same_storage(trajplot::TextArray<2>::from_padded_bytes({1, 7}, padded.data(), 4),
                        trajplot::TextArray<2>::from_strings({1, 7}, unpadded));
    expect_same_storage(trajplot::TextArray<2>::from_offsets({7, 1}, joined.data(), joined.size(), offsets.data()),
                        trajplot::TextArray<2>::from_strings({7, 1}, given));
}

TEST(TextArrayLayouts, OffsetsThatDecreaseOrPassTheBytesAreRefused) {
    const std::string bytes = "abcdef";
    const auto refused = [&](std::vector<std::uint64_t> offsets, std::string_view mention) {
        try {
            (void)trajplot::TextArray<1>::from_offsets({offsets.size() - 1}, bytes.data(), bytes.size(),
                                                       offsets.data());
            ADD_FAILURE() << "offsets accepted";
        } catch (const trajplot::Error& error) {
            EXPECT_EQ(error.code(), trajplot::Errc::invalid_argument);
            EXPECT_NE(std::string(error.what()).find(mention), std::string::npos) << error.what();
        }
    };
    refused({0, 3, 2, 6}, "offsets[2] is 2 but offsets[1] is 3");
    refused({0, 3, 7}, "offsets[2] is 7 but there are 6 bytes");
    EXPECT_EQ(trajplot::TextArray<1>::from_offsets({2}, bytes.data(), bytes.size(),
                                                   std::vector<std::uint64_t>{6, 6, 6}.data())
                  .flat(1),
              "");
}

}  // namespace
