#include "trajplot/prediction_trajectory.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "lens_kernel.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();
const std::string unknown_token = "<unk>";

// ---------------------------------------------------------------------------
// Checks

std::size_t checked_product(std::initializer_list<std::size_t> factors, const std::string& what) {
    std::size_t product = 1;
    for (const std::size_t factor : factors) {
        if (factor != 0 && product > SIZE_MAX / factor) fail(Errc::range, what + " overflows size_t");
        product *= factor;
    }
    return product;
}

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
    if (inputs.threads < 1) fail(Errc::invalid_argument, "threads must be at least 1, got 0");
}

std::string shape_text(const TrajectoryShape& shape) {
    return std::to_string(shape.batch) + " x " + std::to_string(shape.layers) + " x " +
           std::to_string(shape.seq_len) + " x " + std::to_string(shape.vocab);
}

// Which slabs have been added, and the errors about them.
class SlabRegistry {
public:
    explicit SlabRegistry(const TrajectoryShape& shape)
        : shape_(shape), added_(shape.batch * shape.layers, 0), layers_added_(shape.batch, 0) {}

    void check_new(std::size_t batch_index, std::size_t layer_index) const {
        if (batch_index >= shape_.batch) {
            fail(Errc::invalid_argument, "batch_index " + std::to_string(batch_index) +
                                             " is out of range; the trajectory has " + std::to_string(shape_.batch) +
                                             " batch items");
        }
        if (layer_index >= shape_.layers) {
            fail(Errc::invalid_argument, "layer_index " + std::to_string(layer_index) +
                                             " is out of range; the trajectory has " +
                                             std::to_string(shape_.layers) + " layers");
        }
        if (added(batch_index, layer_index)) {
            fail(Errc::invalid_argument, "the slab of batch item " + std::to_string(batch_index) + ", layer " +
                                             std::to_string(layer_index) + " was already added");
        }
    }

    bool added(std::size_t batch_index, std::size_t layer_index) const {
        return added_[batch_index * shape_.layers + layer_index] != 0;
    }
    // Returns how many layers of the batch item are now in.
    std::size_t mark(std::size_t batch_index, std::size_t layer_index) {
        added_[batch_index * shape_.layers + layer_index] = 1;
        ++total_;
        return ++layers_added_[batch_index];
    }
    bool complete() const noexcept { return total_ == added_.size(); }

    // add_all reads a whole tensor: refused up front when some slab is
    // already in, rather than failing half-way with part of it added.
    void check_empty() const {
        if (total_ == 0) return;
        fail(Errc::invalid_argument, "add_all needs a trajectory without slabs, but " + std::to_string(total_) +
                                         " of " + std::to_string(added_.size()) + " were already added");
    }

    // Throws, naming `statistic` and the first missing slab, unless every
    // slab is in.
    void check_complete(const char* statistic) const {
        if (complete()) return;
        const std::size_t first = static_cast<std::size_t>(std::find(added_.begin(), added_.end(), 0) - added_.begin());
        fail(Errc::invalid_argument, std::string(statistic) + ": the statistics need every slab: " + std::to_string(added_.size() - total_) +
                                         " of " + std::to_string(added_.size()) +
                                         " are missing, the first is batch item " +
                                         std::to_string(first / shape_.layers) + ", layer " +
                                         std::to_string(first % shape_.layers));
    }

private:
    TrajectoryShape shape_;
    std::vector<unsigned char> added_;
    std::vector<std::size_t> layers_added_;
    std::size_t total_ = 0;
};

// Runs body(begin, end) over [0, n) split among up to `threads` threads, the
// caller's one of them. Small jobs stay on the caller's thread, where
// starting a thread would cost more than it saves.
void parallel_for(std::size_t threads, std::size_t n, std::size_t work_per_item,
                  const std::function<void(std::size_t, std::size_t)>& body) {
    constexpr std::size_t min_work_per_thread = std::size_t{1} << 16;
    const std::size_t total_work = n * work_per_item;
    std::size_t parts = std::min({threads, n, std::max<std::size_t>(1, total_work / min_work_per_thread)});
    if (parts <= 1) {
        body(0, n);
        return;
    }
    std::vector<std::thread> workers;
    workers.reserve(parts - 1);
    for (std::size_t part = 1; part < parts; ++part) {
        workers.emplace_back(body, n * part / parts, n * (part + 1) / parts);
    }
    body(0, n / parts);
    for (std::thread& worker : workers) worker.join();
}

// ---------------------------------------------------------------------------
// Text

std::string_view first_code_points(std::string_view utf8, std::size_t count) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
            if (seen == count) return utf8.substr(0, i);
            ++seen;
        }
    }
    return utf8;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    std::string result;
    std::size_t start = 0;
    for (std::size_t found; (found = text.find(from, start)) != std::string::npos; start = found + from.size()) {
        result.append(text, start, found - start);
        result.append(to);
    }
    if (start == 0) return;
    result.append(text, start);
    text = std::move(result);
}

