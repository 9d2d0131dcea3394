#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <locale>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "cli_error.hpp"
#include "demo_spec.hpp"
#include "trajplot.h"

namespace trajplot_cli {
namespace {

// Built by appending: g++ 12 warns falsely (-Wrestrict) on "'" + string.
std::string quoted(std::string_view text) {
    std::string result;
    result.reserve(text.size() + 2);
    result.append(1, '\'').append(text).append(1, '\'');
    return result;
}

// Option values are parsed strictly: the whole text must be the number, so
// that "2x", " 2" or "0x10" are refused rather than read as something else.
std::size_t parse_positive_integer(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_input(std::string(option) + " is too large, got " + quoted(text));
    }
    if (error != std::errc{} || stop != end || value == 0) {
        fail_input(std::string(option) + " must be a positive integer, got " + quoted(text));
    }
    return value;
}

float parse_finite_float(std::string_view what, std::string_view text) {
    float value = 0.0f;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_input(std::string(what) + " is out of range for a 32-bit float, got " + quoted(text));
    }
    if (error != std::errc{} || stop != end || !std::isfinite(value)) {
        fail_input(std::string(what) + " must be a finite number, got " + quoted(text));
    }
    return value;
}

double parse_finite_double(std::string_view what, std::string_view text) {
    double value = 0.0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_input(std::string(what) + " is out of range, got " + quoted(text));
    }
    if (error != std::errc{} || stop != end || !std::isfinite(value)) {
        fail_input(std::string(what) + " must be a finite number, got " + quoted(text));
    }
    return value;
}

// Panel numbers are part of the grammar of the --panel-* options, so a bad
// one is a usage error; whether it names an existing panel is checked once
// the panels are known.
std::size_t parse_panel_number(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || value == 0) {
        fail_usage(std::string(option) + " needs a panel number N (1 = top), got " + quoted(text));
    }
    return value;
}

// A count that may be 0, for options where 0 has a meaning of its own.
std::size_t parse_count(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_input(std::string(option) + " is too large, got " + quoted(text));
    }
    if (error != std::errc{} || stop != end) {
        fail_input(std::string(option) + " must be a non-negative integer, got " + quoted(text));
    }
    return value;
}

float parse_probability(std::string_view option, std::string_view text) {
    const float value = parse_finite_float(option, text);
    if (value < 0.0f || value > 1.0f) {
        fail_input(std::string(option) + " must be a probability in [0, 1], got " + quoted(text));
    }
    return value;
}

class ArgumentReader {
public:
    explicit ArgumentReader(std::span<const char* const> arguments) : arguments_(arguments) {}

    bool done() const { return next_ == arguments_.size(); }
    std::string_view take() { return arguments_[next_++]; }

    // The value of `option`, which must follow it.
    std::string_view value_of(std::string_view option, std::string_view placeholder) {
        if (done()) {
            fail_usage(std::string(option) + " needs a value: " + std::string(option) + " " + std::string(placeholder));
        }
        return take();
    }

private:
    std::span<const char* const> arguments_;
    std::size_t next_ = 0;
};

template <typename T>
void set_once(std::optional<T>& slot, std::string_view option, T value) {
    if (slot) {
        fail_usage(std::string(option) + " is given more than once");
    }
    slot = std::move(value);
}

void set_flag_once(bool& flag, std::string_view option) {
    if (flag) {
        fail_usage(std::string(option) + " is given more than once");
    }
    flag = true;
}

PlotlyJsChoice parse_plotlyjs(std::string_view value) {
    const auto with_location = [&](std::string_view prefix, int source) -> std::optional<PlotlyJsChoice> {
        if (value.substr(0, prefix.size()) != prefix) return std::nullopt;
        const std::string_view location = value.substr(prefix.size());
        if (location.empty()) fail_usage("--plotlyjs " + std::string(prefix) + " needs a location after the colon");
        return PlotlyJsChoice{source, std::string(location)};
    };
    if (value == "local") return {TRAJPLOT_PLOTLYJS_LOCAL, {}};
    if (value == "cdn") return {TRAJPLOT_PLOTLYJS_CDN, {}};
    if (value == "none") return {TRAJPLOT_PLOTLYJS_NONE, {}};
    if (auto choice = with_location("inline:", TRAJPLOT_PLOTLYJS_INLINE)) return *choice;
    if (auto choice = with_location("src:", TRAJPLOT_PLOTLYJS_SRC)) return *choice;
    fail_usage("--plotlyjs must be local, cdn, none, inline:FILE or src:URL, got " + quoted(value));
}

