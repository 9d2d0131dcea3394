#include "fuzz_support.hpp"

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace trajplot_fuzz {

std::string printable(std::string_view text, std::size_t max_bytes) {
    std::string out;
    for (const char c : text.substr(0, max_bytes)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f && c != '\\') {
            out += c;
        } else {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(byte));
            out += escaped;
        }
    }
    if (text.size() > max_bytes) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

namespace {

// Set once the scratch directory exists, to remove it at exit.
const std::filesystem::path* made_scratch_directory = nullptr;

void remove_scratch_directory() {
    if (made_scratch_directory == nullptr) return;
    std::error_code ignored;
    std::filesystem::remove_all(*made_scratch_directory, ignored);
}

}  // namespace

[[noreturn]] void fail_check(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "\nfuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
    if (!detail.empty()) std::fprintf(stderr, "%.*s\n", static_cast<int>(detail.size()), detail.data());
    std::fflush(stderr);
    // abort() skips atexit handlers; the scratch directory would stay behind.
    remove_scratch_directory();
    std::abort();
}

// ---------------------------------------------------------------------------
// Text

namespace {

// Length of the well-formed sequence at text[i], or minus the length of
// the maximal subpart of an ill-formed one (at least 1). Table 3-7 of the
// Unicode standard: the second byte's range depends on the first.
std::ptrdiff_t utf8_sequence(std::string_view text, std::size_t i) {
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char first = at(i);
    if (first <= 0x7F) return 1;
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (first >= 0xC2 && first <= 0xDF) {
        length = 2;
    } else if (first == 0xE0) {
        length = 3;
        second_min = 0xA0;
    } else if (first >= 0xE1 && first <= 0xEC) {
        length = 3;
    } else if (first == 0xED) {
        length = 3;
        second_max = 0x9F;
    } else if (first >= 0xEE && first <= 0xEF) {
        length = 3;
    } else if (first == 0xF0) {
        length = 4;
        second_min = 0x90;
    } else if (first >= 0xF1 && first <= 0xF3) {
        length = 4;
    } else if (first == 0xF4) {
        length = 4;
        second_max = 0x8F;
    } else {
        return -1;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if (i + k >= text.size()) return -static_cast<std::ptrdiff_t>(k);
        const unsigned char byte = at(i + k);
        const unsigned char low = k == 1 ? second_min : 0x80;
        const unsigned char high = k == 1 ? second_max : 0xBF;
        if (byte < low || byte > high) return -static_cast<std::ptrdiff_t>(k);
    }
    return static_cast<std::ptrdiff_t>(length);
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const std::ptrdiff_t length = utf8_sequence(bytes, i);
        if (length < 0) return false;
        i += static_cast<std::size_t>(length);
    }
    return true;
}

std::string sanitized_utf8(std::string_view bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size();) {
        const std::ptrdiff_t length = utf8_sequence(bytes, i);
        if (length > 0) {
            out.append(bytes.substr(i, static_cast<std::size_t>(length)));
            i += static_cast<std::size_t>(length);
        } else {
            out.append("\xEF\xBF\xBD");
            i += static_cast<std::size_t>(-length);
        }
    }
    return out;
}

std::size_t code_point_count(std::string_view valid_utf8) {
    return static_cast<std::size_t>(std::count_if(
        valid_utf8.begin(), valid_utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string fit_left(std::string_view valid_utf8, std::size_t width) {
    const std::size_t length = code_point_count(valid_utf8);
    if (length < width) return std::string(width - length, ' ') + std::string(valid_utf8);
    // Drop the first length - width code points.
    std::size_t start = 0;
    for (std::size_t dropped = 0; dropped < length - width; ++dropped) {
        ++start;
        while (start < valid_utf8.size() && (static_cast<unsigned char>(valid_utf8[start]) & 0xC0) == 0x80) ++start;
    }
    return std::string(valid_utf8.substr(start));
}

std::string plotly_escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string html_escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::size_t find_ascii_case_insensitive(std::string_view text, std::string_view needle, std::size_t from = 0) {
    if (needle.size() > text.size()) return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
        bool match = true;
        for (std::size_t k = 0; k < needle.size() && match; ++k) {
            match = ascii_lower(text[i + k]) == ascii_lower(needle[k]);
        }
        if (match) return i;
    }
    return std::string_view::npos;
}

}  // namespace

// ---------------------------------------------------------------------------
// JSON

json parse_output_json(std::string_view text, std::string_view what) {
    const std::string name(what);
    check(is_valid_utf8(text), name + " is not valid UTF-8", [&] { return printable(text); });
    // The parser callback sees every key; a stack of the keys seen in each
    // open object finds repeats, which a DOM would silently merge.
    std::vector<std::set<std::string>> open_objects;
    std::string repeated_key;
    const json::parser_callback_t track_keys = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: open_objects.emplace_back(); break;
            case json::parse_event_t::object_end: open_objects.pop_back(); break;
            case json::parse_event_t::key:
                if (!open_objects.back().insert(parsed.get<std::string>()).second && repeated_key.empty()) {
                    repeated_key = parsed.get<std::string>();
                }
                break;
            default: break;
        }
        return true;
    };
    json document;
    try {
        document = json::parse(text, track_keys);
    } catch (const json::exception& error) {
        fail_check(name + " is not valid JSON: " + error.what(), printable(text));
    }
    check(repeated_key.empty(), name + " has an object with the key \"" + repeated_key + "\" twice",
          [&] { return printable(text); });

    std::vector<const json*> pending = {&document};
    while (!pending.empty()) {
        const json* value = pending.back();
        pending.pop_back();
        if (value->is_number_float()) {
            check(std::isfinite(value->get<double>()), name + " holds a number that is not finite",
                  [&] { return printable(text); });
        } else if (value->is_structured()) {
            for (const json& element : *value) pending.push_back(&element);
        }
    }
    return document;
}

