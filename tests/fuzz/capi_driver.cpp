#include "capi_driver.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
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

trajplot_figure_options FigureRequest::options() const {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.version = version;
    options.title = title ? title->c_str() : nullptr;
    options.colorscale = colorscale ? colorscale->c_str() : nullptr;
    options.extra_json = extra_json ? extra_json->c_str() : nullptr;
    options.token_width = token_width;
    options.height = height;
    options.log_scale = log_scale;
    options.hover_value = hover_value;
    return options;
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

trajplot_html_options HtmlRequest::options() const {
    trajplot_html_options options = TRAJPLOT_HTML_OPTIONS_INIT;
    options.version = version;
    options.plotlyjs = plotlyjs;
    options.plotlyjs_location = location ? location->c_str() : nullptr;
    options.div_id = div_id ? div_id->c_str() : nullptr;
    options.full_html = full_html;
    options.responsive = responsive;
    return options;
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

Statuses expected_figure_failures(const StatisticView& view, const FigureRequest& request, bool whole_figure) {
    Statuses failures;
    if (request.version != TRAJPLOT_FIGURE_OPTIONS_VERSION) add(failures, TRAJPLOT_EINVAL);
    if (request.colorscale && !is_known_colorscale(c_string_part(*request.colorscale))) add(failures, TRAJPLOT_EINVAL);
    if (request.extra_json && !is_usable_extra_json(c_string_part(*request.extra_json))) add(failures, TRAJPLOT_EINVAL);
    if (request.log_scale && ((view.min && *view.min <= 0) || (view.max && *view.max <= 0))) {
        add(failures, TRAJPLOT_EINVAL);
    }
    if (whole_figure) {
        if (request.token_width == 0) {
            add(failures, TRAJPLOT_EINVAL);
        } else if (request.token_width > (max_figure_size - 200) / view.seq_len) {
            add(failures, TRAJPLOT_ERANGE);
        }
        if (request.height > max_figure_size) add(failures, TRAJPLOT_ERANGE);
    }
    return failures;
}

namespace {

bool is_valid_div_id(const std::string& id) {
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return !id.empty() && letter(id.front()) &&
           std::all_of(id.begin(), id.end(), [&](char c) { return letter(c) || digit(c) || c == '-' || c == '_'; });
}

}  // namespace

Statuses expected_html_failures(const StatisticView& view, const FigureRequest& figure, const HtmlRequest& html) {
    Statuses failures = expected_figure_failures(view, figure, true);
    if (html.version != TRAJPLOT_HTML_OPTIONS_VERSION) add(failures, TRAJPLOT_EINVAL);
    if (html.div_id && !is_valid_div_id(c_string_part(*html.div_id))) add(failures, TRAJPLOT_EINVAL);
    const std::string location = html.location ? c_string_part(*html.location) : "";
    switch (html.plotlyjs) {
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
            } else if (location != fixtures.usable) {
                add(failures, TRAJPLOT_EIO);
            }
            break;
        }
        default: add(failures, TRAJPLOT_EINVAL);
    }
    return failures;
}

ExpectedPage expected_page(const StatisticView& view, const FigureRequest& figure, const HtmlRequest& html) {
    ExpectedPage page;
    page.full_html = html.full_html;
    page.responsive = html.responsive;
    switch (html.plotlyjs) {
        case TRAJPLOT_PLOTLYJS_SRC:
            page.plotlyjs = PlotlyJsSource::src;
            page.location = sanitized_utf8(c_string_part(*html.location));
            break;
        case TRAJPLOT_PLOTLYJS_INLINE:
        case TRAJPLOT_PLOTLYJS_LOCAL:
            page.plotlyjs = PlotlyJsSource::inline_file;
            page.location = plotlyjs_fixtures().usable_contents;
            break;
        case TRAJPLOT_PLOTLYJS_NONE: page.plotlyjs = PlotlyJsSource::none; break;
        default: page.plotlyjs = PlotlyJsSource::cdn;
    }
    if (html.div_id) page.div_id = c_string_part(*html.div_id);
    const std::string title = figure.drawing().title;
    page.title = title.empty() ? view.name : title;
    return page;
}

namespace {

// The in-memory exports, checked as calls only; nullopt when they failed.
std::optional<std::string> export_json(const trajplot_statistic* statistic, const FigureRequest& request,
                                       bool whole_figure, const Statuses& failures) {
    const trajplot_figure_options options = request.options();
    char* text = string_sentinel;
    std::size_t length = length_sentinel;
    const char* function = whole_figure ? "trajplot_statistic_figure_json" : "trajplot_statistic_heatmap_json";
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale locale(request.locale);
        status = whole_figure ? trajplot_statistic_figure_json(&text, &length, statistic, &options)
                              : trajplot_statistic_heatmap_json(&text, &length, statistic, &options);
    }
    if (!expect_call(status, function, failures)) {
        check(text == string_sentinel && length == length_sentinel,
              std::string(function) + " failed but wrote its outputs");
        return std::nullopt;
    }
    return take_string(text, length, function);
}

