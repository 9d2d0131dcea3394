#include "json_writer.hpp"

#include <charconv>
#include <cmath>

#include "trajplot/error.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

template <class Number>
std::string_view shortest(char (&buffer)[32], Number value) {
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    return std::string_view(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace

double float_as_json_double(float value) {
    if (!std::isfinite(value)) return static_cast<double>(value);
    char buffer[32];
    const std::string_view text = shortest(buffer, value);
    double result = 0;
    std::from_chars(text.data(), text.data() + text.size(), result);
    return result;
}

void JsonWriter::string(std::string_view text) {
    buffer_.push_back('"');
    if (is_valid_utf8(text)) {
        escaped(text);
    } else {
        escaped(sanitize_utf8(text));
    }
    buffer_.push_back('"');
    maybe_flush();
}

void JsonWriter::escaped(std::string_view text) {
    std::size_t plain_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const bool control = byte < 0x20;
        const bool quote = byte == '"' || byte == '\\';
        const bool html = html_safe_ && (byte == '<' || byte == '>' || byte == '&');
        // U+2028 and U+2029 (E2 80 A8/A9) end a line in older JavaScript.
        const bool line_separator = html_safe_ && byte == 0xE2 && i + 2 < text.size() &&
                                    static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                                    (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8;
        if (!control && !quote && !html && !line_separator) continue;
        buffer_.append(text.substr(plain_from, i - plain_from));
        if (line_separator) {
            buffer_.append(static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else if (quote) {
            buffer_.push_back('\\');
            buffer_.push_back(static_cast<char>(byte));
        } else if (byte == '\n') {
            buffer_.append("\\n");
        } else if (byte == '\t') {
            buffer_.append("\\t");
        } else if (byte == '\r') {
            buffer_.append("\\r");
        } else {
            const char escape[] = {'\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xF]};
            buffer_.append(escape, sizeof escape);
        }
        plain_from = i + 1;
    }
    buffer_.append(text.substr(plain_from));
}

void JsonWriter::number(float value) {
    if (!std::isfinite(value)) return null();
    char buffer[32];
    buffer_.append(shortest(buffer, value));
    maybe_flush();
}

void JsonWriter::number(double value) {
    if (!std::isfinite(value)) return null();
    char buffer[32];
    buffer_.append(shortest(buffer, value));
    maybe_flush();
}

void JsonWriter::number(std::uint64_t value) {
    char buffer[32];
    buffer_.append(shortest(buffer, value));
    maybe_flush();
}

void JsonWriter::flush() {
    if (!out_) return;
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!*out_) fail(Errc::io, "writing the output failed");
}

void JsonWriter::finish() {
    flush();
    if (out_) {
        out_->flush();
        if (!*out_) fail(Errc::io, "writing the output failed");
    }
}

}  // namespace trajplot