// Reads one option of `render` or `demo` (its name already taken) and its
// values. Returns false when `option` is not one of them.
bool read_render_option(std::string_view option, ArgumentReader& reader, RenderOptions& options, bool& format_given) {
    if (option == "--out" || option == "-o") {
        set_once(options.out, "--out", std::string(reader.value_of(option, "PATH")));
    } else if (option == "--format") {
        const std::string_view format = reader.value_of(option, "json|html|svg|png|pdf");
        if (format_given) {
            fail_usage("--format is given more than once");
        }
        format_given = true;
        if (format == "json") {
            options.format = OutputFormat::json;
        } else if (format == "html") {
            options.format = OutputFormat::html;
        } else if (format == "svg") {
            options.format = OutputFormat::svg;
        } else if (format == "png") {
            options.format = OutputFormat::png;
        } else if (format == "pdf") {
            options.format = OutputFormat::pdf;
        } else {
            fail_usage("--format must be json, html, svg, png or pdf, got " + quoted(format));
        }
    } else if (option == "--scale") {
        const std::string_view text = reader.value_of(option, "S");
        const double scale = parse_finite_double(option, text);
        if (!(scale > 0 && scale <= 16)) {
            fail_input("--scale must be above 0 and at most 16, got " + quoted(text));
        }
        set_once(options.scale, option, scale);
    } else if (option == "--trace-only") {
        set_flag_once(options.trace_only, option);
    } else if (option == "--stride") {
        set_once(options.stride, option, parse_positive_integer(option, reader.value_of(option, "K")));
    } else if (option == "--clip") {
        const std::string_view min_text = reader.value_of(option, "MIN MAX");
        const std::string_view max_text = reader.value_of(option, "MIN MAX");
        const ClipRange range{parse_finite_float("--clip MIN", min_text), parse_finite_float("--clip MAX", max_text)};
        if (!(range.min < range.max)) {
            fail_input("--clip MIN must be less than MAX, got " + quoted(min_text) + " and " + quoted(max_text));
        }
        set_once(options.clip, option, range);
    } else if (option == "--title") {
        set_once(options.title, option, std::string(reader.value_of(option, "TEXT")));
    } else if (option == "--colorscale") {
        set_once(options.colorscale, option, std::string(reader.value_of(option, "NAME")));
    } else if (option == "--token-width") {
        set_once(options.token_width, option, parse_positive_integer(option, reader.value_of(option, "W")));
    } else if (option == "--log-scale") {
        set_flag_once(options.log_scale, option);
    } else if (option == "--extra") {
        set_once(options.extra_json, option, std::string(reader.value_of(option, "JSON")));
    } else if (option == "--height") {
        set_once(options.height, option, parse_positive_integer(option, reader.value_of(option, "H")));
    } else if (option == "--hover-value") {
        set_flag_once(options.hover_value, option);
    } else if (option == "--equal-panel-heights") {
        set_flag_once(options.equal_panel_heights, option);
    } else if (option == "--plotlyjs") {
        set_once(options.plotlyjs, option,
                 parse_plotlyjs(reader.value_of(option, "local|cdn|none|inline:FILE|src:URL")));
    } else if (option == "--div-id") {
        set_once(options.div_id, option, std::string(reader.value_of(option, "ID")));
    } else if (option == "--html-fragment") {
        set_flag_once(options.html_fragment, option);
    } else if (option == "--responsive") {
        set_flag_once(options.responsive, option);
    } else if (option == "--stack") {
        set_flag_once(options.stack, option);
    } else if (option == "--vertical-spacing") {
        set_once(options.vertical_spacing, option, parse_finite_double(option, reader.value_of(option, "F")));
    } else if (option == "--panel-title" || option == "--panel-colorscale" || option == "--panel-log-scale") {
        const std::string_view placeholder = option == "--panel-title"        ? "N TEXT"
                                             : option == "--panel-colorscale" ? "N NAME"
                                                                              : "N";
        const std::size_t number = parse_panel_number(option, reader.value_of(option, placeholder));
        const std::string once_name = std::string(option) + " " + std::to_string(number);
        PanelOverride& panel = options.panels[number];
        if (option == "--panel-log-scale") {
            set_flag_once(panel.log_scale, once_name);
        } else {
            std::string text(reader.value_of(option, placeholder));
            set_once(option == "--panel-title" ? panel.title : panel.colorscale, once_name, std::move(text));
        }
    } else {
        return false;
    }
    return true;
}

