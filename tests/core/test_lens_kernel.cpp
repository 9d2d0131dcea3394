// The statistics kernels (src/engine/lens_kernel.cpp), every build this CPU runs,
// against plain double-precision loops written here; and the statistics
// engine on each build.
#include "lens_kernel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "trajplot/prediction_trajectory.hpp"

namespace trajplot::lens {
// For gtest's messages.
void PrintTo(KernelBuild build, std::ostream* out) {
    *out << (build == KernelBuild::baseline ? "baseline" : "x86_64_v3");
}
}  // namespace trajplot::lens

namespace {

using trajplot::lens::kernel_build;
using trajplot::lens::KernelBuild;
using trajplot::lens::use_kernel_build;

constexpr float minus_infinity = -std::numeric_limits<float>::infinity();

std::string name_of(KernelBuild build) { return ::testing::PrintToString(build); }

// Runs the kernels of `build` while alive, then those picked before.
class UsingBuild {
public:
    explicit UsingBuild(KernelBuild build) : previous_(kernel_build()) {
        EXPECT_TRUE(use_kernel_build(build)) << name_of(build);
        EXPECT_EQ(kernel_build(), build);
    }
    ~UsingBuild() { use_kernel_build(previous_); }
    UsingBuild(const UsingBuild&) = delete;
    UsingBuild& operator=(const UsingBuild&) = delete;

private:
    KernelBuild previous_;
};

// The builds this CPU and this compilation run.
std::vector<KernelBuild> runnable_builds() {
    const KernelBuild picked = kernel_build();
    std::vector<KernelBuild> builds;
    for (const KernelBuild build : {KernelBuild::baseline, KernelBuild::x86_64_v3}) {
        if (use_kernel_build(build)) builds.push_back(build);
    }
    use_kernel_build(picked);
    return builds;
}

TEST(LensKernelBuilds, TheFastestRunnableBuildIsPicked) {
    const std::vector<KernelBuild> builds = runnable_builds();
    ASSERT_FALSE(builds.empty());
    EXPECT_EQ(builds.front(), KernelBuild::baseline);  // runs anywhere
    EXPECT_EQ(kernel_build(), builds.back());
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    // Where the CPU has AVX2 and FMA, the x86-64-v3 build is compiled in and picked.
    const bool has_avx2_and_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    EXPECT_EQ(kernel_build(), has_avx2_and_fma ? KernelBuild::x86_64_v3 : KernelBuild::baseline);
#endif
}

// ---------------------------------------------------------------------------
// Each kernel on each build against a double-precision loop.

class LensKernelOfBuild : public ::testing::TestWithParam<KernelBuild> {
protected:
    void SetUp() override {
        const std::vector<KernelBuild> builds = runnable_builds();
        if (std::find(builds.begin(), builds.end(), GetParam()) == builds.end()) {
            GTEST_SKIP() << "this CPU or compilation cannot run the " << name_of(GetParam()) << " build";
        }
        using_build_.emplace(GetParam());
    }
    void TearDown() override { using_build_.reset(); }

private:
    std::optional<UsingBuild> using_build_;
};

// A sum and the sum of its terms' magnitudes, in double.
struct Sum {
    double value = 0.0;
    double magnitude = 0.0;
    void add(double term) {
        value += term;
        magnitude += std::abs(term);
    }
};

// Within 1e-6 of the sum of the magnitudes (1e-9 near 0): sums of a row run
// in float within a chunk of 64 values and in double across chunks.
void expect_sum_near(const Sum& expected, double actual, const std::string& what) {
    EXPECT_NEAR(actual, expected.value, 1e-6 * expected.magnitude + 1e-9) << what;
}

// Normal values of the given spread, with every 37th value -inf (probability 0).
std::vector<float> random_row(std::size_t n, unsigned seed, float spread) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, spread);
    std::vector<float> row(n);
    for (std::size_t i = 0; i < n; ++i) row[i] = i % 37 == 36 ? minus_infinity : normal(rng);
    return row;
}

// Lengths around the chunk (64 values) and the steps within it, and a vocabulary's.
const std::size_t row_lengths[] = {1, 7, 63, 64, 65, 130, 1000, 50257};

std::vector<std::uint32_t> ids_of_largest(const std::vector<double>& keys, std::size_t k) {
    std::vector<std::uint32_t> ids(keys.size());
    for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
    std::stable_sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] > keys[b]; });
    ids.resize(std::min(k, ids.size()));
    return ids;
}

