// The statistics engine through the C API: every measure against a
// double-precision computation written here from the formulas (nothing is
// shared with the engine), the labels and sequence labels, the options, the
// vocabulary, every error path, and the figures of the statistics.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lens_test_support.hpp"

using namespace capi_test;
using namespace capi_lens_test;
using nlohmann::json;

namespace {

constexpr float float_infinity = std::numeric_limits<float>::infinity();
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------------------
// The reference: one row at a time, in double.

// log p of a row: logits get a log-softmax, log-probs are taken as given.
std::vector<double> log_probs_of(const float* x, std::size_t vocab, int values) {
    std::vector<double> lp(x, x + vocab);
    if (values == TRAJPLOT_VALUES_LOG_PROBS) return lp;
    const double max = *std::max_element(lp.begin(), lp.end());
    double sum = 0.0;
    for (const double value : lp) sum += std::exp(value - max);
    const double log_normalizer = max + std::log(sum);
    for (double& value : lp) value -= log_normalizer;
    return lp;
}

// sum of p(v) * term(v) over the tokens with p(v) > 0: a token that cannot
// occur adds nothing, whatever its term.
template <class Term>
double expectation(const std::vector<double>& lp, Term&& term) {
    double sum = 0.0;
    for (std::size_t v = 0; v < lp.size(); ++v) {
        const double p = std::exp(lp[v]);
        if (p > 0.0) sum += p * term(v);
    }
    return sum;
}

double entropy_of(const std::vector<double>& lp) {
    return -expectation(lp, [&](std::size_t v) { return lp[v]; });
}

double max_probability_of(const std::vector<double>& lp) { return std::exp(*std::max_element(lp.begin(), lp.end())); }

double kl_of(const std::vector<double>& p, const std::vector<double>& q) {
    return expectation(p, [&](std::size_t v) { return p[v] - q[v]; });
}

double js_of(const std::vector<double>& p, const std::vector<double>& q) {
    double sum = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) {
        const double pv = std::exp(p[v]), qv = std::exp(q[v]), m = 0.5 * (pv + qv);
        if (pv > 0.0) sum += 0.5 * pv * std::log(pv / m);
        if (qv > 0.0) sum += 0.5 * qv * std::log(qv / m);
    }
    return sum;
}

double total_variation_of(const std::vector<double>& p, const std::vector<double>& q) {
    double sum = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) sum += std::abs(std::exp(p[v]) - std::exp(q[v]));
    return 0.5 * sum;
}

double max_abs_difference_of(const std::vector<double>& p, const std::vector<double>& q) {
    double best = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) best = std::max(best, std::abs(std::exp(p[v]) - std::exp(q[v])));
    return best;
}

// 1 + the number of tokens with a strictly greater value.
double rank_of(const float* x, std::size_t vocab, std::int64_t target) {
    double rank = 1.0;
    for (std::size_t v = 0; v < vocab; ++v) rank += x[v] > x[target] ? 1.0 : 0.0;
    return rank;
}

// The batch mean of value(item, layer, position) for `layers` layers,
// row-major (layer, position).
template <class Value>
std::vector<double> batch_mean(const Shape& shape, std::size_t layers, Value&& value) {
    std::vector<double> means;
    for (std::size_t layer = 0; layer < layers; ++layer) {
        for (std::size_t position = 0; position < shape.seq_len; ++position) {
            double sum = 0.0;
            for (std::size_t item = 0; item < shape.batch; ++item) sum += value(item, layer, position);
            means.push_back(sum / static_cast<double>(shape.batch));
        }
    }
    return means;
}

struct TrajectoryData {
    Tensor tensor;
    int values = TRAJPLOT_VALUES_LOGITS;
    std::vector<std::int64_t> input_ids;
    std::vector<std::int64_t> targets;
    std::vector<std::int64_t> anti_targets;
};

std::vector<double> expected_trajectory_stats(const TrajectoryData& data, int measure) {
    const Shape& shape = data.tensor.shape;
    const auto lp = [&](std::size_t item, std::size_t layer, std::size_t position) {
        return log_probs_of(data.tensor.row(item, layer, position), shape.vocab, data.values);
    };
    const auto id = [&](const std::vector<std::int64_t>& ids, std::size_t item, std::size_t position) {
        return static_cast<std::size_t>(ids[item * shape.seq_len + position]);
    };
    const auto difference = [&](std::size_t item, std::size_t layer, std::size_t position) {
        const std::vector<double> row = lp(item, layer, position);
        return row[id(data.targets, item, position)] - row[id(data.anti_targets, item, position)];
    };
    switch (measure) {
        case TRAJPLOT_MEASURE_ENTROPY:
            return batch_mean(shape, shape.layers, [&](auto b, auto l, auto s) { return entropy_of(lp(b, l, s)); });
        case TRAJPLOT_MEASURE_CROSS_ENTROPY:
            return batch_mean(shape, shape.layers,
                              [&](auto b, auto l, auto s) { return -lp(b, l, s)[id(data.targets, b, s)]; });
        case TRAJPLOT_MEASURE_FORWARD_KL:
            return batch_mean(shape, shape.layers,
                              [&](auto b, auto l, auto s) { return kl_of(lp(b, shape.layers - 1, s), lp(b, l, s)); });
        case TRAJPLOT_MEASURE_MAX_PROBABILITY:
            return batch_mean(shape, shape.layers,
                              [&](auto b, auto l, auto s) { return max_probability_of(lp(b, l, s)); });
        case TRAJPLOT_MEASURE_RANK:
            return batch_mean(shape, shape.layers, [&](auto b, auto l, auto s) {
                return rank_of(data.tensor.row(b, l, s), shape.vocab, data.targets[b * shape.seq_len + s]);
            });
        case TRAJPLOT_MEASURE_LOG_PROB_DIFF: return batch_mean(shape, shape.layers, difference);
        case TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA:
            return batch_mean(shape, shape.layers - 1,
                              [&](auto b, auto l, auto s) { return difference(b, l + 1, s) - difference(b, l, s); });
    }
    ADD_FAILURE() << "no reference for measure " << measure;
    return {};
}

std::vector<double> expected_comparison_stats(const Tensor& self, const Tensor& other, int values, int measure) {
    const Shape& shape = self.shape;
    const auto pair = [&](auto&& measure_of) {
        return batch_mean(shape, shape.layers, [&](std::size_t b, std::size_t l, std::size_t s) {
            return measure_of(log_probs_of(self.row(b, l, s), shape.vocab, values),
                              log_probs_of(other.row(b, l, s), shape.vocab, values));
        });
    };
    using Row = const std::vector<double>&;
    switch (measure) {
        case TRAJPLOT_MEASURE_KL_DIVERGENCE: return pair([](Row p, Row q) { return kl_of(p, q); });
        case TRAJPLOT_MEASURE_JS_DIVERGENCE: return pair([](Row p, Row q) { return js_of(p, q); });
        case TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL:
            return pair([](Row p, Row q) { return 0.5 * (kl_of(p, q) + kl_of(q, p)); });
        case TRAJPLOT_MEASURE_TOTAL_VARIATION: return pair([](Row p, Row q) { return total_variation_of(p, q); });
        case TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE:
            return pair([](Row p, Row q) { return max_abs_difference_of(p, q); });
    }
    ADD_FAILURE() << "no reference for measure " << measure;
    return {};
}

// Relative 1e-5, or absolute 1e-6 near 0; infinities exactly, NaN as NaN.
void expect_stats_near(const std::vector<double>& expected, const std::vector<float>& got, const std::string& what) {
    ASSERT_EQ(got.size(), expected.size()) << what;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (std::isnan(expected[i])) {
            EXPECT_TRUE(std::isnan(got[i])) << what << " at cell " << i << " is " << got[i];
        } else if (std::isinf(expected[i])) {
            EXPECT_EQ(static_cast<double>(got[i]), expected[i]) << what << " at cell " << i;
        } else {
            EXPECT_NEAR(static_cast<double>(got[i]), expected[i], std::max(1e-6, 1e-5 * std::abs(expected[i])))
                << what << " at cell " << i;
        }
    }
}

// ---------------------------------------------------------------------------
// The reference of the texts: tuned-lens's TokenFormatter, "*" where batch
// items differ, top-k hover tables.

struct Format {
    std::size_t max_string_len = 7;  // 0: never shortened
    std::string ellipsis = "\u2026";
    std::string newline_token = "\u010A";
    std::string newline_replacement = "\\n";
    std::string whitespace_token = "\u0120";
    std::string whitespace_replacement = "_";
};

std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// Shortened first, then the markers replaced.
std::string formatted(const std::string& token, const Format& format) {
    std::string text = token;
    if (format.max_string_len != 0 && code_points(text) > format.max_string_len) {
        const std::size_t keep = format.max_string_len - code_points(format.ellipsis);
        std::size_t end = 0;
        for (std::size_t kept = 0; kept < keep; ++kept) {
            ++end;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
        }
        text = text.substr(0, end) + format.ellipsis;
    }
    text = replaced(text, format.newline_token, format.newline_replacement);
    return replaced(text, format.whitespace_token, format.whitespace_replacement);
}

std::string token_name(const std::vector<std::string>& vocabulary, std::size_t id, const Format& format) {
    return id < vocabulary.size() ? formatted(vocabulary[id], format) : "<unk>";
}

std::string consolidated(const std::vector<std::string>& texts) {
    return std::all_of(texts.begin(), texts.end(), [&](const std::string& text) { return text == texts.front(); })
               ? texts.front()
               : "*";
}

std::vector<std::string> expected_sequence_labels(const Shape& shape, const std::vector<std::int64_t>& input_ids,
                                                  const std::vector<std::string>& vocabulary,
                                                  const Format& format = {}) {
    std::vector<std::string> labels;
    for (std::size_t position = 0; position < shape.seq_len; ++position) {
        std::vector<std::string> names;
        for (std::size_t item = 0; item < shape.batch; ++item) {
            names.push_back(
                token_name(vocabulary, static_cast<std::size_t>(input_ids[item * shape.seq_len + position]), format));
        }
        labels.push_back(consolidated(names));
    }
    return labels;
}

struct LabelSettings {
    std::size_t top_k = 10;
    std::size_t max_batch_items_shown = 3;
    double min_prob = 0.0;
    double min_prob_delta = 0.0;
    Format format{};
};

// One hover row of one batch item: the token, its percent, and the key the
// rows are ordered by (rows of equal keys may come in any order).
struct ExpectedEntry {
    std::string token;
    double percent;
    double key;
};

struct ExpectedLabels {
    std::size_t n_layers = 0, seq_len = 0, rows = 0, shown = 0;
    bool delta = false;  // values are "Δxx.xx%"
    std::vector<std::string> cells;
    std::vector<ExpectedEntry> entries;  // (layer, position, shown item, row)

    const ExpectedEntry& entry(std::size_t layer, std::size_t position, std::size_t item, std::size_t row) const {
        return entries[((layer * seq_len + position) * shown + item) * rows + row];
    }
};

// The tokens of a row by key, largest first.
std::vector<std::size_t> by_key(const std::vector<double>& keys) {
    std::vector<std::size_t> order(keys.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] > keys[b]; });
    return order;
}

// Per cell of one trajectory or a pair: keys(item, layer, position) ranks
// the tokens, percent(...) gives the shown value, and a cell keeps its label
// when keeps(top-1 key, top-1 probability or change) holds in every item.
template <class Keys, class Percents, class Keeps>
ExpectedLabels expected_labels(const Shape& shape, const std::vector<std::string>& vocabulary,
                               const LabelSettings& settings, bool delta, Keys&& keys, Percents&& percents,
                               Keeps&& keeps) {
    ExpectedLabels expected;
    expected.n_layers = shape.layers;
    expected.seq_len = shape.seq_len;
    expected.rows = std::min(settings.top_k, shape.vocab);
    expected.shown = std::min(shape.batch, settings.max_batch_items_shown);
    expected.delta = delta;
    for (std::size_t layer = 0; layer < shape.layers; ++layer) {
        for (std::size_t position = 0; position < shape.seq_len; ++position) {
            std::vector<std::string> names;
            bool keep = true;
            for (std::size_t item = 0; item < shape.batch; ++item) {
                const std::vector<double> row_keys = keys(item, layer, position);
                const std::vector<double> row_percents = percents(item, layer, position);
                const std::vector<std::size_t> order = by_key(row_keys);
                names.push_back(token_name(vocabulary, order[0], settings.format));
                keep = keep && keeps(row_keys[order[0]], row_percents[order[0]] / 100.0);
                if (item >= expected.shown) continue;
                for (std::size_t row = 0; row < expected.rows; ++row) {
                    const std::size_t id = order[row];
                    expected.entries.push_back(
                        {token_name(vocabulary, id, settings.format), row_percents[id], row_keys[id]});
                }
            }
            expected.cells.push_back(keep ? consolidated(names) : "");
        }
    }
    return expected;
}

