#include "lens_kernel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

// The kernels are written once, as templates over the width of the
// compiler's generic vectors, and compiled into one plain function per build
// (lens_kernel.hpp): with 16-byte vectors for the baseline, which every
// x86-64 CPU runs as single SSE2 instructions, and on x86-64 with 32-byte
// vectors in functions compiled for AVX2 and FMA. (32-byte vectors in
// baseline code are what GCC splits into pairs of SSE operations, spilling
// them to memory: several times slower than 16-byte vectors.)
//
// The build is picked on the first call and kept as a pointer; no ifunc
// resolver (target_clones) is involved. Resolvers run while the program is
// being relocated, where GCC's ThreadSanitizer instrumentation crashes; a
// pointer works with every compiler and sanitizer.
//
// The builds are named by the instruction sets they use, "avx2,fma", not by
// "arch=x86-64-v3": GCC inlines the (untargeted) vector helpers below only
// into functions built for the same arch, so naming an arch would stop them
// from being inlined.
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target)
#define TRAJPLOT_X86_64_V3 __attribute__((target("avx2,fma")))
#endif
#endif
#define TRAJPLOT_ALWAYS_INLINE inline __attribute__((always_inline))
// Before the loops over the few vectors of one step: unrolled, their
// vectors stay in registers and their steps interleave; -O2 would not unroll
// them all.
#define TRAJPLOT_UNROLL _Pragma("GCC unroll 16")

// Every function taking or returning 32-byte vectors is inlined into one
// built with AVX, so the ABI of passing them without AVX, which compilers
// warn about, never applies.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace trajplot::lens {
namespace {

// Rows are reduced in chunks of this many floats: sums run in float within a
// chunk (8 or 16 terms per lane) and in double across chunks, which keeps the
// relative error of a 50k-long sum near 1e-7; the max, and so the rescaling
// of the sums, and the top-k check are done per chunk.
constexpr std::size_t chunk = 64;

// How many vectors the kernels' exp and log evaluate at once (see
// exp_nonpositive): 8 of one row, or 4 of each of two rows. Fewer leave the
// CPU's units idle, more run out of registers: these were the fastest with
// both vector widths (on a Zen 3, with GCC 12).
constexpr std::size_t single_row_group = 8;
constexpr std::size_t row_pair_group = 4;

constexpr float negative_infinity = -std::numeric_limits<float>::infinity();
// exp(x) is below the smallest normal float under this; such terms are 0.
constexpr float exp_lowest_argument = -87.3f;

// The vector types of each width. They are spelled out per width because
// GCC does not apply a vector_size that depends on a template argument.
template <std::size_t Bytes>
struct VectorTypes;
template <>
struct VectorTypes<16> {
    typedef float Float __attribute__((vector_size(16)));
    typedef std::int32_t Int __attribute__((vector_size(16)));
    typedef float HalfFloat __attribute__((vector_size(8)));
    typedef double Double __attribute__((vector_size(16)));  // half as many lanes as Float
};
template <>
struct VectorTypes<32> {
    typedef float Float __attribute__((vector_size(32)));
    typedef std::int32_t Int __attribute__((vector_size(32)));
    typedef float HalfFloat __attribute__((vector_size(16)));
    typedef double Double __attribute__((vector_size(32)));
};

// Vectors of `Bytes` bytes and the operations of the kernels on them. Every
// member is always inlined, so that it is compiled for the build that uses it.
template <std::size_t Bytes>
struct Vectors {
    using Float = typename VectorTypes<Bytes>::Float;
    using Int = typename VectorTypes<Bytes>::Int;
    using HalfFloat = typename VectorTypes<Bytes>::HalfFloat;
    using Double = typename VectorTypes<Bytes>::Double;
    static constexpr std::size_t lanes = Bytes / sizeof(float);
    static_assert(chunk % (single_row_group * lanes) == 0 && chunk % (row_pair_group * lanes) == 0,
                  "the kernels' steps divide a chunk");

