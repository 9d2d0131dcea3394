// What the JSON writers know of a TextArray's storage beyond its contract:
// which strings need no escaping, and how far past a string's end they may
// read, so that short plain strings are copied in whole words.
#pragma once

#include <cstddef>

#include "trajplot/text_array.hpp"

namespace trajplot {

// Bytes after every string's NUL that belong to the pool, readable as
// garbage-free zeros.
inline constexpr std::size_t text_array_read_slack = 16;

struct TextArrayInternals {
    // Whether the i-th string (row-major) has nothing JSON, HTML or Plotly
    // would escape: such a string may be copied as is, reading up to
    // text_array_read_slack bytes past its end.
    template <std::size_t N>
    static bool is_plain(const TextArray<N>& array, std::size_t i) {
        return array.plain_.data()[i] != 0;
    }
};

}  // namespace trajplot
