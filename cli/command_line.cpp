#include "command_line.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <vector>

#include "cli_error.hpp"
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

class ArgumentReader {
public:
    explicit ArgumentReader(std::span<const char* const> arguments) : arguments_(arguments) {}

    bool done() const { return next_ == arguments_.size(); }
    std::string_view take() { return arguments_[next_++]; }

    // The value of `option`, which must follow it.
    std::string_view value_of(std::string_view option, std::string_view placeholder) {
        if (done()) {
            fail_usage(std::string(option) + " needs a value: " + std::string(option) + " " +
                       std::string(placeholder));
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
    if (value == "cdn") return {TRAJPLOT_PLOTLYJS_CDN, {}};
    if (value == "none") return {TRAJPLOT_PLOTLYJS_NONE, {}};
    if (auto choice = with_location("inline:", TRAJPLOT_PLOTLYJS_INLINE)) return *choice;
    if (auto choice = with_location("src:", TRAJPLOT_PLOTLYJS_SRC)) return *choice;
    fail_usage("--plotlyjs must be cdn, none, inline:FILE or src:URL, got " + quoted(value));
}

// Reads one option of `render` or `demo` (its name already taken) and its
// values. Returns false when `option` is not one of them.
bool read_render_option(std::string_view option, ArgumentReader& reader, RenderOptions& options,
                        bool& format_given) {
    if (option == "--out") {
        set_once(options.out, option, std::string(reader.value_of(option, "PATH")));
    } else if (option == "--format") {
        const std::string_view format = reader.value_of(option, "json|html");
        if (format_given) {
            fail_usage("--format is given more than once");
        }
        format_given = true;
        if (format == "json") {
            options.format = OutputFormat::json;
        } else if (format == "html") {
            options.format = OutputFormat::html;
        } else {
            fail_usage("--format must be json or html, got " + quoted(format));
        }
    } else if (option == "--trace-only") {
        set_flag_once(options.trace_only, option);
    } else if (option == "--stride") {
        set_once(options.stride, option, parse_positive_integer(option, reader.value_of(option, "K")));
    } else if (option == "--clip") {
        const std::string_view min_text = reader.value_of(option, "MIN MAX");
        const std::string_view max_text = reader.value_of(option, "MIN MAX");
        const ClipRange range{parse_finite_float("--clip MIN", min_text),
                              parse_finite_float("--clip MAX", max_text)};
        if (!(range.min < range.max)) {
            fail_input("--clip MIN must be less than MAX, got " + quoted(min_text) + " and " +
                       quoted(max_text));
        }
        set_once(options.clip, option, range);
    } else if (option == "--title") {
        set_once(options.title, option, std::string(reader.value_of(option, "TEXT")));
    } else if (option == "--colorscale") {
        set_once(options.colorscale, option, std::string(reader.value_of(option, "NAME")));
    } else if (option == "--token-width") {
        set_once(options.token_width, option,
                 parse_positive_integer(option, reader.value_of(option, "W")));
    } else if (option == "--log-scale") {
        set_flag_once(options.log_scale, option);
    } else if (option == "--extra") {
        set_once(options.extra_json, option, std::string(reader.value_of(option, "JSON")));
    } else if (option == "--height") {
        set_once(options.height, option, parse_positive_integer(option, reader.value_of(option, "H")));
    } else if (option == "--plotlyjs") {
        set_once(options.plotlyjs, option, parse_plotlyjs(reader.value_of(option, "cdn|none|inline:FILE|src:URL")));
    } else if (option == "--div-id") {
        set_once(options.div_id, option, std::string(reader.value_of(option, "ID")));
    } else if (option == "--html-fragment") {
        set_flag_once(options.html_fragment, option);
    } else if (option == "--responsive") {
        set_flag_once(options.responsive, option);
    } else {
        return false;
    }
    return true;
}

bool is_help_option(std::string_view argument) { return argument == "--help" || argument == "-h"; }

bool looks_like_option(std::string_view argument) {
    return argument.size() > 1 && argument.front() == '-';
}

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
        } else if (!read_render_option(argument, reader, invocation.options, format_given)) {
            fail_usage("unknown option " + quoted(argument) + " for " + quoted(command));
        }
    }

    if (invocation.command == Command::render) {
        if (positionals.empty()) {
            fail_usage("render needs a SPEC file (or - for standard input)");
        }
        if (positionals.size() > 1) {
            fail_usage("unexpected argument " + quoted(positionals[1]) + " after the SPEC " +
                       quoted(positionals[0]));
        }
        invocation.spec_path = positionals[0];
    } else if (!positionals.empty()) {
        fail_usage("unexpected argument " + quoted(positionals[0]) + "; demo takes no SPEC");
    }

    // A figure-only option next to --trace-only would be silently ignored,
    // which hides a mistake in the command line.
    if (invocation.options.trace_only) {
        if (invocation.options.title) {
            fail_usage("--title applies to the figure and has no effect with --trace-only");
        }
        if (invocation.options.token_width) {
            fail_usage("--token-width applies to the figure and has no effect with --trace-only");
        }
        if (invocation.options.height) {
            fail_usage("--height applies to the figure and has no effect with --trace-only");
        }
        if (invocation.options.format == OutputFormat::html) {
            fail_usage("--trace-only writes JSON; an HTML page draws the whole figure");
        }
    }
    const RenderOptions& options = invocation.options;
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
    return "usage: trajplot render SPEC [options] | trajplot demo [options] | "
           "trajplot --help | trajplot --version";
}