// The top tokens by probability, "xx.xx%".
ExpectedLabels expected_trajectory_labels(const Tensor& tensor, int values, const std::vector<std::string>& vocabulary,
                                          const LabelSettings& settings = {}) {
    const Shape& shape = tensor.shape;
    return expected_labels(
        shape, vocabulary, settings, false,
        [&](std::size_t b, std::size_t l, std::size_t s) {
            const float* x = tensor.row(b, l, s);
            return std::vector<double>(x, x + shape.vocab);
        },
        [&](std::size_t b, std::size_t l, std::size_t s) {
            std::vector<double> percents = log_probs_of(tensor.row(b, l, s), shape.vocab, values);
            for (double& value : percents) value = 100.0 * std::exp(value);
            return percents;
        },
        [&](double, double probability) { return !(probability < settings.min_prob); });
}

// The tokens whose probability changed most, "Δxx.xx%" of other minus self.
ExpectedLabels expected_comparison_labels(const Tensor& self, const Tensor& other, int values,
                                          const std::vector<std::string>& vocabulary,
                                          const LabelSettings& settings = {}) {
    const Shape& shape = self.shape;
    const auto changes = [&](std::size_t b, std::size_t l, std::size_t s) {
        const std::vector<double> p = log_probs_of(self.row(b, l, s), shape.vocab, values);
        const std::vector<double> q = log_probs_of(other.row(b, l, s), shape.vocab, values);
        std::vector<double> change(shape.vocab);
        for (std::size_t v = 0; v < shape.vocab; ++v) change[v] = std::exp(q[v]) - std::exp(p[v]);
        return change;
    };
    return expected_labels(
        shape, vocabulary, settings, true,
        [&](std::size_t b, std::size_t l, std::size_t s) {
            std::vector<double> keys = changes(b, l, s);
            for (double& key : keys) key = std::abs(key);
            return keys;
        },
        [&](std::size_t b, std::size_t l, std::size_t s) {
            std::vector<double> percents = changes(b, l, s);
            for (double& value : percents) value *= 100.0;
            return percents;
        },
        [&](double key, double) { return key > settings.min_prob_delta; });
}

