// PredictionTrajectory: the statistics of one trajectory, each slab reduced
// as it arrives to a few numbers per row and its top-k entries.
#include "trajplot/prediction_trajectory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "lens_kernel.hpp"
#include "trajectory_engine.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"

namespace trajplot {
namespace {

using lens::batch_mean;
using lens::build_labels;
using lens::build_sequence_labels;
using lens::checked_product;
using lens::for_blocks_of_positions;
using lens::Lazy;
using lens::percent_text;
using lens::shape_text;
using lens::SlabRegistry;
using lens::validate_ids;
using lens::validate_inputs;

constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

// What one (batch item, layer, position) reduces to.
struct RowResult {
    double log_normalizer = 0.0;  // c: log p = x - c
    double entropy = 0.0;
    double max_probability = 0.0;
    double target_log_prob = 0.0;
    double anti_target_log_prob = 0.0;
    double forward_kl = 0.0;
    double rank = 0.0;
};

}  // namespace

struct PredictionTrajectory::State {
    TrajectoryInputs inputs;
    TrajectoryTargets targets;
    bool forward_kl_wanted;
    std::size_t k;  // top entries kept per row; 0 without a vocabulary
    SlabRegistry registry;
    std::vector<RowResult> rows;      // batch x layers x seq_len
    std::vector<lens::TopEntry> top;  // rows x k
    // Forward KL: the output layer's probabilities of each batch item while
    // its other layers are pending, and per position sum p and
    // sum p log p.
    std::vector<std::vector<float>> output_probabilities;
    std::vector<double> output_sum_p;
    std::vector<double> output_sum_p_log_p;
    Lazy<std::shared_ptr<const TrajectoryLabels>> labels;
    Lazy<std::optional<TextArray<1>>> sequence_labels;

    State(TrajectoryInputs inputs_in, TrajectoryTargets targets_in, bool forward_kl_in)
        : inputs(std::move(inputs_in)),
          targets(std::move(targets_in)),
          forward_kl_wanted(forward_kl_in),
          k(inputs.vocabulary ? std::min(inputs.labels.top_k, inputs.shape.vocab) : 0),
          registry(inputs.shape) {
        const TrajectoryShape& shape = inputs.shape;
        const std::size_t row_count = shape.batch * shape.layers * shape.seq_len;
        check_memory(checked_product({row_count, sizeof(RowResult) + k * sizeof(lens::TopEntry)}, "the row results"),
                     "the row results");
        rows.resize(row_count);
        top.resize(row_count * k);
        if (needs_output_layer()) {
            output_probabilities.resize(shape.batch);
            output_sum_p.resize(shape.batch * shape.seq_len);
            output_sum_p_log_p.resize(shape.batch * shape.seq_len);
        }
    }

    // Forward KL compares every other layer with the output layer, so its
    // probabilities are needed while those layers are reduced.
    bool needs_output_layer() const noexcept { return forward_kl_wanted && inputs.shape.layers > 1; }

    std::size_t row_index(std::size_t item, std::size_t layer, std::size_t position) const {
        return (item * inputs.shape.layers + layer) * inputs.shape.seq_len + position;
    }

    void add(std::size_t item, std::size_t layer, const float* slab) {
        const TrajectoryShape& shape = inputs.shape;
        registry.check_new(item, layer);
        if (!slab) fail(Errc::invalid_argument, "slab is null");
        const std::size_t output_layer = shape.layers - 1;
        const bool needs_output = needs_output_layer();
        if (needs_output && layer != output_layer && !registry.added(item, output_layer)) {
            fail(Errc::invalid_argument,
                 "forward KL needs the output layer (layer " + std::to_string(output_layer) + ") of batch item " +
                     std::to_string(item) + " before its other layers, but layer " + std::to_string(layer) +
                     " came first; add the output layer first, or build the trajectory without forward KL");
        }
        if (needs_output && layer == output_layer) {
            const std::size_t floats = shape.seq_len * shape.vocab;
            check_memory(checked_product({floats, sizeof(float)}, "the output layer's probabilities"),
                         "the output layer's probabilities");
            output_probabilities[item].resize(floats);
        }
        float* output = needs_output ? output_probabilities[item].data() : nullptr;
        for_blocks_of_positions(inputs.threads, shape.seq_len, shape.vocab, [&](std::size_t begin, std::size_t end) {
            for (std::size_t position = begin; position < end; ++position) {
                reduce_row(item, layer, position, slab + position * shape.vocab,
                           output ? output + position * shape.vocab : nullptr);
            }
        });
        if (registry.mark(item, layer) == shape.layers && needs_output) {
            std::vector<float>().swap(output_probabilities[item]);  // every layer of the item is in
        }
    }

