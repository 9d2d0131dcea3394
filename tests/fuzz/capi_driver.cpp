#include "capi_driver.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <system_error>

#include "trajplot/colorscales.hpp"

namespace trajplot_fuzz {
namespace {

std::string status_name(trajplot_status status) {
    switch (status) {
        case TRAJPLOT_OK: return "TRAJPLOT_OK";
        case TRAJPLOT_ERROR: return "TRAJPLOT_ERROR";
        case TRAJPLOT_EINVAL: return "TRAJPLOT_EINVAL";
        case TRAJPLOT_ENOMEM: return "TRAJPLOT_ENOMEM";
        case TRAJPLOT_ERANGE: return "TRAJPLOT_ERANGE";
        case TRAJPLOT_EIO: return "TRAJPLOT_EIO";
    }
    return "undocumented status " + std::to_string(static_cast<int>(status));
}

void add(Statuses& statuses, trajplot_status status) {
    if (std::find(statuses.begin(), statuses.end(), status) == statuses.end()) statuses.push_back(status);
}

// Plotly's largest exact integer (Number.MAX_SAFE_INTEGER): the most a
// figure's width or height may be.
constexpr std::uint64_t max_figure_size = (std::uint64_t{1} << 53) - 1;

// Values an output is set to before a call, to see that a failed call
// leaves it untouched.
char output_sentinel_storage;
char* const string_sentinel = &output_sentinel_storage;
constexpr std::size_t length_sentinel = 0x5A5A5A5A;

trajplot_figure* const figure_sentinel = reinterpret_cast<trajplot_figure*>(&output_sentinel_storage);

// A string the library returned: NUL-terminated at its length, released.
std::string take_string(char* text, std::size_t length, const char* function) {
    check(text != nullptr && text != string_sentinel, std::string(function) + " succeeded without a string");
    check(text[length] == '\0', std::string(function) + "'s string is not NUL-terminated at its length");
    std::string result(text, length);
    trajplot_string_free(text);
    return result;
}

// A borrowed string: valid UTF-8, NUL-terminated at its length.
std::string borrowed(const char* text, std::size_t length, const char* function) {
    check(text != nullptr, std::string(function) + " lent no string");
    check(text[length] == '\0', std::string(function) + "'s string is not NUL-terminated at its length");
    std::string result(text, length);
    check(is_valid_utf8(result), std::string(function) + " lent text that is not valid UTF-8",
          [&] { return printable(result); });
    return result;
}

void check_shape(const trajplot_figure* figure, bool stacked, std::size_t panels) {
    bool is_stacked = !stacked;
    std::size_t count = 0;
    expect_call(trajplot_figure_shape(&is_stacked, &count, figure), "trajplot_figure_shape", {});
    check(is_stacked == stacked && count == panels, "trajplot_figure_shape is not the figure's shape",
          [&] { return std::to_string(is_stacked) + ", " + std::to_string(count); });
    expect_call(trajplot_figure_shape(nullptr, nullptr, figure), "trajplot_figure_shape", {});
}

}  // namespace

LabelsView labels_view_of(const trajplot_labels* labels) {
    LabelsView view;
    expect_call(trajplot_labels_shape(&view.n_layers, &view.seq_len, &view.hover_rows, &view.hover_cols, labels),
                "trajplot_labels_shape", {});
    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        for (std::size_t position = 0; position < view.seq_len; ++position) {
            const char* text = nullptr;
            std::size_t length = 0;
            expect_call(trajplot_labels_label(&text, &length, labels, layer, position), "trajplot_labels_label", {});
            view.labels.push_back(borrowed(text, length, "trajplot_labels_label"));
            for (std::size_t row = 0; row < view.hover_rows; ++row) {
                for (std::size_t col = 0; col < view.hover_cols; ++col) {
                    expect_call(trajplot_labels_hover_entry(&text, &length, labels, layer, position, row, col),
                                "trajplot_labels_hover_entry", {});
                    view.hover_entries.push_back(borrowed(text, length, "trajplot_labels_hover_entry"));
                }
            }
        }
    }
    // Indices past the shape are refused, outputs untouched.
    const char* untouched = string_sentinel;
    std::size_t length = length_sentinel;
    expect_call(trajplot_labels_label(&untouched, &length, labels, view.n_layers, 0), "trajplot_labels_label",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_labels_hover_entry(&untouched, &length, labels, 0, 0, view.hover_rows, 0),
                "trajplot_labels_hover_entry", {TRAJPLOT_EINVAL});
    check(untouched == string_sentinel && length == length_sentinel, "a failed labels getter wrote its outputs");
    return view;
}