std::vector<std::uint32_t> ids_of(const std::vector<trajplot::lens::TopEntry>& entries, std::size_t size) {
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < size; ++i) ids.push_back(entries[i].id);
    return ids;
}

TEST_P(LensKernelOfBuild, ExpAndLogAreWithinAFewUlp) {
    const auto ulps = [](float a, double exact) {
        const float rounded = static_cast<float>(exact);
        return std::abs(static_cast<double>(a) - exact) / (std::nextafter(rounded, INFINITY) - rounded);
    };
    double worst_exp = 0.0, worst_log = 0.0;
    for (float x = -87.0f; x <= 0.0f; x += 0.00731f) {
        worst_exp = std::max(worst_exp, ulps(trajplot::lens::kernel_exp(x), std::exp(static_cast<double>(x))));
    }
    for (float x = 1e-37f; x < 1e30f; x *= 1.0137f) {
        if (std::abs(std::log(static_cast<double>(x))) < 1e-3) continue;  // ulp of log near 1 is tiny
        worst_log = std::max(worst_log, ulps(trajplot::lens::kernel_log(x), std::log(static_cast<double>(x))));
    }
    EXPECT_LT(worst_exp, 3.0);
    EXPECT_LT(worst_log, 3.0);
    EXPECT_EQ(trajplot::lens::kernel_exp(-87.4f), 0.0f);
    EXPECT_EQ(trajplot::lens::kernel_exp(minus_infinity), 0.0f);
    EXPECT_EQ(trajplot::lens::kernel_exp(0.0f), 1.0f);
    EXPECT_TRUE(std::isnan(trajplot::lens::kernel_exp(std::numeric_limits<float>::quiet_NaN())));
    EXPECT_EQ(trajplot::lens::kernel_log(1.0f), 0.0f);
}

TEST_P(LensKernelOfBuild, SummarizeRowMatchesDoubleLoops) {
    for (const std::size_t n : row_lengths) {
        const std::string what = "n = " + std::to_string(n);
        const std::vector<float> x = random_row(n, static_cast<unsigned>(n), 4.0f);
        std::vector<float> weights = random_row(n, static_cast<unsigned>(n) + 1, 1.0f);
        for (float& w : weights) w = std::isinf(w) ? 0.0f : std::max(w, 0.0f);  // some 0 where x is -inf
        const float rank_value = x[n / 2];
        const std::size_t k = 5;
        std::vector<trajplot::lens::TopEntry> entries(k);
        trajplot::lens::TopK top(entries.data(), k);
        trajplot::lens::RowSummary summary;
        trajplot::lens::summarize_row(x.data(), n, rank_value, weights.data(), &top, summary);

        const float max = *std::max_element(x.begin(), x.end());
        Sum sum_exp, sum_exp_shifted, sum_weighted;
        std::uint64_t greater = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double shifted = static_cast<double>(x[i]) - max;
            if (std::isfinite(shifted)) {
                sum_exp.add(std::exp(shifted));
                sum_exp_shifted.add(std::exp(shifted) * shifted);
            }
            if (weights[i] > 0.0f) sum_weighted.add(static_cast<double>(weights[i]) * x[i]);
            greater += x[i] > rank_value ? 1 : 0;
        }
        EXPECT_EQ(summary.max, max) << what;
        expect_sum_near(sum_exp, summary.sum_exp, "sum_exp, " + what);
        expect_sum_near(sum_exp_shifted, summary.sum_exp_shifted, "sum_exp_shifted, " + what);
        expect_sum_near(sum_weighted, summary.sum_weighted, "sum_weighted, " + what);
        EXPECT_EQ(summary.count_greater, greater) << what;
        const std::vector<double> keys(x.begin(), x.end());
        EXPECT_EQ(ids_of(entries, top.size()), ids_of_largest(keys, k)) << what;
    }
}

TEST_P(LensKernelOfBuild, WriteProbabilitiesMatchesDoubleLoops) {
    for (const std::size_t n : row_lengths) {
        const std::string what = "n = " + std::to_string(n);
        const std::vector<float> x = random_row(n, static_cast<unsigned>(n) + 2, 4.0f);
        const float max = *std::max_element(x.begin(), x.end());
        const float scale = 0.25f;
        std::vector<float> p(n + 1, -1.0f);  // one past the row, which must stay untouched
        const trajplot::lens::ProbabilitySums sums =
            trajplot::lens::write_probabilities(x.data(), n, max, scale, p.data());
        Sum sum_p, sum_p_x;
        for (std::size_t i = 0; i < n; ++i) {
            const double expected = std::exp(static_cast<double>(x[i]) - max) * scale;
            // x - max is rounded to float first: up to 2e-6 off for |x - max| < 32.
            EXPECT_NEAR(p[i], expected, 4e-6 * expected) << what << ", i = " << i;
            sum_p.add(expected);
            if (expected > 0.0) sum_p_x.add(expected * x[i]);
        }
        EXPECT_EQ(p[n], -1.0f) << what;
        expect_sum_near(sum_p, sums.sum_p, "sum_p, " + what);
        expect_sum_near(sum_p_x, sums.sum_p_x, "sum_p_x, " + what);
    }
}

