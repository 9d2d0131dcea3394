#include "trajplot/model.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "trajplot/error.hpp"
#include "trajplot/text_array.hpp"

#include "core_test_support.hpp"

namespace {

using trajplot::Errc;
using trajplot::Error;
using trajplot::stride_keep_last;
using trajplot::TextArray;
using trajplot::TrajectoryLabels;
using trajplot::TrajectoryStatistic;
using Rows = std::vector<std::size_t>;
using trajplot_test::inf_value;
using trajplot_test::nan_value;
using trajplot_test::Strings;

template <std::size_t N>
Strings strings_of(const TextArray<N>& array) {
    Strings out;
    for (std::size_t i = 0; i < array.size(); ++i) out.emplace_back(array.flat(i));
    return out;
}

template <std::size_t N>
std::vector<std::size_t> shape_of(const TextArray<N>& array) {
    return {array.shape().begin(), array.shape().end()};
}

std::vector<std::uint64_t> numbers_in(const std::string& text) {
    std::vector<std::uint64_t> numbers;
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isdigit(static_cast<unsigned char>(text[i]))) {
            std::uint64_t value = 0;
            while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
                value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
                ++i;
            }
            numbers.push_back(value);
        } else {
            ++i;
        }
    }
    return numbers;
}

bool contains_number(const std::string& text, std::uint64_t number) {
    for (const std::uint64_t n : numbers_in(text)) {
        if (n == number) return true;
    }
    return false;
}

// Runs `action`, which must throw trajplot::Error with `code`, and returns its
// message (empty when it did not throw as expected, after recording a failure).
std::string error_message_of(const std::function<void()>& action, Errc code) {
    try {
        action();
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), code) << error.what();
        return error.what();
    } catch (const std::exception& other) {
        ADD_FAILURE() << "threw a non-trajplot exception: " << other.what();
        return {};
    }
    ADD_FAILURE() << "did not throw";
    return {};
}

// A message that names `field` and mentions every number of the shapes involved.
void expect_names_field_and_numbers(const std::string& message, const std::string& field,
                                    const std::vector<std::uint64_t>& numbers) {
    EXPECT_NE(message.find(field), std::string::npos) << "message: " << message;
    for (const std::uint64_t n : numbers) {
        EXPECT_TRUE(contains_number(message, n)) << "number " << n << " missing from: " << message;
    }
}

// stats[l][p] = 10 * l + p: every cell says where it came from.
xt::xtensor<float, 2> positional_stats(std::size_t n_layers, std::size_t seq_len) {
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({n_layers, seq_len});
    for (std::size_t l = 0; l < n_layers; ++l) {
        for (std::size_t p = 0; p < seq_len; ++p) stats(l, p) = static_cast<float>(10 * l + p);
    }
    return stats;
}

// label "L<l>P<p>" and hover entry "L<l>P<p>R<r>C<c>".
TrajectoryLabels positional_labels(std::size_t n_layers, std::size_t seq_len, std::size_t rows, std::size_t cols) {
    Strings labels;
    Strings hover;
    for (std::size_t l = 0; l < n_layers; ++l) {
        for (std::size_t p = 0; p < seq_len; ++p) {
            const std::string cell = "L" + std::to_string(l) + "P" + std::to_string(p);
            labels.push_back(cell);
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t c = 0; c < cols; ++c) {
                    hover.push_back(cell + "R" + std::to_string(r) + "C" + std::to_string(c));
                }
            }
        }
    }
    return TrajectoryLabels(TextArray<2>::from_strings({n_layers, seq_len}, labels),
                            TextArray<4>::from_strings({n_layers, seq_len, rows, cols}, hover));
}

TrajectoryStatistic::Fields basic_fields(std::size_t n_layers, std::size_t seq_len) {
    TrajectoryStatistic::Fields fields;
    fields.name = "Entropy";
    fields.stats = positional_stats(n_layers, seq_len);
    return fields;
}

// ---------------------------------------------------------------------------
// stride_keep_last

