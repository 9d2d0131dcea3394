// Fuzzes the HTML export with hostile text: every string a page shows or
// embeds (title, name, units, sequence, layer and cell labels, hover
// entries, the plotly.js URL, the div id, extra_json) is built from pieces
// that try to end the <script> element, open a comment, inject markup or
// break the JavaScript (U+2028, U+2029), mixed with raw fuzzer bytes.
//
// The page must keep the template's structure whatever the text
// (check_html_page): the same tags in the same order, "</script" only where
// the template puts it, no "<!--", a figure JSON with none of < > &
// U+2028 U+2029 that draws exactly the figure of the JSON export; and the
// same bytes whether the page is returned, streamed or saved.
//
// Input: read front to back by FuzzInput: the shape and options, then each
// string as a count of pieces, each a byte choosing a hostile piece or raw
// bytes (a length byte and that many bytes); last the caller's locale and
// where a write function stops the export.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capi_driver.hpp"
#include "fuzz_support.hpp"
#include "trajplot.h"

namespace trajplot_fuzz {
namespace {

// Text that is harmless in JSON but not in a page, or that breaks UTF-8.
constexpr std::array<std::string_view, 62> hostile_pieces = {
    "</script>",
    "</SCRIPT >",
    "</ScRiPt\t",
    "</script/",
    "<script>alert(1)</script>",
    "<script",
    "<!--",
    "-->",
    "<!-- <script>",
    "<![CDATA[",
    "]]>",
    "</title>",
    "</div>",
    "<div id=\"x\">",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<style>",
    "</style>",
    "<b>",
    "<br>",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#60;",
    "\"",
    "'",
    "`",
    "\\",
    "\\u003c/script>",
    "\\\"",
    "${alert(1)}",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "%{text}",
    "%{customdata[0]}",
    "<extra></extra>",
    "\xE2\x80\xA8",  // U+2028 LINE SEPARATOR
    "\xE2\x80\xA9",  // U+2029 PARAGRAPH SEPARATOR
    "\xE2\x80",      // U+2028 cut short
    "\xE2",          // a lone lead byte
    std::string_view("\0", 1),
    "\n",
    "\r\n",
    "\t",
    "\x1B[31m",
    "\x7F",
    "\xC2\x85",          // U+0085 NEXT LINE
    "\xC0\xBC",          // '<' as an overlong form
    "\xE0\x80\xBC",      // '<' as a longer overlong form
    "\xED\xA0\x80",      // a surrogate
    "\xF4\x90\x80\x80",  // past U+10FFFF
    "\xFF\xFE",
    "\xEF\xBF\xBD",      // U+FFFD itself
    "\xEF\xBB\xBF",      // a byte order mark
    "\xE2\x80\xAE",      // U+202E RIGHT-TO-LEFT OVERRIDE
    "\xF0\x9F\x98\x80",  // an emoji
    "\xEF\xBC\x9C",      // U+FF1C FULLWIDTH LESS-THAN SIGN
    "a",
    " ",
};

std::string hostile_text(FuzzInput& in) {
    std::string text;
    const std::size_t pieces = in.below(5);
    for (std::size_t i = 0; i < pieces; ++i) {
        const std::uint8_t choice = in.byte();
        if (choice < 0xE0) {
            text += hostile_pieces[choice % hostile_pieces.size()];
        } else {
            text += in.bytes();
        }
    }
    return text;
}

// An extra_json object whose strings (keys too) are hostile, written with
// or without \u escapes; or hostile text that is mostly not JSON at all.
std::string hostile_extra_json(FuzzInput& in) {
    const std::uint8_t mode = in.byte();
    if (mode < 0x20) return hostile_text(in);
    static constexpr std::array<const char*, 8> keys = {"name", "hovertemplate", "texttemplate", "meta", "text",
                                                        "y",    "colorbar",      "customdata"};
    json patch = json::object();
    const std::size_t members = 1 + in.below(3);
    for (std::size_t i = 0; i < members; ++i) {
        const std::uint8_t key_choice = in.byte();
        const std::string key = key_choice < 0xC0 ? keys[key_choice % keys.size()] : hostile_text(in);
        const std::string value = hostile_text(in);
        switch (in.below(4)) {
            case 0: patch[key] = value; break;
            case 1: patch[key] = json::array({value, nullptr, 1.5}); break;
            case 2: patch[key] = {{"title", {{"text", value}}}, {value, value}}; break;
            default: patch[key] = nullptr; break;
        }
    }
    // Invalid UTF-8 becomes U+FFFD, so that this stays JSON.
    return patch.dump(-1, ' ', (mode & 1) != 0, json::error_handler_t::replace);
}

struct StatisticDeleter {
    void operator()(trajplot_statistic* statistic) const { trajplot_statistic_free(statistic); }
};
struct LabelsDeleter {
    void operator()(trajplot_labels* labels) const { trajplot_labels_free(labels); }
};

std::vector<std::string> hostile_texts(FuzzInput& in, std::size_t count) {
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < count; ++i) texts.push_back(hostile_text(in));
    return texts;
}

struct StringArray {
    explicit StringArray(const std::vector<std::string>& strings) {
        for (const std::string& text : strings) {
            pointers.push_back(text.c_str());
            lengths.push_back(text.size());
        }
    }
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
};

std::vector<std::string> stored(const std::vector<std::string>& texts) {
    std::vector<std::string> result;
    for (const std::string& text : texts) result.push_back(sanitized_utf8(text));
    return result;
}

void run(FuzzInput& in) {
    const std::uint8_t shape = in.byte();
    const std::size_t n_layers = 1 + shape % 3;
    const std::size_t seq_len = 1 + (shape / 3) % 3;
    const std::size_t cells = n_layers * seq_len;
    const std::uint8_t parts = in.byte();

    // Cell labels and hover tables.
    std::unique_ptr<trajplot_labels, LabelsDeleter> labels;
    std::vector<std::string> cell_labels;
    std::vector<std::string> hover_entries;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
    if (parts & 0x01) {
        cell_labels = hostile_texts(in, cells);
        if (parts & 0x02) {
            hover_rows = 1 + in.below(2);
            hover_cols = 1 + in.below(2);
            hover_entries = hostile_texts(in, cells * hover_rows * hover_cols);
        }
        const StringArray label_array(cell_labels);
        const StringArray hover_array(hover_entries);
        trajplot_labels* created = nullptr;
        expect_call(
            trajplot_labels_create(&created, n_layers, seq_len, label_array.pointers.data(), label_array.lengths.data(),
                                   hover_rows > 0 ? hover_array.pointers.data() : nullptr, hover_array.lengths.data(),
                                   hover_rows, hover_cols),
            "trajplot_labels_create", {});
        labels.reset(created);
    }

    // The statistic: a hostile name, units and axis labels.
    const std::string name = hostile_text(in);
    const std::optional<std::string> units = (parts & 0x04) ? std::optional(hostile_text(in)) : std::nullopt;
    const std::optional<std::vector<std::string>> sequence_labels =
        (parts & 0x08) ? std::optional(hostile_texts(in, seq_len)) : std::nullopt;
    const std::optional<std::vector<std::string>> layer_labels =
        (parts & 0x10) ? std::optional(hostile_texts(in, n_layers)) : std::nullopt;
    std::vector<float> stats;
    for (std::size_t i = 0; i < cells; ++i) stats.push_back(in.number());

    const std::optional<StringArray> sequence_array =
        sequence_labels ? std::optional<StringArray>(*sequence_labels) : std::nullopt;
    const std::optional<StringArray> layer_array =
        layer_labels ? std::optional<StringArray>(*layer_labels) : std::nullopt;
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = units ? units->c_str() : nullptr;
    if (sequence_array) {
        options.sequence_labels = sequence_array->pointers.data();
        options.sequence_label_lengths = sequence_array->lengths.data();
        options.sequence_label_count = seq_len;
    }
    if (layer_array) {
        options.layer_labels = layer_array->pointers.data();
        options.layer_label_lengths = layer_array->lengths.data();
        options.layer_label_count = n_layers;
    }
    options.trajectory_labels = labels.get();
    options.includes_output = (parts & 0x20) == 0;
    trajplot_statistic* created = nullptr;
    expect_call(trajplot_statistic_create(&created, name.c_str(), stats.data(), n_layers, seq_len, &options),
                "trajplot_statistic_create", {});
    const std::unique_ptr<trajplot_statistic, StatisticDeleter> statistic(created);

    StatisticView view;
    view.name = sanitized_utf8(c_string_part(name));
    if (units) view.units = sanitized_utf8(c_string_part(*units));
    view.n_layers = n_layers;
    view.seq_len = seq_len;
    view.stats = stats;
    view.includes_output = options.includes_output;
    view.layer_labels = layer_labels ? stored(*layer_labels) : default_layer_labels(n_layers, view.includes_output);
    if (sequence_labels) view.sequence_labels = stored(*sequence_labels);
    if (labels) {
        view.cell_labels = stored(cell_labels);
        view.hover_entries = stored(hover_entries);
        view.hover_rows = hover_rows;
        view.hover_cols = hover_cols;
    }

    // The page.
    const std::uint8_t page_mode = in.byte();
    FigureRequest figure;
    if (page_mode & 0x01) figure.title = hostile_text(in);
    if (page_mode & 0x02) figure.extra_json = hostile_extra_json(in);
    ExportRequest html;
    html.format = TRAJPLOT_FORMAT_HTML;
    html.full_html = (page_mode & 0x04) == 0;
    html.responsive = (page_mode & 0x08) != 0;
    switch ((page_mode >> 4) % 4) {
        case 1:
            html.plotlyjs = TRAJPLOT_PLOTLYJS_SRC;
            html.location = hostile_text(in);
            break;
        case 2:
            html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
            html.location = plotlyjs_fixtures().usable;
            html.inline_contents = plotlyjs_fixtures().usable_contents;
            break;
        case 3: html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE; break;
        default:  // the default: the fixture TRAJPLOT_PLOTLYJS names
            static_cast<void>(plotlyjs_fixtures());
            html.plotlyjs = TRAJPLOT_PLOTLYJS_LOCAL;
            break;
    }
    if (page_mode & 0x40) html.div_id = (page_mode & 0x80) ? "fig" + hostile_text(in) : hostile_text(in);
    figure.locale = in.below(CallerLocale::count);
    // The page goes to a string, a write function (stopped after 0 to 15
    // pieces, or never) and, unless bit 0x40 says not, a file. An inlined
    // plotly.js longer than the library's pieces makes the page come in
    // several.
    Destinations destinations;
    const std::uint8_t stop = in.byte();
    destinations.save = (stop & 0x40) == 0;
    if (stop & 0x10) destinations.stop_after = stop & 0x0F;
    if ((stop & 0x20) && html.plotlyjs == TRAJPLOT_PLOTLYJS_INLINE) {
        html.location = plotlyjs_fixtures().large;
        html.inline_contents = plotlyjs_fixtures().large_contents;
    }
    exercise_figure(statistic.get(), view, figure, html, destinations);
}

}  // namespace
}  // namespace trajplot_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    trajplot_error_clear();
    trajplot_fuzz::FuzzInput in(data, size);
    trajplot_fuzz::run(in);
    return 0;
}