TEST_P(LensKernelOfBuild, PairKernelsMatchDoubleLoops) {
    for (const std::size_t n : row_lengths) {
        const std::string what = "n = " + std::to_string(n);
        // q: p plus noise, with -inf where p has mass too (an infinite
        // KL(p || q)) only in the longest row.
        const std::vector<float> xp = random_row(n, static_cast<unsigned>(n) + 3, 3.0f);
        std::vector<float> xq = random_row(n, static_cast<unsigned>(n) + 4, 1.0f);
        for (std::size_t i = 0; i < n; ++i)
            xq[i] = std::isinf(xq[i]) ? (n > 50000 ? minus_infinity : xp[i]) : xp[i] + xq[i];
        trajplot::lens::PairSummary summary;
        trajplot::lens::summarize_pair(xp.data(), xq.data(), n, summary);

        const float max_p = *std::max_element(xp.begin(), xp.end());
        const float max_q = *std::max_element(xq.begin(), xq.end());
        Sum sum_p, sum_q, cross_p, cross_q;
        for (std::size_t i = 0; i < n; ++i) {
            const double e_p = std::exp(static_cast<double>(xp[i]) - max_p);
            const double e_q = std::exp(static_cast<double>(xq[i]) - max_q);
            sum_p.add(e_p);
            sum_q.add(e_q);
            if (e_p > 0.0) cross_p.add(e_p * (static_cast<double>(xp[i]) - xq[i]));
            if (e_q > 0.0) cross_q.add(e_q * (static_cast<double>(xq[i]) - xp[i]));
        }
        EXPECT_EQ(summary.max_p, max_p) << what;
        EXPECT_EQ(summary.max_q, max_q) << what;
        expect_sum_near(sum_p, summary.sum_exp_p, "sum_exp_p, " + what);
        expect_sum_near(sum_q, summary.sum_exp_q, "sum_exp_q, " + what);
        if (std::isinf(cross_p.value)) {
            EXPECT_EQ(summary.cross_p, cross_p.value) << what;
        } else {
            expect_sum_near(cross_p, summary.cross_p, "cross_p, " + what);
        }
        expect_sum_near(cross_q, summary.cross_q, "cross_q, " + what);

        // The second pass, with the scales of log-softmax.
        const auto scale_of = [](float max, double sum_exp) {
            const double offset = -std::log(sum_exp);  // max - (max + log sum_exp)
            return trajplot::lens::RowScale{max, static_cast<float>(std::exp(offset)), static_cast<float>(offset)};
        };
        const trajplot::lens::RowScale p_scale = scale_of(max_p, sum_p.value);
        const trajplot::lens::RowScale q_scale = scale_of(max_q, sum_q.value);
        const std::size_t k = 4;
        std::vector<trajplot::lens::TopEntry> entries(k);
        trajplot::lens::TopK top(entries.data(), k);
        trajplot::lens::PairMix mix;
        trajplot::lens::mix_pair(xp.data(), xq.data(), n, p_scale, q_scale, &top, mix);

        // Each probability is within 4e-6 of its own value (see
        // WriteProbabilitiesMatchesDoubleLoops), so a difference within
        // 4e-6 of their sum.
        std::vector<double> p(n), q(n), abs_deltas(n);
        Sum js, abs_sum;
        std::size_t largest = 0;
        for (std::size_t i = 0; i < n; ++i) {
            p[i] = std::exp(static_cast<double>(xp[i]) - max_p) / sum_p.value;
            q[i] = std::exp(static_cast<double>(xq[i]) - max_q) / sum_q.value;
            const double m = 0.5 * (p[i] + q[i]);
            if (p[i] > 0.0) js.add(p[i] * std::log(p[i] / m));
            if (q[i] > 0.0) js.add(q[i] * std::log(q[i] / m));
            abs_deltas[i] = std::abs(q[i] - p[i]);
            abs_sum.add(abs_deltas[i]);
            if (abs_deltas[i] > abs_deltas[largest]) largest = i;
        }
        // The kernel's log p is (x - max) + log_offset, rounded twice.
        EXPECT_NEAR(mix.js_sum, js.value, 1e-5 * js.magnitude + 1e-8) << what;
        expect_sum_near(abs_sum, mix.abs_diff_sum, "abs_diff_sum, " + what);
        EXPECT_NEAR(mix.max_abs_diff, abs_deltas[largest], 4e-6 * (p[largest] + q[largest])) << what;
        EXPECT_EQ(ids_of(entries, top.size()), ids_of_largest(abs_deltas, k)) << what;
        for (std::size_t i = 0; i < top.size(); ++i) {
            const std::uint32_t id = entries[i].id;
            EXPECT_NEAR(entries[i].value, q[id] - p[id], 4e-6 * (p[id] + q[id])) << what << ", top " << i;
            EXPECT_EQ(entries[i].key, std::abs(entries[i].value)) << what << ", top " << i;
        }
    }
}

