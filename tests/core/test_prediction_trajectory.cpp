// The statistics engine against a plain double-precision implementation of
// the formulas, written here without anything shared with the engine.
#include "trajplot/prediction_trajectory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core_test_support.hpp"
#include "lens_kernel.hpp"
#include "parallel.hpp"
#include "trajplot/error.hpp"
#include "trajplot/model.hpp"

namespace {

using trajplot::Errc;
using trajplot::LabelOptions;
using trajplot::PredictionTrajectory;
using trajplot::TokenFormat;
using trajplot::TrajectoryComparison;
using trajplot::TrajectoryInputs;
using trajplot::TrajectoryShape;
using trajplot::TrajectoryStatistic;
using trajplot::TrajectoryTargets;
using trajplot::ValueKind;
using trajplot_test::error_of;
using trajplot_test::Strings;

constexpr float float_negative_infinity = -std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------
// The reference: one row at a time, in double.

std::vector<double> reference_log_probs(const float* x, std::size_t vocab, ValueKind kind) {
    std::vector<double> lp(x, x + vocab);
    if (kind == ValueKind::log_probs) return lp;
    const double max = *std::max_element(lp.begin(), lp.end());
    double sum = 0.0;
    for (const double value : lp) sum += std::exp(value - max);
    const double log_normalizer = max + std::log(sum);
    for (double& value : lp) value -= log_normalizer;
    return lp;
}

// sum p * f, where a term with p = 0 is 0.
template <class F>
double weighted_sum(const std::vector<double>& lp, F&& f) {
    double sum = 0.0;
    for (std::size_t v = 0; v < lp.size(); ++v) {
        const double p = std::exp(lp[v]);
        if (p > 0.0) sum += p * f(v);
    }
    return sum;
}

double reference_entropy(const std::vector<double>& lp) {
    return -weighted_sum(lp, [&](std::size_t v) { return lp[v]; });
}

double reference_kl(const std::vector<double>& p, const std::vector<double>& q) {
    return weighted_sum(p, [&](std::size_t v) { return p[v] - q[v]; });
}

double reference_js(const std::vector<double>& p, const std::vector<double>& q) {
    double sum = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) {
        const double pv = std::exp(p[v]);
        const double qv = std::exp(q[v]);
        const double m = 0.5 * (pv + qv);
        if (pv > 0.0) sum += 0.5 * pv * std::log(pv / m);
        if (qv > 0.0) sum += 0.5 * qv * std::log(qv / m);
    }
    return sum;
}

double reference_tv(const std::vector<double>& p, const std::vector<double>& q) {
    double sum = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) sum += std::abs(std::exp(p[v]) - std::exp(q[v]));
    return 0.5 * sum;
}

double reference_max_abs(const std::vector<double>& p, const std::vector<double>& q) {
    double best = 0.0;
    for (std::size_t v = 0; v < p.size(); ++v) best = std::max(best, std::abs(std::exp(p[v]) - std::exp(q[v])));
    return best;
}

double reference_rank(const std::vector<double>& lp, std::size_t target) {
    double rank = 1.0;
    for (const double value : lp) rank += value > lp[target] ? 1.0 : 0.0;
    return rank;
}

// A whole batch x layers x seq_len x vocab tensor.
struct Tensor {
    TrajectoryShape shape;
    std::vector<float> values;

    const float* row(std::size_t item, std::size_t layer, std::size_t position) const {
        return values.data() + ((item * shape.layers + layer) * shape.seq_len + position) * shape.vocab;
    }
    const float* slab(std::size_t item, std::size_t layer) const { return row(item, layer, 0); }
    std::span<const float> slab_span(std::size_t item, std::size_t layer) const {
        return {slab(item, layer), shape.seq_len * shape.vocab};
    }
};

Tensor random_tensor(const TrajectoryShape& shape, unsigned seed, ValueKind kind, float spread = 3.0f) {
    Tensor tensor{shape, std::vector<float>(shape.batch * shape.layers * shape.seq_len * shape.vocab)};
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, spread);
    for (float& value : tensor.values) value = normal(rng);
    if (kind == ValueKind::log_probs) {
        // Normalised in double, then rounded, as a producer's log_softmax would.
        for (std::size_t row = 0; row < tensor.values.size() / shape.vocab; ++row) {
            float* x = tensor.values.data() + row * shape.vocab;
            const auto lp = reference_log_probs(x, shape.vocab, ValueKind::logits);
            for (std::size_t v = 0; v < shape.vocab; ++v) x[v] = static_cast<float>(lp[v]);
        }
    }
    return tensor;
}

std::vector<std::int64_t> random_ids(const TrajectoryShape& shape, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> id(0, static_cast<std::int64_t>(shape.vocab) - 1);
    std::vector<std::int64_t> ids(shape.batch * shape.seq_len);
    for (auto& value : ids) value = id(rng);
    return ids;
}

std::shared_ptr<const std::vector<std::string>> numbered_vocabulary(std::size_t vocab) {
    auto vocabulary = std::make_shared<std::vector<std::string>>();
    for (std::size_t i = 0; i < vocab; ++i) vocabulary->push_back(std::string("t").append(std::to_string(i)));
    return vocabulary;
}

TrajectoryInputs inputs_for(const TrajectoryShape& shape, ValueKind kind, unsigned seed = 7) {
    TrajectoryInputs inputs;
    inputs.shape = shape;
    inputs.values = kind;
    inputs.input_ids = random_ids(shape, seed);
    return inputs;
}

TrajectoryTargets targets_for(const TrajectoryShape& shape, unsigned seed = 11) {
    TrajectoryTargets targets;
    targets.targets = random_ids(shape, seed);
    targets.anti_targets = random_ids(shape, seed + 1);
    return targets;
}

// Relative 1e-5, or absolute 1e-6 near 0.
void expect_close(double expected, double actual, const std::string& what) {
    if (std::isinf(expected)) {
        EXPECT_EQ(expected, actual) << what;
        return;
    }
    const double tolerance = std::max(1e-6, 1e-5 * std::abs(expected));
    EXPECT_NEAR(expected, actual, tolerance) << what;
}

// stats(layer, position) against the batch mean of reference(item, layer, position).
template <class Reference>
void expect_statistic(const TrajectoryStatistic& statistic, const TrajectoryShape& shape, std::size_t layers,
                      Reference&& reference) {
    ASSERT_EQ(statistic.n_layers(), layers) << statistic.name();
    ASSERT_EQ(statistic.seq_len(), shape.seq_len) << statistic.name();
    for (std::size_t layer = 0; layer < layers; ++layer) {
        for (std::size_t position = 0; position < shape.seq_len; ++position) {
            double sum = 0.0;
            for (std::size_t item = 0; item < shape.batch; ++item) sum += reference(item, layer, position);
            expect_close(
                sum / static_cast<double>(shape.batch), statistic.stats()(layer, position),
                statistic.name() + " at layer " + std::to_string(layer) + ", position " + std::to_string(position));
        }
    }
}

template <std::size_t N>
Strings strings_of(const trajplot::TextArray<N>& array) {
    Strings out;
    for (std::size_t i = 0; i < array.size(); ++i) out.emplace_back(array.flat(i));
    return out;
}

void expect_same_stats(const TrajectoryStatistic& a, const TrajectoryStatistic& b) {
    ASSERT_EQ(a.stats().shape(), b.stats().shape()) << a.name();
    for (std::size_t i = 0; i < a.stats().size(); ++i) {
        const float x = a.stats().data()[i];
        const float y = b.stats().data()[i];
        EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y)))
            << a.name() << " entry " << i << ": " << x << " vs " << y;
    }
}

// ---------------------------------------------------------------------------
// The statistics of one trajectory against the reference.

struct Case {
    std::size_t batch;
    ValueKind kind;
};

class SingleTrajectory : public ::testing::TestWithParam<Case> {};

