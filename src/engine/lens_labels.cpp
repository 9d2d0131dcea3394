// The labels the statistics engines give their statistics: the top-k tables
// of every cell (cell texts and hover tables) and the sequence labels, from
// the token formatter and the vocabulary.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "trajectory_engine.hpp"
#include "trajplot/memory.hpp"

namespace trajplot::lens {
namespace {

const std::string unknown_token = "<unk>";

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

}  // namespace

// The percent is computed in float, as tuned-lens does, then printed with
// two decimals, correctly rounded.
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

std::shared_ptr<const TrajectoryLabels> build_labels(
    const TrajectoryInputs& inputs, std::size_t k, const std::vector<TopEntry>& top,
    const std::function<std::string(std::size_t row, const TopEntry&)>& value_text,
    const std::function<bool(std::size_t row, const TopEntry&)>& keeps_label) {
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
            const TopEntry& best = top[row * k];
            label.add(names(best.id));
            keep = keep && keeps_label(row, best);
        }
        if (keep) cell_texts[cell] = label.text();
        for (std::size_t item = 0; item < shown; ++item) {
            const std::size_t row = row_of(item, cell);
            for (std::size_t rank = 0; rank < k; ++rank) {
                const TopEntry& entry = top[row * k + rank];
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

}  // namespace trajplot::lens