    // Every layer of a resident batch item (layers x seq_len x vocab floats),
    // position by position: the output row's probabilities are needed only
    // while that position's other rows are reduced, so each thread keeps one
    // row of them instead of a whole layer, and reads it from its cache.
    void add_resident_item(std::size_t item, const float* item_tensor) {
        const TrajectoryShape& shape = inputs.shape;
        for (std::size_t layer = 0; layer < shape.layers; ++layer) registry.check_new(item, layer);
        const bool needs_output = needs_output_layer();
        const std::size_t slab_size = shape.seq_len * shape.vocab;
        const std::size_t output_layer = shape.layers - 1;
        const auto reduce_positions = [&](std::size_t begin, std::size_t end) {
            std::vector<float> output_row(needs_output ? shape.vocab : 0);
            float* output = needs_output ? output_row.data() : nullptr;
            for (std::size_t position = begin; position < end; ++position) {
                const float* row = item_tensor + position * shape.vocab;
                reduce_row(item, output_layer, position, row + output_layer * slab_size, output);
                for (std::size_t layer = 0; layer < output_layer; ++layer) {
                    reduce_row(item, layer, position, row + layer * slab_size, output);
                }
            }
        };
        for_blocks_of_positions(inputs.threads, shape.seq_len, shape.layers * shape.vocab, reduce_positions);
        for (std::size_t layer = 0; layer < shape.layers; ++layer) registry.mark(item, layer);
    }

    // output_row: with forward KL (needs_output_layer()), where the output
    // layer's row writes its probabilities and the other layers' rows at
    // this position read them; null otherwise.
    void reduce_row(std::size_t item, std::size_t layer, std::size_t position, const float* x, float* output_row) {
        const TrajectoryShape& shape = inputs.shape;
        const std::size_t ids_index = item * shape.seq_len + position;
        const bool is_output = layer + 1 == shape.layers;
        const bool uses_output = output_row != nullptr;
        const float target_value =
            targets.targets ? x[static_cast<std::size_t>((*targets.targets)[ids_index])] : not_a_number;
        const std::size_t index = row_index(item, layer, position);
        lens::TopK top_k(top.data() + index * k, k);
        lens::RowSummary summary;
        lens::summarize_row(x, shape.vocab, target_value, uses_output && !is_output ? output_row : nullptr,
                            k ? &top_k : nullptr, summary);

        RowResult& row = rows[index];
        const double max = summary.max;
        const double c = inputs.values == ValueKind::logits ? max + std::log(summary.sum_exp) : 0.0;
        const double offset = max - c;  // log p = (x - max) + offset
        const double scale = std::exp(offset);
        row.log_normalizer = c;
        row.entropy = -scale * (summary.sum_exp_shifted + offset * summary.sum_exp);
        row.max_probability = scale;
        if (targets.targets) row.target_log_prob = target_value - c;
        if (targets.anti_targets) {
            row.anti_target_log_prob = x[static_cast<std::size_t>((*targets.anti_targets)[ids_index])] - c;
        }
        row.rank = 1.0 + static_cast<double>(summary.count_greater);
        if (uses_output && is_output) {
            const lens::ProbabilitySums sums =
                lens::write_probabilities(x, shape.vocab, summary.max, static_cast<float>(scale), output_row);
            output_sum_p[ids_index] = sums.sum_p;
            output_sum_p_log_p[ids_index] = sums.sum_p_x - c * sums.sum_p;
            row.forward_kl = 0.0;  // the output compared with itself
        } else if (uses_output) {
            // KL(out || layer) = sum p_out log p_out - sum p_out (x - c).
            const double cross = summary.sum_weighted - c * output_sum_p[ids_index];
            row.forward_kl = output_sum_p_log_p[ids_index] - cross;
        }
    }

