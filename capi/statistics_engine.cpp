// The statistics engine: vocabularies, trajectories and comparisons filled
// with a lens's outputs, and the statistics taken from them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "boundary.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/prediction_trajectory.hpp"
#include "trajplot/text.hpp"

// The vocabulary is shared with every trajectory made with it, as the core
// takes it.
struct trajplot_vocabulary {
    std::shared_ptr<const std::vector<std::string>> tokens;
};

// Filled by one thread; read by many once complete (the core's statistics
// are computed once, under its own lock).
struct trajplot_trajectory {
    trajplot::PredictionTrajectory value;
};

struct trajplot_comparison {
    trajplot::TrajectoryComparison value;
};

using namespace trajplot::capi;
using trajplot::Errc;
using trajplot::fail;

namespace {

struct MeasureInfo {
    trajplot_measure measure;
    const char* name;
};

constexpr MeasureInfo measures[] = {
    {TRAJPLOT_MEASURE_ENTROPY, "entropy"},
    {TRAJPLOT_MEASURE_CROSS_ENTROPY, "cross_entropy"},
    {TRAJPLOT_MEASURE_FORWARD_KL, "forward_kl"},
    {TRAJPLOT_MEASURE_MAX_PROBABILITY, "max_probability"},
    {TRAJPLOT_MEASURE_RANK, "rank"},
    {TRAJPLOT_MEASURE_LOG_PROB_DIFF, "log_prob_diff"},
    {TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA, "log_prob_diff_delta"},
    {TRAJPLOT_MEASURE_KL_DIVERGENCE, "kl_divergence"},
    {TRAJPLOT_MEASURE_JS_DIVERGENCE, "js_divergence"},
    {TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL, "half_symmetric_kl"},
    {TRAJPLOT_MEASURE_TOTAL_VARIATION, "total_variation"},
    {TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE, "max_abs_prob_difference"},
};

const MeasureInfo* find_measure(int measure) noexcept {
    for (const MeasureInfo& info : measures) {
        if (info.measure == measure) return &info;
    }
    return nullptr;
}

bool is_comparison_measure(int measure) noexcept { return measure >= TRAJPLOT_MEASURE_KL_DIVERGENCE; }

const trajplot::PredictionTrajectory& trajectory_of(const trajplot_trajectory* handle) {
    require(handle, "trajectory");
    return handle->value;
}

trajplot::PredictionTrajectory& trajectory_of(trajplot_trajectory* handle) {
    require(handle, "trajectory");
    return handle->value;
}

const trajplot::TrajectoryComparison& comparison_of(const trajplot_comparison* handle) {
    require(handle, "comparison");
    return handle->value;
}

trajplot::TrajectoryComparison& comparison_of(trajplot_comparison* handle) {
    require(handle, "comparison");
    return handle->value;
}

const trajplot_trajectory_options default_trajectory_options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;

void set_if_given(std::string& field, const char* given) {
    if (given != nullptr) field = utf8_string(given);
}

// The core's inputs from the C arguments; every array is copied here, so
// the caller may free them once the call returns.
trajplot::TrajectoryInputs trajectory_inputs(std::size_t batch, std::size_t n_layers, std::size_t seq_len,
                                             std::size_t vocab, const std::int64_t* input_ids,
                                             const trajplot_trajectory_options* options) {
    const trajplot_trajectory_options& given = options != nullptr ? *options : default_trajectory_options;
    require_version(given.version, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION, "options->version",
                    "TRAJPLOT_TRAJECTORY_OPTIONS_VERSION");
    require(input_ids, "input_ids");
    // Every dimension is named in the message, and the tensor must be
    // addressable (add_all takes it whole), but it is streamed, never held:
    // the memory limit bounds what the trajectory keeps, not the tensor.
    addressable_count({{"batch", batch}, {"n_layers", n_layers}, {"seq_len", seq_len}, {"vocab", vocab}},
                      sizeof(float));
    if (batch == 0 || n_layers == 0 || seq_len == 0 || vocab == 0) {
        invalid("every dimension must be at least 1, got ",
                dimensions_text({{"batch", batch}, {"n_layers", n_layers}, {"seq_len", seq_len}, {"vocab", vocab}}));
    }
    const std::size_t id_count = checked_count({{"batch", batch}, {"seq_len", seq_len}}, sizeof(std::int64_t));

    trajplot::TrajectoryInputs inputs;
    inputs.shape = {batch, n_layers, seq_len, vocab};
    switch (given.values) {
        case TRAJPLOT_VALUES_LOGITS: inputs.values = trajplot::ValueKind::logits; break;
        case TRAJPLOT_VALUES_LOG_PROBS: inputs.values = trajplot::ValueKind::log_probs; break;
        default:
            invalid("options->values is ", given.values, "; expected TRAJPLOT_VALUES_LOGITS (0) or ",
                    "TRAJPLOT_VALUES_LOG_PROBS (1)");
    }
    inputs.input_ids.assign(input_ids, input_ids + id_count);
    if (given.vocabulary != nullptr) {
        require(given.vocabulary->tokens.get(), "options->vocabulary");
        inputs.vocabulary = given.vocabulary->tokens;
    }
    trajplot::LabelOptions& labels = inputs.labels;
    if (given.top_k == 0) invalid("options->top_k must be at least 1, got 0");
    if (given.max_batch_items_shown == 0) invalid("options->max_batch_items_shown must be at least 1, got 0");
    // The core checks these too, but names its own fields.
    if (std::isnan(given.min_prob)) invalid("options->min_prob is NaN; expected a probability");
    if (std::isnan(given.min_prob_delta)) invalid("options->min_prob_delta is NaN; expected a probability");
    if (given.newline_token != nullptr && *given.newline_token == '\0') {
        invalid("options->newline_token must not be empty (NULL for the default)");
    }
    if (given.whitespace_token != nullptr && *given.whitespace_token == '\0') {
        invalid("options->whitespace_token must not be empty (NULL for the default)");
    }
    labels.top_k = given.top_k;
    labels.min_prob = given.min_prob;
    labels.min_prob_delta = given.min_prob_delta;
    labels.max_batch_items_shown = given.max_batch_items_shown;
    trajplot::TokenFormat& format = labels.format;
    format.max_string_len = given.max_string_len == 0 ? std::nullopt : std::optional<std::size_t>(given.max_string_len);
    set_if_given(format.ellipsis, given.ellipsis);
    set_if_given(format.newline_token, given.newline_token);
    set_if_given(format.newline_replacement, given.newline_replacement);
    set_if_given(format.whitespace_token, given.whitespace_token);
    set_if_given(format.whitespace_replacement, given.whitespace_replacement);
    if (format.max_string_len && *format.max_string_len < trajplot::code_point_count(format.ellipsis)) {
        invalid("options->max_string_len is ", given.max_string_len,
                "; it must be 0 (never shortened) or at least the ellipsis's length (",
                trajplot::code_point_count(format.ellipsis), " code points)");
    }
    // 0 is the core's default too: the CPUs this process may use.
    inputs.threads = given.threads;
    return inputs;
}

std::optional<std::vector<std::int64_t>> optional_ids(const std::int64_t* ids, const trajplot::TrajectoryShape& shape) {
    if (ids == nullptr) return std::nullopt;
    return std::vector<std::int64_t>(ids, ids + shape.batch * shape.seq_len);
}

std::size_t slab_floats(const trajplot::TrajectoryShape& shape) { return shape.seq_len * shape.vocab; }

void require_length(std::size_t given, const char* name, std::size_t expected, const char* what) {
    if (given != expected) invalid(name, " is ", given, " but ", what, " is ", expected);
}

void require_no_flags(unsigned int flags, const char* measure_name) {
    if (flags != 0) invalid("flags ", flags, " are not known for ", measure_name, " (expected 0)");
}

void give_labels(trajplot_labels** out, std::shared_ptr<const trajplot::TrajectoryLabels> labels) {
    *out = labels ? new_handle(std::move(labels)) : nullptr;
}

}  // namespace

