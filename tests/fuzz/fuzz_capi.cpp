// Fuzzes the C API (capi/trajplot.h) as a foreign caller uses it: labels
// and a statistic of a fuzzer-chosen small shape, from raw bytes (with and
// without explicit lengths, with NULs and invalid UTF-8), then strides,
// clips, getters, and figures of one statistic or stacked, exported in
// every format to every destination, with fuzzer-chosen options.
//
// Every call's status must be the one the header documents for its
// arguments; every success is checked in full: what the getters return
// against what was passed in, what stride and clip return against their
// definitions, and every JSON and HTML output (fuzz_support.hpp), which
// must hold the same bytes whether returned, written through a write
// function or saved to a file (capi_driver.hpp, export_everywhere).
//
// Input: read front to back by FuzzInput. A shape byte; labels (strings as
// a length byte and that many bytes); the statistic's name, units, labels
// and their counts, bounds and values; then up to eight operations, each a
// byte choosing it and then its arguments (make_seeds.py spells them out).
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capi_driver.hpp"
#include "fuzz_support.hpp"
#include "trajplot.h"

namespace trajplot_fuzz {
namespace {

struct LabelsDeleter {
    void operator()(trajplot_labels* labels) const { trajplot_labels_free(labels); }
};
struct StatisticDeleter {
    void operator()(trajplot_statistic* statistic) const { trajplot_statistic_free(statistic); }
};
using LabelsHandle = std::unique_ptr<trajplot_labels, LabelsDeleter>;
using StatisticHandle = std::unique_ptr<trajplot_statistic, StatisticDeleter>;

// A shape whose element count overflows: refused before any element is read.
constexpr std::size_t overflowing_layers = SIZE_MAX / 2 + 1;

// Strings as the C API takes them. The pointer arrays always have an
// element, so that an empty one is not passed as NULL (which means "none").
struct Strings {
    std::vector<std::string> bytes;
    bool with_lengths = false;
    std::optional<std::size_t> null_at;  // this element is passed as NULL

    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;

