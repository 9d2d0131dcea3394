#include "lens_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

// The kernels are written with the compiler's generic vectors. With GCC they
// are 8 floats wide: baseline x86-64 runs them as pairs of SSE operations,
// and on x86-64 a second copy is built for Haswell-class CPUs (AVX2, FMA),
// chosen at load time. Clang refuses 32-byte vectors in functions built
// without AVX even when inlined, so with Clang they are 4 wide.
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones) && !defined(TRAJPLOT_NO_TARGET_CLONES)
#define TRAJPLOT_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef TRAJPLOT_HOT
#define TRAJPLOT_HOT
#endif
#define TRAJPLOT_ALWAYS_INLINE inline __attribute__((always_inline))

#if defined(__clang__)
#define TRAJPLOT_VECTOR_BYTES 16
#else
#define TRAJPLOT_VECTOR_BYTES 32
// The vector helpers below are always inlined, so the ABI of passing
// 32-byte vectors without AVX, which GCC warns about, never applies.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace trajplot::lens {
namespace {

typedef float f8 __attribute__((vector_size(TRAJPLOT_VECTOR_BYTES)));
typedef std::int32_t i8 __attribute__((vector_size(TRAJPLOT_VECTOR_BYTES)));
constexpr std::size_t lanes = TRAJPLOT_VECTOR_BYTES / sizeof(float);
// Sums run in float within a chunk (8 terms per lane) and in double across
// chunks, which keeps the relative error of a 50k-long sum near 1e-7.
constexpr std::size_t chunk = 64;
constexpr std::size_t vectors_per_chunk = chunk / lanes;

constexpr float negative_infinity = -std::numeric_limits<float>::infinity();
// exp(x) is below the smallest normal float under this; such terms are 0.
constexpr float exp_lowest_argument = -87.3f;

TRAJPLOT_ALWAYS_INLINE f8 splat(float value) { return f8{} + value; }
TRAJPLOT_ALWAYS_INLINE i8 splat_int(std::int32_t value) { return i8{} + value; }
TRAJPLOT_ALWAYS_INLINE f8 load(const float* from) {
    f8 result;
    std::memcpy(&result, from, sizeof result);
    return result;
}
TRAJPLOT_ALWAYS_INLINE void store(float* to, const f8& value) { std::memcpy(to, &value, sizeof value); }
TRAJPLOT_ALWAYS_INLINE f8 select(const i8& mask, const f8& if_true, const f8& if_false) {
    return (f8)(((i8)if_true & mask) | ((i8)if_false & ~mask));
}
TRAJPLOT_ALWAYS_INLINE f8 maximum(const f8& a, const f8& b) { return select(a > b, a, b); }
TRAJPLOT_ALWAYS_INLINE f8 absolute(const f8& value) { return (f8)((i8)value & splat_int(0x7fffffff)); }
TRAJPLOT_ALWAYS_INLINE float horizontal_max(const f8& value) {
    float result = value[0];
    for (std::size_t i = 1; i < lanes; ++i) result = value[i] > result ? value[i] : result;
    return result;
}
TRAJPLOT_ALWAYS_INLINE double horizontal_sum(const f8& value) {
    double result = 0.0;
    for (std::size_t i = 0; i < lanes; ++i) result += value[i];
    return result;
}

// exp(x) for x <= 0, 0 below exp_lowest_argument (and for -inf). Cody-Waite
// reduction x = n ln2 + r, |r| <= ln2/2, then Cephes's degree-7 polynomial
// for exp(r) (about 1 ulp) and 2^n built in the exponent bits. Branch-free.
TRAJPLOT_ALWAYS_INLINE f8 exp_nonpositive(const f8& argument) {
    const i8 underflows = argument < splat(exp_lowest_argument);
    const f8 x = maximum(argument, splat(exp_lowest_argument));
    // Adding 1.5 * 2^23 rounds to an integer, which then sits in the low bits.
    const float round_magic = 12582912.0f;
    const f8 shifted = x * splat(1.44269504088896341f) + splat(round_magic);
    const f8 n = shifted - splat(round_magic);
    const i8 n_int = (i8)shifted - (i8)splat(round_magic);
    const f8 r = (x - n * splat(0.693359375f)) - n * splat(-2.12194440e-4f);
    f8 poly = splat(1.9875691500e-4f);
    poly = poly * r + splat(1.3981999507e-3f);
    poly = poly * r + splat(8.3334519073e-3f);
    poly = poly * r + splat(4.1665795894e-2f);
    poly = poly * r + splat(1.6666665459e-1f);
    poly = poly * r + splat(5.0000001201e-1f);
    poly = poly * (r * r) + r + splat(1.0f);
    const f8 power_of_two = (f8)((n_int + 127) << 23);  // n >= -126: a normal float
    return select(underflows, splat(0.0f), poly * power_of_two);
}

// log(x) for positive normal x: x = 2^e * m with m in [sqrt(1/2), sqrt(2)),
// then Cephes's polynomial for log(m) (about 1 ulp). Branch-free.
TRAJPLOT_ALWAYS_INLINE f8 log_positive(const f8& x) {
    const i8 bits = (i8)x;
    i8 exponent = ((bits >> 23) & splat_int(0xff)) - splat_int(127);
    f8 mantissa = (f8)((bits & splat_int(0x007fffff)) | splat_int(0x3f800000));  // [1, 2)
    const i8 above_sqrt2 = mantissa > splat(1.41421356237f);
    mantissa = select(above_sqrt2, mantissa * splat(0.5f), mantissa);
    exponent = exponent - above_sqrt2;  // the mask is -1 where true
    const f8 f = mantissa - splat(1.0f);
    const f8 f2 = f * f;
    f8 poly = splat(7.0376836292e-2f);
    poly = poly * f + splat(-1.1514610310e-1f);
    poly = poly * f + splat(1.1676998740e-1f);
    poly = poly * f + splat(-1.2420140846e-1f);
    poly = poly * f + splat(1.4249322787e-1f);
    poly = poly * f + splat(-1.6668057665e-1f);
    poly = poly * f + splat(2.0000714765e-1f);
    poly = poly * f + splat(-2.4999993993e-1f);
    poly = poly * f + splat(3.3333331174e-1f);
    const f8 e = __builtin_convertvector(exponent, f8);
    f8 y = poly * f * f2;
    y = y + e * splat(-2.12194440e-4f);
    y = y - splat(0.5f) * f2;
    return f + y + e * splat(0.693359375f);
}

// Copies the last, partial chunk of a row into `buffer`, padded with `fill`.
const float* padded_chunk(const float* from, std::size_t count, float fill, float* buffer) {
    std::copy(from, from + count, buffer);
    std::fill(buffer + count, buffer + chunk, fill);
    return buffer;
}

}  // namespace