// "xx.xx%": digits, a point, two digits; an optional minus sign.
bool is_percent_text(std::string_view text) {
    if (!text.empty() && text.front() == '-') text.remove_prefix(1);
    const std::size_t point = text.find('.');
    if (point == 0 || point == std::string_view::npos || text.size() != point + 4 || text.back() != '%') return false;
    const auto digits = [](std::string_view part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    return digits(text.substr(0, point)) && digits(text.substr(point + 1, 2));
}

void expect_percent(const std::string& text, double expected, bool delta, const std::string& where) {
    std::string_view number = text;
    if (delta) {
        EXPECT_EQ(number.substr(0, 2), "\u0394") << where << ": " << text;
        number.remove_prefix(std::min<std::size_t>(2, number.size()));
    }
    ASSERT_TRUE(is_percent_text(number)) << where << ": " << text;
    // Two decimals of a float: at most half a hundredth off, plus rounding.
    EXPECT_NEAR(std::strtod(std::string(number).c_str(), nullptr), expected, 0.0051) << where << ": " << text;
}

void expect_labels(const LabelsView& got, const ExpectedLabels& expected, const std::string& what) {
    ASSERT_EQ(got.n_layers, expected.n_layers) << what;
    ASSERT_EQ(got.seq_len, expected.seq_len) << what;
    ASSERT_EQ(got.rows, expected.rows) << what;
    ASSERT_EQ(got.cols, 2 * expected.shown) << what;
    EXPECT_EQ(got.cells, expected.cells) << what;
    for (std::size_t layer = 0; layer < expected.n_layers; ++layer) {
        for (std::size_t position = 0; position < expected.seq_len; ++position) {
            for (std::size_t item = 0; item < expected.shown; ++item) {
                const std::string where = what + ", layer " + std::to_string(layer) + ", position " +
                                          std::to_string(position) + ", item " + std::to_string(item);
                // Each group of equal keys holds the same tokens, each with its value.
                for (std::size_t begin = 0, end = 0; begin < expected.rows; begin = end) {
                    end = begin + 1;
                    while (end < expected.rows && expected.entry(layer, position, item, end).key ==
                                                      expected.entry(layer, position, item, begin).key) {
                        ++end;
                    }
                    std::vector<bool> matched(end - begin, false);
                    for (std::size_t row = begin; row < end; ++row) {
                        const ExpectedEntry& want = expected.entry(layer, position, item, row);
                        bool found = false;
                        for (std::size_t candidate = begin; candidate < end && !found; ++candidate) {
                            if (matched[candidate - begin] ||
                                got.entry(layer, position, candidate, 2 * item) != want.token) {
                                continue;
                            }
                            matched[candidate - begin] = found = true;
                            expect_percent(got.entry(layer, position, candidate, 2 * item + 1), want.percent,
                                           expected.delta, where + ", row " + std::to_string(candidate));
                        }
                        EXPECT_TRUE(found) << where << ": token \"" << want.token << "\" is not in rows " << begin
                                           << " to " << end - 1;
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// What each measure is called and drawn with (tuned-lens's names, units and
// ranges).

struct Description {
    std::string name;  // empty: checked by the test itself
    std::optional<std::string> units;
    std::optional<float> min, max;
    bool includes_output = true;
    bool one_row_fewer = false;
    bool labelled = true;
};

Description description_of(int measure, std::optional<float> rank_max) {
    switch (measure) {
        case TRAJPLOT_MEASURE_ENTROPY: return {"Entropy", "nats", {}, {}};
        case TRAJPLOT_MEASURE_CROSS_ENTROPY: return {"Cross Entropy", "nats", {}, {}};
        case TRAJPLOT_MEASURE_FORWARD_KL: return {"Forward KL", "nats", {}, {}};
        case TRAJPLOT_MEASURE_MAX_PROBABILITY: return {"Max Probability", "probs", {}, {}};
        case TRAJPLOT_MEASURE_RANK: return {"Rank", "", 1.0f, rank_max};
        case TRAJPLOT_MEASURE_LOG_PROB_DIFF: return {"Log Prob Difference", "nats", {}, {}, true, false, false};
        case TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA:
            return {"\u0394 Log Prob Difference", "nats", {}, {}, false, true, false};
        case TRAJPLOT_MEASURE_KL_DIVERGENCE: return {"KL(Self | Other)", "nats", 0.0f, {}};
        case TRAJPLOT_MEASURE_JS_DIVERGENCE: return {"JS(Self | Other)", "nats", 0.0f, {}};
        case TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL: return {"", "nats", 0.0f, {}};
        case TRAJPLOT_MEASURE_TOTAL_VARIATION: return {"TV(Self | Other)", "probs", 0.0f, 1.0f};
        case TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE: return {"", "probs", 0.0f, 1.0f};
    }
    ADD_FAILURE() << "no description of measure " << measure;
    return {};
}

// "0", "1", ..., and "output" for the last when it is the model's output.
std::vector<std::string> layer_names(std::size_t n_layers, bool includes_output) {
    std::vector<std::string> names;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        names.push_back(includes_output && layer + 1 == n_layers ? "output" : std::to_string(layer));
    }
    return names;
}

void expect_described(const StatisticView& view, const Description& description, const Shape& shape) {
    if (!description.name.empty()) {
        EXPECT_EQ(view.name, description.name);
    }
    EXPECT_EQ(view.units, description.units);
    EXPECT_EQ(view.min, description.min);
    EXPECT_EQ(view.max, description.max);
    EXPECT_EQ(view.includes_output, description.includes_output);
    const std::size_t rows = description.one_row_fewer ? shape.layers - 1 : shape.layers;
    EXPECT_EQ(view.n_layers, rows);
    EXPECT_EQ(view.seq_len, shape.seq_len);
    EXPECT_EQ(view.layer_labels, layer_names(rows, description.includes_output));
}

// ---------------------------------------------------------------------------
// The data of most tests: 2 batch items x 4 layers x 3 positions x 7 tokens.

const Shape small_shape{2, 4, 3, 7};

// Byte-level BPE tokens: markers to replace, tokens to shorten, multi-byte
// code points.
const std::vector<std::string>& bpe_tokens() {
    static const std::vector<std::string> tokens = {
        "\u0120the", "\u010A", "cat", "abcdefghij", "\u0120\u0120x", "\u00E9t\u00E9", "\u0120longer_word"};
    return tokens;
}

// Rows replaced by their log-softmax, rounded to float as a producer's
// log_softmax would give them.
void normalise_rows(Tensor& tensor) {
    for (std::size_t row = 0; row < tensor.values.size() / tensor.shape.vocab; ++row) {
        float* x = tensor.values.data() + row * tensor.shape.vocab;
        const std::vector<double> lp = log_probs_of(x, tensor.shape.vocab, TRAJPLOT_VALUES_LOGITS);
        for (std::size_t v = 0; v < lp.size(); ++v) x[v] = static_cast<float>(lp[v]);
    }
}

Tensor lens_output(const Shape& shape, unsigned seed, int values) {
    Tensor tensor = random_logits(shape, seed);
    if (values == TRAJPLOT_VALUES_LOG_PROBS) normalise_rows(tensor);
    return tensor;
}

TrajectoryData small_trajectory_data(int values, unsigned seed = 2024) {
    TrajectoryData data;
    data.tensor = lens_output(small_shape, seed, values);
    data.values = values;
    // The items agree on positions 0 and 2 and differ on position 1.
    data.input_ids = {0, 2, 3, 0, 5, 3};
    data.targets = random_ids(small_shape, seed + 1);
    data.anti_targets = random_ids(small_shape, seed + 2);
    return data;
}

trajplot_trajectory_options options_with(int values, const trajplot_vocabulary* vocabulary) {
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.values = values;
    options.vocabulary = vocabulary;
    return options;
}

TrajectoryPtr filled_trajectory(const TrajectoryData& data, const trajplot_trajectory_options* options) {
    TrajectoryPtr trajectory =
        make_trajectory(data.tensor.shape, data.input_ids, &data.targets, &data.anti_targets, options);
    if (trajectory) {
        EXPECT_EQ(trajplot_trajectory_add_all(trajectory.get(), data.tensor.values.data(), data.tensor.values.size()),
                  TRAJPLOT_OK)
            << trajplot_error_last();
    }
    return trajectory;
}

LabelsView trajectory_labels_view(const trajplot_trajectory* trajectory) {
    trajplot_labels* labels = sentinel_labels();
    EXPECT_EQ(trajplot_trajectory_labels(&labels, trajectory), TRAJPLOT_OK) << trajplot_error_last();
    if (labels == nullptr || labels == sentinel_labels()) {
        ADD_FAILURE() << "the trajectory has no labels";
        return {};
    }
    const LabelsPtr owner(labels);
    return read_labels(labels);
}

LabelsView comparison_labels_view(const trajplot_comparison* comparison) {
    trajplot_labels* labels = sentinel_labels();
    EXPECT_EQ(trajplot_comparison_labels(&labels, comparison), TRAJPLOT_OK) << trajplot_error_last();
    if (labels == nullptr || labels == sentinel_labels()) {
        ADD_FAILURE() << "the comparison has no labels";
        return {};
    }
    const LabelsPtr owner(labels);
    return read_labels(labels);
}

bool complete(const trajplot_trajectory* trajectory) {
    bool done = true;
    EXPECT_EQ(trajplot_trajectory_complete(&done, trajectory), TRAJPLOT_OK) << trajplot_error_last();
    return done;
}

bool complete(const trajplot_comparison* comparison) {
    bool done = true;
    EXPECT_EQ(trajplot_comparison_complete(&done, comparison), TRAJPLOT_OK) << trajplot_error_last();
    return done;
}

trajplot_trajectory* sentinel_trajectory() { return reinterpret_cast<trajplot_trajectory*>(sentinel_statistic()); }
trajplot_comparison* sentinel_comparison() { return reinterpret_cast<trajplot_comparison*>(sentinel_labels()); }

std::string values_name(const ::testing::TestParamInfo<int>& info) {
    return info.param == TRAJPLOT_VALUES_LOGITS ? "Logits" : "LogProbs";
}

}  // namespace

// ---------------------------------------------------------------------------
// Measures

TEST(CapiLensMeasures, NamesRoundTripForEveryMeasure) {
    const std::vector<std::pair<int, std::string>> named = {
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
    for (const auto& [measure, name] : named) {
        SCOPED_TRACE(name);
        const char* got = trajplot_measure_name(measure);
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(std::string(got), name);
        int parsed = -12345;
        EXPECT_TRAJPLOT_OK(trajplot_measure_from_name(&parsed, got));
        EXPECT_EQ(parsed, measure);
        EXPECT_EQ(trajplot_measure_is_comparison(measure), measure >= TRAJPLOT_MEASURE_KL_DIVERGENCE);
    }
    // Every other value, around and between the two groups, is no measure.
    for (int value = -100; value <= 100; ++value) {
        const bool known =
            std::any_of(named.begin(), named.end(), [&](const auto& entry) { return entry.first == value; });
        if (known) continue;
        EXPECT_EQ(trajplot_measure_name(value), nullptr) << value;
        EXPECT_FALSE(trajplot_measure_is_comparison(value)) << value;
    }
    for (const int value : {std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) {
        EXPECT_EQ(trajplot_measure_name(value), nullptr) << value;
        EXPECT_FALSE(trajplot_measure_is_comparison(value)) << value;
    }
}

TEST(CapiLensMeasures, MeasuresListsEveryMeasureInTheHeadersOrder) {
    std::vector<int> expected = trajectory_measures();
    expected.insert(expected.end(), comparison_measures().begin(), comparison_measures().end());
    EXPECT_EQ(trajplot_measures(nullptr, 0), expected.size());
    // Room for more than all: the total, and nothing written past it.
    std::vector<int> all(expected.size() + 3, -1);
    EXPECT_EQ(trajplot_measures(all.data(), all.size()), expected.size());
    EXPECT_EQ(std::vector<int>(all.begin(), all.begin() + static_cast<long>(expected.size())), expected);
    EXPECT_EQ(std::vector<int>(all.begin() + static_cast<long>(expected.size()), all.end()), std::vector<int>(3, -1));
    // Room for fewer: the first ones.
    std::vector<int> some(6, -1);
    EXPECT_EQ(trajplot_measures(some.data(), 4), expected.size());
    EXPECT_EQ(some, (std::vector<int>{expected[0], expected[1], expected[2], expected[3], -1, -1}));
}

TEST(CapiLensMeasures, UnknownNamesFailListingTheKnownOnes) {
    for (const char* name : {"", "Entropy", "entropy ", "kl", "js", "total-variation", "entropy\n"}) {
        SCOPED_TRACE(name);
        int out = -777;
        EXPECT_TRAJPLOT_FAILS(trajplot_measure_from_name(&out, name), TRAJPLOT_EINVAL, "trajplot_measure_from_name",
                              "entropy", "cross_entropy", "forward_kl", "max_probability", "rank", "log_prob_diff",
                              "log_prob_diff_delta", "kl_divergence", "js_divergence", "half_symmetric_kl",
                              "total_variation", "max_abs_prob_difference");
        EXPECT_EQ(out, -777);
    }
    int out = -777;
    EXPECT_TRAJPLOT_FAILS(trajplot_measure_from_name(&out, "no_such_measure"), TRAJPLOT_EINVAL,
                          "trajplot_measure_from_name", "\"no_such_measure\"");
    // A name that is not UTF-8 is quoted as valid UTF-8.
    EXPECT_TRAJPLOT_FAILS(trajplot_measure_from_name(&out, "bad\xFF"), TRAJPLOT_EINVAL, "trajplot_measure_from_name",
                          "bad\xEF\xBF\xBD");
    EXPECT_TRAJPLOT_FAILS(trajplot_measure_from_name(&out, nullptr), TRAJPLOT_EINVAL, "trajplot_measure_from_name",
                          "name");
    EXPECT_TRAJPLOT_FAILS(trajplot_measure_from_name(nullptr, "entropy"), TRAJPLOT_EINVAL, "trajplot_measure_from_name",
                          "out");
    EXPECT_EQ(out, -777);
}

// ---------------------------------------------------------------------------
// One trajectory, for logits and for log-probs

class CapiLensTrajectory : public ::testing::TestWithParam<int> {
protected:
    void SetUp() override {
        data_ = small_trajectory_data(GetParam());
        vocabulary_ = make_vocabulary(bpe_tokens());
        ASSERT_TRUE(vocabulary_);
        options_ = options_with(GetParam(), vocabulary_.get());
    }

    TrajectoryData data_;
    VocabularyPtr vocabulary_;
    trajplot_trajectory_options options_{};
};

INSTANTIATE_TEST_SUITE_P(Values, CapiLensTrajectory,
                         ::testing::Values(TRAJPLOT_VALUES_LOGITS, TRAJPLOT_VALUES_LOG_PROBS), values_name);

TEST_P(CapiLensTrajectory, EveryMeasureMatchesTheReference) {
    const TrajectoryPtr trajectory = filled_trajectory(data_, &options_);
    ASSERT_TRUE(trajectory);
    EXPECT_TRUE(complete(trajectory.get()));
    std::size_t batch = 0, n_layers = 0, seq_len = 0, vocab = 0;
    EXPECT_TRAJPLOT_OK(trajplot_trajectory_shape(&batch, &n_layers, &seq_len, &vocab, trajectory.get()));
    EXPECT_EQ(batch, 2u);
    EXPECT_EQ(n_layers, 4u);
    EXPECT_EQ(seq_len, 3u);
    EXPECT_EQ(vocab, 7u);

    // The reference's formatter itself, on the documented examples.
    const std::vector<std::string> sequence = expected_sequence_labels(small_shape, data_.input_ids, bpe_tokens());
    EXPECT_EQ(sequence, (std::vector<std::string>{"_the", "*", "abcdef\u2026"}));

    const LabelsView shared = trajectory_labels_view(trajectory.get());
    expect_labels(shared, expected_trajectory_labels(data_.tensor, GetParam(), bpe_tokens()), "shared labels");

    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView view = trajectory_view(trajectory.get(), measure);
        const Description description = description_of(measure, 7.0f);
        expect_described(view, description, small_shape);
        EXPECT_EQ(view.sequence_labels, sequence);
        if (description.labelled) {
            EXPECT_EQ(view.labels, shared) << "every statistic but log_prob_diff shows the shared labels";
        } else {
            EXPECT_FALSE(view.labels.has_value());
        }
        expect_stats_near(expected_trajectory_stats(data_, measure), view.stats, view.name);
    }
}

TEST_P(CapiLensTrajectory, ShowRanksLabelsEachCellWithItsRank) {
    const TrajectoryPtr trajectory = filled_trajectory(data_, &options_);
    ASSERT_TRUE(trajectory);
    const StatisticView plain = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_RANK);
    const StatisticView ranked = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_RANK, TRAJPLOT_SHOW_RANKS);
    ASSERT_TRUE(plain.labels && ranked.labels);
    // The cells are the batch-mean rank, truncated as "%d" does; all else is
    // the plain rank statistic's.
    const std::vector<double> ranks = expected_trajectory_stats(data_, TRAJPLOT_MEASURE_RANK);
    std::vector<std::string> cells;
    for (const double rank : ranks) cells.push_back(std::to_string(static_cast<long long>(std::trunc(rank))));
    EXPECT_EQ(ranked.labels->cells, cells);
    EXPECT_EQ(ranked.labels->hover, plain.labels->hover);
    EXPECT_EQ(ranked.labels->rows, plain.labels->rows);
    EXPECT_EQ(ranked.labels->cols, plain.labels->cols);
    StatisticView without_cells = ranked;
    without_cells.labels->cells = plain.labels->cells;
    EXPECT_EQ(without_cells, plain);
    // Some mean rank of two items is a half, so truncation is exercised.
    EXPECT_TRUE(std::any_of(ranks.begin(), ranks.end(), [](double rank) { return rank != std::trunc(rank); }));
}

TEST_P(CapiLensTrajectory, StreamedSlabsInMixedOrderEqualAddAll) {
    const TrajectoryPtr whole = filled_trajectory(data_, &options_);
    ASSERT_TRUE(whole);
    const Shape& shape = data_.tensor.shape;
    // Every slab, shuffled; forward KL only asks that an item's output layer
    // come before its other layers, so each output layer is moved ahead of
    // its item's first slab.
    std::vector<std::pair<std::size_t, std::size_t>> order;
    for (std::size_t item = 0; item < shape.batch; ++item) {
        for (std::size_t layer = 0; layer < shape.layers; ++layer) order.emplace_back(item, layer);
    }
    std::mt19937 rng(99);
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t item = 0; item < shape.batch; ++item) {
        const auto first =
            std::find_if(order.begin(), order.end(), [&](const auto& slab) { return slab.first == item; });
        const auto output = std::find(order.begin(), order.end(), std::make_pair(item, shape.layers - 1));
        std::iter_swap(first, output);
    }
    ASSERT_NE(order.front().second, 0u) << "the order interleaves batch items and layers";

    const TrajectoryPtr streamed =
        make_trajectory(shape, data_.input_ids, &data_.targets, &data_.anti_targets, &options_);
    ASSERT_TRUE(streamed);
    for (std::size_t i = 0; i < order.size(); ++i) {
        EXPECT_FALSE(complete(streamed.get()));
        const auto [item, layer] = order[i];
        ASSERT_TRAJPLOT_OK(
            trajplot_trajectory_add(streamed.get(), item, layer, data_.tensor.slab(item, layer), shape.slab_len()));
    }
    EXPECT_TRUE(complete(streamed.get()));
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        EXPECT_EQ(trajectory_view(streamed.get(), measure), trajectory_view(whole.get(), measure));
    }
    EXPECT_EQ(trajectory_labels_view(streamed.get()), trajectory_labels_view(whole.get()));
}

TEST_P(CapiLensTrajectory, WithoutForwardKlSlabsComeInAnyOrder) {
    const TrajectoryPtr whole = filled_trajectory(data_, &options_);
    ASSERT_TRUE(whole);
    trajplot_trajectory_options options = options_;
    options.forward_kl = false;
    const Shape& shape = data_.tensor.shape;
    const TrajectoryPtr streamed =
        make_trajectory(shape, data_.input_ids, &data_.targets, &data_.anti_targets, &options);
    ASSERT_TRUE(streamed);
    // Layer 0 of the last item first, the output layers last.
    for (std::size_t item = shape.batch; item-- > 0;) {
        for (std::size_t layer = 0; layer < shape.layers; ++layer) {
            ASSERT_TRAJPLOT_OK(
                trajplot_trajectory_add(streamed.get(), item, layer, data_.tensor.slab(item, layer), shape.slab_len()));
        }
    }
    EXPECT_TRUE(complete(streamed.get()));
    for (const int measure : trajectory_measures()) {
        if (measure == TRAJPLOT_MEASURE_FORWARD_KL) continue;
        SCOPED_TRACE(trajplot_measure_name(measure));
        EXPECT_EQ(trajectory_view(streamed.get(), measure), trajectory_view(whole.get(), measure));
    }
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, streamed.get(), TRAJPLOT_MEASURE_FORWARD_KL, 0),
                          TRAJPLOT_EINVAL, "trajplot_trajectory_statistic", "forward_kl", "without forward KL");
    EXPECT_EQ(out, sentinel_statistic());
    // The trajectory is still usable.
    EXPECT_EQ(trajectory_view(streamed.get(), TRAJPLOT_MEASURE_ENTROPY),
              trajectory_view(whole.get(), TRAJPLOT_MEASURE_ENTROPY));
}

TEST_P(CapiLensTrajectory, OptionsNullAndDefaultsAgreeAndThreadsDoNotMatter) {
    // Without a vocabulary there are neither labels nor sequence labels.
    trajplot_trajectory_options defaults = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    defaults.values = GetParam();
    std::vector<TrajectoryPtr> trajectories;
    trajectories.push_back(filled_trajectory(data_, &defaults));
    for (const std::size_t threads : {1u, 3u, 64u}) {
        trajplot_trajectory_options threaded = defaults;
        threaded.threads = threads;
        trajectories.push_back(filled_trajectory(data_, &threaded));
    }
    if (GetParam() == TRAJPLOT_VALUES_LOGITS) trajectories.push_back(filled_trajectory(data_, nullptr));
    for (const TrajectoryPtr& trajectory : trajectories) ASSERT_TRUE(trajectory);

    trajplot_labels* labels = sentinel_labels();
    EXPECT_TRAJPLOT_OK(trajplot_trajectory_labels(&labels, trajectories.front().get()));
    EXPECT_EQ(labels, nullptr);
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView first = trajectory_view(trajectories.front().get(), measure);
        EXPECT_FALSE(first.labels.has_value());
        EXPECT_FALSE(first.sequence_labels.has_value());
        // Rank's colour scale ends at the vocabulary's size: without one it is open.
        expect_described(first, description_of(measure, std::nullopt), small_shape);
        expect_stats_near(expected_trajectory_stats(data_, measure), first.stats, first.name);
        for (std::size_t i = 1; i < trajectories.size(); ++i) {
            EXPECT_EQ(trajectory_view(trajectories[i].get(), measure), first) << "trajectory " << i;
        }
    }
}

