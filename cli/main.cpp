// trajplot: renders prediction trajectories as Plotly JSON from the command
// line, from a SPEC or computed from a lens's outputs. Everything it does
// with trajectories goes through the public C API of libtrajplot, which it
// thereby shows to be complete.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli_error.hpp"
#include "command_line.hpp"
#include "demo_spec.hpp"
#include "heap.hpp"
#include "library.hpp"
#include "render.hpp"
#include "spec.hpp"
#include "stats.hpp"
#include "trajplot.h"

namespace trajplot_cli {
namespace {

// Every message is one line, whatever a file name, option value or
// library message holds.
std::string on_one_line(std::string_view message) {
    std::string line;
    line.reserve(message.size());
    for (const char c : message) {
        if (c == '\n') {
            line += "\\n";
        } else if (c == '\r') {
            line += "\\r";
        } else {
            line += c;
        }
    }
    return line;
}

void print_error(std::string_view message) { std::fprintf(stderr, "trajplot: %s\n", on_one_line(message).c_str()); }

void print_warning(std::string_view message) {
    std::fprintf(stderr, "trajplot: warning: %s\n", on_one_line(message).c_str());
}

std::string read_stream(std::FILE* stream, std::string_view source) {
    std::string text;
    // A regular file's size is known: one allocation, with room for the
    // spec parser's padding, rather than a copy at every doubling.
    struct stat status {};
    if (::fstat(::fileno(stream), &status) == 0 && S_ISREG(status.st_mode)) {
        text.reserve(static_cast<std::size_t>(status.st_size) + spec_text_padding);
    }
    char buffer[1 << 16];
    std::size_t read = 0;
    while ((read = std::fread(buffer, 1, sizeof buffer, stream)) > 0) {
        text.append(buffer, read);
    }
    if (std::ferror(stream)) {
        fail_input("cannot read " + std::string(source) + ": " + std::strerror(errno));
    }
    return text;
}

std::string read_spec_text(const std::string& path, std::string& source) {
    if (path == "-") {
        source = "standard input";
        return read_stream(stdin, source);
    }
    source = "spec file " + single_quoted(path);
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        fail_input("cannot open " + source + ": " + std::strerror(errno));
    }
    std::string text;
    try {
        text = read_stream(file, source);
    } catch (...) {
        std::fclose(file);
        throw;
    }
    std::fclose(file);
    return text;
}

// Whether an HTML page will hold plotly.js itself, some megabytes of it.
bool inlines_plotlyjs(const RenderOptions& options) {
    const int source = options.plotlyjs ? options.plotlyjs->source : TRAJPLOT_PLOTLYJS_LOCAL;
    if (source == TRAJPLOT_PLOTLYJS_INLINE) return true;
    if (source != TRAJPLOT_PLOTLYJS_LOCAL) return false;
    char* local = nullptr;
    check(trajplot_local_plotlyjs(&local, nullptr));
    const LibraryString owned(local);
    return local != nullptr;
}

// What nobody reads on a terminal is not written there: binary images, a
// page with plotly.js inlined, and the demo, which a person trying the tool
// runs without --out. Refused before any input is read, as the command line
// is.
void refuse_unreadable_terminal_output(const Invocation& invocation) {
    const RenderOptions& options = invocation.options;
    const bool writes_files_only = invocation.command == Command::stats && invocation.stats.output_dir;
    if (!options.writes_to_stdout() || writes_files_only || ::isatty(STDOUT_FILENO) != 1) return;
    if (is_binary(options.format)) {
        fail_usage(std::string(options.format == OutputFormat::png ? "PNG" : "PDF") +
                   " output is binary and standard output is a terminal; use --out FILE (or redirect it)");
    }
    if (invocation.command == Command::demo) {
        fail_usage(
            "the demo figure is about 150 KB of JSON, too much for a terminal; write it to a file and open that in "
            "a browser: trajplot demo --format html -o demo.html (or redirect standard output)");
    }
    if (options.format == OutputFormat::html && inlines_plotlyjs(options)) {
        fail_usage(
            "an HTML page with plotly.js inlined is megabytes long, too much for a terminal; use --out FILE.html "
            "(or redirect standard output, or --plotlyjs cdn for a page that loads plotly.js)");
    }
}

void check_library_abi() {
    const int loaded = trajplot_abi_version();
    if (loaded != TRAJPLOT_ABI_VERSION) {
        fail_input("libtrajplot has ABI version " + std::to_string(loaded) + ", this program needs " +
                   std::to_string(TRAJPLOT_ABI_VERSION));
    }
}

void print_version() {
    int major = 0;
    int minor = 0;
    int patch = 0;
    trajplot_version(&major, &minor, &patch);
    std::printf("trajplot %d.%d.%d (ABI %d)\n", major, minor, patch, trajplot_abi_version());
}

int run(std::span<const char* const> arguments) {
    // Parsing asks the library about option values, so its ABI is checked
    // first; `trajplot --help` and `--version` work whatever library is
    // loaded.
    if (command_named(arguments) != Command::help) check_library_abi();
    const Invocation invocation = parse_command_line(arguments);
    switch (invocation.command) {
        case Command::help: {
            const std::string help = help_text(invocation.help_topic);
            std::fwrite(help.data(), 1, help.size(), stdout);
            return exit_success;
        }
        case Command::version: print_version(); return exit_success;
        case Command::render:
        case Command::demo:
        case Command::stats: break;
    }

    const RenderOptions& options = invocation.options;
    for (const std::string& warning : invocation.warnings) print_warning(warning);
    refuse_unreadable_terminal_output(invocation);

    if (invocation.command == Command::stats) {
        run_stats(invocation.stats, options);
        return exit_success;
    }

    if (invocation.command == Command::demo) {
        std::vector<SourcedSpec> specs;
        for (const DemoSpec& demo : demo_specs()) {
            std::string source = "the built-in demo spec " + std::string(demo.file);
            StatisticSpec spec = parse_spec(demo.json, source);
            specs.push_back({std::move(source), std::move(spec)});
        }
        render_stacked(specs, options);
        return exit_success;
    }

    // Every SPEC is read and checked before anything is written.
    std::vector<SourcedSpec> specs;
    for (const std::string& path : invocation.spec_paths) {
        std::string source;
        std::string text = read_spec_text(path, source);
        StatisticSpec spec = parse_spec(std::move(text), source);
        specs.push_back({std::move(source), std::move(spec)});
    }
    if (options.stack) {
        render_stacked(specs, options);
    } else {
        render(specs.front().spec, options);
    }
    return exit_success;
}

}  // namespace
}  // namespace trajplot_cli

int main(int argc, char** argv) {
    using namespace trajplot_cli;
    prepare_heap();
    const std::span<const char* const> arguments(argv + (argc > 0 ? 1 : 0),
                                                 argc > 0 ? static_cast<std::size_t>(argc - 1) : 0);
    try {
        return run(arguments);
    } catch (const CliError& error) {
        print_error(error.what());
        if (error.show_usage()) {
            std::fprintf(stderr, "%s\n", usage_line(command_named(arguments)).c_str());
        }
        return error.exit_status();
    } catch (const std::bad_alloc&) {
        print_error("out of memory");
    } catch (const std::exception& error) {
        print_error(error.what());
    }
    return exit_bad_input;
}
