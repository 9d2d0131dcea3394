#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_error.hpp"
#include "demo_spec.hpp"
#include "library.hpp"
#include "spec.hpp"
#include "trajplot.h"

// Every mistake in the command line is found here, before any input is
// read, and is a usage error (exit 2): an unknown option, a missing value,
// a value that does not parse or is out of range, options that exclude each
// other. What is left for later is what depends on the input files.

namespace trajplot_cli {
namespace {

// "a", "a or b", "a, b or c"
std::string joined(const std::vector<std::string_view>& names, std::string_view last_separator) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) text.append(i + 1 == names.size() ? last_separator : ", ");
        text.append(names[i]);
    }
    return text;
}

// ---------------------------------------------------------------------------
// Suggestions for misspelt names

// Insertions, deletions, substitutions and swaps of neighbours, each 1 (the
// optimal string alignment distance): "--statistics" is 1 from
// "--statistic", "--hieght" 1 from "--height".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> distance(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) distance[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) distance[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
            distance[i][j] =
                std::min({distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                distance[i][j] = std::min(distance[i][j], distance[i - 2][j - 2] + 1);
            }
        }
    }
    return distance[a.size()][b.size()];
}

std::string_view without_dashes(std::string_view name) {
    return name.substr(std::min(name.find_first_not_of('-'), name.size()));
}

// The candidate `given` was most likely meant to be, if one is close: at
// most a third of its letters away (every name is near a name of one or two
// letters, so those get no suggestion), or one the start of the other
// ("--vocabulary" for "--vocab", "--vert" for "--vertical-spacing").
std::optional<std::string_view> nearest_name(std::string_view given, const std::vector<std::string_view>& candidates) {
    const std::string_view letters = without_dashes(given);
    const std::size_t allowed = letters.size() < 3 ? 0 : std::max<std::size_t>(1, letters.size() / 3);
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (const std::string_view candidate : candidates) {
        const std::string_view candidate_letters = without_dashes(candidate);
        const std::size_t distance = edit_distance(letters, candidate_letters);
        const bool one_starts_the_other =
            std::min(letters.size(), candidate_letters.size()) >= 3 &&
            (letters.starts_with(candidate_letters) || candidate_letters.starts_with(letters));
        if (distance > allowed && !one_starts_the_other) continue;
        if (!best || distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view given, const std::vector<std::string_view>& candidates) {
    const std::optional<std::string_view> suggestion = nearest_name(given, candidates);
    return suggestion ? "; did you mean " + single_quoted(*suggestion) + "?" : "";
}

// ---------------------------------------------------------------------------
// Option values. Each is parsed strictly: the whole text must be the
// number, so that "2x", " 2" or "0x10" are refused rather than read as
// something else.

std::size_t parse_positive_integer(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_usage(std::string(option) + " is too large, got " + single_quoted(text));
    }
    if (error != std::errc{} || stop != end || value == 0) {
        fail_usage(std::string(option) + " must be a positive integer, got " + single_quoted(text));
    }
    return value;
}

// A count that may be 0, for options where 0 has a meaning of its own.
std::size_t parse_count(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_usage(std::string(option) + " is too large, got " + single_quoted(text));
    }
    if (error != std::errc{} || stop != end) {
        fail_usage(std::string(option) + " must be a non-negative integer, got " + single_quoted(text));
    }
    return value;
}

float parse_finite_float(std::string_view what, std::string_view text) {
    float value = 0.0f;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_usage(std::string(what) + " is out of range for a 32-bit float, got " + single_quoted(text));
    }
    if (error != std::errc{} || stop != end || !std::isfinite(value)) {
        fail_usage(std::string(what) + " must be a finite number, got " + single_quoted(text));
    }
    return value;
}

double parse_finite_double(std::string_view what, std::string_view text) {
    double value = 0.0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        fail_usage(std::string(what) + " is out of range, got " + single_quoted(text));
    }
    if (error != std::errc{} || stop != end || !std::isfinite(value)) {
        fail_usage(std::string(what) + " must be a finite number, got " + single_quoted(text));
    }
    return value;
}

float parse_probability(std::string_view option, std::string_view text) {
    const float value = parse_finite_float(option, text);
    if (value < 0.0f || value > 1.0f) {
        fail_usage(std::string(option) + " must be a probability in [0, 1], got " + single_quoted(text));
    }
    return value;
}

// Whether the panel exists is checked once the panels are known.
std::size_t parse_panel_number(std::string_view option, std::string_view text) {
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || value == 0) {
        fail_usage(std::string(option) + " needs a panel number N (1 = top), got " + single_quoted(text));
    }
    return value;
}

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

// ---------------------------------------------------------------------------
// Reading the arguments

bool looks_like_option(std::string_view argument) { return argument.size() > 1 && argument.front() == '-'; }

// "-1", "-0.5", "-.5": where a number is expected, a value and not an option.
bool looks_like_negative_number(std::string_view argument) {
    return argument.size() > 1 && argument[0] == '-' &&
           ((argument[1] >= '0' && argument[1] <= '9') || argument[1] == '.');
}

bool is_help_option(std::string_view argument) { return argument == "--help" || argument == "-h"; }