bool expect_call(trajplot_status status, const char* function, const Statuses& expected_failures) {
    // TRAJPLOT_FUZZ_TRACE=1 lists every call, to see what an input does.
    static const bool trace = std::getenv("TRAJPLOT_FUZZ_TRACE") != nullptr;
    if (trace) {
        std::fprintf(stderr, "%s: %s%s%s\n", function, status_name(status).c_str(), status == TRAJPLOT_OK ? "" : ": ",
                     status == TRAJPLOT_OK ? "" : trajplot_error_last());
    }
    const auto fail = [&](const std::string& problem) {
        std::string expected;
        for (const trajplot_status failure : expected_failures) {
            expected += (expected.empty() ? "" : " or ") + status_name(failure);
        }
        fail_check(std::string(function) + " " + problem,
                   "status " + status_name(status) + ", expected " + (expected.empty() ? "success" : expected) +
                       "; last error " + status_name(trajplot_error_last_status()) + ": " +
                       printable(trajplot_error_last()));
    };
    if (expected_failures.empty()) {
        if (status != TRAJPLOT_OK) fail("failed but should have succeeded");
        // A success records no error (the last one was cleared below).
        if (trajplot_error_last_status() != TRAJPLOT_OK || *trajplot_error_last() != '\0') {
            fail("succeeded but recorded an error");
        }
        return true;
    }
    if (status == TRAJPLOT_OK) fail("succeeded but should have failed");
    if (std::find(expected_failures.begin(), expected_failures.end(), status) == expected_failures.end()) {
        fail("failed with another status than expected");
    }
    if (trajplot_error_last_status() != status) fail("recorded another status than it returned");
    const char* message = trajplot_error_last();
    if (message == nullptr || *message == '\0') fail("failed without a message");
    if (!is_valid_utf8(message)) fail("failed with a message that is not valid UTF-8");
    trajplot_error_clear();
    return false;
}

std::string c_string_part(const std::string& bytes) { return std::string(bytes.c_str()); }

StatisticView view_of(const trajplot_statistic* statistic) {
    StatisticView view;
    expect_call(trajplot_statistic_shape(&view.n_layers, &view.seq_len, statistic), "trajplot_statistic_shape", {});
    const std::size_t count = view.n_layers * view.seq_len;
    view.stats.assign(count, 0.0f);
    expect_call(trajplot_statistic_stats(view.stats.data(), count, statistic), "trajplot_statistic_stats", {});
    {
        std::vector<float> short_buffer(count, 7.0f);
        expect_call(trajplot_statistic_stats(short_buffer.data(), count - 1, statistic), "trajplot_statistic_stats",
                    {TRAJPLOT_ERANGE});
        check(std::all_of(short_buffer.begin(), short_buffer.end(), [](float value) { return value == 7.0f; }),
              "a failed trajplot_statistic_stats wrote into the buffer");
    }

    const char* name = nullptr;
    expect_call(trajplot_statistic_name(&name, statistic), "trajplot_statistic_name", {});
    view.name = borrowed(name, std::strlen(name), "trajplot_statistic_name");
    const char* units = string_sentinel;
    expect_call(trajplot_statistic_units(&units, statistic), "trajplot_statistic_units", {});
    check(units != string_sentinel, "trajplot_statistic_units left its output unset");
    if (units != nullptr) view.units = borrowed(units, std::strlen(units), "trajplot_statistic_units");

    bool has_min = false;
    bool has_max = false;
    float min = 0;
    float max = 0;
    expect_call(trajplot_statistic_range(&has_min, &min, &has_max, &max, statistic), "trajplot_statistic_range", {});
    if (has_min) view.min = min;
    if (has_max) view.max = max;
    expect_call(trajplot_statistic_includes_output(&view.includes_output, statistic),
                "trajplot_statistic_includes_output", {});

    for (std::size_t layer = 0; layer < view.n_layers; ++layer) {
        const char* text = nullptr;
        std::size_t length = 0;
        expect_call(trajplot_statistic_layer_label(&text, &length, statistic, layer), "trajplot_statistic_layer_label",
                    {});
        view.layer_labels.push_back(borrowed(text, length, "trajplot_statistic_layer_label"));
    }
    std::vector<std::string> sequence_labels;
    std::size_t missing = 0;
    for (std::size_t position = 0; position < view.seq_len; ++position) {
        const char* text = string_sentinel;
        std::size_t length = length_sentinel;
        expect_call(trajplot_statistic_sequence_label(&text, &length, statistic, position),
                    "trajplot_statistic_sequence_label", {});
        if (text == nullptr) {
            check(length == 0, "a missing sequence label has a length");
            ++missing;
        } else {
            sequence_labels.push_back(borrowed(text, length, "trajplot_statistic_sequence_label"));
        }
    }
    check(missing == 0 || missing == view.seq_len, "only some sequence labels are missing");
    if (missing == 0) view.sequence_labels = sequence_labels;

    const char* untouched = string_sentinel;
    std::size_t length = length_sentinel;
    expect_call(trajplot_statistic_layer_label(&untouched, &length, statistic, view.n_layers),
                "trajplot_statistic_layer_label", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_sequence_label(&untouched, &length, statistic, view.seq_len),
                "trajplot_statistic_sequence_label", {TRAJPLOT_EINVAL});
    check(untouched == string_sentinel && length == length_sentinel, "a failed statistic getter wrote its outputs");

    trajplot_labels* labels = nullptr;
    expect_call(trajplot_statistic_trajectory_labels(&labels, statistic), "trajplot_statistic_trajectory_labels", {});
    if (labels != nullptr) {
        const LabelsView labels_view = labels_view_of(labels);
        trajplot_labels_free(labels);
        check(labels_view.n_layers == view.n_layers && labels_view.seq_len == view.seq_len,
              "the trajectory labels' shape differs from the statistic's");
        view.cell_labels = labels_view.labels;
        view.hover_entries = labels_view.hover_entries;
        view.hover_rows = labels_view.hover_rows;
        view.hover_cols = labels_view.hover_cols;
    }
    return view;
}