    TRAJPLOT_ALWAYS_INLINE static Float splat(float value) { return Float{} + value; }
    TRAJPLOT_ALWAYS_INLINE static Int splat_int(std::int32_t value) { return Int{} + value; }
    TRAJPLOT_ALWAYS_INLINE static Float load(const float* from) {
        Float result;
        std::memcpy(&result, from, sizeof result);
        return result;
    }
    TRAJPLOT_ALWAYS_INLINE static void store(float* to, const Float& value) { std::memcpy(to, &value, sizeof value); }
    TRAJPLOT_ALWAYS_INLINE static Float select(const Int& mask, const Float& if_true, const Float& if_false) {
        return mask ? if_true : if_false;
    }
    // b where either is NaN: what one maxps computes, and compilers emit it.
    TRAJPLOT_ALWAYS_INLINE static Float maximum(const Float& a, const Float& b) { return a > b ? a : b; }
    TRAJPLOT_ALWAYS_INLINE static Float absolute(const Float& value) {
        return (Float)((Int)value & splat_int(0x7fffffff));
    }

    TRAJPLOT_ALWAYS_INLINE static float horizontal_max(const Float& value) {
        typedef float Quad __attribute__((vector_size(16)));
        Quad quad;
        if constexpr (lanes == 8) {
            const Quad low = __builtin_shufflevector(value, value, 0, 1, 2, 3);
            const Quad high = __builtin_shufflevector(value, value, 4, 5, 6, 7);
            quad = low > high ? low : high;
        } else {
            quad = value;
        }
        const Quad swapped_pairs = __builtin_shufflevector(quad, quad, 2, 3, 0, 1);
        quad = quad > swapped_pairs ? quad : swapped_pairs;
        const Quad swapped = __builtin_shufflevector(quad, quad, 1, 0, 3, 2);
        quad = quad > swapped ? quad : swapped;
        return quad[0];
    }

    // The lanes of `value` added in pairs (in float), as doubles: how a
    // chunk's float sums join the double sums of the row, without a
    // horizontal sum per chunk.
    TRAJPLOT_ALWAYS_INLINE static Double widen(const Float& value) {
        HalfFloat half;
        if constexpr (lanes == 8) {
            half =
                __builtin_shufflevector(value, value, 0, 1, 2, 3) + __builtin_shufflevector(value, value, 4, 5, 6, 7);
        } else {
            half = __builtin_shufflevector(value, value, 0, 1) + __builtin_shufflevector(value, value, 2, 3);
        }
        return __builtin_convertvector(half, Double);
    }

    TRAJPLOT_ALWAYS_INLINE static double horizontal_sum(const Double& value) {
        double result = 0.0;
        for (std::size_t i = 0; i < lanes / 2; ++i) result += value[i];
        return result;
    }

    struct Exp {
        Float value;
        // The argument, raised to exp_lowest_argument where it is below: where
        // value is 0, value * argument is 0, also for an argument of -inf.
        Float argument;
    };

    // exp and log evaluate K vectors at once, step by step. Each evaluation
    // is a chain of about 15 dependent operations; interleaving K of them
    // puts independent operations next to each other, which the CPU then
    // runs in parallel (a single chain leaves most of its units idle).

    // poly = poly * x + coefficient, for each of K vectors.
    template <std::size_t K>
    TRAJPLOT_ALWAYS_INLINE static void horner_step(Float (&poly)[K], const Float (&x)[K], float coefficient) {
        TRAJPLOT_UNROLL
        for (std::size_t k = 0; k < K; ++k) poly[k] = poly[k] * x[k] + splat(coefficient);
    }