// ---------------------------------------------------------------------------
// Values: logits and log-probs, -inf, ties

TEST(CapiLensValues, LogitsAndTheirLogProbsGiveTheSameStatistics) {
    const TrajectoryData logits = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 5);
    TrajectoryData log_probs = logits;
    log_probs.values = TRAJPLOT_VALUES_LOG_PROBS;
    normalise_rows(log_probs.tensor);
    const VocabularyPtr vocabulary = make_vocabulary(bpe_tokens());
    const trajplot_trajectory_options logit_options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    const trajplot_trajectory_options log_prob_options = options_with(TRAJPLOT_VALUES_LOG_PROBS, vocabulary.get());
    const TrajectoryPtr from_logits = filled_trajectory(logits, &logit_options);
    const TrajectoryPtr from_log_probs = filled_trajectory(log_probs, &log_prob_options);
    ASSERT_TRUE(from_logits && from_log_probs);
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView a = trajectory_view(from_logits.get(), measure);
        const StatisticView b = trajectory_view(from_log_probs.get(), measure);
        const std::vector<double> a_stats(a.stats.begin(), a.stats.end());
        expect_stats_near(a_stats, b.stats, a.name);
        EXPECT_EQ(a.name, b.name);
        ASSERT_EQ(a.labels.has_value(), b.labels.has_value());
        if (a.labels) {
            EXPECT_EQ(a.labels->cells, b.labels->cells);
        }
    }
}

TEST(CapiLensValues, LogProbsAreUsedAsGivenNotRenormalised) {
    // Unnormalised values read as log-probs: p = exp(x) as given.
    TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 17);
    for (float& value : data.tensor.values) value = value * 0.25f - 2.0f;
    data.values = TRAJPLOT_VALUES_LOG_PROBS;
    TrajectoryData as_logits = data;
    as_logits.values = TRAJPLOT_VALUES_LOGITS;
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.values = TRAJPLOT_VALUES_LOG_PROBS;
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView view = trajectory_view(trajectory.get(), measure);
        expect_stats_near(expected_trajectory_stats(data, measure), view.stats, view.name);
    }
    // Renormalising would have given other entropies.
    const std::vector<double> renormalised = expected_trajectory_stats(as_logits, TRAJPLOT_MEASURE_ENTROPY);
    const std::vector<float> got = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY).stats;
    EXPECT_GT(std::abs(got[0] - renormalised[0]), 0.1);
}

// Tokens of probability 0: they add nothing to any sum, and make infinities
// only where the formulas do.
TEST(CapiLensValues, NegativeInfinityLogProbs) {
    const Shape shape{1, 2, 3, 4};
    const float minus_infinity = -float_infinity;
    const float p07 = std::log(0.7f), p03 = std::log(0.3f), p045 = std::log(0.45f), p035 = std::log(0.35f);
    const float p02 = std::log(0.2f), p01 = std::log(0.1f), p09 = std::log(0.9f), p05 = std::log(0.5f);
    const float p025 = std::log(0.25f), p06 = std::log(0.6f), p04 = std::log(0.4f), never = minus_infinity;
    TrajectoryData data;
    // Layer 0 rules out token 2 at position 0, where the output gives it
    // 0.25. Only impossible tokens tie.
    const std::vector<float> layer_0 = {p07, p03, never, never, p045, p035, p02, never, p01, never, p09, never};
    const std::vector<float> output = {p05, p025, p025, never, p06, p03, p01, never, p06, never, p04, never};
    data.tensor.shape = shape;
    data.tensor.values = layer_0;
    data.tensor.values.insert(data.tensor.values.end(), output.begin(), output.end());
    data.values = TRAJPLOT_VALUES_LOG_PROBS;
    data.input_ids = {0, 1, 2};
    data.targets = {3, 1, 1};  // impossible targets: infinite cross entropy
    data.anti_targets = {0, 2, 0};
    const std::vector<std::string> tokens = {"a", "b", "c", "d"};
    const VocabularyPtr vocabulary = make_vocabulary(tokens);
    const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOG_PROBS, vocabulary.get());
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView view = trajectory_view(trajectory.get(), measure);
        expect_stats_near(expected_trajectory_stats(data, measure), view.stats, view.name);
    }
    // What the reference says, spelled out: finite entropies, KL(output ||
    // layer 0) infinite at position 0 only, ranks counting finite tokens.
    const std::vector<float> entropy = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY).stats;
    EXPECT_TRUE(std::all_of(entropy.begin(), entropy.end(), [](float value) { return std::isfinite(value); }));
    const std::vector<float> forward_kl = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_FORWARD_KL).stats;
    EXPECT_EQ(forward_kl[0], float_infinity);
    EXPECT_TRUE(std::isfinite(forward_kl[1]) && std::isfinite(forward_kl[2]));
    const std::vector<float> rank = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_RANK).stats;
    EXPECT_EQ(rank[0], 3.0f);  // 0.7 and 0.3 are greater; the other -inf is not
    EXPECT_EQ(rank[2], 3.0f);
    expect_labels(trajectory_labels_view(trajectory.get()),
                  expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOG_PROBS, tokens), "labels");

    // Logits with -inf (masked tokens) are softmaxed over the others.
    TrajectoryData masked = data;
    masked.values = TRAJPLOT_VALUES_LOGITS;
    for (float& value : masked.tensor.values) {
        if (std::isfinite(value)) value = value * 3.0f + 1.5f;
    }
    trajplot_trajectory_options logit_options = options;
    logit_options.values = TRAJPLOT_VALUES_LOGITS;
    const TrajectoryPtr from_logits = filled_trajectory(masked, &logit_options);
    ASSERT_TRUE(from_logits);
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView view = trajectory_view(from_logits.get(), measure);
        expect_stats_near(expected_trajectory_stats(masked, measure), view.stats, view.name);
    }
}

TEST(CapiLensValues, TiedTokensShareTheBestRank) {
    const Shape shape{1, 1, 5, 7};
    const std::vector<float> row = {1, 3, 3, 0, 3, -1, 2};
    TrajectoryData data;
    data.tensor.shape = shape;
    for (std::size_t position = 0; position < shape.seq_len; ++position) {
        data.tensor.values.insert(data.tensor.values.end(), row.begin(), row.end());
    }
    data.input_ids = {0, 0, 0, 0, 0};
    data.targets = {1, 2, 4, 6, 0};
    data.anti_targets = {5, 5, 5, 5, 5};
    // The reference on its own terms: the three tied maxima rank 1.
    std::vector<double> expected_ranks;
    for (const std::int64_t target : data.targets) expected_ranks.push_back(rank_of(row.data(), row.size(), target));
    EXPECT_EQ(expected_ranks, (std::vector<double>{1, 1, 1, 4, 5}));
    for (const int values : {TRAJPLOT_VALUES_LOGITS, TRAJPLOT_VALUES_LOG_PROBS}) {
        SCOPED_TRACE(values);
        data.values = values;
        trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
        options.values = values;
        const TrajectoryPtr trajectory = filled_trajectory(data, &options);
        ASSERT_TRUE(trajectory);
        const StatisticView rank = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_RANK);
        expect_stats_near(expected_ranks, rank.stats, "rank");
    }
}

// ---------------------------------------------------------------------------
// Two trajectories

class CapiLensComparison : public ::testing::TestWithParam<int> {
protected:
    void SetUp() override {
        self_ = lens_output(small_shape, 31, GetParam());
        other_ = lens_output(small_shape, 32, GetParam());
        // Item 0 at layer 1, position 2 does not change: that cell has no
        // label, whatever item 1 does.
        std::copy_n(self_.row(0, 1, 2), small_shape.vocab, other_.row(0, 1, 2));
        vocabulary_ = make_vocabulary(bpe_tokens());
        ASSERT_TRUE(vocabulary_);
        options_ = options_with(GetParam(), vocabulary_.get());
    }

    ComparisonPtr filled() const {
        ComparisonPtr comparison = make_comparison(small_shape, input_ids_, &options_);
        if (comparison) {
            EXPECT_EQ(trajplot_comparison_add_all(comparison.get(), self_.values.data(), other_.values.data(),
                                                  self_.values.size()),
                      TRAJPLOT_OK)
                << trajplot_error_last();
        }
        return comparison;
    }

    Tensor self_, other_;
    std::vector<std::int64_t> input_ids_ = {6, 1, 3, 6, 1, 4};
    VocabularyPtr vocabulary_;
    trajplot_trajectory_options options_{};
};

INSTANTIATE_TEST_SUITE_P(Values, CapiLensComparison,
                         ::testing::Values(TRAJPLOT_VALUES_LOGITS, TRAJPLOT_VALUES_LOG_PROBS), values_name);

TEST_P(CapiLensComparison, EveryMeasureMatchesTheReference) {
    const ComparisonPtr comparison = filled();
    ASSERT_TRUE(comparison);
    EXPECT_TRUE(complete(comparison.get()));
    std::size_t batch = 0, n_layers = 0, seq_len = 0, vocab = 0;
    EXPECT_TRAJPLOT_OK(trajplot_comparison_shape(&batch, &n_layers, &seq_len, &vocab, comparison.get()));
    EXPECT_EQ(batch, 2u);
    EXPECT_EQ(n_layers, 4u);
    EXPECT_EQ(seq_len, 3u);
    EXPECT_EQ(vocab, 7u);

    const std::vector<std::string> sequence = expected_sequence_labels(small_shape, input_ids_, bpe_tokens());
    EXPECT_EQ(sequence, (std::vector<std::string>{"_longe\u2026", "\\n", "*"}));
    const LabelsView shared = comparison_labels_view(comparison.get());
    const ExpectedLabels expected_labels = expected_comparison_labels(self_, other_, GetParam(), bpe_tokens());
    expect_labels(shared, expected_labels, "comparison labels");
    EXPECT_EQ(shared.cell(1, 2), "") << "a cell where item 0 did not change";

    std::set<std::string> names;
    for (const int measure : comparison_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        const StatisticView view = comparison_view(comparison.get(), measure);
        expect_described(view, description_of(measure, std::nullopt), small_shape);
        EXPECT_NE(view.name.find("Self"), std::string::npos) << view.name;
        EXPECT_NE(view.name.find("Other"), std::string::npos) << view.name;
        names.insert(view.name);
        EXPECT_EQ(view.sequence_labels, sequence);
        EXPECT_EQ(view.labels, shared);
        expect_stats_near(expected_comparison_stats(self_, other_, GetParam(), measure), view.stats, view.name);
    }
    EXPECT_EQ(names.size(), comparison_measures().size()) << "every measure has a name of its own";
}

TEST_P(CapiLensComparison, StreamedPairsInAnyOrderEqualAddAll) {
    const ComparisonPtr whole = filled();
    ASSERT_TRUE(whole);
    const ComparisonPtr streamed = make_comparison(small_shape, input_ids_, &options_);
    ASSERT_TRUE(streamed);
    // Layers backwards, the output first: no order is required.
    for (std::size_t layer = small_shape.layers; layer-- > 0;) {
        for (std::size_t item = 0; item < small_shape.batch; ++item) {
            EXPECT_FALSE(complete(streamed.get()));
            ASSERT_TRAJPLOT_OK(trajplot_comparison_add(streamed.get(), item, layer, self_.slab(item, layer),
                                                       other_.slab(item, layer), small_shape.slab_len()));
        }
    }
    EXPECT_TRUE(complete(streamed.get()));
    for (const int measure : comparison_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        EXPECT_EQ(comparison_view(streamed.get(), measure), comparison_view(whole.get(), measure));
    }
    EXPECT_EQ(comparison_labels_view(streamed.get()), comparison_labels_view(whole.get()));
}