namespace {

bool is_default_panel(const FigureRequest& request) {
    return request.panel_version == TRAJPLOT_PANEL_OPTIONS_VERSION && !request.panel_title && !request.colorscale &&
           !request.extra_json && !request.log_scale && !request.hover_value;
}

bool is_default_figure(const FigureRequest& request) {
    return request.figure_version == TRAJPLOT_FIGURE_OPTIONS_VERSION && !request.title && request.token_width == 80 &&
           request.height == 0;
}

}  // namespace

trajplot_panel_options FigureRequest::panel_options() const {
    trajplot_panel_options options = TRAJPLOT_PANEL_OPTIONS_INIT;
    options.version = panel_version;
    options.title = panel_title ? panel_title->c_str() : nullptr;
    options.colorscale = colorscale ? colorscale->c_str() : nullptr;
    options.extra_json = extra_json ? extra_json->c_str() : nullptr;
    options.log_scale = log_scale;
    options.hover_value = hover_value;
    return options;
}

trajplot_figure_options FigureRequest::figure_options() const {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.version = figure_version;
    options.title = title ? title->c_str() : nullptr;
    options.token_width = token_width;
    options.height = height;
    return options;
}

const trajplot_panel_options* FigureRequest::panel_argument(const trajplot_panel_options& options) const {
    return null_panel && is_default_panel(*this) ? nullptr : &options;
}

const trajplot_figure_options* FigureRequest::figure_argument(const trajplot_figure_options& options) const {
    return null_figure && is_default_figure(*this) ? nullptr : &options;
}

Drawing FigureRequest::drawing(bool responsive) const {
    Drawing drawing;
    drawing.title = title ? sanitized_utf8(c_string_part(*title)) : "";
    drawing.token_width = token_width;
    drawing.height = height;
    drawing.log_scale = log_scale;
    drawing.hover_value = hover_value;
    drawing.responsive = responsive;
    if (extra_json && !c_string_part(*extra_json).empty()) {
        drawing.patch = json::parse(c_string_part(*extra_json));
    }
    return drawing;
}

trajplot_export_options ExportRequest::options() const {
    trajplot_export_options options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    options.version = version;
    options.format = format;
    options.plotlyjs = plotlyjs;
    options.plotlyjs_location = location ? location->c_str() : nullptr;
    options.div_id = div_id ? div_id->c_str() : nullptr;
    options.full_html = full_html;
    options.responsive = responsive;
    options.scale = scale;
    return options;
}

const trajplot_export_options* ExportRequest::argument(const trajplot_export_options& options) const {
    // NULL is figure JSON; the page's fields are not read for it.
    const bool as_null =
        null_options && version == TRAJPLOT_EXPORT_OPTIONS_VERSION && format == TRAJPLOT_FORMAT_FIGURE_JSON;
    return as_null ? nullptr : &options;
}

bool is_known_colorscale(const std::string& name) {
    std::string folded = name;
    for (char& c : folded) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    const auto& names = trajplot::colorscale_names();
    const auto known = [&](std::string_view base) {
        return std::find(names.begin(), names.end(), base) != names.end();
    };
    if (known(folded)) return true;
    return folded.ends_with("_r") && known(std::string_view(folded).substr(0, folded.size() - 2));
}

bool is_usable_extra_json(const std::string& text) {
    if (text.empty()) return true;
    const json parsed = json::parse(text, nullptr, false);
    return parsed.is_object() && nesting_depth(parsed) <= 512;
}

Statuses expected_panel_failures(const StatisticView& view, const FigureRequest& request) {
    Statuses failures;
    if (request.panel_version != TRAJPLOT_PANEL_OPTIONS_VERSION) add(failures, TRAJPLOT_EINVAL);
    if (request.colorscale && !is_known_colorscale(c_string_part(*request.colorscale))) add(failures, TRAJPLOT_EINVAL);
    if (request.extra_json && !is_usable_extra_json(c_string_part(*request.extra_json))) add(failures, TRAJPLOT_EINVAL);
    if (request.log_scale && ((view.min && *view.min <= 0) || (view.max && *view.max <= 0))) {
        add(failures, TRAJPLOT_EINVAL);
    }
    return failures;
}