TEST(StrideKeepLast, FiveRowsTable) {
    EXPECT_EQ(stride_keep_last(5, 1), (Rows{0, 1, 2, 3, 4}));
    EXPECT_EQ(stride_keep_last(5, 2), (Rows{0, 2, 4}));
    EXPECT_EQ(stride_keep_last(5, 3), (Rows{0, 3, 4}));
    EXPECT_EQ(stride_keep_last(5, 4), (Rows{0, 4}));
    EXPECT_EQ(stride_keep_last(5, 5), (Rows{0, 4}));
    EXPECT_EQ(stride_keep_last(5, 100), (Rows{0, 4}));
}

TEST(StrideKeepLast, LastRowIsNotRepeated) {
    // 0, 2, 4 come from rows 0..3; the last row (4) follows once.
    EXPECT_EQ(stride_keep_last(6, 2), (Rows{0, 2, 4, 5}));
    EXPECT_EQ(stride_keep_last(7, 3), (Rows{0, 3, 6}));
    EXPECT_EQ(stride_keep_last(13, 4), (Rows{0, 4, 8, 12}));
}

TEST(StrideKeepLast, OneRowIsKept) {
    for (const std::size_t k : {1u, 2u, 7u}) EXPECT_EQ(stride_keep_last(1, k), (Rows{0})) << "k=" << k;
    EXPECT_EQ(stride_keep_last(2, 5), (Rows{0, 1}));
}

TEST(StrideKeepLast, StridesNearSizeMaxDoNotWrapAround) {
    const std::size_t huge = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(stride_keep_last(3, huge), (Rows{0, 2}));
    EXPECT_EQ(stride_keep_last(3, huge - 1), (Rows{0, 2}));
    EXPECT_EQ(stride_keep_last(5, huge / 2 + 1), (Rows{0, 4}));
}

TEST(StrideKeepLast, ZeroStrideIsAnError) {
    error_message_of([] { stride_keep_last(5, 0); }, Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// TrajectoryLabels: construction

TEST(TrajectoryLabels, KeepsLabelsAndHoverEntries) {
    const TrajectoryLabels labels = positional_labels(2, 3, 2, 1);
    EXPECT_EQ(labels.n_layers(), 2u);
    EXPECT_EQ(labels.seq_len(), 3u);
    EXPECT_EQ(strings_of(labels.label_strings()), (Strings{"L0P0", "L0P1", "L0P2", "L1P0", "L1P1", "L1P2"}));
    ASSERT_TRUE(labels.hover_over_entries().has_value());
    EXPECT_EQ(shape_of(*labels.hover_over_entries()), (std::vector<std::size_t>{2, 3, 2, 1}));
    EXPECT_EQ((*labels.hover_over_entries())(1, 2, 1, 0), "L1P2R1C0");
}

TEST(TrajectoryLabels, HoverEntriesAreOptional) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 2}, {"a", "b"}));
    EXPECT_FALSE(labels.hover_over_entries().has_value());
}

TEST(TrajectoryLabels, InvalidUtf8IsReplaced) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 2}, {"a\xFF", "\xC3"}));
    EXPECT_EQ(strings_of(labels.label_strings()), (Strings{"a\xEF\xBF\xBD", "\xEF\xBF\xBD"}));
}

TEST(TrajectoryLabels, RejectsHoverShapeDisagreeingWithLabels) {
    const auto labels = [] { return TextArray<2>::from_strings({2, 3}, Strings(6, "x")); };
    // Wrong number of layers.
    error_message_of(
        [&] {
            TrajectoryLabels(labels(), TextArray<4>::from_strings({4, 3, 1, 1}, Strings(12, "h")));
        },
        Errc::invalid_argument);
    // Wrong sequence length.
    error_message_of(
        [&] {
            TrajectoryLabels(labels(), TextArray<4>::from_strings({2, 5, 1, 1}, Strings(10, "h")));
        },
        Errc::invalid_argument);
}