class ArgumentReader {
public:
    explicit ArgumentReader(std::span<const char* const> arguments) : arguments_(arguments) {}

    bool done() const { return next_ == arguments_.size(); }
    std::string_view peek() const { return arguments_[next_]; }
    std::string_view take() { return arguments_[next_++]; }

private:
    std::span<const char* const> arguments_;
    std::size_t next_ = 0;
};

bool is_known_option(std::string_view argument);

// The values of one option as they are read: the one attached with '='
// (--title=-draft) first, then the arguments after the option.
class OptionValues {
public:
    OptionValues(std::string_view name, std::string_view typed, std::optional<std::string_view> attached,
                 ArgumentReader& reader)
        : name_(name), typed_(typed), attached_(attached), reader_(reader) {}

    // The option's name for messages: --out, also where -o was typed.
    std::string_view name() const { return name_; }

    // The next value, which may be anything but an option; `placeholder`
    // shows all the option's values ("MIN MAX") in a message.
    std::string_view text(std::string_view placeholder) { return next(placeholder, false); }
    // The same, where a number is expected: "-1" is a value here.
    std::string_view number(std::string_view placeholder) { return next(placeholder, true); }

    bool attached_value_unread() const { return attached_.has_value(); }

private:
    std::string_view next(std::string_view placeholder, bool numeric) {
        if (attached_) {
            const std::string_view value = *attached_;
            attached_.reset();
            return value;
        }
        const std::string typed(typed_);
        const std::string needs = typed + " needs a value: " + typed + " " + std::string(placeholder);
        if (reader_.done()) fail_usage(needs);
        // "-" alone is a value: standard input or output.
        const std::string_view following = reader_.peek();
        if (looks_like_option(following) && !(numeric && looks_like_negative_number(following))) {
            if (is_known_option(following)) {
                fail_usage(needs + "; the next argument, " + single_quoted(following) + ", is an option");
            }
            const bool one_value = placeholder.find(' ') == std::string_view::npos && typed_.starts_with("--");
            fail_usage(needs + "; the next argument, " + single_quoted(following) + ", is taken for an option" +
                       (one_value
                            ? " (write " + typed + "=" + std::string(following) + " for a value that starts with '-')"
                            : ""));
        }
        return reader_.take();
    }

    std::string_view name_;
    std::string_view typed_;
    std::optional<std::string_view> attached_;
    ArgumentReader& reader_;
};

// The command line as it is read, before it is checked as a whole.
struct ParsedArguments {
    Invocation invocation;
    bool format_given = false;
    // As typed, for messages.
    std::string clip_min_text;
    std::string vertical_spacing_text;
    // stats
    std::optional<std::string> logits;
    std::optional<std::string> log_probs;
    std::optional<std::string> input_ids;
    std::vector<std::string> statistic_values;  // each --statistic's value
};

// The commands an option belongs to.
enum : unsigned {
    of_render = 1u << 0,
    of_demo = 1u << 1,
    of_stats = 1u << 2,
    of_figure_commands = of_render | of_demo | of_stats,
};

unsigned command_bit(Command command) {
    switch (command) {
        case Command::render: return of_render;
        case Command::demo: return of_demo;
        case Command::stats: return of_stats;
        case Command::help:
        case Command::version: break;
    }
    return 0;
}

struct OptionSpec {
    std::string_view name;
    std::string_view short_name;  // "" when there is none
    unsigned commands;
    void (*read)(OptionValues& values, ParsedArguments& parsed);
};

void read_format(OptionValues& values, ParsedArguments& parsed) {
    const std::string_view format = values.text("json|html|svg|png|pdf");
    if (parsed.format_given) {
        fail_usage("--format is given more than once");
    }
    parsed.format_given = true;
    OutputFormat& chosen = parsed.invocation.options.format;
    if (format == "json") {
        chosen = OutputFormat::json;
    } else if (format == "html") {
        chosen = OutputFormat::html;
    } else if (format == "svg") {
        chosen = OutputFormat::svg;
    } else if (format == "png") {
        chosen = OutputFormat::png;
    } else if (format == "pdf") {
        chosen = OutputFormat::pdf;
    } else {
        fail_usage("--format must be json, html, svg, png or pdf, got " + single_quoted(format));
    }
}

void read_clip(OptionValues& values, ParsedArguments& parsed) {
    const std::string_view min_text = values.number("MIN MAX");
    const std::string_view max_text = values.number("MIN MAX");
    const ClipRange range{parse_finite_float("--clip MIN", min_text), parse_finite_float("--clip MAX", max_text)};
    if (!(range.min < range.max)) {
        fail_usage("--clip MIN must be less than MAX, got " + single_quoted(min_text) + " and " +
                   single_quoted(max_text));
    }
    set_once(parsed.invocation.options.clip, values.name(), range);
    parsed.clip_min_text = min_text;
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
    fail_usage("--plotlyjs must be local, cdn, none, inline:FILE or src:URL, got " + single_quoted(value));
}

// The library's rule for a <div> id, checked here to name the option.
bool is_valid_div_id(std::string_view id) {
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return !id.empty() && letter(id.front()) &&
           std::all_of(id.begin(), id.end(), [&](char c) { return letter(c) || digit(c) || c == '-' || c == '_'; });
}

