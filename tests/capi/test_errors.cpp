// Every error path of the labels and statistics of trajplot.h, and of the
// options structs' init functions: the status, a message naming the function
// and the offending field or value, and outputs left untouched. Figures and
// exports: test_figure_errors.cpp.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

using namespace capi_test;

namespace {

constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

class CapiErrors : public ::testing::Test {
protected:
    void SetUp() override {
        labels_ = make_labels(2, 3, {"a", "b", "c", "d", "e", "f"});
        hover_labels_ =
            make_labels(2, 3, {"a", "b", "c", "d", "e", "f"}, std::vector<std::string>(2 * 3 * 2 * 2, "h"), 2, 2);
        statistic_ = make_statistic("Entropy", numbered_stats(2, 3), 2, 3);
        ASSERT_TRUE(labels_ && hover_labels_ && statistic_);
    }

    LabelsPtr labels_;
    LabelsPtr hover_labels_;
    StatisticPtr statistic_;
    const char* six_strings_[6] = {"a", "b", "c", "d", "e", "f"};
};

std::string size_text(std::size_t size) { return std::to_string(size); }

}  // namespace

// ---------------------------------------------------------------------------
// trajplot_labels_create

TEST_F(CapiErrors, LabelsCreateNullOut) {
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(nullptr, 2, 3, six_strings_, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "out");
}

TEST_F(CapiErrors, LabelsCreateNullLabelStrings) {
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 3, nullptr, nullptr, nullptr, nullptr, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_create", "label_strings");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateNullLabelElement) {
    const char* strings[6] = {"a", "b", "c", "d", "e", nullptr};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 3, strings, nullptr, nullptr, nullptr, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_create", "label_strings[5] is NULL");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateNullLabelElementWithLengths) {
    const char* strings[2] = {nullptr, "b"};
    const std::size_t lengths[2] = {0, 1};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 1, 2, strings, lengths, nullptr, nullptr, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_create", "label_strings[0] is NULL");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateNullHoverElement) {
    std::vector<const char*> hover(2 * 3 * 1 * 2, "h");
    hover[7] = nullptr;
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 3, six_strings_, nullptr, hover.data(), nullptr, 1, 2),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "hover_entries[7] is NULL");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateEmptyShape) {
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 0, 3, six_strings_, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "label_strings");
    EXPECT_EQ(out, sentinel_labels());
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 0, six_strings_, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "label_strings");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateEmptyHoverTable) {
    const char* hover[6] = {"h", "h", "h", "h", "h", "h"};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 3, six_strings_, nullptr, hover, nullptr, 0, 1),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "hover");
    EXPECT_EQ(out, sentinel_labels());
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 2, 3, six_strings_, nullptr, hover, nullptr, 1, 0),
                          TRAJPLOT_EINVAL, "trajplot_labels_create", "hover");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateCountOverflowIsRangeErrorBeforeReading) {
    // Only six strings exist: reading or allocating SIZE_MAX/2 x 3 of them
    // would crash or fail with ENOMEM, not ERANGE.
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, SIZE_MAX / 2, 3, six_strings_, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "n_layers", "seq_len", size_text(SIZE_MAX / 2));
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateByteOverflowIsRangeError) {
    // The count fits in size_t, its storage does not.
    const char* one[1] = {"a"};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, SIZE_MAX / 8, 2, one, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "n_layers", size_text(SIZE_MAX / 8));
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, LabelsCreateHoverOverflowIsRangeError) {
    const char* one[1] = {"a"};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 1, 1, one, nullptr, one, nullptr, SIZE_MAX / 2, 3),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "hover_rows", size_text(SIZE_MAX / 2));
    EXPECT_EQ(out, sentinel_labels());
}

// ---------------------------------------------------------------------------
// trajplot_labels getters, stride and template

