// The statistics engine from many threads: the statistics and labels of one
// complete trajectory, taken by eight threads at once before any was
// computed, are what one thread gets; trajectories and comparisons filled
// on different threads at once do not disturb one another.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lens_test_support.hpp"

using namespace capi_test;
using namespace capi_lens_test;

namespace {

constexpr int thread_count = 8;

// Runs `round(thread_index)` `rounds_per_thread` times on each of
// thread_count threads, all released at once so that their calls overlap.
template <class Round>
void run_together(int rounds_per_thread, const Round& round) {
    std::atomic<bool> start{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
            while (!start.load()) std::this_thread::yield();
            for (int r = 0; r < rounds_per_thread; ++r) round(t);
        });
    }
    start = true;
    for (std::thread& thread : threads) thread.join();
}

// Every statistic a handle gives, its labels, and a figure.
struct Everything {
    std::vector<StatisticView> statistics;
    LabelsView labels;
    std::string figure;
    bool operator==(const Everything&) const = default;
};

std::string figure_of(const trajplot_statistic* statistic) {
    trajplot_figure* figure = nullptr;
    if (trajplot_figure_create(&figure, statistic, nullptr, nullptr) != TRAJPLOT_OK) return "failed";
    const FigurePtr figure_owner(figure);
    char* json = nullptr;
    std::size_t len = 0;
    if (trajplot_figure_export(&json, &len, figure, nullptr) != TRAJPLOT_OK) return "failed";
    const StringPtr owner(json);
    return std::string(json, len);
}

Everything everything_of(const trajplot_trajectory* trajectory) {
    Everything everything;
    for (const int measure : trajectory_measures())
        everything.statistics.push_back(trajectory_view(trajectory, measure));
    everything.statistics.push_back(trajectory_view(trajectory, TRAJPLOT_MEASURE_RANK, TRAJPLOT_SHOW_RANKS));
    trajplot_labels* labels = nullptr;
    if (trajplot_trajectory_labels(&labels, trajectory) == TRAJPLOT_OK && labels != nullptr) {
        const LabelsPtr owner(labels);
        everything.labels = read_labels(labels);
    }
    trajplot_statistic* entropy = nullptr;
    if (trajplot_trajectory_statistic(&entropy, trajectory, TRAJPLOT_MEASURE_ENTROPY, 0) == TRAJPLOT_OK) {
        const StatisticPtr owner(entropy);
        everything.figure = figure_of(entropy);
    }
    return everything;
}

Everything everything_of(const trajplot_comparison* comparison) {
    Everything everything;
    for (const int measure : comparison_measures())
        everything.statistics.push_back(comparison_view(comparison, measure));
    trajplot_labels* labels = nullptr;
    if (trajplot_comparison_labels(&labels, comparison) == TRAJPLOT_OK && labels != nullptr) {
        const LabelsPtr owner(labels);
        everything.labels = read_labels(labels);
    }
    trajplot_statistic* kl = nullptr;
    if (trajplot_comparison_statistic(&kl, comparison, TRAJPLOT_MEASURE_KL_DIVERGENCE, 0) == TRAJPLOT_OK) {
        const StatisticPtr owner(kl);
        everything.figure = figure_of(kl);
    }
    return everything;
}

std::vector<std::string> numbered_tokens(std::size_t count) {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < count; ++i) tokens.push_back((i % 3 == 0 ? "\u0120w" : "w") + std::to_string(i));
    return tokens;
}

// A trajectory and a comparison of one seed's data, streamed output layer
// first, items in the order `reverse_items` says.
struct Filled {
    TrajectoryPtr trajectory;
    ComparisonPtr comparison;
};

struct Data {
    Tensor self, other;
    std::vector<std::int64_t> input_ids, targets, anti_targets;

    Data(const Shape& shape, unsigned seed)
        : self(random_logits(shape, seed)),
          other(random_logits(shape, seed + 1000)),
          input_ids(random_ids(shape, seed + 1)),
          targets(random_ids(shape, seed + 2)),
          anti_targets(random_ids(shape, seed + 3)) {}