TEST_P(SingleTrajectory, EveryStatisticMatchesTheReference) {
    // 150 is not a multiple of the kernel's chunk, so the tail is covered.
    const TrajectoryShape shape{GetParam().batch, 4, 5, 150};
    const ValueKind kind = GetParam().kind;
    const Tensor tensor = random_tensor(shape, 3, kind);
    const TrajectoryTargets targets = targets_for(shape);
    PredictionTrajectory trajectory(inputs_for(shape, kind), targets);
    trajectory.add_all(tensor.values);
    ASSERT_TRUE(trajectory.complete());

    const auto lp = [&](std::size_t item, std::size_t layer, std::size_t position) {
        return reference_log_probs(tensor.row(item, layer, position), shape.vocab, kind);
    };
    const auto target = [&](std::size_t item, std::size_t position) {
        return static_cast<std::size_t>((*targets.targets)[item * shape.seq_len + position]);
    };
    const auto anti = [&](std::size_t item, std::size_t position) {
        return static_cast<std::size_t>((*targets.anti_targets)[item * shape.seq_len + position]);
    };
    const std::size_t output = shape.layers - 1;

    expect_statistic(trajectory.entropy(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) { return reference_entropy(lp(b, l, s)); });
    expect_statistic(trajectory.cross_entropy(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) { return -lp(b, l, s)[target(b, s)]; });
    expect_statistic(trajectory.forward_kl(), shape, shape.layers, [&](std::size_t b, std::size_t l, std::size_t s) {
        return reference_kl(lp(b, output, s), lp(b, l, s));
    });
    expect_statistic(trajectory.max_probability(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) {
                         const auto row = lp(b, l, s);
                         return std::exp(*std::max_element(row.begin(), row.end()));
                     });
    expect_statistic(trajectory.rank(), shape, shape.layers, [&](std::size_t b, std::size_t l, std::size_t s) {
        return reference_rank(lp(b, l, s), target(b, s));
    });
    const auto difference = [&](std::size_t b, std::size_t l, std::size_t s) {
        const auto row = lp(b, l, s);
        return row[target(b, s)] - row[anti(b, s)];
    };
    expect_statistic(trajectory.log_prob_diff(), shape, shape.layers, difference);
    expect_statistic(
        trajectory.log_prob_diff(true), shape, shape.layers - 1,
        [&](std::size_t b, std::size_t l, std::size_t s) { return difference(b, l + 1, s) - difference(b, l, s); });
}

TEST_P(SingleTrajectory, ShuffledStreamingEqualsTheWholeTensor) {
    const TrajectoryShape shape{GetParam().batch, 4, 5, 150};
    const ValueKind kind = GetParam().kind;
    const Tensor tensor = random_tensor(shape, 5, kind);
    auto inputs = inputs_for(shape, kind);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    PredictionTrajectory whole(inputs, targets_for(shape));
    whole.add_all(tensor.values);

    // Any order, as long as each item's output layer comes before its others.
    std::vector<std::pair<std::size_t, std::size_t>> order;
    for (std::size_t b = 0; b < shape.batch; ++b) {
        for (std::size_t l = 0; l + 1 < shape.layers; ++l) order.emplace_back(b, l);
    }
    std::shuffle(order.begin(), order.end(), std::mt19937(9));
    inputs.threads = 1;
    PredictionTrajectory streamed(inputs, targets_for(shape));
    for (std::size_t b = shape.batch; b-- > 0;)
        streamed.add(b, shape.layers - 1, tensor.slab_span(b, shape.layers - 1));
    for (const auto& [b, l] : order) {
        EXPECT_FALSE(streamed.complete());
        streamed.add(b, l, tensor.slab(b, l));
    }
    ASSERT_TRUE(streamed.complete());
    expect_same_stats(whole.entropy(), streamed.entropy());
    expect_same_stats(whole.cross_entropy(), streamed.cross_entropy());
    expect_same_stats(whole.forward_kl(), streamed.forward_kl());
    expect_same_stats(whole.max_probability(), streamed.max_probability());
    expect_same_stats(whole.rank(), streamed.rank());
    expect_same_stats(whole.log_prob_diff(), streamed.log_prob_diff());
    expect_same_stats(whole.log_prob_diff(true), streamed.log_prob_diff(true));
    EXPECT_EQ(strings_of(whole.labels()->label_strings()), strings_of(streamed.labels()->label_strings()));
    EXPECT_EQ(strings_of(*whole.labels()->hover_over_entries()), strings_of(*streamed.labels()->hover_over_entries()));
}

// Large enough rows that add_all splits positions between two threads, each
// with its own output row: the same numbers as one thread streaming layers.
TEST_P(SingleTrajectory, ResidentFillOnTwoThreadsEqualsStreamingOnOne) {
    const TrajectoryShape shape{GetParam().batch, 3, 9, 6000};
    const ValueKind kind = GetParam().kind;
    const Tensor tensor = random_tensor(shape, 17, kind);
    auto inputs = inputs_for(shape, kind);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    inputs.threads = 2;
    PredictionTrajectory whole(inputs, targets_for(shape));
    whole.add_all(tensor.values);
    inputs.threads = 1;
    PredictionTrajectory streamed(inputs, targets_for(shape));
    for (std::size_t b = 0; b < shape.batch; ++b) {
        streamed.add(b, shape.layers - 1, tensor.slab_span(b, shape.layers - 1));
        for (std::size_t l = 0; l + 1 < shape.layers; ++l) streamed.add(b, l, tensor.slab_span(b, l));
    }
    expect_same_stats(whole.forward_kl(), streamed.forward_kl());
    expect_same_stats(whole.entropy(), streamed.entropy());
    expect_same_stats(whole.rank(), streamed.rank());
    EXPECT_EQ(strings_of(*whole.labels()->hover_over_entries()), strings_of(*streamed.labels()->hover_over_entries()));
}

// The budget is three passes over the data for every statistic and
// the labels. The kernels count what they read: each slab is read once, the
// output layer once more (its probabilities), whatever is asked and however
// the data arrives; a comparison reads each of its two tensors twice.
TEST_P(SingleTrajectory, EveryStatisticTakesOnePassPlusTheOutputLayer) {
    const TrajectoryShape shape{GetParam().batch, 4, 5, 150};
    const ValueKind kind = GetParam().kind;
    const Tensor tensor = random_tensor(shape, 23, kind);
    auto inputs = inputs_for(shape, kind);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    const auto slab_values = shape.seq_len * shape.vocab;
    const auto tensor_values = shape.batch * shape.layers * slab_values;

    const auto values_read_while = [](const auto& work) {
        const std::uint64_t before = trajplot::lens::values_read();
        work();
        return trajplot::lens::values_read() - before;
    };
    const auto every_statistic = [](const PredictionTrajectory& trajectory) {
        (void)trajectory.entropy();
        (void)trajectory.cross_entropy();
        (void)trajectory.forward_kl();
        (void)trajectory.max_probability();
        (void)trajectory.rank(true);
        (void)trajectory.log_prob_diff();
        (void)trajectory.log_prob_diff(true);
        (void)trajectory.labels();
    };
    const std::uint64_t expected = tensor_values + shape.batch * slab_values;  // 1 + 1 / layers passes
    ASSERT_LE(expected, 3 * tensor_values);

    PredictionTrajectory whole(inputs, targets_for(shape));
    EXPECT_EQ(values_read_while([&] {
                  whole.add_all(tensor.values);
                  every_statistic(whole);
              }),
              expected);

    PredictionTrajectory streamed(inputs, targets_for(shape));
    EXPECT_EQ(values_read_while([&] {
                  for (std::size_t b = 0; b < shape.batch; ++b) {
                      streamed.add(b, shape.layers - 1, tensor.slab_span(b, shape.layers - 1));
                      for (std::size_t l = 0; l + 1 < shape.layers; ++l) streamed.add(b, l, tensor.slab_span(b, l));
                  }
                  every_statistic(streamed);
              }),
              expected);

    TrajectoryComparison comparison(inputs);
    const Tensor other = random_tensor(shape, 24, kind);
    EXPECT_EQ(values_read_while([&] {
                  comparison.add_all(tensor.values, other.values);
                  (void)comparison.kl_divergence();
                  (void)comparison.js_divergence();
                  (void)comparison.half_symmetric_kl();
                  (void)comparison.total_variation();
                  (void)comparison.max_abs_prob_difference();
                  (void)comparison.labels();
              }),
              2 * 2 * tensor_values);
}

