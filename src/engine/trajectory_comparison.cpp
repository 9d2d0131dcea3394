// TrajectoryComparison: the statistics between two trajectories, fed pairs of
// slabs, each pair reduced as it arrives.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "lens_kernel.hpp"
#include "trajectory_engine.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/prediction_trajectory.hpp"

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
using lens::validate_inputs;

struct PairResult {
    double kl_self_other = 0.0;
    double half_symmetric_kl = 0.0;  // (KL(p || q) + KL(q || p)) / 2
    double js = 0.0;
    double total_variation = 0.0;
    double max_abs_difference = 0.0;
};

}  // namespace

struct TrajectoryComparison::State {
    TrajectoryInputs inputs;
    std::size_t k;
    SlabRegistry registry;
    std::vector<PairResult> rows;
    std::vector<lens::TopEntry> top;  // key |q - p|, value q - p
    Lazy<std::shared_ptr<const TrajectoryLabels>> labels;
    Lazy<std::optional<TextArray<1>>> sequence_labels;

    explicit State(TrajectoryInputs inputs_in)
        : inputs(std::move(inputs_in)),
          k(inputs.vocabulary ? std::min(inputs.labels.top_k, inputs.shape.vocab) : 0),
          registry(inputs.shape) {
        const TrajectoryShape& shape = inputs.shape;
        const std::size_t row_count = shape.batch * shape.layers * shape.seq_len;
        check_memory(checked_product({row_count, sizeof(PairResult) + k * sizeof(lens::TopEntry)}, "the row results"),
                     "the row results");
        rows.resize(row_count);
        top.resize(row_count * k);
    }

    std::size_t row_index(std::size_t item, std::size_t layer, std::size_t position) const {
        return (item * inputs.shape.layers + layer) * inputs.shape.seq_len + position;
    }

    lens::RowScale scale_of(float max, double sum_exp, double& c) const {
        c = inputs.values == ValueKind::logits ? static_cast<double>(max) + std::log(sum_exp) : 0.0;
        const double offset = max - c;
        return {max, static_cast<float>(std::exp(offset)), static_cast<float>(offset)};
    }

    void add(std::size_t item, std::size_t layer, const float* self_slab, const float* other_slab) {
        const TrajectoryShape& shape = inputs.shape;
        registry.check_new(item, layer);
        if (!self_slab) fail(Errc::invalid_argument, "self_slab is null");
        if (!other_slab) fail(Errc::invalid_argument, "other_slab is null");
        const auto reduce_positions = [&](std::size_t begin, std::size_t end) {
            for (std::size_t position = begin; position < end; ++position) {
                const std::size_t offset = position * shape.vocab;
                reduce_pair(row_index(item, layer, position), self_slab + offset, other_slab + offset);
            }
        };
        for_blocks_of_positions(inputs.threads, shape.seq_len, 2 * shape.vocab, reduce_positions);
        registry.mark(item, layer);
    }

    void reduce_pair(std::size_t index, const float* xp, const float* xq) {
        const std::size_t vocab = inputs.shape.vocab;
        lens::PairSummary summary;
        lens::summarize_pair(xp, xq, vocab, summary);
        double c_p = 0.0, c_q = 0.0;
        const lens::RowScale p_scale = scale_of(summary.max_p, summary.sum_exp_p, c_p);
        const lens::RowScale q_scale = scale_of(summary.max_q, summary.sum_exp_q, c_q);
        const double scale_p = std::exp(summary.max_p - c_p);
        const double scale_q = std::exp(summary.max_q - c_q);
        PairResult& row = rows[index];
        // KL(p || q) = sum p (xp - xq) - (c_p - c_q) sum p.
        row.kl_self_other = scale_p * summary.cross_p - (c_p - c_q) * scale_p * summary.sum_exp_p;
        const double kl_other_self = scale_q * summary.cross_q - (c_q - c_p) * scale_q * summary.sum_exp_q;
        row.half_symmetric_kl = 0.5 * (row.kl_self_other + kl_other_self);
        lens::TopK top_k(top.data() + index * k, k);
        lens::PairMix mix;
        lens::mix_pair(xp, xq, vocab, p_scale, q_scale, k ? &top_k : nullptr, mix);
        // Exactly, it is not negative; rounding must not make it so.
        row.js = std::max(0.0, 0.5 * mix.js_sum);
        row.total_variation = 0.5 * mix.abs_diff_sum;
        row.max_abs_difference = mix.max_abs_diff;
    }

    const std::shared_ptr<const TrajectoryLabels>& delta_labels() const {
        return labels.get([&]() -> std::shared_ptr<const TrajectoryLabels> {
            if (!k) return nullptr;
            const float min_prob_delta = inputs.labels.min_prob_delta;
            return build_labels(
                inputs, k, top,
                [](std::size_t, const lens::TopEntry& entry) { return percent_text(entry.value, true); },
                [&](std::size_t, const lens::TopEntry& entry) { return entry.key > min_prob_delta; });
        });
    }