// The command line of `stats` as given, before it is checked as a whole.
struct StatsArguments {
    std::optional<std::string> logits;
    std::optional<std::string> log_probs;
    std::optional<std::string> input_ids;
    std::vector<std::string_view> statistic_values;  // each --statistic's value
};

// Reads one option of `stats` that `render` does not have. Returns false
// when `option` is not one of them.
bool read_stats_option(std::string_view option, ArgumentReader& reader, StatsArguments& arguments,
                       StatsOptions& stats) {
    if (option == "--logits") {
        set_once(arguments.logits, option, std::string(reader.value_of(option, "FILE.npy")));
    } else if (option == "--log-probs") {
        set_once(arguments.log_probs, option, std::string(reader.value_of(option, "FILE.npy")));
    } else if (option == "--input-ids") {
        set_once(arguments.input_ids, option, std::string(reader.value_of(option, "IDS.npy")));
    } else if (option == "--targets") {
        set_once(stats.targets_path, option, std::string(reader.value_of(option, "TARGETS.npy")));
    } else if (option == "--anti-targets") {
        set_once(stats.anti_targets_path, option, std::string(reader.value_of(option, "ANTI_TARGETS.npy")));
    } else if (option == "--other") {
        set_once(stats.other_path, option, std::string(reader.value_of(option, "FILE.npy")));
    } else if (option == "--vocab") {
        set_once(stats.vocab_path, option, std::string(reader.value_of(option, "VOCAB")));
    } else if (option == "--statistic") {
        arguments.statistic_values.push_back(reader.value_of(option, "NAME[,NAME...]"));
    } else if (option == "--show-ranks") {
        set_flag_once(stats.show_ranks, option);
    } else if (option == "--top-k") {
        set_once(stats.top_k, option, parse_positive_integer(option, reader.value_of(option, "K")));
    } else if (option == "--min-prob") {
        set_once(stats.min_prob, option, parse_probability(option, reader.value_of(option, "P")));
    } else if (option == "--min-prob-delta") {
        set_once(stats.min_prob_delta, option, parse_probability(option, reader.value_of(option, "P")));
    } else if (option == "--max-batch-items-shown") {
        set_once(stats.max_batch_items_shown, option, parse_positive_integer(option, reader.value_of(option, "N")));
    } else if (option == "--max-string-len") {
        set_once(stats.max_string_len, option, parse_count(option, reader.value_of(option, "N")));
    } else if (option == "--threads") {
        set_once(stats.threads, option, parse_positive_integer(option, reader.value_of(option, "N")));
    } else if (option == "--output-dir") {
        set_once(stats.output_dir, option, std::string(reader.value_of(option, "DIR")));
    } else {
        return false;
    }
    return true;
}

// The names of the library's measures that satisfy `wanted`, in its order.
template <typename Predicate>
std::string measure_names(Predicate wanted) {
    std::vector<int> measures(trajplot_measures(nullptr, 0));
    trajplot_measures(measures.data(), measures.size());
    std::string names;
    for (const int measure : measures) {
        if (wanted(measure)) names.append(names.empty() ? "" : ", ").append(trajplot_measure_name(measure));
    }
    return names;
}

std::string known_statistics() {
    return measure_names([](int) { return true; });
}