    // exp(x) for x <= 0, 0 below exp_lowest_argument (and for -inf), NaN for
    // NaN. Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then Cephes's
    // degree-7 polynomial for exp(r) (about 1 ulp) and 2^n built in the
    // exponent bits. Branch-free.
    template <std::size_t K>
    TRAJPLOT_ALWAYS_INLINE static void exp_nonpositive(const Float (&argument)[K], Exp (&result)[K]) {
        // Adding 1.5 * 2^23 rounds to an integer, which then sits in the low bits.
        const float round_magic = 12582912.0f;
        Float x[K], n[K], r[K], poly[K];
        Int n_int[K];
        TRAJPLOT_UNROLL
        for (std::size_t k = 0; k < K; ++k) {
            x[k] = select(argument[k] < splat(exp_lowest_argument), splat(exp_lowest_argument), argument[k]);
            const Float shifted = x[k] * splat(1.44269504088896341f) + splat(round_magic);
            n[k] = shifted - splat(round_magic);
            n_int[k] = (Int)shifted - (Int)splat(round_magic);
            r[k] = (x[k] - n[k] * splat(0.693359375f)) - n[k] * splat(-2.12194440e-4f);
            poly[k] = splat(1.9875691500e-4f);
        }
        horner_step(poly, r, 1.3981999507e-3f);
        horner_step(poly, r, 8.3334519073e-3f);
        horner_step(poly, r, 4.1665795894e-2f);
        horner_step(poly, r, 1.6666665459e-1f);
        horner_step(poly, r, 5.0000001201e-1f);
        TRAJPLOT_UNROLL
        for (std::size_t k = 0; k < K; ++k) {
            poly[k] = poly[k] * (r[k] * r[k]) + r[k] + splat(1.0f);
            const Float power_of_two = (Float)((n_int[k] + 127) << 23);  // n >= -126: a normal float
            result[k] = {select(argument[k] < splat(exp_lowest_argument), splat(0.0f), poly[k] * power_of_two), x[k]};
        }
    }

    // log(x) for positive normal x: x = 2^e * m with m in [sqrt(1/2),
    // sqrt(2)), then Cephes's polynomial for log(m) (about 1 ulp).
    // Branch-free.
    template <std::size_t K>
    TRAJPLOT_ALWAYS_INLINE static void log_positive(const Float (&x)[K], Float (&result)[K]) {
        Float e[K], f[K], poly[K];
        TRAJPLOT_UNROLL
        for (std::size_t k = 0; k < K; ++k) {
            const Int bits = (Int)x[k];
            const Int exponent = ((bits >> 23) & splat_int(0xff)) - splat_int(127);
            const Float mantissa = (Float)((bits & splat_int(0x007fffff)) | splat_int(0x3f800000));  // [1, 2)
            const Int above_sqrt2 = mantissa > splat(1.41421356237f);
            f[k] = select(above_sqrt2, mantissa * splat(0.5f), mantissa) - splat(1.0f);
            e[k] = __builtin_convertvector(exponent - above_sqrt2, Float);  // the mask is -1 where true
            poly[k] = splat(7.0376836292e-2f);
        }
        horner_step(poly, f, -1.1514610310e-1f);
        horner_step(poly, f, 1.1676998740e-1f);
        horner_step(poly, f, -1.2420140846e-1f);
        horner_step(poly, f, 1.4249322787e-1f);
        horner_step(poly, f, -1.6668057665e-1f);
        horner_step(poly, f, 2.0000714765e-1f);
        horner_step(poly, f, -2.4999993993e-1f);
        horner_step(poly, f, 3.3333331174e-1f);
        TRAJPLOT_UNROLL
        for (std::size_t k = 0; k < K; ++k) {
            const Float f2 = f[k] * f[k];
            Float y = poly[k] * f[k] * f2;
            y = y + e[k] * splat(-2.12194440e-4f);
            y = y - splat(0.5f) * f2;
            result[k] = f[k] + y + e[k] * splat(0.693359375f);
        }
    }
};

// Copies the last, partial chunk of a row into `buffer`, padded with `fill`.
TRAJPLOT_ALWAYS_INLINE const float* padded_chunk(const float* from, std::size_t count, float fill, float* buffer) {
    std::copy(from, from + count, buffer);
    std::fill(buffer + count, buffer + chunk, fill);
    return buffer;
}

// Sums of exp(x - running_max), and sums of such terms times a difference
// that does not depend on the max, re-expressed relative to a new max.
template <class V>
TRAJPLOT_ALWAYS_INLINE void raise_max(float new_max, float& running_max, typename V::Double& sum,
                                      typename V::Double& cross) {
    if (!(new_max > running_max)) return;
    if (running_max != negative_infinity) {
        const double factor = std::exp(static_cast<double>(running_max) - static_cast<double>(new_max));
        sum *= factor;
        cross *= factor;
    }
    running_max = new_max;
}

template <class V>
TRAJPLOT_ALWAYS_INLINE void summarize_row_body(const float* x, std::size_t n, float rank_value, const float* weights,
                                               TopK* top, RowSummary& out) {
    using Float = typename V::Float;
    using Int = typename V::Int;
    using Double = typename V::Double;
    float running_max = negative_infinity;
    Double sum_exp{};
    Double sum_exp_shifted{};
    Double sum_weighted{};
    Int greater{};
    const Float rank_vector = V::splat(rank_value);
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
        Float chunk_max_vector = V::splat(negative_infinity);
        for (std::size_t j = 0; j < chunk; j += V::lanes) {
            const Float v = V::load(xs + j);
            chunk_max_vector = V::maximum(chunk_max_vector, v);
            greater -= v > rank_vector;  // true is -1
        }
        const float chunk_max = V::horizontal_max(chunk_max_vector);
        // Most chunks of a long row hold nothing better than the k-th best.
        if (top && (!top->full() || chunk_max > top->threshold())) {
            for (std::size_t i = 0; i < count; ++i) {
                top->offer(xs[i], xs[i], static_cast<std::uint32_t>(begin + i));
            }
        }
        if (ws) {
            Float weighted = V::splat(0.0f);
            for (std::size_t j = 0; j < chunk; j += V::lanes) {
                const Float w = V::load(ws + j);
                // w * -inf is NaN where w is 0.
                weighted += V::select(w > V::splat(0.0f), w * V::load(xs + j), V::splat(0.0f));
            }
            sum_weighted += V::widen(weighted);
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
        const Float max_vector = V::splat(running_max);
        Float exp_sum = V::splat(0.0f);
        Float exp_shifted_sum = V::splat(0.0f);
        constexpr std::size_t group = single_row_group;
        for (std::size_t j = 0; j < chunk; j += group * V::lanes) {
            Float shifted[group];
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) shifted[g] = V::load(xs + j + g * V::lanes) - max_vector;
            typename V::Exp e[group];
            V::exp_nonpositive(shifted, e);
            TRAJPLOT_UNROLL
            for (const typename V::Exp& one : e) {
                exp_sum += one.value;
                exp_shifted_sum += one.value * one.argument;
            }
        }
        sum_exp += V::widen(exp_sum);
        sum_exp_shifted += V::widen(exp_shifted_sum);
    }
    std::uint64_t count_greater = 0;
    for (std::size_t i = 0; i < V::lanes; ++i) count_greater += static_cast<std::uint32_t>(greater[i]);
    out.max = running_max;
    out.sum_exp = V::horizontal_sum(sum_exp);
    out.sum_exp_shifted = V::horizontal_sum(sum_exp_shifted);
    out.sum_weighted = V::horizontal_sum(sum_weighted);
    out.count_greater = count_greater;
}