TEST(TrajectoryLabels, RejectsEmptyHoverTables) {
    const auto labels = [] { return TextArray<2>::from_strings({2, 3}, Strings(6, "x")); };
    error_message_of(
        [&] {
            TrajectoryLabels(labels(), TextArray<4>::from_strings({2, 3, 0, 2}, {}));
        },
        Errc::invalid_argument);
    error_message_of(
        [&] {
            TrajectoryLabels(labels(), TextArray<4>::from_strings({2, 3, 2, 0}, {}));
        },
        Errc::invalid_argument);
}

TEST(TrajectoryLabels, RejectsEmptyLabels) {
    error_message_of([] { TrajectoryLabels(TextArray<2>::from_strings({0, 3}, {})); }, Errc::invalid_argument);
    error_message_of([] { TrajectoryLabels(TextArray<2>::from_strings({3, 0}, {})); }, Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// TrajectoryLabels::stride

TEST(TrajectoryLabels, StrideKeepsLabelAndHoverRows) {
    const TrajectoryLabels labels = positional_labels(5, 2, 1, 2);
    const TrajectoryLabels strided = labels.stride(2);
    EXPECT_EQ(strided.n_layers(), 3u);
    EXPECT_EQ(strided.seq_len(), 2u);
    EXPECT_EQ(strings_of(strided.label_strings()), (Strings{"L0P0", "L0P1", "L2P0", "L2P1", "L4P0", "L4P1"}));
    ASSERT_TRUE(strided.hover_over_entries().has_value());
    EXPECT_EQ(shape_of(*strided.hover_over_entries()), (std::vector<std::size_t>{3, 2, 1, 2}));
    EXPECT_EQ(strings_of(*strided.hover_over_entries()),
              (Strings{"L0P0R0C0", "L0P0R0C1", "L0P1R0C0", "L0P1R0C1", "L2P0R0C0", "L2P0R0C1", "L2P1R0C0", "L2P1R0C1",
                       "L4P0R0C0", "L4P0R0C1", "L4P1R0C0", "L4P1R0C1"}));

    const TrajectoryLabels stride3 = labels.stride(3);
    EXPECT_EQ(strings_of(stride3.label_strings()), (Strings{"L0P0", "L0P1", "L3P0", "L3P1", "L4P0", "L4P1"}));
}

TEST(TrajectoryLabels, StrideWithoutHoverEntries) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({4, 1}, {"a", "b", "c", "d"}));
    const TrajectoryLabels strided = labels.stride(4);
    EXPECT_EQ(strings_of(strided.label_strings()), (Strings{"a", "d"}));
    EXPECT_FALSE(strided.hover_over_entries().has_value());
}

TEST(TrajectoryLabels, StrideLeavesTheSourceUnchanged) {
    const TrajectoryLabels labels = positional_labels(5, 2, 1, 1);
    const Strings before = strings_of(labels.label_strings());
    const Strings hover_before = strings_of(*labels.hover_over_entries());
    (void)labels.stride(2);
    EXPECT_EQ(strings_of(labels.label_strings()), before);
    EXPECT_EQ(strings_of(*labels.hover_over_entries()), hover_before);
    EXPECT_EQ(labels.n_layers(), 5u);
}

