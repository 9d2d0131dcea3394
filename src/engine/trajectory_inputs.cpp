// The checks of what both statistics engines are given: shapes, token ids,
// label options, and the slabs as they arrive.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "trajectory_engine.hpp"
#include "trajplot/error.hpp"

namespace trajplot::lens {
namespace {

void validate_shape(const TrajectoryShape& shape) {
    const std::pair<const char*, std::size_t> extents[] = {
        {"batch", shape.batch}, {"layers", shape.layers}, {"seq_len", shape.seq_len}, {"vocab", shape.vocab}};
    for (const auto& [name, extent] : extents) {
        if (extent == 0) fail(Errc::invalid_argument, std::string("shape.") + name + " must be at least 1, got 0");
    }
    if (shape.vocab > std::numeric_limits<std::uint32_t>::max()) {
        fail(Errc::range, "shape.vocab is " + std::to_string(shape.vocab) + "; at most " +
                              std::to_string(std::numeric_limits<std::uint32_t>::max()) + " is supported");
    }
    checked_product({shape.batch, shape.layers, shape.seq_len, shape.vocab, sizeof(float)},
                    "batch x layers x seq_len x vocab");
}

}  // namespace

std::size_t checked_product(std::initializer_list<std::size_t> factors, const std::string& what) {
    std::size_t product = 1;
    for (const std::size_t factor : factors) {
        if (factor != 0 && product > SIZE_MAX / factor) fail(Errc::range, what + " overflows size_t");
        product *= factor;
    }
    return product;
}

void validate_ids(const std::vector<std::int64_t>& ids, const char* field, const TrajectoryShape& shape) {
    const std::size_t expected = shape.batch * shape.seq_len;
    if (ids.size() != expected) {
        fail(Errc::invalid_argument, std::string(field) + " has " + std::to_string(ids.size()) +
                                         " entries; batch x seq_len is " + std::to_string(shape.batch) + " x " +
                                         std::to_string(shape.seq_len) + " = " + std::to_string(expected));
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || static_cast<std::uint64_t>(ids[i]) >= shape.vocab) {
            fail(Errc::invalid_argument, std::string(field) + "[" + std::to_string(i / shape.seq_len) + "][" +
                                             std::to_string(i % shape.seq_len) + "] is " + std::to_string(ids[i]) +
                                             "; token ids must be in [0, " + std::to_string(shape.vocab) + ")");
        }
    }
}

void validate_inputs(const TrajectoryInputs& inputs) {
    validate_shape(inputs.shape);
    validate_ids(inputs.input_ids, "input_ids", inputs.shape);
    const LabelOptions& labels = inputs.labels;
    if (labels.top_k < 1) fail(Errc::invalid_argument, "labels.top_k must be at least 1, got 0");
    if (labels.max_batch_items_shown < 1) {
        fail(Errc::invalid_argument, "labels.max_batch_items_shown must be at least 1, got 0");
    }
    if (std::isnan(labels.min_prob)) fail(Errc::invalid_argument, "labels.min_prob must not be NaN");
    if (std::isnan(labels.min_prob_delta)) fail(Errc::invalid_argument, "labels.min_prob_delta must not be NaN");
    labels.format.validate();
    // threads 0 stands for one per CPU of the process: every value is valid.
}

std::string shape_text(const TrajectoryShape& shape) {
    return std::to_string(shape.batch) + " x " + std::to_string(shape.layers) + " x " + std::to_string(shape.seq_len) +
           " x " + std::to_string(shape.vocab);
}

SlabRegistry::SlabRegistry(const TrajectoryShape& shape)
    : shape_(shape), added_(shape.batch * shape.layers, 0), layers_added_(shape.batch, 0) {}

void SlabRegistry::check_new(std::size_t batch_index, std::size_t layer_index) const {
    if (batch_index >= shape_.batch) {
        fail(Errc::invalid_argument, "batch_index " + std::to_string(batch_index) +
                                         " is out of range; the trajectory has " + std::to_string(shape_.batch) +
                                         " batch items");
    }
    if (layer_index >= shape_.layers) {
        fail(Errc::invalid_argument, "layer_index " + std::to_string(layer_index) +
                                         " is out of range; the trajectory has " + std::to_string(shape_.layers) +
                                         " layers");
    }
    if (added(batch_index, layer_index)) {
        fail(Errc::invalid_argument, "the slab of batch item " + std::to_string(batch_index) + ", layer " +
                                         std::to_string(layer_index) + " was already added");
    }
}

std::size_t SlabRegistry::mark(std::size_t batch_index, std::size_t layer_index) {
    added_[batch_index * shape_.layers + layer_index] = 1;
    ++total_;
    return ++layers_added_[batch_index];
}

void SlabRegistry::check_empty() const {
    if (total_ == 0) return;
    fail(Errc::invalid_argument, "add_all needs a trajectory without slabs, but " + std::to_string(total_) + " of " +
                                     std::to_string(added_.size()) + " were already added");
}

void SlabRegistry::check_complete(const char* statistic) const {
    if (complete()) return;
    const std::size_t first = static_cast<std::size_t>(std::find(added_.begin(), added_.end(), 0) - added_.begin());
    fail(Errc::invalid_argument,
         std::string(statistic) + ": the statistics need every slab: " + std::to_string(added_.size() - total_) +
             " of " + std::to_string(added_.size()) + " are missing, the first is batch item " +
             std::to_string(first / shape_.layers) + ", layer " + std::to_string(first % shape_.layers));
}

}  // namespace trajplot::lens