TEST_P(SingleTrajectory, TwoTrajectoryStatisticsMatchTheReference) {
    const TrajectoryShape shape{GetParam().batch, 3, 4, 150};
    const ValueKind kind = GetParam().kind;
    const Tensor self = random_tensor(shape, 21, kind);
    const Tensor other = random_tensor(shape, 22, kind, 2.0f);
    TrajectoryComparison comparison(inputs_for(shape, kind));
    comparison.add_all(self.values, other.values);
    const auto p = [&](std::size_t b, std::size_t l, std::size_t s) {
        return reference_log_probs(self.row(b, l, s), shape.vocab, kind);
    };
    const auto q = [&](std::size_t b, std::size_t l, std::size_t s) {
        return reference_log_probs(other.row(b, l, s), shape.vocab, kind);
    };
    expect_statistic(comparison.kl_divergence(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) { return reference_kl(p(b, l, s), q(b, l, s)); });
    expect_statistic(comparison.js_divergence(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) { return reference_js(p(b, l, s), q(b, l, s)); });
    expect_statistic(comparison.half_symmetric_kl(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) {
                         return 0.5 * (reference_kl(p(b, l, s), q(b, l, s)) + reference_kl(q(b, l, s), p(b, l, s)));
                     });
    expect_statistic(comparison.total_variation(), shape, shape.layers,
                     [&](std::size_t b, std::size_t l, std::size_t s) { return reference_tv(p(b, l, s), q(b, l, s)); });
    expect_statistic(
        comparison.max_abs_prob_difference(), shape, shape.layers,
        [&](std::size_t b, std::size_t l, std::size_t s) { return reference_max_abs(p(b, l, s), q(b, l, s)); });

    // Streaming pairs in a shuffled order gives the same numbers.
    std::vector<std::size_t> order(shape.batch * shape.layers);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937(4));
    TrajectoryComparison streamed(inputs_for(shape, kind));
    for (const std::size_t slab : order) {
        const std::size_t b = slab / shape.layers, l = slab % shape.layers;
        streamed.add(b, l, self.slab_span(b, l), other.slab_span(b, l));
    }
    expect_same_stats(comparison.kl_divergence(), streamed.kl_divergence());
    expect_same_stats(comparison.js_divergence(), streamed.js_divergence());
    expect_same_stats(comparison.total_variation(), streamed.total_variation());
}

INSTANTIATE_TEST_SUITE_P(Inputs, SingleTrajectory,
                         ::testing::Values(Case{1, ValueKind::logits}, Case{3, ValueKind::logits},
                                           Case{1, ValueKind::log_probs}, Case{3, ValueKind::log_probs}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return std::string(info.param.kind == ValueKind::logits ? "logits" : "log_probs") +
                                    "_batch" + std::to_string(info.param.batch);
                         });

// Long rows: the float kernel's sums stay within 1e-6 of double.
TEST(PredictionTrajectory, LongRowsStayPrecise) {
    const TrajectoryShape shape{1, 2, 2, 50304};
    const Tensor tensor = random_tensor(shape, 17, ValueKind::logits, 4.0f);
    TrajectoryTargets targets = targets_for(shape);
    PredictionTrajectory trajectory(inputs_for(shape, ValueKind::logits), targets);
    trajectory.add_all(tensor.values);
    const auto entropy = trajectory.entropy();
    const auto forward_kl = trajectory.forward_kl();
    const auto cross_entropy = trajectory.cross_entropy();
    for (std::size_t s = 0; s < shape.seq_len; ++s) {
        const auto lens = reference_log_probs(tensor.row(0, 0, s), shape.vocab, ValueKind::logits);
        const auto output = reference_log_probs(tensor.row(0, 1, s), shape.vocab, ValueKind::logits);
        EXPECT_NEAR(entropy.stats()(0, s), reference_entropy(lens), 1e-6 * reference_entropy(lens) + 1e-7);
        const double kl = reference_kl(output, lens);
        EXPECT_NEAR(forward_kl.stats()(0, s), kl, 1e-6 * kl + 2e-6);
        const double ce = -lens[static_cast<std::size_t>((*targets.targets)[s])];
        EXPECT_NEAR(cross_entropy.stats()(0, s), ce, 1e-6 * ce);
    }
}

// Slabs big enough to be split between threads give the numbers of one thread.
TEST(PredictionTrajectory, ThreadsDoNotChangeTheNumbers) {
    const TrajectoryShape shape{2, 3, 9, 20000};
    const Tensor self = random_tensor(shape, 41, ValueKind::logits);
    const Tensor other = random_tensor(shape, 42, ValueKind::logits);
    auto inputs = inputs_for(shape, ValueKind::logits);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    std::vector<PredictionTrajectory> trajectories;
    std::vector<TrajectoryComparison> comparisons;
    for (const std::size_t threads : {1, 2, 3}) {
        inputs.threads = threads;
        trajectories.emplace_back(inputs, targets_for(shape)).add_all(self.values);
        comparisons.emplace_back(inputs).add_all(self.values, other.values);
    }
    for (std::size_t i = 1; i < trajectories.size(); ++i) {
        expect_same_stats(trajectories[0].entropy(), trajectories[i].entropy());
        expect_same_stats(trajectories[0].forward_kl(), trajectories[i].forward_kl());
        expect_same_stats(trajectories[0].rank(), trajectories[i].rank());
        expect_same_stats(comparisons[0].js_divergence(), comparisons[i].js_divergence());
        expect_same_stats(comparisons[0].kl_divergence(), comparisons[i].kl_divergence());
        EXPECT_EQ(strings_of(*trajectories[0].labels()->hover_over_entries()),
                  strings_of(*trajectories[i].labels()->hover_over_entries()));
        EXPECT_EQ(strings_of(*comparisons[0].labels()->hover_over_entries()),
                  strings_of(*comparisons[i].labels()->hover_over_entries()));
    }
}

// threads = 0 is one thread per CPU of the process, with the same numbers.
TEST(PredictionTrajectory, ZeroThreadsIsOnePerCpu) {
    const TrajectoryShape shape{1, 3, 9, 20000};
    const Tensor self = random_tensor(shape, 43, ValueKind::logits);
    auto inputs = inputs_for(shape, ValueKind::logits);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    inputs.threads = 1;
    PredictionTrajectory one(inputs, targets_for(shape));
    one.add_all(self.values);
    inputs.threads = 0;
    PredictionTrajectory every_cpu(inputs, targets_for(shape));
    every_cpu.add_all(self.values);
    expect_same_stats(one.entropy(), every_cpu.entropy());
    expect_same_stats(one.forward_kl(), every_cpu.forward_kl());
    EXPECT_EQ(strings_of(*one.labels()->hover_over_entries()), strings_of(*every_cpu.labels()->hover_over_entries()));
}

// ---------------------------------------------------------------------------
// Threads that cannot be started, and failures on threads

// Thread starts fail as the system's would while it lives, after
// `after_successful_starts`.
class FailingThreadStarts {
public:
    explicit FailingThreadStarts(std::size_t after_successful_starts) {
        trajplot::test_hooks::fail_thread_starts(after_successful_starts);
    }
    ~FailingThreadStarts() { trajplot::test_hooks::stop_failing_thread_starts(); }
    FailingThreadStarts(const FailingThreadStarts&) = delete;
    FailingThreadStarts& operator=(const FailingThreadStarts&) = delete;
};

// Every thread started while it lives throws `error` before its first task.
class FailingStartedThreads {
public:
    explicit FailingStartedThreads(const trajplot::Error& error) {
        trajplot::test_hooks::fail_in_started_threads(std::make_exception_ptr(error));
    }
    ~FailingStartedThreads() { trajplot::test_hooks::fail_in_started_threads(nullptr); }
    FailingStartedThreads(const FailingStartedThreads&) = delete;
    FailingStartedThreads& operator=(const FailingStartedThreads&) = delete;
};

// Big enough that every way of filling splits a slab's positions among
// threads: 2 blocks for a streamed slab, 5 for a pair, 8 for add_all.
struct ThreadedCase {
    TrajectoryShape shape{2, 3, 9, 20000};
    Tensor self = random_tensor(shape, 51, ValueKind::logits);
    Tensor other = random_tensor(shape, 52, ValueKind::logits);
    TrajectoryInputs inputs = [this] {
        auto made = inputs_for(shape, ValueKind::logits);
        made.vocabulary = numbered_vocabulary(shape.vocab);
        return made;
    }();

