// Fixtures of the C API tests of the statistics engine: lens outputs made
// from a seed, owners of the engine's handles, and everything a caller can
// read back from a statistic or labels handle, as plain values to compare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

namespace capi_lens_test {

using capi_test::LabelsPtr;
using capi_test::StatisticPtr;

// batch x layers x seq_len x vocab; the last layer is the model's output.
struct Shape {
    std::size_t batch = 1;
    std::size_t layers = 1;
    std::size_t seq_len = 1;
    std::size_t vocab = 1;

    std::size_t slab_len() const { return seq_len * vocab; }
    std::size_t tensor_len() const { return batch * layers * slab_len(); }
    std::size_t id_count() const { return batch * seq_len; }
};

// A resident lens output, row-major (batch, layer, position, vocab).
struct Tensor {
    Shape shape;
    std::vector<float> values;

    float* row(std::size_t item, std::size_t layer, std::size_t position) {
        return values.data() + ((item * shape.layers + layer) * shape.seq_len + position) * shape.vocab;
    }
    const float* row(std::size_t item, std::size_t layer, std::size_t position) const {
        return values.data() + ((item * shape.layers + layer) * shape.seq_len + position) * shape.vocab;
    }
    const float* slab(std::size_t item, std::size_t layer) const { return row(item, layer, 0); }
};

// Normally distributed logits: with continuous values no two tokens of a
// row tie, so the most likely tokens are unambiguous.
inline Tensor random_logits(const Shape& shape, unsigned seed, float spread = 3.0f) {
    Tensor tensor{shape, std::vector<float>(shape.tensor_len())};
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, spread);
    for (float& value : tensor.values) value = normal(rng);
    return tensor;
}

inline std::vector<std::int64_t> random_ids(const Shape& shape, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> id(0, static_cast<std::int64_t>(shape.vocab) - 1);
    std::vector<std::int64_t> ids(shape.id_count());
    for (std::int64_t& value : ids) value = id(rng);
    return ids;
}

struct VocabularyDeleter {
    void operator()(trajplot_vocabulary* vocabulary) const noexcept { trajplot_vocabulary_free(vocabulary); }
};
struct TrajectoryDeleter {
    void operator()(trajplot_trajectory* trajectory) const noexcept { trajplot_trajectory_free(trajectory); }
};
struct ComparisonDeleter {
    void operator()(trajplot_comparison* comparison) const noexcept { trajplot_comparison_free(comparison); }
};
using VocabularyPtr = std::unique_ptr<trajplot_vocabulary, VocabularyDeleter>;
using TrajectoryPtr = std::unique_ptr<trajplot_trajectory, TrajectoryDeleter>;
using ComparisonPtr = std::unique_ptr<trajplot_comparison, ComparisonDeleter>;

// Tokens passed with their byte lengths, so they may hold NUL bytes.
inline VocabularyPtr make_vocabulary(const std::vector<std::string>& tokens) {
    const auto pointers = capi_test::c_strings(tokens);
    const auto lengths = capi_test::byte_lengths(tokens);
    trajplot_vocabulary* created = nullptr;
    EXPECT_EQ(trajplot_vocabulary_create(&created, pointers.data(), lengths.data(), tokens.size()), TRAJPLOT_OK)
        << trajplot_error_last();
    return VocabularyPtr(created);
}

inline TrajectoryPtr make_trajectory(const Shape& shape, const std::vector<std::int64_t>& input_ids,
                                     const std::vector<std::int64_t>* targets = nullptr,
                                     const std::vector<std::int64_t>* anti_targets = nullptr,
                                     const trajplot_trajectory_options* options = nullptr) {
    trajplot_trajectory* created = nullptr;
    EXPECT_EQ(trajplot_trajectory_create(&created, shape.batch, shape.layers, shape.seq_len, shape.vocab,
                                         input_ids.data(), targets != nullptr ? targets->data() : nullptr,
                                         anti_targets != nullptr ? anti_targets->data() : nullptr, options),
              TRAJPLOT_OK)
        << trajplot_error_last();
    return TrajectoryPtr(created);
}

inline ComparisonPtr make_comparison(const Shape& shape, const std::vector<std::int64_t>& input_ids,
                                     const trajplot_trajectory_options* options = nullptr) {
    trajplot_comparison* created = nullptr;
    EXPECT_EQ(trajplot_comparison_create(&created, shape.batch, shape.layers, shape.seq_len, shape.vocab,
                                         input_ids.data(), options),
              TRAJPLOT_OK)
        << trajplot_error_last();
    return ComparisonPtr(created);
}

// The measures of one trajectory and of two, in the header's order.
inline const std::vector<int>& trajectory_measures() {
    static const std::vector<int> measures = {TRAJPLOT_MEASURE_ENTROPY,
                                              TRAJPLOT_MEASURE_CROSS_ENTROPY,
                                              TRAJPLOT_MEASURE_FORWARD_KL,
                                              TRAJPLOT_MEASURE_MAX_PROBABILITY,
                                              TRAJPLOT_MEASURE_RANK,
                                              TRAJPLOT_MEASURE_LOG_PROB_DIFF,
                                              TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA};
    return measures;
}
inline const std::vector<int>& comparison_measures() {
    static const std::vector<int> measures = {TRAJPLOT_MEASURE_KL_DIVERGENCE, TRAJPLOT_MEASURE_JS_DIVERGENCE,
                                              TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL, TRAJPLOT_MEASURE_TOTAL_VARIATION,
                                              TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE};
    return measures;
}