// "xx.xx%" of a fraction: the percent is computed in float, as tuned-lens
// does, then printed with two decimals, correctly rounded.
std::string percent_text(float fraction, bool with_delta) {
    const float percent = fraction * 100.0f;
    char buffer[64];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(percent), std::chars_format::fixed, 2);
    std::string text = with_delta ? "\u0394" : "";
    text.append(buffer, result.ptr);
    text += '%';
    return text;
}

// Formats vocabulary tokens, each once.
class TokenNames {
public:
    TokenNames(std::shared_ptr<const std::vector<std::string>> vocabulary, const TokenFormat& format)
        : vocabulary_(std::move(vocabulary)), format_(format) {}

    const std::string& operator()(std::uint64_t id) {
        if (id >= vocabulary_->size()) return unknown_token;
        auto [entry, inserted] = formatted_.try_emplace(id);
        if (inserted) entry->second = format_.format((*vocabulary_)[id]);
        return entry->second;
    }

private:
    std::shared_ptr<const std::vector<std::string>> vocabulary_;
    const TokenFormat& format_;
    std::unordered_map<std::uint64_t, std::string> formatted_;
};

// The strings all batch items agree on, or "*".
class Consolidated {
public:
    void add(const std::string& text) {
        if (first_) {
            text_ = text;
            first_ = false;
        } else if (text != text_) {
            differs_ = true;
        }
    }
    std::string text() const { return differs_ ? std::string(1, '*') : text_; }

private:
    std::string text_;
    bool first_ = true;
    bool differs_ = false;
};

std::optional<TextArray<1>> build_sequence_labels(const TrajectoryInputs& inputs) {
    if (!inputs.vocabulary) return std::nullopt;
    const TrajectoryShape& shape = inputs.shape;
    TokenNames names(inputs.vocabulary, inputs.labels.format);
    std::vector<std::string> labels(shape.seq_len);
    for (std::size_t position = 0; position < shape.seq_len; ++position) {
        Consolidated label;
        for (std::size_t item = 0; item < shape.batch; ++item) {
            label.add(names(static_cast<std::uint64_t>(inputs.input_ids[item * shape.seq_len + position])));
        }
        labels[position] = label.text();
    }
    return TextArray<1>::from_strings({shape.seq_len}, labels);
}

// The labels of a trajectory whose rows (batch item, layer, position) each
// have k top entries: cell texts are the formatted top-1 tokens,
// consolidated over the batch and blanked where keeps_label fails for some
// item; hover tables put the first items' (token, value) columns side by
// side, one row per entry.
std::shared_ptr<const TrajectoryLabels> build_labels(
    const TrajectoryInputs& inputs, std::size_t k, const std::vector<lens::TopEntry>& top,
    const std::function<std::string(std::size_t row, const lens::TopEntry&)>& value_text,
    const std::function<bool(std::size_t row, const lens::TopEntry&)>& keeps_label) {
    const TrajectoryShape& shape = inputs.shape;
    TokenNames names(inputs.vocabulary, inputs.labels.format);
    const std::size_t shown = std::min(shape.batch, inputs.labels.max_batch_items_shown);
    const std::size_t cols = 2 * shown;
    const std::size_t cells = shape.layers * shape.seq_len;
    check_memory(checked_product({cells, k, cols, sizeof(std::string)}, "the hover tables"), "the hover tables");
    std::vector<std::string> cell_texts(cells);
    std::vector<std::string> hover(cells * k * cols);
    const auto row_of = [&](std::size_t item, std::size_t cell) { return item * cells + cell; };
    for (std::size_t cell = 0; cell < cells; ++cell) {
        Consolidated label;
        bool keep = true;
        for (std::size_t item = 0; item < shape.batch; ++item) {
            const std::size_t row = row_of(item, cell);
            const lens::TopEntry& best = top[row * k];
            label.add(names(best.id));
            keep = keep && keeps_label(row, best);
        }
        if (keep) cell_texts[cell] = label.text();
        for (std::size_t item = 0; item < shown; ++item) {
            const std::size_t row = row_of(item, cell);
            for (std::size_t rank = 0; rank < k; ++rank) {
                const lens::TopEntry& entry = top[row * k + rank];
                std::string* line = &hover[(cell * k + rank) * cols + 2 * item];
                line[0] = names(entry.id);
                line[1] = value_text(row, entry);
            }
        }
    }
    return std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({shape.layers, shape.seq_len}, cell_texts),
        TextArray<4>::from_strings({shape.layers, shape.seq_len, k, cols}, hover));
}

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

// The stats of every (layer, position) averaged over the batch; rows are
// (batch item, layer, position) in row-major order.
xt::xtensor<float, 2> batch_mean(const TrajectoryShape& shape, std::size_t out_layers,
                                 const std::function<double(std::size_t item, std::size_t layer,
                                                            std::size_t position)>& value) {
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({out_layers, shape.seq_len});
    for (std::size_t layer = 0; layer < out_layers; ++layer) {
        for (std::size_t position = 0; position < shape.seq_len; ++position) {
            double sum = 0.0;
            for (std::size_t item = 0; item < shape.batch; ++item) sum += value(item, layer, position);
            stats(layer, position) = static_cast<float>(sum / static_cast<double>(shape.batch));
        }
    }
    return stats;
}

}  // namespace