    TrajectoryInputs with_threads(std::size_t threads) const {
        TrajectoryInputs copy = inputs;
        copy.threads = threads;
        return copy;
    }
    void stream(PredictionTrajectory& trajectory) const {
        for (std::size_t b = 0; b < shape.batch; ++b) {
            trajectory.add(b, shape.layers - 1, self.slab_span(b, shape.layers - 1));
            for (std::size_t l = 0; l + 1 < shape.layers; ++l) trajectory.add(b, l, self.slab_span(b, l));
        }
    }
};

void expect_same_trajectories(const PredictionTrajectory& expected, const PredictionTrajectory& actual) {
    expect_same_stats(expected.entropy(), actual.entropy());
    expect_same_stats(expected.cross_entropy(), actual.cross_entropy());
    expect_same_stats(expected.forward_kl(), actual.forward_kl());
    expect_same_stats(expected.max_probability(), actual.max_probability());
    expect_same_stats(expected.rank(), actual.rank());
    expect_same_stats(expected.log_prob_diff(), actual.log_prob_diff());
    EXPECT_EQ(strings_of(expected.labels()->label_strings()), strings_of(actual.labels()->label_strings()));
    EXPECT_EQ(strings_of(*expected.labels()->hover_over_entries()), strings_of(*actual.labels()->hover_over_entries()));
}

void expect_same_comparisons(const TrajectoryComparison& expected, const TrajectoryComparison& actual) {
    expect_same_stats(expected.kl_divergence(), actual.kl_divergence());
    expect_same_stats(expected.js_divergence(), actual.js_divergence());
    expect_same_stats(expected.half_symmetric_kl(), actual.half_symmetric_kl());
    expect_same_stats(expected.total_variation(), actual.total_variation());
    expect_same_stats(expected.max_abs_prob_difference(), actual.max_abs_prob_difference());
    EXPECT_EQ(strings_of(expected.labels()->label_strings()), strings_of(actual.labels()->label_strings()));
    EXPECT_EQ(strings_of(*expected.labels()->hover_over_entries()), strings_of(*actual.labels()->hover_over_entries()));
}

// A process out of threads (or memory for their stacks) still gets its
// statistics: the threads that could not start are done without.
TEST(PredictionTrajectoryThreads, ThreadsThatCannotStartChangeNothing) {
    const ThreadedCase c;
    PredictionTrajectory one_thread(c.with_threads(1), targets_for(c.shape));
    one_thread.add_all(c.self.values);
    TrajectoryComparison one_thread_comparison(c.with_threads(1));
    one_thread_comparison.add_all(c.self.values, c.other.values);

    for (const std::size_t successful_starts : {0, 1}) {
        SCOPED_TRACE(std::to_string(successful_starts) + " thread starts succeed");
        const FailingThreadStarts failing(successful_starts);
        PredictionTrajectory whole(c.with_threads(8), targets_for(c.shape));
        whole.add_all(c.self.values);
        expect_same_trajectories(one_thread, whole);
        PredictionTrajectory streamed(c.with_threads(8), targets_for(c.shape));
        c.stream(streamed);
        expect_same_trajectories(one_thread, streamed);
        TrajectoryComparison comparison(c.with_threads(8));
        comparison.add_all(c.self.values, c.other.values);
        expect_same_comparisons(one_thread_comparison, comparison);
    }
}

// A failure on a worker thread is the call's Error, in the caller's thread,
// and leaves nothing added: once the failure is gone the same slabs go in
// and give the numbers of one thread.
TEST(PredictionTrajectoryThreads, AFailureOnAWorkerIsTheCallsError) {
    const ThreadedCase c;
    PredictionTrajectory one_thread(c.with_threads(1), targets_for(c.shape));
    one_thread.add_all(c.self.values);
    TrajectoryComparison one_thread_comparison(c.with_threads(1));
    one_thread_comparison.add_all(c.self.values, c.other.values);

    PredictionTrajectory whole(c.with_threads(8), targets_for(c.shape));
    PredictionTrajectory streamed(c.with_threads(8), targets_for(c.shape));
    TrajectoryComparison comparison(c.with_threads(8));
    {
        const FailingStartedThreads failing(trajplot::Error(Errc::range, "injected failure on a worker"));
        const auto expect_injected = [](const trajplot::Error& error) {
            EXPECT_EQ(error.code(), Errc::range);
            EXPECT_STREQ(error.what(), "injected failure on a worker");
        };
        expect_injected(error_of([&] { whole.add_all(c.self.values); }));
        const std::size_t output = c.shape.layers - 1;
        expect_injected(error_of([&] { streamed.add(0, output, c.self.slab_span(0, output)); }));
        expect_injected(error_of([&] { comparison.add_all(c.self.values, c.other.values); }));
        expect_injected(error_of([&] { comparison.add(0, 0, c.self.slab_span(0, 0), c.other.slab_span(0, 0)); }));
    }
    EXPECT_FALSE(whole.complete());
    EXPECT_FALSE(streamed.complete());
    EXPECT_FALSE(comparison.complete());

    whole.add_all(c.self.values);
    expect_same_trajectories(one_thread, whole);
    c.stream(streamed);
    expect_same_trajectories(one_thread, streamed);
    comparison.add_all(c.self.values, c.other.values);
    expect_same_comparisons(one_thread_comparison, comparison);
}

// ---------------------------------------------------------------------------
// The worked example of the reference (V = 4, two lens layers and the
// output, one position, target 1, anti-target 2).

const std::vector<float> worked_logits = {2, 1, 0, -1, 0, 0, 0, 0, 3, 0.5f, 0.5f, -2};

TrajectoryInputs worked_inputs() {
    TrajectoryInputs inputs;
    inputs.shape = {1, 3, 1, 4};
    inputs.input_ids = {0};
    inputs.vocabulary = std::make_shared<const std::vector<std::string>>(Strings{"a", "b", "c", "d"});
    return inputs;
}

TEST(PredictionTrajectory, WorkedExampleOfTheReference) {
    PredictionTrajectory trajectory(worked_inputs(), TrajectoryTargets{{{1}}, {{2}}});
    trajectory.add_all(worked_logits);
    const auto column = [](const TrajectoryStatistic& statistic) {
        std::vector<double> values;
        for (std::size_t l = 0; l < statistic.n_layers(); ++l) values.push_back(statistic.stats()(l, 0));
        return values;
    };
    const auto expect_column = [&](const TrajectoryStatistic& statistic, const std::vector<double>& expected) {
        const auto actual = column(statistic);
        ASSERT_EQ(actual.size(), expected.size()) << statistic.name();
        for (std::size_t i = 0; i < expected.size(); ++i) expect_close(expected[i], actual[i], statistic.name());
    };
    expect_column(trajectory.entropy(), {0.947537, 1.386294, 0.537070});
    expect_column(trajectory.cross_entropy(), {1.440190, 1.386294, 2.657779});
    expect_column(trajectory.forward_kl(), {0.130694, 0.849224, 0.0});
    expect_column(trajectory.max_probability(), {0.643914, 0.25, 0.854038});
    // Ties share the best rank: all four tie in layer 1, ids 1 and 2 in the output.
    expect_column(trajectory.rank(), {2, 1, 2});
    expect_column(trajectory.log_prob_diff(), {1, 0, 0});
    expect_column(trajectory.log_prob_diff(true), {-1, 0});

    const auto labels = trajectory.labels();
    ASSERT_TRUE(labels);
    ASSERT_EQ(labels->hover_over_entries()->shape(), (std::array<std::size_t, 4>{3, 1, 4, 2}));
    const Strings hover = strings_of(*labels->hover_over_entries());
    const Strings row0(hover.begin(), hover.begin() + 8);
    EXPECT_EQ(row0, (Strings{"a", "64.39%", "b", "23.69%", "c", "8.71%", "d", "3.21%"}));
    // The all-tied layer: by id.
    EXPECT_EQ(strings_of(labels->label_strings()), (Strings{"a", "a", "a"}));

    // Against the uniform distribution.
    TrajectoryComparison comparison(worked_inputs());
    const std::vector<float> uniform(12, std::log(0.25f));
    comparison.add_all(worked_logits, uniform);
    expect_column(comparison.kl_divergence(), {0.438757, 0, 0.849224});
    expect_column(comparison.half_symmetric_kl(), {0.496326, 0, 1.060354});
    expect_column(comparison.js_divergence(), {0.113340, 0, 0.215828});
    expect_column(comparison.max_abs_prob_difference(), {0.393914, 0, 0.604038});
    const auto delta_labels = comparison.labels();
    const Strings delta_hover = strings_of(*delta_labels->hover_over_entries());
    const Strings delta_row0(delta_hover.begin(), delta_hover.begin() + 8);
    // Ordered by |Δ|, Δ = other - self; never cut to the token width (1 here).
    EXPECT_EQ(delta_row0,
              (Strings{"a", "\u0394-39.39%", "d", "\u039421.79%", "c", "\u039416.29%", "b", "\u03941.31%"}));
    // Layer 1 equals the uniform distribution: no change, so no label.
    EXPECT_EQ(strings_of(delta_labels->label_strings()), (Strings{"a", "", "a"}));
}