    Filled fill(const trajplot_trajectory_options& options, bool reverse_items) const {
        const Shape& shape = self.shape;
        Filled filled{make_trajectory(shape, input_ids, &targets, &anti_targets, &options),
                      make_comparison(shape, input_ids, &options)};
        if (!filled.trajectory || !filled.comparison) return filled;
        for (std::size_t i = 0; i < shape.batch; ++i) {
            const std::size_t item = reverse_items ? shape.batch - 1 - i : i;
            for (std::size_t step = 0; step < shape.layers; ++step) {
                const std::size_t layer = (step + shape.layers - 1) % shape.layers;
                EXPECT_EQ(trajplot_trajectory_add(filled.trajectory.get(), item, layer, self.slab(item, layer),
                                                  shape.slab_len()),
                          TRAJPLOT_OK)
                    << trajplot_error_last();
                EXPECT_EQ(trajplot_comparison_add(filled.comparison.get(), item, layer, self.slab(item, layer),
                                                  other.slab(item, layer), shape.slab_len()),
                          TRAJPLOT_OK)
                    << trajplot_error_last();
            }
        }
        return filled;
    }
};

}  // namespace

TEST(CapiLensThreads, OneTrajectoryReadByEightThreadsAtOnce) {
    const Shape shape{3, 4, 4, 20};
    const VocabularyPtr vocabulary = make_vocabulary(numbered_tokens(shape.vocab));
    ASSERT_TRUE(vocabulary);
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.vocabulary = vocabulary.get();
    const Data data(shape, 500);
    const Filled reference = data.fill(options, false);
    ASSERT_TRUE(reference.trajectory && reference.comparison);
    const Everything expected_trajectory = everything_of(reference.trajectory.get());
    const Everything expected_comparison = everything_of(reference.comparison.get());
    ASSERT_EQ(expected_trajectory.statistics.size(), trajectory_measures().size() + 1);
    ASSERT_FALSE(expected_trajectory.labels.cells.empty());
    ASSERT_FALSE(expected_comparison.labels.cells.empty());

    // Fresh handles each time: the labels and sequence labels are computed
    // on first use, so the threads race to compute them.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const Filled shared = data.fill(options, attempt % 2 == 1);
        ASSERT_TRUE(shared.trajectory && shared.comparison);
        std::atomic<int> mismatches{0};
        run_together(1, [&](int t) {
            // Half the threads start with the comparison.
            if (t % 2 == 0 && !(everything_of(shared.trajectory.get()) == expected_trajectory)) ++mismatches;
            if (!(everything_of(shared.comparison.get()) == expected_comparison)) ++mismatches;
            if (t % 2 == 1 && !(everything_of(shared.trajectory.get()) == expected_trajectory)) ++mismatches;
        });
        EXPECT_EQ(mismatches.load(), 0) << "attempt " << attempt;
    }
}

// Eight trajectories and comparisons filled at once, sharing one vocabulary;
// thread 0's slabs are large enough that it also reduces their positions on
// two threads of its own.
TEST(CapiLensThreads, TrajectoriesFilledOnDifferentThreadsAtOnce) {
    const Shape large{1, 2, 2, std::size_t{1} << 16};
    const Shape small{2, 3, 4, 300};
    const VocabularyPtr vocabulary = make_vocabulary(numbered_tokens(large.vocab));
    ASSERT_TRUE(vocabulary);
    trajplot_trajectory_options one_thread = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    one_thread.vocabulary = vocabulary.get();
    one_thread.threads = 1;
    trajplot_trajectory_options two_threads = one_thread;
    two_threads.threads = 2;

    std::vector<Data> data;
    std::vector<Everything> expected_trajectories, expected_comparisons;
    for (int t = 0; t < thread_count; ++t) {
        data.emplace_back(t == 0 ? large : small, 700 + 10 * static_cast<unsigned>(t));
        const Filled filled = data.back().fill(one_thread, false);
        ASSERT_TRUE(filled.trajectory && filled.comparison);
        expected_trajectories.push_back(everything_of(filled.trajectory.get()));
        expected_comparisons.push_back(everything_of(filled.comparison.get()));
    }

    std::vector<Everything> got_trajectories(thread_count), got_comparisons(thread_count);
    run_together(1, [&](int t) {
        const auto index = static_cast<std::size_t>(t);
        const Filled filled = data[index].fill(two_threads, t % 2 == 1);
        if (!filled.trajectory || !filled.comparison) return;
        got_trajectories[index] = everything_of(filled.trajectory.get());
        got_comparisons[index] = everything_of(filled.comparison.get());
    });
    for (std::size_t t = 0; t < static_cast<std::size_t>(thread_count); ++t) {
        EXPECT_TRUE(got_trajectories[t] == expected_trajectories[t]) << "trajectory of thread " << t;
        EXPECT_TRUE(got_comparisons[t] == expected_comparisons[t]) << "comparison of thread " << t;
    }
    // Each thread's data is its own: no two threads' results agree.
    EXPECT_FALSE(expected_trajectories[1] == expected_trajectories[2]);
}