void read_div_id(OptionValues& values, ParsedArguments& parsed) {
    const std::string_view id = values.text("ID");
    if (!is_valid_div_id(id)) {
        fail_usage("--div-id must start with a letter and hold only letters, digits, '-' and '_', got " +
                   single_quoted(id));
    }
    set_once(parsed.invocation.options.div_id, values.name(), std::string(id));
}

void read_panel_option(OptionValues& values, ParsedArguments& parsed) {
    const std::string_view option = values.name();
    const std::string_view placeholder = option == "--panel-title"        ? "N TEXT"
                                         : option == "--panel-colorscale" ? "N NAME"
                                                                          : "N";
    const std::size_t number = parse_panel_number(option, values.number(placeholder));
    const std::string once_name = std::string(option) + " " + std::to_string(number);
    PanelOverride& panel = parsed.invocation.options.panels[number];
    if (option == "--panel-log-scale") {
        set_flag_once(panel.log_scale, once_name);
    } else {
        std::string text(values.text(placeholder));
        set_once(option == "--panel-title" ? panel.title : panel.colorscale, once_name, std::move(text));
    }
}

RenderOptions& figure(ParsedArguments& parsed) { return parsed.invocation.options; }
StatsOptions& stats(ParsedArguments& parsed) { return parsed.invocation.stats; }

// Every option, in the order of the help; its reader takes its values and
// checks everything it can check on its own.
const OptionSpec option_specs[] = {
    // The figure: render, demo and stats.
    {"--out", "-o", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_once(figure(p).out, v.name(), std::string(v.text("PATH"))); }},
    {"--format", "", of_figure_commands, read_format},
    {"--scale", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         const std::string_view text = v.number("S");
         const double scale = parse_finite_double(v.name(), text);
         if (!(scale > 0 && scale <= 16)) {
             fail_usage("--scale must be above 0 and at most 16, got " + single_quoted(text));
         }
         set_once(figure(p).scale, v.name(), scale);
     }},
    {"--trace-only", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).trace_only, v.name()); }},
    {"--stride", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).stride, v.name(), parse_positive_integer(v.name(), v.number("K")));
     }},
    {"--clip", "", of_figure_commands, read_clip},
    {"--title", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_once(figure(p).title, v.name(), std::string(v.text("TEXT"))); }},
    {"--colorscale", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).colorscale, v.name(), std::string(v.text("NAME")));
     }},
    {"--token-width", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).token_width, v.name(), parse_positive_integer(v.name(), v.number("W")));
     }},
    {"--log-scale", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).log_scale, v.name()); }},
    {"--extra", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).extra_json, v.name(), std::string(v.text("JSON")));
     }},
    {"--height", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).height, v.name(), parse_positive_integer(v.name(), v.number("H")));
     }},
    {"--hover-value", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).hover_value, v.name()); }},
    // Stacked figures.
    {"--stack", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).stack, v.name()); }},
    {"--vertical-spacing", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         const std::string_view text = v.number("F");
         set_once(figure(p).vertical_spacing, v.name(), parse_finite_double(v.name(), text));
         p.vertical_spacing_text = text;
     }},
    {"--panel-title", "", of_figure_commands, read_panel_option},
    {"--panel-colorscale", "", of_figure_commands, read_panel_option},
    {"--panel-log-scale", "", of_figure_commands, read_panel_option},
    {"--equal-panel-heights", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).equal_panel_heights, v.name()); }},
    // HTML pages.
    {"--plotlyjs", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(figure(p).plotlyjs, v.name(), parse_plotlyjs(v.text("local|cdn|none|inline:FILE|src:URL")));
     }},
    {"--div-id", "", of_figure_commands, read_div_id},
    {"--html-fragment", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).html_fragment, v.name()); }},
    {"--responsive", "", of_figure_commands,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(figure(p).responsive, v.name()); }},
    // stats
    {"--logits", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { set_once(p.logits, v.name(), std::string(v.text("FILE.npy"))); }},
    {"--log-probs", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { set_once(p.log_probs, v.name(), std::string(v.text("FILE.npy"))); }},
    {"--input-ids", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { set_once(p.input_ids, v.name(), std::string(v.text("IDS.npy"))); }},
    {"--targets", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).targets_path, v.name(), std::string(v.text("TARGETS.npy")));
     }},
    {"--anti-targets", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).anti_targets_path, v.name(), std::string(v.text("ANTI_TARGETS.npy")));
     }},
    {"--other", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).other_path, v.name(), std::string(v.text("FILE.npy")));
     }},
    {"--vocab", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).vocab_path, v.name(), std::string(v.text("VOCAB")));
     }},
    {"--statistic", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { p.statistic_values.emplace_back(v.text("NAME[,NAME...]")); }},
    {"--output-dir", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { set_once(stats(p).output_dir, v.name(), std::string(v.text("DIR"))); }},
    {"--show-ranks", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) { set_flag_once(stats(p).show_ranks, v.name()); }},
    {"--top-k", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).top_k, v.name(), parse_positive_integer(v.name(), v.number("K")));
     }},
    {"--min-prob", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).min_prob, v.name(), parse_probability(v.name(), v.number("P")));
     }},
    {"--min-prob-delta", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).min_prob_delta, v.name(), parse_probability(v.name(), v.number("P")));
     }},
    {"--max-batch-items-shown", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).max_batch_items_shown, v.name(), parse_positive_integer(v.name(), v.number("N")));
     }},
    {"--max-string-len", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).max_string_len, v.name(), parse_count(v.name(), v.number("N")));
     }},
    // 0 is the library's default: a thread per CPU available.
    {"--threads", "", of_stats,
     [](OptionValues& v, ParsedArguments& p) {
         set_once(stats(p).threads, v.name(), parse_count(v.name(), v.number("N")));
     }},
    {"--quiet", "", of_stats, [](OptionValues& v, ParsedArguments& p) { set_flag_once(stats(p).quiet, v.name()); }},
};

