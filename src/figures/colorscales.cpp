#include "trajplot/colorscales.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "trajplot/error.hpp"

namespace trajplot {
namespace {

struct StopLiteral {
    double position;
    const char* color;
};

struct NamedColorscale {
    std::string_view name;
    const StopLiteral* stops;
    std::size_t stop_count;
};

#include "colorscale_table.inc"

constexpr std::size_t colorscale_count = std::size(plotly_colorscales);

constexpr std::string_view reversed_suffix = "_r";

constexpr bool is_lowercase_ascii(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The lookup folds the requested name to lowercase and strips "_r" before
// searching, so a base name that is not lowercase, or that itself ends in
// "_r", could never be found.
constexpr bool base_names_are_searchable() {
    return std::all_of(std::begin(plotly_colorscales), std::end(plotly_colorscales), [](const NamedColorscale& scale) {
        return !scale.name.empty() && is_lowercase_ascii(scale.name) && !scale.name.ends_with(reversed_suffix) &&
               scale.stop_count >= 2;
    });
}
static_assert(base_names_are_searchable());

// Indices into plotly_colorscales sorted by name, so that a lookup is a
// binary search with nothing to build at run time.
constexpr std::array<std::size_t, colorscale_count> indices_by_name = [] {
    std::array<std::size_t, colorscale_count> indices{};
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    std::sort(indices.begin(), indices.end(),
              [](std::size_t a, std::size_t b) { return plotly_colorscales[a].name < plotly_colorscales[b].name; });
    return indices;
}();

constexpr bool base_names_are_unique() {
    return std::adjacent_find(indices_by_name.begin(), indices_by_name.end(), [](std::size_t a, std::size_t b) {
               return plotly_colorscales[a].name == plotly_colorscales[b].name;
           }) == indices_by_name.end();
}
static_assert(base_names_are_unique());

constexpr const NamedColorscale* find_base(std::string_view lowercase_name) {
    const auto found = std::lower_bound(
        indices_by_name.begin(), indices_by_name.end(), lowercase_name,
        [](std::size_t index, std::string_view name) { return plotly_colorscales[index].name < name; });
    if (found == indices_by_name.end() || plotly_colorscales[*found].name != lowercase_name) {
        return nullptr;
    }
    return &plotly_colorscales[*found];
}

// Named in the error message for an unknown name.
constexpr std::array<std::string_view, 3> example_names = {"rdbu", "viridis", "blues"};
static_assert(std::all_of(example_names.begin(), example_names.end(),
                          [](std::string_view name) { return find_base(name) != nullptr; }));

// Plotly's names are ASCII, and Python's str.lower() maps every ASCII
// letter the same way; folding only ASCII keeps the lookup locale-free.
std::string ascii_lowercase(std::string_view text) {
    std::string folded(text);
    for (char& c : folded) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return folded;
}

// The offending name as it appears in an error message: a caller's bytes
// may be anything, so the message stays printable ASCII and bounded.
std::string quoted_for_message(std::string_view name) {
    constexpr std::size_t shown_bytes = 64;
    std::string quoted = "\"";
    for (const char c : name.substr(0, shown_bytes)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (byte >= 0x20 && byte < 0x7f) {
            quoted += c;
        } else {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(byte));
            quoted += escaped;
        }
    }
    quoted += '"';
    if (name.size() > shown_bytes) {
        quoted += "... (" + std::to_string(name.size()) + " bytes)";
    }
    return quoted;
}

[[noreturn]] void fail_unknown(std::string_view name) {
    std::string message = "unknown colorscale " + quoted_for_message(name) + "; valid names are plotly.py's, e.g. ";
    for (const std::string_view example : example_names) {
        message += '"';
        message += example;
        message += "\", ";
    }
    message += "... (" + std::to_string(colorscale_count) + " in all, \"_r\" reverses)";
    fail(Errc::invalid_argument, message);
}

}  // namespace

Colorscale resolve_colorscale(std::string_view name) {
    const std::string folded = ascii_lowercase(name);

    // plotly.py tries the whole name before reading "_r" as a suffix.
    bool reversed = false;
    const NamedColorscale* scale = find_base(folded);
    if (scale == nullptr && std::string_view(folded).ends_with(reversed_suffix)) {
        scale = find_base(std::string_view(folded).substr(0, folded.size() - reversed_suffix.size()));
        reversed = true;
    }
    if (scale == nullptr) {
        fail_unknown(name);
    }

    // plotly.py spaces the stops of a named scale evenly and reverses only
    // the colour list, so the reversed scale keeps the ascending positions
    // (the generator checks this against plotly.py for every scale).
    Colorscale stops;
    stops.reserve(scale->stop_count);
    for (std::size_t i = 0; i < scale->stop_count; ++i) {
        const std::size_t color_index = reversed ? scale->stop_count - 1 - i : i;
        stops.push_back({scale->stops[i].position, scale->stops[color_index].color});
    }
    return stops;
}

const std::vector<std::string_view>& colorscale_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> in_plotly_order;
        in_plotly_order.reserve(colorscale_count);
        for (const NamedColorscale& scale : plotly_colorscales) {
            in_plotly_order.push_back(scale.name);
        }
        return in_plotly_order;
    }();
    return names;
}

}  // namespace trajplot
