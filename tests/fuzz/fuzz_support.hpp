// What every output of trajplot must satisfy, whatever the input, checked
// by the fuzz harnesses. A violated check prints what was wrong and aborts:
// libFuzzer reports the abort as a crash and saves the input that caused it.
//
// The text functions here (UTF-8 validation and repair, escaping, padding)
// are written apart from the library's own, so that the library's code is
// never the only judge of its output.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace trajplot_fuzz {

using nlohmann::json;

// Prints "fuzz check failed: <what>" and `detail`, then aborts.
[[noreturn]] void fail_check(std::string_view what, std::string_view detail = {});

inline void check(bool condition, std::string_view what) {
    if (!condition) fail_check(what);
}

// `detail()` says more about the failure; it runs only when the check
// fails, as working it out (dumping a document) costs more than the check.
template <std::invocable Detail>
void check(bool condition, std::string_view what, Detail&& detail) {
    if (!condition) fail_check(what, std::string(detail()));
}

// `text` shortened for a message, with bytes outside printable ASCII shown
// as \xNN.
std::string printable(std::string_view text, std::size_t max_bytes = 400);

// ---------------------------------------------------------------------------
// Text

// Well-formed UTF-8: no overlong forms, surrogates, or code points past
// U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

// `bytes` with every maximal subpart of an ill-formed sequence replaced by
// U+FFFD (Unicode's recommended practice, as Python's "replace" does).
std::string sanitized_utf8(std::string_view bytes);

std::size_t code_point_count(std::string_view valid_utf8);

// Python's tuned_lens trunc_string_left: the last `width` code points, or
// the text padded on the left with spaces to `width` code points.
std::string fit_left(std::string_view valid_utf8, std::size_t width);

// Plotly's markup characters as entities: & < >.
std::string plotly_escaped(std::string_view text);

// Text for HTML element content or a double-quoted attribute: & < > " '.
std::string html_escaped(std::string_view text);

// ---------------------------------------------------------------------------
// JSON

// Parses JSON the library wrote: it must be valid UTF-8 and valid JSON (no
// NaN or Infinity tokens), hold no object with a repeated key, and every
// number in it must be finite. `what` names the output in messages.
json parse_output_json(std::string_view text, std::string_view what);

// The number of nested arrays and objects at the deepest point of `value`.
std::size_t nesting_depth(const json& value);

// ---------------------------------------------------------------------------
// Input

// Reads a fuzz input front to back. Reading past the end yields zeros and
// empty strings, so every input, however short, is a complete scenario.
class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool empty() const { return position_ >= size_; }
    std::uint8_t byte() { return empty() ? 0 : data_[position_++]; }
    bool flag() { return (byte() & 1) != 0; }
    // A value in [0, bound) (bound <= 256).
    std::size_t below(std::size_t bound) { return byte() % bound; }
    std::uint16_t u16();
    std::uint32_t u32();
    // A length byte, then that many bytes (fewer at the end of the input).
    std::string bytes();
    // A float: mostly one of a table of telling values (0, -0, 1, -1, the
    // extremes, subnormals, infinities, NaN), else four raw bytes.
    float number();

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t position_ = 0;
};

// ---------------------------------------------------------------------------
// Locales

// Runs the rest of a scope under one of the locales a caller's program may
// have set (a C program with setlocale(LC_ALL, ""), Python at startup):
// 0 "C"; 1 Turkish in UTF-8, where tolower('I') is 'I'; 2 Turkish in
// ISO-8859-9, where tolower('I') is 0xFD, bytes above 0x7F are letters and
// the decimal point is a comma. A locale that is not installed (LOCPATH
// may point at a directory of them) leaves "C", with a warning once.
class CallerLocale {
public:
    explicit CallerLocale(std::size_t choice);
    ~CallerLocale();
    CallerLocale(const CallerLocale&) = delete;
    CallerLocale& operator=(const CallerLocale&) = delete;

    static constexpr std::size_t count = 3;

private:
    bool changed_ = false;
};

// ---------------------------------------------------------------------------
// Files

// A directory of this process's own under $TMPDIR (or /tmp), made on first
// use and removed at exit.
const std::filesystem::path& scratch_directory();