std::size_t nesting_depth(const json& value) {
    std::size_t deepest = 0;
    std::vector<std::pair<const json*, std::size_t>> pending = {{&value, 0}};
    while (!pending.empty()) {
        const auto [current, depth] = pending.back();
        pending.pop_back();
        if (!current->is_structured()) continue;
        deepest = std::max(deepest, depth + 1);
        for (const json& element : *current) pending.emplace_back(&element, depth + 1);
    }
    return deepest;
}

// ---------------------------------------------------------------------------
// Input

std::uint16_t FuzzInput::u16() {
    const std::uint16_t high = byte();
    return static_cast<std::uint16_t>((high << 8) | byte());
}

std::uint32_t FuzzInput::u32() {
    const std::uint32_t high = u16();
    return (high << 16) | u16();
}

std::string FuzzInput::bytes() {
    const std::size_t length = std::min<std::size_t>(byte(), size_ - std::min(position_, size_));
    std::string text(reinterpret_cast<const char*>(data_ + position_), length);
    position_ += length;
    return text;
}

float FuzzInput::number() {
    using limits = std::numeric_limits<float>;
    static constexpr std::array<float, 24> telling = {
        0.0f,
        -0.0f,
        1.0f,
        -1.0f,
        0.5f,
        2.0f,
        10.0f,
        1e-3f,
        0.1f,
        100.0f,
        -3.5f,
        16777216.0f,
        limits::min(),
        -limits::min(),
        limits::denorm_min(),
        -limits::denorm_min(),
        limits::max(),
        -limits::max(),
        limits::infinity(),
        -limits::infinity(),
        limits::quiet_NaN(),
        1e10f,
        -1e10f,
        3.0e38f,
    };
    const std::uint8_t choice = byte();
    if (choice < 0xC0) return telling[choice % telling.size()];
    const std::uint32_t bits = u32();
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

// ---------------------------------------------------------------------------
// Locales

CallerLocale::CallerLocale(std::size_t choice) {
    static constexpr std::array<const char*, count> names = {"C", "tr_TR.UTF-8", "tr_TR.ISO-8859-9"};
    static std::array<bool, count> warned{};
    choice %= count;
    if (choice == 0) return;
    changed_ = std::setlocale(LC_ALL, names[choice]) != nullptr;
    if (!changed_ && !warned[choice]) {
        warned[choice] = true;
        std::fprintf(stderr, "fuzz: locale %s is not installed (LOCPATH); running under \"C\" instead\n",
                     names[choice]);
    }
}

CallerLocale::~CallerLocale() {
    if (changed_) std::setlocale(LC_ALL, "C");
}

// ---------------------------------------------------------------------------
// Files

const std::filesystem::path& scratch_directory() {
    static const std::filesystem::path directory = [] {
        const char* tmpdir = std::getenv("TMPDIR");
        const std::filesystem::path base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
        std::string name = (base / "trajplot-fuzz-XXXXXX").string();
        check(::mkdtemp(name.data()) != nullptr, "cannot make a scratch directory", [&] { return name; });
        return std::filesystem::path(name);
    }();
    if (made_scratch_directory == nullptr) {
        // Registered after `directory` is built, so run before it is destroyed.
        made_scratch_directory = &directory;
        std::atexit(remove_scratch_directory);
    }
    return directory;
}

std::vector<std::string> directory_entries(const std::filesystem::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    check(static_cast<bool>(file), "cannot open " + path.string());
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// ---------------------------------------------------------------------------
// Figures

std::vector<std::size_t> strided_rows(std::size_t n_layers, std::size_t stride) {
    // Written so that no sum can wrap, whatever the stride.
    std::vector<std::size_t> rows;
    for (std::size_t row = 0; row < n_layers - 1;) {
        rows.push_back(row);
        if (stride >= n_layers - 1 - row) break;
        row += stride;
    }
    rows.push_back(n_layers - 1);
    return rows;
}

StatisticView strided(const StatisticView& view, std::size_t stride) {
    const std::vector<std::size_t> rows = strided_rows(view.n_layers, stride);
    StatisticView result = view;
    result.n_layers = rows.size();
    result.stats.clear();
    result.layer_labels.clear();
    if (result.cell_labels) result.cell_labels->clear();
    result.hover_entries.clear();
    const std::size_t table = view.hover_rows * view.hover_cols;
    for (const std::size_t row : rows) {
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            const std::size_t cell = row * view.seq_len + position;
            result.stats.push_back(view.stats[cell]);
            if (result.cell_labels) result.cell_labels->push_back((*view.cell_labels)[cell]);
            for (std::size_t entry = 0; entry < table && !view.hover_entries.empty(); ++entry) {
                result.hover_entries.push_back(view.hover_entries[cell * table + entry]);
            }
        }
        result.layer_labels.push_back(view.layer_labels[row]);
    }
    return result;
}

StatisticView clipped(const StatisticView& view, float min, float max) {
    StatisticView result = view;
    for (float& value : result.stats) value = value < min ? min : (max < value ? max : value);
    result.min = min;
    result.max = max;
    return result;
}

std::vector<std::string> default_layer_labels(std::size_t n_layers, bool includes_output) {
    std::vector<std::string> labels;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        labels.push_back(includes_output && layer + 1 == n_layers ? "output" : std::to_string(layer));
    }
    return labels;
}