trajplot_status trajplot_vocabulary_create(trajplot_vocabulary** out, const char* const* tokens, const size_t* lengths,
                                           size_t size) {
    return guarded(__func__, [&] {
        require(out, "out");
        if (size > 0) require(tokens, "tokens");
        checked_count({{"size", size}}, sizeof(std::string));
        require_elements(tokens, size, "tokens");
        std::size_t bytes = 0;
        for (std::size_t i = 0; i < size; ++i) {
            const std::size_t length = string_at(tokens, lengths, i).size();
            if (length > max_object_bytes - bytes) fail(Errc::range, "the tokens' bytes overflow the address space");
            bytes += length;
        }
        trajplot::check_memory(bytes, "the vocabulary's tokens");
        auto stored = std::make_shared<std::vector<std::string>>();
        stored->reserve(size);
        for (std::size_t i = 0; i < size; ++i) stored->push_back(utf8_string(string_at(tokens, lengths, i)));
        *out = new trajplot_vocabulary{std::move(stored)};
    });
}

trajplot_status trajplot_vocabulary_create_from_strings(trajplot_vocabulary** out, const trajplot_strings* tokens) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot_strings& given = strings_of(tokens, "tokens");
        const std::size_t size = checked_count({{"tokens->count", given.count}}, sizeof(std::string));
        check_strings(given, "tokens", size, {{"tokens->count", size}});
        // Converted once into the core's storage, which checks the memory
        // limit before allocating, then kept as the vocabulary keeps tokens.
        const trajplot::TextArray<1> converted = text_array<1>({size}, given);
        auto stored = std::make_shared<std::vector<std::string>>();
        stored->reserve(size);
        for (std::size_t i = 0; i < size; ++i) stored->emplace_back(converted.flat(i));
        *out = new trajplot_vocabulary{std::move(stored)};
    });
}