template <class V>
TRAJPLOT_ALWAYS_INLINE ProbabilitySums write_probabilities_body(const float* x, std::size_t n, float max, float scale,
                                                                float* p) {
    using Float = typename V::Float;
    using Double = typename V::Double;
    Double sum_p{};
    Double sum_p_x{};
    const Float max_vector = V::splat(max);
    const Float scale_vector = V::splat(scale);
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
        Float p_sum = V::splat(0.0f);
        Float p_x_sum = V::splat(0.0f);
        constexpr std::size_t group = single_row_group;
        for (std::size_t j = 0; j < chunk; j += group * V::lanes) {
            Float v[group], shifted[group];
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                v[g] = V::load(xs + j + g * V::lanes);
                shifted[g] = v[g] - max_vector;
            }
            typename V::Exp e[group];
            V::exp_nonpositive(shifted, e);
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                const Float probability = e[g].value * scale_vector;
                V::store(ps + j + g * V::lanes, probability);
                p_sum += probability;
                p_x_sum += V::select(probability > V::splat(0.0f), probability * v[g], V::splat(0.0f));
            }
        }
        if (count < chunk) std::copy(p_tail, p_tail + count, p + begin);
        sum_p += V::widen(p_sum);
        sum_p_x += V::widen(p_x_sum);
    }
    return {V::horizontal_sum(sum_p), V::horizontal_sum(sum_p_x)};
}

