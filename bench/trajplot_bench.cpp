// trajplot_bench: times the C API (what C, Python, Rust and Julia callers
// get) on the cases of bench_data.hpp and measures the memory each operation
// takes. See bench/README.md.
//
// Every (case, operation) runs in a child process of its own, so that one
// measurement's allocations cannot hide in, or inflate, another's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <trajplot.h>

#include "bench_data.hpp"
#include "bench_support.hpp"

namespace fs = std::filesystem;
using trajplot_bench::bytes_per_mb;
using trajplot_bench::CaseData;
using trajplot_bench::CaseSpec;
using trajplot_bench::fixed;
using trajplot_bench::kb_to_mb;
using trajplot_bench::milliseconds_since;
using trajplot_bench::resident_size;
using trajplot_bench::TargetReport;
using trajplot_bench::TempDir;
using trajplot_bench::UsageError;

namespace {

#ifdef TRAJPLOT_BENCH_CLI
constexpr const char* built_cli = TRAJPLOT_BENCH_CLI;
#else
constexpr const char* built_cli = "";
#endif
#ifdef TRAJPLOT_BENCH_CLI_PROBE
constexpr const char* built_cli_probe = TRAJPLOT_BENCH_CLI_PROBE;
#else
constexpr const char* built_cli_probe = "";
#endif

constexpr const char* figure_title = "Entropy by layer";
constexpr std::size_t stride_step = 2;
constexpr float clip_min = 1.0f;
constexpr float clip_max = 6.0f;

enum class Op { figure_json, figure_file, stride, clip, create, cli_file };

struct OpInfo {
    Op op;
    std::string_view name;
    bool exports;  // writes a figure: bytes and MB/s are reported
};

constexpr OpInfo op_table[] = {
    {Op::figure_json, "figure_json", true}, {Op::figure_file, "figure_file", true},
    {Op::stride, "stride", false},          {Op::clip, "clip", false},
    {Op::create, "create", false},          {Op::cli_file, "cli_file", true},
};

const OpInfo& info(Op op) {
    for (const OpInfo& entry : op_table) {
        if (entry.op == op) return entry;
    }
    throw std::logic_error("unknown operation");
}

// ---------------------------------------------------------------------------
// The C API

struct LabelsFree {
    void operator()(trajplot_labels* labels) const { trajplot_labels_free(labels); }
};
struct StatisticFree {
    void operator()(trajplot_statistic* statistic) const { trajplot_statistic_free(statistic); }
};
struct FigureFree {
    void operator()(trajplot_figure* figure) const { trajplot_figure_free(figure); }
};
struct StringFree {
    void operator()(char* text) const { trajplot_string_free(text); }
};
using LabelsHandle = std::unique_ptr<trajplot_labels, LabelsFree>;
using StatisticHandle = std::unique_ptr<trajplot_statistic, StatisticFree>;
using FigureHandle = std::unique_ptr<trajplot_figure, FigureFree>;
using LibraryString = std::unique_ptr<char, StringFree>;

void check(trajplot_status status, std::string_view call) {
    if (status != TRAJPLOT_OK) throw std::runtime_error(std::string(call) + " failed: " + trajplot_error_last());
}

StatisticHandle create_statistic(const CaseData& data) {
    const CaseSpec& spec = *data.spec;
    const trajplot_bench::StringTable* hover = data.hover_entries ? &*data.hover_entries : nullptr;
    trajplot_labels* labels = nullptr;
    check(trajplot_labels_create(&labels, spec.n_layers, spec.seq_len, data.cell_labels.pointers(),
                                 data.cell_labels.lengths(), hover ? hover->pointers() : nullptr,
                                 hover ? hover->lengths() : nullptr, spec.hover_rows, spec.hover_cols),
          "trajplot_labels_create");
    // The statistic keeps its own reference to the labels.
    const LabelsHandle owned_labels(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = data.units.c_str();
    options.sequence_labels = data.sequence_labels.pointers();
    options.sequence_label_lengths = data.sequence_labels.lengths();
    options.sequence_label_count = spec.seq_len;
    options.trajectory_labels = labels;
    trajplot_statistic* statistic = nullptr;
    check(trajplot_statistic_create(&statistic, data.name.c_str(), data.stats.data(), spec.n_layers, spec.seq_len,
                                    &options),
          "trajplot_statistic_create");
    return StatisticHandle(statistic);
}

trajplot_figure_options figure_options() {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = figure_title;
    return options;
}

// What an operation produced, kept alive until its memory has been read.
struct OpResult {
    LibraryString json;
    std::size_t json_size = 0;
    StatisticHandle statistic;
};

struct InProcessContext {
    const CaseData& data;
    const trajplot_statistic* statistic;  // null for create
    trajplot_figure_options figure;
    std::string figure_path;
};

// The figure of the statistic, planned: part of every export operation, as
// a caller makes one to export it.
FigureHandle create_figure(const InProcessContext& context) {
    trajplot_figure* figure = nullptr;
    check(trajplot_figure_create(&figure, context.statistic, nullptr, &context.figure), "trajplot_figure_create");
    return FigureHandle(figure);
}

OpResult run_in_process(Op op, const InProcessContext& context) {
    OpResult result;
    switch (op) {
        case Op::figure_json: {
            const FigureHandle figure = create_figure(context);
            char* json = nullptr;
            check(trajplot_figure_export(&json, &result.json_size, figure.get(), nullptr), "trajplot_figure_export");
            result.json.reset(json);
            break;
        }
        case Op::figure_file: {
            const FigureHandle figure = create_figure(context);
            check(trajplot_figure_save(figure.get(), nullptr, context.figure_path.c_str()), "trajplot_figure_save");
            break;
        }
        case Op::stride: {
            trajplot_statistic* strided = nullptr;
            check(trajplot_statistic_stride(&strided, context.statistic, stride_step), "trajplot_statistic_stride");
            result.statistic.reset(strided);
            break;
        }
        case Op::clip: {
            trajplot_statistic* clipped = nullptr;
            check(trajplot_statistic_clip(&clipped, context.statistic, clip_min, clip_max), "trajplot_statistic_clip");
            result.statistic.reset(clipped);
            break;
        }
        case Op::create: result.statistic = create_statistic(context.data); break;
        case Op::cli_file: throw std::logic_error("cli_file runs in its own process");
    }
    return result;
}

// ---------------------------------------------------------------------------
// Measurements

// Sent from the measuring child to the parent through a pipe: plain data.
struct Measurement {
    double ms = 0;            // median of the timed runs
    std::uint64_t bytes = 0;  // output size of an export
    double peak_rss_mb = 0;   // peak resident size of the process during the measured run
    double input_mb = 0;      // the caller's input arrays (cli_file: the spec file)
    double held_mb = 0;       // resident memory the handles take (cli_file: the CLI's size when it starts writing)
    double op_peak_mb = 0;    // peak increase during the operation
    std::uint32_t runs = 0;
    char error[1024] = {};
};

Measurement measure_in_process(const CaseSpec& spec, Op op, std::size_t repeats) {
    Measurement measurement;
    const TempDir dir;
    const CaseData data = trajplot_bench::generate(spec);
    measurement.input_mb = static_cast<double>(data.input_bytes()) / bytes_per_mb;

    trajplot_bench::release_free_memory();
    const long before_handles_kb = resident_size().current_kb;
    StatisticHandle statistic;
    if (op != Op::create) {
        statistic = create_statistic(data);
        trajplot_bench::release_free_memory();
        measurement.held_mb = kb_to_mb(resident_size().current_kb - before_handles_kb);
    }
    const InProcessContext context{data, statistic.get(), figure_options(), (dir.path() / "figure.json").string()};

    // A first, unmeasured run maps the library's code and lets one-time
    // initialisation happen outside the measurement.
    run_in_process(op, context);
    {
        const trajplot_bench::PeakWindow window;
        const OpResult result = run_in_process(op, context);
        const trajplot_bench::PeakMemory memory = window.read();
        measurement.peak_rss_mb = memory.peak_rss_mb;
        measurement.op_peak_mb = memory.rise_mb;
        if (op == Op::create) measurement.held_mb = memory.kept_mb;
        if (op == Op::figure_json) measurement.bytes = result.json_size;
        if (op == Op::figure_file) measurement.bytes = fs::file_size(context.figure_path);
    }

    measurement.ms = trajplot_bench::median_milliseconds(repeats, [&] { return run_in_process(op, context); });
    measurement.runs = static_cast<std::uint32_t>(repeats);
    return measurement;
}

struct CliRun {
    double ms = 0;
    long max_rss_kb = 0;
};

CliRun run_cli(const std::string& cli, const std::vector<std::string>& arguments, const std::string& probe,
               const std::string& probe_report) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(cli.c_str()));
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        if (!probe.empty()) {
            setenv("LD_PRELOAD", probe.c_str(), 1);
            setenv("TRAJPLOT_BENCH_PROBE_OUT", probe_report.c_str(), 1);
        }
        execv(cli.c_str(), argv.data());
        std::fprintf(stderr, "trajplot_bench: cannot run %s: %s\n", cli.c_str(), std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4: " + std::string(std::strerror(errno)));
    CliRun run;
    run.ms = milliseconds_since(start);
    run.max_rss_kb = usage.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(cli + " render failed (exit status " +
                                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    }
    return run;
}

Measurement measure_cli(const CaseSpec& spec, std::size_t repeats, const std::string& cli, const std::string& probe) {
    if (cli.empty() || probe.empty())
        throw std::runtime_error("cli_file needs the trajplot CLI and the probe (--cli PATH --cli-probe PATH)");
    Measurement measurement;
    const TempDir dir;
    const fs::path spec_path = dir.path() / "spec.json";
    const fs::path figure_path = dir.path() / "figure.json";
    const fs::path probe_report = dir.path() / "probe.txt";
    {
        const CaseData data = trajplot_bench::generate(spec);
        std::ofstream out(spec_path, std::ios::binary);
        trajplot_bench::write_spec_json(out, data);
    }
    measurement.input_mb = static_cast<double>(fs::file_size(spec_path)) / bytes_per_mb;
    const std::vector<std::string> arguments = {"render",  spec_path.string(), "--out", figure_path.string(),
                                                "--title", figure_title};

    run_cli(cli, arguments, "", "");  // warms the page cache
    const CliRun measured = run_cli(cli, arguments, probe, probe_report.string());
    long before_kb = -1;
    long peak_kb = -1;
    std::ifstream(probe_report) >> before_kb >> peak_kb;
    if (before_kb < 0 || peak_kb < 0)
        throw std::runtime_error("the probe reported nothing: did the CLI write the figure?");
    measurement.peak_rss_mb = kb_to_mb(measured.max_rss_kb);
    measurement.held_mb = kb_to_mb(before_kb);
    measurement.op_peak_mb = kb_to_mb(peak_kb - before_kb);
    measurement.bytes = fs::file_size(figure_path);

    std::vector<double> times;
    for (std::size_t run = 0; run < repeats; ++run) times.push_back(run_cli(cli, arguments, "", "").ms);
    measurement.ms = trajplot_bench::median(std::move(times));
    measurement.runs = static_cast<std::uint32_t>(repeats);
    return measurement;
}

struct Options {
    std::vector<const CaseSpec*> cases;
    std::vector<Op> ops;
    std::optional<std::size_t> repeat;
    bool check_targets = false;
    // Measure in this process: for profilers (callgrind), which otherwise
    // write one profile per child. Memory figures then include what earlier
    // measurements left behind.
    bool no_fork = false;
    std::optional<fs::path> dump_spec_dir;
    std::string cli = built_cli;
    std::string cli_probe = built_cli_probe;
};

Measurement measure(const CaseSpec& spec, Op op, std::size_t repeats, const Options& options) {
    return op == Op::cli_file ? measure_cli(spec, repeats, options.cli, options.cli_probe)
                              : measure_in_process(spec, op, repeats);
}

Measurement measure_in_child(const CaseSpec& spec, Op op, const Options& options) {
    // A CLI run parses the whole spec: seconds for the large cases, so
    // fewer of them unless asked.
    constexpr std::size_t default_cli_repeats = 5;
    const std::size_t repeats = options.repeat.value_or(
        op == Op::cli_file ? std::min(spec.default_repeats, default_cli_repeats) : spec.default_repeats);
    return trajplot_bench::measure_in_child<Measurement>(!options.no_fork,
                                                         [&] { return measure(spec, op, repeats, options); });
}

// ---------------------------------------------------------------------------
// The performance targets that the library alone decides (bench/README.md;
// the speed-up over plotly.py is compare_plotly.py's)

using Results = std::map<std::pair<std::string, Op>, Measurement>;

// Page granularity and allocator bookkeeping: a few pages of code or
// metadata must not decide a memory target.
constexpr double memory_slack_mb = 2.0;
constexpr double min_mb_per_s = 400.0;
constexpr double max_growth_at_double_length = 2.2;
constexpr double output_factor = 1.5;
// "Far below the output size": a streamed export holds a buffer, not the
// document.
constexpr double streamed_output_fraction = 0.1;

double mb_per_s(const Measurement& m) {
    return m.ms > 0 ? static_cast<double>(m.bytes) / bytes_per_mb / (m.ms / 1e3) : 0;
}
double output_mb(const Measurement& m) { return static_cast<double>(m.bytes) / bytes_per_mb; }

const Measurement* find(const Results& results, const std::string& name, Op op) {
    const auto found = results.find({name, op});
    return found == results.end() || found->second.error[0] != '\0' ? nullptr : &found->second;
}

int check_targets(const Results& results) {
    std::cout << "--- targets\n";
    TargetReport report;

    for (const char* name : {"medium", "long", "large"}) {
        const std::string what = std::string("throughput case=") + name + " op=figure_json";
        if (const Measurement* m = find(results, name, Op::figure_json)) {
            report.pass_or_fail(mb_per_s(*m) >= min_mb_per_s, what + " mb_per_s=" + fixed(mb_per_s(*m), 1) +
                                                                  " (at least " + fixed(min_mb_per_s, 0) + ")");
        } else {
            report.skip(what);
        }
    }

    {
        const std::string what =
            "linear_growth op=figure_json bytes(long) < " + fixed(max_growth_at_double_length) + " x bytes(long_half)";
        const Measurement* full = find(results, "long", Op::figure_json);
        const Measurement* half = find(results, "long_half", Op::figure_json);
        if (full && half) {
            const double ratio = static_cast<double>(full->bytes) / static_cast<double>(half->bytes);
            report.pass_or_fail(ratio < max_growth_at_double_length, what + ": " + std::to_string(full->bytes) + " / " +
                                                                         std::to_string(half->bytes) + " = " +
                                                                         fixed(ratio, 3));
        } else {
            report.skip(what);
        }
    }

    for (const CaseSpec& spec : trajplot_bench::all_cases()) {
        const std::string where = " case=" + spec.name;
        if (const Measurement* m = find(results, spec.name, Op::figure_json)) {
            const double limit = m->input_mb + output_factor * output_mb(*m) + memory_slack_mb;
            report.pass_or_fail(m->op_peak_mb <= limit, "export_memory" + where +
                                                            " op=figure_json op_peak_mb=" + fixed(m->op_peak_mb, 3) +
                                                            " (at most input " + fixed(m->input_mb, 3) +
                                                            " + 1.5 x output " + fixed(output_mb(*m), 3) + " + " +
                                                            fixed(memory_slack_mb) + " = " + fixed(limit, 3) + ")");
        }
        for (const Op op : {Op::figure_file, Op::cli_file}) {
            if (const Measurement* m = find(results, spec.name, op)) {
                const double limit = streamed_output_fraction * output_mb(*m) + memory_slack_mb;
                report.pass_or_fail(m->op_peak_mb <= limit,
                                    "streamed_file" + where + " op=" + std::string(info(op).name) + " op_peak_mb=" +
                                        fixed(m->op_peak_mb) + " (at most 0.1 x output " + fixed(output_mb(*m)) +
                                        " + " + fixed(memory_slack_mb) + " = " + fixed(limit) + ")");
            }
        }
        for (const Op op : {Op::stride, Op::clip}) {
            if (const Measurement* m = find(results, spec.name, op)) {
                const double limit = m->held_mb + memory_slack_mb;
                report.pass_or_fail(m->op_peak_mb <= limit, "one_copy" + where + " op=" + std::string(info(op).name) +
                                                                " op_peak_mb=" + fixed(m->op_peak_mb) +
                                                                " (at most one copy of the data, held_mb " +
                                                                fixed(m->held_mb) + " + " + fixed(memory_slack_mb) +
                                                                " = " + fixed(limit) + ")");
            }
        }
    }
    return report.finish();
}

// ---------------------------------------------------------------------------
// Command line

void print_usage(std::ostream& out) {
    out << "usage: trajplot_bench [--case NAME]... [--op OP]... [--repeat N] [--check-targets]\n"
           "                      [--no-fork] [--cli PATH] [--cli-probe PATH]\n"
           "       trajplot_bench --dump-spec DIR [--case NAME]...\n"
           "       trajplot_bench --list | --help\n"
           "\n"
           "Prints one line per case and operation:\n"
           "  case=NAME op=OP ms=MEDIAN bytes=OUTPUT_BYTES mb_per_s=... peak_rss_mb=...\n"
           "  input_mb=... held_mb=... op_peak_mb=... runs=N\n"
           "--case and --op may be repeated or take comma-separated lists (default: all).\n"
           "--repeat N     timed runs per operation (default: per case, see --list)\n"
           "--check-targets  evaluate the performance targets; exit 1 if one fails\n"
           "--no-fork      measure in this process (for profilers; memory figures less exact)\n"
           "--dump-spec DIR  write each case as a `trajplot render` spec DIR/NAME.json and exit\n"
           "--cli PATH     the trajplot CLI for op cli_file (default: the one built with this program)\n"
           "--cli-probe PATH  the probe library preloaded into the CLI to measure its export\n"
           "operations: figure_json figure_file stride clip create cli_file\n";
}

Options parse_command_line(int argc, char** argv, bool& list_only) {
    Options options;
    std::vector<std::string> case_names;
    std::vector<std::string> op_names;
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(std::string(argument) + " needs a value");
            return argv[++i];
        };
        if (argument == "--case") {
            for (std::string& name : trajplot_bench::split_list(value())) case_names.push_back(std::move(name));
        } else if (argument == "--op") {
            for (std::string& name : trajplot_bench::split_list(value())) op_names.push_back(std::move(name));
        } else if (argument == "--repeat") {
            options.repeat = trajplot_bench::parse_positive(argument, value());
        } else if (argument == "--check-targets") {
            options.check_targets = true;
        } else if (argument == "--no-fork") {
            options.no_fork = true;
        } else if (argument == "--dump-spec") {
            options.dump_spec_dir = value();
        } else if (argument == "--cli") {
            options.cli = value();
        } else if (argument == "--cli-probe") {
            options.cli_probe = value();
        } else if (argument == "--list") {
            list_only = true;
        } else if (argument == "--help" || argument == "-h") {
            print_usage(std::cout);
            std::exit(0);
        } else {
            throw UsageError("unknown argument " + std::string(argument));
        }
    }
    for (const std::string& name : case_names) {
        const CaseSpec* spec = trajplot_bench::find_case(name);
        if (spec == nullptr) throw UsageError("unknown case " + name + " (see --list)");
        options.cases.push_back(spec);
    }
    if (options.cases.empty()) {
        for (const CaseSpec& spec : trajplot_bench::all_cases()) options.cases.push_back(&spec);
    }
    for (const std::string& name : op_names) {
        const auto found = std::find_if(std::begin(op_table), std::end(op_table),
                                        [&](const OpInfo& entry) { return entry.name == name; });
        if (found == std::end(op_table)) throw UsageError("unknown operation " + name);
        options.ops.push_back(found->op);
    }
    if (options.ops.empty()) {
        for (const OpInfo& entry : op_table) {
            // Without a CLI to run, the other operations still say everything
            // about the library.
            if (entry.op == Op::cli_file && (options.cli.empty() || options.cli_probe.empty())) continue;
            options.ops.push_back(entry.op);
        }
    }
    return options;
}

