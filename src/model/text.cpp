#include "trajplot/text.hpp"

#include "float_format.hpp"
#include "text_internals.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace trajplot {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// Length of the well-formed sequence starting at text[i], or, when it is
// ill-formed, minus the length of its maximal subpart (at least 1). This is
// the unit Python's "replace" error handler replaces with one U+FFFD.
std::ptrdiff_t next_sequence(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    std::uint8_t second_low = 0x80, second_high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_low = 0xA0;   // overlong
        if (lead == 0xED) second_high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_low = 0x90;   // overlong
        if (lead == 0xF4) second_high = 0x8F;  // past U+10FFFF
    } else {
        return -1;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if (i + k >= text.size()) return -static_cast<std::ptrdiff_t>(k);
        const std::uint8_t low = k == 1 ? second_low : 0x80;
        const std::uint8_t high = k == 1 ? second_high : 0xBF;
        if (byte(i + k) < low || byte(i + k) > high) return -static_cast<std::ptrdiff_t>(k);
    }
    return static_cast<std::ptrdiff_t>(length);
}

bool is_continuation(char c) noexcept { return (static_cast<std::uint8_t>(c) & 0xC0) == 0x80; }

}  // namespace

bool is_valid_utf8(std::string_view bytes) noexcept {
    std::size_t i = 0;
    while (i < bytes.size()) {
        // ASCII runs dominate token text; skip them eight bytes at a time.
        while (i + 8 <= bytes.size()) {
            std::uint64_t word = 0;
            for (std::size_t k = 0; k < 8; ++k) word |= std::uint64_t(std::uint8_t(bytes[i + k])) << (8 * k);
            if (word & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= bytes.size()) break;
        const std::ptrdiff_t length = next_sequence(bytes, i);
        if (length < 0) return false;
        i += static_cast<std::size_t>(length);
    }
    return true;
}

std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + 8);
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::ptrdiff_t length = next_sequence(bytes, i);
        if (length > 0) {
            out.append(bytes.substr(i, static_cast<std::size_t>(length)));
            i += static_cast<std::size_t>(length);
        } else {
            out.append(replacement_character);
            i += static_cast<std::size_t>(-length);
        }
    }
    return out;
}

std::size_t code_point_count(std::string_view utf8) noexcept {
    std::size_t count = 0;
    for (const char c : utf8) count += is_continuation(c) ? 0 : 1;
    return count;
}

FittedText fit_to_width(std::string_view utf8, std::size_t width) noexcept {
    return fit_to_width(utf8, code_point_count(utf8), width);
}

FittedText keep_last_code_points(std::string_view utf8, std::size_t length, std::size_t width) noexcept {
    // Keep the last `width` code points: step over the first ones.
    std::size_t start = 0;
    for (std::size_t skipped = 0; skipped < length - width; ++skipped) {
        ++start;
        while (start < utf8.size() && is_continuation(utf8[start])) ++start;
    }
    return {0, utf8.substr(start)};
}

std::string trunc_string_left(std::string_view text, std::size_t new_len) {
    const FittedText fitted = fit_to_width(text, new_len);
    std::string result(fitted.pad, ' ');
    result.append(fitted.text);
    return result;
}

void append_plotly_escaped(std::string& out, std::string_view text) {
    std::size_t plain_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string_view entity;
        switch (text[i]) {
            case '&': entity = "&amp;"; break;
            case '<': entity = "&lt;"; break;
            case '>': entity = "&gt;"; break;
            default: continue;
        }
        out.append(text.substr(plain_from, i - plain_from));
        out.append(entity);
        plain_from = i + 1;
    }
    out.append(text.substr(plain_from));
}

std::string plotly_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_plotly_escaped(out, text);
    return out;
}

bool needs_json_escaping(std::string_view text) noexcept {
    for (const char c : text) {
        if (may_need_escaping(static_cast<unsigned char>(c))) return true;
    }
    return false;
}

std::string shortest_string(float value) {
    char buffer[shortest_float_buffer_size];
    if (!std::isfinite(value)) return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
    return std::string(buffer, write_shortest(buffer, value));
}

}  // namespace trajplot
