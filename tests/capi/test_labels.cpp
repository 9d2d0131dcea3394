// trajplot_labels: creation, read-back, stride and template_and_customdata.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;

namespace {

std::string label_at(const trajplot_labels* labels, std::size_t layer, std::size_t position) {
    const char* text = nullptr;
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_labels_label(&text, &len, labels, layer, position), TRAJPLOT_OK) << trajplot_error_last();
    if (text == nullptr) return "<failed>";
    EXPECT_EQ(text[len], '\0') << "borrowed labels are NUL-terminated";
    return std::string(text, len);
}

std::string hover_at(const trajplot_labels* labels, std::size_t layer, std::size_t position, std::size_t row,
                     std::size_t col) {
    const char* text = nullptr;
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_labels_hover_entry(&text, &len, labels, layer, position, row, col), TRAJPLOT_OK)
        << trajplot_error_last();
    if (text == nullptr) return "<failed>";
    EXPECT_EQ(text[len], '\0');
    return std::string(text, len);
}

struct TemplateAndCustomdata {
    std::string hovertemplate;
    std::string customdata;
};

TemplateAndCustomdata template_and_customdata(const trajplot_labels* labels, std::size_t limit) {
    char* hovertemplate = nullptr;
    char* customdata = nullptr;
    std::size_t template_len = sentinel_size, customdata_len = sentinel_size;
    EXPECT_EQ(trajplot_labels_template_and_customdata(&hovertemplate, &template_len, &customdata, &customdata_len,
                                                      labels, limit),
              TRAJPLOT_OK)
        << trajplot_error_last();
    const StringPtr owned_template(hovertemplate), owned_customdata(customdata);
    if (hovertemplate == nullptr || customdata == nullptr) return {};
    EXPECT_EQ(template_len, std::strlen(hovertemplate));
    EXPECT_EQ(customdata_len, std::strlen(customdata));
    return {std::string(hovertemplate, template_len), std::string(customdata, customdata_len)};
}

// The reference example of docs/behaviour.md (section 2): 2 layers, 1 position, 2 x 2 tables.
LabelsPtr reference_example_labels() {
    return make_labels(2, 1, {"x", "y"}, {"ab", "c", "de", "f", "idk", "l", "mno", "p"}, 2, 2);
}

}  // namespace

TEST(CapiLabels, RoundTripWithoutHover) {
    const std::vector<std::string> strings = {"a", "b", "c", "d", "e", "f"};
    const LabelsPtr labels = make_labels(2, 3, strings);
    ASSERT_TRUE(labels);
    std::size_t n_layers = 0, seq_len = 0, rows = sentinel_size, cols = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_labels_shape(&n_layers, &seq_len, &rows, &cols, labels.get()));
    EXPECT_EQ(n_layers, 2u);
    EXPECT_EQ(seq_len, 3u);
    EXPECT_EQ(rows, 0u);
    EXPECT_EQ(cols, 0u);
    for (std::size_t layer = 0; layer < 2; ++layer) {
        for (std::size_t position = 0; position < 3; ++position) {
            EXPECT_EQ(label_at(labels.get(), layer, position), strings[layer * 3 + position]);
        }
    }
}

TEST(CapiLabels, ShapeOutputsMayBeNull) {
    const LabelsPtr labels = make_labels(1, 2, {"a", "b"});
    ASSERT_TRUE(labels);
    std::size_t seq_len = 0;
    ASSERT_TRAJPLOT_OK(trajplot_labels_shape(nullptr, &seq_len, nullptr, nullptr, labels.get()));
    EXPECT_EQ(seq_len, 2u);
    ASSERT_TRAJPLOT_OK(trajplot_labels_shape(nullptr, nullptr, nullptr, nullptr, labels.get()));
}

TEST(CapiLabels, NulTerminatedInputsWithoutLengths) {
    const char* strings[] = {"one", "two"};
    const char* hover[] = {"h00", "h01", "h10", "h11"};
    trajplot_labels* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_labels_create(&created, 1, 2, strings, nullptr, hover, nullptr, 1, 2));
    const LabelsPtr labels(created);
    EXPECT_EQ(label_at(labels.get(), 0, 1), "two");
    EXPECT_EQ(hover_at(labels.get(), 0, 1, 0, 0), "h10");
    EXPECT_EQ(hover_at(labels.get(), 0, 1, 0, 1), "h11");
}