TEST_F(CapiErrors, LabelsShapeNullLabels) {
    std::size_t n_layers = sentinel_size, seq_len = sentinel_size, rows = sentinel_size, cols = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_shape(&n_layers, &seq_len, &rows, &cols, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_labels_shape", "labels");
    EXPECT_EQ(n_layers, sentinel_size);
    EXPECT_EQ(seq_len, sentinel_size);
    EXPECT_EQ(rows, sentinel_size);
    EXPECT_EQ(cols, sentinel_size);
}

TEST_F(CapiErrors, LabelsLabelArguments) {
    const char* out = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_label(nullptr, &len, labels_.get(), 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_label", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_label(&out, &len, nullptr, 0, 0), TRAJPLOT_EINVAL, "trajplot_labels_label",
                          "labels");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_label(&out, &len, labels_.get(), 2, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_label", "layer", "2");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_label(&out, &len, labels_.get(), 0, 3), TRAJPLOT_EINVAL,
                          "trajplot_labels_label", "position", "3");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_label(&out, &len, labels_.get(), SIZE_MAX, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_label", "layer", size_text(SIZE_MAX));
    EXPECT_EQ(out, sentinel_const_string());
    EXPECT_EQ(len, sentinel_size);
}

TEST_F(CapiErrors, LabelsHoverEntryArguments) {
    const char* out = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(nullptr, &len, hover_labels_.get(), 0, 0, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, nullptr, 0, 0, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "labels");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, labels_.get(), 0, 0, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "hover");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, hover_labels_.get(), 2, 0, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "layer", "2");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, hover_labels_.get(), 0, 3, 0, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "position", "3");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, hover_labels_.get(), 0, 0, 2, 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "row", "2");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_hover_entry(&out, &len, hover_labels_.get(), 0, 0, 0, 2), TRAJPLOT_EINVAL,
                          "trajplot_labels_hover_entry", "col", "2");
    EXPECT_EQ(out, sentinel_const_string());
    EXPECT_EQ(len, sentinel_size);
}

TEST_F(CapiErrors, LabelsStrideArguments) {
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_stride(nullptr, labels_.get(), 1), TRAJPLOT_EINVAL, "trajplot_labels_stride",
                          "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_stride(&out, nullptr, 1), TRAJPLOT_EINVAL, "trajplot_labels_stride",
                          "labels");
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_stride(&out, labels_.get(), 0), TRAJPLOT_EINVAL, "trajplot_labels_stride",
                          "stride");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, TemplateAndCustomdataArguments) {
    char* hovertemplate = sentinel_string();
    char* customdata = sentinel_string();
    std::size_t template_len = sentinel_size, customdata_len = sentinel_size;
    const auto call = [&](char** template_out, char** customdata_out, const trajplot_labels* labels,
                          std::size_t limit) {
        return trajplot_labels_template_and_customdata(template_out, &template_len, customdata_out, &customdata_len,
                                                       labels, limit);
    };
    EXPECT_TRAJPLOT_FAILS(call(nullptr, &customdata, hover_labels_.get(), 10), TRAJPLOT_EINVAL,
                          "trajplot_labels_template_and_customdata", "template_out");
    EXPECT_TRAJPLOT_FAILS(call(&hovertemplate, nullptr, hover_labels_.get(), 10), TRAJPLOT_EINVAL,
                          "trajplot_labels_template_and_customdata", "customdata_json");
    EXPECT_TRAJPLOT_FAILS(call(&hovertemplate, &customdata, nullptr, 10), TRAJPLOT_EINVAL,
                          "trajplot_labels_template_and_customdata", "labels");
    EXPECT_TRAJPLOT_FAILS(call(&hovertemplate, &customdata, labels_.get(), 10), TRAJPLOT_EINVAL,
                          "trajplot_labels_template_and_customdata", "hover");
    EXPECT_TRAJPLOT_FAILS(call(&hovertemplate, &customdata, hover_labels_.get(), 0), TRAJPLOT_EINVAL,
                          "trajplot_labels_template_and_customdata", "col_width_limit");
    EXPECT_EQ(hovertemplate, sentinel_string());
    EXPECT_EQ(customdata, sentinel_string());
    EXPECT_EQ(template_len, sentinel_size);
    EXPECT_EQ(customdata_len, sentinel_size);
}

// ---------------------------------------------------------------------------
// Options structs