namespace {

// A name for a message, worked out only when a check fails: the checks run
// for every cell of every output.
using Name = std::function<std::string()>;

std::string indexed(const std::string& name, std::initializer_list<std::size_t> indices) {
    std::string result = name;
    for (const std::size_t index : indices) result += "[" + std::to_string(index) + "]";
    return result;
}

const json& member(const json& object, const std::string& key, const char* where) {
    check(object.is_object(), std::string(where) + " is not an object", [&] { return object.dump(); });
    const auto found = object.find(key);
    check(found != object.end(), std::string(where) + " has no \"" + key + "\"", [&] { return object.dump(); });
    return *found;
}

void check_equal(const json& actual, const json& expected, const Name& name) {
    if (actual == expected) return;
    fail_check(name() + " is not what was expected",
               "actual:   " + printable(actual.dump(), 2000) + "\nexpected: " + printable(expected.dump(), 2000));
}

// A float written as JSON: null when not finite, else a number that reads
// back as the same float.
void check_float(const json& value, float expected, const Name& name) {
    const bool good = std::isfinite(expected) ? value.is_number() && static_cast<float>(value.get<double>()) == expected
                                              : value.is_null();
    if (good) return;
    fail_check(name() + " does not stand for " + std::to_string(expected) + " (null if not finite)", value.dump());
}

// The categories of an axis: each label escaped for Plotly, the k-th repeat
// of a label made distinct by an empty marker element.
void check_categories(const json& axis, const std::vector<std::string>& labels, const std::string& name) {
    check(axis.is_array() && axis.size() == labels.size(),
          name + " should have " + std::to_string(labels.size()) + " categories", [&] { return axis.dump(); });
    std::map<std::string, std::size_t> repeats;
    std::set<std::string> distinct;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::size_t repeat = repeats[labels[i]]++;
        std::string expected = plotly_escaped(labels[i]);
        if (repeat > 0) expected += "<span style=\"--repeat:" + std::to_string(repeat) + "\"></span>";
        check_equal(axis[i], expected, [&] { return indexed(name, {i}); });
        distinct.insert(axis[i].get<std::string>());
    }
    check(distinct.size() == labels.size(), name + " has categories Plotly would merge", [&] { return axis.dump(); });
}

float log10_or_nan(float value) {
    return value > 0 && std::isfinite(value) ? static_cast<float>(std::log10(static_cast<double>(value)))
                                             : std::numeric_limits<float>::quiet_NaN();
}

// In the units of z: the values, or their log10 in double precision.
struct Range {
    double min;
    double max;
};

// The documented colour range: the statistic's bounds where set, else the
// extremes of its finite values (positive finite ones on a log scale).
std::optional<Range> colour_range(const StatisticView& view, bool log_scale) {
    std::optional<float> min = view.min;
    std::optional<float> max = view.max;
    std::optional<float> data_min;
    std::optional<float> data_max;
    for (const float value : view.stats) {
        if (!std::isfinite(value) || (log_scale && !(value > 0))) continue;
        data_min = data_min ? std::min(*data_min, value) : value;
        data_max = data_max ? std::max(*data_max, value) : value;
    }
    if (!min) min = data_min;
    if (!max) max = data_max;
    if (!min || !max) return std::nullopt;
    // A linear bound is written as its shortest decimal, read as a double.
    const auto as_written = [](float value) {
        char text[32];
        const auto result = std::to_chars(text, text + sizeof text, value);
        return std::strtod(std::string(text, result.ptr).c_str(), nullptr);
    };
    Range range = log_scale ? Range{std::log10(double{*min}), std::log10(double{*max})}
                            : Range{as_written(*min), as_written(*max)};
    // Never empty or reversed: equal ends widen by 0.5 each way, a set bound
    // beyond the data keeps its place and the other end moves 1 past it;
    // far from 0, by a millionth of the value instead.
    if (!(range.min < range.max)) {
        const auto step = [](double at, double unit) { return std::max(unit, std::abs(at) * 1e-6); };
        if (view.min && !view.max) {
            range.max = range.min + step(range.min, 1.0);
        } else if (view.max && !view.min) {
            range.min = range.max - step(range.max, 1.0);
        } else {
            const double middle = range.min;
            range = Range{middle - step(middle, 0.5), middle + step(middle, 0.5)};
        }
    }
    return range;
}

// An array of `size` elements, or fail naming it.
const json& sized_array(const json& value, std::size_t size, const Name& name) {
    if (!value.is_array() || value.size() != size) {
        fail_check(name() + " should be an array of " + std::to_string(size), printable(value.dump(), 2000));
    }
    return value;
}

void check_z(const json& z, const StatisticView& view, bool log_scale) {
    sized_array(z, view.n_layers, [] { return std::string("z"); });
    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        const json& row = sized_array(z[layer], view.seq_len, [&] { return indexed("z", {layer}); });
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            const float value = view.stats[layer * view.seq_len + position];
            check_float(row[position], log_scale ? log10_or_nan(value) : value, [&] {
                return indexed("z", {layer, position});
            });
        }
    }
}

void check_colorscale(const json& colorscale) {
    const auto shown = [&] { return colorscale.dump(); };
    check(colorscale.is_array() && colorscale.size() >= 2, "colorscale should have two stops or more", shown);
    double previous = 0;
    for (std::size_t i = 0; i < colorscale.size(); ++i) {
        const json& stop = colorscale[i];
        check(stop.is_array() && stop.size() == 2 && stop[0].is_number() && stop[1].is_string(),
              "a colorscale stop should be [position, colour]", shown);
        const double position = stop[0].get<double>();
        check(position >= previous && position <= 1, "colorscale positions should rise from 0 to 1", shown);
        check(i > 0 || position == 0, "colorscale should start at 0", shown);
        check(i + 1 < colorscale.size() || position == 1, "colorscale should end at 1", shown);
        previous = position;
    }
}