namespace {

// The figure options' sizes, for a figure `seq_len` positions wide.
void add_size_failures(Statuses& failures, const FigureRequest& request, std::size_t seq_len) {
    if (request.figure_version != TRAJPLOT_FIGURE_OPTIONS_VERSION) add(failures, TRAJPLOT_EINVAL);
    if (request.token_width == 0) {
        add(failures, TRAJPLOT_EINVAL);
    } else if (request.token_width > (max_figure_size - 200) / seq_len) {
        add(failures, TRAJPLOT_ERANGE);
    }
    if (request.height > max_figure_size) add(failures, TRAJPLOT_ERANGE);
}

bool is_valid_div_id(const std::string& id) {
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return !id.empty() && letter(id.front()) &&
           std::all_of(id.begin(), id.end(), [&](char c) { return letter(c) || digit(c) || c == '-' || c == '_'; });
}

}  // namespace

Statuses expected_create_failures(const StatisticView& view, const FigureRequest& request) {
    Statuses failures = expected_panel_failures(view, request);
    add_size_failures(failures, request, view.seq_len);
    return failures;
}

Statuses expected_export_failures(const ExportRequest& request, bool stacked) {
    Statuses failures;
    if (request.version != TRAJPLOT_EXPORT_OPTIONS_VERSION) add(failures, TRAJPLOT_EINVAL);
    switch (request.format) {
        case TRAJPLOT_FORMAT_FIGURE_JSON: return failures;
        case TRAJPLOT_FORMAT_TRACE_JSON:
            if (stacked) add(failures, TRAJPLOT_EINVAL);
            return failures;
        case TRAJPLOT_FORMAT_HTML: break;
        case TRAJPLOT_FORMAT_SVG:
            // 0 means 1.
            if (request.scale != 0 && !(std::isfinite(request.scale) && request.scale > 0 && request.scale <= 16)) {
                add(failures, TRAJPLOT_EINVAL);
            }
            return failures;
        default: add(failures, TRAJPLOT_EINVAL); return failures;
    }
    // The page's fields are read for HTML only.
    if (request.div_id && !is_valid_div_id(c_string_part(*request.div_id))) add(failures, TRAJPLOT_EINVAL);
    const std::string location = request.location ? c_string_part(*request.location) : "";
    switch (request.plotlyjs) {
        case TRAJPLOT_PLOTLYJS_CDN:
        case TRAJPLOT_PLOTLYJS_NONE:
        case TRAJPLOT_PLOTLYJS_LOCAL: break;
        case TRAJPLOT_PLOTLYJS_SRC:
            if (location.empty()) add(failures, TRAJPLOT_EINVAL);
            break;
        case TRAJPLOT_PLOTLYJS_INLINE: {
            const PlotlyJsFixtures& fixtures = plotlyjs_fixtures();
            if (location.empty() || location == fixtures.closes_script || location == fixtures.opens_script ||
                location == fixtures.empty) {
                add(failures, TRAJPLOT_EINVAL);
            } else if (location != fixtures.usable && location != fixtures.large) {
                add(failures, TRAJPLOT_EIO);
            }
            break;
        }
        default: add(failures, TRAJPLOT_EINVAL);
    }
    return failures;
}

ExpectedPage expected_page(const std::string& title, const ExportRequest& request) {
    ExpectedPage page;
    page.full_html = request.full_html;
    page.responsive = request.responsive;
    switch (request.plotlyjs) {
        case TRAJPLOT_PLOTLYJS_SRC:
            page.plotlyjs = PlotlyJsSource::src;
            page.location = sanitized_utf8(c_string_part(*request.location));
            break;
        case TRAJPLOT_PLOTLYJS_INLINE:
            page.plotlyjs = PlotlyJsSource::inline_file;
            page.location = request.inline_contents.value_or(plotlyjs_fixtures().usable_contents);
            break;
        case TRAJPLOT_PLOTLYJS_LOCAL:
            page.plotlyjs = PlotlyJsSource::inline_file;
            page.location = plotlyjs_fixtures().usable_contents;
            break;
        case TRAJPLOT_PLOTLYJS_NONE: page.plotlyjs = PlotlyJsSource::none; break;
        default: page.plotlyjs = PlotlyJsSource::cdn;
    }
    if (request.div_id) page.div_id = c_string_part(*request.div_id);
    page.title = title;
    return page;
}

std::string page_title(const StatisticView& view, const FigureRequest& figure) {
    const std::string title = figure.drawing().title;
    return title.empty() ? view.name : title;
}