template <class V>
TRAJPLOT_ALWAYS_INLINE void summarize_pair_body(const float* xp, const float* xq, std::size_t n, PairSummary& out) {
    using Float = typename V::Float;
    using Double = typename V::Double;
    float max_p = negative_infinity;
    float max_q = negative_infinity;
    Double sum_p{}, sum_q{}, cross_p{}, cross_q{};
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
        Float chunk_max_p = V::splat(negative_infinity);
        Float chunk_max_q = V::splat(negative_infinity);
        for (std::size_t j = 0; j < chunk; j += V::lanes) {
            chunk_max_p = V::maximum(chunk_max_p, V::load(ps + j));
            chunk_max_q = V::maximum(chunk_max_q, V::load(qs + j));
        }
        // cross_* sum exp(x - max) times a difference that does not depend
        // on the max, so a new max only rescales them.
        raise_max<V>(V::horizontal_max(chunk_max_p), max_p, sum_p, cross_p);
        raise_max<V>(V::horizontal_max(chunk_max_q), max_q, sum_q, cross_q);
        const Float max_p_vector = V::splat(max_p);
        const Float max_q_vector = V::splat(max_q);
        Float exp_p = V::splat(0.0f), exp_q = V::splat(0.0f);
        Float cross_p_sum = V::splat(0.0f), cross_q_sum = V::splat(0.0f);
        constexpr std::size_t group = row_pair_group;
        for (std::size_t j = 0; j < chunk; j += group * V::lanes) {
            // p of each vector, then q of each.
            Float vp[group], vq[group], shifted[2 * group];
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                vp[g] = V::load(ps + j + g * V::lanes);
                vq[g] = V::load(qs + j + g * V::lanes);
                shifted[g] = vp[g] - max_p_vector;
                shifted[group + g] = vq[g] - max_q_vector;
            }
            typename V::Exp e[2 * group];
            V::exp_nonpositive(shifted, e);
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                const Float e_p = e[g].value;
                const Float e_q = e[group + g].value;
                const Float difference = vp[g] - vq[g];
                exp_p += e_p;
                exp_q += e_q;
                // The difference is NaN or infinite where either is -inf.
                cross_p_sum += V::select(e_p > V::splat(0.0f), e_p * difference, V::splat(0.0f));
                cross_q_sum += V::select(e_q > V::splat(0.0f), -(e_q * difference), V::splat(0.0f));
            }
        }
        // With a max of -inf, x - max is NaN: nothing of that row has mass yet.
        if (max_p != negative_infinity) {
            sum_p += V::widen(exp_p);
            cross_p += V::widen(cross_p_sum);
        }
        if (max_q != negative_infinity) {
            sum_q += V::widen(exp_q);
            cross_q += V::widen(cross_q_sum);
        }
    }
    out.max_p = max_p;
    out.max_q = max_q;
    out.sum_exp_p = V::horizontal_sum(sum_p);
    out.sum_exp_q = V::horizontal_sum(sum_q);
    out.cross_p = V::horizontal_sum(cross_p);
    out.cross_q = V::horizontal_sum(cross_q);
}