json expected_colorbar_title(const StatisticView& view) {
    std::string title = view.name;
    if (view.units && !view.units->empty()) title += " (" + *view.units + ")";
    return {{"text", plotly_escaped(title)}, {"side", "right"}};
}

// The value a log colour bar's tick label names: "2", "0.05",
// "10<sup>3</sup>", "2.5×10<sup>−7</sup>"; NaN for anything else.
double tick_label_value(const std::string& label) {
    const std::string minus = "\u2212";
    const std::string times = "\u00D7";
    const auto decimal = [](std::string_view text) {
        if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        return std::strtod(std::string(text).c_str(), nullptr);
    };
    const std::size_t power = label.find("10<sup>");
    if (power == std::string::npos) return decimal(label);
    if (!label.ends_with("</sup>")) return std::numeric_limits<double>::quiet_NaN();
    double mantissa = 1;
    if (power > 0) {
        if (power < times.size() || label.compare(power - times.size(), times.size(), times) != 0) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        mantissa = decimal(std::string_view(label).substr(0, power - times.size()));
    }
    std::string exponent = label.substr(power + 7, label.size() - power - 7 - 6);
    bool negative = false;
    if (exponent.starts_with(minus)) {
        negative = true;
        exponent = exponent.substr(minus.size());
    }
    if (exponent.empty() || exponent.find_first_not_of("0123456789") != std::string::npos) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return mantissa * std::pow(10.0, (negative ? -1.0 : 1.0) * std::strtod(exponent.c_str(), nullptr));
}

// A colour bar: its title, and on a log scale labelled ticks as documented:
// inside the range, each at log10 of the value its label names, rising;
// one for a range of one value, else three or more; the powers of ten,
// written with superscripts, when three or more fit.
void check_colorbar(const json& colorbar, const StatisticView& view, const std::optional<Range>& range,
                    bool log_scale) {
    const auto shown = [&] { return colorbar.dump(); };
    check_equal(member(colorbar, "title", "colorbar"), expected_colorbar_title(view),
                [] { return std::string("colorbar.title"); });
    check(colorbar.size() == (log_scale ? 4u : 1u), "the colour bar has other keys than expected", shown);
    if (!log_scale) return;
    check_equal(member(colorbar, "tickmode", "colorbar"), "array", [] { return std::string("colorbar.tickmode"); });
    const json& values = member(colorbar, "tickvals", "colorbar");
    const json& texts = member(colorbar, "ticktext", "colorbar");
    check(values.is_array() && texts.is_array() && values.size() == texts.size(),
          "tickvals and ticktext should be arrays of one length", shown);
    if (!range || !std::isfinite(range->min) || !std::isfinite(range->max)) {
        check(values.empty(), "a colour bar without a finite range (a bound set to infinity) should have no ticks",
              shown);
        return;
    }
    const double low = range->min;
    const double high = range->max;
    const std::size_t count = values.size();
    check(low == high ? count == 1 : count >= 3 && count <= 12,
          "a log colour bar over [" + std::to_string(low) + ", " + std::to_string(high) +
              "] should have 3 to 12 ticks (1 for one value)",
          shown);
    // As documented: a tick within 1e-7 outside a bound counts as inside.
    const auto slack = [](double) { return 1e-7; };
    const auto first_power = std::ceil(low - slack(low));
    const auto last_power = std::floor(high + slack(high));
    const bool powers_only = last_power - first_power + 1 >= 3;
    double previous = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < count; ++i) {
        check(values[i].is_number() && texts[i].is_string(), "a tick should be a number and a label", shown);
        const double value = values[i].get<double>();
        const std::string text = texts[i].get<std::string>();
        check(value >= low - slack(low) && value <= high + slack(high), "a tick lies outside the colour range", shown);
        check(value > previous, "the ticks should rise", shown);
        previous = value;
        const double named = tick_label_value(text);
        // A tick of a range of one value is labelled with the value's
        // shortest float32 text, which reads back to 1e-7 of it.
        check(std::abs(std::log10(named) - value) < 1e-7 * std::max(1.0, std::abs(value)),
              "the tick labelled " + text + " is not at log10 of its value", shown);
        check(!powers_only || (text.starts_with("10<sup>") && value == std::round(value)),
              "with three or more powers of ten in range, the ticks should be the powers", shown);
    }
}

// The hover box's value of a cell, as documented: whole numbers in full,
// others to four significant digits (as %.4g in the C locale); NaN and
// infinities named.
std::string hover_value_text(float value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "\u221E" : "\u2212\u221E";
    const double exact = value + 0.0;  // -0 shows as 0
    char text[64];
    const auto [end, error] = std::trunc(exact) == exact && std::abs(exact) < 1e15
                                  ? std::to_chars(text, text + sizeof text, exact, std::chars_format::fixed, 0)
                                  : std::to_chars(text, text + sizeof text, exact, std::chars_format::general, 4);
    check(error == std::errc{}, "the expected hover value does not fit its buffer");
    return std::string(text, end);
}

// Text of the statistic in a hovertemplate, shown literally: markup and %
// (as &#37;) escaped.
std::string template_literal(const std::string& text) {
    std::string escaped;
    for (const char c : plotly_escaped(text)) escaped += c == '%' ? std::string("&#37;") : std::string(1, c);
    return escaped;
}

std::string hover_value_line(const StatisticView& view, std::size_t index) {
    std::string line = template_literal(view.name) + ": %{customdata[" + std::to_string(index) + "]}";
    if (view.units && !view.units->empty()) line += " " + template_literal(*view.units);
    return line;
}