    TrajectoryStatistic make(std::string name, double PairResult::*field, std::optional<std::string> units,
                             std::optional<float> min, std::optional<float> max) const {
        TrajectoryStatistic::Fields fields;
        fields.name = std::move(name);
        fields.stats = batch_mean(inputs.shape, inputs.shape.layers,
                                  [&](std::size_t item, std::size_t layer, std::size_t position) {
                                      return rows[row_index(item, layer, position)].*field;
                                  });
        fields.sequence_labels = sequence_labels.get([&] { return build_sequence_labels(inputs); });
        fields.trajectory_labels = delta_labels();
        fields.units = std::move(units);
        fields.min = min;
        fields.max = max;
        return TrajectoryStatistic(std::move(fields));
    }
};

TrajectoryComparison::TrajectoryComparison(TrajectoryInputs inputs) {
    validate_inputs(inputs);
    state_ = std::make_unique<State>(std::move(inputs));
}

TrajectoryComparison::TrajectoryComparison(TrajectoryComparison&&) noexcept = default;
TrajectoryComparison& TrajectoryComparison::operator=(TrajectoryComparison&&) noexcept = default;
TrajectoryComparison::~TrajectoryComparison() = default;

void TrajectoryComparison::add(std::size_t batch_index, std::size_t layer_index, const float* self_slab,
                               const float* other_slab) {
    state_->add(batch_index, layer_index, self_slab, other_slab);
}

void TrajectoryComparison::add(std::size_t batch_index, std::size_t layer_index, std::span<const float> self_slab,
                               std::span<const float> other_slab) {
    const TrajectoryShape& shape = state_->inputs.shape;
    const std::size_t expected = shape.seq_len * shape.vocab;
    const std::pair<const char*, std::size_t> slabs[] = {{"self_slab", self_slab.size()},
                                                         {"other_slab", other_slab.size()}};
    for (const auto& [name, size] : slabs) {
        if (size != expected) {
            fail(Errc::invalid_argument, std::string(name) + " has " + std::to_string(size) +
                                             " floats; seq_len x vocab is " + std::to_string(shape.seq_len) + " x " +
                                             std::to_string(shape.vocab) + " = " + std::to_string(expected));
        }
    }
    state_->add(batch_index, layer_index, self_slab.data(), other_slab.data());
}

void TrajectoryComparison::add_all(std::span<const float> self_tensor, std::span<const float> other_tensor) {
    const TrajectoryShape& shape = state_->inputs.shape;
    const std::size_t slab_size = shape.seq_len * shape.vocab;
    const std::size_t expected = shape.batch * shape.layers * slab_size;
    const std::pair<const char*, std::size_t> tensors[] = {{"self_tensor", self_tensor.size()},
                                                           {"other_tensor", other_tensor.size()}};
    for (const auto& [name, size] : tensors) {
        if (size != expected) {
            fail(Errc::invalid_argument, std::string(name) + " has " + std::to_string(size) +
                                             " floats; batch x layers x seq_len x vocab is " + shape_text(shape) +
                                             " = " + std::to_string(expected));
        }
    }
    state_->registry.check_empty();
    for (std::size_t slab = 0; slab < shape.batch * shape.layers; ++slab) {
        state_->add(slab / shape.layers, slab % shape.layers, self_tensor.data() + slab * slab_size,
                    other_tensor.data() + slab * slab_size);
    }
}

bool TrajectoryComparison::complete() const noexcept { return state_->registry.complete(); }
const TrajectoryShape& TrajectoryComparison::shape() const noexcept { return state_->inputs.shape; }

TrajectoryStatistic TrajectoryComparison::kl_divergence() const {
    state_->registry.check_complete("kl_divergence");
    return state_->make("KL(Self | Other)", &PairResult::kl_self_other, "nats", 0.0f, std::nullopt);
}

TrajectoryStatistic TrajectoryComparison::js_divergence() const {
    state_->registry.check_complete("js_divergence");
    return state_->make("JS(Self | Other)", &PairResult::js, "nats", 0.0f, std::nullopt);
}

TrajectoryStatistic TrajectoryComparison::half_symmetric_kl() const {
    state_->registry.check_complete("half_symmetric_kl");
    return state_->make("(KL(Self | Other) + KL(Other | Self)) / 2", &PairResult::half_symmetric_kl, "nats", 0.0f,
                        std::nullopt);
}

TrajectoryStatistic TrajectoryComparison::total_variation() const {
    state_->registry.check_complete("total_variation");
    return state_->make("TV(Self | Other)", &PairResult::total_variation, "probs", 0.0f, 1.0f);
}

TrajectoryStatistic TrajectoryComparison::max_abs_prob_difference() const {
    state_->registry.check_complete("max_abs_prob_difference");
    return state_->make("Max |\u0394p|(Self | Other)", &PairResult::max_abs_difference, "probs", 0.0f, 1.0f);
}

std::shared_ptr<const TrajectoryLabels> TrajectoryComparison::labels() const {
    state_->registry.check_complete("labels");
    return state_->delta_labels();
}

std::optional<TextArray<1>> TrajectoryComparison::sequence_labels() const {
    return state_->sequence_labels.get([&] { return build_sequence_labels(state_->inputs); });
}

}  // namespace trajplot