template <class V>
TRAJPLOT_ALWAYS_INLINE void mix_pair_body(const float* xp, const float* xq, std::size_t n, RowScale p_scale,
                                          RowScale q_scale, TopK* top, PairMix& out) {
    using Float = typename V::Float;
    using Double = typename V::Double;
    Double js_sum{};
    Double abs_diff_sum{};
    Float max_abs = V::splat(0.0f);
    float p_tail[chunk];
    float q_tail[chunk];
    float deltas[chunk];
    const Float smallest_normal = V::splat(std::numeric_limits<float>::min());
    const Float p_max = V::splat(p_scale.max), q_max = V::splat(q_scale.max);
    const Float p_factor = V::splat(p_scale.scale), q_factor = V::splat(q_scale.scale);
    const Float p_log_offset = V::splat(p_scale.log_offset), q_log_offset = V::splat(q_scale.log_offset);
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        const float* ps = xp + begin;
        const float* qs = xq + begin;
        if (count < chunk) {
            ps = padded_chunk(ps, count, negative_infinity, p_tail);
            qs = padded_chunk(qs, count, negative_infinity, q_tail);
        }
        Float js = V::splat(0.0f);
        Float abs_sum = V::splat(0.0f);
        Float chunk_max_abs = V::splat(0.0f);
        constexpr std::size_t group = row_pair_group;
        for (std::size_t j = 0; j < chunk; j += group * V::lanes) {
            // p of each vector, then q of each.
            Float shifted[2 * group];
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                shifted[g] = V::load(ps + j + g * V::lanes) - p_max;
                shifted[group + g] = V::load(qs + j + g * V::lanes) - q_max;
            }
            typename V::Exp e[2 * group];
            V::exp_nonpositive(shifted, e);
            Float p[group], q[group], mixture[group], log_mixture[group];
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                p[g] = e[g].value * p_factor;
                q[g] = e[group + g].value * q_factor;
                // Where both are 0 the mixture is too, and neither term counts.
                mixture[g] = V::maximum((p[g] + q[g]) * V::splat(0.5f), smallest_normal);
            }
            V::log_positive(mixture, log_mixture);
            TRAJPLOT_UNROLL
            for (std::size_t g = 0; g < group; ++g) {
                // log p = (x - max) + log_offset; where p is 0, the clamped
                // argument keeps the term 0 rather than 0 * -inf.
                const Float log_p = e[g].argument + p_log_offset;
                const Float log_q = e[group + g].argument + q_log_offset;
                js += p[g] * (log_p - log_mixture[g]) + q[g] * (log_q - log_mixture[g]);
                const Float delta = q[g] - p[g];
                const Float abs_delta = V::absolute(delta);
                abs_sum += abs_delta;
                chunk_max_abs = V::maximum(chunk_max_abs, abs_delta);
                V::store(deltas + j + g * V::lanes, delta);
            }
        }
        js_sum += V::widen(js);
        abs_diff_sum += V::widen(abs_sum);
        max_abs = V::maximum(max_abs, chunk_max_abs);
        if (top && (!top->full() || V::horizontal_max(chunk_max_abs) > top->threshold())) {
            for (std::size_t i = 0; i < count; ++i) {
                top->offer(std::fabs(deltas[i]), deltas[i], static_cast<std::uint32_t>(begin + i));
            }
        }
    }
    out.js_sum = V::horizontal_sum(js_sum);
    out.abs_diff_sum = V::horizontal_sum(abs_diff_sum);
    out.max_abs_diff = V::horizontal_max(max_abs);
}

// One value through the vector exp and log.
template <class V>
TRAJPLOT_ALWAYS_INLINE float exp_body(float x) {
    const typename V::Float argument[1] = {V::splat(x)};
    typename V::Exp result[1];
    V::exp_nonpositive(argument, result);
    return result[0].value[0];
}
template <class V>
TRAJPLOT_ALWAYS_INLINE float log_body(float x) {
    const typename V::Float argument[1] = {V::splat(x)};
    typename V::Float result[1];
    V::log_positive(argument, result);
    return result[0][0];
}

// The entry points of one build.
struct KernelTable {
    void (*summarize_row)(const float*, std::size_t, float, const float*, TopK*, RowSummary&) noexcept;
    ProbabilitySums (*write_probabilities)(const float*, std::size_t, float, float, float*) noexcept;
    void (*summarize_pair)(const float*, const float*, std::size_t, PairSummary&) noexcept;
    void (*mix_pair)(const float*, const float*, std::size_t, RowScale, RowScale, TopK*, PairMix&) noexcept;
    float (*exp)(float) noexcept;
    float (*log)(float) noexcept;
};

// A build: every kernel compiled with `Attributes` for vectors of `Bytes`.
#define TRAJPLOT_LENS_KERNEL_BUILD(Name, Attributes, Bytes)                                                          \
    struct Name {                                                                                                    \
        using V = Vectors<Bytes>;                                                                                    \
        Attributes static void summarize_row(const float* x, std::size_t n, float rank_value, const float* weights,  \
                                             TopK* top, RowSummary& out) noexcept {                                  \
            summarize_row_body<V>(x, n, rank_value, weights, top, out);                                              \
        }                                                                                                            \
        Attributes static ProbabilitySums write_probabilities(const float* x, std::size_t n, float max, float scale, \
                                                              float* p) noexcept {                                   \
            return write_probabilities_body<V>(x, n, max, scale, p);                                                 \
        }                                                                                                            \
        Attributes static void summarize_pair(const float* xp, const float* xq, std::size_t n,                       \
                                              PairSummary& out) noexcept {                                           \
            summarize_pair_body<V>(xp, xq, n, out);                                                                  \
        }                                                                                                            \
        Attributes static void mix_pair(const float* xp, const float* xq, std::size_t n, RowScale p_scale,           \
                                        RowScale q_scale, TopK* top, PairMix& out) noexcept {                        \
            mix_pair_body<V>(xp, xq, n, p_scale, q_scale, top, out);                                                 \
        }                                                                                                            \
        Attributes static float exp(float x) noexcept { return exp_body<V>(x); }                                     \
        Attributes static float log(float x) noexcept { return log_body<V>(x); }                                     \
        static constexpr KernelTable table{                                                                          \
            &summarize_row, &write_probabilities, &summarize_pair, &mix_pair, &exp, &log};                           \
    }