std::vector<int> parse_statistics(const std::vector<std::string_view>& values) {
    std::vector<int> measures;
    for (const std::string_view value : values) {
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = value.find(',', start);
            const std::string name(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
            if (name.empty()) {
                fail_usage("--statistic has an empty name in " + quoted(value));
            }
            int measure = 0;
            if (trajplot_measure_from_name(&measure, name.c_str()) != TRAJPLOT_OK) {
                fail_usage("unknown statistic " + quoted(name) + " for --statistic; known: " + known_statistics());
            }
            if (std::find(measures.begin(), measures.end(), measure) != measures.end()) {
                fail_usage("--statistic " + quoted(name) + " is given more than once");
            }
            measures.push_back(measure);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
    }
    if (measures.empty()) measures.push_back(TRAJPLOT_MEASURE_ENTROPY);
    return measures;
}

// The names of `measures` that satisfy `wanted`, for messages.
template <typename Predicate>
std::string names_where(const std::vector<int>& measures, Predicate wanted) {
    std::string names;
    for (const int measure : measures) {
        if (wanted(measure)) names.append(names.empty() ? "" : ", ").append(trajplot_measure_name(measure));
    }
    return names;
}

bool needs_targets(int measure) {
    return measure == TRAJPLOT_MEASURE_CROSS_ENTROPY || measure == TRAJPLOT_MEASURE_RANK ||
           measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF || measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA;
}

bool needs_anti_targets(int measure) {
    return measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF || measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA;
}

// The command line of `stats` as a whole: what is missing, and what would
// be silently ignored (which hides a mistake).
void finish_stats(StatsArguments& arguments, Invocation& invocation) {
    StatsOptions& stats = invocation.stats;
    if (arguments.logits && arguments.log_probs) {
        fail_usage("--logits and --log-probs exclude each other: the values are one or the other");
    }
    if (!arguments.logits && !arguments.log_probs) {
        fail_usage("stats needs the lens outputs: --logits FILE.npy or --log-probs FILE.npy");
    }
    stats.values_kind = arguments.logits ? ValuesKind::logits : ValuesKind::log_probs;
    stats.values_path = arguments.logits ? *arguments.logits : *arguments.log_probs;
    if (!arguments.input_ids) {
        fail_usage("stats needs --input-ids IDS.npy, the input tokens");
    }
    stats.input_ids_path = *arguments.input_ids;
    stats.measures = parse_statistics(arguments.statistic_values);

    const std::vector<int>& measures = stats.measures;
    if (stats.output_dir && invocation.options.out) {
        fail_usage("--out and --output-dir exclude each other");
    }
    if (stats.output_dir && invocation.options.stack) {
        fail_usage("--stack draws one figure, and --output-dir writes one file per statistic: choose one");
    }
    const auto any = [&](auto predicate) { return std::any_of(measures.begin(), measures.end(), predicate); };
    const auto is_comparison = [](int measure) { return trajplot_measure_is_comparison(measure); };
    const auto is_single = [](int measure) { return !trajplot_measure_is_comparison(measure); };

    if (any(is_comparison) && !stats.other_path) {
        fail_usage("--other FILE.npy, the second trajectory, is needed by " + names_where(measures, is_comparison));
    }
    if (stats.other_path && !any(is_comparison)) {
        fail_usage("--other is only read by the statistics that compare two trajectories (" +
                   measure_names(is_comparison) + "), and none is selected");
    }
    if (any(needs_targets) && !stats.targets_path) {
        fail_usage("--targets TARGETS.npy is needed by " + names_where(measures, needs_targets));
    }
    if (any(needs_anti_targets) && !stats.anti_targets_path) {
        fail_usage("--anti-targets ANTI_TARGETS.npy is needed by " + names_where(measures, needs_anti_targets));
    }
    if (stats.targets_path && !any(needs_targets)) {
        fail_usage("--targets is only read by " + measure_names(needs_targets) + ", and none is selected");
    }
    if (stats.anti_targets_path && !any(needs_anti_targets)) {
        fail_usage("--anti-targets is only read by " + measure_names(needs_anti_targets) + ", and none is selected");
    }
    if (stats.show_ranks && std::find(measures.begin(), measures.end(), TRAJPLOT_MEASURE_RANK) == measures.end()) {
        fail_usage("--show-ranks applies to the rank statistic only");
    }
    if (!stats.vocab_path) {
        // Without tokens there are no labels for these to shape.
        const char* label_option = stats.show_ranks              ? "--show-ranks"
                                   : stats.top_k                 ? "--top-k"
                                   : stats.min_prob              ? "--min-prob"
                                   : stats.min_prob_delta        ? "--min-prob-delta"
                                   : stats.max_batch_items_shown ? "--max-batch-items-shown"
                                   : stats.max_string_len        ? "--max-string-len"
                                                                 : nullptr;
        if (label_option) {
            fail_usage(std::string(label_option) + " applies to the cell labels, which need --vocab VOCAB");
        }
    }
    if (stats.min_prob && !any(is_single)) {
        fail_usage("--min-prob applies to the labels of one trajectory's statistics; comparisons use --min-prob-delta");
    }
    if (stats.min_prob_delta && !any(is_comparison)) {
        fail_usage("--min-prob-delta applies to the labels of the statistics that compare two trajectories");
    }
}

// The first --panel-* option given for `panel`, for messages.
std::string panel_option_name(std::size_t number, const PanelOverride& panel) {
    const char* option = panel.title ? "--panel-title" : panel.colorscale ? "--panel-colorscale" : "--panel-log-scale";
    return std::string(option) + " " + std::to_string(number);
}

// The options of stacked figures: refused where the output is not one, and
// checked against the number of panels where it is. `not_stacked_hint` says
// how to get a stacked figure instead.
void check_stacking(const Invocation& invocation, std::size_t panel_count, bool stack_given,
                    std::string_view not_stacked_hint) {
    const RenderOptions& options = invocation.options;
    if (!options.stack) {
        if (options.vertical_spacing) {
            fail_usage("--vertical-spacing applies to stacked figures only; " + std::string(not_stacked_hint));
        }
        if (options.equal_panel_heights) {
            fail_usage("--equal-panel-heights applies to stacked figures only; " + std::string(not_stacked_hint));
        }
        if (!options.panels.empty()) {
            const auto& [number, panel] = *options.panels.begin();
            fail_usage(panel_option_name(number, panel) + " applies to stacked figures only; " +
                       std::string(not_stacked_hint));
        }
        return;
    }
    if (options.trace_only) {
        if (stack_given) fail_usage("--trace-only writes one heatmap trace, not the stacked figure of --stack");
        if (invocation.command == Command::demo) {
            fail_usage("--trace-only writes one heatmap trace, and the demo is a stacked figure of " +
                       std::to_string(panel_count) + " panels");
        }
        fail_usage("--trace-only writes one heatmap trace, and " + std::to_string(panel_count) +
                   " statistics make one stacked figure; use --output-dir DIR for one file each");
    }
    const std::string panels_text = std::to_string(panel_count) + (panel_count == 1 ? " panel" : " panels");
    for (const auto& [number, panel] : options.panels) {
        if (number > panel_count) {
            fail_usage(panel_option_name(number, panel) + " names no panel: the figure has " + panels_text +
                       ", numbered from 1 at the top");
        }
    }
    if (options.vertical_spacing) {
        const double spacing = *options.vertical_spacing;
        // The panels must keep a positive height: n panels have n - 1 gaps.
        const double limit = panel_count > 1 ? 1.0 / static_cast<double>(panel_count - 1) : 1.0;
        if (!(spacing >= 0.0 && spacing < limit)) {
            const std::string limit_text = panel_count > 2 ? "1/" + std::to_string(panel_count - 1) : "1";
            std::ostringstream given;
            given.imbue(std::locale::classic());
            given << spacing;
            fail_input("--vertical-spacing must be in [0, " + limit_text + ") for " + panels_text + ", got " +
                       given.str());
        }
    }
}

bool is_help_option(std::string_view argument) { return argument == "--help" || argument == "-h"; }

bool looks_like_option(std::string_view argument) { return argument.size() > 1 && argument.front() == '-'; }

}  // namespace