// The option `name` (--out, -o) names, of whichever command.
const OptionSpec* find_option(std::string_view name) {
    for (const OptionSpec& option : option_specs) {
        if (option.name == name || (!option.short_name.empty() && option.short_name == name)) return &option;
    }
    return nullptr;
}

// Whether `argument` is an option of some command: --help, -o, --out=x.
bool is_known_option(std::string_view argument) {
    if (is_help_option(argument)) return true;
    const std::size_t equals = argument.starts_with("--") ? argument.find('=') : std::string_view::npos;
    return find_option(argument.substr(0, equals)) != nullptr;
}

std::vector<std::string_view> option_names(unsigned commands) {
    std::vector<std::string_view> names;
    for (const OptionSpec& option : option_specs) {
        if ((option.commands & commands) != 0) names.push_back(option.name);
    }
    names.push_back("--help");
    return names;
}

std::string command_names(unsigned commands) {
    std::vector<std::string_view> names;
    if ((commands & of_render) != 0) names.push_back("render");
    if ((commands & of_demo) != 0) names.push_back("demo");
    if ((commands & of_stats) != 0) names.push_back("stats");
    return joined(names, " and ");
}

[[noreturn]] void fail_unknown_option(std::string_view typed, Command command, std::string_view command_text) {
    std::string message = "unknown option " + single_quoted(typed) + " for " + single_quoted(command_text);
    if (const OptionSpec* elsewhere = find_option(typed)) {
        message += "; it is an option of " + command_names(elsewhere->commands);
    } else {
        message += did_you_mean(typed, option_names(command_bit(command)));
    }
    fail_usage(message);
}

// ---------------------------------------------------------------------------
// stats

// The names of the library's measures that satisfy `wanted`, in its order.
template <typename Predicate>
std::vector<std::string_view> measure_names(Predicate wanted) {
    std::vector<int> measures(trajplot_measures(nullptr, 0));
    trajplot_measures(measures.data(), measures.size());
    std::vector<std::string_view> names;
    for (const int measure : measures) {
        if (wanted(measure)) names.emplace_back(trajplot_measure_name(measure));
    }
    return names;
}

// The names of `measures` that satisfy `wanted`, in the order selected.
template <typename Predicate>
std::vector<std::string_view> names_where(const std::vector<int>& measures, Predicate wanted) {
    std::vector<std::string_view> names;
    for (const int measure : measures) {
        if (wanted(measure)) names.emplace_back(trajplot_measure_name(measure));
    }
    return names;
}