std::optional<std::string> export_html(const trajplot_statistic* statistic, const FigureRequest& figure,
                                       const HtmlRequest& html, const Statuses& failures) {
    const trajplot_figure_options figure_options = figure.options();
    const trajplot_html_options html_options = html.options();
    char* text = string_sentinel;
    std::size_t length = length_sentinel;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale locale(figure.locale);
        status = trajplot_statistic_figure_html(&text, &length, statistic, &figure_options, &html_options);
    }
    if (!expect_call(status, "trajplot_statistic_figure_html", failures)) {
        check(text == string_sentinel && length == length_sentinel,
              "trajplot_statistic_figure_html failed but wrote its outputs");
        return std::nullopt;
    }
    return take_string(text, length, "trajplot_statistic_figure_html");
}


}  // namespace

void exercise_heatmap_json(const trajplot_statistic* statistic, const StatisticView& view,
                           const FigureRequest& request) {
    const std::optional<std::string> text =
        export_json(statistic, request, false, expected_figure_failures(view, request, false));
    if (!text) return;
    const json trace = parse_output_json(*text, "the heatmap JSON");
    const Drawing drawing = request.drawing();
    check_heatmap_trace(trace, view, drawing);
    if (drawing.patch) {
        FigureRequest plain = request;
        plain.extra_json.reset();
        const std::optional<std::string> unpatched = export_json(statistic, plain, false, {});
        check_merge_patch(parse_output_json(*unpatched, "the heatmap JSON"), *drawing.patch, trace);
    }
}

void exercise_figure_json(const trajplot_statistic* statistic, const StatisticView& view,
                          const FigureRequest& request) {
    const std::optional<std::string> text =
        export_json(statistic, request, true, expected_figure_failures(view, request, true));
    if (!text) return;
    const json figure = parse_output_json(*text, "the figure JSON");
    const Drawing drawing = request.drawing();
    check_figure(figure, view, drawing);
    if (drawing.patch) {
        FigureRequest plain = request;
        plain.extra_json.reset();
        const std::optional<std::string> unpatched = export_json(statistic, plain, true, {});
        check_merge_patch(parse_output_json(*unpatched, "the figure JSON")["data"][0], *drawing.patch,
                          figure["data"][0]);
    }
}

void exercise_figure_html(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                          const HtmlRequest& html) {
    const std::optional<std::string> page =
        export_html(statistic, figure, html, expected_html_failures(view, figure, html));
    if (!page) return;
    const json drawn = check_html_page(*page, expected_page(view, figure, html));
    const std::optional<std::string> figure_text = export_json(statistic, figure, true, {});
    const json expected = figure_as_drawn(parse_output_json(*figure_text, "the figure JSON"), html.responsive);
    check(drawn == expected, "the page draws another figure than the figure JSON",
          [&] { return "page:   " + printable(drawn.dump(), 2000) + "\nexport: " + printable(expected.dump(), 2000); });
    check_figure(drawn, view, figure.drawing(html.responsive));
}

std::string missing_path(const std::filesystem::path& directory, const std::string& name) {
    std::string file = "missing-" + c_string_part(name);
    std::replace(file.begin(), file.end(), '/', '_');
    return (directory / file).string();
}

void exercise_file_export(const trajplot_statistic* statistic, const StatisticView& view, const FigureRequest& figure,
                          const HtmlRequest& html, int which, int target, const std::string& missing_name) {
    static const std::filesystem::path directory = [] {
        const std::filesystem::path made = scratch_directory() / "exports";
        std::filesystem::create_directories(made / "taken");
        return made;
    }();
    const std::filesystem::path path = target == 0 ? directory / "figure.out"
                                       : target == 1
                                           ? std::filesystem::path(missing_path(directory, missing_name)) / "figure.out"
                                           : directory / "taken";
    std::filesystem::remove(directory / "figure.out");

    Statuses failures =
        which == 2 ? expected_html_failures(view, figure, html) : expected_figure_failures(view, figure, which == 1);
    if (target != 0) add(failures, TRAJPLOT_EIO);
    const trajplot_figure_options figure_options = figure.options();
    const trajplot_html_options html_options = html.options();
    const char* function = nullptr;
    trajplot_status status = TRAJPLOT_OK;
    {
        const CallerLocale locale(figure.locale);
        switch (which) {
            case 0:
                function = "trajplot_statistic_write_heatmap_json";
                status = trajplot_statistic_write_heatmap_json(statistic, &figure_options, path.c_str());
                break;
            case 1:
                function = "trajplot_statistic_write_figure_json";
                status = trajplot_statistic_write_figure_json(statistic, &figure_options, path.c_str());
                break;
            default:
                function = "trajplot_statistic_write_figure_html";
                status = trajplot_statistic_write_figure_html(statistic, &figure_options, &html_options, path.c_str());
        }
    }
    const bool written = expect_call(status, function, failures);
    // Nothing but the file itself may remain: no temporary beside it.
    const std::vector<std::string> expected_entries =
        written ? std::vector<std::string>{"figure.out", "taken"} : std::vector<std::string>{"taken"};
    std::string listed;
    for (const std::string& name : directory_entries(directory)) listed += name + " ";
    check(directory_entries(directory) == expected_entries, std::string(function) + " left other files behind",
          [&] { return listed; });
    check(std::filesystem::is_empty(directory / "taken"), std::string(function) + " wrote into a directory");
    if (!written) return;

    const std::string contents = read_file(path);
    const std::optional<std::string> in_memory =
        which == 2 ? export_html(statistic, figure, html, {}) : export_json(statistic, figure, which == 1, {});
    check(contents == *in_memory, std::string(function) + " wrote other bytes than the in-memory export");
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