void check_customdata(const json& customdata, const StatisticView& view, bool hover_value) {
    const std::size_t cols = view.hover_cols;
    const std::size_t table = view.hover_rows * cols;
    const std::size_t per_cell = table + (hover_value ? 1 : 0);
    // Each column is as wide as its longest entry plus one, at most 10.
    std::vector<std::size_t> widths(cols, 0);
    for (std::size_t i = 0; i < view.hover_entries.size(); ++i) {
        widths[i % cols] = std::max(widths[i % cols], code_point_count(view.hover_entries[i]));
    }
    for (std::size_t& width : widths) width = std::min<std::size_t>(width + 1, 10);

    sized_array(customdata, view.n_layers, [] { return std::string("customdata"); });
    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        sized_array(customdata[layer], view.seq_len, [&] { return indexed("customdata", {layer}); });
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            const json& cell = sized_array(customdata[layer][position], per_cell, [&] {
                return indexed("customdata", {layer, position});
            });
            if (hover_value) {
                check_equal(cell[table], hover_value_text(view.stats[layer * view.seq_len + position]), [&] {
                    return indexed("customdata", {layer, position, table});
                });
            }
            const std::size_t first = (layer * view.seq_len + position) * table;
            for (std::size_t k = 0; k < table; ++k) {
                check_equal(cell[k], plotly_escaped(fit_left(view.hover_entries[first + k], widths[k % cols])), [&] {
                    return indexed("customdata", {layer, position, k});
                });
            }
        }
    }
}

json expected_text(const StatisticView& view) {
    json text = json::array();
    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        json row = json::array();
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            row.push_back(plotly_escaped((*view.cell_labels)[layer * view.seq_len + position]));
        }
        text.push_back(row);
    }
    return text;
}

}  // namespace

std::string hovertemplate(std::size_t rows, std::size_t cols) {
    std::string result;
    std::size_t index = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        for (std::size_t col = 0; col < cols; ++col) result += "%{customdata[" + std::to_string(index++) + "]}";
        result += "<br>";
    }
    return result + "<extra></extra>";
}

void check_heatmap_trace(const json& trace, const StatisticView& view, const Drawing& drawing) {
    check(trace.is_object(), "the trace is not an object", [&] { return trace.dump(); });
    // Keys extra_json sets are compared by check_merge_patch instead.
    const auto patched = [&](const std::string& key) { return drawing.patch && drawing.patch->contains(key); };
    std::set<std::string> expected_keys = {"type", "y", "z", "colorscale", "colorbar"};
    if (view.sequence_labels) expected_keys.insert("x");
    const std::optional<Range> range = colour_range(view, drawing.log_scale);
    if (range) expected_keys.insert({"zmin", "zmax"});
    if (view.cell_labels) expected_keys.insert({"text", "texttemplate"});
    // Cell text is sized, unless extra_json brings a texttemplate of its own
    // without a size (then plotly.js sizes it).
    const bool has_text = view.cell_labels && std::any_of(view.cell_labels->begin(), view.cell_labels->end(),
                                                          [](const std::string& label) { return !label.empty(); });
    const bool own_template =
        patched("texttemplate") && !(drawing.patch->contains("textfont") && (*drawing.patch)["textfont"].is_object() &&
                                     (*drawing.patch)["textfont"].contains("size"));
    if (has_text && !own_template) expected_keys.insert("textfont");
    if (!view.hover_entries.empty()) expected_keys.insert({"customdata", "hovertemplate", "hoverlabel"});
    if (drawing.hover_value) expected_keys.insert({"customdata", "hovertemplate"});

    for (const auto& [key, value] : trace.items()) {
        check(expected_keys.count(key) == 1 || patched(key), "the trace has an unexpected key \"" + key + "\"",
              [&] { return trace.dump(); });
        check(!patched(key) || !(*drawing.patch)[key].is_null(),
              "the trace kept \"" + key + "\", which extra_json removes");
    }
    for (const std::string& key : expected_keys) {
        if (patched(key)) continue;
        const json& value = member(trace, key, "the trace");
        const auto name = [&] { return key; };
        if (key == "type") {
            check_equal(value, "heatmap", name);
        } else if (key == "x") {
            check_categories(value, *view.sequence_labels, "x");
        } else if (key == "y") {
            check_categories(value, view.layer_labels, "y");
        } else if (key == "z") {
            check_z(value, view, drawing.log_scale);
        } else if (key == "zmin" || key == "zmax") {
            const double expected = key == "zmin" ? range->min : range->max;
            if (drawing.log_scale && !std::isfinite(expected)) {
                check(value.is_null(), key + " should be null, for a bound of infinity", [&] { return value.dump(); });
            } else if (drawing.log_scale) {
                // Widened onto a tick within two float32 steps of it, at most.
                check(value.is_number() && std::abs(value.get<double>() - expected) <= 1e-7,
                      key + " should be log10 of the bound, " + std::to_string(expected), [&] { return value.dump(); });
            } else if (!std::isfinite(expected)) {
                check(value.is_null(), key + " should be null, for a bound of infinity", [&] { return value.dump(); });
            } else {
                // A bound as written, or a range widened beyond float32's.
                check(value.is_number() && value.get<double>() == expected,
                      key + " should be " + std::to_string(expected), [&] { return value.dump(); });
            }
        } else if (key == "colorscale") {
            check_colorscale(value);
        } else if (key == "colorbar") {
            check_colorbar(value, view, range, drawing.log_scale);
        } else if (key == "textfont") {
            check(value.is_object() && value.size() == 1 && value.contains("size") &&
                      value["size"].is_number_integer() && value["size"].get<int>() >= 6 &&
                      value["size"].get<int>() <= 12,
                  "textfont should be {\"size\": 6 to 12}", [&] { return value.dump(); });
        } else if (key == "text") {
            check_equal(value, expected_text(view), name);
        } else if (key == "texttemplate") {
            check_equal(value, "<b>%{text}</b>", name);
        } else if (key == "customdata") {
            check_customdata(value, view, drawing.hover_value);
        } else if (key == "hovertemplate") {
            const std::size_t table = view.hover_rows * view.hover_cols;
            const std::string line = drawing.hover_value ? hover_value_line(view, table) : "";
            check_equal(value,
                        table == 0
                            ? line + "<extra></extra>"
                            : (line.empty() ? "" : line + "<br>") + hovertemplate(view.hover_rows, view.hover_cols),
                        name);
        } else if (key == "hoverlabel") {
            check_equal(value, json{{"bgcolor", "rgb(42, 42, 50)"}, {"font", {{"family", "Monospace"}}}}, name);
        }
    }
    // plotly.js draws only the ticks within zmin..zmax.
    if (drawing.log_scale && range && !patched("colorbar") && !patched("zmin") && !patched("zmax") &&
        trace["zmin"].is_number() && trace["zmax"].is_number()) {
        const double zmin = trace["zmin"].get<double>();
        const double zmax = trace["zmax"].get<double>();
        for (const json& tick : trace["colorbar"]["tickvals"]) {
            const double value = tick.get<double>();
            check(value >= std::min(zmin, zmax) && value <= std::max(zmin, zmax),
                  "a colour bar tick lies outside zmin..zmax, where plotly.js does not draw it", [&] {
                      return trace["colorbar"].dump() + " zmin " + std::to_string(zmin) + " zmax " +
                             std::to_string(zmax);
                  });
        }
    }
}

