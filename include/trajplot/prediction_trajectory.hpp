// The statistics engine: turns per-layer lens outputs of a language model
// (float32 logits or log-probabilities over the vocabulary, for every layer
// and position) into ready-to-plot TrajectoryStatistic values, with the
// statistics, names, units and labels of tuned-lens's PredictionTrajectory.
//
// The data is streamed: one (batch item, layer) slab of seq_len x vocab
// floats at a time, in any order. Each slab is reduced as it arrives to a
// few numbers per position (and the top-k tokens), so memory does not grow
// with the vocabulary beyond what forward KL needs (see PredictionTrajectory).
//
// Where tuned-lens has a bug, this engine does what was meant, and says so:
//   - min_prob and min_prob_delta blank single cells (tuned-lens blanks all
//     cells when one fails, or ignores min_prob_delta);
//   - hover values are never cut to the width of the longest token;
//   - "js_divergence" is the textbook Jensen-Shannon divergence and
//     "total_variation" the textbook total variation; tuned-lens's formulas
//     (half the sum of both KL directions, the largest |p - q|) are kept as
//     half_symmetric_kl and max_abs_prob_difference;
//   - a token of probability 0 (log-prob -inf) adds 0 to every sum;
//   - sequence labels use the given TokenFormat (tuned-lens always uses the
//     default one for them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trajplot/model.hpp"
#include "trajplot/threads.hpp"

namespace trajplot {

// How raw vocabulary tokens (byte-level BPE strings such as "Ġthe") are
// shown; tuned-lens's TokenFormatter. Lengths count code points.
struct TokenFormat {
    std::string ellipsis = "\u2026";          // appended to a shortened token
    std::string newline_token = "\u010A";     // "Ċ", the BPE marker of "\n"
    std::string newline_replacement = "\\n";  // backslash, n
    std::string whitespace_token = "\u0120";  // "Ġ", the BPE marker of a leading space
    std::string whitespace_replacement = "_";
    // Tokens longer than this keep their first max_string_len - len(ellipsis)
    // code points and get the ellipsis; nullopt keeps every token whole.
    // Must be at least 1 and at least the ellipsis's length.
    std::optional<std::size_t> max_string_len = 7;

    // Shortens first, then replaces every newline_token, then every
    // whitespace_token (so a replaced token may exceed max_string_len, as in
    // tuned-lens). Invalid UTF-8 is replaced by U+FFFD first.
    std::string format(std::string_view token) const;

    // Throws Error naming the field when the format cannot be applied.
    void validate() const;
};

struct LabelOptions {
    std::size_t top_k = 10;  // hover rows per cell; at most the vocabulary size is used
    // A cell whose top-1 probability is below min_prob in any batch item has
    // an empty label.
    float min_prob = 0.0f;
    // A cell of the two-trajectory statistics whose top-1 |change in
    // probability| is at most min_prob_delta in any batch item has an empty
    // label (so, by default, cells where nothing changes).
    float min_prob_delta = 0.0f;
    std::size_t max_batch_items_shown = 3;  // hover tables show the first items side by side
    TokenFormat format{};
};

enum class ValueKind {
    logits,     // a numerically stable log-softmax is applied
    log_probs,  // used as given, not renormalised (as tuned-lens does)
};

struct TrajectoryShape {
    std::size_t batch = 1;
    std::size_t layers = 0;  // lens layers plus the model's output, which is the last
    std::size_t seq_len = 0;
    std::size_t vocab = 0;
};

// What both PredictionTrajectory and TrajectoryComparison are made from.
struct TrajectoryInputs {
    TrajectoryShape shape{};
    ValueKind values = ValueKind::logits;
    std::vector<std::int64_t> input_ids{};  // batch x seq_len, each in [0, vocab)
    // Token strings by id; null means no labels and no sequence labels (as
    // in tuned-lens without a tokenizer). It may be shorter than the lens's
    // vocabulary (padded embedding matrices): ids past its end show "<unk>".
    std::shared_ptr<const std::vector<std::string>> vocabulary{};
    LabelOptions labels{};
    // Threads that reduce the positions of a slab, the caller's among them:
    // 1 runs on the caller's alone, 0 (the default) on
    // default_thread_count(). A thread the system cannot start is done
    // without: its share runs on the others.
    std::size_t threads = 0;
};

// The tokens cross_entropy, rank and log_prob_diff are about: batch x
// seq_len each, in [0, vocab). No shifting is done: targets[b][s] is the
// token wanted at position s.
struct TrajectoryTargets {
    std::optional<std::vector<std::int64_t>> targets{};
    std::optional<std::vector<std::int64_t>> anti_targets{};
};

// The statistics of one trajectory.
//
// Forward KL compares every layer with the model's output, so it needs the
// output layer's probabilities when the other layers arrive: with
// forward_kl on, add the output layer (the last) of a batch item before its
// other layers. Its probabilities (seq_len x vocab floats) are kept until
// every layer of that batch item has been added, then freed. add_all, which
// sees every layer at once, keeps one row of them per thread instead.
// Everything else kept is independent of the vocabulary.
class PredictionTrajectory {
public:
    // Throws Error naming the field and value on any invalid input.
    explicit PredictionTrajectory(TrajectoryInputs inputs, TrajectoryTargets targets = {}, bool forward_kl = true);
    PredictionTrajectory(PredictionTrajectory&&) noexcept;
    PredictionTrajectory& operator=(PredictionTrajectory&&) noexcept;
    ~PredictionTrajectory();

