// write_shortest must write exactly what std::to_chars(float) writes. This
// checks every float class and a large spread of bit patterns;
// float_format_exhaustive checks all 2^32 of them (see README, Tests).
#include "float_format.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

std::string with_std(float value) {
    char buffer[64];
    return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

std::string with_trajplot(float value) {
    // Poisoned room, so a write past the returned end cannot pass as text.
    std::vector<char> buffer(trajplot::shortest_float_buffer_size, '#');
    const char* end = trajplot::write_shortest(buffer.data(), value);
    const char* begin = buffer.data();
    EXPECT_LE(end - buffer.data(), 15);
    return std::string(begin, end);
}

// Checks the value and its negation; returns how many differed.
int mismatches(std::uint32_t bits) {
    int failures = 0;
    for (const std::uint32_t pattern : {bits & 0x7fffffffu, bits | 0x80000000u}) {
        const float value = std::bit_cast<float>(pattern);
        if (!std::isfinite(value)) continue;
        const std::string expected = with_std(value);
        const std::string actual = with_trajplot(value);
        if (expected != actual) {
            ADD_FAILURE() << "bits 0x" << std::hex << pattern << ": std::to_chars wrote " << expected
                          << ", write_shortest " << actual;
            ++failures;
        }
    }
    return failures;
}

TEST(FloatFormat, KnownValues) {
    EXPECT_EQ(with_trajplot(0.0f), "0");
    EXPECT_EQ(with_trajplot(-0.0f), "-0");
    EXPECT_EQ(with_trajplot(1.0f), "1");
    EXPECT_EQ(with_trajplot(0.1f), "0.1");
    EXPECT_EQ(with_trajplot(-2.5f), "-2.5");
    EXPECT_EQ(with_trajplot(3.1415927f), "3.1415927");
    EXPECT_EQ(with_trajplot(1e-5f), "1e-05");
    EXPECT_EQ(with_trajplot(0.0001f), "1e-04") << "shorter than 0.0001";
    EXPECT_EQ(with_trajplot(0.001f), "0.001") << "as short as 1e-03: fixed wins the tie";
    EXPECT_EQ(with_trajplot(1e7f), "1e+07");
    // Whole numbers in fixed notation are the float's own value, not the
    // shortest digits padded with zeros ("123456790").
    EXPECT_EQ(with_trajplot(123456792.0f), "123456792");
    EXPECT_EQ(with_trajplot(16777216.0f), "16777216");
    EXPECT_EQ(with_trajplot(std::numeric_limits<float>::max()), "3.4028235e+38");
    EXPECT_EQ(with_trajplot(std::numeric_limits<float>::min()), "1.1754944e-38");
    EXPECT_EQ(with_trajplot(std::numeric_limits<float>::denorm_min()), "1e-45");
    EXPECT_EQ(with_trajplot(-std::numeric_limits<float>::max()), "-3.4028235e+38");
}

TEST(FloatFormat, MatchesStdOnEveryBinaryExponentBoundary) {
    int failures = 0;
    for (std::uint32_t exponent = 0; exponent < 255; ++exponent) {
        const std::uint32_t base = exponent << 23;
        for (const std::uint32_t fraction : {0u, 1u, 2u, 3u, 0x400000u, 0x7ffffdu, 0x7ffffeu, 0x7fffffu}) {
            failures += mismatches(base | fraction);
        }
    }
    EXPECT_EQ(failures, 0);
}

TEST(FloatFormat, MatchesStdOnSmallSubnormalsAndWholeNumbers) {
    int failures = 0;
    for (std::uint32_t bits = 1; bits < (1u << 16); ++bits) failures += mismatches(bits);
    // Every whole number up to 2^17 and those around 2^24, where the gap
    // between floats grows past 1.
    for (std::uint32_t n = 0; n <= (1u << 17); ++n) failures += mismatches(std::bit_cast<std::uint32_t>(float(n)));
    for (std::uint32_t n = (1u << 24) - 4096; n <= (1u << 24) + 4096; ++n) {
        failures += mismatches(std::bit_cast<std::uint32_t>(float(n)));
    }
    EXPECT_EQ(failures, 0);
}

TEST(FloatFormat, MatchesStdNearPowersOfTen) {
    int failures = 0;
    for (int exponent = -45; exponent <= 38; ++exponent) {
        const float power = std::pow(10.0f, static_cast<float>(exponent));
        if (!std::isfinite(power) || power == 0.0f) continue;
        const std::uint32_t bits = std::bit_cast<std::uint32_t>(power);
        for (std::uint32_t step = 0; step < 64; ++step) {
            failures += mismatches(bits + step);
            if (bits > step) failures += mismatches(bits - step);
        }
    }
    EXPECT_EQ(failures, 0);
}

TEST(FloatFormat, MatchesStdOnAStrideThroughAllPatternsAndRandomOnes) {
    int failures = 0;
    // A stride coprime to 2^31 visits every exponent and fraction region.
    for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 31); bits += 2039) {
        failures += mismatches(static_cast<std::uint32_t>(bits));
        if (failures > 20) break;
    }
    std::mt19937 generator(20261127);
    std::uniform_real_distribution<float> typical(0.0f, 20.0f);
    for (int i = 0; i < 200000 && failures <= 20; ++i) {
        failures += mismatches(static_cast<std::uint32_t>(generator()));
        failures += mismatches(std::bit_cast<std::uint32_t>(typical(generator)));
    }
    EXPECT_EQ(failures, 0);
}

}  // namespace