FigureHandle create_figure(const trajplot_statistic* statistic, const StatisticView& view,
                           const FigureRequest& request) {
    const trajplot_panel_options panel = request.panel_options();
    const trajplot_figure_options options = request.figure_options();
    trajplot_figure* created = figure_sentinel;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale locale(request.locale);
        status = trajplot_figure_create(&created, statistic, request.panel_argument(panel),
                                        request.figure_argument(options));
    }
    if (!expect_call(status, "trajplot_figure_create", expected_create_failures(view, request))) {
        check(created == figure_sentinel, "a failed trajplot_figure_create wrote its output");
        return nullptr;
    }
    check(created != nullptr && created != figure_sentinel, "trajplot_figure_create succeeded without a figure");
    FigureHandle figure(created);
    check_shape(figure.get(), false, 1);
    return figure;
}

namespace {

// The scratch directory of the file exports, with a directory "taken" to
// save onto.
const std::filesystem::path& export_directory() {
    static const std::filesystem::path directory = [] {
        const std::filesystem::path made = scratch_directory() / "exports";
        std::filesystem::create_directories(made / "taken");
        return made;
    }();
    return directory;
}

// Nothing but `expected` may be in the export directory: no temporary file
// beside a saved one, nothing in "taken".
void check_export_entries(const std::vector<std::string>& expected, const char* what) {
    const std::filesystem::path& directory = export_directory();
    const std::vector<std::string> entries = directory_entries(directory);
    check(entries == expected, std::string(what) + " left other files behind", [&] {
        std::string listed;
        for (const std::string& name : entries) listed += printable(name) + " ";
        return listed;
    });
    check(std::filesystem::is_empty(directory / "taken"), std::string(what) + " wrote into a directory");
}

// A write function of the caller's: it keeps the pieces it takes, and
// stops the export after `stop_after` of them.
struct Collector {
    std::string bytes;
    std::size_t pieces = 0;
    std::size_t stop_after = SIZE_MAX;
    int stop_value = 1;
    bool stopped = false;
    bool called_after_stopping = false;
    bool null_data = false;
};

int collect(void* user, const char* data, std::size_t size) {
    Collector& collector = *static_cast<Collector*>(user);
    if (collector.stopped) {
        collector.called_after_stopping = true;
        return collector.stop_value;
    }
    if (collector.pieces == collector.stop_after) {
        collector.stopped = true;
        return collector.stop_value;
    }
    if (data == nullptr && size > 0) {
        collector.null_data = true;
        return 1;
    }
    collector.bytes.append(data, size);
    ++collector.pieces;
    return 0;
}

trajplot_status stream_into(Collector& collector, const trajplot_figure* figure, const trajplot_export_options* options,
                            std::size_t locale) {
    const CallerLocale caller(locale);
    const trajplot_status status = trajplot_figure_stream(figure, options, collect, &collector);
    check(!collector.null_data, "trajplot_figure_stream passed a NULL piece");
    check(!collector.called_after_stopping, "trajplot_figure_stream called the write function after it stopped");
    return status;
}

// An export that must succeed, as a string.
std::string exported_string(const trajplot_figure* figure, int format, std::size_t locale) {
    trajplot_export_options options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    options.format = format;
    char* text = nullptr;
    std::size_t length = 0;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale caller(locale);
        status = trajplot_figure_export(&text, &length, figure, &options);
    }
    expect_call(status, "trajplot_figure_export", {});
    return take_string(text, length, "trajplot_figure_export");
}

json exported_figure_json(const trajplot_figure* figure, std::size_t locale) {
    return parse_output_json(exported_string(figure, TRAJPLOT_FORMAT_FIGURE_JSON, locale), "the figure JSON");
}

// An image is drawn from the statistic's values in a colourscale of
// [position, colour] stops: a trace patch that replaces z, or gives the
// colourscale in another form (a name, say), may have it refused (EINVAL).
Statuses image_refusals(const ExportRequest& request, const std::vector<std::optional<json>>& patches) {
    if (request.format != TRAJPLOT_FORMAT_SVG) return {};
    for (const std::optional<json>& patch : patches) {
        if (patch && (patch->contains("z") || patch->contains("colorscale"))) return {TRAJPLOT_EINVAL};
    }
    return {};
}

// The SVG of `figure`, which must be the figure JSON's size times the
// scale: its layout's width and height as plotly.js takes them (700 x 450
// when not numbers, extra_json having removed them; at least a pixel).
void check_svg_of(std::string_view svg, const trajplot_figure* figure, const ExportRequest& request,
                  std::size_t locale) {
    const json layout = exported_figure_json(figure, locale).value("layout", json::object());
    const auto side = [&](const char* name, double fallback) {
        const json value = layout.value(name, json());
        return std::max(1.0, value.is_number() ? value.get<double>() : fallback);
    };
    const double scale = request.scale == 0 ? 1.0 : request.scale;
    check_svg_image(svg, side("width", 700) * scale, side("height", 450) * scale);
}

}  // namespace