TEST(CapiLabels, RoundTripWithHover) {
    // Entry text encodes its (layer, position, row, col).
    std::vector<std::string> hover;
    for (int l = 0; l < 2; ++l)
        for (int p = 0; p < 3; ++p)
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 4; ++c) hover.push_back(std::to_string(l * 1000 + p * 100 + r * 10 + c));
    const LabelsPtr labels = make_labels(2, 3, {"a", "b", "c", "d", "e", "f"}, hover, 2, 4);
    ASSERT_TRUE(labels);
    std::size_t rows = 0, cols = 0;
    ASSERT_TRAJPLOT_OK(trajplot_labels_shape(nullptr, nullptr, &rows, &cols, labels.get()));
    EXPECT_EQ(rows, 2u);
    EXPECT_EQ(cols, 4u);
    EXPECT_EQ(hover_at(labels.get(), 0, 0, 0, 0), "0");
    EXPECT_EQ(hover_at(labels.get(), 1, 2, 1, 3), "1213");
    EXPECT_EQ(hover_at(labels.get(), 0, 1, 1, 2), "112");
    EXPECT_EQ(hover_at(labels.get(), 1, 0, 0, 3), "1003");
}

TEST(CapiLabels, EmbeddedNulBytesWithExplicitLengths) {
    const std::string with_nul("a\0b", 3);
    const std::string only_nul("\0", 1);
    const LabelsPtr labels = make_labels(1, 2, {with_nul, only_nul}, {std::string("x\0y\0", 4), "z"}, 1, 1);
    ASSERT_TRUE(labels);
    EXPECT_EQ(label_at(labels.get(), 0, 0), with_nul);
    EXPECT_EQ(label_at(labels.get(), 0, 1), only_nul);
    EXPECT_EQ(hover_at(labels.get(), 0, 0, 0, 0), std::string("x\0y\0", 4));
}

TEST(CapiLabels, LengthsCutStringsShort) {
    // Only the given number of bytes is read, NUL or not.
    const char* strings[] = {"abcdef", "ghij"};
    const std::size_t lengths[] = {2, 0};
    trajplot_labels* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_labels_create(&created, 2, 1, strings, lengths, nullptr, nullptr, 0, 0));
    const LabelsPtr labels(created);
    EXPECT_EQ(label_at(labels.get(), 0, 0), "ab");
    EXPECT_EQ(label_at(labels.get(), 1, 0), "");
}

TEST(CapiLabels, InvalidUtf8IsReplacedWithReplacementCharacter) {
    const LabelsPtr labels =
        make_labels(1, 3, {"\xFF", "ok\xC3", "\xE2\x82\xAC"}, {"\xC0\xAF", "\xED\xA0\x80", "x"}, 1, 1);
    ASSERT_TRUE(labels);
    EXPECT_EQ(label_at(labels.get(), 0, 0), "\xEF\xBF\xBD");
    EXPECT_EQ(label_at(labels.get(), 0, 1), "ok\xEF\xBF\xBD");
    EXPECT_EQ(label_at(labels.get(), 0, 2), "\xE2\x82\xAC");  // valid "€" is kept
    // An overlong encoding and a surrogate: one U+FFFD per invalid byte, as
    // Python's decode("utf-8", "replace") does.
    EXPECT_EQ(hover_at(labels.get(), 0, 0, 0, 0), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(hover_at(labels.get(), 0, 1, 0, 0), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(CapiLabels, StrideKeepsEveryKthLayerAndTheLast) {
    const std::vector<std::string> names = {"L0", "L1", "L2", "L3", "L4"};
    std::vector<std::string> hover;
    for (const std::string& name : names) hover.push_back("h" + name);
    const LabelsPtr labels = make_labels(5, 1, names, hover, 1, 1);
    ASSERT_TRUE(labels);
    const std::vector<std::pair<std::size_t, std::vector<std::size_t>>> table = {
        {1, {0, 1, 2, 3, 4}}, {2, {0, 2, 4}}, {3, {0, 3, 4}}, {4, {0, 4}}, {5, {0, 4}}, {100, {0, 4}}};
    for (const auto& [stride, kept] : table) {
        SCOPED_TRACE("stride " + std::to_string(stride));
        trajplot_labels* created = nullptr;
        ASSERT_TRAJPLOT_OK(trajplot_labels_stride(&created, labels.get(), stride));
        const LabelsPtr strided(created);
        std::size_t n_layers = 0, seq_len = 0, rows = 0, cols = 0;
        ASSERT_TRAJPLOT_OK(trajplot_labels_shape(&n_layers, &seq_len, &rows, &cols, strided.get()));
        ASSERT_EQ(n_layers, kept.size());
        EXPECT_EQ(seq_len, 1u);
        EXPECT_EQ(rows, 1u);
        EXPECT_EQ(cols, 1u);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            EXPECT_EQ(label_at(strided.get(), i, 0), names[kept[i]]);
            EXPECT_EQ(hover_at(strided.get(), i, 0, 0, 0), "h" + names[kept[i]]);
        }
    }
}

TEST(CapiLabels, StrideOfOneLayerKeepsIt) {
    const LabelsPtr labels = make_labels(1, 2, {"a", "b"});
    ASSERT_TRUE(labels);
    trajplot_labels* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_labels_stride(&created, labels.get(), 3));
    const LabelsPtr strided(created);
    EXPECT_EQ(label_at(strided.get(), 0, 1), "b");
}

TEST(CapiLabels, StrideLeavesTheOriginalUnchanged) {
    const LabelsPtr labels = make_labels(3, 1, {"a", "b", "c"});
    ASSERT_TRUE(labels);
    trajplot_labels* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_labels_stride(&created, labels.get(), 2));
    const LabelsPtr strided(created);
    std::size_t n_layers = 0;
    ASSERT_TRAJPLOT_OK(trajplot_labels_shape(&n_layers, nullptr, nullptr, nullptr, labels.get()));
    EXPECT_EQ(n_layers, 3u);
    EXPECT_EQ(label_at(labels.get(), 1, 0), "b");
}