// ---------------------------------------------------------------------------
// TokenFormat

void TokenFormat::validate() const {
    const std::pair<const char*, const std::string*> texts[] = {
        {"ellipsis", &ellipsis},
        {"newline_token", &newline_token},
        {"newline_replacement", &newline_replacement},
        {"whitespace_token", &whitespace_token},
        {"whitespace_replacement", &whitespace_replacement}};
    for (const auto& [name, text] : texts) {
        if (!is_valid_utf8(*text)) fail(Errc::invalid_argument, std::string("format.") + name + " is not valid UTF-8");
    }
    if (newline_token.empty()) fail(Errc::invalid_argument, "format.newline_token must not be empty");
    if (whitespace_token.empty()) fail(Errc::invalid_argument, "format.whitespace_token must not be empty");
    if (max_string_len) {
        const std::size_t ellipsis_length = code_point_count(ellipsis);
        if (*max_string_len < 1 || *max_string_len < ellipsis_length) {
            fail(Errc::invalid_argument, "format.max_string_len is " + std::to_string(*max_string_len) +
                                             "; it must be at least 1 and at least the ellipsis's length (" +
                                             std::to_string(ellipsis_length) + ")");
        }
    }
}

std::string TokenFormat::format(std::string_view raw) const {
    std::string token = is_valid_utf8(raw) ? std::string(raw) : sanitize_utf8(raw);
    if (max_string_len && code_point_count(token) > *max_string_len) {
        const std::size_t ellipsis_length = code_point_count(ellipsis);
        const std::size_t keep = *max_string_len > ellipsis_length ? *max_string_len - ellipsis_length : 0;
        token = std::string(first_code_points(token, keep)) + ellipsis;
    }
    replace_all(token, newline_token, newline_replacement);
    replace_all(token, whitespace_token, whitespace_replacement);
    return token;
}

// ---------------------------------------------------------------------------
// PredictionTrajectory

namespace {

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
    std::vector<RowResult> rows;       // batch x layers x seq_len
    std::vector<lens::TopEntry> top;   // rows x k
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
        parallel_for(inputs.threads, shape.seq_len, shape.vocab, [&](std::size_t begin, std::size_t end) {
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
        parallel_for(inputs.threads, shape.seq_len, shape.layers * shape.vocab, [&](std::size_t begin, std::size_t end) {
            std::vector<float> output_row(needs_output ? shape.vocab : 0);
            float* output = needs_output ? output_row.data() : nullptr;
            for (std::size_t position = begin; position < end; ++position) {
                const float* row = item_tensor + position * shape.vocab;
                reduce_row(item, output_layer, position, row + output_layer * slab_size, output);
                for (std::size_t layer = 0; layer < output_layer; ++layer) {
                    reduce_row(item, layer, position, row + layer * slab_size, output);
                }
            }
        });
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
            const lens::ProbabilitySums sums = lens::write_probabilities(
                x, shape.vocab, summary.max, static_cast<float>(scale), output_row);
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
        return batch_mean(inputs.shape, inputs.shape.layers, [&](std::size_t item, std::size_t layer, std::size_t position) {
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
                                         std::to_string(shape.seq_len) + " x " + std::to_string(shape.vocab) +
                                         " = " + std::to_string(shape.seq_len * shape.vocab));
    }
    state_->add(batch_index, layer_index, slab.data());
}

void PredictionTrajectory::add_all(std::span<const float> tensor) {
    const TrajectoryShape& shape = state_->inputs.shape;
    const std::size_t slab_size = shape.seq_len * shape.vocab;
    if (tensor.size() != shape.batch * shape.layers * slab_size) {
        fail(Errc::invalid_argument, "tensor has " + std::to_string(tensor.size()) +
                                         " floats; batch x layers x seq_len x vocab is " + shape_text(shape) +
                                         " = " + std::to_string(shape.batch * shape.layers * slab_size));
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
    TrajectoryStatistic statistic =
        state_->make("Rank", state_->mean(&RowResult::rank), "", 1.0f, max);
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

// ---------------------------------------------------------------------------
// TrajectoryComparison

namespace {

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
        parallel_for(inputs.threads, shape.seq_len, 2 * shape.vocab, [&](std::size_t begin, std::size_t end) {
            for (std::size_t position = begin; position < end; ++position) {
                const std::size_t offset = position * shape.vocab;
                reduce_pair(row_index(item, layer, position), self_slab + offset, other_slab + offset);
            }
        });
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
                inputs, k, top, [](std::size_t, const lens::TopEntry& entry) { return percent_text(entry.value, true); },
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