std::optional<std::string> export_everywhere(const trajplot_figure* figure, const ExportRequest& request,
                                             const Statuses& failures, std::size_t locale,
                                             const Destinations& destinations, const Statuses& refusable) {
    const trajplot_export_options options = request.options();
    const trajplot_export_options* argument = request.argument(options);

    // A string.
    char* text = string_sentinel;
    std::size_t length = length_sentinel;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale caller(locale);
        status = trajplot_figure_export(&text, destinations.with_length ? &length : nullptr, figure, argument);
    }
    std::optional<std::string> exported;
    Statuses expected = failures;
    if (expected.empty() && std::find(refusable.begin(), refusable.end(), status) != refusable.end()) {
        add(expected, status);
    }
    if (expect_call(status, "trajplot_figure_export", expected)) {
        check(text != nullptr && text != string_sentinel, "trajplot_figure_export succeeded without a string");
        exported = take_string(text, destinations.with_length ? length : std::strlen(text), "trajplot_figure_export");
        check(exported->find('\0') == std::string::npos, "an export holds a NUL byte");
    } else {
        check(text == string_sentinel && length == length_sentinel,
              "a failed trajplot_figure_export wrote its outputs");
    }
    // Every destination fails as the string did, or holds its bytes.
    const Statuses as_the_string = exported ? Statuses{} : Statuses{status};

    // The caller's write function.
    Collector whole;
    expect_call(stream_into(whole, figure, argument, locale), "trajplot_figure_stream", as_the_string);
    if (exported) {
        check(whole.bytes == *exported, "trajplot_figure_stream wrote other bytes than trajplot_figure_export",
              [&] { return printable(whole.bytes, 1000) + "\nvs " + printable(*exported, 1000); });
    } else {
        check(whole.pieces == 0, "a refused trajplot_figure_stream wrote");
    }
    if (destinations.stop_after != SIZE_MAX) {
        Collector stopping;
        stopping.stop_after = destinations.stop_after;
        stopping.stop_value = destinations.stop_value;
        const trajplot_status stopped = stream_into(stopping, figure, argument, locale);
        if (stopping.stopped) {
            check(exported.has_value(), "a refused trajplot_figure_stream wrote");
            expect_call(stopped, "trajplot_figure_stream", {TRAJPLOT_EIO});
            check(stopping.pieces == stopping.stop_after && exported->starts_with(stopping.bytes),
                  "a stopped trajplot_figure_stream wrote other bytes than the export's start");
        } else {
            expect_call(stopped, "trajplot_figure_stream", as_the_string);
            check(!exported || (stopping.stop_after > 0 || exported->empty()),
                  "trajplot_figure_stream did not call the write function");
            check(stopping.bytes == exported.value_or(""),
                  "trajplot_figure_stream wrote other bytes than trajplot_figure_export");
        }
    }

    // A new file.
    trajplot_status saved = TRAJPLOT_OK;
    if (destinations.save) {
        const std::filesystem::path path = export_directory() / "figure.out";
        {
            const CallerLocale caller(locale);
            saved = trajplot_figure_save(figure, argument, path.c_str());
        }
        const bool written = expect_call(saved, "trajplot_figure_save", as_the_string);
        check_export_entries(
            written ? std::vector<std::string>{"figure.out", "taken"} : std::vector<std::string>{"taken"},
            "trajplot_figure_save");
        if (written) {
            check(read_file(path) == *exported, "trajplot_figure_save wrote other bytes than trajplot_figure_export");
            std::filesystem::remove(path);
        }
    }

    // A path that cannot be written: a missing directory, or a directory.
    if (destinations.bad_target != 0) {
        const std::filesystem::path bad =
            destinations.bad_target == 1
                ? std::filesystem::path(missing_path(export_directory(), destinations.missing_name)) / "figure.out"
                : export_directory() / "taken";
        {
            const CallerLocale caller(locale);
            saved = trajplot_figure_save(figure, argument, bad.c_str());
        }
        expect_call(saved, "trajplot_figure_save", exported ? Statuses{TRAJPLOT_EIO} : as_the_string);
        check_export_entries({"taken"}, "a failed trajplot_figure_save");
    }
    return exported;
}