TEST(PredictionTrajectory, StatisticsCarryTheReferenceNamesAndRanges) {
    PredictionTrajectory trajectory(worked_inputs(), TrajectoryTargets{{{1}}, {{2}}});
    trajectory.add_all(worked_logits);
    const auto entropy = trajectory.entropy();
    EXPECT_EQ(entropy.name(), "Entropy");
    EXPECT_EQ(entropy.units(), "nats");
    EXPECT_FALSE(entropy.min());
    EXPECT_FALSE(entropy.max());
    EXPECT_TRUE(entropy.includes_output());
    EXPECT_EQ(strings_of(entropy.layer_labels()), (Strings{"0", "1", "output"}));
    EXPECT_EQ(strings_of(*entropy.sequence_labels()), (Strings{"a"}));
    EXPECT_EQ(trajectory.cross_entropy().name(), "Cross Entropy");
    EXPECT_EQ(trajectory.forward_kl().name(), "Forward KL");
    EXPECT_EQ(trajectory.max_probability().name(), "Max Probability");
    EXPECT_EQ(trajectory.max_probability().units(), "probs");
    const auto rank = trajectory.rank();
    EXPECT_EQ(rank.name(), "Rank");
    EXPECT_EQ(rank.units(), "");
    EXPECT_EQ(rank.min(), 1.0f);
    EXPECT_EQ(rank.max(), 4.0f);
    // Every statistic but log_prob_diff shares one label set.
    EXPECT_EQ(entropy.trajectory_labels(), rank.trajectory_labels());
    EXPECT_EQ(entropy.trajectory_labels(), trajectory.forward_kl().trajectory_labels());
    const auto diff = trajectory.log_prob_diff();
    EXPECT_EQ(diff.name(), "Log Prob Difference");
    EXPECT_FALSE(diff.trajectory_labels());
    EXPECT_TRUE(diff.includes_output());
    const auto delta = trajectory.log_prob_diff(true);
    EXPECT_EQ(delta.name(), "\u0394 Log Prob Difference");
    EXPECT_FALSE(delta.includes_output());
    EXPECT_EQ(strings_of(delta.layer_labels()), (Strings{"0", "1"}));

    TrajectoryComparison comparison(worked_inputs());
    comparison.add_all(worked_logits, worked_logits);
    EXPECT_EQ(comparison.kl_divergence().name(), "KL(Self | Other)");
    EXPECT_EQ(comparison.kl_divergence().min(), 0.0f);
    EXPECT_EQ(comparison.js_divergence().name(), "JS(Self | Other)");
    EXPECT_EQ(comparison.half_symmetric_kl().name(), "(KL(Self | Other) + KL(Other | Self)) / 2");
    EXPECT_EQ(comparison.total_variation().name(), "TV(Self | Other)");
    EXPECT_EQ(comparison.total_variation().max(), 1.0f);
    EXPECT_EQ(comparison.max_abs_prob_difference().name(), "Max |\u0394p|(Self | Other)");
    EXPECT_EQ(comparison.max_abs_prob_difference().units(), "probs");
    EXPECT_EQ(comparison.kl_divergence().trajectory_labels(), comparison.total_variation().trajectory_labels());
    // Identical trajectories: every divergence is 0.
    for (const auto& statistic : {comparison.kl_divergence(), comparison.js_divergence(),
                                  comparison.half_symmetric_kl(), comparison.total_variation()}) {
        for (const float value : statistic.stats()) EXPECT_NEAR(value, 0.0f, 1e-6f) << statistic.name();
    }

    // Without a vocabulary: the statistics, no labels of any kind.
    auto bare = worked_inputs();
    bare.vocabulary = nullptr;
    PredictionTrajectory unlabelled(bare, TrajectoryTargets{{{1}}, {{2}}});
    unlabelled.add_all(worked_logits);
    EXPECT_FALSE(unlabelled.entropy().trajectory_labels());
    EXPECT_FALSE(unlabelled.entropy().sequence_labels());
    EXPECT_FALSE(unlabelled.rank().max());
    EXPECT_FALSE(unlabelled.labels());
}

TEST(PredictionTrajectory, RankTiesShareTheBestRank) {
    // Scores 0.3, 0.2, 0.2, 0.1 as log-probs: ranks 1, 2, 2, 4.
    TrajectoryInputs inputs;
    inputs.shape = {4, 1, 1, 4};
    inputs.values = ValueKind::log_probs;
    inputs.input_ids = {0, 0, 0, 0};
    const std::vector<float> row = {std::log(0.3f), std::log(0.2f), std::log(0.2f), std::log(0.1f)};
    std::vector<float> tensor;
    for (int i = 0; i < 4; ++i) tensor.insert(tensor.end(), row.begin(), row.end());
    for (std::int64_t target = 0; target < 4; ++target) {
        TrajectoryInputs one = inputs;
        one.shape.batch = 1;
        one.input_ids = {0};
        PredictionTrajectory trajectory(one, TrajectoryTargets{{{target}}, std::nullopt});
        trajectory.add_all(row);
        const float expected[] = {1, 2, 2, 4};
        EXPECT_EQ(trajectory.rank().stats()(0, 0), expected[target]) << "target " << target;
    }
    // The batch mean of ranks 1, 2, 2, 4, and show_ranks truncates it.
    auto vocabulary = std::make_shared<const std::vector<std::string>>(Strings{"w", "x", "y", "z"});
    inputs.vocabulary = vocabulary;
    PredictionTrajectory batch(inputs, TrajectoryTargets{{{0, 1, 2, 3}}, std::nullopt});
    batch.add_all(tensor);
    const auto ranks = batch.rank(true);
    EXPECT_EQ(ranks.stats()(0, 0), 2.25f);
    EXPECT_EQ(strings_of(ranks.trajectory_labels()->label_strings()), (Strings{"2"}));
    EXPECT_EQ(strings_of(batch.rank().trajectory_labels()->label_strings()), (Strings{"w"}));
}