// The names in `directory`, sorted.
std::vector<std::string> directory_entries(const std::filesystem::path& directory);

// The contents of a file.
std::string read_file(const std::filesystem::path& path);

// ---------------------------------------------------------------------------
// Figures

// What a statistic holds, as its exports must show it. Text is as the
// library stores it: valid UTF-8.
struct StatisticView {
    std::string name;
    std::optional<std::string> units;
    std::size_t n_layers = 0;
    std::size_t seq_len = 0;
    std::vector<float> stats;  // n_layers x seq_len, row-major
    std::optional<float> min;
    std::optional<float> max;
    bool includes_output = true;
    std::vector<std::string> layer_labels;                    // n_layers
    std::optional<std::vector<std::string>> sequence_labels;  // seq_len
    std::optional<std::vector<std::string>> cell_labels;      // n_layers x seq_len
    // n_layers x seq_len x hover_rows x hover_cols; empty without hover tables.
    std::vector<std::string> hover_entries;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
};

// Layers 0, k, 2k, ... of all but the last, then the last.
std::vector<std::size_t> strided_rows(std::size_t n_layers, std::size_t stride);

// The statistic after a stride of `stride` (>= 1) or a clip to [min, max]
// (min < max), as the library documents them.
StatisticView strided(const StatisticView& view, std::size_t stride);
StatisticView clipped(const StatisticView& view, float min, float max);

// "0", "1", ..., with "output" for the last layer when includes_output.
std::vector<std::string> default_layer_labels(std::size_t n_layers, bool includes_output);

// How a statistic was drawn.
struct Drawing {
    std::string title;  // as stored: valid UTF-8
    std::uint64_t token_width = 80;
    std::uint64_t height = 0;
    bool log_scale = false;
    bool hover_value = false;  // the cell's value above the hover table
    bool responsive = false;   // HTML pages only: no fixed width
    // The parsed extra_json; keys it sets are not checked against the
    // defaults (check_merge_patch covers them).
    std::optional<json> patch;
};

// The hovertemplate of a rows x cols hover table.
std::string hovertemplate(std::size_t rows, std::size_t cols);

// Checks a heatmap trace, or a whole figure, against the statistic: every
// value, label, category, hover table entry, colour range and the layout.
void check_heatmap_trace(const json& trace, const StatisticView& view, const Drawing& drawing);
void check_figure(const json& figure, const StatisticView& view, const Drawing& drawing);

// `patched` must be `unpatched` with `patch` applied as an RFC 7386 merge
// patch.
void check_merge_patch(const json& unpatched, const json& patch, const json& patched);

// ---------------------------------------------------------------------------
// HTML pages

enum class PlotlyJsSource { cdn, src, inline_file, none };

struct ExpectedPage {
    bool full_html = true;
    bool responsive = false;
    PlotlyJsSource plotlyjs = PlotlyJsSource::cdn;
    std::string location;  // src: the URL as given (sanitized); inline: the file's contents
    std::string div_id = "trajplot-figure";
    std::string title;  // the <title>, unescaped: the figure's title, else the name
};

// Checks the page's structure: valid UTF-8; exactly the tags of the
// template, in order, so that no data opened or closed an element (in
// particular "</script" appears only where the template puts it); no
// "<!--"; the title, div id and plotly.js tag as expected; and a figure JSON
// in the script that holds none of < > & U+2028 U+2029. Returns that
// figure, parsed.
json check_html_page(std::string_view page, const ExpectedPage& expected);

// ---------------------------------------------------------------------------
// SVG images

// Checks an SVG export: valid UTF-8; well-formed XML (balanced elements,
// quoted attributes, no raw '<' or '&' in text or attribute values, only
// XML's entities and character references); only the elements trajplot
// draws with, so that no data opened an element of its own (a <script>,
// say); and a root <svg> `width` x `height` pixels.
void check_svg_image(std::string_view svg, double width, double height);

// The figure a page draws, given the JSON export's figure: with
// `responsive`, the layout has no width and autosize true.
json figure_as_drawn(json figure, bool responsive);

}  // namespace trajplot_fuzz