TEST(CapiLensComparisonSettings, MinProbDeltaAndForwardKlOption) {
    Tensor self = lens_output(small_shape, 41, TRAJPLOT_VALUES_LOGITS);
    Tensor other = lens_output(small_shape, 42, TRAJPLOT_VALUES_LOGITS);
    const std::vector<std::int64_t> input_ids = {0, 1, 2, 3, 4, 5};
    const VocabularyPtr vocabulary = make_vocabulary(bpe_tokens());
    trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    options.min_prob_delta = 0.3f;
    options.top_k = 2;
    options.max_batch_items_shown = 1;
    options.forward_kl = false;  // comparisons ignore it
    const ComparisonPtr comparison = make_comparison(small_shape, input_ids, &options);
    ASSERT_TRUE(comparison);
    // Streamed with the output layer last, which forward KL would refuse.
    for (std::size_t item = 0; item < small_shape.batch; ++item) {
        for (std::size_t layer = 0; layer < small_shape.layers; ++layer) {
            ASSERT_TRAJPLOT_OK(trajplot_comparison_add(comparison.get(), item, layer, self.slab(item, layer),
                                                       other.slab(item, layer), small_shape.slab_len()));
        }
    }
    LabelSettings settings;
    settings.min_prob_delta = 0.3;
    settings.top_k = 2;
    settings.max_batch_items_shown = 1;
    const ExpectedLabels expected =
        expected_comparison_labels(self, other, TRAJPLOT_VALUES_LOGITS, bpe_tokens(), settings);
    // The threshold blanks some cells and keeps others.
    const auto blank = std::count(expected.cells.begin(), expected.cells.end(), "");
    EXPECT_GT(blank, 0);
    EXPECT_LT(blank, static_cast<long>(expected.cells.size()));
    expect_labels(comparison_labels_view(comparison.get()), expected, "labels");
}

// ---------------------------------------------------------------------------
// Options

TEST(CapiLensOptions, InitGivesTheMacroDefaults) {
    const trajplot_trajectory_options macro = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    trajplot_trajectory_options options;
    std::memset(&options, 0xA5, sizeof options);
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_options_init(&options, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION));
    const auto same = [](const char* a, const char* b) { return a == b; };
    EXPECT_EQ(options.version, macro.version);
    EXPECT_EQ(options.values, macro.values);
    EXPECT_EQ(options.vocabulary, macro.vocabulary);
    EXPECT_EQ(options.top_k, macro.top_k);
    EXPECT_EQ(options.min_prob, macro.min_prob);
    EXPECT_EQ(options.min_prob_delta, macro.min_prob_delta);
    EXPECT_EQ(options.max_batch_items_shown, macro.max_batch_items_shown);
    EXPECT_EQ(options.max_string_len, macro.max_string_len);
    EXPECT_TRUE(same(options.ellipsis, macro.ellipsis));
    EXPECT_TRUE(same(options.newline_token, macro.newline_token));
    EXPECT_TRUE(same(options.newline_replacement, macro.newline_replacement));
    EXPECT_TRUE(same(options.whitespace_token, macro.whitespace_token));
    EXPECT_TRUE(same(options.whitespace_replacement, macro.whitespace_replacement));
    EXPECT_EQ(options.threads, macro.threads);
    EXPECT_EQ(options.forward_kl, macro.forward_kl);
    // And both are what the header documents.
    EXPECT_EQ(macro.version, static_cast<unsigned>(TRAJPLOT_TRAJECTORY_OPTIONS_VERSION));
    EXPECT_EQ(macro.values, TRAJPLOT_VALUES_LOGITS);
    EXPECT_EQ(macro.vocabulary, nullptr);
    EXPECT_EQ(macro.top_k, 10u);
    EXPECT_EQ(macro.min_prob, 0.0f);
    EXPECT_EQ(macro.min_prob_delta, 0.0f);
    EXPECT_EQ(macro.max_batch_items_shown, 3u);
    EXPECT_EQ(macro.max_string_len, 7u);
    EXPECT_EQ(macro.ellipsis, nullptr);
    EXPECT_EQ(macro.newline_token, nullptr);
    EXPECT_EQ(macro.whitespace_replacement, nullptr);
    EXPECT_EQ(macro.threads, 0u);
    EXPECT_TRUE(macro.forward_kl);
}

TEST(CapiLensOptions, InitRefusesOtherVersions) {
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.top_k = 99;
    for (const unsigned version : {0u, 2u, 1000u}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_options_init(&options, version), TRAJPLOT_EINVAL,
                              "trajplot_trajectory_options_init", "version", std::to_string(version),
                              "TRAJPLOT_TRAJECTORY_OPTIONS_VERSION");
        EXPECT_EQ(options.top_k, 99u);
    }
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_options_init(nullptr, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION),
                          TRAJPLOT_EINVAL, "trajplot_trajectory_options_init", "options");
}

// Each bad field is refused by both constructors, naming the field
// (options->...) and its value, and creates nothing.
TEST(CapiLensOptions, EveryFieldIsValidated) {
    const Shape shape = small_shape;
    const std::vector<std::int64_t> ids(shape.id_count(), 1);
    struct Case {
        const char* what;
        void (*spoil)(trajplot_trajectory_options&);
        std::vector<std::string> mentions;
    };
    const std::vector<Case> cases = {
        {"version", [](trajplot_trajectory_options& o) { o.version = 99; }, {"options->version", "99"}},
        {"values", [](trajplot_trajectory_options& o) { o.values = 7; }, {"options->values", "7"}},
        {"negative values", [](trajplot_trajectory_options& o) { o.values = -1; }, {"options->values", "-1"}},
        {"top_k", [](trajplot_trajectory_options& o) { o.top_k = 0; }, {"options->top_k", "0"}},
        {"max_batch_items_shown",
         [](trajplot_trajectory_options& o) { o.max_batch_items_shown = 0; },
         {"options->max_batch_items_shown", "0"}},
        {"max_string_len shorter than the ellipsis",
         [](trajplot_trajectory_options& o) {
             o.ellipsis = "...";
             o.max_string_len = 2;
         },
         {"options->max_string_len", "2", "3"}},
        {"min_prob", [](trajplot_trajectory_options& o) { o.min_prob = not_a_number; }, {"options->min_prob", "NaN"}},
        {"min_prob_delta",
         [](trajplot_trajectory_options& o) { o.min_prob_delta = not_a_number; },
         {"options->min_prob_delta", "NaN"}},
        {"newline_token",
         [](trajplot_trajectory_options& o) { o.newline_token = ""; },
         {"options->newline_token", "empty"}},
        {"whitespace_token",
         [](trajplot_trajectory_options& o) { o.whitespace_token = ""; },
         {"options->whitespace_token", "empty"}},
    };
    for (const Case& bad : cases) {
        SCOPED_TRACE(bad.what);
        trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
        bad.spoil(options);
        trajplot_trajectory* trajectory = sentinel_trajectory();
        trajplot_error_clear();
        const trajplot_status status = trajplot_trajectory_create(&trajectory, shape.batch, shape.layers, shape.seq_len,
                                                                  shape.vocab, ids.data(), nullptr, nullptr, &options);
        expect_failure(status, TRAJPLOT_EINVAL, "trajplot_trajectory_create", {});
        for (const std::string& mention : bad.mentions) {
            EXPECT_NE(std::string(trajplot_error_last()).find(mention), std::string::npos)
                << "does not mention \"" << mention << "\": " << trajplot_error_last();
        }
        EXPECT_EQ(trajectory, sentinel_trajectory());

        trajplot_comparison* comparison = sentinel_comparison();
        trajplot_error_clear();
        expect_failure(trajplot_comparison_create(&comparison, shape.batch, shape.layers, shape.seq_len, shape.vocab,
                                                  ids.data(), &options),
                       TRAJPLOT_EINVAL, "trajplot_comparison_create", {});
        for (const std::string& mention : bad.mentions) {
            EXPECT_NE(std::string(trajplot_error_last()).find(mention), std::string::npos)
                << "does not mention \"" << mention << "\": " << trajplot_error_last();
        }
        EXPECT_EQ(comparison, sentinel_comparison());
    }
    // The limits themselves are accepted: a one-code-point ellipsis in one
    // code point, every value kind.
    trajplot_trajectory_options edge = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    edge.max_string_len = 1;
    edge.top_k = 1;
    edge.max_batch_items_shown = 1;
    edge.values = TRAJPLOT_VALUES_LOG_PROBS;
    EXPECT_TRUE(make_trajectory(shape, ids, nullptr, nullptr, &edge));
}

TEST(CapiLensOptions, OptionsShapeTheLabels) {
    TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 77);
    // Both items favour token 3 strongly at layer 2, position 0: that cell
    // clears the threshold below.
    for (std::size_t item = 0; item < small_shape.batch; ++item) data.tensor.row(item, 2, 0)[3] = 30.0f;
    const std::vector<std::string> tokens = {"\u2581a\u2581b", "line\u010A", "x",  "\u0120\u0120abcdefghijkl",
                                             "\u2581\u2581",   "\u00E9",     "tok"};
    const VocabularyPtr vocabulary = make_vocabulary(tokens);
    trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    options.top_k = 3;
    options.max_batch_items_shown = 1;
    options.min_prob = 0.45f;
    options.max_string_len = 5;
    options.ellipsis = "..";
    options.newline_replacement = "\u23CE";
    options.whitespace_token = "\u2581";  // sentencepiece's marker
    options.whitespace_replacement = " ";
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);

    LabelSettings settings;
    settings.top_k = 3;
    settings.max_batch_items_shown = 1;
    settings.min_prob = 0.45;
    settings.format.max_string_len = 5;
    settings.format.ellipsis = "..";
    settings.format.newline_replacement = "\u23CE";
    settings.format.whitespace_token = "\u2581";
    settings.format.whitespace_replacement = " ";
    EXPECT_EQ(formatted(tokens[3], settings.format), "\u0120\u0120a..");
    EXPECT_EQ(formatted(tokens[0], settings.format), " a b");
    const ExpectedLabels expected = expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOGITS, tokens, settings);
    const auto blank = std::count(expected.cells.begin(), expected.cells.end(), "");
    EXPECT_GT(blank, 0) << "min_prob blanks some cells";
    EXPECT_LT(blank, static_cast<long>(expected.cells.size())) << "and keeps others";
    expect_labels(trajectory_labels_view(trajectory.get()), expected, "labels");
    const StatisticView entropy = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY);
    EXPECT_EQ(entropy.sequence_labels, expected_sequence_labels(small_shape, data.input_ids, tokens, settings.format));

    // max_string_len 0 keeps every token whole.
    options.max_string_len = 0;
    settings.format.max_string_len = 0;
    const TrajectoryPtr whole_tokens = filled_trajectory(data, &options);
    ASSERT_TRUE(whole_tokens);
    expect_labels(trajectory_labels_view(whole_tokens.get()),
                  expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOGITS, tokens, settings), "whole tokens");
    EXPECT_EQ(formatted(tokens[3], settings.format), "\u0120\u0120abcdefghijkl");
}

// ---------------------------------------------------------------------------
// Vocabulary

TEST(CapiLensVocabulary, CreateSizeAndTokens) {
    const std::vector<std::string> tokens = {"plain",
                                             std::string("nul\0inside", 10),
                                             "",
                                             "bad\xFF"
                                             "byte",
                                             "\xC3\x28",
                                             "\u0120ok"};
    const VocabularyPtr vocabulary = make_vocabulary(tokens);
    ASSERT_TRUE(vocabulary);
    std::size_t size = sentinel_size;
    EXPECT_TRAJPLOT_OK(trajplot_vocabulary_size(&size, vocabulary.get()));
    EXPECT_EQ(size, tokens.size());
    const std::vector<std::string> stored = {"plain",
                                             std::string("nul\0inside", 10),
                                             "",
                                             "bad\xEF\xBF\xBD"
                                             "byte",
                                             "\xEF\xBF\xBD(",
                                             "\u0120ok"};
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        const char* text = nullptr;
        std::size_t len = sentinel_size;
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_token(&text, &len, vocabulary.get(), id));
        EXPECT_EQ(std::string(text, len), stored[id]) << id;
        EXPECT_EQ(text[len], '\0') << id;
        EXPECT_TRAJPLOT_OK(trajplot_vocabulary_token(&text, nullptr, vocabulary.get(), id));
    }
    // NUL-terminated strings without lengths.
    const char* terminated[] = {"one", "two\xFF"};
    trajplot_vocabulary* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_vocabulary_create(&created, terminated, nullptr, 2));
    const VocabularyPtr owner(created);
    const char* text = nullptr;
    std::size_t len = 0;
    EXPECT_TRAJPLOT_OK(trajplot_vocabulary_token(&text, &len, created, 1));
    EXPECT_EQ(std::string(text, len), "two\xEF\xBF\xBD");
    // An empty vocabulary.
    trajplot_vocabulary* empty = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_vocabulary_create(&empty, nullptr, nullptr, 0));
    const VocabularyPtr empty_owner(empty);
    EXPECT_TRAJPLOT_OK(trajplot_vocabulary_size(&size, empty));
    EXPECT_EQ(size, 0u);
    trajplot_vocabulary_free(nullptr);
}