TEST_F(CapiErrors, StatisticOptionsInitArguments) {
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_options_init(nullptr, TRAJPLOT_STATISTIC_OPTIONS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_statistic_options_init", "options");
    trajplot_statistic_options options;
    std::memset(&options, 0x5A, sizeof options);
    trajplot_statistic_options before;
    std::memcpy(&before, &options, sizeof options);
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_options_init(&options, TRAJPLOT_STATISTIC_OPTIONS_VERSION + 1),
                          TRAJPLOT_EINVAL, "trajplot_statistic_options_init", "version",
                          std::to_string(TRAJPLOT_STATISTIC_OPTIONS_VERSION + 1),
                          std::to_string(TRAJPLOT_STATISTIC_OPTIONS_VERSION));
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_options_init(&options, 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_options_init", "version");
    EXPECT_EQ(std::memcmp(&options, &before, sizeof options), 0) << "options were written by a failed call";
}

TEST_F(CapiErrors, FigureOptionsInitArguments) {
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_options_init(nullptr, TRAJPLOT_FIGURE_OPTIONS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_figure_options_init", "options");
    trajplot_figure_options options;
    std::memset(&options, 0x5A, sizeof options);
    trajplot_figure_options before;
    std::memcpy(&before, &options, sizeof options);
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_options_init(&options, 7), TRAJPLOT_EINVAL, "trajplot_figure_options_init",
                          "version", "7", std::to_string(TRAJPLOT_FIGURE_OPTIONS_VERSION));
    EXPECT_EQ(std::memcmp(&options, &before, sizeof options), 0) << "options were written by a failed call";
}

TEST_F(CapiErrors, PanelOptionsInitArguments) {
    EXPECT_TRAJPLOT_FAILS(trajplot_panel_options_init(nullptr, TRAJPLOT_PANEL_OPTIONS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_panel_options_init", "options");
    trajplot_panel_options options;
    std::memset(&options, 0x5A, sizeof options);
    trajplot_panel_options before;
    std::memcpy(&before, &options, sizeof options);
    EXPECT_TRAJPLOT_FAILS(trajplot_panel_options_init(&options, TRAJPLOT_PANEL_OPTIONS_VERSION + 1), TRAJPLOT_EINVAL,
                          "trajplot_panel_options_init", "version", std::to_string(TRAJPLOT_PANEL_OPTIONS_VERSION + 1),
                          std::to_string(TRAJPLOT_PANEL_OPTIONS_VERSION));
    EXPECT_TRAJPLOT_FAILS(trajplot_panel_options_init(&options, 0), TRAJPLOT_EINVAL, "trajplot_panel_options_init",
                          "version");
    EXPECT_EQ(std::memcmp(&options, &before, sizeof options), 0) << "options were written by a failed call";
}

TEST_F(CapiErrors, ExportOptionsInitArguments) {
    EXPECT_TRAJPLOT_FAILS(trajplot_export_options_init(nullptr, TRAJPLOT_EXPORT_OPTIONS_VERSION), TRAJPLOT_EINVAL,
                          "trajplot_export_options_init", "options");
    trajplot_export_options options;
    std::memset(&options, 0x5A, sizeof options);
    trajplot_export_options before;
    std::memcpy(&before, &options, sizeof options);
    EXPECT_TRAJPLOT_FAILS(trajplot_export_options_init(&options, TRAJPLOT_EXPORT_OPTIONS_VERSION + 1), TRAJPLOT_EINVAL,
                          "trajplot_export_options_init", "version",
                          std::to_string(TRAJPLOT_EXPORT_OPTIONS_VERSION + 1),
                          std::to_string(TRAJPLOT_EXPORT_OPTIONS_VERSION));
    EXPECT_TRAJPLOT_FAILS(trajplot_export_options_init(&options, 0), TRAJPLOT_EINVAL, "trajplot_export_options_init",
                          "version");
    EXPECT_EQ(std::memcmp(&options, &before, sizeof options), 0) << "options were written by a failed call";
}

// ---------------------------------------------------------------------------
// trajplot_statistic_create

TEST_F(CapiErrors, StatisticCreateNullArguments) {
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(nullptr, "x", stats.data(), 2, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, nullptr, stats.data(), 2, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "name");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", nullptr, 2, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "stats");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateEmptyShape) {
    const float one = 1;
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", &one, 0, 1, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "stats", "0 x 1");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", &one, 1, 0, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "stats", "1 x 0");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateLabelsOfAnotherShape) {
    const LabelsPtr labels = make_labels(2, 4, std::vector<std::string>(8, "t"));
    ASSERT_TRUE(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels.get();
    const std::vector<float> stats = numbered_stats(3, 4);
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 3, 4, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "trajectory_labels", "2 x 4", "3 x 4");
    EXPECT_EQ(out, sentinel_statistic());
    // Same number of cells, transposed.
    const std::vector<float> transposed = numbered_stats(4, 2);
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", transposed.data(), 4, 2, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "trajectory_labels", "2 x 4", "4 x 2");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateNullSequenceOrLayerLabel) {
    const char* tokens[3] = {"a", nullptr, "c"};
    const char* layers[2] = {"0", nullptr};
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic* out = sentinel_statistic();

    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 3;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "sequence_labels[1] is NULL");
    options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.layer_labels = layers;
    options.layer_label_count = 2;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "layer_labels[1] is NULL");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateBadColourRange) {
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic* out = sentinel_statistic();
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.has_min = options.has_max = true;

    options.min = 2;
    options.max = 1;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "min", "max", "2", "1");
    options.min = options.max = 1.5f;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "min", "max", "1.5");
    options.min = not_a_number;
    options.max = 1;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "min", "NaN");
    options.min = 0;
    options.max = not_a_number;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "max", "NaN");
    // A NaN bound is refused on its own too: no colour range starts at NaN.
    options.has_max = false;
    options.min = not_a_number;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "min", "NaN");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateWrongOptionsVersion) {
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic* out = sentinel_statistic();
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.version = TRAJPLOT_STATISTIC_OPTIONS_VERSION + 41;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "version",
                          std::to_string(TRAJPLOT_STATISTIC_OPTIONS_VERSION + 41),
                          std::to_string(TRAJPLOT_STATISTIC_OPTIONS_VERSION));
    options.version = 0;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "version");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateCountOverflowIsRangeErrorBeforeReading) {
    // Three floats exist; SIZE_MAX/2 x 3 overflows size_t.
    const float three[3] = {1, 2, 3};
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", three, SIZE_MAX / 2, 3, nullptr), TRAJPLOT_ERANGE,
                          "trajplot_statistic_create", "n_layers", "seq_len", size_text(SIZE_MAX / 2), "3");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticCreateByteOverflowIsRangeError) {
    // The count fits in size_t; as floats it does not fit in memory.
    const float three[3] = {1, 2, 3};
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", three, 2, SIZE_MAX / 4, nullptr), TRAJPLOT_ERANGE,
                          "trajplot_statistic_create", "seq_len", size_text(SIZE_MAX / 4));
    EXPECT_EQ(out, sentinel_statistic());
}

