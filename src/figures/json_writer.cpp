#include "json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "float_format.hpp"
#include "text_internals.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

}  // namespace

double float_as_json_double(float value) {
    if (!std::isfinite(value)) return static_cast<double>(value);
    char buffer[shortest_float_buffer_size];
    const char* end = write_shortest(buffer, value);
    double result = 0;
    std::from_chars(buffer, end, result);
    return result;
}

JsonWriter::JsonWriter(std::string& target)
    : string_target_(&target), chunk_(new char[chunk_size]), cursor_(chunk_.get()), end_(chunk_.get() + chunk_size) {}

JsonWriter::JsonWriter(std::ostream& out)
    : stream_target_(&out), chunk_(new char[chunk_size]), cursor_(chunk_.get()), end_(chunk_.get() + chunk_size) {}

JsonWriter::JsonWriter(const std::function<void(std::string_view)>& sink)
    : sink_target_(&sink), chunk_(new char[chunk_size]), cursor_(chunk_.get()), end_(chunk_.get() + chunk_size) {}

void JsonWriter::raw(std::string_view text) {
    if (text.size() > chunk_size) {
        flush();
        emit(text.data(), text.size());
        return;
    }
    reserve(text.size());
    std::memcpy(cursor_, text.data(), text.size());
    cursor_ += text.size();
}

void JsonWriter::string(std::string_view text) {
    if (is_valid_utf8(text)) return valid_string(text);
    valid_string(sanitize_utf8(text));
}