    void prepare() {
        pointers.assign(std::max<std::size_t>(bytes.size(), 1), "");
        lengths.assign(pointers.size(), 0);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            pointers[i] = null_at == i ? nullptr : bytes[i].c_str();
            lengths[i] = bytes[i].size();
        }
    }
    const char* const* data() const { return pointers.data(); }
    const std::size_t* length_data() const { return with_lengths ? lengths.data() : nullptr; }
    // What the library stores of element i.
    std::string stored(std::size_t i) const {
        return sanitized_utf8(with_lengths ? bytes[i] : c_string_part(bytes[i]));
    }
};

// A stride: small ones, the number of layers and around it, and the
// largest, where a careless loop would wrap around.
std::size_t read_stride(FuzzInput& in, std::size_t n_layers) {
    const std::size_t choice = in.below(10);
    switch (choice) {
        case 5: return n_layers - 1;
        case 6: return n_layers + 1;
        case 7: return SIZE_MAX;
        case 8: return SIZE_MAX - 1;
        case 9: return in.u32();
        default: return choice;  // 0 (refused) to 4
    }
}

Strings read_strings(FuzzInput& in, std::size_t count, bool with_lengths) {
    Strings strings;
    strings.with_lengths = with_lengths;
    for (std::size_t i = 0; i < count; ++i) strings.bytes.push_back(in.bytes());
    return strings;
}

void check_same_view(const StatisticView& actual, const StatisticView& expected, const std::string& what) {
    const auto same = [&](bool equal, const char* field) {
        check(equal, what + ": " + field + " is not what was expected");
    };
    same(actual.name == expected.name, "the name");
    same(actual.units == expected.units, "the units");
    same(actual.n_layers == expected.n_layers && actual.seq_len == expected.seq_len, "the shape");
    // Bit for bit: signed zeros and NaN payloads are kept as given.
    same(actual.stats.size() == expected.stats.size() &&
             std::memcmp(actual.stats.data(), expected.stats.data(), actual.stats.size() * sizeof(float)) == 0,
         "the stats");
    const auto same_bound = [](const std::optional<float>& a, const std::optional<float>& b) {
        return a.has_value() == b.has_value() && (!a || std::memcmp(&*a, &*b, sizeof(float)) == 0);
    };
    same(same_bound(actual.min, expected.min), "min");
    same(same_bound(actual.max, expected.max), "max");
    same(actual.includes_output == expected.includes_output, "includes_output");
    same(actual.layer_labels == expected.layer_labels, "the layer labels");
    same(actual.sequence_labels == expected.sequence_labels, "the sequence labels");
    same(actual.cell_labels == expected.cell_labels, "the trajectory labels");
    same(actual.hover_entries == expected.hover_entries && actual.hover_rows == expected.hover_rows &&
             actual.hover_cols == expected.hover_cols,
         "the hover tables");
}

// Labels as created: what the getters must return.
struct ExpectedLabels {
    std::size_t n_layers = 0;
    std::size_t seq_len = 0;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
    std::vector<std::string> labels;
    std::vector<std::string> hover_entries;
};

void check_labels(const LabelsView& actual, const ExpectedLabels& expected, const std::string& what) {
    check(actual.n_layers == expected.n_layers && actual.seq_len == expected.seq_len &&
              actual.hover_rows == expected.hover_rows && actual.hover_cols == expected.hover_cols,
          what + ": the shape is not what was expected");
    check(actual.labels == expected.labels, what + ": the labels are not what was passed");
    check(actual.hover_entries == expected.hover_entries, what + ": the hover entries are not what was passed");
}

ExpectedLabels strided_labels(const ExpectedLabels& labels, std::size_t stride) {
    ExpectedLabels result = labels;
    result.labels.clear();
    result.hover_entries.clear();
    const std::vector<std::size_t> rows = strided_rows(labels.n_layers, stride);
    result.n_layers = rows.size();
    const std::size_t table = labels.hover_rows * labels.hover_cols;
    for (const std::size_t row : rows) {
        for (std::size_t position = 0; position < labels.seq_len; ++position) {
            const std::size_t cell = row * labels.seq_len + position;
            result.labels.push_back(labels.labels[cell]);
            for (std::size_t k = 0; k < table; ++k)
                result.hover_entries.push_back(labels.hover_entries[cell * table + k]);
        }
    }
    return result;
}

void exercise_template_and_customdata(const trajplot_labels* labels, const ExpectedLabels& expected, std::size_t limit,
                                      bool with_lengths) {
    char* template_text = reinterpret_cast<char*>(&limit);
    char* customdata = reinterpret_cast<char*>(&limit);
    std::size_t template_length = 0x5A5A;
    std::size_t customdata_length = 0x5A5A;
    const bool has_hover = expected.hover_rows > 0;
    const trajplot_status status =
        trajplot_labels_template_and_customdata(&template_text, with_lengths ? &template_length : nullptr, &customdata,
                                                with_lengths ? &customdata_length : nullptr, labels, limit);
    if (!expect_call(status, "trajplot_labels_template_and_customdata",
                     has_hover && limit > 0 ? Statuses{} : Statuses{TRAJPLOT_EINVAL})) {
        check(template_text == reinterpret_cast<char*>(&limit) && customdata == reinterpret_cast<char*>(&limit) &&
                  template_length == 0x5A5A && customdata_length == 0x5A5A,
              "a failed trajplot_labels_template_and_customdata wrote its outputs");
        return;
    }
    const std::string hover_template(template_text);
    const std::string customdata_text(customdata);
    if (with_lengths) {
        check(template_length == hover_template.size() && customdata_length == customdata_text.size(),
              "trajplot_labels_template_and_customdata returned wrong lengths");
    }
    trajplot_string_free(template_text);
    trajplot_string_free(customdata);
    check(hover_template == hovertemplate(expected.hover_rows, expected.hover_cols),
          "the hover template is not the documented one", [&] { return printable(hover_template); });

    const json parsed = parse_output_json(customdata_text, "the customdata JSON");
    const std::size_t cols = expected.hover_cols;
    const std::size_t table = expected.hover_rows * cols;
    std::vector<std::size_t> widths(cols, 0);
    for (std::size_t i = 0; i < expected.hover_entries.size(); ++i) {
        widths[i % cols] = std::max(widths[i % cols], code_point_count(expected.hover_entries[i]));
    }
    for (std::size_t& width : widths) width = std::min(width + 1, limit);
    json padded = json::array();
    for (std::size_t layer = 0; layer < expected.n_layers; ++layer) {
        json row = json::array();
        for (std::size_t position = 0; position < expected.seq_len; ++position) {
            json cell = json::array();
            for (std::size_t k = 0; k < table; ++k) {
                const std::string& entry = expected.hover_entries[(layer * expected.seq_len + position) * table + k];
                cell.push_back(fit_left(entry, widths[k % cols]));
            }
            row.push_back(cell);
        }
        padded.push_back(row);
    }
    check(parsed == padded, "the customdata is not the padded hover entries",
          [&] { return printable(parsed.dump()) + "\nexpected " + printable(padded.dump()); });
}

const char* const colorscale_names[] = {
    "viridis", "RdBu", "rdbu_r",   "Greys_R", "plasma", "jet",   "",      "_r",       "viridis_r_r", "Viridis ",
    "turbo",   "hot",  "electric", "rdbu_",   "BLUES",  "ice_r", "phase", "twilight", "tealrose_r",  "none",
};

const char* const extra_json_texts[] = {
    "{}",
    "{\"zmin\": 0, \"zmax\": 1}",
    "{\"z\": null}",
    "{\"colorbar\": {\"title\": null}}",
    "{\"colorscale\": \"Viridis\"}",
    "{\"text\": [[1]]}",
    "{\"x\": {\"a\": null, \"b\": {\"c\": null}}}",
    "[]",
    "null",
    "{\"a\": 1, \"a\": null}",
    "{\"y\": [\"</script>\", null]}",
    "{\"customdata\": 5}",
    "{\"type\": \"contour\"}",
    "{\"hoverlabel\": {\"font\": {\"size\": 20}}}",
    "{\"showscale\": false, \"xgap\": 1.5e300, \"ygap\": -2.5e-300}",
    "{\"zmin\": -0.0, \"zmax\": -0}",
    "{\"name\": \"\\u2028\\u0000\\ud83d\\ude00\"}",
    "{\"texttemplate\": null, \"text\": null, \"customdata\": null, \"hovertemplate\": null}",
    "{",
    "{\"a\": 1e400}",
    "{\"a\": 18446744073709551615, \"b\": -9223372036854775808, \"c\": 18446744073709551616}",
    "{\"a\": \"\\ud800\"}",
    "{\"a\": 1} ",
    " {\"a\": [1, 2, {\"b\": []}]}\n",
    "{\"a\": 1}{",
    "{\"colorbar\": {\"tickvals\": [1, 2], \"title\": {\"text\": \"<b>x</b>\"}}}",
};

std::string read_extra_json(FuzzInput& in) {
    const std::uint8_t choice = in.byte();
    constexpr std::size_t listed = std::size(extra_json_texts);
    if (choice < 0x80) return extra_json_texts[choice % listed];
    if (choice < 0xF0) return in.bytes();
    // Nested close to the library's limit of 512 levels.
    const std::size_t depth = 505 + in.below(12);
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

// The panel options of a request: a mode byte, then what it selects.
void read_panel_request(FuzzInput& in, FigureRequest& request) {
    const std::uint8_t mode = in.byte();
    if (mode & 0x01) request.panel_title = in.bytes();
    if (mode & 0x02) {
        const std::uint8_t choice = in.byte();
        request.colorscale =
            choice < 0xE0 ? std::string(colorscale_names[choice % std::size(colorscale_names)]) : in.bytes();
    }
    if (mode & 0x04) request.extra_json = read_extra_json(in);
    request.log_scale = (mode & 0x08) != 0;
    request.hover_value = (mode & 0x10) != 0;
    request.null_panel = (mode & 0x20) != 0;
    if ((mode & 0xC0) == 0xC0) request.panel_version = TRAJPLOT_PANEL_OPTIONS_VERSION + 1;
}

// The figure options of a request: a mode byte, then what it selects, the
// token width, the height and the caller's locale.
void read_frame_request(FuzzInput& in, FigureRequest& request) {
    const std::uint8_t mode = in.byte();
    if (mode & 0x01) request.title = in.bytes();
    request.null_figure = (mode & 0x02) != 0;
    if ((mode & 0x0C) == 0x0C) request.figure_version = TRAJPLOT_FIGURE_OPTIONS_VERSION + 1;
    switch (in.below(8)) {
        case 0: request.token_width = 1; break;
        case 1: request.token_width = 0; break;
        case 2: request.token_width = in.u16(); break;
        case 3: request.token_width = std::size_t{1} << 50; break;
        case 4: request.token_width = SIZE_MAX; break;
        default: break;
    }
    switch (in.below(8)) {
        case 0: request.height = 450; break;
        case 1: request.height = (std::size_t{1} << 53) - 1; break;
        case 2: request.height = std::size_t{1} << 53; break;
        case 3: request.height = in.u16(); break;
        default: break;
    }
    request.locale = in.below(CallerLocale::count);
}

FigureRequest read_figure_request(FuzzInput& in) {
    FigureRequest request;
    read_panel_request(in, request);
    read_frame_request(in, request);
    return request;
}

// Export options of `format`. The page's fields are read whatever the
// format: they must not matter to JSON.
ExportRequest read_export_request(FuzzInput& in, int format) {
    ExportRequest request;
    request.format = format;
    const std::uint8_t flags = in.byte();
    request.full_html = (flags & 0x01) == 0;
    request.responsive = (flags & 0x02) != 0;
    if ((flags & 0x0C) == 0x0C) request.version = TRAJPLOT_EXPORT_OPTIONS_VERSION + 1;
    request.null_options = (flags & 0x10) != 0;
    const int sources[] = {
        TRAJPLOT_PLOTLYJS_CDN,  TRAJPLOT_PLOTLYJS_SRC, TRAJPLOT_PLOTLYJS_INLINE, TRAJPLOT_PLOTLYJS_NONE, -1, 5,
        TRAJPLOT_PLOTLYJS_LOCAL};
    request.plotlyjs = sources[in.below(7)];
    const PlotlyJsFixtures& fixtures = plotlyjs_fixtures();
    if (request.plotlyjs == TRAJPLOT_PLOTLYJS_SRC) {
        if (in.below(8) != 0) request.location = in.bytes();
    } else if (request.plotlyjs == TRAJPLOT_PLOTLYJS_INLINE) {
        const std::string* choices[] = {&fixtures.usable,        &fixtures.usable,       &fixtures.large,
                                        &fixtures.closes_script, &fixtures.opens_script, &fixtures.empty,
                                        &fixtures.missing,       &fixtures.directory};
        const std::size_t choice = in.below(10);
        if (choice < std::size(choices)) request.location = *choices[choice];
        // A missing file whose name is any bytes: the message names it.
        if (choice == 9) request.location = missing_path(fixtures.directory, in.bytes());
        if (request.location == fixtures.usable) request.inline_contents = fixtures.usable_contents;
        if (request.location == fixtures.large) request.inline_contents = fixtures.large_contents;
    }
    switch (in.below(4)) {
        case 1: request.div_id = "fig-1_a"; break;
        case 2: request.div_id = in.bytes(); break;
        case 3: request.div_id = "a" + in.bytes(); break;
        default: break;
    }
    if (format == TRAJPLOT_FORMAT_SVG) {
        const double scales[] = {1.0,
                                 0.0,
                                 -0.0,
                                 2.5,
                                 16.0,
                                 std::nextafter(16.0, 17.0),
                                 1e-300,
                                 -1.0,
                                 std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity()};
        const std::size_t choice = in.below(std::size(scales) + 1);
        request.scale = choice < std::size(scales) ? scales[choice] : in.number();
    }
    return request;
}

// Any format value: JSON, HTML, SVG, and values that are none. PNG and PDF
// are left out: Cairo, Pango and fontconfig are not instrumented, and they
// draw the scene that SVG is written from here.
int read_format(FuzzInput& in) {
    const int formats[] = {
        TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_FORMAT_TRACE_JSON, TRAJPLOT_FORMAT_HTML, -1, 6, INT_MIN,
        TRAJPLOT_FORMAT_SVG};
    return formats[in.below(std::size(formats))];
}

// Where an export goes besides a string and a write function: a byte, bit
// 0 the length output, bits 1-3 where a write function stops the export,
// bits 4-5 what it returns then, bits 6-7 files: none, a new file, a new
// one and one under a missing directory, a new one and a directory.
Destinations read_destinations(FuzzInput& in) {
    Destinations destinations;
    const std::uint8_t mode = in.byte();
    destinations.with_length = (mode & 0x01) == 0;
    switch ((mode >> 1) & 0x07) {
        case 1: destinations.stop_after = 0; break;
        case 2: destinations.stop_after = 1; break;
        case 3: destinations.stop_after = 2; break;
        case 4: destinations.stop_after = in.byte(); break;
        default: break;
    }
    const int stop_values[] = {1, -1, INT_MIN, INT_MAX};
    destinations.stop_value = stop_values[(mode >> 4) & 0x03];
    destinations.save = (mode >> 6) != 0;
    destinations.bad_target = (mode >> 6) == 0 ? 0 : (mode >> 6) - 1;
    if (destinations.bad_target == 1) destinations.missing_name = in.bytes();
    return destinations;
}

// A stacked figure of the statistic 1 to 3 times: the figure's options,
// each panel's, the spacing.
void exercise_stack(FuzzInput& in, const trajplot_statistic* statistic, const StatisticView& view) {
    const std::size_t count = 1 + in.below(3);
    StackRequest stack;
    read_frame_request(in, stack.figure);
    for (std::size_t i = 0; i < count; ++i) {
        FigureRequest panel;
        read_panel_request(in, panel);
        stack.panels.push_back(panel);
    }
    const std::uint8_t mode = in.byte();
    stack.null_panels = (mode & 0x01) != 0;
    stack.equal_panel_heights = (mode & 0x02) != 0;
    const double limit = count > 1 ? 1.0 / static_cast<double>(count - 1) : 1.0;
    switch ((mode >> 2) % 8) {
        case 1: stack.vertical_spacing = 0.0; break;
        case 2: stack.vertical_spacing = 0.3 / static_cast<double>(count); break;
        case 3: stack.vertical_spacing = std::nextafter(limit, 0.0); break;
        case 4: stack.vertical_spacing = limit; break;
        case 5: stack.vertical_spacing = -0.0; break;
        case 6: stack.vertical_spacing = std::nextafter(0.0, -1.0); break;
        case 7: stack.vertical_spacing = in.number(); break;
        default: break;
    }
    const ExportRequest request = read_export_request(in, read_format(in));
    const std::vector<const trajplot_statistic*> statistics(count, statistic);
    const std::vector<StatisticView> views(count, view);
    exercise_stacked(statistics, views, stack, request, read_destinations(in));
}

void exercise_trunc_string_left(FuzzInput& in) {
    const std::string bytes = in.bytes();
    const std::size_t choice = in.below(32);
    const std::size_t new_len = choice == 30 ? SIZE_MAX : choice == 31 ? static_cast<std::size_t>(PTRDIFF_MAX) : choice;
    // All its bytes, NULs included, or up to the first NUL.
    const std::string given = in.flag() ? c_string_part(bytes) : bytes;
    const std::string text = sanitized_utf8(given);
    const bool too_long = new_len > static_cast<std::size_t>(PTRDIFF_MAX) - 1 - text.size();
    char* out = nullptr;
    std::size_t length = 0;
    if (!expect_call(trajplot_trunc_string_left(&out, &length, bytes.data(), given.size(), new_len),
                     "trajplot_trunc_string_left", too_long ? Statuses{TRAJPLOT_ERANGE} : Statuses{})) {
        return;
    }
    check(out[length] == '\0', "trajplot_trunc_string_left's string is not NUL-terminated at its length");
    const std::string result(out, length);
    trajplot_string_free(out);
    check(result == fit_left(text, new_len), "trajplot_trunc_string_left is not Python's trunc_string_left",
          [&] { return printable(result) + " from " + printable(text) + " to " + std::to_string(new_len); });
}

// Calls with a NULL (or a count of 0) where the header requires more: each
// is refused, its outputs untouched. Free functions take NULL.
void exercise_null_arguments(const trajplot_statistic* statistic) {
    char* text = nullptr;
    trajplot_statistic* derived = nullptr;
    trajplot_figure* figure = nullptr;
    expect_call(trajplot_statistic_stride(nullptr, statistic, 1), "trajplot_statistic_stride", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_clip(&derived, nullptr, 0, 1), "trajplot_statistic_clip", {TRAJPLOT_EINVAL});
    expect_call(trajplot_trunc_string_left(&text, nullptr, nullptr, 1, 1), "trajplot_trunc_string_left",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_trunc_string_left(nullptr, nullptr, "a", 1, 1), "trajplot_trunc_string_left",
                {TRAJPLOT_EINVAL});

    expect_call(trajplot_figure_create(nullptr, statistic, nullptr, nullptr), "trajplot_figure_create",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_create(&figure, nullptr, nullptr, nullptr), "trajplot_figure_create",
                {TRAJPLOT_EINVAL});
    const trajplot_statistic* const with_null[] = {statistic, nullptr};
    expect_call(trajplot_figure_create_stacked(&figure, nullptr, nullptr, 1, nullptr), "trajplot_figure_create_stacked",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_create_stacked(&figure, with_null, nullptr, 0, nullptr),
                "trajplot_figure_create_stacked", {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_create_stacked(&figure, with_null, nullptr, 2, nullptr),
                "trajplot_figure_create_stacked", {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_create_stacked(nullptr, with_null, nullptr, 1, nullptr),
                "trajplot_figure_create_stacked", {TRAJPLOT_EINVAL});
    check(text == nullptr && derived == nullptr && figure == nullptr, "a refused call wrote its outputs");

    bool stacked = false;
    expect_call(trajplot_figure_shape(&stacked, nullptr, nullptr), "trajplot_figure_shape", {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_export(&text, nullptr, nullptr, nullptr), "trajplot_figure_export", {TRAJPLOT_EINVAL});
    trajplot_figure_free(nullptr);

    expect_call(trajplot_figure_create(&figure, statistic, nullptr, nullptr), "trajplot_figure_create", {});
    const FigureHandle made(figure);
    const std::filesystem::path path = scratch_directory() / "null-arguments.out";
    expect_call(trajplot_figure_export(nullptr, nullptr, made.get(), nullptr), "trajplot_figure_export",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_save(made.get(), nullptr, nullptr), "trajplot_figure_save", {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_save(nullptr, nullptr, path.c_str()), "trajplot_figure_save", {TRAJPLOT_EINVAL});
    check(!std::filesystem::exists(path), "a refused trajplot_figure_save made a file");
    expect_call(trajplot_figure_stream(made.get(), nullptr, nullptr, nullptr), "trajplot_figure_stream",
                {TRAJPLOT_EINVAL});
    int calls = 0;
    const trajplot_write_fn count_calls = [](void* user, const char*, std::size_t) {
        ++*static_cast<int*>(user);
        return 0;
    };
    expect_call(trajplot_figure_stream(nullptr, nullptr, count_calls, &calls), "trajplot_figure_stream",
                {TRAJPLOT_EINVAL});
    check(calls == 0, "a refused trajplot_figure_stream wrote");

    // The options' initialisers: the macros' values, for the version only.
    trajplot_panel_options panel{};
    trajplot_figure_options frame{};
    trajplot_export_options exported{};
    expect_call(trajplot_panel_options_init(nullptr, TRAJPLOT_PANEL_OPTIONS_VERSION), "trajplot_panel_options_init",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_panel_options_init(&panel, TRAJPLOT_PANEL_OPTIONS_VERSION + 1), "trajplot_panel_options_init",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_figure_options_init(&frame, 0), "trajplot_figure_options_init", {TRAJPLOT_EINVAL});
    expect_call(trajplot_export_options_init(&exported, TRAJPLOT_EXPORT_OPTIONS_VERSION + 1),
                "trajplot_export_options_init", {TRAJPLOT_EINVAL});
    expect_call(trajplot_panel_options_init(&panel, TRAJPLOT_PANEL_OPTIONS_VERSION), "trajplot_panel_options_init", {});
    expect_call(trajplot_figure_options_init(&frame, TRAJPLOT_FIGURE_OPTIONS_VERSION), "trajplot_figure_options_init",
                {});
    expect_call(trajplot_export_options_init(&exported, TRAJPLOT_EXPORT_OPTIONS_VERSION),
                "trajplot_export_options_init", {});
    const trajplot_panel_options panel_init = TRAJPLOT_PANEL_OPTIONS_INIT;
    const trajplot_figure_options frame_init = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_export_options exported_init = TRAJPLOT_EXPORT_OPTIONS_INIT;
    check(panel.version == panel_init.version && panel.title == nullptr && panel.colorscale == nullptr &&
              panel.extra_json == nullptr && !panel.log_scale && !panel.hover_value,
          "trajplot_panel_options_init is not TRAJPLOT_PANEL_OPTIONS_INIT");
    check(frame.version == frame_init.version && frame.title == nullptr &&
              frame.token_width == frame_init.token_width && frame.height == frame_init.height &&
              frame.vertical_spacing == frame_init.vertical_spacing &&
              frame.has_vertical_spacing == frame_init.has_vertical_spacing &&
              frame.equal_panel_heights == frame_init.equal_panel_heights,
          "trajplot_figure_options_init is not TRAJPLOT_FIGURE_OPTIONS_INIT");
    check(exported.version == exported_init.version && exported.format == exported_init.format &&
              exported.plotlyjs == exported_init.plotlyjs && exported.plotlyjs_location == nullptr &&
              exported.div_id == nullptr && exported.full_html == exported_init.full_html &&
              exported.responsive == exported_init.responsive,
          "trajplot_export_options_init is not TRAJPLOT_EXPORT_OPTIONS_INIT");
}

void run(FuzzInput& in) {
    // The shape: each of n_layers and seq_len from 0 (refused) to 6, or a
    // count that overflows.
    const std::uint8_t shape_byte = in.byte();
    const bool overflow = shape_byte >= 0xF8;
    const std::size_t n_layers = overflow ? overflowing_layers : shape_byte % 7;
    const std::size_t seq_len = overflow ? 3 : (shape_byte / 7) % 7;
    const bool empty_shape = n_layers == 0 || seq_len == 0;
    // Arrays are read for the shape, or one element when it overflows.
    const std::size_t cells = overflow ? 1 : n_layers * seq_len;

    // Labels.
    const std::uint8_t labels_mode = in.byte();
    LabelsHandle labels;
    ExpectedLabels expected_labels;
    if (labels_mode & 0x01) {
        const bool other_shape = (labels_mode & 0x20) != 0 && !overflow;
        const std::size_t label_layers = other_shape ? n_layers + 1 : n_layers;
        const std::size_t label_cells = overflow ? 1 : label_layers * seq_len;
        Strings label_strings = read_strings(in, label_cells, (labels_mode & 0x02) != 0);
        const bool has_hover = (labels_mode & 0x04) != 0;
        const std::size_t hover_rows = has_hover ? in.below(4) : 0;
        const std::size_t hover_cols = has_hover ? in.below(4) : 0;
        Strings hover =
            read_strings(in, overflow ? 1 : label_cells * hover_rows * hover_cols, (labels_mode & 0x08) != 0);
        if ((labels_mode & 0x10) && label_cells > 0) label_strings.null_at = in.below(label_cells);
        label_strings.prepare();
        hover.prepare();

        Statuses failures;
        if (overflow) {
            failures = {TRAJPLOT_ERANGE};
        } else if (label_layers == 0 || seq_len == 0 || label_strings.null_at ||
                   (has_hover && (hover_rows == 0 || hover_cols == 0))) {
            failures = {TRAJPLOT_EINVAL};
        }
        trajplot_labels* created = nullptr;
        const trajplot_status status =
            trajplot_labels_create(&created, label_layers, seq_len, label_strings.data(), label_strings.length_data(),
                                   has_hover ? hover.data() : nullptr, hover.length_data(), hover_rows, hover_cols);
        if (expect_call(status, "trajplot_labels_create", failures)) {
            labels.reset(created);
            expected_labels.n_layers = label_layers;
            expected_labels.seq_len = seq_len;
            expected_labels.hover_rows = hover_rows;
            expected_labels.hover_cols = hover_cols;
            for (std::size_t i = 0; i < label_cells; ++i) expected_labels.labels.push_back(label_strings.stored(i));
            for (std::size_t i = 0; i < hover.bytes.size(); ++i)
                expected_labels.hover_entries.push_back(hover.stored(i));
            check_labels(labels_view_of(labels.get()), expected_labels, "the created labels");
            exercise_template_and_customdata(labels.get(), expected_labels, in.below(13), in.flag());

            const std::size_t stride = read_stride(in, label_layers);
            trajplot_labels* strided_handle = nullptr;
            if (expect_call(trajplot_labels_stride(&strided_handle, labels.get(), stride), "trajplot_labels_stride",
                            stride == 0 ? Statuses{TRAJPLOT_EINVAL} : Statuses{})) {
                const LabelsHandle owned(strided_handle);
                check_labels(labels_view_of(owned.get()), strided_labels(expected_labels, stride),
                             "the strided labels");
            }
        } else {
            check(created == nullptr, "a failed trajplot_labels_create wrote its output");
        }
    }

    // The statistic.
    const std::string name = in.bytes();
    const std::uint8_t mode = in.byte();
    const std::optional<std::string> units = (mode & 0x01) ? std::optional(in.bytes()) : std::nullopt;
    std::optional<Strings> sequence_labels;
    if (mode & 0x02) {
        sequence_labels = read_strings(in, overflow ? 1 : seq_len, (mode & 0x04) != 0);
        if ((mode & 0x40) && seq_len > 0) sequence_labels->null_at = in.below(overflow ? 1 : seq_len);
        sequence_labels->prepare();
    }
    std::optional<Strings> layer_labels;
    if ((mode & 0x08) && !overflow) {
        layer_labels = read_strings(in, n_layers, (mode & 0x10) != 0);
        layer_labels->prepare();
    }
    // The label counts: right, or one too many, or 0.
    const std::uint8_t counts = (sequence_labels || layer_labels) ? in.byte() : 0;
    const auto count_of = [](unsigned choice, std::size_t right) {
        return choice == 2 ? right + 1 : choice == 3 ? 0 : right;
    };
    const std::size_t sequence_label_count = count_of(counts & 0x03, overflow ? 3 : seq_len);
    const std::size_t layer_label_count = count_of((counts >> 2) & 0x03, n_layers);
    const bool wrong_count =
        (sequence_labels && sequence_label_count != seq_len) || (layer_labels && layer_label_count != n_layers);
    const bool includes_output = (mode & 0x20) == 0;
    const bool wrong_version = (mode & 0xC0) == 0xC0 && (labels_mode & 0x80);
    const std::uint8_t bounds = in.byte();
    const std::optional<float> min = (bounds & 1) ? std::optional(in.number()) : std::nullopt;
    const std::optional<float> max = (bounds & 2) ? std::optional(in.number()) : std::nullopt;
    const bool pass_labels = labels && (bounds & 4) == 0;
    std::vector<float> stats(std::max<std::size_t>(cells, 1));
    for (std::size_t i = 0; i < cells; ++i) stats[i] = in.number();

    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    if (wrong_version) options.version = TRAJPLOT_STATISTIC_OPTIONS_VERSION + 1;
    options.units = units ? units->c_str() : nullptr;
    if (sequence_labels) {
        options.sequence_labels = sequence_labels->data();
        options.sequence_label_lengths = sequence_labels->length_data();
        options.sequence_label_count = sequence_label_count;
    }
    if (layer_labels) {
        options.layer_labels = layer_labels->data();
        options.layer_label_lengths = layer_labels->length_data();
        options.layer_label_count = layer_label_count;
    }
    options.trajectory_labels = pass_labels ? labels.get() : nullptr;
    options.has_min = min.has_value();
    options.min = min.value_or(0.0f);
    options.has_max = max.has_value();
    options.max = max.value_or(0.0f);
    options.includes_output = includes_output;

    Statuses failures;
    if (overflow) failures.push_back(TRAJPLOT_ERANGE);
    const bool refused = wrong_version || empty_shape || wrong_count || (sequence_labels && sequence_labels->null_at) ||
                         (pass_labels && expected_labels.n_layers != n_layers) || (min && std::isnan(*min)) ||
                         (max && std::isnan(*max)) || (min && max && !(*min < *max));
    if (refused) failures.push_back(TRAJPLOT_EINVAL);
    trajplot_statistic* created = nullptr;
    if (!expect_call(trajplot_statistic_create(&created, name.c_str(), stats.data(), n_layers, seq_len, &options),
                     "trajplot_statistic_create", failures)) {
        check(created == nullptr, "a failed trajplot_statistic_create wrote its output");
        return;
    }
    StatisticHandle statistic(created);
    // The labels handle may go: the statistic keeps its own reference.
    if (in.flag()) labels.reset();

    StatisticView view;
    view.name = sanitized_utf8(c_string_part(name));
    if (units) view.units = sanitized_utf8(c_string_part(*units));
    view.n_layers = n_layers;
    view.seq_len = seq_len;
    view.stats.assign(stats.begin(), stats.begin() + static_cast<std::ptrdiff_t>(cells));
    view.min = min;
    view.max = max;
    view.includes_output = includes_output;
    if (layer_labels) {
        for (std::size_t i = 0; i < n_layers; ++i) view.layer_labels.push_back(layer_labels->stored(i));
    } else {
        view.layer_labels = default_layer_labels(n_layers, includes_output);
    }
    if (sequence_labels) {
        view.sequence_labels.emplace();
        for (std::size_t i = 0; i < seq_len; ++i) view.sequence_labels->push_back(sequence_labels->stored(i));
    }
    if (pass_labels) {
        view.cell_labels = expected_labels.labels;
        view.hover_entries = expected_labels.hover_entries;
        view.hover_rows = expected_labels.hover_rows;
        view.hover_cols = expected_labels.hover_cols;
    }
    check_same_view(view_of(statistic.get()), view, "the created statistic");

    for (int operation = 0; operation < 8 && !in.empty(); ++operation) {
        switch (in.below(9)) {
            case 0: {
                const std::size_t stride = read_stride(in, view.n_layers);
                trajplot_statistic* strided_handle = nullptr;
                if (expect_call(trajplot_statistic_stride(&strided_handle, statistic.get(), stride),
                                "trajplot_statistic_stride", stride == 0 ? Statuses{TRAJPLOT_EINVAL} : Statuses{})) {
                    statistic.reset(strided_handle);
                    view = strided(view, stride);
                    check_same_view(view_of(statistic.get()), view, "the strided statistic");
                }
                break;
            }
            case 1: {
                const float clip_min = in.number();
                const float clip_max = in.number();
                trajplot_statistic* clipped_handle = nullptr;
                if (expect_call(trajplot_statistic_clip(&clipped_handle, statistic.get(), clip_min, clip_max),
                                "trajplot_statistic_clip",
                                clip_min < clip_max ? Statuses{} : Statuses{TRAJPLOT_EINVAL})) {
                    statistic.reset(clipped_handle);
                    view = clipped(view, clip_min, clip_max);
                    check_same_view(view_of(statistic.get()), view, "the clipped statistic");
                }
                break;
            }
            case 2:
            case 3:
            case 4:
            case 5: {
                // The trace, the figure, the page, or any format value.
                const std::size_t choice = in.below(4);
                const FigureRequest figure = read_figure_request(in);
                const int formats[] = {TRAJPLOT_FORMAT_TRACE_JSON, TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_FORMAT_HTML};
                const int format = choice < 3 ? formats[choice] : read_format(in);
                const ExportRequest request = read_export_request(in, format);
                exercise_figure(statistic.get(), view, figure, request, read_destinations(in));
                break;
            }
            case 6: exercise_trunc_string_left(in); break;
            case 7: exercise_null_arguments(statistic.get()); break;
            default: exercise_stack(in, statistic.get(), view); break;
        }
    }
}

}  // namespace
}  // namespace trajplot_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    trajplot_error_clear();
    trajplot_fuzz::FuzzInput in(data, size);
    trajplot_fuzz::run(in);
    return 0;
}