std::vector<int> parse_statistics(const std::vector<std::string>& values) {
    std::vector<int> measures;
    for (const std::string_view value : values) {
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = value.find(',', start);
            const std::string name(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
            if (name.empty()) {
                fail_usage("--statistic has an empty name in " + single_quoted(value));
            }
            int measure = 0;
            if (trajplot_measure_from_name(&measure, name.c_str()) != TRAJPLOT_OK) {
                const std::vector<std::string_view> known = measure_names([](int) { return true; });
                std::string known_text;
                for (const std::string_view known_name : known) {
                    known_text.append(known_text.empty() ? "" : ", ").append(known_name);
                }
                fail_usage("unknown statistic " + single_quoted(name) + " for --statistic; known: " + known_text +
                           did_you_mean(name, known));
            }
            if (std::find(measures.begin(), measures.end(), measure) != measures.end()) {
                fail_usage("--statistic " + single_quoted(name) + " is given more than once");
            }
            measures.push_back(measure);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
    }
    if (measures.empty()) measures.push_back(TRAJPLOT_MEASURE_ENTROPY);
    return measures;
}

bool needs_targets(int measure) {
    return measure == TRAJPLOT_MEASURE_CROSS_ENTROPY || measure == TRAJPLOT_MEASURE_RANK ||
           measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF || measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA;
}

bool needs_anti_targets(int measure) {
    return measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF || measure == TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA;
}

bool is_rank(int measure) { return measure == TRAJPLOT_MEASURE_RANK; }
bool is_comparison(int measure) { return trajplot_measure_is_comparison(measure); }
bool is_single(int measure) { return !trajplot_measure_is_comparison(measure); }

// An option is dropped, with a warning, where the selected statistics do
// not read it: refusing it would make a script drop its options whenever
// it changes --statistic.
template <typename Slot>
void ignore(Slot& slot, std::vector<std::string>& warnings, const std::string& why) {
    if (!slot) return;
    warnings.push_back(why + "; it is ignored");
    slot = {};
}

// The command line of `stats` as a whole: what is missing or contradicts
// itself is an error; what the statistics do not read, a warning.
void finish_stats(ParsedArguments& parsed) {
    Invocation& invocation = parsed.invocation;
    StatsOptions& stats = invocation.stats;
    if (parsed.logits && parsed.log_probs) {
        fail_usage("--logits and --log-probs exclude each other: the values are one or the other");
    }
    if (!parsed.logits && !parsed.log_probs) {
        fail_usage("stats needs the lens outputs: --logits FILE.npy or --log-probs FILE.npy");
    }
    stats.values_kind = parsed.logits ? ValuesKind::logits : ValuesKind::log_probs;
    stats.values_path = parsed.logits ? *parsed.logits : *parsed.log_probs;
    if (!parsed.input_ids) {
        fail_usage("stats needs --input-ids IDS.npy, the input tokens");
    }
    stats.input_ids_path = *parsed.input_ids;
    stats.measures = parse_statistics(parsed.statistic_values);

    const std::vector<int>& measures = stats.measures;
    if (stats.output_dir && invocation.options.out) {
        fail_usage("--out and --output-dir exclude each other");
    }
    if (stats.output_dir && invocation.options.stack) {
        fail_usage("--stack draws one figure, and --output-dir writes one file per statistic: choose one");
    }
    const auto any = [&](bool (*predicate)(int)) { return std::any_of(measures.begin(), measures.end(), predicate); };
    if (any(is_comparison) && !stats.other_path) {
        fail_usage("--other FILE.npy, the second trajectory, is needed by " +
                   joined(names_where(measures, is_comparison), ", "));
    }
    if (any(needs_targets) && !stats.targets_path) {
        fail_usage("--targets TARGETS.npy is needed by " + joined(names_where(measures, needs_targets), ", "));
    }
    if (any(needs_anti_targets) && !stats.anti_targets_path) {
        fail_usage("--anti-targets ANTI_TARGETS.npy is needed by " +
                   joined(names_where(measures, needs_anti_targets), ", "));
    }

    std::vector<std::string>& warnings = invocation.warnings;
    const std::string selected = joined(names_where(measures, [](int) { return true; }), " or ");
    const auto not_read = [&](std::string_view option, std::string_view readers) {
        return std::string(option) + " is not read by " + selected + " (only by " + std::string(readers) + ")";
    };
    if (!any(is_comparison)) {
        ignore(stats.other_path, warnings,
               not_read("--other",
                        "the statistics that compare two trajectories: " + joined(measure_names(is_comparison), ", ")));
        ignore(stats.min_prob_delta, warnings,
               not_read("--min-prob-delta", "the statistics that compare two trajectories"));
    }
    if (!any(needs_targets)) {
        ignore(stats.targets_path, warnings, not_read("--targets", joined(measure_names(needs_targets), " or ")));
    }
    if (!any(needs_anti_targets)) {
        ignore(stats.anti_targets_path, warnings,
               not_read("--anti-targets", joined(measure_names(needs_anti_targets), " or ")));
    }
    if (!any(is_rank)) {
        ignore(stats.show_ranks, warnings, not_read("--show-ranks", "rank"));
    }
    if (!any(is_single)) {
        ignore(stats.min_prob, warnings,
               std::string("--min-prob is not read by ") + selected +
                   " (the labels of a comparison follow --min-prob-delta)");
    }
    if (!stats.vocab_path) {
        // Without tokens there are no labels for these to shape.
        const auto unlabelled = [](std::string_view option) {
            return std::string(option) + " shapes the token labels, which need --vocab VOCAB";
        };
        ignore(stats.show_ranks, warnings, unlabelled("--show-ranks"));
        ignore(stats.top_k, warnings, unlabelled("--top-k"));
        ignore(stats.min_prob, warnings, unlabelled("--min-prob"));
        ignore(stats.min_prob_delta, warnings, unlabelled("--min-prob-delta"));
        ignore(stats.max_batch_items_shown, warnings, unlabelled("--max-batch-items-shown"));
        ignore(stats.max_string_len, warnings, unlabelled("--max-string-len"));
    }
}

// ---------------------------------------------------------------------------
// The figure's options as a whole

// The first --panel-* option given for `panel`, for messages.
std::string panel_option_name(std::size_t number, const PanelOverride& panel) {
    const char* option = panel.title ? "--panel-title" : panel.colorscale ? "--panel-colorscale" : "--panel-log-scale";
    return std::string(option) + " " + std::to_string(number);
}

// The options of stacked figures: refused where the output is not one, and
// checked against the number of panels where it is. `not_stacked_hint` says
// how to get a stacked figure instead.
void check_stacking(const ParsedArguments& parsed, std::size_t panel_count, bool stack_given,
                    std::string_view not_stacked_hint) {
    const Invocation& invocation = parsed.invocation;
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
            fail_usage("--vertical-spacing must be in [0, " + limit_text + ") for " + panels_text + ", got " +
                       single_quoted(parsed.vertical_spacing_text));
        }
    }
}