    // Adds the (batch_index, layer_index) slab: seq_len x vocab floats,
    // row-major. Each slab exactly once, in any order (see forward KL above);
    // nothing keeps the pointer after the call. Not to be called from two
    // threads at once.
    void add(std::size_t batch_index, std::size_t layer_index, const float* slab);
    // The same, checking that the slab has seq_len x vocab floats.
    void add(std::size_t batch_index, std::size_t layer_index, std::span<const float> slab);
    // Adds every slab of a resident batch x layers x seq_len x vocab tensor,
    // read in place. Only into a trajectory without slabs.
    void add_all(std::span<const float> tensor);

    // Whether every slab has been added; the statistics need that.
    bool complete() const noexcept;
    const TrajectoryShape& shape() const noexcept;

    // Each is n_layers x seq_len (log_prob_diff(true): n_layers - 1 rows),
    // averaged over the batch after computing, with tuned-lens's name, units,
    // min and max. Throws Error while slabs are missing, naming the first.
    TrajectoryStatistic entropy() const;
    TrajectoryStatistic cross_entropy() const;  // needs targets
    TrajectoryStatistic forward_kl() const;     // KL(output || layer); needs forward_kl on
    TrajectoryStatistic max_probability() const;
    // The target's rank, 1 for the most likely token. Ties share the best
    // rank: 1 + the number of tokens with a strictly greater value (logits are
    // compared as given, which orders them as their log-probs). With
    // show_ranks the cell labels are the rank, truncated towards zero.
    TrajectoryStatistic rank(bool show_ranks = false) const;  // needs targets
    // log p(target) - log p(anti-target); with delta, the change from layer k
    // to layer k + 1 in row k (no output row, includes_output false).
    TrajectoryStatistic log_prob_diff(bool delta = false) const;  // needs both

    // The labels every statistic above but log_prob_diff shares: the most
    // likely token per cell and the top_k hover tables. Null without a
    // vocabulary.
    std::shared_ptr<const TrajectoryLabels> labels() const;
    // One label per position: the formatted input token, '*' where batch
    // items differ. Empty without a vocabulary.
    std::optional<TextArray<1>> sequence_labels() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The statistics between two trajectories of the same shape ("self" and
// "other"), fed pairs of slabs. Keeps nothing that grows with the
// vocabulary.
class TrajectoryComparison {
public:
    // input_ids and vocabulary are self's; both trajectories hold `values`.
    explicit TrajectoryComparison(TrajectoryInputs inputs);
    TrajectoryComparison(TrajectoryComparison&&) noexcept;
    TrajectoryComparison& operator=(TrajectoryComparison&&) noexcept;
    ~TrajectoryComparison();

    void add(std::size_t batch_index, std::size_t layer_index, const float* self_slab, const float* other_slab);
    void add(std::size_t batch_index, std::size_t layer_index, std::span<const float> self_slab,
             std::span<const float> other_slab);
    // Only into a comparison without slabs.
    void add_all(std::span<const float> self_tensor, std::span<const float> other_tensor);

    bool complete() const noexcept;
    const TrajectoryShape& shape() const noexcept;

    TrajectoryStatistic kl_divergence() const;  // KL(self || other), "KL(Self | Other)"
    // Textbook: 0.5 KL(p || m) + 0.5 KL(q || m), m = (p + q) / 2; in [0, ln 2].
    TrajectoryStatistic js_divergence() const;
    // tuned-lens's "js_divergence": 0.5 KL(p || q) + 0.5 KL(q || p).
    TrajectoryStatistic half_symmetric_kl() const;
    // Textbook: 0.5 sum |p - q|, in [0, 1].
    TrajectoryStatistic total_variation() const;
    // tuned-lens's "total_variation": max |p - q| over the vocabulary.
    TrajectoryStatistic max_abs_prob_difference() const;

    // Shared by every statistic above: per cell the tokens whose probability
    // changed most, with the change "Δxx.xx%" (other minus self, as in
    // tuned-lens). Null without a vocabulary.
    std::shared_ptr<const TrajectoryLabels> labels() const;
    std::optional<TextArray<1>> sequence_labels() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace trajplot