// A row of -inf but one value, and a row that is all -inf.
TEST_P(LensKernelOfBuild, RowsWithoutMassAddNothing) {
    std::vector<float> x(100, minus_infinity);
    x[70] = 2.5f;
    trajplot::lens::RowSummary summary;
    trajplot::lens::summarize_row(x.data(), x.size(), minus_infinity, nullptr, nullptr, summary);
    EXPECT_EQ(summary.max, 2.5f);
    EXPECT_EQ(summary.sum_exp, 1.0);
    EXPECT_EQ(summary.sum_exp_shifted, 0.0);
    EXPECT_EQ(summary.count_greater, 1u);

    const std::vector<float> empty(100, minus_infinity);
    trajplot::lens::PairSummary pair;
    trajplot::lens::summarize_pair(x.data(), empty.data(), x.size(), pair);
    EXPECT_EQ(pair.max_p, 2.5f);
    EXPECT_EQ(pair.max_q, minus_infinity);
    EXPECT_EQ(pair.sum_exp_p, 1.0);
    EXPECT_EQ(pair.sum_exp_q, 0.0);
    EXPECT_EQ(pair.cross_p, std::numeric_limits<double>::infinity());
    EXPECT_EQ(pair.cross_q, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Builds, LensKernelOfBuild, ::testing::Values(KernelBuild::baseline, KernelBuild::x86_64_v3),
                         [](const ::testing::TestParamInfo<KernelBuild>& info) { return name_of(info.param); });

// ---------------------------------------------------------------------------
// The engine gives the same statistics on every build.

TEST(LensKernelBuilds, StatisticsAgreeAcrossBuilds) {
    const trajplot::TrajectoryShape shape{2, 3, 4, 3000};
    std::mt19937 rng(21);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> self(shape.batch * shape.layers * shape.seq_len * shape.vocab);
    std::vector<float> other(self.size());
    for (float& value : self) value = normal(rng);
    for (float& value : other) value = normal(rng);
    trajplot::TrajectoryInputs inputs;
    inputs.shape = shape;
    inputs.input_ids.assign(shape.batch * shape.seq_len, 1);
    trajplot::TrajectoryTargets targets;
    targets.targets = std::vector<std::int64_t>(shape.batch * shape.seq_len, 2);

    std::vector<std::vector<float>> results;  // per build, every statistic's values
    for (const KernelBuild build : runnable_builds()) {
        UsingBuild using_build(build);
        trajplot::PredictionTrajectory trajectory(inputs, targets);
        trajectory.add_all(self);
        trajplot::TrajectoryComparison comparison(inputs);
        comparison.add_all(self, other);
        std::vector<float> values;
        for (const trajplot::TrajectoryStatistic& statistic :
             {trajectory.entropy(), trajectory.forward_kl(), trajectory.cross_entropy(), trajectory.rank(),
              comparison.kl_divergence(), comparison.js_divergence(), comparison.total_variation(),
              comparison.max_abs_prob_difference()}) {
            values.insert(values.end(), statistic.stats().begin(), statistic.stats().end());
        }
        results.push_back(std::move(values));
    }
    for (std::size_t build = 1; build < results.size(); ++build) {
        ASSERT_EQ(results[build].size(), results[0].size());
        for (std::size_t i = 0; i < results[0].size(); ++i) {
            EXPECT_NEAR(results[build][i], results[0][i], 1e-5 * std::abs(results[0][i]) + 1e-7) << "value " << i;
        }
    }
}

}  // namespace