    const std::shared_ptr<const TrajectoryLabels>& largest_prob_labels() const {
        return labels.get([&]() -> std::shared_ptr<const TrajectoryLabels> {
            if (!k) return nullptr;
            const float min_prob = inputs.labels.min_prob;
            const auto probability = [&](std::size_t row, const lens::TopEntry& entry) {
                return static_cast<float>(std::exp(static_cast<double>(entry.value) - rows[row].log_normalizer));
            };
            return build_labels(
                inputs, k, top,
                [&](std::size_t row, const lens::TopEntry& entry) {
                    return percent_text(probability(row, entry), false);
                },
                [&](std::size_t row, const lens::TopEntry& entry) { return !(probability(row, entry) < min_prob); });
        });
    }

    const std::optional<TextArray<1>>& sequence() const {
        return sequence_labels.get([&] { return build_sequence_labels(inputs); });
    }

    TrajectoryStatistic make(std::string name, xt::xtensor<float, 2> stats, std::optional<std::string> units,
                             std::optional<float> min, std::optional<float> max, bool with_labels = true,
                             bool includes_output = true) const {
        TrajectoryStatistic::Fields fields;
        fields.name = std::move(name);
        fields.stats = std::move(stats);
        fields.sequence_labels = sequence();
        if (with_labels) fields.trajectory_labels = largest_prob_labels();
        fields.units = std::move(units);
        fields.min = min;
        fields.max = max;
        fields.includes_output = includes_output;
        return TrajectoryStatistic(std::move(fields));
    }

    xt::xtensor<float, 2> mean(double RowResult::*field) const {
        return batch_mean(inputs.shape, inputs.shape.layers,
                          [&](std::size_t item, std::size_t layer, std::size_t position) {
                              return rows[row_index(item, layer, position)].*field;
                          });
    }
};

PredictionTrajectory::PredictionTrajectory(TrajectoryInputs inputs, TrajectoryTargets targets, bool forward_kl) {
    validate_inputs(inputs);
    if (targets.targets) validate_ids(*targets.targets, "targets", inputs.shape);
    if (targets.anti_targets) validate_ids(*targets.anti_targets, "anti_targets", inputs.shape);
    state_ = std::make_unique<State>(std::move(inputs), std::move(targets), forward_kl);
}

PredictionTrajectory::PredictionTrajectory(PredictionTrajectory&&) noexcept = default;
PredictionTrajectory& PredictionTrajectory::operator=(PredictionTrajectory&&) noexcept = default;
PredictionTrajectory::~PredictionTrajectory() = default;

void PredictionTrajectory::add(std::size_t batch_index, std::size_t layer_index, const float* slab) {
    state_->add(batch_index, layer_index, slab);
}

void PredictionTrajectory::add(std::size_t batch_index, std::size_t layer_index, std::span<const float> slab) {
    const TrajectoryShape& shape = state_->inputs.shape;
    if (slab.size() != shape.seq_len * shape.vocab) {
        fail(Errc::invalid_argument, "slab has " + std::to_string(slab.size()) + " floats; seq_len x vocab is " +
                                         std::to_string(shape.seq_len) + " x " + std::to_string(shape.vocab) + " = " +
                                         std::to_string(shape.seq_len * shape.vocab));
    }
    state_->add(batch_index, layer_index, slab.data());
}

void PredictionTrajectory::add_all(std::span<const float> tensor) {
    const TrajectoryShape& shape = state_->inputs.shape;
    const std::size_t slab_size = shape.seq_len * shape.vocab;
    if (tensor.size() != shape.batch * shape.layers * slab_size) {
        fail(Errc::invalid_argument, "tensor has " + std::to_string(tensor.size()) +
                                         " floats; batch x layers x seq_len x vocab is " + shape_text(shape) + " = " +
                                         std::to_string(shape.batch * shape.layers * slab_size));
    }
    state_->registry.check_empty();
    for (std::size_t item = 0; item < shape.batch; ++item) {
        state_->add_resident_item(item, tensor.data() + item * shape.layers * slab_size);
    }
}

bool PredictionTrajectory::complete() const noexcept { return state_->registry.complete(); }
const TrajectoryShape& PredictionTrajectory::shape() const noexcept { return state_->inputs.shape; }

TrajectoryStatistic PredictionTrajectory::entropy() const {
    state_->registry.check_complete("entropy");
    return state_->make("Entropy", state_->mean(&RowResult::entropy), "nats", std::nullopt, std::nullopt);
}

TrajectoryStatistic PredictionTrajectory::cross_entropy() const {
    if (!state_->targets.targets) fail(Errc::invalid_argument, "cross_entropy needs targets; none were given");
    state_->registry.check_complete("cross_entropy");
    xt::xtensor<float, 2> stats = -state_->mean(&RowResult::target_log_prob);
    return state_->make("Cross Entropy", std::move(stats), "nats", std::nullopt, std::nullopt);
}

TrajectoryStatistic PredictionTrajectory::forward_kl() const {
    if (!state_->forward_kl_wanted) {
        fail(Errc::invalid_argument, "forward_kl: the trajectory was built without forward KL");
    }
    state_->registry.check_complete("forward_kl");
    return state_->make("Forward KL", state_->mean(&RowResult::forward_kl), "nats", std::nullopt, std::nullopt);
}

TrajectoryStatistic PredictionTrajectory::max_probability() const {
    state_->registry.check_complete("max_probability");
    return state_->make("Max Probability", state_->mean(&RowResult::max_probability), "probs", std::nullopt,
                        std::nullopt);
}

TrajectoryStatistic PredictionTrajectory::rank(bool show_ranks) const {
    if (!state_->targets.targets) fail(Errc::invalid_argument, "rank needs targets; none were given");
    state_->registry.check_complete("rank");
    const auto& vocabulary = state_->inputs.vocabulary;
    // As tuned-lens: the colour scale ends at the tokenizer's vocabulary
    // size, when that is above rank's minimum of 1 (else it stays open).
    std::optional<float> max;
    if (vocabulary && vocabulary->size() > 1) max = static_cast<float>(vocabulary->size());
    TrajectoryStatistic statistic = state_->make("Rank", state_->mean(&RowResult::rank), "", 1.0f, max);
    if (!show_ranks || !statistic.trajectory_labels()) return statistic;
    // The rank as the cell text, truncated towards zero as "%d" does.
    const auto& stats = statistic.stats();
    const auto& shape = stats.shape();
    TextArray<2> rank_texts = TextArray<2>::build({shape[0], shape[1]}, [&](std::size_t i) {
        thread_local std::string text;
        text = std::to_string(static_cast<long long>(std::trunc(stats.data()[i])));
        return std::string_view(text);
    });
    TrajectoryStatistic::Fields fields;
    fields.name = statistic.name();
    fields.stats = stats;
    fields.sequence_labels = statistic.sequence_labels();
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        std::move(rank_texts), statistic.trajectory_labels()->hover_over_entries());
    fields.units = statistic.units();
    fields.min = statistic.min();
    fields.max = statistic.max();
    return TrajectoryStatistic(std::move(fields));
}

