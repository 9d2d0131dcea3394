// The per-row numeric kernel of the statistics engine: one or two passes
// over a row of vocabulary values, vectorised, with a branch-free float exp
// and log. Internal to the core.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trajplot::lens {

// One of the k best entries of a row: what it is ranked by, a value carried
// along, and its token id.
struct TopEntry {
    float key;
    float value;
    std::uint32_t id;
};

// The k entries with the largest keys, best first: key descending, then id
// ascending. Entries must be offered in ascending id order, so that an equal
// key never displaces one already kept.
class TopK {
public:
    TopK(TopEntry* storage, std::size_t k) noexcept : entries_(storage), k_(k) {}

    bool full() const noexcept { return size_ == k_; }
    std::size_t size() const noexcept { return size_; }
    // The key an entry must exceed once full.
    float threshold() const noexcept { return entries_[k_ - 1].key; }

    void offer(float key, float value, std::uint32_t id) noexcept {
        if (size_ == k_) {
            if (!(key > entries_[k_ - 1].key)) return;
        } else {
            ++size_;
        }
        std::size_t position = size_ - 1;
        while (position > 0 && key > entries_[position - 1].key) {
            entries_[position] = entries_[position - 1];
            --position;
        }
        entries_[position] = {key, value, id};
    }

private:
    TopEntry* entries_;
    std::size_t k_;
    std::size_t size_ = 0;
};

// What one pass over a row x[0..n) gives. exp(x - max) is taken as 0 where
// x - max < -87.3 (below the smallest normal float), so -inf entries add
// nothing.
struct RowSummary {
    float max = 0.0f;                 // largest value (-inf for an all -inf row)
    double sum_exp = 0.0;             // sum of exp(x - max)
    double sum_exp_shifted = 0.0;     // sum of exp(x - max) * (x - max)
    double sum_weighted = 0.0;        // sum of w * x over w > 0, when weights are given
    std::uint64_t count_greater = 0;  // entries strictly greater than rank_value
};

// One pass: max, the sums (rescaled whenever the running max grows), the
// count for the rank and, when top is given, the top-k entries by value
// (key = value = x). rank_value NaN counts nothing; weights may be null.
void summarize_row(const float* x, std::size_t n, float rank_value, const float* weights, TopK* top,
                   RowSummary& out) noexcept;

struct ProbabilitySums {
    double sum_p = 0.0;
    double sum_p_x = 0.0;  // sum of p * x over p > 0
};

// Writes p = exp(x - max) * scale (0 where exp(x - max) underflows).
ProbabilitySums write_probabilities(const float* x, std::size_t n, float max, float scale, float* p) noexcept;

// One pass over a pair of rows p (from xp) and q (from xq).
struct PairSummary {
    float max_p = 0.0f;
    float max_q = 0.0f;
    double sum_exp_p = 0.0;  // sum of exp(xp - max_p)
    double sum_exp_q = 0.0;
    double cross_p = 0.0;  // sum of exp(xp - max_p) * (xp - xq) where exp(xp - max_p) > 0
    double cross_q = 0.0;  // sum of exp(xq - max_q) * (xq - xp) where exp(xq - max_q) > 0
};
void summarize_pair(const float* xp, const float* xq, std::size_t n, PairSummary& out) noexcept;

// How a row's values become probabilities: p = exp(x - max) * scale and
// log p = (x - max) + log_offset.
struct RowScale {
    float max;
    float scale;
    float log_offset;
};

struct PairMix {
    double js_sum = 0.0;        // sum of p log(p/m) + q log(q/m), m = (p + q) / 2
    double abs_diff_sum = 0.0;  // sum of |q - p|
    float max_abs_diff = 0.0f;  // max of |q - p|
};

// Second pass over a pair: the sums above and, when top is given, the top-k
// entries by |q - p| (key |q - p|, value q - p).
void mix_pair(const float* xp, const float* xq, std::size_t n, RowScale p_scale, RowScale q_scale, TopK* top,
              PairMix& out) noexcept;

// How many input values the four kernels above have read since the program
// started (a pair kernel reads two per position), process-wide: how the
// tests count the engine's passes over its data.
std::uint64_t values_read() noexcept;

// The vector exp and log of the kernels in use, one value at a time, for
// tests: exp for x <= 0 (0 below -87.3, NaN for NaN), log for positive
// normal x.
float kernel_exp(float x) noexcept;
float kernel_log(float x) noexcept;

// The kernels above are built twice on x86-64: `baseline` (4-float vectors,
// SSE2, any x86-64 CPU; the only build elsewhere) and `x86_64_v3` (8-float
// vectors with AVX2 and FMA, Haswell and later). The first call picks the
// fastest build the CPU runs.
enum class KernelBuild { baseline, x86_64_v3 };

// The build the kernels run.
KernelBuild kernel_build() noexcept;

// Makes every later call run `build`, so that tests and measurements reach
// the build this CPU would not pick. Returns false, changing nothing, when
// this CPU or this compilation cannot run it.
bool use_kernel_build(KernelBuild build) noexcept;

}  // namespace trajplot::lens
