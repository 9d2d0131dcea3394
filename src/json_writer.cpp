#include "json_writer.hpp"

#include <array>
#include <charconv>
#include <cstdint>
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
    if (is_valid_utf8(text)) return valid_string(text);
    valid_string(sanitize_utf8(text));
}

void JsonWriter::valid_string(std::string_view valid_utf8) {
    buffer_.push_back('"');
    escaped(valid_utf8, false);
    buffer_.push_back('"');
    maybe_flush();
}

void JsonWriter::plotly_string(std::string_view valid_utf8, std::size_t pad) {
    buffer_.push_back('"');
    buffer_.append(pad, ' ');
    escaped(valid_utf8, true);
    buffer_.push_back('"');
    maybe_flush();
}

namespace {

// What a byte needs inside a JSON string. One table lookup per byte keeps
// the common case, plain text, to a load and a branch.
enum ByteKind : std::uint8_t { plain, quote, control, markup, line_separator_lead };

constexpr std::array<ByteKind, 256> byte_kinds = [] {
    std::array<ByteKind, 256> kinds{};
    for (int byte = 0; byte < 0x20; ++byte) kinds[byte] = control;
    kinds['"'] = kinds['\\'] = quote;
    kinds['<'] = kinds['>'] = kinds['&'] = markup;
    kinds[0xE2] = line_separator_lead;  // U+2028 and U+2029 are E2 80 A8/A9
    return kinds;
}();

// Replacements for < > & by whether Plotly markup is escaped (entities) and
// whether the JSON sits in HTML (no raw < > &, even in entities).
std::string_view markup_replacement(char byte, bool plotly_markup, bool html_safe) {
    switch (byte) {
        case '<': return plotly_markup ? (html_safe ? "\\u0026lt;" : "&lt;") : "\\u003c";
        case '>': return plotly_markup ? (html_safe ? "\\u0026gt;" : "&gt;") : "\\u003e";
        default: return plotly_markup ? (html_safe ? "\\u0026amp;" : "&amp;") : "\\u0026";
    }
}

}  // namespace

void JsonWriter::escaped(std::string_view text, bool plotly_markup) {
    const bool escape_markup = plotly_markup || html_safe_;
    std::size_t plain_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const ByteKind kind = byte_kinds[byte];
        if (kind == plain) continue;
        if (kind == markup && !escape_markup) continue;
        // U+2028 and U+2029 end a line in older JavaScript.
        const bool line_separator = kind == line_separator_lead && html_safe_ && i + 2 < text.size() &&
                                    static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                                    (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8;
        if (kind == line_separator_lead && !line_separator) continue;
        buffer_.append(text.substr(plain_from, i - plain_from));
        plain_from = i + 1;
        switch (kind) {
            case quote:
                buffer_.push_back('\\');
                buffer_.push_back(static_cast<char>(byte));
                break;
            case markup: buffer_.append(markup_replacement(static_cast<char>(byte), plotly_markup, html_safe_)); break;
            case line_separator_lead:
                buffer_.append(static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
                i += 2;
                plain_from = i + 1;
                break;
            default:
                if (byte == '\n') {
                    buffer_.append("\\n");
                } else if (byte == '\t') {
                    buffer_.append("\\t");
                } else if (byte == '\r') {
                    buffer_.append("\\r");
                } else {
                    const char escape[] = {'\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xF]};
                    buffer_.append(escape, sizeof escape);
                }
        }
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