TRAJPLOT_HOT void summarize_row(const float* x, std::size_t n, float rank_value, const float* weights, TopK* top,
                                RowSummary& out) noexcept {
    float running_max = negative_infinity;
    double sum_exp = 0.0;
    double sum_exp_shifted = 0.0;
    double sum_weighted = 0.0;
    i8 greater = splat_int(0);
    float x_tail[chunk];
    float weight_tail[chunk];
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        const float* xs = x + begin;
        const float* ws = weights ? weights + begin : nullptr;
        if (count < chunk) {
            xs = padded_chunk(xs, count, negative_infinity, x_tail);
            if (ws) ws = padded_chunk(ws, count, 0.0f, weight_tail);
        }
        f8 v[vectors_per_chunk];
        f8 chunk_max_vector = splat(negative_infinity);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            v[j] = load(xs + j * lanes);
            chunk_max_vector = maximum(chunk_max_vector, v[j]);
            greater -= v[j] > splat(rank_value);  // true is -1
        }
        const float chunk_max = horizontal_max(chunk_max_vector);
        // Most chunks of a long row hold nothing better than the k-th best.
        if (top && (!top->full() || chunk_max > top->threshold())) {
            for (std::size_t i = 0; i < count; ++i) {
                top->offer(xs[i], xs[i], static_cast<std::uint32_t>(begin + i));
            }
        }
        if (ws) {
            f8 weighted = splat(0.0f);
            for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
                const f8 w = load(ws + j * lanes);
                weighted += select(w > splat(0.0f), w * v[j], splat(0.0f));
            }
            sum_weighted += horizontal_sum(weighted);
        }
        if (chunk_max > running_max) {
            if (running_max != negative_infinity) {
                // Re-express the sums relative to the new max.
                const double shift = static_cast<double>(running_max) - static_cast<double>(chunk_max);
                const double factor = std::exp(shift);
                sum_exp_shifted = factor * (sum_exp_shifted + shift * sum_exp);
                sum_exp *= factor;
            }
            running_max = chunk_max;
        }
        if (running_max == negative_infinity) continue;  // no probability mass yet
        const f8 max_vector = splat(running_max);
        f8 exp_sum = splat(0.0f);
        f8 exp_shifted_sum = splat(0.0f);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            const f8 shifted = v[j] - max_vector;
            const f8 e = exp_nonpositive(shifted);
            exp_sum += e;
            exp_shifted_sum += select(e > splat(0.0f), e * shifted, splat(0.0f));
        }
        sum_exp += horizontal_sum(exp_sum);
        sum_exp_shifted += horizontal_sum(exp_shifted_sum);
    }
    std::uint64_t count_greater = 0;
    for (std::size_t i = 0; i < lanes; ++i) count_greater += static_cast<std::uint32_t>(greater[i]);
    out.max = running_max;
    out.sum_exp = sum_exp;
    out.sum_exp_shifted = sum_exp_shifted;
    out.sum_weighted = sum_weighted;
    out.count_greater = count_greater;
}