TEST(PredictionTrajectory, ZeroProbabilityTokensAddNothing) {
    const float inf = float_negative_infinity;
    TrajectoryInputs inputs;
    inputs.shape = {1, 2, 1, 70};  // past one chunk
    inputs.values = ValueKind::log_probs;
    inputs.input_ids = {0};
    std::vector<float> tensor(140, inf);
    // Lens: half and half on ids 0 and 65; output: ids 0 and 3.
    tensor[0] = tensor[65] = std::log(0.5f);
    tensor[70 + 0] = std::log(0.75f);
    tensor[70 + 3] = std::log(0.25f);
    PredictionTrajectory trajectory(inputs, TrajectoryTargets{{{65}}, {{0}}});
    trajectory.add_all(tensor);
    expect_close(std::log(2.0), trajectory.entropy().stats()(0, 0), "lens entropy");
    expect_close(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25)), trajectory.entropy().stats()(1, 0),
                 "output entropy");
    EXPECT_EQ(trajectory.rank().stats()(0, 0), 1.0f);
    EXPECT_EQ(trajectory.rank().stats()(1, 0), 3.0f);  // -inf: behind the two tokens with mass
    // The output puts mass on id 3, where the lens has none: infinite.
    EXPECT_EQ(trajectory.forward_kl().stats()(0, 0), std::numeric_limits<float>::infinity());
    EXPECT_EQ(trajectory.forward_kl().stats()(1, 0), 0.0f);
    EXPECT_EQ(trajectory.log_prob_diff().stats()(1, 0), -std::numeric_limits<float>::infinity());

    // The same with logits; the output's zero tokens are the lens's too.
    inputs.values = ValueKind::logits;
    tensor[70 + 65] = 0.0f;
    tensor[70 + 0] = 1.0f;
    tensor[70 + 3] = inf;
    PredictionTrajectory logits(inputs, TrajectoryTargets{{{65}}, std::nullopt});
    logits.add_all(tensor);
    const double e = std::exp(1.0);
    const double p0 = e / (e + 1), p65 = 1 / (e + 1);
    expect_close(std::log(2.0), logits.entropy().stats()(0, 0), "lens entropy from logits");
    expect_close(p0 * std::log(p0 / 0.5) + p65 * std::log(p65 / 0.5), logits.forward_kl().stats()(0, 0),
                 "forward KL with -inf logits");
    const auto logits_entropy = logits.entropy();
    for (const float value : logits_entropy.stats()) EXPECT_FALSE(std::isnan(value));

    // Two trajectories with disjoint support: finite JS and TV, infinite KL.
    TrajectoryComparison comparison(inputs);
    std::vector<float> other(140, inf);
    other[1] = other[70 + 1] = 0.0f;
    comparison.add_all(tensor, other);
    EXPECT_EQ(comparison.kl_divergence().stats()(0, 0), std::numeric_limits<float>::infinity());
    expect_close(std::log(2.0), comparison.js_divergence().stats()(0, 0), "JS of disjoint distributions");
    expect_close(1.0, comparison.total_variation().stats()(0, 0), "TV of disjoint distributions");
    expect_close(1.0, comparison.max_abs_prob_difference().stats()(0, 0), "max |Δp| of disjoint distributions");
}

// ---------------------------------------------------------------------------
// Labels

// The reference's batch example: vocabulary with GPT-2 style markers.
TrajectoryInputs batch_example_inputs(std::size_t batch) {
    TrajectoryInputs inputs;
    inputs.shape = {batch, 1, 2, 6};
    inputs.vocabulary = std::make_shared<const std::vector<std::string>>(
        Strings{"\u0120the", "\u0120cat", "\u010A\u010A", "\u0120extraordinary", "a", "b"});
    inputs.labels.top_k = 3;
    for (std::size_t b = 0; b < batch; ++b) inputs.input_ids.insert(inputs.input_ids.end(), {0, 1});
    return inputs;
}

const std::vector<float> batch_example_logits = {5, 4, 1, 0, 0, 0, 0, 0, 0, 6, 1, 0,   // item 0
                                                 5, 1, 4, 0, 0, 0, 0, 6, 0, 0, 1, 0};  // item 1

TEST(PredictionTrajectoryLabels, ConsolidateAcrossTheBatchAndLayOutHoverTables) {
    PredictionTrajectory trajectory(batch_example_inputs(2));
    trajectory.add_all(batch_example_logits);
    const auto labels = trajectory.labels();
    EXPECT_EQ(strings_of(labels->label_strings()), (Strings{"_the", "*"}));
    ASSERT_EQ(labels->hover_over_entries()->shape(), (std::array<std::size_t, 4>{1, 2, 3, 4}));
    const Strings hover = strings_of(*labels->hover_over_entries());
    const Strings cell0(hover.begin(), hover.begin() + 12);
    EXPECT_EQ(cell0, (Strings{"_the", "71.10%", "_the", "71.10%",    //
                              "_cat", "26.16%", "\\n\\n", "26.16%",  //
                              "\\n\\n", "1.30%", "_cat", "1.30%"}));
    // Position 1: the third entry is a 4-way tie, resolved by the lowest id.
    const Strings cell1(hover.begin() + 12, hover.end());
    EXPECT_EQ(cell1, (Strings{"_extra\u2026", "98.36%", "_cat", "98.36%",  //
                              "a", "0.66%", "a", "0.66%",                  //
                              "_the", "0.24%", "_the", "0.24%"}));
    // Sequence labels: the same input in both items.
    EXPECT_EQ(strings_of(*trajectory.sequence_labels()), (Strings{"_the", "_cat"}));
}

TEST(PredictionTrajectoryLabels, MinProbBlanksSingleCells) {
    auto inputs = batch_example_inputs(2);
    inputs.labels.min_prob = 0.9f;
    PredictionTrajectory trajectory(inputs);
    trajectory.add_all(batch_example_logits);
    // Position 0's top probability 0.711 fails; position 1's 0.984 passes in
    // both items, and keeps its label (the reference would blank both).
    EXPECT_EQ(strings_of(trajectory.labels()->label_strings()), (Strings{"", "*"}));
    inputs.labels.min_prob = 0.99f;
    PredictionTrajectory stricter(inputs);
    stricter.add_all(batch_example_logits);
    EXPECT_EQ(strings_of(stricter.labels()->label_strings()), (Strings{"", ""}));
    // The hover tables stay.
    EXPECT_EQ(stricter.labels()->hover_over_entries()->flat(1), "71.10%");
}

TEST(PredictionTrajectoryLabels, HoverValuesAreNeverCutToTheTokenWidth) {
    TrajectoryInputs inputs;
    inputs.shape = {1, 1, 1, 6};
    inputs.input_ids = {0};
    inputs.vocabulary =
        std::make_shared<const std::vector<std::string>>(Strings{"\u0120a", "\u0120b", "c", "d", "e", "f"});
    inputs.labels.top_k = 2;
    PredictionTrajectory trajectory(inputs);
    trajectory.add_all(std::vector<float>{5, 4, 1, 0, 0, 0});
    EXPECT_EQ(strings_of(*trajectory.labels()->hover_over_entries()), (Strings{"_a", "71.10%", "_b", "26.16%"}));
}

TEST(PredictionTrajectoryLabels, HoverTablesShowTheFirstItemsSideBySide) {
    // Five items; three shown by default, two when asked.
    const TrajectoryShape shape{5, 2, 3, 20};
    const Tensor tensor = random_tensor(shape, 31, ValueKind::logits);
    auto inputs = inputs_for(shape, ValueKind::logits);
    inputs.vocabulary = numbered_vocabulary(shape.vocab);
    inputs.labels.top_k = 4;
    PredictionTrajectory trajectory(inputs);
    trajectory.add_all(tensor.values);
    const auto& hover = *trajectory.labels()->hover_over_entries();
    ASSERT_EQ(hover.shape(), (std::array<std::size_t, 4>{2, 3, 4, 6}));
    // Each column pair is one item's top-k, by probability, best first.
    for (std::size_t l = 0; l < 2; ++l) {
        for (std::size_t s = 0; s < 3; ++s) {
            for (std::size_t item = 0; item < 3; ++item) {
                const auto lp = reference_log_probs(tensor.row(item, l, s), shape.vocab, ValueKind::logits);
                std::vector<std::size_t> ids(shape.vocab);
                std::iota(ids.begin(), ids.end(), 0);
                std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) { return lp[a] > lp[b]; });
                for (std::size_t rank = 0; rank < 4; ++rank) {
                    EXPECT_EQ(hover(l, s, rank, 2 * item), std::string("t").append(std::to_string(ids[rank])));
                    char expected[32];
                    std::snprintf(expected, sizeof expected, "%.2f%%",
                                  static_cast<double>(static_cast<float>(std::exp(lp[ids[rank]])) * 100.0f));
                    EXPECT_EQ(hover(l, s, rank, 2 * item + 1), expected);
                }
            }
        }
    }
    inputs.labels.max_batch_items_shown = 2;
    PredictionTrajectory two(inputs);
    two.add_all(tensor.values);
    EXPECT_EQ(two.labels()->hover_over_entries()->shape()[3], 4u);
    // One item: one (token, value) pair.
    inputs.shape.batch = 1;
    inputs.input_ids.resize(3);
    PredictionTrajectory one(inputs);
    one.add_all(std::span<const float>(tensor.values).first(2 * 3 * 20));
    EXPECT_EQ(one.labels()->hover_over_entries()->shape(), (std::array<std::size_t, 4>{2, 3, 4, 2}));
    // top_k beyond the vocabulary: every token.
    inputs.labels.top_k = 50;
    PredictionTrajectory all(inputs);
    all.add_all(std::span<const float>(tensor.values).first(2 * 3 * 20));
    EXPECT_EQ(all.labels()->hover_over_entries()->shape()[2], 20u);
}