// ---------------------------------------------------------------------------
// trajplot_statistic getters, stride and clip

TEST_F(CapiErrors, StatisticShapeNullStatistic) {
    std::size_t n_layers = sentinel_size, seq_len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_shape(&n_layers, &seq_len, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_shape", "statistic");
    EXPECT_EQ(n_layers, sentinel_size);
    EXPECT_EQ(seq_len, sentinel_size);
}

TEST_F(CapiErrors, StatisticStatsArguments) {
    std::vector<float> buffer(6, sentinel_float);
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stats(nullptr, 6, statistic_.get()), TRAJPLOT_EINVAL,
                          "trajplot_statistic_stats", "buffer");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stats(buffer.data(), 6, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_stats", "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stats(buffer.data(), 5, statistic_.get()), TRAJPLOT_ERANGE,
                          "trajplot_statistic_stats", "buffer_len", "5", "6");
    EXPECT_EQ(buffer, std::vector<float>(6, sentinel_float));
}

TEST_F(CapiErrors, StatisticNameAndUnitsArguments) {
    const char* out = sentinel_const_string();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_name(nullptr, statistic_.get()), TRAJPLOT_EINVAL,
                          "trajplot_statistic_name", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_name(&out, nullptr), TRAJPLOT_EINVAL, "trajplot_statistic_name",
                          "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_units(nullptr, statistic_.get()), TRAJPLOT_EINVAL,
                          "trajplot_statistic_units", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_units(&out, nullptr), TRAJPLOT_EINVAL, "trajplot_statistic_units",
                          "statistic");
    EXPECT_EQ(out, sentinel_const_string());
}

