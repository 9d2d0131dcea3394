// Text as the writers and messages need it, beyond the public text.hpp:
// hover entries fitted to their column without copies, Plotly markup
// escaped, the bytes a JSON string may have to escape, and floats as the
// shortest text for messages. Internal to the library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "trajplot/text.hpp"

namespace trajplot {

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

// Whether the UTF-8 encoding of the scalar value `code_point` holds such a
// byte: 0xE2 leads exactly the encodings of U+2000 to U+2FFF, and other
// multi-byte encodings hold no byte below 0x80. Lets text converted from
// UTF-32 be classified without reading its UTF-8 again.
constexpr bool code_point_may_need_escaping(char32_t code_point) noexcept {
    if (code_point < 0x80) return may_need_escaping(static_cast<unsigned char>(code_point));
    return code_point >= 0x2000 && code_point <= 0x2FFF;
}

// Writes the UTF-8 of a scalar value; returns the byte after it.
inline char* put_utf8(char* out, char32_t code_point) noexcept {
    if (code_point < 0x80) {
        out[0] = static_cast<char>(code_point);
        return out + 1;
    }
    if (code_point < 0x800) {
        out[0] = static_cast<char>(0xC0 | (code_point >> 6));
        out[1] = static_cast<char>(0x80 | (code_point & 0x3F));
        return out + 2;
    }
    if (code_point < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (code_point >> 12));
        out[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (code_point & 0x3F));
        return out + 3;
    }
    out[0] = static_cast<char>(0xF0 | (code_point >> 18));
    out[1] = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (code_point & 0x3F));
    return out + 4;
}

// Whether valid UTF-8 `text` holds such a byte.
bool needs_json_escaping(std::string_view text) noexcept;

// The shortest decimal text that reads back as `value` (for messages).
std::string shortest_string(float value);

}  // namespace trajplot