TEST(PredictionTrajectoryLabels, PercentTextsHaveTwoDecimals) {
    TrajectoryInputs inputs;
    inputs.shape = {1, 1, 1, 4};
    inputs.values = ValueKind::log_probs;
    inputs.input_ids = {0};
    inputs.vocabulary = std::make_shared<const std::vector<std::string>>(Strings{"w", "x", "y", "z"});
    PredictionTrajectory trajectory(inputs);
    trajectory.add_all(std::vector<float>{0.0f, std::log(0.00004f), std::log(0.00006f), float_negative_infinity});
    const Strings hover = strings_of(*trajectory.labels()->hover_over_entries());
    EXPECT_EQ(hover, (Strings{"w", "100.00%", "y", "0.01%", "x", "0.00%", "z", "0.00%"}));
}

TEST(PredictionTrajectoryLabels, DeltaLabelsUseMinProbDeltaPerCell) {
    auto inputs = batch_example_inputs(1);
    inputs.input_ids = {0, 1};
    // Position 0 changes a little, position 1 a lot.
    const std::vector<float> self = {5, 4, 1, 0, 0, 0, 0, 0, 0, 6, 1, 0};
    const std::vector<float> other = {5, 4.1f, 1, 0, 0, 0, 5, 0, 0, 0, 1, 0};
    inputs.labels.min_prob_delta = 0.1f;
    TrajectoryComparison comparison(inputs);
    comparison.add_all(self, other);
    const auto labels = comparison.labels();
    EXPECT_EQ(strings_of(labels->label_strings()), (Strings{"", "_extra\u2026"}));
    const auto& hover = *labels->hover_over_entries();
    ASSERT_EQ(hover.shape(), (std::array<std::size_t, 4>{1, 2, 3, 2}));
    // Signed: other minus self.
    EXPECT_EQ(hover(0, 1, 0, 1), "\u0394-97.72%");
    EXPECT_EQ(hover(0, 1, 1, 0), "_the");
    EXPECT_EQ(hover(0, 1, 1, 1), "\u039495.43%");
    inputs.labels.min_prob_delta = 0.0f;
    TrajectoryComparison unfiltered(inputs);
    unfiltered.add_all(self, other);
    EXPECT_EQ(strings_of(unfiltered.labels()->label_strings()), (Strings{"_cat", "_extra\u2026"}));
}

// ---------------------------------------------------------------------------
// TokenFormat

TEST(TokenFormat, DefaultsFollowTheReference) {
    const TokenFormat format;
    EXPECT_EQ(format.format("\u0120the"), "_the");
    EXPECT_EQ(format.format("abcdefg"), "abcdefg");
    EXPECT_EQ(format.format("abcdefgh"), "abcdef\u2026");
    EXPECT_EQ(format.format("\u0120extraordinary"), "_extra\u2026");
    EXPECT_EQ(format.format("hello\u0120world"), "hello_\u2026");
    EXPECT_EQ(format.format("\u010A\u010A"), "\\n\\n");
    // Shortened before the replacements, so longer than the limit.
    EXPECT_EQ(format.format("\u010A\u010A\u010A\u010A\u010A\u010A\u010A\u010A"), "\\n\\n\\n\\n\\n\\n\u2026");
    EXPECT_EQ(format.format(""), "");
    EXPECT_EQ(format.format("\u2581sentence"), "\u2581sente\u2026");  // code points, not bytes
    EXPECT_EQ(format.format("bad\xff"), "bad\uFFFD");
}

TEST(TokenFormat, OptionsApply) {
    TokenFormat format;
    format.max_string_len = std::nullopt;
    EXPECT_EQ(format.format("\u0120extraordinary"), "_extraordinary");
    format.max_string_len = 5;
    format.ellipsis = "..";
    EXPECT_EQ(format.format("abcdefgh"), "abc..");
    format.whitespace_replacement = " ";
    format.newline_replacement = "\u21B5";
    EXPECT_EQ(format.format("\u0120a\u010A"), " a\u21B5");
    format.whitespace_token = "\u2581";
    EXPECT_EQ(format.format("\u2581a\u0120"), " a\u0120");
    // The newline replacement is itself subject to the whitespace one.
    format.newline_replacement = "\u2581";
    EXPECT_EQ(format.format("\u010A"), " ");
    format.max_string_len = 2;
    format.ellipsis = "\u2026";
    EXPECT_EQ(format.format("abc"), "a\u2026");
}

TEST(TokenFormat, SequenceLabelsUseTheGivenFormatAndMarkDifferences) {
    auto inputs = batch_example_inputs(2);
    inputs.input_ids = {0, 3, 0, 1};
    inputs.labels.format.whitespace_replacement = "+";
    PredictionTrajectory trajectory(inputs);
    EXPECT_EQ(strings_of(*trajectory.sequence_labels()), (Strings{"+the", "*"}));
    // Ids past the vocabulary's end show <unk>.
    inputs.shape.vocab = 8;
    inputs.input_ids = {7, 6, 7, 6};
    PredictionTrajectory padded(inputs);
    EXPECT_EQ(strings_of(*padded.sequence_labels()), (Strings{"<unk>", "<unk>"}));
}

// ---------------------------------------------------------------------------
// Errors

std::string message_of(const std::function<void()>& action) {
    const trajplot::Error error = error_of(action);
    return error.what();
}

TEST(PredictionTrajectoryErrors, InvalidInputsAreNamed) {
    const auto with = [](const std::function<void(TrajectoryInputs&)>& change) {
        auto inputs = worked_inputs();
        change(inputs);
        return message_of([&] { PredictionTrajectory trajectory(inputs); });
    };
    EXPECT_EQ(with([](auto& in) { in.shape.layers = 0; }), "shape.layers must be at least 1, got 0");
    EXPECT_EQ(with([](auto& in) { in.shape.batch = 0; }), "shape.batch must be at least 1, got 0");
    EXPECT_EQ(with([](auto& in) { in.shape.vocab = std::size_t{1} << 33; }),
              "shape.vocab is 8589934592; at most 4294967295 is supported");
    EXPECT_EQ(error_of([] {
                  auto inputs = worked_inputs();
                  inputs.shape.seq_len = SIZE_MAX / 2;
                  PredictionTrajectory trajectory(inputs);
              }).code(),
              Errc::range);
    EXPECT_EQ(with([](auto& in) { in.input_ids = {0, 1}; }), "input_ids has 2 entries; batch x seq_len is 1 x 1 = 1");
    EXPECT_EQ(with([](auto& in) { in.input_ids = {4}; }), "input_ids[0][0] is 4; token ids must be in [0, 4)");
    EXPECT_EQ(with([](auto& in) { in.input_ids = {-1}; }), "input_ids[0][0] is -1; token ids must be in [0, 4)");
    EXPECT_EQ(with([](auto& in) { in.labels.top_k = 0; }), "labels.top_k must be at least 1, got 0");
    EXPECT_EQ(with([](auto& in) { in.labels.max_batch_items_shown = 0; }),
              "labels.max_batch_items_shown must be at least 1, got 0");
    EXPECT_EQ(with([](auto& in) { in.labels.min_prob = std::nanf(""); }), "labels.min_prob must not be NaN");
    EXPECT_EQ(with([](auto& in) { in.labels.min_prob_delta = std::nanf(""); }),
              "labels.min_prob_delta must not be NaN");
    EXPECT_EQ(with([](auto& in) { in.labels.format.max_string_len = 0; }),
              "format.max_string_len is 0; it must be at least 1 and at least the ellipsis's length (1)");
    EXPECT_EQ(with([](auto& in) {
                  in.labels.format.ellipsis = "...";
                  in.labels.format.max_string_len = 2;
              }),
              "format.max_string_len is 2; it must be at least 1 and at least the ellipsis's length (3)");
    EXPECT_EQ(with([](auto& in) { in.labels.format.newline_token = ""; }), "format.newline_token must not be empty");
    EXPECT_EQ(with([](auto& in) { in.labels.format.whitespace_token = ""; }),
              "format.whitespace_token must not be empty");
    EXPECT_EQ(with([](auto& in) { in.labels.format.ellipsis = "\xff"; }), "format.ellipsis is not valid UTF-8");
    EXPECT_EQ(message_of([] {
                  PredictionTrajectory trajectory(worked_inputs(), TrajectoryTargets{{{9}}, std::nullopt});
              }),
              "targets[0][0] is 9; token ids must be in [0, 4)");
    EXPECT_EQ(message_of([] {
                  PredictionTrajectory trajectory(worked_inputs(), TrajectoryTargets{{{1}}, {{1, 2}}});
              }),
              "anti_targets has 2 entries; batch x seq_len is 1 x 1 = 1");
    EXPECT_EQ(message_of([] { TrajectoryComparison comparison(TrajectoryInputs{}); }),
              "shape.layers must be at least 1, got 0");
}