TEST(CapiLensVocabulary, Errors) {
    const char* tokens[] = {"a", nullptr, "c"};
    trajplot_vocabulary* out = reinterpret_cast<trajplot_vocabulary*>(sentinel_labels());
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create(nullptr, tokens, nullptr, 1), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create(&out, nullptr, nullptr, 2), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create", "tokens");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create(&out, tokens, nullptr, 3), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_create", "tokens[1] is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_create(&out, tokens, nullptr, SIZE_MAX / 4), TRAJPLOT_ERANGE,
                          "trajplot_vocabulary_create", "size");
    EXPECT_EQ(out, reinterpret_cast<trajplot_vocabulary*>(sentinel_labels()));

    const VocabularyPtr vocabulary = make_vocabulary({"x", "y"});
    ASSERT_TRUE(vocabulary);
    const char* text = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_token(&text, &len, vocabulary.get(), 2), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_token", "id 2", "size is 2");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_token(&text, &len, nullptr, 0), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_token", "vocabulary");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_token(nullptr, &len, vocabulary.get(), 0), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_token", "out");
    EXPECT_EQ(text, sentinel_const_string());
    EXPECT_EQ(len, sentinel_size);
    std::size_t size = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_size(&size, nullptr), TRAJPLOT_EINVAL, "trajplot_vocabulary_size",
                          "vocabulary");
    EXPECT_TRAJPLOT_FAILS(trajplot_vocabulary_size(nullptr, vocabulary.get()), TRAJPLOT_EINVAL,
                          "trajplot_vocabulary_size", "out");
    EXPECT_EQ(size, sentinel_size);
}

TEST(CapiLensVocabulary, ShorterThanTheLensVocabularyShowsUnk) {
    TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 8);
    data.input_ids = {6, 5, 1, 6, 5, 2};
    // Token 6, past the vocabulary, is the most likely at layer 0, position 1.
    for (std::size_t item = 0; item < small_shape.batch; ++item) data.tensor.row(item, 0, 1)[6] = 40.0f;
    const std::vector<std::string> five(bpe_tokens().begin(), bpe_tokens().begin() + 5);
    const VocabularyPtr vocabulary = make_vocabulary(five);
    const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);
    const std::vector<std::string> sequence = expected_sequence_labels(small_shape, data.input_ids, five);
    EXPECT_EQ(sequence, (std::vector<std::string>{"<unk>", "<unk>", "*"}));
    const ExpectedLabels expected = expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOGITS, five);
    EXPECT_EQ(expected.cells[1], "<unk>");
    expect_labels(trajectory_labels_view(trajectory.get()), expected, "labels");
    const StatisticView rank = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_RANK);
    EXPECT_EQ(rank.sequence_labels, sequence);
    // The colour scale ends at the vocabulary's size, as tuned-lens's does.
    EXPECT_EQ(rank.max, std::optional<float>(5.0f));
}

TEST(CapiLensVocabulary, TokensWithNulAndInvalidUtf8InLabels) {
    const Shape shape{1, 2, 2, 3};
    TrajectoryData data;
    data.tensor = {shape, {/* layer 0 */ 5, 0, 0, 0, 0, 5, /* output */ 0, 5, 0, 0, 0, 5}};
    data.input_ids = {0, 1};
    data.targets = {0, 0};
    data.anti_targets = {1, 1};
    const std::vector<std::string> tokens = {std::string("a\0b", 3), "\xFF", "c\xE2\x82"};
    const VocabularyPtr vocabulary = make_vocabulary(tokens);
    const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);
    const LabelsView labels = trajectory_labels_view(trajectory.get());
    EXPECT_EQ(labels.cells,
              (std::vector<std::string>{std::string("a\0b", 3), "c\xEF\xBF\xBD", "\xEF\xBF\xBD", "c\xEF\xBF\xBD"}));
    const StatisticView entropy = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY);
    EXPECT_EQ(entropy.sequence_labels, (std::vector<std::string>{std::string("a\0b", 3), "\xEF\xBF\xBD"}));
}

TEST(CapiLensVocabulary, TrajectoriesKeepTheirOwnReference) {
    const TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 9);
    trajplot_vocabulary* vocabulary = nullptr;
    {
        const std::vector<std::string> tokens = bpe_tokens();
        const auto pointers = c_strings(tokens);
        ASSERT_TRAJPLOT_OK(trajplot_vocabulary_create(&vocabulary, pointers.data(), nullptr, tokens.size()));
    }
    const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary);
    TrajectoryPtr trajectory =
        make_trajectory(small_shape, data.input_ids, &data.targets, &data.anti_targets, &options);
    ComparisonPtr comparison = make_comparison(small_shape, data.input_ids, &options);
    trajplot_vocabulary_free(vocabulary);  // before any slab is added
    ASSERT_TRUE(trajectory && comparison);
    ASSERT_TRAJPLOT_OK(
        trajplot_trajectory_add_all(trajectory.get(), data.tensor.values.data(), data.tensor.values.size()));
    ASSERT_TRAJPLOT_OK(trajplot_comparison_add_all(comparison.get(), data.tensor.values.data(),
                                                   data.tensor.values.data(), data.tensor.values.size()));
    expect_labels(trajectory_labels_view(trajectory.get()),
                  expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOGITS, bpe_tokens()), "labels");
    EXPECT_EQ(trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY).sequence_labels,
              expected_sequence_labels(small_shape, data.input_ids, bpe_tokens()));
    EXPECT_EQ(comparison_view(comparison.get(), TRAJPLOT_MEASURE_KL_DIVERGENCE).sequence_labels,
              expected_sequence_labels(small_shape, data.input_ids, bpe_tokens()));
    // A statistic outlives its trajectory too.
    trajplot_statistic* statistic = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_statistic(&statistic, trajectory.get(), TRAJPLOT_MEASURE_ENTROPY, 0));
    const StatisticPtr statistic_owner(statistic);
    const StatisticView before = read_statistic(statistic);
    trajectory.reset();
    comparison.reset();
    EXPECT_EQ(read_statistic(statistic), before);
}

// tuned-lens ends rank's colour scale at the tokenizer's size; a one-token
// (or empty) vocabulary must not make that an invalid range [1, 1].
TEST(CapiLensVocabulary, RankWithATinyVocabulary) {
    const TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 10);
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {
        SCOPED_TRACE(size);
        const std::vector<std::string> tokens(bpe_tokens().begin(), bpe_tokens().begin() + static_cast<long>(size));
        const VocabularyPtr vocabulary = make_vocabulary(tokens);
        const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
        const TrajectoryPtr trajectory = filled_trajectory(data, &options);
        ASSERT_TRUE(trajectory);
        trajplot_statistic* statistic = nullptr;
        EXPECT_TRAJPLOT_OK(trajplot_trajectory_statistic(&statistic, trajectory.get(), TRAJPLOT_MEASURE_RANK, 0));
        const StatisticPtr owner(statistic);
        if (statistic == nullptr) continue;
        const StatisticView rank = read_statistic(statistic);
        expect_stats_near(expected_trajectory_stats(data, TRAJPLOT_MEASURE_RANK), rank.stats, "rank");
        EXPECT_EQ(rank.min, std::optional<float>(1.0f));
        if (rank.max) {
            EXPECT_GT(*rank.max, 1.0f);
        }
    }
}

// ---------------------------------------------------------------------------
// Errors: creation

class CapiLensErrors : public ::testing::Test {
protected:
    void SetUp() override {
        data_ = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 3);
        vocabulary_ = make_vocabulary(bpe_tokens());
        ASSERT_TRUE(vocabulary_);
        options_ = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary_.get());
    }

    // Completes `trajectory` with the slabs still missing, output layers
    // first, and checks every statistic against the reference: a failed
    // call must have left it usable and unchanged.
    void expect_fills_correctly(trajplot_trajectory* trajectory) const {
        const Shape& shape = small_shape;
        for (std::size_t item = 0; item < shape.batch; ++item) {
            for (std::size_t step = 0; step < shape.layers; ++step) {
                const std::size_t layer = (step + shape.layers - 1) % shape.layers;
                const trajplot_status status =
                    trajplot_trajectory_add(trajectory, item, layer, data_.tensor.slab(item, layer), shape.slab_len());
                // Slabs added before are refused, and nothing else.
                if (status != TRAJPLOT_OK) {
                    EXPECT_NE(std::string(trajplot_error_last()).find("already added"), std::string::npos)
                        << trajplot_error_last();
                }
            }
        }
        EXPECT_TRUE(complete(trajectory));
        for (const int measure : trajectory_measures()) {
            SCOPED_TRACE(trajplot_measure_name(measure));
            expect_stats_near(expected_trajectory_stats(data_, measure), trajectory_view(trajectory, measure).stats,
                              trajplot_measure_name(measure));
        }
        expect_labels(trajectory_labels_view(trajectory),
                      expected_trajectory_labels(data_.tensor, TRAJPLOT_VALUES_LOGITS, bpe_tokens()), "labels");
    }

    TrajectoryPtr empty_trajectory() const {
        return make_trajectory(small_shape, data_.input_ids, &data_.targets, &data_.anti_targets, &options_);
    }

    TrajectoryData data_;
    VocabularyPtr vocabulary_;
    trajplot_trajectory_options options_{};
};

TEST_F(CapiLensErrors, CreateNullArguments) {
    const Shape& s = small_shape;
    trajplot_trajectory* out = sentinel_trajectory();
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_create(nullptr, s.batch, s.layers, s.seq_len, s.vocab,
                                                     data_.input_ids.data(), nullptr, nullptr, nullptr),
                          TRAJPLOT_EINVAL, "trajplot_trajectory_create", "out is NULL");
    EXPECT_TRAJPLOT_FAILS(
        trajplot_trajectory_create(&out, s.batch, s.layers, s.seq_len, s.vocab, nullptr, nullptr, nullptr, nullptr),
        TRAJPLOT_EINVAL, "trajplot_trajectory_create", "input_ids is NULL");
    EXPECT_EQ(out, sentinel_trajectory());
    trajplot_comparison* comparison = sentinel_comparison();
    EXPECT_TRAJPLOT_FAILS(
        trajplot_comparison_create(nullptr, s.batch, s.layers, s.seq_len, s.vocab, data_.input_ids.data(), nullptr),
        TRAJPLOT_EINVAL, "trajplot_comparison_create", "out is NULL");
    EXPECT_TRAJPLOT_FAILS(
        trajplot_comparison_create(&comparison, s.batch, s.layers, s.seq_len, s.vocab, nullptr, nullptr),
        TRAJPLOT_EINVAL, "trajplot_comparison_create", "input_ids is NULL");
    EXPECT_EQ(comparison, sentinel_comparison());
}

TEST_F(CapiLensErrors, CreateZeroDimensions) {
    const std::vector<std::int64_t> ids(64, 0);
    const Shape shapes[] = {{0, 4, 3, 7}, {2, 0, 3, 7}, {2, 4, 0, 7}, {2, 4, 3, 0}};
    for (const Shape& shape : shapes) {
        std::string sizes = "(";
        sizes.append(std::to_string(shape.batch)).append(" x ").append(std::to_string(shape.layers)).append(" x ");
        sizes.append(std::to_string(shape.seq_len)).append(" x ").append(std::to_string(shape.vocab)).append(")");
        SCOPED_TRACE(sizes);
        trajplot_trajectory* out = sentinel_trajectory();
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_create(&out, shape.batch, shape.layers, shape.seq_len, shape.vocab,
                                                         ids.data(), nullptr, nullptr, nullptr),
                              TRAJPLOT_EINVAL, "trajplot_trajectory_create", "batch x n_layers x seq_len x vocab",
                              sizes);
        // The dimensions are named once, then their sizes.
        const std::string message = trajplot_error_last();
        EXPECT_EQ(message.find("n_layers"), message.rfind("n_layers")) << message;
        EXPECT_EQ(out, sentinel_trajectory());
        trajplot_comparison* comparison = sentinel_comparison();
        EXPECT_TRAJPLOT_FAILS(trajplot_comparison_create(&comparison, shape.batch, shape.layers, shape.seq_len,
                                                         shape.vocab, ids.data(), nullptr),
                              TRAJPLOT_EINVAL, "trajplot_comparison_create", sizes);
        EXPECT_EQ(comparison, sentinel_comparison());
    }
}

