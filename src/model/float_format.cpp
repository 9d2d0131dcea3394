// Shortest round-trip formatting of floats after R. Giulietti's
// "The Schubfach way to render doubles" (2020), specialised to binary32:
// the value's rounding interval is scaled by one 64-bit power of ten and
// the shortest decimal inside it is read off with integer comparisons.
// tests/core/test_float_format.cpp compares it with std::to_chars on a
// sample, tests/core/float_format_exhaustive.cpp on every float.

#include "float_format.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace trajplot {
namespace {

#include "float_format_table.inc"

// A float is c * 2^q with c < 2^24: q_min is the exponent of subnormals,
// c_min the significand of a power of two.
constexpr int q_min = -149;
constexpr std::uint32_t c_min = std::uint32_t{1} << 23;

// Checked exactly over every float exponent by
// scripts/generate_float_table.py.
constexpr int floor_log10_pow2(int q) { return static_cast<int>((std::int64_t{q} * 661971961083) >> 41); }
constexpr int floor_log10_three_quarters_pow2(int q) {
    return static_cast<int>((std::int64_t{q} * 661971961083 - 274743187321) >> 41);
}
constexpr int floor_log2_pow10(int e) { return (e * 217706) >> 16; }

__extension__ typedef unsigned __int128 uint128;  // a GCC and Clang builtin

// 4 * x * 10^-k for x = cp * 2^(q-2), rounded to odd: the integer part,
// with its lowest bit set when a fraction is left. cp arrives shifted
// left so that the product's high word holds the integer part over 32
// bits of fraction. Only those 32 bits count as a fraction: the bits under
// them hold nothing but the table's rounding error.
std::uint32_t scaled_round_to_odd(std::uint64_t g, std::uint64_t shifted_cp) {
    const auto window = static_cast<std::uint64_t>((static_cast<uint128>(shifted_cp) * g) >> 64);
    return static_cast<std::uint32_t>(window >> 32) | ((window & 0xffffffffu) != 0 ? 1u : 0u);
}

struct Decimal {
    std::uint32_t digits;
    int exponent;  // value = digits * 10^exponent
};

Decimal shortest_decimal(std::uint32_t c, int q) {
    const std::uint32_t odd = c & 1;
    const std::uint64_t cb = std::uint64_t{c} << 2;
    const std::uint64_t cb_right = cb + 2;
    std::uint64_t cb_left = 0;
    int k = 0;
    // The gap below a power of two is half the gap above it.
    if (c != c_min || q == q_min) {
        cb_left = cb - 2;
        k = floor_log10_pow2(q);
    } else {
        cb_left = cb - 1;
        k = floor_log10_three_quarters_pow2(q);
    }
    const std::uint64_t g = pow10_significands[k - pow10_k_min];
    // g * 2^(q + floor(log2 10^-k) - 63) is 10^-k * 2^q; moving the point
    // 32 bits up and into the high word shifts by 33 + q + floor(log2 10^-k),
    // between 33 and 36, which leaves cb below 2^62.
    const int shift = 33 + q + floor_log2_pow10(-k);
    const std::uint32_t vb = scaled_round_to_odd(g, cb << shift);
    const std::uint32_t vb_left = scaled_round_to_odd(g, cb_left << shift);
    const std::uint32_t vb_right = scaled_round_to_odd(g, cb_right << shift);

    // One of the value's two neighbours at this precision lies in the
    // interval; if both do, take the nearer, the even one on a tie.
    const std::uint32_t s = vb >> 2;
    const std::uint32_t t = s + 1;
    const bool s_in = vb_left + odd <= s << 2;
    const bool t_in = (t << 2) + odd <= vb_right;
    const std::int64_t versus_middle = std::int64_t{vb} - std::int64_t{(s + t) << 1};
    // Bitwise rather than logical operators throughout: GCC turns && and
    // ?: here into branches, which random data mispredicts half the time.
    const bool s_nearer = (versus_middle < 0) | ((versus_middle == 0) & ((s & 1) == 0));
    const bool take_s = (s_in != t_in) ? s_in : s_nearer;
    // The interval is narrower than ten units of 10^k, so at most one
    // multiple of ten lies in it; if one does, it is the shortest.
    const std::uint32_t tens = s / 10;
    const bool tens_in = vb_left + odd <= tens * 40;
    const bool next_tens_in = (tens + 1) * 40 + odd <= vb_right;
    const bool shorter = (tens != 0) & (tens_in != next_tens_in);
    const std::uint32_t shorter_digits = tens + (tens_in ? 0 : 1);
    const std::uint32_t nearest_digits = t - (take_s ? 1 : 0);
    const std::uint32_t shorter_mask = 0u - static_cast<std::uint32_t>(shorter);
    return {(shorter_digits & shorter_mask) | (nearest_digits & ~shorter_mask), k + (shorter ? 1 : 0)};
}

constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr std::uint32_t powers_of_ten[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

// Digits of 0 < value < 10^9: log10 estimated from the bit length
// (1233 / 4096 ~ log10 2), corrected by one comparison.
int digit_count(std::uint32_t value) {
    const int estimate = (std::bit_width(value) * 1233) >> 12;
    return estimate + (value >= powers_of_ten[estimate] ? 1 : 0);
}

// Writes value's count digits ending just before end, two at a time.
void write_digits_backwards(char* end, std::uint64_t value, int count) {
    for (; count >= 2; count -= 2) {
        end -= 2;
        std::memcpy(end, digit_pairs + 2 * (value % 100), 2);
        value /= 100;
    }
    if (count == 1) end[-1] = static_cast<char>('0' + value);
}

// The digits are built as ASCII inside one integer whose memory order is
// the text's: byte i holds digit i. Writing them is then a few whole-word
// stores, and dropping leading digits is a shift.
static_assert(std::endian::native == std::endian::little, "digit words are laid out little-endian");

// Eight ASCII digits of value < 10^8, zero-padded, by splitting all lanes
// of the word at once: 4 + 4 digits in 32-bit lanes, 2 + 2 in 16-bit
// lanes, 1 + 1 in bytes. x * 10486 >> 20 is x / 100 for x < 10^4, and
// x * 103 >> 10 is x / 10 for x < 100; no lane overflows into the next.
std::uint64_t eight_ascii_digits(std::uint32_t value) {
    const std::uint32_t high_four = value / 10000;
    std::uint64_t lanes = high_four | (std::uint64_t{value - high_four * 10000} << 32);
    const std::uint64_t hundreds = ((lanes * 10486) >> 20) & 0x0000007f0000007fu;
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    const std::uint64_t tens = ((lanes * 103) >> 10) & 0x000f000f000f000fu;
    lanes = tens | ((lanes - tens * 10) << 8);
    return lanes | 0x3030303030303030u;
}

// The count significant digits of 0 < value < 10^9, in bytes 0 to count-1.
uint128 ascii_digits(std::uint32_t value, int count) {
    const std::uint32_t first = value / 100000000;
    const uint128 nine = (static_cast<uint128>(eight_ascii_digits(value - first * 100000000)) << 8) |
                         static_cast<unsigned char>('0' + first);
    return nine >> (8 * (9 - count));
}

// Stores all 16 bytes: callers leave room (shortest_float_buffer_size)
// and overwrite or ignore what lies past the text.
void store(char* out, uint128 bytes) { std::memcpy(out, &bytes, sizeof bytes); }

char* write_scientific(char* out, uint128 digits, int count, int scientific_exponent) {
    out[0] = static_cast<char>(digits);
    out[1] = '.';
    store(out + 2, digits >> 8);
    out += count > 1 ? count + 1 : 1;
    out[0] = 'e';
    out[1] = scientific_exponent < 0 ? '-' : '+';
    const int magnitude = scientific_exponent < 0 ? -scientific_exponent : scientific_exponent;
    std::memcpy(out + 2, digit_pairs + 2 * magnitude, 2);  // |exponent| <= 45 for a float
    return out + 4;
}

// Fixed notation of a value with a fraction: exponent < 0.
char* write_fixed_fraction(char* out, uint128 digits, int count, int exponent) {
    const int integer_digits = count + exponent;
    if (integer_digits > 0) {
        store(out, digits);
        out[integer_digits] = '.';
        store(out + integer_digits + 1, digits >> (8 * integer_digits));
        return out + count + 1;
    }
    std::memcpy(out, "0.000000", 8);
    const int zeros = -integer_digits;  // at most 3: fixed is no longer than scientific
    store(out + 2 + zeros, digits);
    return out + 2 + zeros + count;
}

}  // namespace

char* write_shortest(char* out, float value) noexcept {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    if (bits >> 31) *out++ = '-';
    const int biased_exponent = static_cast<int>((bits >> 23) & 0xff);
    const std::uint32_t fraction = bits & 0x7fffff;

    std::uint32_t c = fraction;
    int q = q_min;
    Decimal decimal{0, 0};
    if (biased_exponent != 0) {
        c = c_min | fraction;
        q = biased_exponent - 150;
        const int fraction_bits = -q;
        if (0 < fraction_bits && fraction_bits < 24 && (c & ((std::uint32_t{1} << fraction_bits) - 1)) == 0) {
            // Whole numbers below 2^24 are exact: their digits are the shortest.
            decimal = {c >> fraction_bits, 0};
        } else {
            decimal = shortest_decimal(c, q);
        }
    } else if (fraction == 0) {
        *out = '0';
        return out + 1;
    } else {
        decimal = shortest_decimal(fraction, q_min);
    }

    while (decimal.digits % 10 == 0) {
        decimal.digits /= 10;
        ++decimal.exponent;
    }
    const int count = digit_count(decimal.digits);
    const int scientific_exponent = decimal.exponent + count - 1;
    const int scientific_length = count + (count > 1 ? 1 : 0) + 4;
    int fixed_length = 0;
    if (decimal.exponent >= 0) {
        fixed_length = count + decimal.exponent;
    } else if (count > -decimal.exponent) {
        fixed_length = count + 1;
    } else {
        fixed_length = 2 - decimal.exponent;
    }
    if (fixed_length > scientific_length) {
        return write_scientific(out, ascii_digits(decimal.digits, count), count, scientific_exponent);
    }
    if (decimal.exponent < 0) {
        return write_fixed_fraction(out, ascii_digits(decimal.digits, count), count, decimal.exponent);
    }
    // A whole number: std::to_chars prints the float's own value rather than
    // the shortest digits padded with zeros (the two are equally long). Being
    // no longer than the scientific form, it has at most 14 digits.
    const std::uint64_t exact = q >= 0 ? std::uint64_t{c} << q : c >> -q;
    write_digits_backwards(out + fixed_length, exact, fixed_length);
    return out + fixed_length;
}

}  // namespace trajplot
