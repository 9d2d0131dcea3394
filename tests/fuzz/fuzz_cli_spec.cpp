// Fuzzes the command-line tool's SPEC parser (cli/spec.hpp), its command
// line (cli/command_line.hpp) and the render of what parses (cli/render.hpp).
//
// Input: the SPEC text, then optionally a NUL byte and the arguments after
// `trajplot render -`, separated by NUL bytes:
//     {"name": "x", "stats": [[1]]}\0--format\0html\0--title\0</script>
// A raw NUL cannot occur in JSON text, so nothing of a SPEC is lost.
//
// Checked:
// - parse_spec and parse_command_line throw nothing but CliError, with a
//   message and the documented exit status (1, or 2 for a usage error);
// - a spec that parses is consistent: shapes, finite bounds with min < max,
//   values finite or null, valid UTF-8, no NUL in name or units;
// - render succeeds exactly when the options are usable (as the library
//   documents them; a spec that parses is always usable), and fails with a
//   CliError otherwise, leaving no file behind;
// - what it writes is the figure, trace or page of the spec after --stride
//   and --clip (fuzz_support.hpp checks every value, label and tag), and
//   rendered again to standard output (sent into a file), the same bytes;
//   a failed render writes nothing there.
//
// --out is always a file in a scratch directory, and --plotlyjs inline:FILE
// one of two scripts made there (a usable one, or one that closes its
// <script> element when FILE has an odd length): the fuzzer never chooses
// what is read or written.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capi_driver.hpp"
#include "cli_error.hpp"
#include "command_line.hpp"
#include "fuzz_support.hpp"
#include "render.hpp"
#include "spec.hpp"

namespace trajplot_fuzz {
namespace {

using trajplot_cli::CliError;

// TRAJPLOT_FUZZ_TRACE=1 says what became of each step, to see what an
// input does.
void trace(const std::string& step, const std::string& outcome) {
    static const bool tracing = std::getenv("TRAJPLOT_FUZZ_TRACE") != nullptr;
    if (tracing) std::fprintf(stderr, "%s: %s\n", step.c_str(), outcome.c_str());
}

void check_cli_error(const CliError& error, const std::string& where) {
    const std::string message = error.what();
    trace(where, "exit " + std::to_string(error.exit_status()) + ": " + message);
    check(!message.empty(), where + " failed without a message");
    const bool usage = error.exit_status() == trajplot_cli::exit_usage;
    check(usage || error.exit_status() == trajplot_cli::exit_bad_input,
          where + " failed with exit status " + std::to_string(error.exit_status()), [&] { return message; });
    check(error.show_usage() == usage, where + " shows the usage line for other than a usage error",
          [&] { return message; });
}

// What parse_spec promises of a spec it accepts.
void check_spec(const trajplot_cli::StatisticSpec& spec) {
    const std::size_t cells = spec.n_layers * spec.seq_len;
    check(spec.n_layers >= 1 && spec.seq_len >= 1 && spec.stats.size() == cells, "the spec's shape is inconsistent");
    for (const float value : spec.stats) check(!std::isinf(value), "the spec holds an infinite value");
    check(!spec.min || std::isfinite(*spec.min), "the spec's min is not finite");
    check(!spec.max || std::isfinite(*spec.max), "the spec's max is not finite");
    check(!(spec.min && spec.max) || *spec.min < *spec.max, "the spec's min is not below its max");
    check(spec.name.find('\0') == std::string::npos && is_valid_utf8(spec.name), "the spec's name is unusable");
    check(!spec.units || (spec.units->find('\0') == std::string::npos && is_valid_utf8(*spec.units)),
          "the spec's units are unusable");
    const auto all_valid = [](const auto& texts) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (!is_valid_utf8(texts[i])) return false;
        }
        return true;
    };
    check(!spec.sequence_labels || (spec.sequence_labels->size() == spec.seq_len && all_valid(*spec.sequence_labels)),
          "the spec's sequence labels are inconsistent");
    check(!spec.layer_labels || (spec.layer_labels->size() == spec.n_layers && all_valid(*spec.layer_labels)),
          "the spec's layer labels are inconsistent");
    if (const auto& labels = spec.trajectory_labels) {
        check(labels->label_strings.size() == cells && all_valid(labels->label_strings),
              "the spec's label strings are inconsistent");
        const bool has_hover = !labels->hover_entries.empty();
        check(!has_hover || (labels->hover_rows >= 1 && labels->hover_cols >= 1 &&
                             labels->hover_entries.size() == cells * labels->hover_rows * labels->hover_cols &&
                             all_valid(labels->hover_entries)),
              "the spec's hover tables are inconsistent");
    }
}