TEST_F(CapiErrors, StatisticRangeNullStatistic) {
    bool has_min = true, has_max = true;
    float min = sentinel_float, max = sentinel_float;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_range(&has_min, &min, &has_max, &max, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_range", "statistic");
    EXPECT_TRUE(has_min);
    EXPECT_TRUE(has_max);
    EXPECT_EQ(min, sentinel_float);
    EXPECT_EQ(max, sentinel_float);
}

TEST_F(CapiErrors, StatisticIncludesOutputArguments) {
    bool out = false;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_includes_output(nullptr, statistic_.get()), TRAJPLOT_EINVAL,
                          "trajplot_statistic_includes_output", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_includes_output(&out, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_includes_output", "statistic");
    EXPECT_FALSE(out);
}

TEST_F(CapiErrors, StatisticLayerLabelArguments) {
    const char* out = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_layer_label(nullptr, &len, statistic_.get(), 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_layer_label", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_layer_label(&out, &len, nullptr, 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_layer_label", "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_layer_label(&out, &len, statistic_.get(), 2), TRAJPLOT_EINVAL,
                          "trajplot_statistic_layer_label", "layer", "2");
    EXPECT_EQ(out, sentinel_const_string());
    EXPECT_EQ(len, sentinel_size);
}

TEST_F(CapiErrors, StatisticSequenceLabelArguments) {
    const char* tokens[3] = {"a", "b", "c"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 3;
    const StatisticPtr with_tokens = make_statistic("x", numbered_stats(2, 3), 2, 3, &options);
    ASSERT_TRUE(with_tokens);
    const char* out = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_sequence_label(nullptr, &len, with_tokens.get(), 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_sequence_label", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_sequence_label(&out, &len, nullptr, 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_sequence_label", "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_sequence_label(&out, &len, with_tokens.get(), 3), TRAJPLOT_EINVAL,
                          "trajplot_statistic_sequence_label", "position", "3");
    // Out of range also without sequence labels.
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_sequence_label(&out, &len, statistic_.get(), 3), TRAJPLOT_EINVAL,
                          "trajplot_statistic_sequence_label", "position", "3");
    EXPECT_EQ(out, sentinel_const_string());
    EXPECT_EQ(len, sentinel_size);
}

TEST_F(CapiErrors, StatisticTrajectoryLabelsArguments) {
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_trajectory_labels(nullptr, statistic_.get()), TRAJPLOT_EINVAL,
                          "trajplot_statistic_trajectory_labels", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_trajectory_labels(&out, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_statistic_trajectory_labels", "statistic");
    EXPECT_EQ(out, sentinel_labels());
}

TEST_F(CapiErrors, StatisticStrideArguments) {
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stride(nullptr, statistic_.get(), 1), TRAJPLOT_EINVAL,
                          "trajplot_statistic_stride", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stride(&out, nullptr, 1), TRAJPLOT_EINVAL, "trajplot_statistic_stride",
                          "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_stride(&out, statistic_.get(), 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_stride", "stride");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST_F(CapiErrors, StatisticClipArguments) {
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(nullptr, statistic_.get(), 0, 1), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, nullptr, 0, 1), TRAJPLOT_EINVAL, "trajplot_statistic_clip",
                          "statistic");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, statistic_.get(), 1, 0), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "min", "max", "1", "0");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, statistic_.get(), 0.25f, 0.25f), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "min", "max", "0.25");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, statistic_.get(), not_a_number, 1), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "NaN");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, statistic_.get(), 0, not_a_number), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "NaN");
    EXPECT_EQ(out, sentinel_statistic());
}