TEST(TrajectoryLabels, StrideZeroIsAnError) {
    const TrajectoryLabels labels = positional_labels(3, 1, 1, 1);
    error_message_of([&] { (void)labels.stride(0); }, Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// TrajectoryLabels::template_and_customdata

TEST(TemplateAndCustomdata, ReferenceExample) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({2, 1}, {"x", "y"}),
                                  TextArray<4>::from_strings({2, 1, 2, 2}, {"ab", "c", "de", "f",  //
                                                                            "idk", "l", "mno", "p"}));
    const trajplot::HoverTemplate result = labels.template_and_customdata();
    EXPECT_EQ(result.hovertemplate,
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
    EXPECT_EQ(shape_of(result.customdata), (std::vector<std::size_t>{2, 1, 4}));
    EXPECT_EQ(strings_of(result.customdata), (Strings{"  ab", " c", "  de", " f", " idk", " l", " mno", " p"}));
    EXPECT_EQ(labels.hover_column_widths(), (Rows{4, 2}));
}

TEST(TemplateAndCustomdata, HovertemplateShape) {
    EXPECT_EQ(TrajectoryLabels::hovertemplate(1, 1), "%{customdata[0]}<br><extra></extra>");
    EXPECT_EQ(TrajectoryLabels::hovertemplate(1, 3),
              "%{customdata[0]}%{customdata[1]}%{customdata[2]}<br><extra></extra>");
    EXPECT_EQ(TrajectoryLabels::hovertemplate(3, 1),
              "%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<br><extra></extra>");
    EXPECT_EQ(TrajectoryLabels::hovertemplate(2, 2),
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
}

TEST(TemplateAndCustomdata, WidthIsLongestOfTheColumnOverAllCellsAndRows) {
    // Column 0's longest entry ("wxyz", 4) sits in the last layer, position
    // and row; column 1's ("123", 3) in the first. Every entry of a column
    // gets the same width: 1 + longest.
    const TrajectoryLabels labels(
        TextArray<2>::from_strings({2, 2}, Strings(4, "t")),
        TextArray<4>::from_strings({2, 2, 2, 2}, {"a", "123", "b", "1",  // layer 0, position 0
                                                  "c", "2", "d", "3",    // layer 0, position 1
                                                  "e", "4", "f", "5",    // layer 1, position 0
                                                  "g", "6", "wxyz", "7"}));
    EXPECT_EQ(labels.hover_column_widths(), (Rows{5, 4}));
    const trajplot::HoverTemplate result = labels.template_and_customdata();
    EXPECT_EQ(shape_of(result.customdata), (std::vector<std::size_t>{2, 2, 4}));
    EXPECT_EQ(strings_of(result.customdata), (Strings{"    a", " 123", "    b", "   1",  //
                                                      "    c", "   2", "    d", "   3",  //
                                                      "    e", "   4", "    f", "   5",  //
                                                      "    g", "   6", " wxyz", "   7"}));
    EXPECT_EQ(result.hovertemplate,
              "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>");
}

TEST(TemplateAndCustomdata, WidthIsMeasuredInCodePoints) {
    // "Δ0.00%" is 6 code points (7 bytes): width 7, one space of padding.
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 1}, {"t"}),
                                  TextArray<4>::from_strings({1, 1, 2, 1}, {"\xCE\x94"
                                                                            "0.00%",
                                                                            "ab"}));
    EXPECT_EQ(labels.hover_column_widths(), (Rows{7}));
    EXPECT_EQ(strings_of(labels.template_and_customdata().customdata), (Strings{" \xCE\x94"
                                                                                "0.00%",
                                                                                "     ab"}));
}

TEST(TemplateAndCustomdata, WidthIsCappedByTheLimit) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 1}, {"t"}),
                                  TextArray<4>::from_strings({1, 1, 2, 2}, {"abcdefghijklmno", "x",  //
                                                                            "short", "yz"}));
    EXPECT_EQ(labels.hover_column_widths(), (Rows{10, 3}));
    // Longer than the limit: the last 10 code points are kept.
    EXPECT_EQ(strings_of(labels.template_and_customdata().customdata),
              (Strings{"fghijklmno", "  x", "     short", " yz"}));

    EXPECT_EQ(labels.hover_column_widths(4), (Rows{4, 3}));
    EXPECT_EQ(strings_of(labels.template_and_customdata(4).customdata), (Strings{"lmno", "  x", "hort", " yz"}));

    EXPECT_EQ(labels.hover_column_widths(1), (Rows{1, 1}));
    EXPECT_EQ(strings_of(labels.template_and_customdata(1).customdata), (Strings{"o", "x", "t", "z"}));
}

TEST(TemplateAndCustomdata, TruncationKeepsWholeCodePoints) {
    // 12 "Δ" truncated to the limit of 10: ten whole "Δ", 20 bytes.
    std::string deltas;
    for (int i = 0; i < 12; ++i) deltas += "\xCE\x94";
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 1}, {"t"}),
                                  TextArray<4>::from_strings({1, 1, 1, 1}, {deltas}));
    EXPECT_EQ(strings_of(labels.template_and_customdata().customdata), (Strings{deltas.substr(4)}));
}