Invocation parse_command_line(std::span<const char* const> arguments) {
    ArgumentReader reader(arguments);
    if (reader.done()) {
        fail_usage("no command given");
    }
    Invocation invocation;
    const std::string_view command = reader.take();
    if (is_help_option(command) || command == "help") {
        invocation.command = Command::help;
    } else if (command == "--version") {
        invocation.command = Command::version;
    } else if (command == "render") {
        invocation.command = Command::render;
    } else if (command == "demo") {
        invocation.command = Command::demo;
    } else if (command == "stats") {
        invocation.command = Command::stats;
    } else if (looks_like_option(command)) {
        fail_usage("unknown option " + quoted(command));
    } else {
        fail_usage("unknown command " + quoted(command));
    }

    if (invocation.command == Command::help || invocation.command == Command::version) {
        if (!reader.done()) {
            fail_usage("unexpected argument " + quoted(reader.take()) + " after " + quoted(command));
        }
        return invocation;
    }

    std::vector<std::string_view> positionals;
    StatsArguments stats_arguments;
    bool format_given = false;
    bool options_ended = false;
    while (!reader.done()) {
        const std::string_view argument = reader.take();
        if (options_ended || !looks_like_option(argument)) {
            positionals.push_back(argument);
        } else if (argument == "--") {
            options_ended = true;
        } else if (is_help_option(argument)) {
            invocation.command = Command::help;
            return invocation;
        } else if (invocation.command == Command::stats &&
                   read_stats_option(argument, reader, stats_arguments, invocation.stats)) {
            continue;
        } else if (!read_render_option(argument, reader, invocation.options, format_given)) {
            fail_usage("unknown option " + quoted(argument) + " for " + quoted(command));
        }
    }

    RenderOptions& options = invocation.options;
    const bool stack_given = options.stack;
    if (invocation.command == Command::render) {
        if (positionals.empty()) {
            fail_usage("render needs a SPEC file (or - for standard input)");
        }
        if (positionals.size() > 1 && !stack_given) {
            fail_usage(std::to_string(positionals.size()) + " SPECs are given (" + quoted(positionals[0]) + ", " +
                       quoted(positionals[1]) + (positionals.size() > 2 ? ", ..." : "") +
                       "); several SPECs need --stack, which draws them as panels of one figure");
        }
        if (std::count(positionals.begin(), positionals.end(), "-") > 1) {
            fail_usage("- (standard input) is given as more than one SPEC; it can be read only once");
        }
        invocation.spec_paths.assign(positionals.begin(), positionals.end());
        check_stacking(invocation, positionals.size(), stack_given, "add --stack");
    } else if (invocation.command == Command::stats) {
        if (!positionals.empty()) {
            fail_usage("unexpected argument " + quoted(positionals[0]) + "; stats takes its files as options");
        }
        finish_stats(stats_arguments, invocation);
        const std::size_t count = invocation.stats.measures.size();
        // Several statistics to one output can only be one figure.
        if (count > 1 && !invocation.stats.output_dir) options.stack = true;
        check_stacking(invocation, count, stack_given,
                       invocation.stats.output_dir ? "--output-dir writes one figure per statistic"
                                                   : "add --stack, or select several statistics");
    } else {
        if (!positionals.empty()) {
            fail_usage("unexpected argument " + quoted(positionals[0]) + "; demo takes no SPEC");
        }
        options.stack = true;
        check_stacking(invocation, demo_specs().size(), stack_given, "");
    }

    // A figure-only option next to --trace-only would be silently ignored,
    // which hides a mistake in the command line. --token-width and --height
    // are not such: the trace's cell text is sized for the cells of the
    // figure they describe.
    if (invocation.options.trace_only) {
        if (invocation.options.title) {
            fail_usage("--title applies to the figure and has no effect with --trace-only");
        }
        if (invocation.options.format == OutputFormat::html) {
            fail_usage("--trace-only writes JSON; an HTML page draws the whole figure");
        }
        if (is_image(invocation.options.format)) {
            fail_usage("--trace-only writes JSON; an image draws the whole figure");
        }
    }
    if (options.scale && !is_image(options.format)) {
        fail_usage("--scale applies to images only (--format svg, png or pdf)");
    }
    if (options.format != OutputFormat::html) {
        const char* html_only = options.plotlyjs        ? "--plotlyjs"
                                : options.div_id        ? "--div-id"
                                : options.html_fragment ? "--html-fragment"
                                : options.responsive    ? "--responsive"
                                                        : nullptr;
        if (html_only) fail_usage(std::string(html_only) + " applies to --format html only");
    }
    return invocation;
}