void check_figure(const json& figure, const StatisticView& view, const Drawing& drawing) {
    check(figure.is_object() && figure.size() == 2, "a figure should hold exactly data and layout",
          [&] { return figure.dump(); });
    const json& data = sized_array(member(figure, "data", "the figure"), 1, [] { return std::string("data"); });
    check_heatmap_trace(data[0], view, drawing);

    json layout = {
        {"title", {{"text", plotly_escaped(drawing.title)}, {"x", 0.5}}},
        {"width", 200 + drawing.token_width * view.seq_len},
        {"xaxis", {{"title", {{"text", "Input"}}}, {"type", "category"}}},
        {"yaxis", {{"title", {{"text", "Layer"}}}, {"type", "category"}}},
    };
    if (drawing.height > 0) layout["height"] = drawing.height;
    if (drawing.responsive) {
        layout.erase("width");
        layout["autosize"] = true;
    }
    check_equal(member(figure, "layout", "the figure"), layout, [] { return std::string("layout"); });
}

void check_merge_patch(const json& unpatched, const json& patch, const json& patched) {
    json expected = unpatched;
    // A texttemplate of the caller's own takes the library's text size away,
    // unless the patch sizes the text itself.
    const bool sizes_text =
        patch.contains("textfont") && patch["textfont"].is_object() && patch["textfont"].contains("size");
    if (patch.contains("texttemplate") && !sizes_text) expected.erase("textfont");
    expected.merge_patch(patch);
    check_equal(patched, expected, [] { return std::string("the trace with extra_json merged"); });
}

// ---------------------------------------------------------------------------
// HTML pages

namespace {

struct Tag {
    std::size_t begin;  // at '<'
    std::size_t end;    // past '>'
    std::string_view text;
};

std::vector<std::string> expected_tag_names(const ExpectedPage& expected) {
    std::vector<std::string> names;
    if (expected.full_html) names = {"!DOCTYPE", "html", "head", "meta", "title", "/title", "/head", "body"};
    names.push_back("div");
    if (expected.plotlyjs != PlotlyJsSource::none) names.insert(names.end(), {"script", "/script"});
    names.insert(names.end(), {"div", "/div", "script", "/script", "/div"});
    if (expected.full_html) names.insert(names.end(), {"/body", "/html"});
    return names;
}

std::string tag_name(std::string_view tag) {
    std::size_t end = 1;
    if (end < tag.size() && (tag[end] == '/' || tag[end] == '!')) ++end;
    const auto ascii_alphanumeric = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    while (end < tag.size() && ascii_alphanumeric(tag[end])) ++end;
    return std::string(tag.substr(1, end - 1));
}

bool is_blank(std::string_view text) { return text.find_first_not_of(" \n") == std::string_view::npos; }

}  // namespace

namespace {

// The elements trajplot's SVG is drawn with (src/figures/image_svg.cpp).
constexpr std::string_view svg_elements[] = {"svg", "title", "defs", "linearGradient", "stop",
                                             "g",   "rect",  "path", "text",           "tspan"};

bool is_name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':' ||
           c == '_';
}

// The escaped characters of a text or attribute value, up to `end`: each
// '&' starts an entity of XML's five or a character reference.
void check_xml_characters(std::string_view text, std::string_view where) {
    for (std::size_t at = 0; at < text.size(); ++at) {
        check(text[at] != '<', "a raw '<' in the SVG's " + std::string(where), [&] { return printable(text, 300); });
        if (text[at] != '&') continue;
        const std::size_t semicolon = text.find(';', at);
        check(semicolon != std::string_view::npos, "an '&' without ';' in the SVG's " + std::string(where),
              [&] { return printable(text.substr(at), 300); });
        const std::string_view entity = text.substr(at + 1, semicolon - at - 1);
        const bool named = entity == "amp" || entity == "lt" || entity == "gt" || entity == "quot" || entity == "apos";
        const bool decimal = entity.size() > 1 && entity[0] == '#' &&
                             entity.find_first_not_of("0123456789", 1) == std::string_view::npos;
        const bool hexadecimal = entity.size() > 2 && entity[0] == '#' && entity[1] == 'x' &&
                                 entity.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
        check(named || decimal || hexadecimal, "an unknown entity in the SVG's " + std::string(where),
              [&] { return printable(entity, 300); });
        at = semicolon;
    }
}