TEST(TemplateAndCustomdata, LimitZeroIsAnError) {
    const TrajectoryLabels labels = positional_labels(1, 1, 1, 1);
    error_message_of([&] { (void)labels.template_and_customdata(0); }, Errc::invalid_argument);
    error_message_of([&] { (void)labels.hover_column_widths(0); }, Errc::invalid_argument);
}

TEST(TemplateAndCustomdata, NoHoverEntriesIsAnError) {
    const TrajectoryLabels labels(TextArray<2>::from_strings({1, 1}, {"t"}));
    error_message_of([&] { (void)labels.template_and_customdata(); }, Errc::invalid_argument);
    error_message_of([&] { (void)labels.hover_column_widths(); }, Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// TrajectoryStatistic: construction and invariants

TEST(TrajectoryStatistic, KeepsItsFields) {
    TrajectoryStatistic::Fields fields = basic_fields(2, 3);
    fields.sequence_labels = TextArray<1>::from_strings({3}, {"a", "b", "c"});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(positional_labels(2, 3, 1, 1));
    fields.units = "nats";
    fields.min = -1.0f;
    fields.max = 2.5f;
    const TrajectoryStatistic statistic(std::move(fields));
    EXPECT_EQ(statistic.name(), "Entropy");
    EXPECT_EQ(statistic.n_layers(), 2u);
    EXPECT_EQ(statistic.seq_len(), 3u);
    EXPECT_EQ(statistic.stats(), positional_stats(2, 3));
    ASSERT_TRUE(statistic.sequence_labels().has_value());
    EXPECT_EQ(strings_of(*statistic.sequence_labels()), (Strings{"a", "b", "c"}));
    ASSERT_NE(statistic.trajectory_labels(), nullptr);
    EXPECT_EQ(statistic.trajectory_labels()->label_strings()(1, 2), "L1P2");
    EXPECT_EQ(statistic.units(), std::optional<std::string>("nats"));
    EXPECT_EQ(statistic.min(), std::optional<float>(-1.0f));
    EXPECT_EQ(statistic.max(), std::optional<float>(2.5f));
    EXPECT_TRUE(statistic.includes_output());
}

TEST(TrajectoryStatistic, OptionalFieldsDefaultToAbsent) {
    const TrajectoryStatistic statistic(basic_fields(1, 1));
    EXPECT_FALSE(statistic.sequence_labels().has_value());
    EXPECT_EQ(statistic.trajectory_labels(), nullptr);
    EXPECT_FALSE(statistic.units().has_value());
    EXPECT_FALSE(statistic.min().has_value());
    EXPECT_FALSE(statistic.max().has_value());
    EXPECT_TRUE(statistic.includes_output());
}

TEST(TrajectoryStatistic, RejectsZeroLayers) {
    TrajectoryStatistic::Fields fields = basic_fields(0, 4);
    const std::string message =
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message, "stats", {0, 4});
}

TEST(TrajectoryStatistic, RejectsZeroPositions) {
    TrajectoryStatistic::Fields fields = basic_fields(3, 0);
    const std::string message =
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message, "stats", {3, 0});
}

TEST(TrajectoryStatistic, RejectsTrajectoryLabelsOfAnotherShape) {
    TrajectoryStatistic::Fields fields = basic_fields(3, 7);
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(positional_labels(2, 5, 1, 1));
    const std::string message =
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message, "trajectory_labels", {3, 7, 2, 5});

    // Only the sequence length differs.
    TrajectoryStatistic::Fields same_layers = basic_fields(3, 7);
    same_layers.trajectory_labels = std::make_shared<const TrajectoryLabels>(positional_labels(3, 6, 1, 1));
    const std::string message2 =
        error_message_of([&] { TrajectoryStatistic{std::move(same_layers)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message2, "trajectory_labels", {3, 7, 6});
}

TEST(TrajectoryStatistic, RejectsSequenceLabelsOfAnotherLength) {
    TrajectoryStatistic::Fields fields = basic_fields(3, 7);
    fields.sequence_labels = TextArray<1>::from_strings({5}, Strings(5, "tok"));
    const std::string message =
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message, "sequence_labels", {7, 5});
}