// A figure-only option next to --trace-only, or an option of one format
// with another, would be silently ignored, which hides a mistake in the
// command line. --token-width and --height are not such: the trace's cell
// text is sized for the cells of the figure they describe.
void check_format_options(const RenderOptions& options) {
    if (options.trace_only) {
        if (options.title) {
            fail_usage("--title applies to the figure and has no effect with --trace-only");
        }
        if (options.format == OutputFormat::html) {
            fail_usage("--trace-only writes JSON; an HTML page draws the whole figure");
        }
        if (is_image(options.format)) {
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
}

void check_extra_json(const std::string& extra) {
    nlohmann::json parsed;
    try {
        parsed = nlohmann::json::parse(extra);
    } catch (const nlohmann::json::exception& error) {
        fail_usage("--extra is not valid JSON: " + json_error_text(error.what()));
    }
    if (!parsed.is_object()) {
        fail_usage("--extra must be a JSON object, got " + std::string(parsed.type_name()));
    }
}

// "; valid names are plotly.py's, e.g. 'aggrnyl', ..." from the library's
// message on an unknown colour scale, in this tool's quotes.
std::string valid_colorscale_names(std::string_view library_message) {
    const std::size_t start = library_message.find("; valid names");
    if (start == std::string_view::npos) return "";
    std::string names(library_message.substr(start));
    std::replace(names.begin(), names.end(), '"', '\'');
    return names;
}

// Colour scale names and the largest figure are the library's to know. A
// figure of one cell asks it, before any input is read: a mistake in the
// command line is then reported as one, and not after a long computation.
void check_with_library(const ParsedArguments& parsed) {
    const RenderOptions& options = parsed.invocation.options;
    const bool panel_colorscale = std::any_of(options.panels.begin(), options.panels.end(), [](const auto& numbered) {
        return numbered.second.colorscale.has_value();
    });
    if (!options.colorscale && !panel_colorscale && !options.height && !options.token_width) return;
    const float value = 1.0f;
    trajplot_statistic* created = nullptr;
    check(trajplot_statistic_create(&created, "check", &value, 1, 1, nullptr));
    const StatisticHandle statistic(created);
    const auto figure_status = [&](const trajplot_panel_options& panel, const trajplot_figure_options& settings) {
        trajplot_figure* figure = nullptr;
        const trajplot_status status = trajplot_figure_create(&figure, statistic.get(), &panel, &settings);
        trajplot_figure_free(figure);
        return status;
    };
    const auto check_colorscale = [&](const std::string& option, const std::string& name) {
        trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
        panel.colorscale = name.c_str();
        const trajplot_status status = figure_status(panel, TRAJPLOT_FIGURE_OPTIONS_INIT);
        if (status == TRAJPLOT_OK) return;
        if (status != TRAJPLOT_EINVAL) check(status);
        fail_usage(option + " " + single_quoted(name) + " is not a colour scale" +
                   valid_colorscale_names(trajplot_error_last()));
    };
    if (options.colorscale) check_colorscale("--colorscale", *options.colorscale);
    for (const auto& [number, panel] : options.panels) {
        if (panel.colorscale) check_colorscale("--panel-colorscale " + std::to_string(number), *panel.colorscale);
    }
    // Sizes too large for a figure of one position are too large for any.
    const auto check_size = [&](std::string_view option, std::size_t size,
                                std::size_t trajplot_figure_options::*field) {
        trajplot_figure_options settings = TRAJPLOT_FIGURE_OPTIONS_INIT;
        settings.*field = size;
        const trajplot_status status = figure_status(TRAJPLOT_PANEL_OPTIONS_INIT, settings);
        if (status == TRAJPLOT_ERANGE) {
            fail_usage(std::string(option) + " is too large for a figure, got " + single_quoted(std::to_string(size)));
        }
        check(status);
    };
    if (options.height) check_size("--height", *options.height, &trajplot_figure_options::height);
    if (options.token_width) check_size("--token-width", *options.token_width, &trajplot_figure_options::token_width);
}

void check_figure_values(const ParsedArguments& parsed) {
    const RenderOptions& options = parsed.invocation.options;
    if (options.extra_json) check_extra_json(*options.extra_json);
    // The library's rule: a log scale needs a positive colour range. Only
    // the one --clip sets is known before the input is read.
    if (options.clip && !(options.clip->min > 0)) {
        std::string log_option;
        if (options.log_scale) {
            log_option = "--log-scale";
        } else {
            for (const auto& [number, panel] : options.panels) {
                if (panel.log_scale) {
                    log_option = "--panel-log-scale " + std::to_string(number);
                    break;
                }
            }
        }
        if (!log_option.empty()) {
            fail_usage(log_option +
                       " colours by the logarithm, which needs a positive colour range, but --clip MIN is " +
                       single_quoted(parsed.clip_min_text));
        }
    }
    check_with_library(parsed);
}

Command command_of_name(std::string_view name) {
    if (name == "render") return Command::render;
    if (name == "demo") return Command::demo;
    if (name == "stats") return Command::stats;
    return Command::help;
}

const std::vector<std::string_view> command_list = {"render", "demo", "stats"};

}  // namespace

Command command_named(std::span<const char* const> arguments) {
    return arguments.empty() ? Command::help : command_of_name(arguments.front());
}

Invocation parse_command_line(std::span<const char* const> arguments) {
    ArgumentReader reader(arguments);
    if (reader.done()) {
        fail_usage("no command given");
    }
    ParsedArguments parsed;
    Invocation& invocation = parsed.invocation;
    const std::string_view command = reader.take();
    if (is_help_option(command) || command == "help") {
        invocation.command = Command::help;
        if (reader.done()) return invocation;
        const std::string_view topic = reader.take();
        invocation.help_topic = command_of_name(topic);
        if (invocation.help_topic == Command::help) {
            fail_usage("no help on " + single_quoted(topic) + "; the commands are render, demo and stats" +
                       did_you_mean(topic, command_list));
        }
        if (!reader.done()) {
            fail_usage("unexpected argument " + single_quoted(reader.take()) + " after " + std::string(command) + " " +
                       std::string(topic));
        }
        return invocation;
    }
    if (command == "--version") {
        invocation.command = Command::version;
        if (!reader.done()) {
            fail_usage("unexpected argument " + single_quoted(reader.take()) + " after --version");
        }
        return invocation;
    }
    invocation.command = command_of_name(command);
    if (invocation.command == Command::help) {
        if (!looks_like_option(command)) {
            const std::string suggestion = did_you_mean(command, command_list);
            fail_usage("unknown command " + single_quoted(command) +
                       (suggestion.empty() ? "; the commands are render, demo and stats" : suggestion));
        }
        if (const OptionSpec* option = find_option(command)) {
            fail_usage(single_quoted(command) + " is an option of " + command_names(option->commands) +
                       ", given after the command: trajplot COMMAND " + std::string(command) + " ...");
        }
        fail_usage("unknown option " + single_quoted(command) + did_you_mean(command, {"--help", "--version"}));
    }

    // --help anywhere among the options asks for the command's help,
    // whatever else the command line holds.
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        if (argument == "--") break;
        if (is_help_option(argument)) {
            invocation.help_topic = invocation.command;
            invocation.command = Command::help;
            return invocation;
        }
    }

    std::vector<std::string_view> positionals;
    bool options_ended = false;
    while (!reader.done()) {
        const std::string_view argument = reader.take();
        if (options_ended || !looks_like_option(argument)) {
            positionals.push_back(argument);
            continue;
        }
        if (argument == "--") {
            options_ended = true;
            continue;
        }
        // --name=VALUE, the way to give a value that starts with '-'.
        const std::size_t equals = argument.starts_with("--") ? argument.find('=') : std::string_view::npos;
        const std::string_view typed = argument.substr(0, equals);
        std::optional<std::string_view> attached;
        if (equals != std::string_view::npos) attached = argument.substr(equals + 1);
        const OptionSpec* option = find_option(typed);
        if (option == nullptr || (option->commands & command_bit(invocation.command)) == 0) {
            fail_unknown_option(typed, invocation.command, command);
        }
        OptionValues values(option->name, typed, attached, reader);
        option->read(values, parsed);
        if (values.attached_value_unread()) {
            fail_usage(std::string(typed) + " takes no value, got " + single_quoted(argument));
        }
    }

    RenderOptions& options = invocation.options;
    const bool stack_given = options.stack;
    if (invocation.command == Command::render) {
        if (positionals.empty()) {
            fail_usage("render needs a SPEC file (or - for standard input)");
        }
        if (positionals.size() > 1 && !stack_given) {
            fail_usage(std::to_string(positionals.size()) + " SPECs are given (" + single_quoted(positionals[0]) +
                       ", " + single_quoted(positionals[1]) + (positionals.size() > 2 ? ", ..." : "") +
                       "); several SPECs need --stack, which draws them as panels of one figure");
        }
        if (std::count(positionals.begin(), positionals.end(), "-") > 1) {
            fail_usage("- (standard input) is given as more than one SPEC; it can be read only once");
        }
        invocation.spec_paths.assign(positionals.begin(), positionals.end());
        check_stacking(parsed, positionals.size(), stack_given, "add --stack");
    } else if (invocation.command == Command::stats) {
        if (!positionals.empty()) {
            fail_usage("unexpected argument " + single_quoted(positionals[0]) + "; stats takes its files as options");
        }
        finish_stats(parsed);
        const std::size_t count = invocation.stats.measures.size();
        // Several statistics to one output can only be one figure.
        if (count > 1 && !invocation.stats.output_dir) options.stack = true;
        check_stacking(parsed, count, stack_given,
                       invocation.stats.output_dir ? "--output-dir writes one figure per statistic"
                                                   : "add --stack, or select several statistics");
    } else {
        if (!positionals.empty()) {
            fail_usage("unexpected argument " + single_quoted(positionals[0]) + "; demo takes no SPEC");
        }
        options.stack = true;
        check_stacking(parsed, demo_specs().size(), stack_given, "");
    }
    check_format_options(options);
    check_figure_values(parsed);
    return invocation;
}