TEST(PredictionTrajectoryErrors, SlabsAreCheckedAndMissingOnesNamed) {
    PredictionTrajectory trajectory(worked_inputs(), TrajectoryTargets{{{1}}, std::nullopt});
    const std::span<const float> logits(worked_logits);
    EXPECT_EQ(message_of([&] { trajectory.add(1, 0, logits.first(4)); }),
              "batch_index 1 is out of range; the trajectory has 1 batch items");
    EXPECT_EQ(message_of([&] { trajectory.add(0, 3, logits.first(4)); }),
              "layer_index 3 is out of range; the trajectory has 3 layers");
    EXPECT_EQ(message_of([&] { trajectory.add(0, 2, logits.first(3)); }),
              "slab has 3 floats; seq_len x vocab is 1 x 4 = 4");
    EXPECT_EQ(message_of([&] { trajectory.add(0, 2, static_cast<const float*>(nullptr)); }), "slab is null");
    EXPECT_EQ(message_of([&] { trajectory.add(0, 0, logits.first(4)); }),
              "forward KL needs the output layer (layer 2) of batch item 0 before its other layers, but layer 0 "
              "came first; add the output layer first, or build the trajectory without forward KL");
    EXPECT_EQ(message_of([&] { trajectory.add_all(logits.first(8)); }),
              "tensor has 8 floats; batch x layers x seq_len x vocab is 1 x 3 x 1 x 4 = 12");
    trajectory.add(0, 2, logits.subspan(8));
    EXPECT_EQ(message_of([&] { trajectory.add(0, 2, logits.subspan(8)); }),
              "the slab of batch item 0, layer 2 was already added");
    trajectory.add(0, 1, logits.subspan(4, 4));
    EXPECT_FALSE(trajectory.complete());
    EXPECT_EQ(message_of([&] { trajectory.entropy(); }),
              "entropy: the statistics need every slab: 1 of 3 are missing, the first is batch item 0, layer 0");
    EXPECT_EQ(message_of([&] { trajectory.labels(); }),
              "labels: the statistics need every slab: 1 of 3 are missing, the first is batch item 0, layer 0");
    EXPECT_EQ(message_of([&] { trajectory.log_prob_diff(); }), "log_prob_diff needs targets and anti_targets");
    trajectory.add(0, 0, logits.first(4));
    EXPECT_TRUE(trajectory.complete());
    EXPECT_NO_THROW(trajectory.rank());

    // Without forward KL, any order.
    PredictionTrajectory unordered(worked_inputs(), {}, false);
    for (const std::size_t layer : {1, 0, 2}) unordered.add(0, layer, logits.subspan(4 * layer, 4));
    EXPECT_NO_THROW(unordered.entropy());
    EXPECT_EQ(message_of([&] { unordered.forward_kl(); }), "forward_kl: the trajectory was built without forward KL");
    EXPECT_EQ(message_of([&] { unordered.cross_entropy(); }), "cross_entropy needs targets; none were given");
    EXPECT_EQ(message_of([&] { unordered.rank(); }), "rank needs targets; none were given");

    auto one_layer = worked_inputs();
    one_layer.shape.layers = 1;
    PredictionTrajectory single(one_layer, TrajectoryTargets{{{1}}, {{2}}});
    single.add_all(logits.first(4));
    EXPECT_EQ(single.forward_kl().stats()(0, 0), 0.0f);
    EXPECT_EQ(message_of([&] { single.log_prob_diff(true); }),
              "log_prob_diff(delta) needs at least 2 layers, the trajectory has 1");
}

TEST(PredictionTrajectoryErrors, ComparisonSlabsAreChecked) {
    TrajectoryComparison comparison(worked_inputs());
    const std::span<const float> logits(worked_logits);
    EXPECT_EQ(message_of([&] { comparison.add(0, 0, logits.first(4), logits.first(3)); }),
              "other_slab has 3 floats; seq_len x vocab is 1 x 4 = 4");
    EXPECT_EQ(message_of([&] { comparison.add(0, 0, logits.first(5), logits.first(4)); }),
              "self_slab has 5 floats; seq_len x vocab is 1 x 4 = 4");
    EXPECT_EQ(message_of([&] { comparison.add(0, 0, nullptr, logits.data()); }), "self_slab is null");
    EXPECT_EQ(message_of([&] { comparison.add(0, 0, logits.data(), nullptr); }), "other_slab is null");
    EXPECT_EQ(message_of([&] { comparison.add_all(logits, logits.first(4)); }),
              "other_tensor has 4 floats; batch x layers x seq_len x vocab is 1 x 3 x 1 x 4 = 12");
    EXPECT_EQ(message_of([&] { comparison.add(2, 0, logits.data(), logits.data()); }),
              "batch_index 2 is out of range; the trajectory has 1 batch items");
    comparison.add(0, 1, logits.data(), logits.data());
    EXPECT_EQ(message_of([&] { comparison.add(0, 1, logits.data(), logits.data()); }),
              "the slab of batch item 0, layer 1 was already added");
    EXPECT_EQ(message_of([&] { comparison.js_divergence(); }),
              "js_divergence: the statistics need every slab: 2 of 3 are missing, the first is batch item 0, layer 0");
}

// ---------------------------------------------------------------------------
// The kernel's exp and log

TEST(LensKernel, ExpAndLogAreWithinAFewUlp) {
    const auto ulps = [](float a, double exact) {
        const float rounded = static_cast<float>(exact);
        return std::abs(static_cast<double>(a) - exact) / (std::nextafter(rounded, INFINITY) - rounded);
    };
    double worst_exp = 0.0, worst_log = 0.0;
    for (float x = -87.0f; x <= 0.0f; x += 0.00731f)
        worst_exp = std::max(worst_exp, ulps(trajplot::lens::kernel_exp(x), std::exp(static_cast<double>(x))));
    for (float x = 1e-37f; x < 1e30f; x *= 1.0137f) {
        if (std::abs(std::log(static_cast<double>(x))) < 1e-3) continue;  // ulp of log near 1 is tiny
        worst_log = std::max(worst_log, ulps(trajplot::lens::kernel_log(x), std::log(static_cast<double>(x))));
    }
    EXPECT_LT(worst_exp, 3.0);
    EXPECT_LT(worst_log, 3.0);
    EXPECT_EQ(trajplot::lens::kernel_exp(-88.0f), 0.0f);
    EXPECT_EQ(trajplot::lens::kernel_exp(-INFINITY), 0.0f);
    EXPECT_EQ(trajplot::lens::kernel_exp(0.0f), 1.0f);
    EXPECT_EQ(trajplot::lens::kernel_log(1.0f), 0.0f);
}

TEST(LensKernel, TopKKeepsTheLargestByValueThenId) {
    std::vector<trajplot::lens::TopEntry> storage(3);
    trajplot::lens::TopK top(storage.data(), 3);
    const float keys[] = {1, 5, 3, 5, 2, 3, 9};
    for (std::uint32_t id = 0; id < 7; ++id) top.offer(keys[id], keys[id], id);
    ASSERT_TRUE(top.full());
    EXPECT_EQ(storage[0].id, 6u);
    EXPECT_EQ(storage[1].id, 1u);  // 5 at ids 1 and 3: the lower id first
    EXPECT_EQ(storage[2].id, 3u);
}

}  // namespace