TrajectoryStatistic PredictionTrajectory::log_prob_diff(bool delta) const {
    if (!state_->targets.targets || !state_->targets.anti_targets) {
        fail(Errc::invalid_argument, "log_prob_diff needs targets and anti_targets");
    }
    const TrajectoryShape& shape = state_->inputs.shape;
    if (delta && shape.layers < 2) {
        fail(Errc::invalid_argument, "log_prob_diff(delta) needs at least 2 layers, the trajectory has 1");
    }
    state_->registry.check_complete("log_prob_diff");
    const auto difference = [&](std::size_t item, std::size_t layer, std::size_t position) {
        const RowResult& row = state_->rows[state_->row_index(item, layer, position)];
        return row.target_log_prob - row.anti_target_log_prob;
    };
    if (!delta) {
        return state_->make("Log Prob Difference", batch_mean(shape, shape.layers, difference), "nats", std::nullopt,
                            std::nullopt, false);
    }
    xt::xtensor<float, 2> stats =
        batch_mean(shape, shape.layers - 1, [&](std::size_t item, std::size_t layer, std::size_t position) {
            return difference(item, layer + 1, position) - difference(item, layer, position);
        });
    return state_->make("\u0394 Log Prob Difference", std::move(stats), "nats", std::nullopt, std::nullopt, false,
                        false);
}

std::shared_ptr<const TrajectoryLabels> PredictionTrajectory::labels() const {
    state_->registry.check_complete("labels");
    return state_->largest_prob_labels();
}

std::optional<TextArray<1>> PredictionTrajectory::sequence_labels() const { return state_->sequence(); }

}  // namespace trajplot