std::string usage_line(Command command) {
    switch (command) {
        case Command::render:
            return "usage: trajplot render SPEC [SPEC...] [--stack] [options]; trajplot render --help lists them";
        case Command::demo: return "usage: trajplot demo [-o PATH] [options]; trajplot demo --help lists them";
        case Command::stats:
            return "usage: trajplot stats (--logits|--log-probs) FILE.npy --input-ids IDS.npy [options]; "
                   "trajplot stats --help lists them";
        case Command::help:
        case Command::version: break;
    }
    return "usage: trajplot render SPEC [SPEC...] [--stack] [options] | trajplot demo [options] | "
           "trajplot stats (--logits|--log-probs) FILE.npy --input-ids IDS.npy [options] | "
           "trajplot [COMMAND] --help | trajplot --version";
}

namespace {

constexpr std::string_view whole_usage =
    R"(trajplot - prediction-trajectory heatmaps of language models as Plotly figures

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
  trajplot COMMAND --help          show the help of one command
  trajplot --version               show the library and ABI versions
)";

constexpr std::string_view render_usage = R"(trajplot render - draw the trajectories that SPEC files describe

Usage:
  trajplot render SPEC [options]   render the trajectory described by SPEC
  trajplot render SPEC [SPEC...] --stack [options]
                                   render each SPEC as a panel of one
                                   figure, the first on top
)";

