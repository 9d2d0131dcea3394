// Where an HTML page of a figure gets plotly.js from, and the page's own
// options (plotly.py's write_html arguments).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace trajplot {

// Where the page gets plotly.js from (plotly.py's include_plotlyjs).
enum class PlotlyJs {
    // The default: the local copy of plotly.js (local_plotlyjs()) inlined,
    // so that the page draws offline, as plotly.py's write_html inlines its
    // bundle; the CDN when there is no local copy.
    local,
    cdn,          // a <script src> on the official CDN, at the version trajplot is tested with
    src,          // a <script src> on `location`, a URL or path given by the caller
    inline_file,  // the contents of the local file `location` (a plotly.min.js), inlined
    none,         // no plotly.js: the embedding page already loads it
};

// The plotly.js build the CDN option points at; the build installs the same
// version, and the browser tests run it.
inline constexpr std::string_view plotlyjs_cdn_url = "https://cdn.plot.ly/plotly-4.1.2.min.js";

// The environment variable that names the plotly.js file PlotlyJs::local
// inlines, in place of the installed copy.
inline constexpr const char* plotlyjs_environment_variable = "TRAJPLOT_PLOTLYJS";

// The plotly.js that PlotlyJs::local inlines: the file named by
// TRAJPLOT_PLOTLYJS when that is set and not empty (used as given: an
// unreadable file is an error when the page is written, not a fallback),
// else the copy installed with trajplot, share/trajplot/plotly.min.js
// under the prefix of the library (or program) this code was loaded from,
// beside it in a build tree, or under the prefix configured at build time;
// nullopt when there is none.
std::optional<std::filesystem::path> local_plotlyjs();

struct HtmlOptions {
    PlotlyJs plotlyjs = PlotlyJs::local;
    std::string location{};
    // The id of the figure's <div>: letters, digits, '-', '_', starting
    // with a letter. Give each figure on one page its own.
    std::string div_id = "trajplot-figure";
    bool full_html = true;    // a whole document, or just a <div> to embed
    bool responsive = false;  // fill the width of the page and follow it
};

}  // namespace trajplot