void trajplot_vocabulary_free(trajplot_vocabulary* vocabulary) { delete vocabulary; }

trajplot_status trajplot_vocabulary_size(size_t* out, const trajplot_vocabulary* vocabulary) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(vocabulary, "vocabulary");
        *out = vocabulary->tokens->size();
    });
}

trajplot_status trajplot_vocabulary_token(const char** out, size_t* len, const trajplot_vocabulary* vocabulary,
                                          size_t id) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(vocabulary, "vocabulary");
        require_index(id, "id", vocabulary->tokens->size(), "size");
        lend_string(out, len, (*vocabulary->tokens)[id]);
    });
}

trajplot_status trajplot_trajectory_options_init(trajplot_trajectory_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION, "version", "TRAJPLOT_TRAJECTORY_OPTIONS_VERSION");
        *options = default_trajectory_options;
    });
}

size_t trajplot_measures(int* out, size_t capacity) {
    const std::size_t total = std::size(measures);
    for (std::size_t i = 0; i < std::min(capacity, total); ++i) out[i] = measures[i].measure;
    return total;
}

const char* trajplot_measure_name(int measure) {
    const MeasureInfo* info = find_measure(measure);
    return info != nullptr ? info->name : nullptr;
}

trajplot_status trajplot_measure_from_name(int* out, const char* name) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(name, "name");
        for (const MeasureInfo& info : measures) {
            if (std::strcmp(info.name, name) == 0) {
                *out = info.measure;
                return;
            }
        }
        std::string known;
        for (const MeasureInfo& info : measures) known.append(known.empty() ? "" : ", ").append(info.name);
        invalid("unknown measure \"", utf8_string(name), "\"; known: ", known);
    });
}

bool trajplot_measure_is_comparison(int measure) {
    return find_measure(measure) != nullptr && is_comparison_measure(measure);
}

