// What the two engines of the statistics, PredictionTrajectory
// (prediction_trajectory.cpp) and TrajectoryComparison
// (trajectory_comparison.cpp), share: the checks of their inputs and the
// record of which slabs are in (trajectory_inputs.cpp), the split of a
// slab's positions among threads and the batch mean (trajectory_engine.cpp),
// and the labels made from the top-k entries of every row (lens_labels.cpp).
// The per-row arithmetic is in lens_kernel.hpp; the token formatter, part of
// the public API, in token_format.cpp. Internal to the core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "lens_kernel.hpp"
#include "trajplot/model.hpp"
#include "trajplot/prediction_trajectory.hpp"
#include "trajplot/text_array.hpp"

namespace trajplot::lens {

// ---------------------------------------------------------------------------
// Inputs (trajectory_inputs.cpp)

// The product of `factors`; throws Error(Errc::range) naming `what` when it
// overflows size_t.
std::size_t checked_product(std::initializer_list<std::size_t> factors, const std::string& what);

// Throws Error naming the field and value on any invalid shape, input id or
// label option.
void validate_inputs(const TrajectoryInputs& inputs);
// `ids` (targets, anti-targets) must be batch x seq_len ids in [0, vocab).
void validate_ids(const std::vector<std::int64_t>& ids, const char* field, const TrajectoryShape& shape);

// "batch x layers x seq_len x vocab", for messages.
std::string shape_text(const TrajectoryShape& shape);

// Which slabs have been added, and the errors about them.
class SlabRegistry {
public:
    explicit SlabRegistry(const TrajectoryShape& shape);

    // Throws unless (batch_index, layer_index) is in range and not added yet.
    void check_new(std::size_t batch_index, std::size_t layer_index) const;

    bool added(std::size_t batch_index, std::size_t layer_index) const {
        return added_[batch_index * shape_.layers + layer_index] != 0;
    }
    // Returns how many layers of the batch item are now in.
    std::size_t mark(std::size_t batch_index, std::size_t layer_index);
    bool complete() const noexcept { return total_ == added_.size(); }

    // add_all reads a whole tensor: refused up front when some slab is
    // already in, rather than failing half-way with part of it added.
    void check_empty() const;

    // Throws, naming `statistic` and the first missing slab, unless every
    // slab is in.
    void check_complete(const char* statistic) const;

private:
    TrajectoryShape shape_;
    std::vector<unsigned char> added_;
    std::vector<std::size_t> layers_added_;
    std::size_t total_ = 0;
};

// ---------------------------------------------------------------------------
// Running (trajectory_engine.cpp)

// Runs reduce(begin, end) over blocks of [0, positions), one block per
// thread, on up to `threads` threads counting the caller's (0: one per CPU
// of the process). Small jobs stay on the caller's thread, where starting a
// thread would cost more than it saves. A thread the system cannot start is
// done without; an exception of any block is rethrown here once every
// thread has been joined.
void for_blocks_of_positions(std::size_t threads, std::size_t positions, std::size_t work_per_position,
                             const std::function<void(std::size_t begin, std::size_t end)>& reduce);

// The stats of every (layer, position), value(item, layer, position),
// averaged over the batch items: out_layers x seq_len.
xt::xtensor<float, 2> batch_mean(
    const TrajectoryShape& shape, std::size_t out_layers,
    const std::function<double(std::size_t item, std::size_t layer, std::size_t position)>& value);

// Computes a value once, on first use, from any thread.
template <class T>
class Lazy {
public:
    const T& get(const std::function<T()>& make) const {
        std::lock_guard lock(mutex_);
        if (!value_) value_ = make();
        return *value_;
    }

private:
    mutable std::mutex mutex_;
    mutable std::optional<T> value_;
};

// ---------------------------------------------------------------------------
// Labels (lens_labels.cpp)

// "xx.xx%" of a fraction, "Δxx.xx%" with_delta.
std::string percent_text(float fraction, bool with_delta);

// One label per position: the formatted input token, '*' where batch items
// differ. Empty without a vocabulary.
std::optional<TextArray<1>> build_sequence_labels(const TrajectoryInputs& inputs);

// The labels of a trajectory whose rows (batch item, layer, position) each
// have k top entries: cell texts are the formatted top-1 tokens,
// consolidated over the batch and blanked where keeps_label fails for some
// item; hover tables put the first items' (token, value) columns side by
// side, one row per entry.
std::shared_ptr<const TrajectoryLabels> build_labels(
    const TrajectoryInputs& inputs, std::size_t k, const std::vector<TopEntry>& top,
    const std::function<std::string(std::size_t row, const TopEntry&)>& value_text,
    const std::function<bool(std::size_t row, const TopEntry&)>& keeps_label);

}  // namespace trajplot::lens
