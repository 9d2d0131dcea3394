#pragma once

#include <cstddef>

namespace trajplot {

// The room write_shortest needs at out: its text is at most 15 characters
// ("-1.1754944e-38"), but it writes whole 16-byte blocks past it.
constexpr std::size_t shortest_float_buffer_size = 32;

// Writes a finite float exactly as std::to_chars(first, last, value) does:
// the fewest significant digits that read back as the same float, the
// nearest such digits to the value, in fixed or scientific notation,
// whichever is shorter (fixed on a tie), about 1.5 times as fast as
// libstdc++'s: formatting z is most of a large export (bench/README.md).
// Needs shortest_float_buffer_size bytes at out; returns the end of the text.
char* write_shortest(char* out, float value) noexcept;

}  // namespace trajplot
