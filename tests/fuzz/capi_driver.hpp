// Calls into the C API for the harnesses, each checked against what the
// header documents: the status a call must return for its arguments (or
// the statuses it may fail with), the thread's error state after a failure,
// and every output of a success.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
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

struct FigureDeleter {
    void operator()(trajplot_figure* figure) const { trajplot_figure_free(figure); }
};
using FigureHandle = std::unique_ptr<trajplot_figure, FigureDeleter>;

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

// How a statistic is drawn (trajplot_panel_options) and the figure around
// it (trajplot_figure_options); absent strings are passed as NULL.
struct FigureRequest {
    // Panel options
    unsigned int panel_version = TRAJPLOT_PANEL_OPTIONS_VERSION;
    std::optional<std::string> panel_title;  // a figure of one statistic has none
    std::optional<std::string> colorscale;
    std::optional<std::string> extra_json;
    bool log_scale = false;
    bool hover_value = false;
    // Figure options
    unsigned int figure_version = TRAJPLOT_FIGURE_OPTIONS_VERSION;
    std::optional<std::string> title;
    std::size_t token_width = 80;
    std::size_t height = 0;
    // The options are passed as NULL when these are set and they are the
    // defaults.
    bool null_panel = false;
    bool null_figure = false;
    // The caller's locale during the calls (CallerLocale).
    std::size_t locale = 0;

    // Point into this request, which must outlive them.
    trajplot_panel_options panel_options() const;
    trajplot_figure_options figure_options() const;
    // What the figure calls are passed: the options, or NULL.
    const trajplot_panel_options* panel_argument(const trajplot_panel_options& options) const;
    const trajplot_figure_options* figure_argument(const trajplot_figure_options& options) const;
    // How the figure of one statistic is drawn: its title as stored, and
    // the merge patch.
    Drawing drawing(bool responsive = false) const;
};

// The export options of a request. `inline_contents` is what the inlined
// file holds, when plotlyjs is TRAJPLOT_PLOTLYJS_INLINE and the file is
// readable.
struct ExportRequest {
    unsigned int version = TRAJPLOT_EXPORT_OPTIONS_VERSION;
    int format = TRAJPLOT_FORMAT_FIGURE_JSON;
    int plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
    std::optional<std::string> location;
    std::optional<std::string> div_id;
    bool full_html = true;
    bool responsive = false;
    std::optional<std::string> inline_contents;
    double scale = 1.0;  // images only
    // Passed as NULL when set and the options are NULL's (figure JSON).
    bool null_options = false;

    trajplot_export_options options() const;
    const trajplot_export_options* argument(const trajplot_export_options& options) const;
};

// Where an export goes besides a returned string and the write function,
// which every export is written to and compared across.
struct Destinations {
    bool save = true;         // into a new file too
    bool with_length = true;  // out_len given to trajplot_figure_export
    // A write function that stops the export: it takes this many pieces,
    // then returns stop_value (nonzero). SIZE_MAX: it never stops.
    std::size_t stop_after = SIZE_MAX;
    int stop_value = 1;
    // A save that must fail with EIO (made whatever `save` says): 0 none,
    // 1 a file under a missing directory named by `missing_name` (any bytes
    // but '/'), 2 a path that is a directory.
    int bad_target = 0;
    std::string missing_name;
};

// Whether a colourscale name is one of plotly.py's, in any case, with an
// optional "_r".
bool is_known_colorscale(const std::string& name);

// Whether an extra_json text (as the library sees it) is usable: empty, or
// a JSON object nested at most 512 deep.
bool is_usable_extra_json(const std::string& text);

// What trajplot_figure_create must fail with for `view` drawn as `request`
// asks (empty: it must succeed).
Statuses expected_create_failures(const StatisticView& view, const FigureRequest& request);
// What the panel options of `request` must fail with for `view`.
Statuses expected_panel_failures(const StatisticView& view, const FigureRequest& request);
// What an export of a figure (stacked or not) with `request` must fail with.
Statuses expected_export_failures(const ExportRequest& request, bool stacked);

// The page an HTML export with `request` must be, titled `title`.
ExpectedPage expected_page(const std::string& title, const ExportRequest& request);
// The page title of the figure of one statistic: its title, else the name.
std::string page_title(const StatisticView& view, const FigureRequest& figure);

// Creates the figure of one statistic, checking the call (under the
// request's locale) and the figure's shape; null when it was refused, as
// it had to be.
FigureHandle create_figure(const trajplot_statistic* statistic, const StatisticView& view,
                           const FigureRequest& request);

// Exports `figure` with `request` into a string, through a write function
// (whole, and stopped as `destinations` says), and into files as
// `destinations` says: every call
// must succeed or fail alike, with one of `failures`, and every success
// must hold the same bytes. `refusable`: statuses the export may end with
// where a success was expected, failing then everywhere alike. Returns the
// bytes; nullopt when refused.
std::optional<std::string> export_everywhere(const trajplot_figure* figure, const ExportRequest& request,
                                             const Statuses& failures, std::size_t locale,
                                             const Destinations& destinations = {}, const Statuses& refusable = {});

// The figure of one statistic made and exported as the requests say, its
// output checked against `view`: a trace or figure with extra_json against
// the one without it, a trace against its figure's, a page's figure
// against the figure JSON.
void exercise_figure(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                     const ExportRequest& request, const Destinations& destinations = {});

// A stacked figure of `views.size()` panels, statistics[0] on top.
struct StackRequest {
    FigureRequest figure;               // the figure options and locale
    std::vector<FigureRequest> panels;  // one per panel: its panel options
    bool null_panels = false;           // pass `panels` as NULL when all are defaults
    std::optional<double> vertical_spacing;
    bool equal_panel_heights = false;
};

// Makes the stacked figure and exports it, checking the calls, the figure
// JSON's panels, sizes and titles, and the page's figure against it.
void exercise_stacked(const std::vector<const trajplot_statistic*>& statistics, const std::vector<StatisticView>& views,
                      const StackRequest& stack, const ExportRequest& request, const Destinations& destinations = {});

// A path in `directory` that names no file: "missing-" and `name`, with
// '/' taken out so that it stays in the directory.
std::string missing_path(const std::filesystem::path& directory, const std::string& name);

// Files for TRAJPLOT_PLOTLYJS_INLINE, made once in the scratch directory.
// Making them also names `usable` in TRAJPLOT_PLOTLYJS, so that the
// default, TRAJPLOT_PLOTLYJS_LOCAL, inlines it wherever the harness runs.
struct PlotlyJsFixtures {
    std::string usable;  // a small script the page may inline
    std::string usable_contents;
    // One the page may inline, longer than the library's 64 KiB pieces, so
    // that a page comes through a write function in several.
    std::string large;
    std::string large_contents;
    std::string closes_script;  // holds "</SCRIPT>": refused
    std::string opens_script;   // holds "<script": refused
    std::string empty;          // refused
    std::string missing;        // cannot be read (as missing_path(directory, ...))
    std::string directory;      // cannot be read
};
const PlotlyJsFixtures& plotlyjs_fixtures();

}  // namespace trajplot_fuzz