TEST(TrajectoryStatistic, RejectsLayerLabelsOfAnotherLength) {
    TrajectoryStatistic::Fields fields = basic_fields(3, 7);
    fields.layer_labels = TextArray<1>::from_strings({4}, Strings(4, "layer"));
    const std::string message =
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    expect_names_field_and_numbers(message, "layer_labels", {3, 4});
}

TEST(TrajectoryStatistic, RejectsMinNotBelowMax) {
    for (const auto& [min, max] : std::vector<std::pair<float, float>>{{2.0f, 1.0f}, {1.0f, 1.0f}}) {
        TrajectoryStatistic::Fields fields = basic_fields(2, 2);
        fields.min = min;
        fields.max = max;
        const std::string message =
            error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
        EXPECT_NE(message.find("min"), std::string::npos) << message;
        EXPECT_NE(message.find("max"), std::string::npos) << message;
    }
}

TEST(TrajectoryStatistic, RejectsNanBounds) {
    for (const auto& [min, max] : std::vector<std::pair<float, float>>{{nan_value, 1.0f}, {0.0f, nan_value}}) {
        TrajectoryStatistic::Fields fields = basic_fields(2, 2);
        fields.min = min;
        fields.max = max;
        error_message_of([&] { TrajectoryStatistic{std::move(fields)}; }, Errc::invalid_argument);
    }
}

TEST(TrajectoryStatistic, AcceptsOneBoundAlone) {
    TrajectoryStatistic::Fields only_min = basic_fields(2, 2);
    only_min.min = 100.0f;  // above every value: only min < max is a constraint
    EXPECT_EQ(TrajectoryStatistic(std::move(only_min)).min(), std::optional<float>(100.0f));
    TrajectoryStatistic::Fields only_max = basic_fields(2, 2);
    only_max.max = -100.0f;
    EXPECT_EQ(TrajectoryStatistic(std::move(only_max)).max(), std::optional<float>(-100.0f));
}

// ---------------------------------------------------------------------------
// Layer labels

TEST(LayerLabels, DerivedWithOutput) {
    EXPECT_EQ(strings_of(TrajectoryStatistic(basic_fields(4, 1)).layer_labels()), (Strings{"0", "1", "2", "output"}));
    EXPECT_EQ(strings_of(TrajectoryStatistic(basic_fields(1, 1)).layer_labels()), (Strings{"output"}));
    const Strings thirteen = strings_of(TrajectoryStatistic(basic_fields(13, 1)).layer_labels());
    ASSERT_EQ(thirteen.size(), 13u);
    EXPECT_EQ(thirteen[10], "10");
    EXPECT_EQ(thirteen[11], "11");
    EXPECT_EQ(thirteen[12], "output");
}

TEST(LayerLabels, DerivedWithoutOutput) {
    TrajectoryStatistic::Fields fields = basic_fields(4, 1);
    fields.includes_output = false;
    const TrajectoryStatistic statistic(std::move(fields));
    EXPECT_FALSE(statistic.includes_output());
    EXPECT_EQ(strings_of(statistic.layer_labels()), (Strings{"0", "1", "2", "3"}));
}

TEST(LayerLabels, ExplicitOnesAreKept) {
    TrajectoryStatistic::Fields fields = basic_fields(3, 1);
    fields.layer_labels = TextArray<1>::from_strings({3}, {"embed", "mid", "last"});
    EXPECT_EQ(strings_of(TrajectoryStatistic(std::move(fields)).layer_labels()), (Strings{"embed", "mid", "last"}));
}

// ---------------------------------------------------------------------------
// TrajectoryStatistic::stride