std::string_view usage_line() {
    return "usage: trajplot render SPEC [SPEC...] [--stack] [options] | trajplot demo [options] | "
           "trajplot stats (--logits|--log-probs) FILE.npy --input-ids IDS.npy [options] | "
           "trajplot --help | trajplot --version";
}

std::string_view help_text() {
    return R"(trajplot - prediction-trajectory heatmaps of language models as Plotly figures

Usage:
  trajplot render SPEC [options]   render the trajectory described by SPEC
  trajplot render SPEC [SPEC...] --stack [options]
                                   render each SPEC as a panel of one
                                   figure, the first on top
  trajplot demo [options]          render the built-in demo trajectory:
                                   entropy, forward KL, cross-entropy and
                                   max probability, top to bottom
  trajplot stats (--logits FILE.npy | --log-probs FILE.npy) --input-ids IDS.npy
                 [options]         compute statistics from a lens's outputs
                                   and render them
  trajplot --help                  show this help
  trajplot --version               show the library and ABI versions

SPEC is a JSON file, or - for standard input:
  {"name": "Entropy", "stats": [[...], ...], "units": "nats",
   "sequence_labels": [...], "layer_labels": [...],
   "trajectory_labels": {"label_strings": [[...]],
                         "hover_over_entries": [[[[...]]]]},
   "min": 0, "max": 10, "includes_output": true}
  Only name and stats (n_layers rows of seq_len numbers; null, NaN,
  Infinity or -Infinity for a gap) are required. label_strings is n_layers x seq_len strings and
  hover_over_entries n_layers x seq_len x rows x cols strings.

Options of render, demo and stats:
  -o, --out PATH      write to PATH (replaced atomically) instead of
                      standard output; - is standard output (PNG and PDF
                      only when it is not a terminal)
  --format json|html|svg|png|pdf
                      output format (default json): the Plotly figure as
                      JSON, an HTML page that draws it with plotly.js, or
                      a static image drawn by trajplot itself, no browser
                      needed (SVG with its words as text; PNG at most 32767
                      pixels a side; PDF with its text as text)
  --scale S           images: multiply the figure's pixels by S, in
                      (0, 16] (default 1; 2 for a sharp PNG on a
                      high-resolution screen)
  --trace-only        write only the heatmap trace, not the whole figure
                      (not for stacked figures); its cell text is sized
                      for the figure --token-width and --height describe
  --stride K          keep every K-th layer and the last one
  --clip MIN MAX      clamp values into [MIN, MAX] and use it as colour range
  --title TEXT        figure title
  --colorscale NAME   a plotly colourscale name, _r for reversed
                      (default rdbu_r)
  --token-width W     figure width per token in pixels (default 80)
  --log-scale         colour by the base-10 logarithm of the values
  --extra JSON        a JSON object merged into the heatmap trace
  --height H          figure height in pixels (default: Plotly's, 450;
                      stacked: 150 + 250 per panel)
  --hover-value       show the cell's value, with the statistic's name and
                      units, above the hover table

Cell labels are sized to fit their cells: at most 12 px, never below 6 px
(make the figure wider or taller for more); --extra '{"textfont":
{"size": N}}' sets the size instead.

