// The command line of `trajplot`: which command to run, and how.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trajplot_cli {

enum class Command { render, demo, stats, help, version };

enum class OutputFormat { json, html, svg, png, pdf };

// The formats a static image comes in; PNG and PDF are binary.
inline bool is_image(OutputFormat format) {
    return format == OutputFormat::svg || format == OutputFormat::png || format == OutputFormat::pdf;
}
inline bool is_binary(OutputFormat format) { return format == OutputFormat::png || format == OutputFormat::pdf; }

struct ClipRange {
    float min = 0.0f;
    float max = 0.0f;
};

// Where an HTML page gets plotly.js from: --plotlyjs local|cdn|none|inline:FILE|src:URL.
struct PlotlyJsChoice {
    int source = 0;        // a trajplot_plotlyjs value
    std::string location;  // FILE or URL
};

// What --panel-title, --panel-colorscale and --panel-log-scale set for one
// panel of a stacked figure, over the options every panel takes.
struct PanelOverride {
    std::optional<std::string> title;
    std::optional<std::string> colorscale;
    bool log_scale = false;
};

// Everything `render`, `demo` and `stats` take besides their inputs. An absent optional
// leaves the library's default in place.
struct RenderOptions {
    std::optional<std::string> out;  // absent or "-": standard output
    OutputFormat format = OutputFormat::json;
    std::optional<double> scale;  // images only
    bool trace_only = false;
    std::optional<std::size_t> stride;
    std::optional<ClipRange> clip;
    std::optional<std::string> title;
    std::optional<std::string> colorscale;
    std::optional<std::size_t> token_width;
    bool log_scale = false;
    std::optional<std::string> extra_json;
    std::optional<std::size_t> height;
    bool hover_value = false;
    // HTML only
    std::optional<PlotlyJsChoice> plotlyjs;
    std::optional<std::string> div_id;
    bool html_fragment = false;
    bool responsive = false;
    // Stacked figures: one panel per statistic, the first on top. `stack`
    // is set by --stack, and by the commands that draw several statistics
    // into one output (demo; stats with several statistics).
    bool stack = false;
    std::optional<double> vertical_spacing;
    bool equal_panel_heights = false;
    std::map<std::size_t, PanelOverride> panels;  // by panel number, 1 = top

    bool writes_to_stdout() const { return !out || *out == "-"; }
};

// What the .npy files of `stats` hold.
enum class ValuesKind { logits, log_probs };

// The inputs of `stats` and how its statistics are computed. An absent
// optional leaves the library's default in place.
struct StatsOptions {
    std::string values_path;  // --logits or --log-probs
    ValuesKind values_kind = ValuesKind::logits;
    std::string input_ids_path;
    std::optional<std::string> targets_path;
    std::optional<std::string> anti_targets_path;
    std::optional<std::string> other_path;
    std::optional<std::string> vocab_path;
    // trajplot_measure values, in the order given, each once.
    std::vector<int> measures;
    bool show_ranks = false;
    std::optional<std::size_t> top_k;
    std::optional<float> min_prob;
    std::optional<float> min_prob_delta;
    std::optional<std::size_t> max_batch_items_shown;
    std::optional<std::size_t> max_string_len;  // 0: tokens are never shortened
    std::optional<std::size_t> threads;
    bool quiet = false;
    std::optional<std::string> output_dir;

    // The option that named the values file, for messages.
    const char* values_option() const { return values_kind == ValuesKind::logits ? "--logits" : "--log-probs"; }
};

struct Invocation {
    Command command = Command::help;
    std::vector<std::string> spec_paths;  // render only, top panel first; "-" is standard input
    RenderOptions options;
    StatsOptions stats;  // stats only
};

// Parses the arguments after the program name. Throws CliError: a usage
// error (exit 2) for what does not fit the grammar, a bad-input error
// (exit 1) for an option value that is well placed but unusable.
Invocation parse_command_line(std::span<const char* const> arguments);

// One line saying how to call the tool, for usage errors.
std::string_view usage_line();

// The full --help text.
std::string_view help_text();

}  // namespace trajplot_cli