TEST(TrajectoryStatisticStride, StridesStatsLabelsAndLayerLabelsTogether) {
    TrajectoryStatistic::Fields fields = basic_fields(5, 2);
    fields.sequence_labels = TextArray<1>::from_strings({2}, {"tok0", "tok1"});
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(positional_labels(5, 2, 1, 1));
    fields.units = "bits";
    fields.min = -3.0f;
    fields.max = 60.0f;
    const TrajectoryStatistic statistic(std::move(fields));

    const TrajectoryStatistic strided = statistic.stride(2);
    EXPECT_EQ(strided.n_layers(), 3u);
    EXPECT_EQ(strided.seq_len(), 2u);
    const xt::xtensor<float, 2> expected_stats = {{0.0f, 1.0f}, {20.0f, 21.0f}, {40.0f, 41.0f}};
    EXPECT_EQ(strided.stats(), expected_stats);
    EXPECT_EQ(strings_of(strided.layer_labels()), (Strings{"0", "2", "output"}));
    ASSERT_NE(strided.trajectory_labels(), nullptr);
    EXPECT_EQ(strings_of(strided.trajectory_labels()->label_strings()),
              (Strings{"L0P0", "L0P1", "L2P0", "L2P1", "L4P0", "L4P1"}));
    EXPECT_EQ(strings_of(*strided.trajectory_labels()->hover_over_entries()),
              (Strings{"L0P0R0C0", "L0P1R0C0", "L2P0R0C0", "L2P1R0C0", "L4P0R0C0", "L4P1R0C0"}));

    // Everything else is unchanged.
    EXPECT_EQ(strided.name(), "Entropy");
    EXPECT_EQ(strings_of(*strided.sequence_labels()), (Strings{"tok0", "tok1"}));
    EXPECT_EQ(strided.units(), std::optional<std::string>("bits"));
    EXPECT_EQ(strided.min(), std::optional<float>(-3.0f));
    EXPECT_EQ(strided.max(), std::optional<float>(60.0f));
    EXPECT_TRUE(strided.includes_output());
}

TEST(TrajectoryStatisticStride, OutputStaysOnTheLastKeptRow) {
    const TrajectoryStatistic statistic(basic_fields(5, 1));
    EXPECT_EQ(strings_of(statistic.stride(3).layer_labels()), (Strings{"0", "3", "output"}));
    EXPECT_EQ(strings_of(statistic.stride(4).layer_labels()), (Strings{"0", "output"}));
    EXPECT_EQ(strings_of(statistic.stride(1).layer_labels()), (Strings{"0", "1", "2", "3", "output"}));
    const xt::xtensor<float, 2> expected_stats = {{0.0f}, {30.0f}, {40.0f}};
    EXPECT_EQ(statistic.stride(3).stats(), expected_stats);
}

TEST(TrajectoryStatisticStride, WithoutOutputKeepsTheLayerNumbers) {
    TrajectoryStatistic::Fields fields = basic_fields(5, 1);
    fields.includes_output = false;
    const TrajectoryStatistic strided = TrajectoryStatistic(std::move(fields)).stride(2);
    EXPECT_EQ(strings_of(strided.layer_labels()), (Strings{"0", "2", "4"}));
    EXPECT_FALSE(strided.includes_output());
}

TEST(TrajectoryStatisticStride, ExplicitLayerLabelsAreStrided) {
    TrajectoryStatistic::Fields fields = basic_fields(4, 1);
    fields.layer_labels = TextArray<1>::from_strings({4}, {"a", "b", "c", "d"});
    EXPECT_EQ(strings_of(TrajectoryStatistic(std::move(fields)).stride(2).layer_labels()), (Strings{"a", "c", "d"}));
}

TEST(TrajectoryStatisticStride, ZeroIsAnError) {
    const TrajectoryStatistic statistic(basic_fields(3, 1));
    error_message_of([&] { (void)statistic.stride(0); }, Errc::invalid_argument);
}

