// Standalone HTML pages (or embeddable fragments) that draw a figure with
// plotly.js, as plotly.py's write_html does.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "trajplot/figure.hpp"

namespace trajplot {

// Where the page gets plotly.js from (plotly.py's include_plotlyjs).
enum class PlotlyJs {
    // The default: the local copy of plotly.js (local_plotlyjs()) inlined,
    // so that the page draws offline, as plotly.py's write_html inlines its
    // bundle; the CDN when there is no local copy.
    local,
    cdn,          // a <script src> on the official CDN, at the version trajplot is tested with
    src,          // a <script src> on `location`, a URL or path given by the caller
    inline_file,  // the contents of the local file `location` (a plotly.min.js), inlined: works offline
    none,         // no plotly.js: the embedding page already loads it
};

// The plotly.js build the CDN option points at; the browser tests run this
// version.
inline constexpr std::string_view plotlyjs_cdn_url = "https://cdn.plot.ly/plotly-4.1.2.min.js";

// The environment variable that names the plotly.js file PlotlyJs::local
// inlines, in place of the installed copy.
inline constexpr const char* plotlyjs_environment_variable = "TRAJPLOT_PLOTLYJS";

// The plotly.js that PlotlyJs::local inlines: the file named by
// TRAJPLOT_PLOTLYJS when that is set and not empty (used as given: an
// unreadable file is an error when the page is written, not a fallback),
// else the copy installed with trajplot, share/trajplot/plotly.min.js
// under the prefix of the library (or program) this code was loaded from,
// or beside it in a build tree; nullopt when there is none.
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

// Writes the page. Data cannot end the <script> element early or inject
// markup: every string in the figure's JSON has <, > and & escaped. Throws
// Error for a bad div_id, an unreadable inline file, or one that would
// end its <script> element itself; options are checked before writing.
void write_figure_html(std::ostream& out, const TrajectoryStatistic& statistic, const FigureOptions& figure = {},
                       const HtmlOptions& html = {});
std::string figure_html(const TrajectoryStatistic& statistic, const FigureOptions& figure = {},
                        const HtmlOptions& html = {});
// Replaces `path` atomically (see save_figure_json).
void save_figure_html(const std::filesystem::path& path, const TrajectoryStatistic& statistic,
                      const FigureOptions& figure = {}, const HtmlOptions& html = {});

// The stacked figure (write_stacked_figure_json) as a page.
void write_stacked_figure_html(std::ostream& out, std::span<const Panel> panels,
                               const StackedFigureOptions& figure = {}, const HtmlOptions& html = {});
std::string stacked_figure_html(std::span<const Panel> panels, const StackedFigureOptions& figure = {},
                                const HtmlOptions& html = {});
void save_stacked_figure_html(const std::filesystem::path& path, std::span<const Panel> panels,
                              const StackedFigureOptions& figure = {}, const HtmlOptions& html = {});

}  // namespace trajplot