// Standard output (descriptor 1) sent into a file for the life of this
// object; finish() gives what was written.
class StandardOutputInto {
public:
    explicit StandardOutputInto(std::filesystem::path path) : path_(std::move(path)) {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        check(saved_ >= 0 && fd >= 0 && ::dup2(fd, STDOUT_FILENO) == STDOUT_FILENO,
              "cannot send standard output into a file");
        ::close(fd);
    }
    StandardOutputInto(const StandardOutputInto&) = delete;
    StandardOutputInto& operator=(const StandardOutputInto&) = delete;
    ~StandardOutputInto() { restore(); }

    std::string finish() {
        restore();
        return read_file(path_);
    }

private:
    void restore() {
        if (saved_ < 0) return;
        // What stdio still holds (a failed render's) goes into the file too.
        std::fflush(stdout);
        std::clearerr(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }

    std::filesystem::path path_;
    int saved_ = -1;
};

// Renders, checking that it succeeds exactly when `failures` is empty and
// that a failure is a bad-input CliError. Returns whether it succeeded.
bool render_checked(const trajplot_cli::StatisticSpec& spec, const trajplot_cli::RenderOptions& options,
                    const Statuses& failures) {
    bool rendered = false;
    try {
        trajplot_cli::render(spec, options);
        rendered = true;
        trace("render", "ok");
    } catch (const CliError& error) {
        check_cli_error(error, "render");
        check(error.exit_status() == trajplot_cli::exit_bad_input, "render reported a usage error",
              [&] { return error.what(); });
        check(!failures.empty(), "render failed on a spec that parsed, with usable options",
              [&] { return error.what(); });
    } catch (const std::exception& error) {
        fail_check("render threw something other than CliError", error.what());
    }
    check(!(rendered && !failures.empty()), "render succeeded with options the library refuses");
    return rendered;
}

std::vector<std::string> strings_of(const trajplot_cli::PackedStrings& packed) {
    std::vector<std::string> strings;
    strings.reserve(packed.size());
    for (std::size_t i = 0; i < packed.size(); ++i) strings.emplace_back(packed[i]);
    return strings;
}

StatisticView view_of_spec(const trajplot_cli::StatisticSpec& spec) {
    StatisticView view;
    view.name = spec.name;
    view.units = spec.units;
    view.n_layers = spec.n_layers;
    view.seq_len = spec.seq_len;
    view.stats = spec.stats;
    view.min = spec.min;
    view.max = spec.max;
    view.includes_output = spec.includes_output;
    view.layer_labels =
        spec.layer_labels ? *spec.layer_labels : default_layer_labels(spec.n_layers, spec.includes_output);
    view.sequence_labels = spec.sequence_labels;
    if (const auto& labels = spec.trajectory_labels) {
        view.cell_labels = strings_of(labels->label_strings);
        view.hover_entries = strings_of(labels->hover_entries);
        if (!labels->hover_entries.empty()) {
            view.hover_rows = labels->hover_rows;
            view.hover_cols = labels->hover_cols;
        }
    }
    return view;
}

void run(std::string_view input) {
    const std::size_t spec_end = input.find('\0');
    const std::string_view spec_text = input.substr(0, spec_end);
    std::vector<std::string> arguments = {"render", "-"};
    if (spec_end != std::string_view::npos) {
        std::string_view rest = input.substr(spec_end + 1);
        while (true) {
            const std::size_t end = rest.find('\0');
            arguments.emplace_back(rest.substr(0, end));
            if (end == std::string_view::npos) break;
            rest = rest.substr(end + 1);
        }
    }

    std::optional<trajplot_cli::StatisticSpec> spec;
    try {
        spec = trajplot_cli::parse_spec(spec_text, "the fuzz input");
    } catch (const CliError& error) {
        check_cli_error(error, "parse_spec");
        check(error.exit_status() == trajplot_cli::exit_bad_input, "parse_spec reported a usage error",
              [&] { return error.what(); });
    } catch (const std::exception& error) {
        fail_check("parse_spec threw something other than CliError", error.what());
    }
    if (spec) {
        trace("parse_spec", "ok");
        check_spec(*spec);
    }

    std::vector<const char*> argv;
    for (const std::string& argument : arguments) argv.push_back(argument.c_str());
    trajplot_cli::Invocation invocation;
    try {
        invocation = trajplot_cli::parse_command_line(argv);
    } catch (const CliError& error) {
        check_cli_error(error, "parse_command_line");
        return;
    } catch (const std::exception& error) {
        fail_check("parse_command_line threw something other than CliError", error.what());
    }
    if (!spec || invocation.command != trajplot_cli::Command::render) return;

    // Where the output goes and what is inlined are not the fuzzer's to pick.
    static const std::filesystem::path directory = [] {
        const std::filesystem::path made = scratch_directory() / "render";
        std::filesystem::create_directories(made);
        return made;
    }();
    const std::filesystem::path out = directory / "figure.out";
    std::filesystem::remove(out);
    trajplot_cli::RenderOptions options = invocation.options;
    options.out = out.string();
    if (options.plotlyjs && options.plotlyjs->source == TRAJPLOT_PLOTLYJS_INLINE) {
        const PlotlyJsFixtures& fixtures = plotlyjs_fixtures();
        options.plotlyjs->location = options.plotlyjs->location.size() % 2 ? fixtures.closes_script : fixtures.usable;
    }

    // The statistic as drawn, and whether the options let it be drawn.
    StatisticView view = view_of_spec(*spec);
    if (options.stride) view = strided(view, *options.stride);
    if (options.clip) view = clipped(view, options.clip->min, options.clip->max);
    FigureRequest figure;
    figure.title = options.title;
    figure.colorscale = options.colorscale;
    figure.extra_json = options.extra_json;
    figure.token_width = options.token_width.value_or(80);
    figure.height = options.height.value_or(0);
    figure.log_scale = options.log_scale;
    figure.hover_value = options.hover_value;
    const bool is_html = options.format == trajplot_cli::OutputFormat::html;
    ExportRequest exported;
    exported.format = is_html              ? TRAJPLOT_FORMAT_HTML
                      : options.trace_only ? TRAJPLOT_FORMAT_TRACE_JSON
                                           : TRAJPLOT_FORMAT_FIGURE_JSON;
    // The CLI's default: the local plotly.js, the fixture TRAJPLOT_PLOTLYJS
    // names.
    exported.plotlyjs = TRAJPLOT_PLOTLYJS_LOCAL;
    static_cast<void>(plotlyjs_fixtures());
    if (options.plotlyjs) {
        exported.plotlyjs = options.plotlyjs->source;
        exported.location = options.plotlyjs->location;
        if (exported.location == plotlyjs_fixtures().usable)
            exported.inline_contents = plotlyjs_fixtures().usable_contents;
    }
    exported.div_id = options.div_id;
    exported.full_html = !options.html_fragment;
    exported.responsive = options.responsive;
    Statuses failures = expected_create_failures(view, figure);
    for (const trajplot_status status : expected_export_failures(exported, false)) failures.push_back(status);

    const bool rendered = render_checked(*spec, options, failures);
    const std::vector<std::string> entries = directory_entries(directory);
    const std::vector<std::string> expected_entries =
        rendered ? std::vector<std::string>{"figure.out"} : std::vector<std::string>{};
    check(entries == expected_entries,
          rendered ? "render left other files beside its output" : "a failed render left a file behind");

    // Standard output gets what --out gets, streamed; nothing when the
    // render fails.
    options.out.reset();
    std::string streamed;
    bool rendered_to_stdout = false;
    {
        StandardOutputInto capture(directory.parent_path() / "stdout.out");
        rendered_to_stdout = render_checked(*spec, options, failures);
        streamed = capture.finish();
    }
    check(rendered_to_stdout == rendered, "render to standard output and to --out did not both succeed or fail");
    if (!rendered) {
        check(streamed.empty(), "a failed render wrote to standard output", [&] { return printable(streamed); });
        return;
    }
    const std::string written = read_file(out);
    check(streamed == written, "render wrote other bytes to standard output than to --out",
          [&] { return printable(streamed, 1000) + "\nvs " + printable(written, 1000); });

    if (is_html) {
        check_figure(check_html_page(written, expected_page(page_title(view, figure), exported)), view,
                     figure.drawing(exported.responsive));
    } else if (options.trace_only) {
        check_heatmap_trace(parse_output_json(written, "the trace"), view, figure.drawing());
    } else {
        check_figure(parse_output_json(written, "the figure"), view, figure.drawing());
    }
}

}  // namespace
}  // namespace trajplot_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    trajplot_fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