TRAJPLOT_HOT ProbabilitySums write_probabilities(const float* x, std::size_t n, float max, float scale,
                                                 float* p) noexcept {
    ProbabilitySums sums;
    const f8 max_vector = splat(max);
    const f8 scale_vector = splat(scale);
    float x_tail[chunk];
    float p_tail[chunk];
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        const float* xs = x + begin;
        float* ps = p + begin;
        if (count < chunk) {
            xs = padded_chunk(xs, count, negative_infinity, x_tail);
            ps = p_tail;
        }
        f8 p_sum = splat(0.0f);
        f8 p_x_sum = splat(0.0f);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            const f8 v = load(xs + j * lanes);
            const f8 probability = exp_nonpositive(v - max_vector) * scale_vector;
            store(ps + j * lanes, probability);
            p_sum += probability;
            p_x_sum += select(probability > splat(0.0f), probability * v, splat(0.0f));
        }
        if (count < chunk) std::copy(p_tail, p_tail + count, p + begin);
        sums.sum_p += horizontal_sum(p_sum);
        sums.sum_p_x += horizontal_sum(p_x_sum);
    }
    return sums;
}

TRAJPLOT_HOT void summarize_pair(const float* xp, const float* xq, std::size_t n, PairSummary& out) noexcept {
    float max_p = negative_infinity;
    float max_q = negative_infinity;
    double sum_p = 0.0, sum_q = 0.0, cross_p = 0.0, cross_q = 0.0;
    float p_tail[chunk];
    float q_tail[chunk];
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        const float* ps = xp + begin;
        const float* qs = xq + begin;
        if (count < chunk) {
            ps = padded_chunk(ps, count, negative_infinity, p_tail);
            qs = padded_chunk(qs, count, negative_infinity, q_tail);
        }
        f8 vp[vectors_per_chunk];
        f8 vq[vectors_per_chunk];
        f8 chunk_max_p = splat(negative_infinity);
        f8 chunk_max_q = splat(negative_infinity);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            vp[j] = load(ps + j * lanes);
            vq[j] = load(qs + j * lanes);
            chunk_max_p = maximum(chunk_max_p, vp[j]);
            chunk_max_q = maximum(chunk_max_q, vq[j]);
        }
        // cross_* sum exp(x - max) times a difference that does not depend
        // on the max, so a new max only rescales them.
        const auto raise = [](float chunk_max, float& running_max, double& sum, double& cross) {
            if (!(chunk_max > running_max)) return;
            if (running_max != negative_infinity) {
                const double factor = std::exp(static_cast<double>(running_max) - static_cast<double>(chunk_max));
                sum *= factor;
                cross *= factor;
            }
            running_max = chunk_max;
        };
        raise(horizontal_max(chunk_max_p), max_p, sum_p, cross_p);
        raise(horizontal_max(chunk_max_q), max_q, sum_q, cross_q);
        f8 exp_p = splat(0.0f), exp_q = splat(0.0f), cross_p_sum = splat(0.0f), cross_q_sum = splat(0.0f);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            const f8 e_p = exp_nonpositive(vp[j] - splat(max_p));
            const f8 e_q = exp_nonpositive(vq[j] - splat(max_q));
            const f8 difference = vp[j] - vq[j];
            exp_p += e_p;
            exp_q += e_q;
            cross_p_sum += select(e_p > splat(0.0f), e_p * difference, splat(0.0f));
            cross_q_sum += select(e_q > splat(0.0f), -(e_q * difference), splat(0.0f));
        }
        // With a max of -inf, x - max is NaN: nothing of that row has mass yet.
        if (max_p != negative_infinity) {
            sum_p += horizontal_sum(exp_p);
            cross_p += horizontal_sum(cross_p_sum);
        }
        if (max_q != negative_infinity) {
            sum_q += horizontal_sum(exp_q);
            cross_q += horizontal_sum(cross_q_sum);
        }
    }
    out.max_p = max_p;
    out.max_q = max_q;
    out.sum_exp_p = sum_p;
    out.sum_exp_q = sum_q;
    out.cross_p = cross_p;
    out.cross_q = cross_q;
}