TEST_F(CapiLensErrors, CreateOverflowingShapesAreRangeErrorsBeforeReading) {
    // Only one id exists behind the pointer: nothing may be read.
    const std::int64_t one_id = 0;
    const std::size_t half = SIZE_MAX / 2 + 1;
    const Shape shapes[] = {{half, 4, 1, 1}, {1, half, 1, 2}, {4, 4, half, 4}, {1, 1, 3, half}};
    for (const Shape& shape : shapes) {
        SCOPED_TRACE(std::to_string(shape.batch) + " x " + std::to_string(shape.layers) + " x " +
                     std::to_string(shape.seq_len) + " x " + std::to_string(shape.vocab));
        trajplot_trajectory* out = sentinel_trajectory();
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_create(&out, shape.batch, shape.layers, shape.seq_len, shape.vocab,
                                                         &one_id, &one_id, &one_id, nullptr),
                              TRAJPLOT_ERANGE, "trajplot_trajectory_create", "batch x n_layers x seq_len x vocab",
                              std::to_string(half));
        EXPECT_EQ(out, sentinel_trajectory());
        trajplot_comparison* comparison = sentinel_comparison();
        EXPECT_TRAJPLOT_FAILS(trajplot_comparison_create(&comparison, shape.batch, shape.layers, shape.seq_len,
                                                         shape.vocab, &one_id, nullptr),
                              TRAJPLOT_ERANGE, "trajplot_comparison_create", std::to_string(half));
        EXPECT_EQ(comparison, sentinel_comparison());
    }
    // Token ids are 32-bit inside: a larger vocabulary is refused by size.
    const std::size_t too_many_tokens = (std::size_t{1} << 32) + 1;
    trajplot_trajectory* out = sentinel_trajectory();
    EXPECT_TRAJPLOT_FAILS(
        trajplot_trajectory_create(&out, 1, 1, 1, too_many_tokens, &one_id, nullptr, nullptr, nullptr), TRAJPLOT_ERANGE,
        "trajplot_trajectory_create", "vocab", std::to_string(too_many_tokens));
    EXPECT_EQ(out, sentinel_trajectory());
}

TEST_F(CapiLensErrors, CreateIdsOutOfRangeNameTheFieldAndValue) {
    const Shape& s = small_shape;
    struct Case {
        const char* field;
        std::size_t index;
        std::int64_t value;
        const char* mention;
    };
    const Case cases[] = {
        {"input_ids", 5, 7, "input_ids[1][2] is 7"},
        {"input_ids", 0, -1, "input_ids[0][0] is -1"},
        {"targets", 1, 7, "targets[0][1] is 7"},
        {"anti_targets", 3, std::numeric_limits<std::int64_t>::max(), "anti_targets[1][0] is 9223372036854775807"},
        {"anti_targets", 4, std::numeric_limits<std::int64_t>::min(), "anti_targets[1][1] is -9223372036854775808"},
    };
    for (const Case& bad : cases) {
        SCOPED_TRACE(bad.mention);
        std::vector<std::int64_t> ids = data_.input_ids, targets = data_.targets, anti_targets = data_.anti_targets;
        std::vector<std::int64_t>& spoilt = std::string(bad.field) == "input_ids" ? ids
                                            : std::string(bad.field) == "targets" ? targets
                                                                                  : anti_targets;
        spoilt[bad.index] = bad.value;
        trajplot_trajectory* out = sentinel_trajectory();
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_create(&out, s.batch, s.layers, s.seq_len, s.vocab, ids.data(),
                                                         targets.data(), anti_targets.data(), &options_),
                              TRAJPLOT_EINVAL, "trajplot_trajectory_create", bad.mention, "[0, 7)");
        EXPECT_EQ(out, sentinel_trajectory());
        if (&spoilt == &ids) {
            trajplot_comparison* comparison = sentinel_comparison();
            EXPECT_TRAJPLOT_FAILS(
                trajplot_comparison_create(&comparison, s.batch, s.layers, s.seq_len, s.vocab, ids.data(), &options_),
                TRAJPLOT_EINVAL, "trajplot_comparison_create", bad.mention);
            EXPECT_EQ(comparison, sentinel_comparison());
        }
    }
}

// A streamed tensor is never held, so its size is not bounded by the memory
// limit; what the engine keeps is (forward KL's output probabilities).
TEST_F(CapiLensErrors, StreamedTensorIsNotBoundByTheMemoryLimit) {
    struct LimitScope {
        explicit LimitScope(std::size_t bytes) { trajplot_set_memory_limit(bytes); }
        ~LimitScope() { trajplot_set_memory_limit(0); }
    } limit(std::size_t{1} << 20);
    const Shape shape{1, 2, 2, std::size_t{1} << 19};  // 2^21 floats, 8 MiB
    std::vector<float> slab(shape.slab_len(), 0.0f);   // uniform: entropy log(vocab)
    const std::vector<std::int64_t> ids = {1, 2};
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.forward_kl = false;
    const TrajectoryPtr trajectory = make_trajectory(shape, ids, nullptr, nullptr, &options);
    ASSERT_TRUE(trajectory);
    for (std::size_t layer = 0; layer < shape.layers; ++layer) {
        ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(trajectory.get(), 0, layer, slab.data(), slab.size()));
    }
    const std::vector<float> entropy = trajectory_view(trajectory.get(), TRAJPLOT_MEASURE_ENTROPY).stats;
    expect_stats_near(std::vector<double>(4, std::log(static_cast<double>(shape.vocab))), entropy, "entropy");

    const ComparisonPtr comparison = make_comparison(shape, ids);
    ASSERT_TRUE(comparison);

    // Forward KL keeps the output layer's seq_len x vocab probabilities
    // (4 MiB): over the limit, refused when that slab comes, and nothing added.
    const TrajectoryPtr keeping = make_trajectory(shape, ids);
    ASSERT_TRUE(keeping);
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(keeping.get(), 0, 1, slab.data(), slab.size()), TRAJPLOT_ERANGE,
                          "trajplot_trajectory_add", "memory limit");
    EXPECT_FALSE(complete(keeping.get()));
    trajplot_set_memory_limit(0);
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(keeping.get(), 0, 1, slab.data(), slab.size()));
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(keeping.get(), 0, 0, slab.data(), slab.size()));
    EXPECT_TRUE(complete(keeping.get()));
}

// ---------------------------------------------------------------------------
// Errors: adding slabs

TEST_F(CapiLensErrors, AddRefusesWhatDoesNotFitAndChangesNothing) {
    const TrajectoryPtr trajectory = empty_trajectory();
    ASSERT_TRUE(trajectory);
    trajplot_trajectory* t = trajectory.get();
    const Shape& s = small_shape;
    const float* output = data_.tensor.slab(0, 3);
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(nullptr, 0, 3, output, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "trajectory is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 0, 3, nullptr, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "slab is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 0, 3, output, s.slab_len() - 1), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "slab_len is 20", "seq_len x vocab is 21");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 0, 3, output, s.tensor_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "slab_len is 168");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 2, 3, output, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "batch_index 2", "2 batch items");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, SIZE_MAX, 3, output, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", std::to_string(SIZE_MAX));
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 0, 4, output, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "layer", "4", "4 layers");
    // With forward KL, an item's output layer comes first.
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 1, 0, data_.tensor.slab(1, 0), s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "output layer (layer 3)", "batch item 1", "layer 0");
    EXPECT_FALSE(complete(t));
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(t, 0, 3, output, s.slab_len()));
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 0, 3, output, s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "batch item 0, layer 3", "already added");
    // Item 0's output being in does not let item 1's layers in.
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 1, 2, data_.tensor.slab(1, 2), s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "batch item 1");
    expect_fills_correctly(t);
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add(t, 1, 1, data_.tensor.slab(1, 1), s.slab_len()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add", "already added");
}

TEST_F(CapiLensErrors, AddAllRefusesUpFrontAndAddsNothing) {
    const TrajectoryPtr trajectory = empty_trajectory();
    ASSERT_TRUE(trajectory);
    trajplot_trajectory* t = trajectory.get();
    const std::vector<float>& tensor = data_.tensor.values;
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(nullptr, tensor.data(), tensor.size()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "trajectory is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(t, nullptr, tensor.size()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "tensor is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(t, tensor.data(), tensor.size() - 1), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "tensor_len is 167", "168");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(t, tensor.data(), 0), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "tensor_len is 0");
    EXPECT_FALSE(complete(t));
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(t, 1, 3, data_.tensor.slab(1, 3), small_shape.slab_len()));
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(t, tensor.data(), tensor.size()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "without slabs", "1 of 8");
    EXPECT_FALSE(complete(t));
    // Refused before reading: item 0's layers still go in one by one.
    expect_fills_correctly(t);
    // A full trajectory refuses add_all as well.
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_add_all(t, tensor.data(), tensor.size()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_add_all", "8 of 8");
}

// ---------------------------------------------------------------------------
// Errors: statistics and labels

TEST_F(CapiLensErrors, StatisticBeforeCompleteNamesTheFirstMissingSlab) {
    const TrajectoryPtr trajectory = empty_trajectory();
    ASSERT_TRUE(trajectory);
    trajplot_trajectory* t = trajectory.get();
    trajplot_statistic* out = sentinel_statistic();
    trajplot_labels* labels = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, TRAJPLOT_MEASURE_ENTROPY, 0), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_statistic", "8 of 8", "batch item 0, layer 0");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_labels(&labels, t), TRAJPLOT_EINVAL, "trajplot_trajectory_labels",
                          "batch item 0, layer 0");
    // Item 0 whole, item 1's output and layer 1: missing are item 1's layers
    // 0 and 2.
    for (const auto& [item, layer] :
         std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {0, 0}, {0, 1}, {0, 2}, {1, 3}, {1, 1}}) {
        ASSERT_TRAJPLOT_OK(
            trajplot_trajectory_add(t, item, layer, data_.tensor.slab(item, layer), small_shape.slab_len()));
    }
    for (const int measure : trajectory_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, measure, 0), TRAJPLOT_EINVAL,
                              "trajplot_trajectory_statistic", "2 of 8", "batch item 1, layer 0");
    }
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_labels(&labels, t), TRAJPLOT_EINVAL, "trajplot_trajectory_labels",
                          "batch item 1, layer 0");
    EXPECT_EQ(out, sentinel_statistic());
    EXPECT_EQ(labels, sentinel_labels());
    expect_fills_correctly(t);
}

TEST_F(CapiLensErrors, StatisticRefusesWrongMeasuresFlagsAndMissingTargets) {
    const TrajectoryPtr trajectory = filled_trajectory(data_, &options_);
    // Only targets, and neither targets nor anti-targets.
    const TrajectoryPtr targets_only =
        make_trajectory(small_shape, data_.input_ids, &data_.targets, nullptr, &options_);
    const TrajectoryPtr untargeted = make_trajectory(small_shape, data_.input_ids, nullptr, nullptr, &options_);
    ASSERT_TRUE(trajectory && targets_only && untargeted);
    for (trajplot_trajectory* partial : {targets_only.get(), untargeted.get()}) {
        ASSERT_TRAJPLOT_OK(
            trajplot_trajectory_add_all(partial, data_.tensor.values.data(), data_.tensor.values.size()));
    }
    trajplot_trajectory* t = trajectory.get();
    trajplot_statistic* out = sentinel_statistic();
    const char* function = "trajplot_trajectory_statistic";
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(nullptr, t, TRAJPLOT_MEASURE_ENTROPY, 0), TRAJPLOT_EINVAL,
                          function, "out is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, nullptr, TRAJPLOT_MEASURE_ENTROPY, 0), TRAJPLOT_EINVAL,
                          function, "trajectory is NULL");
    for (const int measure : {7, -1, 15, 21, 1000}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, measure, 0), TRAJPLOT_EINVAL, function,
                              "measure " + std::to_string(measure));
    }
    for (const int measure : comparison_measures()) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, measure, 0), TRAJPLOT_EINVAL, function,
                              trajplot_measure_name(measure), "trajplot_comparison");
    }
    for (const int measure : trajectory_measures()) {
        if (measure == TRAJPLOT_MEASURE_RANK) continue;
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, measure, TRAJPLOT_SHOW_RANKS), TRAJPLOT_EINVAL,
                              function, "flags 1", trajplot_measure_name(measure));
    }
    for (const unsigned flags : {2u, 3u, 0x80000000u}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, t, TRAJPLOT_MEASURE_RANK, flags), TRAJPLOT_EINVAL,
                              function, "flags " + std::to_string(flags), "rank");
    }
    for (const int measure : {TRAJPLOT_MEASURE_CROSS_ENTROPY, TRAJPLOT_MEASURE_RANK, TRAJPLOT_MEASURE_LOG_PROB_DIFF,
                              TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, untargeted.get(), measure, 0), TRAJPLOT_EINVAL,
                              function, "targets");
    }
    for (const int measure : {TRAJPLOT_MEASURE_LOG_PROB_DIFF, TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, targets_only.get(), measure, 0), TRAJPLOT_EINVAL,
                              function, "anti_targets");
    }
    EXPECT_EQ(out, sentinel_statistic());
    // What needs no targets works without them.
    for (const int measure :
         {TRAJPLOT_MEASURE_ENTROPY, TRAJPLOT_MEASURE_FORWARD_KL, TRAJPLOT_MEASURE_MAX_PROBABILITY}) {
        EXPECT_EQ(trajectory_view(untargeted.get(), measure), trajectory_view(t, measure));
    }
    EXPECT_EQ(trajectory_view(targets_only.get(), TRAJPLOT_MEASURE_RANK), trajectory_view(t, TRAJPLOT_MEASURE_RANK));
    EXPECT_EQ(trajectory_view(targets_only.get(), TRAJPLOT_MEASURE_CROSS_ENTROPY),
              trajectory_view(t, TRAJPLOT_MEASURE_CROSS_ENTROPY));

    // One layer has no change from layer to layer.
    const Shape one_layer{1, 1, 2, 3};
    const std::vector<std::int64_t> ids = {0, 1};
    const TrajectoryPtr single = make_trajectory(one_layer, ids, &ids, &ids);
    ASSERT_TRUE(single);
    const std::vector<float> slab(one_layer.slab_len(), 1.0f);
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_add(single.get(), 0, 0, slab.data(), slab.size()));
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_statistic(&out, single.get(), TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA, 0),
                          TRAJPLOT_EINVAL, function, "2 layers");
    EXPECT_EQ(out, sentinel_statistic());
    // A single layer is its own output: forward KL is 0.
    const StatisticView forward_kl = trajectory_view(single.get(), TRAJPLOT_MEASURE_FORWARD_KL);
    EXPECT_EQ(forward_kl.stats, std::vector<float>(2, 0.0f));
    EXPECT_EQ(forward_kl.layer_labels, std::vector<std::string>{"output"});
}