std::string_view help_text() {
    return R"(trajplot - prediction-trajectory heatmaps of language models as Plotly figures

Usage:
  trajplot render SPEC [options]   render the trajectory described by SPEC
  trajplot demo [options]          render the built-in demo trajectory
  trajplot --help                  show this help
  trajplot --version               show the library and ABI versions

SPEC is a JSON file, or - for standard input:
  {"name": "Entropy", "stats": [[...], ...], "units": "nats",
   "sequence_labels": [...], "layer_labels": [...],
   "trajectory_labels": {"label_strings": [[...]],
                         "hover_over_entries": [[[[...]]]]},
   "min": 0, "max": 10, "includes_output": true}
  Only name and stats (n_layers rows of seq_len numbers, null for a gap)
  are required. label_strings is n_layers x seq_len strings and
  hover_over_entries n_layers x seq_len x rows x cols strings.

Options:
  --out PATH          write to PATH (replaced atomically) instead of
                      standard output; - is standard output
  --format json|html  output format (default json): the Plotly figure as
                      JSON, or an HTML page that draws it with plotly.js
  --trace-only        write only the heatmap trace, not the whole figure
  --stride K          keep every K-th layer and the last one
  --clip MIN MAX      clamp values into [MIN, MAX] and use it as colour range
  --title TEXT        figure title
  --colorscale NAME   a plotly colourscale name, _r for reversed
                      (default rdbu_r)
  --token-width W     figure width per token in pixels (default 80)
  --log-scale         colour by the base-10 logarithm of the values
  --extra JSON        a JSON object merged into the heatmap trace
  --height H          figure height in pixels (default: Plotly's, 450)

HTML options (with --format html):
  --plotlyjs cdn|none|inline:FILE|src:URL
                      where the page gets plotly.js: the official CDN
                      (default), nothing (the embedding page has it), the
                      contents of a local plotly.min.js (works offline), or
                      a <script src> of your own
  --div-id ID         id of the figure's <div> (default trajplot-figure)
  --html-fragment     write an embeddable <div>, not a whole document
  --responsive        follow the page's width instead of a fixed width
  -h, --help          show this help

--stride is applied before --clip. Exit status: 0 on success, 1 for input
that cannot be rendered, 2 for a wrong command line.
)";
}

}  // namespace trajplot_cli