double svg_length(const std::map<std::string, std::string>& attributes, const std::string& name) {
    const auto found = attributes.find(name);
    check(found != attributes.end(), "the SVG's root has no " + name);
    double value = 0;
    const char* end = found->second.data() + found->second.size();
    const auto parsed = std::from_chars(found->second.data(), end, value);
    check(parsed.ec == std::errc() && parsed.ptr == end, "the SVG's " + name + " is not a number",
          [&] { return found->second; });
    return value;
}

}  // namespace

void check_svg_image(std::string_view svg, double width, double height) {
    check(is_valid_utf8(svg), "the SVG is not valid UTF-8");
    constexpr std::string_view declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    check(svg.starts_with(declaration), "the SVG does not start with its XML declaration",
          [&] { return printable(svg, 200); });
    std::vector<std::string> open;
    std::map<std::string, std::string> root;
    bool root_closed = false;
    std::size_t at = declaration.size();
    while (at < svg.size()) {
        const std::size_t tag = svg.find('<', at);
        const std::string_view text = svg.substr(at, tag == std::string_view::npos ? svg.size() - at : tag - at);
        if (open.empty()) {
            check(text.find_first_not_of(" \n") == std::string_view::npos, "text outside the SVG's root",
                  [&] { return printable(text, 300); });
        } else {
            check_xml_characters(text, "text");
        }
        if (tag == std::string_view::npos) break;
        check(!root_closed, "an element after the SVG's root", [&] { return printable(svg.substr(tag), 300); });
        at = tag + 1;
        const bool closing = at < svg.size() && svg[at] == '/';
        if (closing) ++at;
        const std::size_t name_end = std::find_if_not(svg.begin() + at, svg.end(), is_name_character) - svg.begin();
        const std::string name(svg.substr(at, name_end - at));
        check(std::find(std::begin(svg_elements), std::end(svg_elements), name) != std::end(svg_elements),
              "an element trajplot does not draw with in the SVG", [&] { return printable(svg.substr(tag), 300); });
        at = name_end;
        if (closing) {
            check(svg.substr(at, 1) == ">" && !open.empty() && open.back() == name,
                  "an SVG end tag that closes no open element", [&] { return printable(svg.substr(tag), 300); });
            open.pop_back();
            root_closed = open.empty();
            ++at;
            continue;
        }
        check(open.empty() == (name == "svg"), "the SVG's root is not its one <svg>",
              [&] { return printable(svg.substr(tag), 300); });
        std::map<std::string, std::string> attributes;
        for (;;) {
            const std::size_t next = svg.find_first_not_of(" \n", at);
            check(next != std::string_view::npos, "an SVG tag that does not end");
            if (svg[next] == '>' || svg.substr(next, 2) == "/>") {
                const bool empty = svg[next] == '/';
                at = next + (empty ? 2 : 1);
                if (!empty) open.push_back(name);
                root_closed = open.empty();
                break;
            }
            check(next > at, "SVG attributes not separated by a space",
                  [&] { return printable(svg.substr(tag), 300); });
            const std::size_t equals = svg.find("=\"", next);
            check(equals != std::string_view::npos &&
                      std::all_of(svg.begin() + next, svg.begin() + equals, is_name_character) && equals > next,
                  "an SVG attribute that is not name=\"value\"", [&] { return printable(svg.substr(next), 300); });
            const std::size_t value_end = svg.find('"', equals + 2);
            check(value_end != std::string_view::npos, "an SVG attribute value that does not end");
            const std::string_view value = svg.substr(equals + 2, value_end - equals - 2);
            check_xml_characters(value, "attribute values");
            const bool added =
                attributes.emplace(std::string(svg.substr(next, equals - next)), std::string(value)).second;
            check(added, "an SVG element with a repeated attribute", [&] { return printable(svg.substr(tag), 300); });
            at = value_end + 1;
        }
        if (name == "svg") root = std::move(attributes);
    }
    check(root_closed, "the SVG's root is not closed", [&] { return printable(svg.substr(svg.size() - 200), 300); });
    const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); };
    const double given_width = svg_length(root, "width");
    const double given_height = svg_length(root, "height");
    check(near(given_width, width) && near(given_height, height), "the SVG is not the figure's size times the scale",
          [&] {
              return std::to_string(given_width) + " x " + std::to_string(given_height) + ", expected " +
                     std::to_string(width) + " x " + std::to_string(height);
          });
}