// Everything a labels handle holds.
struct LabelsView {
    std::size_t n_layers = 0, seq_len = 0, rows = 0, cols = 0;
    std::vector<std::string> cells;  // (layer, position)
    std::vector<std::string> hover;  // (layer, position, row, col)

    const std::string& cell(std::size_t layer, std::size_t position) const { return cells[layer * seq_len + position]; }
    const std::string& entry(std::size_t layer, std::size_t position, std::size_t row, std::size_t col) const {
        return hover[((layer * seq_len + position) * rows + row) * cols + col];
    }
    bool operator==(const LabelsView&) const = default;
};

inline LabelsView read_labels(const trajplot_labels* labels) {
    LabelsView view;
    EXPECT_EQ(trajplot_labels_shape(&view.n_layers, &view.seq_len, &view.rows, &view.cols, labels), TRAJPLOT_OK)
        << trajplot_error_last();
    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            const char* text = nullptr;
            std::size_t len = 0;
            EXPECT_EQ(trajplot_labels_label(&text, &len, labels, layer, position), TRAJPLOT_OK)
                << trajplot_error_last();
            view.cells.emplace_back(text != nullptr ? text : "", len);
            for (std::size_t row = 0; row < view.rows; ++row) {
                for (std::size_t col = 0; col < view.cols; ++col) {
                    EXPECT_EQ(trajplot_labels_hover_entry(&text, &len, labels, layer, position, row, col), TRAJPLOT_OK)
                        << trajplot_error_last();
                    view.hover.emplace_back(text != nullptr ? text : "", len);
                }
            }
        }
    }
    return view;
}

// Everything a statistic holds.
struct StatisticView {
    std::string name;
    std::optional<std::string> units;
    std::optional<float> min, max;
    bool includes_output = false;
    std::size_t n_layers = 0, seq_len = 0;
    std::vector<float> stats;
    std::vector<std::string> layer_labels;
    std::optional<std::vector<std::string>> sequence_labels;
    std::optional<LabelsView> labels;
    bool operator==(const StatisticView&) const = default;
};

inline StatisticView read_statistic(const trajplot_statistic* statistic) {
    StatisticView view;
    const char* text = nullptr;
    EXPECT_EQ(trajplot_statistic_name(&text, statistic), TRAJPLOT_OK) << trajplot_error_last();
    if (text != nullptr) view.name = text;
    text = capi_test::sentinel_const_string();
    EXPECT_EQ(trajplot_statistic_units(&text, statistic), TRAJPLOT_OK) << trajplot_error_last();
    if (text != nullptr) view.units = text;
    bool has_min = false, has_max = false;
    float min = capi_test::sentinel_float, max = capi_test::sentinel_float;
    EXPECT_EQ(trajplot_statistic_range(&has_min, &min, &has_max, &max, statistic), TRAJPLOT_OK)
        << trajplot_error_last();
    if (has_min) view.min = min;
    if (has_max) view.max = max;
    EXPECT_EQ(trajplot_statistic_includes_output(&view.includes_output, statistic), TRAJPLOT_OK)
        << trajplot_error_last();
    EXPECT_EQ(trajplot_statistic_shape(&view.n_layers, &view.seq_len, statistic), TRAJPLOT_OK) << trajplot_error_last();
    view.stats = capi_test::read_stats(statistic);
    view.layer_labels = capi_test::read_layer_labels(statistic);
    std::vector<std::string> sequence;
    bool has_sequence = false;
    for (std::size_t position = 0; position < view.seq_len; ++position) {
        std::size_t len = capi_test::sentinel_size;
        text = capi_test::sentinel_const_string();
        EXPECT_EQ(trajplot_statistic_sequence_label(&text, &len, statistic, position), TRAJPLOT_OK)
            << trajplot_error_last();
        if (text == nullptr) {
            EXPECT_EQ(len, 0u) << "a missing sequence label has length 0";
        } else {
            has_sequence = true;
            sequence.emplace_back(text, len);
        }
    }
    if (has_sequence) {
        EXPECT_EQ(sequence.size(), view.seq_len) << "sequence labels are all there or all missing";
        view.sequence_labels = sequence;
    }
    trajplot_labels* labels = capi_test::sentinel_labels();
    EXPECT_EQ(trajplot_statistic_trajectory_labels(&labels, statistic), TRAJPLOT_OK) << trajplot_error_last();
    if (labels != nullptr && labels != capi_test::sentinel_labels()) {
        const LabelsPtr owner(labels);
        view.labels = read_labels(labels);
    }
    return view;
}

// The statistic of `measure` read back; fails the test (returning an empty
// view) when the call fails.
inline StatisticView trajectory_view(const trajplot_trajectory* trajectory, int measure, unsigned flags = 0) {
    trajplot_statistic* statistic = nullptr;
    EXPECT_EQ(trajplot_trajectory_statistic(&statistic, trajectory, measure, flags), TRAJPLOT_OK)
        << trajplot_measure_name(measure) << ": " << trajplot_error_last();
    const StatisticPtr owner(statistic);
    return statistic != nullptr ? read_statistic(statistic) : StatisticView{};
}

inline StatisticView comparison_view(const trajplot_comparison* comparison, int measure) {
    trajplot_statistic* statistic = nullptr;
    EXPECT_EQ(trajplot_comparison_statistic(&statistic, comparison, measure, 0), TRAJPLOT_OK)
        << trajplot_measure_name(measure) << ": " << trajplot_error_last();
    const StatisticPtr owner(statistic);
    return statistic != nullptr ? read_statistic(statistic) : StatisticView{};
}

}  // namespace capi_lens_test