TEST(CapiLabels, TemplateAndCustomdataReferenceExample) {
    const LabelsPtr labels = reference_example_labels();
    ASSERT_TRUE(labels);
    const TemplateAndCustomdata result = template_and_customdata(labels.get(), 10);
    EXPECT_EQ(result.hovertemplate,
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
    // Compact JSON: no whitespace outside the strings.
    EXPECT_EQ(result.customdata, R"([[["  ab"," c","  de"," f"]],[[" idk"," l"," mno"," p"]]])");
}

TEST(CapiLabels, TemplateAndCustomdataRespectsTheWidthLimit) {
    const LabelsPtr labels = reference_example_labels();
    ASSERT_TRUE(labels);
    // Column 0 is widest at 3 ("idk", "mno"), column 1 at 1: with a limit of
    // 2 both columns are 2 wide, so "idk" keeps its last 2 characters.
    const TemplateAndCustomdata result = template_and_customdata(labels.get(), 2);
    EXPECT_EQ(nlohmann::json::parse(result.customdata),
              nlohmann::json::parse(R"([[["ab"," c","de"," f"]],[["dk"," l","no"," p"]]])"));
    const TemplateAndCustomdata width_one = template_and_customdata(labels.get(), 1);
    EXPECT_EQ(nlohmann::json::parse(width_one.customdata),
              nlohmann::json::parse(R"([[["b","c","e","f"]],[["k","l","o","p"]]])"));
}

TEST(CapiLabels, TemplateAndCustomdataMeasuresCodePoints) {
    // "Δ0.00%" is 6 code points: the column is 7 wide.
    const LabelsPtr labels = make_labels(1, 2, {"a", "b"},
                                         {"\xCE\x94"
                                          "0.00%",
                                          "1.0%"},
                                         1, 1);
    ASSERT_TRUE(labels);
    const TemplateAndCustomdata result = template_and_customdata(labels.get(), 10);
    EXPECT_EQ(result.hovertemplate, "%{customdata[0]}<br><extra></extra>");
    EXPECT_EQ(nlohmann::json::parse(result.customdata), nlohmann::json::parse("[[[\" \xCE\x94"
                                                                              "0.00%\"],[\"   1.0%\"]]]"));
}

TEST(CapiLabels, TemplateAndCustomdataKeepsTextAsGiven) {
    // No Plotly escaping here, but JSON escaping of quotes and control bytes.
    const LabelsPtr labels = make_labels(1, 1, {"a"}, {"<s>", "\"q\"\n"}, 1, 2);
    ASSERT_TRUE(labels);
    const TemplateAndCustomdata result = template_and_customdata(labels.get(), 10);
    const nlohmann::json customdata = nlohmann::json::parse(result.customdata);
    EXPECT_EQ(customdata, nlohmann::json::parse(R"([[[" <s>"," \"q\"\n"]]])"));
    EXPECT_EQ(result.customdata.find('\n'), std::string::npos) << "compact JSON escapes the newline";
}

TEST(CapiLabels, TemplateAndCustomdataLengthsMayBeNull) {
    const LabelsPtr labels = reference_example_labels();
    ASSERT_TRUE(labels);
    char* hovertemplate = nullptr;
    char* customdata = nullptr;
    ASSERT_TRAJPLOT_OK(
        trajplot_labels_template_and_customdata(&hovertemplate, nullptr, &customdata, nullptr, labels.get(), 10));
    const StringPtr owned_template(hovertemplate), owned_customdata(customdata);
    EXPECT_NE(std::string(hovertemplate).find("<extra></extra>"), std::string::npos);
    EXPECT_EQ(customdata[0], '[');
}