json check_html_page(std::string_view page, const ExpectedPage& expected) {
    const auto shown = [&] { return printable(page, 3000); };
    check(is_valid_utf8(page), "the page is not valid UTF-8", shown);
    check(page.find("<!--") == std::string_view::npos, "the page opens a comment", shown);

    // Every '<' must open one of the template's tags: data that made one
    // of its own has injected markup or ended an element early.
    std::vector<Tag> tags;
    for (std::size_t at = page.find('<'); at != std::string_view::npos; at = page.find('<', at + 1)) {
        const std::size_t close = page.find('>', at);
        check(close != std::string_view::npos, "the page has a '<' that opens no tag", shown);
        tags.push_back({at, close + 1, page.substr(at, close + 1 - at)});
    }
    std::vector<std::string> names;
    for (const Tag& tag : tags) names.push_back(tag_name(tag.text));
    const std::vector<std::string> expected_names = expected_tag_names(expected);
    std::string listed;
    for (const std::string& name : names) listed += name + " ";
    check(names == expected_names, "the page's tags are not the template's",
          [&] { return "tags: " + listed + "\n" + shown(); });
    // The same count of "<script" and "</script" in any letter case: none
    // hides inside a tag either.
    std::size_t openings = 0;
    std::size_t closings = 0;
    for (std::size_t at = find_ascii_case_insensitive(page, "<script"); at != std::string_view::npos;
         at = find_ascii_case_insensitive(page, "<script", at + 1)) {
        ++openings;
    }
    for (std::size_t at = find_ascii_case_insensitive(page, "</script"); at != std::string_view::npos;
         at = find_ascii_case_insensitive(page, "</script", at + 1)) {
        ++closings;
    }
    const std::size_t scripts = expected.plotlyjs == PlotlyJsSource::none ? 1 : 2;
    check(openings == scripts && closings == scripts, "the page has a stray \"<script\" or \"</script\"", shown);

    std::size_t next = 0;
    // Tags that may follow text: the title's end and each script's end.
    std::set<std::size_t> after_text;
    const auto expect_tag = [&](std::string_view text) {
        check(tags[next].text == text, "tag " + std::to_string(next) + " should be " + printable(text),
              [&] { return "got " + printable(tags[next].text); });
        ++next;
    };
    // Text between two tags that holds no data.
    const auto blank_before = [&](std::size_t tag) {
        return is_blank(page.substr(tags[tag - 1].end, tags[tag].begin - tags[tag - 1].end));
    };
    if (expected.full_html) {
        check(page.substr(0, tags[0].begin).empty(), "the page should start with its doctype", shown);
        for (const std::string_view text :
             {"<!DOCTYPE html>", "<html>", "<head>", "<meta charset=\"utf-8\">", "<title>"}) {
            expect_tag(text);
        }
        const std::string_view title = page.substr(tags[next - 1].end, tags[next].begin - tags[next - 1].end);
        after_text.insert(next);
        check(title == html_escaped(expected.title), "the page's title is not the escaped title",
              [&] { return printable(title) + " vs " + printable(html_escaped(expected.title)); });
        for (const std::string_view text : {"</title>", "</head>", "<body>"}) expect_tag(text);
    }
    expect_tag("<div>");
    switch (expected.plotlyjs) {
        case PlotlyJsSource::cdn: {
            const std::string_view tag = tags[next++].text;
            check(tag.starts_with("<script src=\"https://cdn.plot.ly/plotly-") &&
                      tag.ends_with(".min.js\" charset=\"utf-8\">"),
                  "the plotly.js tag should load it from the CDN", [&] { return printable(tag); });
            expect_tag("</script>");
            break;
        }
        case PlotlyJsSource::src:
            expect_tag("<script src=\"" + html_escaped(expected.location) + "\" charset=\"utf-8\">");
            expect_tag("</script>");
            break;
        case PlotlyJsSource::inline_file: {
            expect_tag("<script type=\"text/javascript\">");
            const std::string_view code = page.substr(tags[next - 1].end, tags[next].begin - tags[next - 1].end);
            after_text.insert(next);
            check(code == expected.location, "the inlined plotly.js differs from the file",
                  [&] { return printable(code); });
            expect_tag("</script>");
            break;
        }
        case PlotlyJsSource::none: break;
    }
    const std::string div = "<div id=\"" + expected.div_id + "\" class=\"plotly-graph-div\"" +
                            (expected.responsive ? " style=\"width:100%;height:100%;\"" : "") + ">";
    expect_tag(div);
    expect_tag("</div>");
    expect_tag("<script type=\"text/javascript\">");
    const std::size_t script_tag = next - 1;
    const std::string_view script = page.substr(tags[script_tag].end, tags[next].begin - tags[script_tag].end);
    after_text.insert(next);
    expect_tag("</script>");
    expect_tag("</div>");
    if (expected.full_html) {
        expect_tag("</body>");
        expect_tag("</html>");
    }
    for (std::size_t tag = 1; tag < tags.size(); ++tag) {
        check(after_text.count(tag) == 1 || blank_before(tag),
              "the page has text between tags " + std::to_string(tag - 1) + " and " + std::to_string(tag), shown);
    }
    check(is_blank(page.substr(tags.back().end)), "the page has text after its last tag", shown);

    // The script: the figure as JSON, then the call that draws it.
    constexpr std::string_view figure_start = "\n(function () {\n  var figure = ";
    const std::string figure_end =
        ";\n  Plotly.newPlot(document.getElementById(\"" + expected.div_id +
        "\"), figure.data, figure.layout, {\"responsive\": " + (expected.responsive ? "true" : "false") +
        "});\n})();\n";
    check(script.starts_with(figure_start) && script.ends_with(figure_end), "the figure's script is not the template's",
          [&] { return printable(script, 3000); });
    const std::string_view figure =
        script.substr(figure_start.size(), script.size() - figure_start.size() - figure_end.size());
    check(figure.find_first_of("<>&") == std::string_view::npos, "the figure JSON in the page holds a raw < > or &",
          [&] { return printable(figure, 3000); });
    check(
        figure.find("\xE2\x80\xA8") == std::string_view::npos && figure.find("\xE2\x80\xA9") == std::string_view::npos,
        "the figure JSON in the page holds a raw U+2028 or U+2029", [&] { return printable(figure, 3000); });
    return parse_output_json(figure, "the figure JSON in the page");
}

json figure_as_drawn(json figure, bool responsive) {
    if (responsive) {
        figure["layout"].erase("width");
        figure["layout"]["autosize"] = true;
    }
    return figure;
}

}  // namespace trajplot_fuzz