Stacked figures (render --stack, demo, stats with several statistics):
one panel per statistic, top to bottom, sharing the x axis of tokens.
--stride and --clip apply to every statistic, --colorscale, --log-scale
and --extra to every panel, --title and --height to the whole figure.
  --stack             draw the SPECs (or statistics) as panels of one
                      figure; needed for several SPECs
  --vertical-spacing F
                      gap between panels as a fraction of the figure's
                      plotting height, in [0, 1/(panels-1)) (default
                      0.3/panels)
  --panel-title N TEXT
                      title over panel N (1 = top; default the
                      statistic's name)
  --panel-colorscale N NAME
                      colour scale of panel N, instead of --colorscale
  --panel-log-scale N colour panel N by the base-10 logarithm
  --equal-panel-heights
                      give every panel the same height (default: heights
                      follow the panels' rows, so that cells are about
                      equally tall, each panel at least 90 px)
  Each --panel-* option may be repeated for other panels, once per panel.

HTML options (with --format html):
  --plotlyjs local|cdn|none|inline:FILE|src:URL
                      where the page gets plotly.js: inlined from the local
                      copy (default: the file TRAJPLOT_PLOTLYJS names, else
                      the one installed with trajplot; the page draws
                      offline; without one, the CDN, and a note says so),
                      the official CDN, nothing (the embedding page has
                      it), the contents of a plotly.min.js of your own, or
                      a <script src> of your own
  --div-id ID         id of the figure's <div> (default trajplot-figure)
  --html-fragment     write an embeddable <div>, not a whole document
  --responsive        follow the page's width instead of a fixed width
  -h, --help          show this help

stats reads NumPy .npy files (format 1.0, 2.0 or 3.0, C order), mapped
into memory and streamed one (batch item, layer) slab at a time, so they
may be larger than memory:
  --logits FILE.npy   the lens's logits at every layer, the model's output
                      last: shape (batch, layers, seq_len, vocab) or
                      (layers, seq_len, vocab); dtype '<f4' (read in place),
                      '<f2' or '<f8'
  --log-probs FILE.npy
                      the same holding log-probabilities, used as given
  --input-ids IDS.npy the input tokens: (batch, seq_len), or (seq_len,) for
                      one batch item; any little-endian integer dtype
  --targets T.npy     the token wanted at each position, shaped as the
                      input ids (no shift is applied): for cross_entropy,
                      rank, log_prob_diff and log_prob_diff_delta
  --anti-targets A.npy
                      the token not wanted: for log_prob_diff(_delta)
  --other FILE.npy    a second trajectory of the same shape and kind, for
                      the statistics that compare two
  --vocab VOCAB       token strings for the cell labels, hover tables and
                      the x axis (without it there are none): a JSON array
                      of tokens (id = index), an object token -> id
                      (vocab.json) or a Hugging Face tokenizer.json, told
                      apart by their content; ids without a token show
                      as <unk>, ids past the values' vocabulary are left
                      out
  --statistic NAME[,NAME...]
                      what to compute (default entropy), averaged over the
                      batch; several make one stacked figure, panels in
                      the order given; repeatable:
                        entropy, cross_entropy, forward_kl (KL from the
                        output to each layer), max_probability, rank,
                        log_prob_diff, log_prob_diff_delta, and with
                        --other: kl_divergence, js_divergence,
                        half_symmetric_kl, total_variation,
                        max_abs_prob_difference
  --output-dir DIR    write DIR/NAME.json (or .html, .svg, .png, .pdf)
                      for each statistic, creating DIR, instead of one
                      stacked figure
  --show-ranks        rank: label the cells with the rank, not the token
  --top-k K           rows of each hover table (default 10)
  --min-prob P        leave a cell unlabelled where the top token's
                      probability is below P in any batch item (default 0)
  --min-prob-delta P  comparisons: leave a cell unlabelled where no token's
                      probability changes by more than P (default 0)
  --max-batch-items-shown N
                      batch items side by side in hover tables (default 3)
  --max-string-len N  shorten longer tokens to N characters with an
                      ellipsis (default 7; 0: never)
  --threads N         threads reducing each slab
                      (default: the CPUs available)

--stride is applied before --clip. Exit status: 0 on success, 1 for input
that cannot be rendered (or read), 2 for a wrong command line.
)";
}

}  // namespace trajplot_cli