void exercise_figure(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                     const ExportRequest& request, const Destinations& destinations) {
    const FigureHandle made = create_figure(statistic, view, figure);
    if (!made) return;
    const std::optional<std::string> text =
        export_everywhere(made.get(), request, expected_export_failures(request, false), figure.locale, destinations,
                          image_refusals(request, {figure.drawing().patch}));
    if (!text) return;

    if (request.format == TRAJPLOT_FORMAT_SVG) {
        check_svg_of(*text, made.get(), request, figure.locale);
        return;
    }
    if (request.format == TRAJPLOT_FORMAT_HTML) {
        const json drawn = check_html_page(*text, expected_page(page_title(view, figure), request));
        const json expected = figure_as_drawn(exported_figure_json(made.get(), figure.locale), request.responsive);
        check(drawn == expected, "the page draws another figure than the figure JSON", [&] {
            return "page:   " + printable(drawn.dump(), 2000) + "\nexport: " + printable(expected.dump(), 2000);
        });
        check_figure(drawn, view, figure.drawing(request.responsive));
        return;
    }

    const bool trace_only = request.format == TRAJPLOT_FORMAT_TRACE_JSON;
    const Drawing drawing = figure.drawing();
    const json output = parse_output_json(*text, trace_only ? "the trace JSON" : "the figure JSON");
    if (trace_only) {
        check_heatmap_trace(output, view, drawing);
        // The trace of the figure, sized for its cells.
        const json whole = exported_figure_json(made.get(), figure.locale);
        check(output == whole["data"][0], "the trace is not the figure's trace",
              [&] { return printable(output.dump(), 1000) + "\nvs " + printable(whole["data"][0].dump(), 1000); });
    } else {
        check_figure(output, view, drawing);
    }
    if (drawing.patch) {
        FigureRequest plain = figure;
        plain.extra_json.reset();
        const FigureHandle unpatched = create_figure(statistic, view, plain);
        const std::string unpatched_text = exported_string(unpatched.get(), request.format, figure.locale);
        const json unpatched_output = parse_output_json(unpatched_text, "the JSON without extra_json");
        check_merge_patch(trace_only ? unpatched_output : unpatched_output["data"][0], *drawing.patch,
                          trace_only ? output : output["data"][0]);
    }
}

namespace {

// The keys of a panel's trace that stacking leaves as the figure of its
// statistic alone has them (it places the colour bar, sets the axes and
// sizes the text for the panel's cells).
constexpr const char* unstacked_keys[] = {
    "type",          "x",         "y", "z", "zmin", "zmax", "colorscale", "text", "texttemplate", "customdata",
    "hovertemplate", "hoverlabel"};

std::string axis_id(char letter, std::size_t number) {
    return number == 1 ? std::string(1, letter) : letter + std::to_string(number);
}

}  // namespace