trajplot_status trajplot_trajectory_create(trajplot_trajectory** out, size_t batch, size_t n_layers, size_t seq_len,
                                           size_t vocab, const int64_t* input_ids, const int64_t* targets,
                                           const int64_t* anti_targets, const trajplot_trajectory_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        trajplot::TrajectoryInputs inputs = trajectory_inputs(batch, n_layers, seq_len, vocab, input_ids, options);
        trajplot::TrajectoryTargets wanted{optional_ids(targets, inputs.shape),
                                           optional_ids(anti_targets, inputs.shape)};
        const bool forward_kl = options != nullptr ? options->forward_kl : default_trajectory_options.forward_kl;
        *out =
            new trajplot_trajectory{trajplot::PredictionTrajectory(std::move(inputs), std::move(wanted), forward_kl)};
    });
}

void trajplot_trajectory_free(trajplot_trajectory* trajectory) { delete trajectory; }

namespace {

void give_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab,
                const trajplot::TrajectoryShape& shape) {
    if (batch != nullptr) *batch = shape.batch;
    if (n_layers != nullptr) *n_layers = shape.layers;
    if (seq_len != nullptr) *seq_len = shape.seq_len;
    if (vocab != nullptr) *vocab = shape.vocab;
}

}  // namespace

trajplot_status trajplot_trajectory_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab,
                                          const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] { give_shape(batch, n_layers, seq_len, vocab, trajectory_of(trajectory).shape()); });
}

trajplot_status trajplot_trajectory_add(trajplot_trajectory* trajectory, size_t batch_index, size_t layer,
                                        const float* slab, size_t slab_len) {
    return guarded(__func__, [&] {
        trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        require(slab, "slab");
        require_length(slab_len, "slab_len", slab_floats(value.shape()), "seq_len x vocab");
        value.add(batch_index, layer, slab);
    });
}

trajplot_status trajplot_trajectory_add_all(trajplot_trajectory* trajectory, const float* tensor, size_t tensor_len) {
    return guarded(__func__, [&] {
        trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        require(tensor, "tensor");
        const trajplot::TrajectoryShape& shape = value.shape();
        require_length(tensor_len, "tensor_len", shape.batch * shape.layers * slab_floats(shape),
                       "batch x n_layers x seq_len x vocab");
        value.add_all({tensor, tensor_len});
    });
}

trajplot_status trajplot_trajectory_complete(bool* out, const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = trajectory_of(trajectory).complete();
    });
}

trajplot_status trajplot_trajectory_statistic(trajplot_statistic** out, const trajplot_trajectory* trajectory,
                                              int measure, unsigned int flags) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        const MeasureInfo* info = find_measure(measure);
        if (info == nullptr) invalid("measure ", measure, " is not a trajplot_measure");
        if (is_comparison_measure(measure)) {
            invalid(info->name, " is a measure of two trajectories: use a trajplot_comparison");
        }
        if (measure == TRAJPLOT_MEASURE_RANK) {
            if ((flags & ~TRAJPLOT_SHOW_RANKS) != 0) {
                invalid("flags ", flags, " are not known for rank (expected 0 or TRAJPLOT_SHOW_RANKS)");
            }
        } else {
            require_no_flags(flags, info->name);
        }
        std::optional<trajplot::TrajectoryStatistic> statistic;
        switch (static_cast<trajplot_measure>(measure)) {
            case TRAJPLOT_MEASURE_ENTROPY: statistic = value.entropy(); break;
            case TRAJPLOT_MEASURE_CROSS_ENTROPY: statistic = value.cross_entropy(); break;
            case TRAJPLOT_MEASURE_FORWARD_KL: statistic = value.forward_kl(); break;
            case TRAJPLOT_MEASURE_MAX_PROBABILITY: statistic = value.max_probability(); break;
            case TRAJPLOT_MEASURE_RANK: statistic = value.rank((flags & TRAJPLOT_SHOW_RANKS) != 0); break;
            case TRAJPLOT_MEASURE_LOG_PROB_DIFF: statistic = value.log_prob_diff(false); break;
            case TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA: statistic = value.log_prob_diff(true); break;
            default: invalid("measure ", measure, " is not a trajplot_measure");
        }
        *out = new_handle(std::make_shared<const trajplot::TrajectoryStatistic>(std::move(*statistic)));
    });
}

