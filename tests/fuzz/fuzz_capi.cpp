// Fuzzes the C API (capi/trajplot.h) as a foreign caller uses it: labels
// and a statistic of a fuzzer-chosen small shape, from raw bytes (with and
// without explicit lengths, with NULs and invalid UTF-8), then strides,
// clips, getters and every export, with fuzzer-chosen options.
//
// Every call's status must be the one the header documents for its
// arguments; every success is checked in full: what the getters return
// against what was passed in, what stride and clip return against their
// definitions, and every JSON and HTML output (fuzz_support.hpp).
//
// Input: read front to back by FuzzInput. A shape byte; labels (strings as
// a length byte and that many bytes); the statistic's name, units, labels,
// bounds and values; then up to eight operations, each a byte choosing it
// and then its arguments.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

FigureRequest read_figure_request(FuzzInput& in) {
    FigureRequest request;
    const std::uint8_t mode = in.byte();
    if (mode & 0x01) request.title = in.bytes();
    if (mode & 0x02) {
        const std::uint8_t choice = in.byte();
        request.colorscale =
            choice < 0xE0 ? std::string(colorscale_names[choice % std::size(colorscale_names)]) : in.bytes();
    }
    if (mode & 0x04) request.extra_json = read_extra_json(in);
    request.log_scale = (mode & 0x08) != 0;
    if ((mode & 0xF0) == 0xF0) {
        request.version = TRAJPLOT_FIGURE_OPTIONS_VERSION + 1;
    } else {
        request.hover_value = (mode & 0x10) != 0;
    }
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
    return request;
}

HtmlRequest read_html_request(FuzzInput& in) {
    HtmlRequest request;
    const std::uint8_t flags = in.byte();
    request.full_html = (flags & 0x01) == 0;
    request.responsive = (flags & 0x02) != 0;
    if ((flags & 0x0C) == 0x0C) request.version = TRAJPLOT_HTML_OPTIONS_VERSION + 1;
    // The last one added last, so that older inputs keep their meaning.
    const int sources[] = {TRAJPLOT_PLOTLYJS_CDN, TRAJPLOT_PLOTLYJS_SRC, TRAJPLOT_PLOTLYJS_INLINE, TRAJPLOT_PLOTLYJS_NONE,
                           -1, 5, TRAJPLOT_PLOTLYJS_LOCAL};
    request.plotlyjs = sources[in.below(7)];
    const PlotlyJsFixtures& fixtures = plotlyjs_fixtures();
    if (request.plotlyjs == TRAJPLOT_PLOTLYJS_SRC) {
        if (in.below(8) != 0) request.location = in.bytes();
    } else if (request.plotlyjs == TRAJPLOT_PLOTLYJS_INLINE) {
        const std::string* choices[] = {&fixtures.usable,        &fixtures.usable,       &fixtures.usable,
                                        &fixtures.closes_script, &fixtures.opens_script, &fixtures.empty,
                                        &fixtures.missing,       &fixtures.directory};
        const std::size_t choice = in.below(10);
        if (choice < std::size(choices)) request.location = *choices[choice];
        // A missing file whose name is any bytes: the message names it.
        if (choice == 9) request.location = missing_path(fixtures.directory, in.bytes());
        if (request.location == fixtures.usable) request.inline_contents = fixtures.usable_contents;
    }
    switch (in.below(4)) {
        case 1: request.div_id = "fig-1_a"; break;
        case 2: request.div_id = in.bytes(); break;
        case 3: request.div_id = "a" + in.bytes(); break;
        default: break;
    }
    return request;
}

void exercise_trunc_string_left(FuzzInput& in) {
    const std::string bytes = in.bytes();
    const std::size_t choice = in.below(32);
    const std::size_t new_len = choice == 30 ? SIZE_MAX : choice == 31 ? static_cast<std::size_t>(PTRDIFF_MAX) : choice;
    const std::string text = sanitized_utf8(c_string_part(bytes));
    const bool too_long = new_len > static_cast<std::size_t>(PTRDIFF_MAX) - 1 - text.size();
    char* out = nullptr;
    std::size_t length = 0;
    if (!expect_call(trajplot_trunc_string_left(&out, &length, bytes.c_str(), new_len), "trajplot_trunc_string_left",
                     too_long ? Statuses{TRAJPLOT_ERANGE} : Statuses{})) {
        return;
    }
    const std::string result(out, length);
    trajplot_string_free(out);
    check(result == fit_left(text, new_len), "trajplot_trunc_string_left is not Python's trunc_string_left",
          [&] { return printable(result) + " from " + printable(text) + " to " + std::to_string(new_len); });
}

// Calls with a NULL where the header requires a pointer: each is refused.
void exercise_null_arguments(const trajplot_statistic* statistic) {
    char* text = nullptr;
    trajplot_statistic* derived = nullptr;
    expect_call(trajplot_statistic_heatmap_json(nullptr, nullptr, statistic, nullptr),
                "trajplot_statistic_heatmap_json", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_figure_json(&text, nullptr, nullptr, nullptr), "trajplot_statistic_figure_json",
                {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_figure_html(&text, nullptr, nullptr, nullptr, nullptr),
                "trajplot_statistic_figure_html", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_stride(nullptr, statistic, 1), "trajplot_statistic_stride", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_clip(&derived, nullptr, 0, 1), "trajplot_statistic_clip", {TRAJPLOT_EINVAL});
    expect_call(trajplot_statistic_write_figure_json(statistic, nullptr, nullptr),
                "trajplot_statistic_write_figure_json", {TRAJPLOT_EINVAL});
    expect_call(trajplot_trunc_string_left(&text, nullptr, nullptr, 1), "trajplot_trunc_string_left",
                {TRAJPLOT_EINVAL});
    check(text == nullptr && derived == nullptr, "a refused call wrote its outputs");
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
    }
    if (layer_labels) {
        options.layer_labels = layer_labels->data();
        options.layer_label_lengths = layer_labels->length_data();
    }
    options.trajectory_labels = pass_labels ? labels.get() : nullptr;
    options.has_min = min.has_value();
    options.min = min.value_or(0.0f);
    options.has_max = max.has_value();
    options.max = max.value_or(0.0f);
    options.includes_output = includes_output;

    Statuses failures;
    if (overflow) failures.push_back(TRAJPLOT_ERANGE);
    const bool refused = wrong_version || empty_shape || (sequence_labels && sequence_labels->null_at) ||
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
        switch (in.below(8)) {
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
            case 2: exercise_heatmap_json(statistic.get(), view, read_figure_request(in)); break;
            case 3: exercise_figure_json(statistic.get(), view, read_figure_request(in)); break;
            case 4: {
                const FigureRequest figure = read_figure_request(in);
                exercise_figure_html(statistic.get(), view, figure, read_html_request(in));
                break;
            }
            case 5: {
                const int which = static_cast<int>(in.below(3));
                const std::size_t choice = in.below(8);
                const int target = choice < 6 ? 0 : static_cast<int>(choice) - 5;
                const std::string missing_name = target == 1 ? in.bytes() : "";
                const FigureRequest figure = read_figure_request(in);
                const HtmlRequest html = which == 2 ? read_html_request(in) : HtmlRequest{};
                exercise_file_export(statistic.get(), view, figure, html, which, target, missing_name);
                break;
            }
            case 6: exercise_trunc_string_left(in); break;
            default: exercise_null_arguments(statistic.get()); break;
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
