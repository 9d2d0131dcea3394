// The pieces of a static image that are not layout: colours and the
// colourscale as plotly.js applies them, and text as plotly.js shows it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "image_scene.hpp"
#include "text_internals.hpp"
#include "trajplot/text.hpp"

namespace trajplot::image {
namespace {

std::uint8_t channel(double value) {
    // An HTML canvas stores channels rounding half to even, as nearbyint does.
    return static_cast<std::uint8_t>(std::nearbyint(std::clamp(value, 0.0, 255.0)));
}

std::optional<int> hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

std::optional<Rgb> parse_hex(std::string_view digits) {
    if (digits.size() != 3 && digits.size() != 6) return std::nullopt;
    int values[6] = {};
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const auto digit = hex_digit(digits[i]);
        if (!digit) return std::nullopt;
        values[i] = *digit;
    }
    if (digits.size() == 3) {
        return Rgb{static_cast<std::uint8_t>(values[0] * 17), static_cast<std::uint8_t>(values[1] * 17),
                   static_cast<std::uint8_t>(values[2] * 17)};
    }
    return Rgb{static_cast<std::uint8_t>(values[0] * 16 + values[1]),
               static_cast<std::uint8_t>(values[2] * 16 + values[3]),
               static_cast<std::uint8_t>(values[4] * 16 + values[5])};
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

// The n channels inside "rgb(...)" or "rgba(...)".
std::optional<Rgb> parse_functional(std::string_view inside) {
    double channels[3] = {};
    for (int i = 0; i < 3; ++i) {
        const std::size_t comma = inside.find(',');
        if (comma == std::string_view::npos && i < 2) return std::nullopt;
        const std::string_view part = trimmed(inside.substr(0, comma));
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), channels[i]);
        if (error != std::errc{} || end != part.data() + part.size()) return std::nullopt;
        inside = comma == std::string_view::npos ? std::string_view() : inside.substr(comma + 1);
    }
    return Rgb{channel(channels[0]), channel(channels[1]), channel(channels[2])};
}

// Decodes one code point of valid UTF-8 at `text[i]`, advancing `i`.
char32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    length = std::min(length, text.size() - i);
    char32_t value = length == 1 ? byte : length == 2 ? byte & 0x1F : length == 3 ? byte & 0x0F : byte & 0x07;
    for (std::size_t k = 1; k < length; ++k) value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += length;
    return value;
}

void append_utf8(std::string& out, char32_t code_point) {
    char bytes[4];
    out.append(bytes, put_utf8(bytes, code_point));
}

bool is_undrawable(char32_t code_point) { return code_point < 0x20 || code_point == 0xFFFE || code_point == 0xFFFF; }

// The code point an entity (without & and ;) stands for, as a browser
// decodes the few Plotly's markup uses.
std::optional<char32_t> entity_value(std::string_view name) {
    if (name == "lt") return U'<';
    if (name == "gt") return U'>';
    if (name == "amp") return U'&';
    if (name == "quot") return U'"';
    if (name == "apos") return U'\'';
    if (name == "nbsp") return U'\u00A0';
    if (name.size() < 2 || name[0] != '#') return std::nullopt;
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return U'\uFFFD';
    return static_cast<char32_t>(value);
}

bool is_markup_tag(std::string_view name) {
    constexpr std::string_view known[] = {"b", "i", "em", "sup", "sub", "span", "s", "u", "a", "br", "font"};
    return std::find(std::begin(known), std::end(known), name) != std::end(known);
}

// Advances of the printable ASCII characters in 2048ths of an em, as DejaVu
// Sans (what Debian's browsers and fontconfig give for plotly.js's font
// stack) has them; Verdana's are close.
constexpr unsigned short ascii_advances[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,  1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294,
    1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403,
    1251, 1403, 799,  690,  799,  1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186,
    569,  1995, 1298, 1253, 1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};

// A glyph's advance in ems.
double advance(char32_t c) {
    if (c >= 0x20 && c < 0x7F) return ascii_advances[c - 0x20] / 2048.0;
    if (c == U'\u2212' || c == U'\u00D7') return 1716 / 2048.0;  // minus and times, as + and <
    if (c >= 0x0300 && c <= 0x036F) return 0;                    // combining marks
    const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
                      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFF60) || c >= 0x1F300;
    return wide ? 1.0 : 0.6;
}

}  // namespace