namespace {

// What a byte needs inside a JSON string. One table lookup per byte keeps
// the common case, plain text, to a load, a branch and a store.
enum ByteKind : std::uint8_t { plain, quote, control, markup, line_separator_lead };

constexpr std::array<ByteKind, 256> byte_kinds = [] {
    std::array<ByteKind, 256> kinds{};
    for (int byte = 0; byte < 0x20; ++byte) kinds[byte] = control;
    kinds['"'] = kinds['\\'] = quote;
    kinds['<'] = kinds['>'] = kinds['&'] = markup;
    kinds[0xE2] = line_separator_lead;  // U+2028 and U+2029 are E2 80 A8/A9
    return kinds;
}();

// Stored text flagged plain (needs_json_escaping false) skips this table,
// so the two must agree on which bytes are special.
constexpr bool table_matches_plain_flag() {
    for (int byte = 0; byte < 256; ++byte) {
        if ((byte_kinds[byte] != plain) != may_need_escaping(static_cast<unsigned char>(byte))) return false;
    }
    return true;
}
static_assert(table_matches_plain_flag());

// For JSON outside HTML and not meant for Plotly's markup parser.
constexpr std::array<ByteKind, 256> markup_as_plain_kinds = [] {
    std::array<ByteKind, 256> kinds = byte_kinds;
    kinds['<'] = kinds['>'] = kinds['&'] = plain;
    kinds[0xE2] = plain;  // only HTML needs U+2028 and U+2029 escaped
    return kinds;
}();

// The longest replacement of one input byte ("\u0026amp;").
constexpr std::size_t max_escape_growth = 10;

// Replacements for < > & by whether Plotly markup is escaped (entities) and
// whether the JSON sits in HTML (no raw < > &, even in entities).
std::string_view markup_replacement(char byte, bool plotly_markup, bool html_safe) {
    switch (byte) {
        case '<': return plotly_markup ? (html_safe ? "\\u0026lt;" : "&lt;") : "\\u003c";
        case '>': return plotly_markup ? (html_safe ? "\\u0026gt;" : "&gt;") : "\\u003e";
        default: return plotly_markup ? (html_safe ? "\\u0026amp;" : "&amp;") : "\\u0026";
    }
}

char* append(char* cursor, std::string_view text) {
    std::memcpy(cursor, text.data(), text.size());
    return cursor + text.size();
}

// Writes `text` escaped at `out`, which has room for
// text.size() * max_escape_growth bytes, and returns the new end. `kinds`
// is byte_kinds, or markup_as_plain_kinds when < > & pass unchanged.
char* escape_into(char* out, std::string_view text, const std::array<ByteKind, 256>& kinds, bool plotly_markup,
                  bool html_safe) {
    const std::size_t size = text.size();
    for (std::size_t i = 0; i < size; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const ByteKind kind = kinds[byte];
        if (kind == plain) {
            *out++ = static_cast<char>(byte);
            continue;
        }
        switch (kind) {
            case quote:
                *out++ = '\\';
                *out++ = static_cast<char>(byte);
                break;
            case markup:
                out = append(out, markup_replacement(static_cast<char>(byte), plotly_markup, html_safe));
                break;
            case line_separator_lead:
                // U+2028 and U+2029 end a line in older JavaScript.
                if (html_safe && i + 2 < size && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                    (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8) {
                    out = append(out, static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
                    i += 2;
                } else {
                    *out++ = static_cast<char>(byte);
                }
                break;
            default:
                if (byte == '\n') {
                    out = append(out, "\\n");
                } else if (byte == '\t') {
                    out = append(out, "\\t");
                } else if (byte == '\r') {
                    out = append(out, "\\r");
                } else {
                    const char escape[] = {'\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xF]};
                    out = append(out, std::string_view(escape, sizeof escape));
                }
        }
    }
    return out;
}

// Strings up to this size (padding included) are written with one
// reservation; longer ones go slice by slice.
constexpr std::size_t short_string = 256;
constexpr std::string_view padding = "                ";  // 16 spaces

}  // namespace

void JsonWriter::valid_string(std::string_view valid_utf8) { quoted(valid_utf8, 0, false); }

void JsonWriter::spaces(std::size_t count) {
    while (count > 0) {
        const std::size_t run = std::min(count, chunk_size);
        reserve(run);
        std::memset(cursor_, ' ', run);
        cursor_ += run;
        count -= run;
    }
}

void JsonWriter::plotly_string(std::string_view valid_utf8, std::size_t pad) { quoted(valid_utf8, pad, true); }

void JsonWriter::plain_plotly_string(std::string_view text, std::size_t pad) {
    if (text.size() > read_slack || pad > padding.size()) return plotly_string(text, pad);
    // A token: two fixed-size copies, which compile to a few moves.
    reserve(2 + padding.size() + read_slack);
    char* out = cursor_;
    *out++ = '"';
    std::memcpy(out, padding.data(), padding.size());
    out += pad;
    std::memcpy(out, text.data(), read_slack);
    out += text.size();
    *out++ = '"';
    cursor_ = out;
}

void JsonWriter::quoted(std::string_view text, std::size_t pad, bool plotly_markup) {
    const auto& kinds = plotly_markup || html_safe_ ? byte_kinds : markup_as_plain_kinds;
    if (text.size() <= short_string && pad <= padding.size()) {
        // The common case, a token: one reservation, no calls per byte.
        reserve(2 + padding.size() + text.size() * max_escape_growth);
        char* out = cursor_;
        *out++ = '"';
        std::memcpy(out, padding.data(), padding.size());
        out += pad;
        out = escape_into(out, text, kinds, plotly_markup, html_safe_);
        *out++ = '"';
        cursor_ = out;
        return;
    }
    raw('"');
    spaces(pad);
    // A U+2028 sequence may run two bytes past a slice's end, so slices stop
    // before one and leave it to the next.
    constexpr std::size_t slice = chunk_size / max_escape_growth - 4;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.size(), start + slice);
        while (
            end < text.size() && end > start + 2 &&
            (static_cast<unsigned char>(text[end - 1]) == 0xE2 || static_cast<unsigned char>(text[end - 2]) == 0xE2)) {
            --end;
        }
        const std::string_view part = text.substr(start, end - start);
        reserve(part.size() * max_escape_growth);
        cursor_ = escape_into(cursor_, part, kinds, plotly_markup, html_safe_);
        start = end;
    }
    raw('"');
}

void JsonWriter::number(float value) {
    if (!std::isfinite(value)) return null();
    reserve(shortest_float_buffer_size);
    cursor_ = write_shortest(cursor_, value);
}

void JsonWriter::number(double value) {
    if (!std::isfinite(value)) return null();
    reserve(32);
    cursor_ = std::to_chars(cursor_, end_, value).ptr;
}

void JsonWriter::number(std::uint64_t value) {
    reserve(32);
    cursor_ = std::to_chars(cursor_, end_, value).ptr;
}

void JsonWriter::flush() {
    const std::size_t size = static_cast<std::size_t>(cursor_ - chunk_.get());
    cursor_ = chunk_.get();
    emit(chunk_.get(), size);
}

void JsonWriter::emit(const char* data, std::size_t size) {
    if (string_target_) {
        check_memory(string_target_->size() + size, "the output");
        string_target_->append(data, size);
        return;
    }
    if (sink_target_) {
        if (size > 0) (*sink_target_)(std::string_view(data, size));
        return;
    }
    stream_target_->write(data, static_cast<std::streamsize>(size));
    if (!*stream_target_) fail(Errc::io, "writing the output failed");
}

void JsonWriter::finish() {
    flush();
    if (stream_target_) {
        stream_target_->flush();
        if (!*stream_target_) fail(Errc::io, "writing the output failed");
    }
}

}  // namespace trajplot
