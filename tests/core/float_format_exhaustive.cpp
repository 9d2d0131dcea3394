// Compares write_shortest with std::to_chars on every finite float, on all
// cores; a few minutes on two. Not part of ctest (test_float_format.cpp
// runs a sample there); run it after changing src/model/float_format.cpp:
//   cmake --build build --target float_format_exhaustive && build/tests/core/float_format_exhaustive
#include "float_format.hpp"

#include <atomic>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

int main() {
    constexpr std::uint64_t patterns = std::uint64_t{1} << 32;
    const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> mismatches{0};
    std::mutex report;
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < n_threads; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint64_t bits = t; bits < patterns; bits += n_threads) {
                const float value = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
                if (((bits >> 23) & 0xff) == 0xff) continue;  // infinities and NaNs
                char expected[64];
                char actual[trajplot::shortest_float_buffer_size];
                const char* expected_end = std::to_chars(expected, expected + sizeof expected, value).ptr;
                const char* actual_end = trajplot::write_shortest(actual, value);
                const auto length = expected_end - expected;
                if (actual_end - actual != length || std::memcmp(expected, actual, length) != 0) {
                    if (mismatches.fetch_add(1) < 20) {
                        const std::lock_guard lock(report);
                        std::printf("0x%08llx: std::to_chars %.*s, write_shortest %.*s\n",
                                    static_cast<unsigned long long>(bits), static_cast<int>(length), expected,
                                    static_cast<int>(actual_end - actual), actual);
                    }
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    std::printf("%llu finite floats checked, %llu mismatches\n",
                static_cast<unsigned long long>(patterns - 2 * (std::uint64_t{1} << 24)),
                static_cast<unsigned long long>(mismatches.load()));
    return mismatches.load() == 0 ? 0 : 1;
}