void exercise_stacked(const std::vector<const trajplot_statistic*>& statistics, const std::vector<StatisticView>& views,
                      const StackRequest& stack, const ExportRequest& request, const Destinations& destinations) {
    const std::size_t count = statistics.size();
    const FigureRequest& frame = stack.figure;
    std::vector<trajplot_panel_options> panel_options;
    std::vector<const trajplot_panel_options*> panel_arguments;
    panel_options.reserve(count);
    bool default_panels = true;
    for (const FigureRequest& panel : stack.panels) {
        panel_options.push_back(panel.panel_options());
        panel_arguments.push_back(panel.panel_argument(panel_options.back()));
        default_panels = default_panels && is_default_panel(panel);
    }
    trajplot_figure_options options = frame.figure_options();
    if (stack.vertical_spacing) {
        options.vertical_spacing = *stack.vertical_spacing;
        options.has_vertical_spacing = true;
    }
    options.equal_panel_heights = stack.equal_panel_heights;
    const bool default_figure = is_default_figure(frame) && !stack.vertical_spacing && !stack.equal_panel_heights;

    Statuses failures;
    for (std::size_t i = 0; i < count; ++i) {
        for (const trajplot_status status : expected_panel_failures(views[i], stack.panels[i])) add(failures, status);
    }
    add_size_failures(failures, frame, views[0].seq_len);
    const double spacing = stack.vertical_spacing.value_or(0.3 / static_cast<double>(count));
    const double max_spacing = count > 1 ? 1.0 / static_cast<double>(count - 1) : 1.0;
    if (!(spacing >= 0.0 && spacing < max_spacing)) add(failures, TRAJPLOT_EINVAL);

    trajplot_figure* created = figure_sentinel;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale locale(frame.locale);
        status = trajplot_figure_create_stacked(&created, statistics.data(),
                                                stack.null_panels && default_panels ? nullptr : panel_arguments.data(),
                                                count, frame.null_figure && default_figure ? nullptr : &options);
    }
    if (!expect_call(status, "trajplot_figure_create_stacked", failures)) {
        check(created == figure_sentinel, "a failed trajplot_figure_create_stacked wrote its output");
        return;
    }
    const FigureHandle figure(created);
    check_shape(figure.get(), true, count);
    std::vector<std::optional<json>> panel_patches;
    for (const FigureRequest& panel : stack.panels) panel_patches.push_back(panel.drawing().patch);
    const std::optional<std::string> text =
        export_everywhere(figure.get(), request, expected_export_failures(request, true), frame.locale, destinations,
                          image_refusals(request, panel_patches));
    if (!text) return;
    if (request.format == TRAJPLOT_FORMAT_SVG) {
        check_svg_of(*text, figure.get(), request, frame.locale);
        return;
    }

    // The page's title: the figure's, else the panels' titles.
    std::vector<std::string> titles;
    std::string joined;
    for (std::size_t i = 0; i < count; ++i) {
        const std::optional<std::string>& given = stack.panels[i].panel_title;
        titles.push_back(given ? sanitized_utf8(c_string_part(*given)) : views[i].name);
        joined += (i ? ", " : "") + titles.back();
    }
    const std::string title = frame.drawing().title;
    const json whole = request.format == TRAJPLOT_FORMAT_HTML ? exported_figure_json(figure.get(), frame.locale)
                                                              : parse_output_json(*text, "the stacked figure JSON");
    if (request.format == TRAJPLOT_FORMAT_HTML) {
        const json drawn = check_html_page(*text, expected_page(title.empty() ? joined : title, request));
        check(drawn == figure_as_drawn(whole, request.responsive),
              "the page draws another figure than the stacked figure JSON");
    }

    check(whole.is_object() && whole.size() == 2 && whole.contains("data") && whole.contains("layout") &&
              whole["data"].is_array() && whole["data"].size() == count && whole["layout"].is_object(),
          "a stacked figure should hold data, one trace per panel, and layout", [&] { return whole.dump(); });
    const json& layout = whole["layout"];
    const std::uint64_t height = frame.height > 0 ? frame.height : 150 + 250 * count;
    check(layout.value("width", json()) == 200 + frame.token_width * views[0].seq_len &&
              layout.value("height", json()) == height,
          "the stacked figure's size is not the documented one", [&] { return layout.dump(); });
    check(layout.value("title", json()) == json{{"text", plotly_escaped(title)}, {"x", 0.5}},
          "the stacked figure's title is not the figure's", [&] { return layout.dump(); });
    const json annotations = layout.value("annotations", json());
    check(annotations.is_array() && annotations.size() == count, "a stacked figure has one annotation per panel",
          [&] { return annotations.dump(); });
    for (std::size_t i = 0; i < count; ++i) {
        check(annotations[i].is_object() && annotations[i].value("text", json()) == plotly_escaped(titles[i]),
              "a panel's title is not the one given", [&] { return annotations[i].dump(); });
        const json& trace = whole["data"][i];
        check(trace.is_object(), "a panel's trace is not an object");
        const std::optional<json> patch = stack.panels[i].drawing().patch;
        if (!patch || (!patch->contains("xaxis") && !patch->contains("yaxis"))) {
            check(trace.value("xaxis", json()) == axis_id('x', i + 1) &&
                      trace.value("yaxis", json()) == axis_id('y', i + 1),
                  "a panel's trace is not on its own axes", [&] { return trace.dump(); });
        }
        // The panel's statistic drawn alone, with the panel's options.
        FigureRequest alone = stack.panels[i];
        alone.figure_version = TRAJPLOT_FIGURE_OPTIONS_VERSION;
        alone.title.reset();
        alone.token_width = 80;
        alone.height = 0;
        alone.locale = frame.locale;
        const FigureHandle single = create_figure(statistics[i], views[i], alone);
        const json single_trace = exported_figure_json(single.get(), frame.locale)["data"][0];
        for (const char* key : unstacked_keys) {
            check(trace.contains(key) == single_trace.contains(key) &&
                      (!trace.contains(key) || trace[key] == single_trace[key]),
                  std::string("a panel's \"") + key + "\" is not its statistic's drawn alone",
                  [&] { return printable(trace.dump(), 1000) + "\nvs " + printable(single_trace.dump(), 1000); });
        }
    }
}

std::string missing_path(const std::filesystem::path& directory, const std::string& name) {
    std::string file = "missing-" + c_string_part(name);
    std::replace(file.begin(), file.end(), '/', '_');
    return (directory / file).string();
}

const PlotlyJsFixtures& plotlyjs_fixtures() {
    static const PlotlyJsFixtures fixtures = [] {
        const std::filesystem::path directory = scratch_directory() / "plotlyjs";
        std::filesystem::create_directories(directory);
        PlotlyJsFixtures made;
        const auto write = [&](const char* name, std::string_view contents) {
            const std::filesystem::path path = directory / name;
            std::ofstream(path, std::ios::binary) << contents;
            return path.string();
        };
        made.usable_contents = "window.Plotly = {newPlot: function () { return 1 && 2; }};\n";
        made.usable = write("plotly.min.js", made.usable_contents);
        made.large_contents = made.usable_contents + "/*" + std::string(100 * 1024, '-') + "*/\n";
        made.large = write("large.js", made.large_contents);
        ::setenv("TRAJPLOT_PLOTLYJS", made.usable.c_str(), 1);
        made.closes_script = write("closes.js", "var a = 1;</SCRIPT >");
        made.opens_script = write("opens.js", "var a = '<sCript';");
        made.empty = write("empty.js", "");
        made.missing = missing_path(directory, "plotly.js");
        made.directory = directory.string();
        return made;
    }();
    return fixtures;
}

}  // namespace trajplot_fuzz
