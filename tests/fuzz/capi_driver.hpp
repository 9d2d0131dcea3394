// Calls into the C API for the harnesses, each checked against what the
// header documents: the status a call must return for its arguments (or
// the statuses it may fail with), the thread's error state after a failure,
// and every output of a success.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "trajplot.h"

namespace trajplot_fuzz {

// The statuses a call may fail with; empty when it must succeed.
using Statuses = std::vector<trajplot_status>;

// Checks a call's status against `expected_failures` and, for a failure,
// the thread's last error: the same status and a non-empty, valid UTF-8
// message. Returns whether the call succeeded.
bool expect_call(trajplot_status status, const char* function, const Statuses& expected_failures);

// A string handed to the C API as NUL-terminated: what the library sees of
// `bytes` (up to its first NUL).
std::string c_string_part(const std::string& bytes);

// Everything labels hold, read through the getters (each checked).
struct LabelsView {
    std::size_t n_layers = 0;
    std::size_t seq_len = 0;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
    std::vector<std::string> labels;         // n_layers x seq_len
    std::vector<std::string> hover_entries;  // n_layers x seq_len x hover_rows x hover_cols
};
LabelsView labels_view_of(const trajplot_labels* labels);

// Everything a statistic holds, read through the getters (each checked).
StatisticView view_of(const trajplot_statistic* statistic);

// The figure options of a request; absent strings are passed as NULL.
struct FigureRequest {
    unsigned int version = TRAJPLOT_FIGURE_OPTIONS_VERSION;
    std::optional<std::string> title;
    std::optional<std::string> colorscale;
    std::optional<std::string> extra_json;
    std::size_t token_width = 80;
    std::size_t height = 0;
    bool log_scale = false;
    bool hover_value = false;
    // The caller's locale during the export calls (CallerLocale).
    std::size_t locale = 0;

    // Points into this request, which must outlive it.
    trajplot_figure_options options() const;
    // How the figure is drawn: its title as stored, and the merge patch.
    Drawing drawing(bool responsive = false) const;
};

// The HTML options of a request. `inline_contents` is what the inlined
// file holds, when plotlyjs is TRAJPLOT_PLOTLYJS_INLINE and the file is
// readable.
struct HtmlRequest {
    unsigned int version = TRAJPLOT_HTML_OPTIONS_VERSION;
    int plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
    std::optional<std::string> location;
    std::optional<std::string> div_id;
    bool full_html = true;
    bool responsive = false;
    std::optional<std::string> inline_contents;

    trajplot_html_options options() const;
};

// Whether a colourscale name is one of plotly.py's, in any case, with an
// optional "_r".
bool is_known_colorscale(const std::string& name);

// Whether an extra_json text (as the library sees it) is usable: empty, or
// a JSON object nested at most 512 deep.
bool is_usable_extra_json(const std::string& text);

// What an export of `view` with `request` must fail with (empty: it must
// succeed). `whole_figure` for the figure exports (and pages), which also
// check the layout options.
Statuses expected_figure_failures(const StatisticView& view, const FigureRequest& request, bool whole_figure);
Statuses expected_html_failures(const StatisticView& view, const FigureRequest& figure, const HtmlRequest& html);

// The page an HTML export of `view` with these requests must be.
ExpectedPage expected_page(const StatisticView& view, const FigureRequest& figure, const HtmlRequest& html);

// Exports the statistic, checks the call and every output against `view`.
// The heatmap export with extra_json is also compared with the export
// without it; the page's figure with the figure export.
void exercise_heatmap_json(const trajplot_statistic* statistic, const StatisticView& view,
                           const FigureRequest& request);
void exercise_figure_json(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& request);
void exercise_figure_html(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                          const HtmlRequest& html);

// The file exports (selected by `which`: 0 heatmap JSON, 1 figure JSON,
// 2 HTML) into a scratch directory: the file must hold exactly what the
// in-memory export returns, and a failed call must leave no file behind.
// `target`: 0 a new file, 1 a path under a missing directory named by
// `missing_name` (any bytes but '/'), 2 a path that is a directory.
void exercise_file_export(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                          const HtmlRequest& html, int which, int target, const std::string& missing_name = {});

// A path in `directory` that names no file: "missing-" and `name`, with
// '/' taken out so that it stays in the directory.
std::string missing_path(const std::filesystem::path& directory, const std::string& name);

// Files for TRAJPLOT_PLOTLYJS_INLINE, made once in the scratch directory.
// Making them also names `usable` in TRAJPLOT_PLOTLYJS, so that the
// default, TRAJPLOT_PLOTLYJS_LOCAL, inlines it wherever the harness runs.
struct PlotlyJsFixtures {
    std::string usable;  // a small script the page may inline
    std::string usable_contents;
    std::string closes_script;  // holds "</SCRIPT>": refused
    std::string opens_script;   // holds "<script": refused
    std::string empty;          // refused
    std::string missing;        // cannot be read (as missing_path(directory, ...))
    std::string directory;      // cannot be read
};
const PlotlyJsFixtures& plotlyjs_fixtures();

}  // namespace trajplot_fuzz
