// UTF-8 text as Python sees it: validity, invalid bytes replaced, lengths in
// code points, and the reference's trunc_string_left.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trajplot {

// True when `bytes` is well-formed UTF-8 (no overlongs, surrogates or code
// points past U+10FFFF).
bool is_valid_utf8(std::string_view bytes) noexcept;

// `bytes` with each maximal subpart of an ill-formed sequence replaced by
// U+FFFD, as Python's bytes.decode("utf-8", "replace") does.
std::string sanitize_utf8(std::string_view bytes);

// Number of code points in valid UTF-8 text (Python's len).
std::size_t code_point_count(std::string_view utf8) noexcept;

// Pads `text` on the left with spaces to `new_len` code points when it is
// shorter, otherwise keeps its last `new_len` code points.
std::string trunc_string_left(std::string_view text, std::size_t new_len);

}  // namespace trajplot
