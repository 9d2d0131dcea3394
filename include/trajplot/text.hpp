// UTF-8 text as Plotly and Python see it: lengths in code points, invalid
// bytes replaced, and the pseudo-HTML markup Plotly parses escaped.
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

// trunc_string_left without building the string: `pad` spaces followed by
// `text`, a suffix of the input.
struct FittedText {
    std::size_t pad;
    std::string_view text;
};
FittedText fit_to_width(std::string_view utf8, std::size_t width) noexcept;
// The same for text whose length in code points is known; inline, since
// every hover entry of every export goes through it.
FittedText keep_last_code_points(std::string_view utf8, std::size_t code_points, std::size_t width) noexcept;
inline FittedText fit_to_width(std::string_view utf8, std::size_t code_points, std::size_t width) noexcept {
    if (code_points < width) return {width - code_points, utf8};
    return keep_last_code_points(utf8, code_points, width);
}

// Appends `text` with Plotly's markup characters escaped (& < > as &amp;
// &lt; &gt;), so that it displays exactly as given.
void append_plotly_escaped(std::string& out, std::string_view text);
std::string plotly_escaped(std::string_view text);

// Whether a byte is one that a JSON string, a JSON string inside HTML, or
// Plotly's markup may have to escape: controls, " and \, < > &, and 0xE2,
// the lead byte of U+2028 and U+2029. The writer's escaping table is
// checked against it at compile time.
constexpr bool may_need_escaping(unsigned char byte) noexcept {
    return byte < 0x20 || byte == '"' || byte == '\\' || byte == '<' || byte == '>' || byte == '&' || byte == 0xE2;
}

// Whether valid UTF-8 `text` holds such a byte.
bool needs_json_escaping(std::string_view text) noexcept;

// The shortest decimal text that reads back as `value` (for messages).
std::string shortest_string(float value);

}  // namespace trajplot
