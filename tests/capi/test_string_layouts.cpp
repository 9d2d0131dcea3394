// String arrays described by trajplot_strings: numpy's fixed-width UTF-32
// (U) and byte (S) layouts, one UTF-8 buffer with offsets, and pointers.
// Whatever the layout, the same strings must give the same labels, the
// same vocabulary and the same figure bytes as trajplot_labels_create; bad
// descriptors are refused, naming the argument and its field, before any
// string is read.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "capi_test_support.hpp"
#include "lens_test_support.hpp"

using namespace capi_test;
using namespace std::string_literals;
using capi_lens_test::make_vocabulary;
using capi_lens_test::VocabularyPtr;

namespace {

constexpr char32_t replacement = 0xFFFD;

// The test's own UTF-8 codec: an encoder of any unit (those that are no
// scalar value as U+FFFD) and a decoder of valid UTF-8.
std::string utf8_of(char32_t unit) {
    if (unit > 0x10FFFF || (unit >= 0xD800 && unit <= 0xDFFF)) unit = replacement;
    std::string out;
    if (unit < 0x80) {
        out += static_cast<char>(unit);
    } else if (unit < 0x800) {
        out += static_cast<char>(0xC0 | (unit >> 6));
        out += static_cast<char>(0x80 | (unit & 0x3F));
    } else if (unit < 0x10000) {
        out += static_cast<char>(0xE0 | (unit >> 12));
        out += static_cast<char>(0x80 | ((unit >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (unit & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (unit >> 18));
        out += static_cast<char>(0x80 | ((unit >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((unit >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (unit & 0x3F));
    }
    return out;
}

std::string utf8_of(std::u32string_view units) {
    std::string out;
    for (const char32_t unit : units) out += utf8_of(unit);
    return out;
}

std::u32string utf32_of(std::string_view utf8) {
    std::u32string out;
    std::size_t i = 0;
    while (i < utf8.size()) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        const int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        char32_t unit = length == 1 ? lead : lead & (0x7F >> length);
        for (int k = 1; k < length; ++k) unit = (unit << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        out += unit;
        i += static_cast<std::size_t>(length);
    }
    return out;
}

// The layouts, built from UTF-8 strings as numpy or a binding would hold
// them. Each owns its memory; descriptor() points into it.
struct Utf32Array {
    std::vector<std::uint32_t> units;
    std::size_t count = 0;
    std::size_t width = 0;

    // `width` 0: the longest string's, as numpy chooses it.
    static Utf32Array of(const std::vector<std::string>& strings, std::size_t width = 0) {
        std::vector<std::u32string> decoded;
        for (const std::string& string : strings) decoded.push_back(utf32_of(string));
        return of_units(decoded, width);
    }
    static Utf32Array of_units(const std::vector<std::u32string>& strings, std::size_t width = 0) {
        Utf32Array array;
        array.count = strings.size();
        for (const std::u32string& string : strings) width = std::max(width, string.size());
        array.width = width;
        array.units.assign(std::max<std::size_t>(1, strings.size() * width), 0);
        for (std::size_t i = 0; i < strings.size(); ++i) {
            std::copy(strings[i].begin(), strings[i].end(), array.units.begin() + i * width);
        }
        return array;
    }
    trajplot_strings descriptor() const {
        trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
        strings.layout = TRAJPLOT_STRINGS_UTF32;
        strings.count = count;
        strings.data = units.data();
        strings.width = width;
        return strings;
    }
};

struct BytesArray {
    std::string bytes;
    std::size_t count = 0;
    std::size_t width = 0;

    static BytesArray of(const std::vector<std::string>& strings, std::size_t width = 0) {
        BytesArray array;
        array.count = strings.size();
        for (const std::string& string : strings) width = std::max(width, string.size());
        array.width = width;
        array.bytes.assign(std::max<std::size_t>(1, strings.size() * width), '\0');
        for (std::size_t i = 0; i < strings.size(); ++i) array.bytes.replace(i * width, strings[i].size(), strings[i]);
        return array;
    }
    trajplot_strings descriptor() const {
        trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
        strings.layout = TRAJPLOT_STRINGS_BYTES;
        strings.count = count;
        strings.data = bytes.data();
        strings.width = width;
        return strings;
    }
};

struct OffsetsArray {
    std::string bytes;
    std::vector<std::uint64_t> offsets;

    // `lead` bytes before the first string: the first offset need not be 0.
    static OffsetsArray of(const std::vector<std::string>& strings, std::size_t lead = 0) {
        OffsetsArray array;
        array.bytes.assign(lead, '#');
        array.offsets.push_back(lead);
        for (const std::string& string : strings) {
            array.bytes += string;
            array.offsets.push_back(array.bytes.size());
        }
        return array;
    }
    trajplot_strings descriptor() const {
        trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
        strings.layout = TRAJPLOT_STRINGS_UTF8_OFFSETS;
        strings.count = offsets.size() - 1;
        strings.data = bytes.data();
        strings.offsets = offsets.data();
        strings.data_len = bytes.size();
        return strings;
    }
};

struct PointersArray {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;

    static PointersArray of(const std::vector<std::string>& strings) {
        return {c_strings(strings), byte_lengths(strings)};
    }
    trajplot_strings descriptor() const {
        trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
        strings.layout = TRAJPLOT_STRINGS_POINTERS;
        strings.count = pointers.size();
        strings.data = pointers.data();
        strings.lengths = lengths.data();
        return strings;
    }
};

LabelsPtr labels_from(std::size_t n_layers, std::size_t seq_len, const trajplot_strings& labels,
                      const trajplot_strings* hover = nullptr, std::size_t rows = 0, std::size_t cols = 0) {
    trajplot_labels* created = nullptr;
    EXPECT_EQ(trajplot_labels_create_from_strings(&created, n_layers, seq_len, &labels, hover, rows, cols), TRAJPLOT_OK)
        << trajplot_error_last();
    return LabelsPtr(created);
}

// Every label, then every hover entry, in row-major order.
std::vector<std::string> texts_of(const trajplot_labels* labels) {
    std::vector<std::string> texts;
    if (labels == nullptr) return texts;
    std::size_t n_layers = 0, seq_len = 0, rows = 0, cols = 0;
    EXPECT_EQ(trajplot_labels_shape(&n_layers, &seq_len, &rows, &cols, labels), TRAJPLOT_OK);
    const char* text = nullptr;
    std::size_t len = 0;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < seq_len; ++position) {
            EXPECT_EQ(trajplot_labels_label(&text, &len, labels, layer, position), TRAJPLOT_OK);
            texts.emplace_back(text, len);
        }
    }
    for (std::size_t i = 0; i < n_layers * seq_len * rows * cols; ++i) {
        const std::size_t col = i % cols, row = i / cols % rows, position = i / cols / rows % seq_len;
        EXPECT_EQ(trajplot_labels_hover_entry(&text, &len, labels, i / cols / rows / seq_len, position, row, col),
                  TRAJPLOT_OK);
        texts.emplace_back(text, len);
    }
    return texts;
}

// The figure JSON of a statistic drawn with `labels`, then its HTML
// fragment, where JSON inside the <script> also escapes <, >, & and
// U+2028/U+2029: between them every class of text the writers tell apart.
std::string figure_of(const trajplot_labels* labels, std::size_t n_layers, std::size_t seq_len) {
    if (labels == nullptr) return "<no labels>";
    std::vector<float> stats(n_layers * seq_len);
    for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = 0.25f * static_cast<float>(i % 17);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels;
    const StatisticPtr statistic = make_statistic("Entropy", stats, n_layers, seq_len, &options);
    if (!statistic) return "<no statistic>";
    trajplot_export_options html = export_options(TRAJPLOT_FORMAT_HTML);
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    html.full_html = false;
    return figure_json(statistic.get()) + "\n" + html_page(statistic.get(), nullptr, nullptr, &html);
}

std::vector<std::string> without_trailing_nuls(std::vector<std::string> strings) {
    for (std::string& string : strings) {
        while (!string.empty() && string.back() == '\0') string.pop_back();
    }
    return strings;
}

// Two layers of three positions, with 2 x 2 hover tables: ASCII, Greek,
// CJK, astral code points, Plotly and HTML markup, JSON's escapes, the
// line separators JSON in HTML escapes, controls, empty strings, NULs
// inside strings.
const std::vector<std::string> cell_labels = {"the",
                                              "\xCE\x94"
                                              "0.00%",
                                              "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                                              "\xF0\x9F\x99\x82 ok",
                                              "",
                                              "a\0b"s};
const std::vector<std::string> hover_entries = {"<|endoftext|>",
                                                "12.34%",
                                                "&amp;",
                                                "</script>",
                                                "\"quoted\" \\",
                                                "\t\n\x01",
                                                "\xE2\x80\xA8\xE2\x80\xA9",
                                                "",
                                                "\xF0\x9D\x94\x98",
                                                "\xC4\xA0the",
                                                "",
                                                "",
                                                "x\0y"s,
                                                "<b>",
                                                "\xE2\x80\xA6",
                                                "99.99%",
                                                "a",
                                                "bb",
                                                "ccc",
                                                "dddd",
                                                "\xF4\x8F\xBF\xBF",
                                                "\xEF\xBF\xBD",
                                                "%{x}",
                                                "a<br>b"};

class CapiStringLayouts : public ::testing::Test {
protected:
    void SetUp() override {
        expected_labels_ = make_labels(2, 3, cell_labels, hover_entries, 2, 2);
        ASSERT_TRUE(expected_labels_);
        expected_texts_ = texts_of(expected_labels_.get());
        expected_figure_ = figure_of(expected_labels_.get(), 2, 3);
        ASSERT_NE(expected_figure_.find("customdata"), std::string::npos);
    }

    void expect_same(const LabelsPtr& labels) {
        ASSERT_TRUE(labels);
        EXPECT_EQ(texts_of(labels.get()), expected_texts_);
        EXPECT_EQ(figure_of(labels.get(), 2, 3), expected_figure_);
    }

    LabelsPtr expected_labels_;
    std::vector<std::string> expected_texts_;
    std::string expected_figure_;
};

}  // namespace

// ---------------------------------------------------------------------------
// The same strings in every layout give the same labels and figure bytes

TEST_F(CapiStringLayouts, Utf32GivesTheLabelsAndFigureOfThePointerArrays) {
    const Utf32Array labels = Utf32Array::of(cell_labels);
    const Utf32Array hover = Utf32Array::of(hover_entries);
    EXPECT_EQ(hover.width, 13u);  // "<|endoftext|>" fills its whole width
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
}

TEST_F(CapiStringLayouts, Utf32WiderThanEveryStringGivesTheSameLabels) {
    const Utf32Array labels = Utf32Array::of(cell_labels, 40);
    const Utf32Array hover = Utf32Array::of(hover_entries, 17);
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
}

TEST_F(CapiStringLayouts, BytesGiveTheLabelsAndFigureOfThePointerArrays) {
    const BytesArray labels = BytesArray::of(cell_labels);
    const BytesArray hover = BytesArray::of(hover_entries, 23);
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
}

TEST_F(CapiStringLayouts, OffsetsGiveTheLabelsAndFigureOfThePointerArrays) {
    const OffsetsArray labels = OffsetsArray::of(cell_labels);
    const OffsetsArray hover = OffsetsArray::of(hover_entries, 5);
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
}

TEST_F(CapiStringLayouts, PointerDescriptorsGiveTheLabelsOfThePointerArrays) {
    const PointersArray labels = PointersArray::of(cell_labels);
    const PointersArray hover = PointersArray::of(hover_entries);
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
}

TEST_F(CapiStringLayouts, LabelsAndHoverEntriesMayComeInDifferentLayouts) {
    const Utf32Array labels = Utf32Array::of(cell_labels);
    const OffsetsArray hover = OffsetsArray::of(hover_entries);
    const trajplot_strings label_strings = labels.descriptor(), hover_strings = hover.descriptor();
    expect_same(labels_from(2, 3, label_strings, &hover_strings, 2, 2));
    const OffsetsArray labels_again = OffsetsArray::of(cell_labels);
    const BytesArray hover_again = BytesArray::of(hover_entries);
    const trajplot_strings label_strings_again = labels_again.descriptor(),
                           hover_strings_again = hover_again.descriptor();
    expect_same(labels_from(2, 3, label_strings_again, &hover_strings_again, 2, 2));
}

TEST_F(CapiStringLayouts, WithoutHoverTablesEveryLayoutGivesTheSameLabels) {
    const LabelsPtr expected = make_labels(2, 3, cell_labels);
    const std::string figure = figure_of(expected.get(), 2, 3);
    const Utf32Array utf32 = Utf32Array::of(cell_labels);
    const BytesArray bytes = BytesArray::of(cell_labels);
    const OffsetsArray offsets = OffsetsArray::of(cell_labels);
    for (const trajplot_strings& strings : {utf32.descriptor(), bytes.descriptor(), offsets.descriptor()}) {
        SCOPED_TRACE(strings.layout);
        const LabelsPtr labels = labels_from(2, 3, strings);
        ASSERT_TRUE(labels);
        std::size_t rows = sentinel_size, cols = sentinel_size;
        ASSERT_TRAJPLOT_OK(trajplot_labels_shape(nullptr, nullptr, &rows, &cols, labels.get()));
        EXPECT_EQ(rows, 0u);
        EXPECT_EQ(cols, 0u);
        EXPECT_EQ(texts_of(labels.get()), cell_labels);
        EXPECT_EQ(figure_of(labels.get(), 2, 3), figure);
    }
}

// ---------------------------------------------------------------------------
// Padding, NULs and invalid text

TEST(CapiStringLayoutsText, TrailingNulsArePaddingInFixedWidthsAndKeptWithOffsets) {
    // numpy stores "end\0" in a U5 array as "end" and gives back "end"; a
    // NUL before another character stays.
    const std::vector<std::string> given = {std::string("end\0", 4), std::string("\0", 1), std::string("a\0b\0", 4),
                                            std::string("\0\0z", 3), "full!"};
    const std::vector<std::string> unpadded = without_trailing_nuls(given);
    EXPECT_EQ(unpadded[0], "end");
    EXPECT_EQ(unpadded[1], "");
    EXPECT_EQ(unpadded[2], std::string("a\0b", 3));
    EXPECT_EQ(unpadded[3], std::string("\0\0z", 3));
    const Utf32Array utf32 = Utf32Array::of(given, 5);
    const BytesArray bytes = BytesArray::of(given, 5);
    for (const trajplot_strings& strings : {utf32.descriptor(), bytes.descriptor()}) {
        SCOPED_TRACE(strings.layout);
        const LabelsPtr labels = labels_from(1, 5, strings);
        EXPECT_EQ(texts_of(labels.get()), unpadded);
        const LabelsPtr expected = make_labels(1, 5, unpadded);
        EXPECT_EQ(figure_of(labels.get(), 1, 5), figure_of(expected.get(), 1, 5));
    }
    // Offsets say where each string ends: its NULs are its own.
    const OffsetsArray offsets = OffsetsArray::of(given);
    EXPECT_EQ(texts_of(labels_from(1, 5, offsets.descriptor()).get()), given);
}

TEST(CapiStringLayoutsText, UnitsThatAreNoScalarValueBecomeOneReplacementCharacterEach) {
    const std::vector<std::u32string> given = {
        {U'a', char32_t{0xD800}, U'b'},
        {char32_t{0xDFFF}},
        {char32_t{0xD83D}, char32_t{0xDE00}},  // a UTF-16 surrogate pair is two invalid units in UTF-32
        {char32_t{0x110000}},
        {char32_t{0xFFFFFFFF}, U'x'},
        {char32_t{0x10FFFF}, char32_t{0xFFFD}, char32_t{0xD7FF}, char32_t{0xE000}},
    };
    const std::vector<std::string> expected = {
        "a\xEF\xBF\xBD"
        "b",
        "\xEF\xBF\xBD",
        "\xEF\xBF\xBD\xEF\xBF\xBD",
        "\xEF\xBF\xBD",
        "\xEF\xBF\xBDx",
        "\xF4\x8F\xBF\xBF\xEF\xBF\xBD\xED\x9F\xBF\xEE\x80\x80",
    };
    const Utf32Array utf32 = Utf32Array::of_units(given);
    const LabelsPtr labels = labels_from(2, 3, utf32.descriptor());
    EXPECT_EQ(texts_of(labels.get()), expected);
    const LabelsPtr reference = make_labels(2, 3, expected);
    EXPECT_EQ(figure_of(labels.get(), 2, 3), figure_of(reference.get(), 2, 3));
}

TEST(CapiStringLayoutsText, InvalidUtf8IsReplacedInEveryByteLayoutAsInPointerArrays) {
    const std::vector<std::string> given = {"ok\xFF", "\xC3", "\xED\xA0\x80", "\xF0\x9F\x99", "\xC0\xAF", "fine"};
    const LabelsPtr expected = make_labels(2, 3, given);
    const std::vector<std::string> texts = texts_of(expected.get());
    EXPECT_EQ(texts[0], "ok\xEF\xBF\xBD");
    EXPECT_EQ(texts[2], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    const BytesArray bytes = BytesArray::of(given);
    const OffsetsArray offsets = OffsetsArray::of(given);
    for (const trajplot_strings& strings : {bytes.descriptor(), offsets.descriptor()}) {
        SCOPED_TRACE(strings.layout);
        const LabelsPtr labels = labels_from(2, 3, strings);
        EXPECT_EQ(texts_of(labels.get()), texts);
        EXPECT_EQ(figure_of(labels.get(), 2, 3), figure_of(expected.get(), 2, 3));
    }
}

TEST(CapiStringLayoutsText, EveryBasicPlaneCodePointAndAstralSamplesMatchTheirUtf8) {
    // One code point per label: the whole Basic Multilingual Plane (U+0000
    // being padding, an empty label), astral code points every 0x101 and
    // at the ends of the range, and units past it. Labels and figure bytes
    // (which copy text that needs no escaping as it is) must be those of
    // the same text given as UTF-8.
    std::vector<std::u32string> units;
    for (char32_t unit = 0; unit < 0x10000; ++unit) units.push_back(std::u32string(1, unit));
    for (char32_t unit = 0x10000; unit <= 0x10FFFF; unit += 0x101) units.push_back(std::u32string(1, unit));
    for (const char32_t unit : {char32_t{0x10FFFF}, char32_t{0x110000}, char32_t{0x7FFFFFFF}, char32_t{0xFFFFFFFF}}) {
        units.push_back(std::u32string(1, unit));
    }
    const std::size_t seq_len = 1024;
    while (units.size() % seq_len != 0) units.push_back(U"\u00e9");
    const std::size_t n_layers = units.size() / seq_len;
    std::vector<std::string> utf8;
    for (const std::u32string& unit : units) utf8.push_back(unit[0] == 0 ? std::string() : utf8_of(unit));

    const Utf32Array utf32 = Utf32Array::of_units(units, 1);
    const LabelsPtr labels = labels_from(n_layers, seq_len, utf32.descriptor());
    const LabelsPtr expected = make_labels(n_layers, seq_len, utf8);
    ASSERT_TRUE(labels && expected);
    EXPECT_EQ(texts_of(labels.get()), utf8);
    EXPECT_EQ(figure_of(labels.get(), n_layers, seq_len), figure_of(expected.get(), n_layers, seq_len));
}

// ---------------------------------------------------------------------------
// Vocabularies

TEST(CapiStringLayoutsVocabulary, EveryLayoutGivesTheTokensOfThePointerArrays) {
    const std::vector<std::string> tokens = {"\xC4\xA0the", "\xC4\x8A", "a\0b"s, "", "\xF0\x9F\x99\x82", "<s>", "x"};
    const VocabularyPtr expected = make_vocabulary(tokens);
    const Utf32Array utf32 = Utf32Array::of(tokens);
    const BytesArray bytes = BytesArray::of(tokens);
    const OffsetsArray offsets = OffsetsArray::of(tokens);
    const PointersArray pointers = PointersArray::of(tokens);
    for (const trajplot_strings& strings :
         {utf32.descriptor(), bytes.descriptor(), offsets.descriptor(), pointers.descriptor()}) {
        SCOPED_TRACE(strings.layout);
        trajplot_vocabulary* created = nullptr;
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_create_from_strings(&created, &strings));
        const VocabularyPtr vocabulary(created);
        std::size_t size = 0;
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_size(&size, vocabulary.get()));
        ASSERT_EQ(size, tokens.size());
        for (std::size_t id = 0; id < size; ++id) {
            const char* token = nullptr;
            std::size_t len = 0;
            ASSERT_TRAJPLOT_OK(trajplot_vocabulary_token(&token, &len, vocabulary.get(), id));
            EXPECT_EQ(std::string(token, len), tokens[id]) << "token " << id;
        }
    }
}

TEST(CapiStringLayoutsVocabulary, AnEmptyVocabularyNeedsNoPointers) {
    for (const int layout :
         {TRAJPLOT_STRINGS_POINTERS, TRAJPLOT_STRINGS_UTF32, TRAJPLOT_STRINGS_BYTES, TRAJPLOT_STRINGS_UTF8_OFFSETS}) {
        trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
        strings.layout = layout;
        strings.width = 4;
        trajplot_vocabulary* created = nullptr;
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_create_from_strings(&created, &strings));
        const VocabularyPtr vocabulary(created);
        std::size_t size = sentinel_size;
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_size(&size, vocabulary.get()));
        EXPECT_EQ(size, 0u);
    }
}

TEST(CapiStringLayoutsVocabulary, BadDescriptorsAreRefusedNamingTheTokens) {
    trajplot_vocabulary* out = nullptr;
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create_from_strings(&out, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create_from_strings", "tokens is NULL");
    trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create_from_strings(nullptr, &strings), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create_from_strings", "out is NULL");
    strings.layout = TRAJPLOT_STRINGS_UTF32;
    strings.count = 3;
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create_from_strings(&out, &strings), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create_from_strings", "tokens->data is NULL");
    EXPECT_EQ(out, nullptr);
}

// ---------------------------------------------------------------------------
// Descriptors refused

TEST(CapiStringLayoutsInit, FillsTheDefaultsAndRefusesUnknownVersions) {
    trajplot_strings strings;
    std::memset(&strings, 0xAB, sizeof strings);
    ASSERT_TRAJPLOT_OK(trajplot_strings_init(&strings, TRAJPLOT_STRINGS_VERSION));
    EXPECT_EQ(strings.version, static_cast<unsigned>(TRAJPLOT_STRINGS_VERSION));
    EXPECT_EQ(strings.layout, TRAJPLOT_STRINGS_POINTERS);
    EXPECT_EQ(strings.count, 0u);
    EXPECT_EQ(strings.data, nullptr);
    EXPECT_EQ(strings.lengths, nullptr);
    EXPECT_EQ(strings.width, 0u);
    EXPECT_EQ(strings.offsets, nullptr);
    EXPECT_EQ(strings.data_len, 0u);
    EXPECT_TRAJPLOT_FAILS(trajplot_strings_init(&strings, 2), TRAJPLOT_EINVAL, "trajplot_strings_init", "version is 2",
                          "TRAJPLOT_STRINGS_VERSION");
    EXPECT_TRAJPLOT_FAILS(trajplot_strings_init(nullptr, TRAJPLOT_STRINGS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_strings_init", "strings is NULL");
}

class CapiStringLayoutsErrors : public ::testing::Test {
protected:
    // Refused with `status`, the message mentioning `mentions`, the output
    // untouched.
    void expect_refused(const trajplot_strings* labels, const trajplot_strings* hover, trajplot_status status,
                        std::initializer_list<std::string_view> mentions, std::size_t rows = 1, std::size_t cols = 2) {
        trajplot_labels* out = sentinel_labels();
        trajplot_error_clear();
        expect_failure(trajplot_labels_create_from_strings(&out, 2, 3, labels, hover, rows, cols), status,
                       "trajplot_labels_create_from_strings", mentions);
        EXPECT_EQ(out, sentinel_labels());
    }

    const Utf32Array labels_ = Utf32Array::of({"a", "b", "c", "d", "e", "f"});
    const OffsetsArray hover_ = OffsetsArray::of({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"});
};

TEST_F(CapiStringLayoutsErrors, NullArgumentsAndPointers) {
    const trajplot_strings labels = labels_.descriptor();
    expect_refused(nullptr, nullptr, TRAJPLOT_EINVAL, {"label_strings is NULL"});
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create_from_strings(nullptr, 2, 3, &labels, nullptr, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_create_from_strings", "out is NULL");

    trajplot_strings no_data = labels;
    no_data.data = nullptr;
    expect_refused(&no_data, nullptr, TRAJPLOT_EINVAL, {"label_strings->data is NULL"});
    no_data.layout = TRAJPLOT_STRINGS_BYTES;
    expect_refused(&no_data, nullptr, TRAJPLOT_EINVAL, {"label_strings->data is NULL"});
    no_data.layout = TRAJPLOT_STRINGS_POINTERS;
    expect_refused(&no_data, nullptr, TRAJPLOT_EINVAL, {"label_strings->data is NULL"});

    // A NULL string inside a pointer array.
    std::vector<const char*> pointers = {"a", "b", nullptr, "d", "e", "f"};
    trajplot_strings holes = TRAJPLOT_STRINGS_INIT;
    holes.count = 6;
    holes.data = pointers.data();
    expect_refused(&holes, nullptr, TRAJPLOT_EINVAL, {"label_strings->data[2] is NULL"});

    trajplot_strings hover = hover_.descriptor();
    hover.offsets = nullptr;
    expect_refused(&labels, &hover, TRAJPLOT_EINVAL, {"hover_entries->offsets is NULL"});
    hover = hover_.descriptor();
    hover.data = nullptr;
    expect_refused(&labels, &hover, TRAJPLOT_EINVAL, {"hover_entries->data is NULL"});
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiStringLayoutsErrors, UnknownVersionOrLayoutAndWrongCount) {
    trajplot_strings labels = labels_.descriptor();
    labels.version = 7;
    expect_refused(&labels, nullptr, TRAJPLOT_EINVAL, {"label_strings->version is 7", "TRAJPLOT_STRINGS_VERSION"});
    labels = labels_.descriptor();
    labels.layout = 4;
    expect_refused(&labels, nullptr, TRAJPLOT_EINVAL, {"label_strings->layout is 4"});
    labels.layout = -1;
    expect_refused(&labels, nullptr, TRAJPLOT_EINVAL, {"label_strings->layout is -1"});
    labels = labels_.descriptor();
    labels.count = 5;
    expect_refused(&labels, nullptr, TRAJPLOT_EINVAL,
                   {"label_strings->count is 5", "n_layers x seq_len (2 x 3)", "holds 6 strings"});
    const trajplot_strings good_labels = labels_.descriptor(), hover = hover_.descriptor();
    expect_refused(&good_labels, &hover, TRAJPLOT_EINVAL,
                   {"hover_entries->count is 12", "hover_rows x hover_cols (2 x 3 x 2 x 3)", "holds 36"}, 2, 3);
}

TEST_F(CapiStringLayoutsErrors, OffsetsThatDecreaseOrPassTheDataAreRefused) {
    const trajplot_strings labels = labels_.descriptor();
    OffsetsArray decreasing = hover_;
    decreasing.offsets[4] = 2;  // below offsets[3] (3)
    const trajplot_strings backwards = decreasing.descriptor();
    expect_refused(&labels, &backwards, TRAJPLOT_EINVAL,
                   {"hover_entries->offsets[4] is 2", "hover_entries->offsets[3] (3)", "must not decrease"});

    OffsetsArray past = hover_;
    trajplot_strings beyond = past.descriptor();
    beyond.data_len = past.bytes.size() - 1;
    expect_refused(&labels, &beyond, TRAJPLOT_EINVAL,
                   {"hover_entries->offsets[12] is 14", "hover_entries->data_len is 13"});
    // An offset far past the data, in the middle: the last one is then
    // below it, which the order check names first.
    past.offsets[6] = std::numeric_limits<std::uint64_t>::max();
    const trajplot_strings wild = past.descriptor();
    expect_refused(&labels, &wild, TRAJPLOT_EINVAL, {"hover_entries->offsets[7]", "must not decrease"});
}

TEST_F(CapiStringLayoutsErrors, MisalignedUnitsAndOffsetsAreRefused) {
    std::vector<std::uint32_t> storage(16, 'x');
    trajplot_strings labels = labels_.descriptor();
    labels.data = reinterpret_cast<const char*>(storage.data()) + 1;
    labels.width = 1;
    expect_refused(&labels, nullptr, TRAJPLOT_EINVAL, {"label_strings->data is not aligned to 4 bytes"});
    std::vector<std::uint64_t> offsets(16, 0);
    trajplot_strings hover = hover_.descriptor();
    hover.offsets = reinterpret_cast<const std::uint64_t*>(reinterpret_cast<const char*>(offsets.data()) + 4);
    const trajplot_strings good_labels = labels_.descriptor();
    expect_refused(&good_labels, &hover, TRAJPLOT_EINVAL, {"hover_entries->offsets is not aligned to 8 bytes"});
}

TEST_F(CapiStringLayoutsErrors, CountTimesWidthOverflowIsRangeErrorBeforeReading) {
    // One unit exists behind the pointer; none may be read.
    const std::uint32_t one_unit = 'x';
    trajplot_strings labels = TRAJPLOT_STRINGS_INIT;
    labels.layout = TRAJPLOT_STRINGS_UTF32;
    labels.count = 6;
    labels.data = &one_unit;
    labels.width = std::numeric_limits<std::size_t>::max() / 4;
    expect_refused(&labels, nullptr, TRAJPLOT_ERANGE,
                   {"label_strings->count x label_strings->width (6 x ", "overflow the address space"});
    labels.width = std::numeric_limits<std::size_t>::max() / 8;  // fits size_t, not the address space
    expect_refused(&labels, nullptr, TRAJPLOT_ERANGE, {"label_strings->width", "4-byte elements"});
    labels.layout = TRAJPLOT_STRINGS_BYTES;
    labels.width = std::numeric_limits<std::size_t>::max() / 3;
    expect_refused(&labels, nullptr, TRAJPLOT_ERANGE, {"label_strings->count x label_strings->width"});
}

TEST(CapiStringLayoutsLimits, ShapesBeyondTheMachinesMemoryAreRefusedBeforeReading) {
    const std::uint32_t one_unit = 'x';
    trajplot_strings labels = TRAJPLOT_STRINGS_INIT;
    labels.layout = TRAJPLOT_STRINGS_UTF32;
    labels.count = std::size_t{1} << 48;
    labels.data = &one_unit;
    labels.width = 1;
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(
        trajplot_labels_create_from_strings(&out, std::size_t{1} << 24, std::size_t{1} << 24, &labels, nullptr, 0, 0),
        TRAJPLOT_ERANGE, "trajplot_labels_create_from_strings", "n_layers x seq_len (16777216 x 16777216)",
        "memory limit");
    EXPECT_EQ(out, sentinel_labels());
    // Hover tables multiply the count again.
    labels.count = 1;
    trajplot_strings hover = labels;
    hover.count = std::size_t{1} << 40;
    EXPECT_TRAJPLOT_FAILS(
        trajplot_labels_create_from_strings(&out, 1, 1, &labels, &hover, std::size_t{1} << 20, std::size_t{1} << 20),
        TRAJPLOT_ERANGE, "trajplot_labels_create_from_strings", "hover_rows", "memory limit");
    EXPECT_EQ(out, sentinel_labels());
}

TEST(CapiStringLayoutsLimits, LoweredMemoryLimitRefusesTheirTextBeforeAllocatingIt) {
    struct Restore {
        ~Restore() { trajplot_set_memory_limit(0); }
    } restore;
    trajplot_set_memory_limit(std::size_t{1} << 20);
    // Two strings of 600 000 characters need more than 1 MiB in any layout.
    const std::string big(600000, 'x');
    const Utf32Array utf32 = Utf32Array::of({big, big});
    const BytesArray bytes = BytesArray::of({big, big});
    const OffsetsArray offsets = OffsetsArray::of({big, big});
    for (const trajplot_strings& strings : {utf32.descriptor(), bytes.descriptor(), offsets.descriptor()}) {
        SCOPED_TRACE(strings.layout);
        trajplot_labels* out = sentinel_labels();
        EXPECT_TRAJPLOT_FAILS(trajplot_labels_create_from_strings(&out, 2, 1, &strings, nullptr, 0, 0), TRAJPLOT_ERANGE,
                              "trajplot_labels_create_from_strings", "an array of 2 strings would need",
                              "memory limit of 1048576 bytes");
        EXPECT_EQ(out, sentinel_labels());
    }
    // Half of it fits.
    const Utf32Array small = Utf32Array::of({big.substr(0, 300000), big.substr(0, 100)});
    const LabelsPtr labels = labels_from(2, 1, small.descriptor());
    ASSERT_TRUE(labels);
    EXPECT_EQ(texts_of(labels.get())[0].size(), 300000u);
}