TRAJPLOT_LENS_KERNEL_BUILD(BaselineKernels, , 16);
#ifdef TRAJPLOT_X86_64_V3
TRAJPLOT_LENS_KERNEL_BUILD(X86_64_V3Kernels, TRAJPLOT_X86_64_V3, 32);
#endif

bool cpu_runs(KernelBuild build) noexcept {
    switch (build) {
        case KernelBuild::baseline: return true;
        case KernelBuild::x86_64_v3:
#ifdef TRAJPLOT_X86_64_V3
            // Also false where the operating system does not save the AVX
            // registers: the compiler's runtime checks that too.
            __builtin_cpu_init();
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
            return false;
#endif
    }
    return false;
}

const KernelTable* table_of(KernelBuild build) noexcept {
#ifdef TRAJPLOT_X86_64_V3
    if (build == KernelBuild::x86_64_v3) return &X86_64_V3Kernels::table;
#endif
    (void)build;
    return &BaselineKernels::table;
}

// Null until the first call picks a build (or use_kernel_build does).
std::atomic<const KernelTable*> active_table{nullptr};

const KernelTable& kernels() noexcept {
    const KernelTable* table = active_table.load(std::memory_order_acquire);
    if (table) [[likely]]
        return *table;
    const KernelTable* fastest =
        table_of(cpu_runs(KernelBuild::x86_64_v3) ? KernelBuild::x86_64_v3 : KernelBuild::baseline);
    // Another thread may have picked, or a test chosen, meanwhile: that stays.
    if (active_table.compare_exchange_strong(table, fastest, std::memory_order_acq_rel)) return *fastest;
    return *table;
}

// Input values the kernels have read (weights and outputs not counted): one
// relaxed add per row of ~50k values costs nothing measurable.
std::atomic<std::uint64_t> input_values_read{0};

void count_read(std::size_t values) noexcept { input_values_read.fetch_add(values, std::memory_order_relaxed); }

}  // namespace

void summarize_row(const float* x, std::size_t n, float rank_value, const float* weights, TopK* top,
                   RowSummary& out) noexcept {
    count_read(n);
    kernels().summarize_row(x, n, rank_value, weights, top, out);
}

ProbabilitySums write_probabilities(const float* x, std::size_t n, float max, float scale, float* p) noexcept {
    count_read(n);
    return kernels().write_probabilities(x, n, max, scale, p);
}

void summarize_pair(const float* xp, const float* xq, std::size_t n, PairSummary& out) noexcept {
    count_read(2 * n);
    kernels().summarize_pair(xp, xq, n, out);
}

void mix_pair(const float* xp, const float* xq, std::size_t n, RowScale p_scale, RowScale q_scale, TopK* top,
              PairMix& out) noexcept {
    count_read(2 * n);
    kernels().mix_pair(xp, xq, n, p_scale, q_scale, top, out);
}

std::uint64_t values_read() noexcept { return input_values_read.load(std::memory_order_relaxed); }

float kernel_exp(float x) noexcept { return kernels().exp(x); }
float kernel_log(float x) noexcept { return kernels().log(x); }

KernelBuild kernel_build() noexcept {
    return &kernels() == table_of(KernelBuild::baseline) ? KernelBuild::baseline : KernelBuild::x86_64_v3;
}

bool use_kernel_build(KernelBuild build) noexcept {
    if (!cpu_runs(build)) return false;
    active_table.store(table_of(build), std::memory_order_release);
    return true;
}

}  // namespace trajplot::lens