TEST_F(CapiLensErrors, GettersCheckTheirArguments) {
    const TrajectoryPtr trajectory = empty_trajectory();
    const ComparisonPtr comparison = make_comparison(small_shape, data_.input_ids, &options_);
    ASSERT_TRUE(trajectory && comparison);
    std::size_t size = sentinel_size;
    bool done = true;
    trajplot_labels* labels = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_shape(&size, nullptr, nullptr, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_shape", "trajectory");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_shape(&size, nullptr, nullptr, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_comparison_shape", "comparison");
    EXPECT_EQ(size, sentinel_size);
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_complete(nullptr, trajectory.get()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_complete", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_complete(&done, nullptr), TRAJPLOT_EINVAL, "trajplot_trajectory_complete",
                          "trajectory");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_complete(nullptr, comparison.get()), TRAJPLOT_EINVAL,
                          "trajplot_comparison_complete", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_complete(&done, nullptr), TRAJPLOT_EINVAL, "trajplot_comparison_complete",
                          "comparison");
    EXPECT_TRUE(done);
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_labels(nullptr, trajectory.get()), TRAJPLOT_EINVAL,
                          "trajplot_trajectory_labels", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_trajectory_labels(&labels, nullptr), TRAJPLOT_EINVAL, "trajplot_trajectory_labels",
                          "trajectory");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_labels(nullptr, comparison.get()), TRAJPLOT_EINVAL,
                          "trajplot_comparison_labels", "out");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_labels(&labels, nullptr), TRAJPLOT_EINVAL, "trajplot_comparison_labels",
                          "comparison");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_labels(&labels, comparison.get()), TRAJPLOT_EINVAL,
                          "trajplot_comparison_labels", "batch item 0, layer 0");
    EXPECT_EQ(labels, sentinel_labels());
    // Every shape output may be NULL.
    EXPECT_TRAJPLOT_OK(trajplot_trajectory_shape(nullptr, nullptr, nullptr, nullptr, trajectory.get()));
    EXPECT_TRAJPLOT_OK(trajplot_comparison_shape(nullptr, nullptr, &size, nullptr, comparison.get()));
    EXPECT_EQ(size, small_shape.seq_len);
    trajplot_trajectory_free(nullptr);
    trajplot_comparison_free(nullptr);
}

TEST_F(CapiLensErrors, ComparisonRefusesWhatDoesNotFitAndChangesNothing) {
    const Tensor other = lens_output(small_shape, 4, TRAJPLOT_VALUES_LOGITS);
    const Tensor& self = data_.tensor;
    const ComparisonPtr comparison = make_comparison(small_shape, data_.input_ids, &options_);
    ASSERT_TRUE(comparison);
    trajplot_comparison* c = comparison.get();
    const Shape& s = small_shape;
    const char* add = "trajplot_comparison_add";
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(nullptr, 0, 0, self.slab(0, 0), other.slab(0, 0), s.slab_len()),
                          TRAJPLOT_EINVAL, add, "comparison is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 0, 0, nullptr, other.slab(0, 0), s.slab_len()), TRAJPLOT_EINVAL,
                          add, "self_slab is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 0, 0, self.slab(0, 0), nullptr, s.slab_len()), TRAJPLOT_EINVAL,
                          add, "other_slab is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 0, 0, self.slab(0, 0), other.slab(0, 0), 22), TRAJPLOT_EINVAL, add,
                          "slab_len is 22", "21");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 2, 0, self.slab(0, 0), other.slab(0, 0), s.slab_len()),
                          TRAJPLOT_EINVAL, add, "batch_index 2");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 0, 4, self.slab(0, 0), other.slab(0, 0), s.slab_len()),
                          TRAJPLOT_EINVAL, add, "layer", "4");
    const char* add_all = "trajplot_comparison_add_all";
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add_all(nullptr, self.values.data(), other.values.data(), s.tensor_len()),
                          TRAJPLOT_EINVAL, add_all, "comparison is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add_all(c, nullptr, other.values.data(), s.tensor_len()), TRAJPLOT_EINVAL,
                          add_all, "self_tensor is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add_all(c, self.values.data(), nullptr, s.tensor_len()), TRAJPLOT_EINVAL,
                          add_all, "other_tensor is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add_all(c, self.values.data(), other.values.data(), s.tensor_len() + 1),
                          TRAJPLOT_EINVAL, add_all, "tensor_len is 169", "168");
    EXPECT_FALSE(complete(c));
    ASSERT_TRAJPLOT_OK(trajplot_comparison_add(c, 1, 2, self.slab(1, 2), other.slab(1, 2), s.slab_len()));
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add(c, 1, 2, self.slab(1, 2), other.slab(1, 2), s.slab_len()),
                          TRAJPLOT_EINVAL, add, "batch item 1, layer 2", "already added");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_add_all(c, self.values.data(), other.values.data(), s.tensor_len()),
                          TRAJPLOT_EINVAL, add_all, "without slabs", "1 of 8");

    trajplot_statistic* out = sentinel_statistic();
    const char* statistic = "trajplot_comparison_statistic";
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(&out, c, TRAJPLOT_MEASURE_KL_DIVERGENCE, 0), TRAJPLOT_EINVAL,
                          statistic, "7 of 8", "batch item 0, layer 0");
    for (std::size_t item = 0; item < s.batch; ++item) {
        for (std::size_t layer = 0; layer < s.layers; ++layer) {
            if (item == 1 && layer == 2) continue;
            ASSERT_TRAJPLOT_OK(
                trajplot_comparison_add(c, item, layer, self.slab(item, layer), other.slab(item, layer), s.slab_len()));
        }
    }
    EXPECT_TRUE(complete(c));
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(nullptr, c, TRAJPLOT_MEASURE_KL_DIVERGENCE, 0), TRAJPLOT_EINVAL,
                          statistic, "out is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(&out, nullptr, TRAJPLOT_MEASURE_KL_DIVERGENCE, 0),
                          TRAJPLOT_EINVAL, statistic, "comparison is NULL");
    for (const int measure : trajectory_measures()) {
        EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(&out, c, measure, 0), TRAJPLOT_EINVAL, statistic,
                              trajplot_measure_name(measure), "trajplot_trajectory");
    }
    for (const int measure : {7, 15, 21, -5}) {
        EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(&out, c, measure, 0), TRAJPLOT_EINVAL, statistic,
                              "measure " + std::to_string(measure));
    }
    for (const int measure : comparison_measures()) {
        EXPECT_TRAJPLOT_FAILS(trajplot_comparison_statistic(&out, c, measure, TRAJPLOT_SHOW_RANKS), TRAJPLOT_EINVAL,
                              statistic, "flags 1", trajplot_measure_name(measure));
    }
    EXPECT_EQ(out, sentinel_statistic());
    // Still usable, and right.
    for (const int measure : comparison_measures()) {
        SCOPED_TRACE(trajplot_measure_name(measure));
        expect_stats_near(expected_comparison_stats(self, other, TRAJPLOT_VALUES_LOGITS, measure),
                          comparison_view(c, measure).stats, trajplot_measure_name(measure));
    }
}

// ---------------------------------------------------------------------------
// Figures of the statistics

TEST(CapiLensExport, EntropyFigureHasTheLayerLabelsAndTheCellTexts) {
    const TrajectoryData data = small_trajectory_data(TRAJPLOT_VALUES_LOGITS, 12);
    const VocabularyPtr vocabulary = make_vocabulary(bpe_tokens());
    const trajplot_trajectory_options options = options_with(TRAJPLOT_VALUES_LOGITS, vocabulary.get());
    const TrajectoryPtr trajectory = filled_trajectory(data, &options);
    ASSERT_TRUE(trajectory);
    trajplot_statistic* entropy = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_trajectory_statistic(&entropy, trajectory.get(), TRAJPLOT_MEASURE_ENTROPY, 0));
    const StatisticPtr owner(entropy);
    const ExpectedLabels labels = expected_trajectory_labels(data.tensor, TRAJPLOT_VALUES_LOGITS, bpe_tokens());
    const std::vector<double> stats = expected_trajectory_stats(data, TRAJPLOT_MEASURE_ENTROPY);

    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure_options.title = "Entropy of a lens";
    const json figure = json::parse(figure_json(entropy, nullptr, &figure_options), nullptr, false);
    ASSERT_FALSE(figure.is_discarded());
    ASSERT_TRUE(figure["data"].is_array() && figure["data"].size() == 1u) << figure;
    const json& trace = figure["data"][0];
    EXPECT_EQ(trace["type"], "heatmap");
    EXPECT_EQ(trace["y"], json(layer_names(4, true)));
    EXPECT_EQ(trace["x"], json(expected_sequence_labels(small_shape, data.input_ids, bpe_tokens())));
    EXPECT_EQ(trace["colorbar"]["title"]["text"], "Entropy (nats)");
    EXPECT_EQ(figure["layout"]["title"]["text"], "Entropy of a lens");
    ASSERT_TRUE(trace["text"].is_array() && trace["text"].size() == 4u) << trace["text"];
    ASSERT_TRUE(trace["z"].is_array() && trace["z"].size() == 4u) << trace["z"];
    for (std::size_t layer = 0; layer < 4; ++layer) {
        for (std::size_t position = 0; position < 3; ++position) {
            EXPECT_EQ(trace["text"][layer][position], labels.cells[layer * 3 + position]);
            EXPECT_NEAR(trace["z"][layer][position].get<double>(), stats[layer * 3 + position],
                        1e-5 * stats[layer * 3 + position]);
        }
    }
    // The hover tables: for each cell, rows x (token, value) of both items.
    ASSERT_TRUE(trace["customdata"].is_array() && trace["customdata"].size() == 4u);
    EXPECT_EQ(trace["customdata"][0][0].size(), 7u * 4u);
    EXPECT_TRUE(trace.contains("hovertemplate"));

    // Exports apply to these statistics as to any: stride keeps layers 0,
    // 2 and the output.
    trajplot_statistic* strided = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_stride(&strided, entropy, 2));
    const StatisticPtr strided_owner(strided);
    const json strided_trace = json::parse(trace_json(strided), nullptr, false);
    ASSERT_FALSE(strided_trace.is_discarded());
    EXPECT_EQ(strided_trace["y"], json::parse(R"(["0", "2", "output"])"));
    EXPECT_EQ(strided_trace["text"][1][2], labels.cells[2 * 3 + 2]);
    EXPECT_EQ(strided_trace["text"][2][0], labels.cells[3 * 3 + 0]);
}