trajplot_status trajplot_trajectory_labels(trajplot_labels** out, const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] {
        require(out, "out");
        give_labels(out, trajectory_of(trajectory).labels());
    });
}

trajplot_status trajplot_comparison_create(trajplot_comparison** out, size_t batch, size_t n_layers, size_t seq_len,
                                           size_t vocab, const int64_t* input_ids,
                                           const trajplot_trajectory_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = new trajplot_comparison{
            trajplot::TrajectoryComparison(trajectory_inputs(batch, n_layers, seq_len, vocab, input_ids, options))};
    });
}

void trajplot_comparison_free(trajplot_comparison* comparison) { delete comparison; }

trajplot_status trajplot_comparison_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab,
                                          const trajplot_comparison* comparison) {
    return guarded(__func__, [&] { give_shape(batch, n_layers, seq_len, vocab, comparison_of(comparison).shape()); });
}

trajplot_status trajplot_comparison_add(trajplot_comparison* comparison, size_t batch_index, size_t layer,
                                        const float* self_slab, const float* other_slab, size_t slab_len) {
    return guarded(__func__, [&] {
        trajplot::TrajectoryComparison& value = comparison_of(comparison);
        require(self_slab, "self_slab");
        require(other_slab, "other_slab");
        require_length(slab_len, "slab_len", slab_floats(value.shape()), "seq_len x vocab");
        value.add(batch_index, layer, self_slab, other_slab);
    });
}

trajplot_status trajplot_comparison_add_all(trajplot_comparison* comparison, const float* self_tensor,
                                            const float* other_tensor, size_t tensor_len) {
    return guarded(__func__, [&] {
        trajplot::TrajectoryComparison& value = comparison_of(comparison);
        require(self_tensor, "self_tensor");
        require(other_tensor, "other_tensor");
        const trajplot::TrajectoryShape& shape = value.shape();
        require_length(tensor_len, "tensor_len", shape.batch * shape.layers * slab_floats(shape),
                       "batch x n_layers x seq_len x vocab");
        value.add_all({self_tensor, tensor_len}, {other_tensor, tensor_len});
    });
}

trajplot_status trajplot_comparison_complete(bool* out, const trajplot_comparison* comparison) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = comparison_of(comparison).complete();
    });
}

trajplot_status trajplot_comparison_statistic(trajplot_statistic** out, const trajplot_comparison* comparison,
                                              int measure, unsigned int flags) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryComparison& value = comparison_of(comparison);
        const MeasureInfo* info = find_measure(measure);
        if (info == nullptr) invalid("measure ", measure, " is not a trajplot_measure");
        if (!is_comparison_measure(measure)) {
            invalid(info->name, " is a measure of one trajectory: use a trajplot_trajectory");
        }
        require_no_flags(flags, info->name);
        std::optional<trajplot::TrajectoryStatistic> statistic;
        switch (static_cast<trajplot_measure>(measure)) {
            case TRAJPLOT_MEASURE_KL_DIVERGENCE: statistic = value.kl_divergence(); break;
            case TRAJPLOT_MEASURE_JS_DIVERGENCE: statistic = value.js_divergence(); break;
            case TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL: statistic = value.half_symmetric_kl(); break;
            case TRAJPLOT_MEASURE_TOTAL_VARIATION: statistic = value.total_variation(); break;
            case TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE: statistic = value.max_abs_prob_difference(); break;
            default: invalid("measure ", measure, " is not a trajplot_measure");
        }
        *out = new_handle(std::make_shared<const trajplot::TrajectoryStatistic>(std::move(*statistic)));
    });
}

trajplot_status trajplot_comparison_labels(trajplot_labels** out, const trajplot_comparison* comparison) {
    return guarded(__func__, [&] {
        require(out, "out");
        give_labels(out, comparison_of(comparison).labels());
    });
}