void list_cases() {
    for (const CaseSpec& spec : trajplot_bench::all_cases()) {
        std::cout << spec.name << ": " << spec.description << " (" << spec.default_repeats << " runs)\n";
    }
}

int dump_specs(const Options& options) {
    fs::create_directories(*options.dump_spec_dir);
    for (const CaseSpec* spec : options.cases) {
        const fs::path path = *options.dump_spec_dir / (spec->name + ".json");
        {
            const CaseData data = trajplot_bench::generate(*spec);
            std::ofstream out(path, std::ios::binary);
            if (!out) throw std::runtime_error("cannot write " + path.string());
            trajplot_bench::write_spec_json(out, data);
        }
        std::cout << "wrote " << path.string() << " (" << fixed(static_cast<double>(fs::file_size(path)) / bytes_per_mb)
                  << " MB)\n";
    }
    return 0;
}

void print_line(const CaseSpec& spec, Op op, const Measurement& m) {
    const bool exports = info(op).exports;
    // Small cases take microseconds and kilobytes: enough decimals to see them.
    std::cout << "case=" << spec.name << " op=" << info(op).name << " ms=" << trajplot_bench::milliseconds_text(m.ms)
              << " bytes=" << (exports ? m.bytes : 0) << " mb_per_s=" << fixed(exports ? mb_per_s(m) : 0.0, 1)
              << " peak_rss_mb=" << fixed(m.peak_rss_mb, 3) << " input_mb=" << fixed(m.input_mb, 3)
              << " held_mb=" << fixed(m.held_mb, 3) << " op_peak_mb=" << fixed(m.op_peak_mb, 3) << " runs=" << m.runs
              << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (trajplot_abi_version() != TRAJPLOT_ABI_VERSION) {
            std::cerr << "trajplot_bench: built for ABI " << TRAJPLOT_ABI_VERSION << " but the library has ABI "
                      << trajplot_abi_version() << '\n';
            return 1;
        }
        bool list_only = false;
        const Options options = parse_command_line(argc, argv, list_only);
        if (list_only) {
            list_cases();
            return 0;
        }
        if (options.dump_spec_dir) return dump_specs(options);

        Results results;
        bool any_error = false;
        for (const CaseSpec* spec : options.cases) {
            for (const Op op : options.ops) {
                const Measurement m = measure_in_child(*spec, op, options);
                results[{spec->name, op}] = m;
                if (m.error[0] != '\0') {
                    std::cerr << "trajplot_bench: case=" << spec->name << " op=" << info(op).name << ": " << m.error
                              << '\n';
                    any_error = true;
                    continue;
                }
                print_line(*spec, op, m);
            }
        }
        int status = any_error ? 1 : 0;
        if (options.check_targets && check_targets(results) != 0) status = 1;
        return status;
    } catch (const UsageError& error) {
        std::cerr << "trajplot_bench: " << error.what() << '\n';
        print_usage(std::cerr);
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "trajplot_bench: " << error.what() << '\n';
        return 1;
    }
}