constexpr std::string_view demo_usage = R"(trajplot demo - draw the built-in demo trajectory

Usage:
  trajplot demo [options]          render the built-in demo trajectory:
                                   entropy, forward KL, cross-entropy and
                                   max probability, top to bottom

The demo is not written to a terminal (its JSON alone is about 150 KB):
give --out, e.g. trajplot demo --format html -o demo.html and open
demo.html in a browser, or redirect standard output.
)";

constexpr std::string_view stats_usage = R"(trajplot stats - compute statistics from a lens's outputs and draw them

Usage:
  trajplot stats (--logits FILE.npy | --log-probs FILE.npy) --input-ids IDS.npy
                 [options]
)";

constexpr std::string_view spec_section = R"(
SPEC is a JSON file, or - for standard input:
  {"name": "Entropy", "stats": [[...], ...], "units": "nats",
   "sequence_labels": [...], "layer_labels": [...],
   "trajectory_labels": {"label_strings": [[...]],
                         "hover_over_entries": [[[[...]]]]},
   "min": 0, "max": 10, "includes_output": true}
  Only name and stats (n_layers rows of seq_len numbers; null, NaN,
  Infinity or -Infinity for a gap) are required. label_strings is n_layers x seq_len strings and
  hover_over_entries n_layers x seq_len x rows x cols strings.
)";

constexpr std::string_view figure_section = R"(
Options of render, demo and stats:
  -o, --out PATH      write to PATH (replaced atomically) instead of
                      standard output; - is standard output (PNG, PDF and
                      HTML with plotly.js inlined only when it is not a
                      terminal)
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

--stride is applied before --clip. Cell labels are sized to fit their
cells: at most 12 px, never below 6 px (make the figure wider or taller
for more); --extra '{"textfont": {"size": N}}' sets the size instead.

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
)";

constexpr std::string_view stats_section = R"(
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
  --threads N         threads reducing each slab, 0 for one per CPU
                      (default: the CPUs available)
  --quiet             no progress line (shown on a terminal when the
                      work lasts over a second); warnings are still shown
An option that the statistics selected do not read (--targets with
entropy alone, --other without a comparison, the label options without
--vocab) is ignored with a warning, so that a script may keep its options
while it changes --statistic.
)";

constexpr std::string_view stats_output_section = R"(
Output, as for render:
  -o, --out PATH      write the figure to PATH instead of standard output
  --output-dir DIR    (above) one file per statistic instead
  --format json|html|svg|png|pdf
                      output format (default json)
The other options of render that shape the figure apply as well: --stride,
--clip, --title, --colorscale, --token-width, --log-scale, --extra,
--height, --hover-value, --scale, the options of stacked figures
(--stack, --vertical-spacing, --panel-title, ...) and of HTML pages
(--plotlyjs, --div-id, ...); trajplot render --help describes them.
)";

constexpr std::string_view closing_section = R"(
  -h, --help          show this help
An option's value that starts with '-' is written --option=VALUE
(--title=-draft); numbers may be negative as they are (--clip -1 1).

Exit status: 0 on success; 1 for an input file that cannot be read or
rendered, or an output that cannot be written; 2 for a wrong command line
(an unknown option, a missing or malformed value, a value out of range),
followed by a usage line.
)";

}  // namespace

std::string help_text(Command topic) {
    std::string text;
    switch (topic) {
        case Command::render:
            for (const std::string_view section : {render_usage, spec_section, figure_section, closing_section}) {
                text += section;
            }
            return text;
        case Command::demo:
            for (const std::string_view section : {demo_usage, figure_section, closing_section}) text += section;
            return text;
        case Command::stats:
            for (const std::string_view section : {stats_usage, stats_section, stats_output_section, closing_section}) {
                text += section;
            }
            return text;
        case Command::help:
        case Command::version: break;
    }
    for (const std::string_view section : {whole_usage, spec_section, figure_section, stats_section, closing_section}) {
        text += section;
    }
    return text;
}

}  // namespace trajplot_cli