TRAJPLOT_HOT void mix_pair(const float* xp, const float* xq, std::size_t n, RowScale p_scale, RowScale q_scale,
                           TopK* top, PairMix& out) noexcept {
    double js_sum = 0.0;
    double abs_diff_sum = 0.0;
    f8 max_abs = splat(0.0f);
    float p_tail[chunk];
    float q_tail[chunk];
    float deltas[chunk];
    float abs_deltas[chunk];
    const f8 smallest_normal = splat(std::numeric_limits<float>::min());
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        const float* ps = xp + begin;
        const float* qs = xq + begin;
        if (count < chunk) {
            ps = padded_chunk(ps, count, negative_infinity, p_tail);
            qs = padded_chunk(qs, count, negative_infinity, q_tail);
        }
        f8 js = splat(0.0f);
        f8 abs_sum = splat(0.0f);
        f8 chunk_max_abs = splat(0.0f);
        for (std::size_t j = 0; j < vectors_per_chunk; ++j) {
            const f8 shifted_p = load(ps + j * lanes) - splat(p_scale.max);
            const f8 shifted_q = load(qs + j * lanes) - splat(q_scale.max);
            const f8 p = exp_nonpositive(shifted_p) * splat(p_scale.scale);
            const f8 q = exp_nonpositive(shifted_q) * splat(q_scale.scale);
            // Where both are 0 the mixture is too, and neither term counts.
            const f8 log_mixture = log_positive(maximum((p + q) * splat(0.5f), smallest_normal));
            const f8 log_p = shifted_p + splat(p_scale.log_offset);
            const f8 log_q = shifted_q + splat(q_scale.log_offset);
            js += select(p > splat(0.0f), p * (log_p - log_mixture), splat(0.0f)) +
                  select(q > splat(0.0f), q * (log_q - log_mixture), splat(0.0f));
            const f8 delta = q - p;
            const f8 abs_delta = absolute(delta);
            abs_sum += abs_delta;
            chunk_max_abs = maximum(chunk_max_abs, abs_delta);
            store(deltas + j * lanes, delta);
            store(abs_deltas + j * lanes, abs_delta);
        }
        js_sum += horizontal_sum(js);
        abs_diff_sum += horizontal_sum(abs_sum);
        max_abs = maximum(max_abs, chunk_max_abs);
        if (top && (!top->full() || horizontal_max(chunk_max_abs) > top->threshold())) {
            for (std::size_t i = 0; i < count; ++i) {
                top->offer(abs_deltas[i], deltas[i], static_cast<std::uint32_t>(begin + i));
            }
        }
    }
    out.js_sum = js_sum;
    out.abs_diff_sum = abs_diff_sum;
    out.max_abs_diff = horizontal_max(max_abs);
}

float kernel_exp(float x) noexcept { return exp_nonpositive(splat(x))[0]; }
float kernel_log(float x) noexcept { return log_positive(splat(x))[0]; }

}  // namespace trajplot::lens