std::optional<Rgb> parse_color(std::string_view text) {
    text = trimmed(text);
    if (text.starts_with('#')) return parse_hex(text.substr(1));
    for (const std::string_view prefix : {std::string_view("rgb("), std::string_view("rgba(")}) {
        if (text.starts_with(prefix) && text.ends_with(')')) {
            return parse_functional(text.substr(prefix.size(), text.size() - prefix.size() - 1));
        }
    }
    if (text == "white") return white;
    if (text == "black") return Rgb{0, 0, 0};
    return std::nullopt;
}

Rgb text_color_on(Rgb cell) noexcept {
    const int brightness = (cell.r * 299 + cell.g * 587 + cell.b * 114) / 1000;
    return brightness < 128 ? white : default_ink;
}

void ColorScale::add(double position, Rgb color) {
    stops_.push_back(
        {position, {static_cast<double>(color.r), static_cast<double>(color.g), static_cast<double>(color.b)}});
}

Rgb ColorScale::at(double fraction) const noexcept {
    if (stops_.empty()) return white;
    const auto rgb_of = [](const double* c) { return Rgb{channel(c[0]), channel(c[1]), channel(c[2])}; };
    if (!(fraction > stops_.front().position)) return rgb_of(stops_.front().rgb);
    if (!(fraction < stops_.back().position)) return rgb_of(stops_.back().rgb);
    const auto upper = std::upper_bound(stops_.begin(), stops_.end(), fraction,
                                        [](double value, const Stop& stop) { return value < stop.position; });
    const Stop& high = *upper;
    const Stop& low = *(upper - 1);
    const double span = high.position - low.position;
    const double t = span > 0 ? (fraction - low.position) / span : 1.0;
    double mixed[3];
    for (int i = 0; i < 3; ++i) mixed[i] = low.rgb[i] + (high.rgb[i] - low.rgb[i]) * t;
    return rgb_of(mixed);
}

std::string displayable(std::string_view text) {
    // Labels are mostly plain: only control characters and the UTF-8 of
    // U+FFFE and U+FFFF (lead byte 0xEF) need looking at.
    const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0xEF;
    });
    if (plain) return std::string(text);
    std::string shown;
    shown.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = next_code_point(text, i);
        append_utf8(shown, is_undrawable(c) ? U' ' : c);
    }
    return shown;
}

std::vector<TextRun> plain_runs(std::string_view text) { return {TextRun{displayable(text), false}}; }

std::vector<TextRun> markup_runs(std::string_view markup) {
    const std::string text = sanitize_utf8(markup);
    std::vector<TextRun> runs(1);
    const auto append = [&](char32_t c) { append_utf8(runs.back().text, is_undrawable(c) ? U' ' : c); };
    const auto set_superscript = [&](bool superscript) {
        if (runs.back().superscript == superscript) return;
        if (runs.back().text.empty()) {
            runs.back().superscript = superscript;
        } else {
            runs.push_back({{}, superscript});
        }
    };
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '&') {
            const std::size_t semicolon = text.find(';', i);
            if (semicolon != std::string::npos && semicolon - i <= 10) {
                if (const auto value = entity_value(std::string_view(text).substr(i + 1, semicolon - i - 1))) {
                    append(*value);
                    i = semicolon + 1;
                    continue;
                }
            }
        } else if (text[i] == '<') {
            const std::size_t close = text.find('>', i);
            if (close != std::string::npos) {
                std::string_view tag = std::string_view(text).substr(i + 1, close - i - 1);
                const bool closing = tag.starts_with('/');
                if (closing) tag.remove_prefix(1);
                const std::size_t name_end = std::min(tag.find_first_of(" /"), tag.size());
                std::string name(tag.substr(0, name_end));
                std::transform(name.begin(), name.end(), name.begin(),
                               [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
                if (is_markup_tag(name)) {
                    if (name == "sup") set_superscript(!closing);
                    if (name == "br") append(U' ');
                    i = close + 1;
                    continue;
                }
            }
        }
        append(next_code_point(text, i));
    }
    if (runs.size() > 1 && runs.back().text.empty()) runs.pop_back();
    return runs;
}

double estimated_width(std::string_view text, double size, bool bold) {
    double ems = 0;
    for (std::size_t i = 0; i < text.size();) ems += advance(next_code_point(text, i));
    return ems * size * (bold ? 1.08 : 1.0);
}

double estimated_width(const std::vector<TextRun>& runs, double size, bool bold) {
    double width = 0;
    for (const TextRun& run : runs) {
        width += estimated_width(run.text, run.superscript ? size * superscript_scale : size, bold);
    }
    return width;
}

}  // namespace trajplot::image