TEST(TrajectoryStatisticStride, LeavesTheSourceUnchanged) {
    TrajectoryStatistic::Fields fields = basic_fields(5, 2);
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(positional_labels(5, 2, 1, 1));
    const TrajectoryStatistic statistic(std::move(fields));
    (void)statistic.stride(2);
    EXPECT_EQ(statistic.n_layers(), 5u);
    EXPECT_EQ(statistic.stats(), positional_stats(5, 2));
    EXPECT_EQ(strings_of(statistic.layer_labels()), (Strings{"0", "1", "2", "3", "output"}));
    EXPECT_EQ(statistic.trajectory_labels()->n_layers(), 5u);
    EXPECT_EQ(statistic.trajectory_labels()->label_strings()(3, 1), "L3P1");
}

// ---------------------------------------------------------------------------
// TrajectoryStatistic::clip

TEST(TrajectoryStatisticClip, ClampsAndCarriesTheRange) {
    TrajectoryStatistic::Fields fields = basic_fields(2, 4);
    fields.stats = {{-inf_value, -1.0f, 0.25f, 0.0f}, {nan_value, 2.0f, inf_value, 1.0f}};
    fields.units = "nats";
    const TrajectoryStatistic statistic(std::move(fields));

    const TrajectoryStatistic clipped = statistic.clip(0.0f, 1.0f);
    EXPECT_EQ(clipped.min(), std::optional<float>(0.0f));
    EXPECT_EQ(clipped.max(), std::optional<float>(1.0f));
    const auto& s = clipped.stats();
    EXPECT_EQ(s(0, 0), 0.0f);  // -inf clamps to min
    EXPECT_EQ(s(0, 1), 0.0f);
    EXPECT_EQ(s(0, 2), 0.25f);
    EXPECT_EQ(s(0, 3), 0.0f);
    EXPECT_TRUE(std::isnan(s(1, 0)));  // NaN stays NaN
    EXPECT_EQ(s(1, 1), 1.0f);
    EXPECT_EQ(s(1, 2), 1.0f);  // +inf clamps to max
    EXPECT_EQ(s(1, 3), 1.0f);
    EXPECT_EQ(clipped.name(), "Entropy");
    EXPECT_EQ(clipped.units(), std::optional<std::string>("nats"));
}

TEST(TrajectoryStatisticClip, ReplacesAnEarlierRange) {
    TrajectoryStatistic::Fields fields = basic_fields(1, 3);  // 0, 1, 2
    fields.min = -5.0f;
    fields.max = 50.0f;
    const TrajectoryStatistic clipped = TrajectoryStatistic(std::move(fields)).clip(0.5f, 1.5f);
    EXPECT_EQ(clipped.min(), std::optional<float>(0.5f));
    EXPECT_EQ(clipped.max(), std::optional<float>(1.5f));
    const xt::xtensor<float, 2> expected = {{0.5f, 1.0f, 1.5f}};
    EXPECT_EQ(clipped.stats(), expected);
}

TEST(TrajectoryStatisticClip, RejectsBadBounds) {
    const TrajectoryStatistic statistic(basic_fields(1, 3));
    for (const auto& [min, max] : std::vector<std::pair<float, float>>{
             {1.0f, 0.0f}, {1.0f, 1.0f}, {nan_value, 1.0f}, {0.0f, nan_value}, {nan_value, nan_value}}) {
        error_message_of([&] { (void)statistic.clip(min, max); }, Errc::invalid_argument);
    }
}

TEST(TrajectoryStatisticClip, LeavesTheSourceUnchanged) {
    TrajectoryStatistic::Fields fields = basic_fields(2, 2);
    fields.stats = {{-10.0f, 10.0f}, {inf_value, 0.5f}};
    const TrajectoryStatistic statistic(std::move(fields));
    (void)statistic.clip(0.0f, 1.0f);
    const xt::xtensor<float, 2> expected = {{-10.0f, 10.0f}, {inf_value, 0.5f}};
    EXPECT_EQ(statistic.stats(), expected);
    EXPECT_FALSE(statistic.min().has_value());
    EXPECT_FALSE(statistic.max().has_value());
}

}  // namespace
