// trajplot_lens_bench: times the statistics engine (tuned-lens's
// PredictionTrajectory statistics from per-layer logits) through the C API,
// as C, Python, Rust and Julia callers use it, and measures the memory it
// needs beyond its input. See bench/README.md.
//
// Every (case, operation) runs in a child process of its own
// (bench_support.hpp).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <trajplot.h>

#include "bench_data.hpp"
#include "bench_support.hpp"

namespace fs = std::filesystem;
using trajplot_bench::bytes_per_mb;
using trajplot_bench::fixed;
using trajplot_bench::UsageError;

namespace {

// ---------------------------------------------------------------------------
// Cases

struct LensCase {
    std::string name;
    std::size_t batch;
    std::size_t layers;  // lens layers plus the model's output
    std::size_t seq_len;
    std::size_t vocab;
    std::size_t default_repeats;
    std::string_view description;

    std::size_t slab_floats() const { return seq_len * vocab; }
    std::size_t tensor_floats() const { return batch * layers * slab_floats(); }
    std::size_t tensor_bytes() const { return tensor_floats() * sizeof(float); }
};

// GPT-2's vocabulary padded to a multiple of 64 (as Pythia's models have
// it), and twice that: the same shape with another vocabulary size shows
// what grows with it.
constexpr std::size_t gpt2_vocab = 50304;

const std::vector<LensCase>& all_cases() {
    static const std::vector<LensCase> cases = {
        {"lens_tiny", 1, 3, 8, 1000, 5, "3 x 8 x 1000: fixed costs; what the tests run"},
        {"lens13", 1, 13, 128, gpt2_vocab, 7, "13 x 128 x 50304 (335 MB): the issue's first case"},
        {"lens13_wide", 1, 13, 128, 2 * gpt2_vocab, 5, "13 x 128 x 100608 (671 MB): lens13 with twice the vocabulary"},
        {"lens33", 1, 33, 512, gpt2_vocab, 3, "33 x 512 x 50304 (3.4 GB): the issue's second case"},
    };
    return cases;
}

const LensCase* find_case(std::string_view name) {
    for (const LensCase& lens_case : all_cases()) {
        if (lens_case.name == name) return &lens_case;
    }
    return nullptr;
}

// ---------------------------------------------------------------------------
// Data
//
// Logits are drawn per (trajectory seed, flat index), so a slab refilled on
// its own holds exactly what the resident tensor holds there. They spread
// more with depth, and the target token is lifted more and more, so entropy
// falls and the target's rank rises towards the output as in a real lens.

constexpr std::uint64_t self_seed = 0x5e1f;
constexpr std::uint64_t other_seed = 0x07e4;
enum IdStream : std::uint64_t { input_stream = 1, target_stream, anti_target_stream, token_stream };

double depth_of(const LensCase& lens_case, std::size_t layer) {
    return lens_case.layers > 1 ? static_cast<double>(layer) / static_cast<double>(lens_case.layers - 1) : 1.0;
}

std::int64_t draw_id(IdStream stream, std::size_t index, std::size_t vocab) {
    const std::uint64_t h = trajplot_bench::splitmix(trajplot_bench::splitmix(stream) + index);
    return static_cast<std::int64_t>(h % vocab);
}

// Runs body(begin, end) over [0, n) split among up to `threads` threads;
// small jobs stay on the caller's thread, where starting one would cost more
// than it saves (as the library does).
template <class Body>
void split_among_threads(std::size_t threads, std::size_t n, std::size_t work_per_item, Body&& body) {
    constexpr std::size_t min_work_per_thread = std::size_t{1} << 16;
    const std::size_t parts = std::max<std::size_t>(1, std::min({threads, n, n * work_per_item / min_work_per_thread}));
    std::vector<std::thread> workers;
    for (std::size_t part = 1; part < parts; ++part)
        workers.emplace_back(body, n * part / parts, n * (part + 1) / parts);
    body(0, n / parts);
    for (std::thread& worker : workers) worker.join();
}

struct LensInputs {
    std::vector<std::int64_t> input_ids;  // batch x seq_len
    std::vector<std::int64_t> targets;
    std::vector<std::int64_t> anti_targets;
    trajplot_bench::StringTable tokens;  // the vocabulary, by id

    std::size_t id_bytes() const {
        return (input_ids.size() + targets.size() + anti_targets.size()) * sizeof(std::int64_t);
    }
};

// A GPT-2-like token: most start with "Ġ" (a space), some hold "Ċ" (a
// newline) or multi-byte UTF-8, and about half are longer than the 7 code
// points labels show, so that shortening is exercised.
std::string synthetic_token(std::size_t id) {
    const std::uint64_t h = trajplot_bench::splitmix(trajplot_bench::splitmix(token_stream) + id);
    std::string token = h % 10 < 6 ? "\u0120" : "";
    if (id % 97 == 0) token += "\u010A";
    std::string word;
    for (std::size_t rest = id;; rest /= 26) {
        word += static_cast<char>('a' + rest % 26);
        if (rest < 26) break;
    }
    const std::size_t length = 2 + (h >> 8) % 10;
    while (word.size() < length) word += "xyz"[(h >> 16) % 3];
    token += word;
    if (id % 13 == 0) token += "\u00e9";
    if (id % 31 == 0) token += "\u65e5\u672c";
    return token;
}

LensInputs make_inputs(const LensCase& lens_case) {
    LensInputs inputs;
    const std::size_t ids = lens_case.batch * lens_case.seq_len;
    for (std::size_t i = 0; i < ids; ++i) {
        inputs.input_ids.push_back(draw_id(input_stream, i, lens_case.vocab));
        inputs.targets.push_back(draw_id(target_stream, i, lens_case.vocab));
        inputs.anti_targets.push_back(draw_id(anti_target_stream, i, lens_case.vocab));
    }
    inputs.tokens.reserve(lens_case.vocab, lens_case.vocab * 12);
    for (std::size_t id = 0; id < lens_case.vocab; ++id) inputs.tokens.add(synthetic_token(id));
    inputs.tokens.finish();
    return inputs;
}

// Fills the slab (batch_index, layer) of the trajectory drawn from `seed`.
void fill_slab(const LensCase& lens_case, const LensInputs& inputs, std::uint64_t seed, std::size_t batch_index,
               std::size_t layer, float* slab, std::size_t threads) {
    const double depth = depth_of(lens_case, layer);
    const double spread = 2.0 + 4.0 * depth;  // values in [-spread, spread)
    const float lift = static_cast<float>(14.0 * depth * depth);
    const std::uint64_t stream = trajplot_bench::splitmix(seed);
    const std::size_t first = (batch_index * lens_case.layers + layer) * lens_case.slab_floats();
    split_among_threads(threads, lens_case.seq_len, lens_case.vocab, [&](std::size_t begin, std::size_t end) {
        for (std::size_t position = begin; position < end; ++position) {
            float* row = slab + position * lens_case.vocab;
            const std::size_t row_first = first + position * lens_case.vocab;
            for (std::size_t v = 0; v < lens_case.vocab; ++v) {
                const std::uint64_t h = trajplot_bench::splitmix(stream + row_first + v);
                // The sum of two uniform draws: a triangular distribution,
                // denser in the middle as logits are.
                const double unit = static_cast<double>((h & 0xffffffffu) + (h >> 32)) * 0x1p-32 - 1.0;
                row[v] = static_cast<float>(spread * unit);
            }
            row[inputs.targets[batch_index * lens_case.seq_len + position]] += lift;
        }
    });
}

// Float storage that is not zeroed first: filling it is what makes it
// resident, once.
using FloatBuffer = std::unique_ptr<float[]>;
FloatBuffer new_floats(std::size_t count) { return FloatBuffer(new float[count]); }

FloatBuffer make_tensor(const LensCase& lens_case, const LensInputs& inputs, std::uint64_t seed, std::size_t threads) {
    FloatBuffer tensor = new_floats(lens_case.tensor_floats());
    for (std::size_t item = 0; item < lens_case.batch; ++item) {
        for (std::size_t layer = 0; layer < lens_case.layers; ++layer) {
            fill_slab(lens_case, inputs, seed, item, layer,
                      tensor.get() + (item * lens_case.layers + layer) * lens_case.slab_floats(), threads);
        }
    }
    return tensor;
}

// ---------------------------------------------------------------------------
// The C API

struct VocabularyFree {
    void operator()(trajplot_vocabulary* vocabulary) const { trajplot_vocabulary_free(vocabulary); }
};
struct TrajectoryFree {
    void operator()(trajplot_trajectory* trajectory) const { trajplot_trajectory_free(trajectory); }
};
struct ComparisonFree {
    void operator()(trajplot_comparison* comparison) const { trajplot_comparison_free(comparison); }
};
struct StatisticFree {
    void operator()(trajplot_statistic* statistic) const { trajplot_statistic_free(statistic); }
};
struct LabelsFree {
    void operator()(trajplot_labels* labels) const { trajplot_labels_free(labels); }
};
using VocabularyHandle = std::unique_ptr<trajplot_vocabulary, VocabularyFree>;
using TrajectoryHandle = std::unique_ptr<trajplot_trajectory, TrajectoryFree>;
using ComparisonHandle = std::unique_ptr<trajplot_comparison, ComparisonFree>;
using StatisticHandle = std::unique_ptr<trajplot_statistic, StatisticFree>;
using LabelsHandle = std::unique_ptr<trajplot_labels, LabelsFree>;

void check(trajplot_status status, std::string_view call) {
    if (status != TRAJPLOT_OK) throw std::runtime_error(std::string(call) + " failed: " + trajplot_error_last());
}

VocabularyHandle create_vocabulary(const LensInputs& inputs) {
    trajplot_vocabulary* vocabulary = nullptr;
    check(trajplot_vocabulary_create(&vocabulary, inputs.tokens.pointers(), inputs.tokens.lengths(),
                                     inputs.tokens.size()),
          "trajplot_vocabulary_create");
    return VocabularyHandle(vocabulary);
}

// Every statistic of one trajectory, as tuned-lens's PredictionTrajectory
// offers them.
constexpr trajplot_measure trajectory_measures[] = {
    TRAJPLOT_MEASURE_ENTROPY,
    TRAJPLOT_MEASURE_CROSS_ENTROPY,
    TRAJPLOT_MEASURE_FORWARD_KL,
    TRAJPLOT_MEASURE_MAX_PROBABILITY,
    TRAJPLOT_MEASURE_RANK,
    TRAJPLOT_MEASURE_LOG_PROB_DIFF,
    TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA,
};
constexpr trajplot_measure comparison_measures[] = {
    TRAJPLOT_MEASURE_KL_DIVERGENCE,   TRAJPLOT_MEASURE_JS_DIVERGENCE,           TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL,
    TRAJPLOT_MEASURE_TOTAL_VARIATION, TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE,
};

// ---------------------------------------------------------------------------
// Operations

enum class Op { read_once, entropy, all, all_stream, all_stream_no_kl, comparison };

struct OpInfo {
    Op op;
    std::string_view name;
    std::string_view what;
};

constexpr OpInfo op_table[] = {
    {Op::read_once, "read_once", "one pass summing the floats: the memory-bandwidth baseline"},
    {Op::entropy, "entropy", "entropy and its labels, from a resident tensor, forward KL off"},
    {Op::all, "all", "every one-trajectory statistic and the labels, from a resident tensor"},
    {Op::all_stream, "all_stream", "the same, slab by slab (output layer first) from one refilled buffer"},
    {Op::all_stream_no_kl, "all_stream_no_kl", "all_stream without forward KL (trajectory created with it off)"},
    {Op::comparison, "comparison", "every comparison statistic and the labels of two resident tensors"},
};

const OpInfo& info(Op op) {
    for (const OpInfo& entry : op_table) {
        if (entry.op == op) return entry;
    }
    throw std::logic_error("unknown operation");
}

struct Context {
    const LensCase& lens_case;
    const LensInputs& inputs;
    const trajplot_vocabulary* vocabulary;
    std::size_t engine_threads;  // trajplot_trajectory_options.threads: 0 is one per core
    std::size_t threads;         // what that is: for read_once and for filling slabs
    const float* self_tensor = nullptr;
    const float* other_tensor = nullptr;
    float* slab = nullptr;  // all_stream's buffer
};

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Wall and CPU time (all threads of the process) of what it measures.
class Stopwatch {
public:
    void start() {
        wall_start_ = std::chrono::steady_clock::now();
        cpu_start_ = cpu_seconds();
    }
    void stop() {
        wall_ms_ += trajplot_bench::milliseconds_since(wall_start_);
        cpu_ms_ += (cpu_seconds() - cpu_start_) * 1e3;
    }
    double wall_ms() const { return wall_ms_; }
    double cpu_ms() const { return cpu_ms_; }

private:
    std::chrono::steady_clock::time_point wall_start_;
    double cpu_start_ = 0;
    double wall_ms_ = 0;
    double cpu_ms_ = 0;
};

// What a run produced, kept alive until its memory has been read.
struct OpOutput {
    TrajectoryHandle trajectory;
    ComparisonHandle comparison;
    std::vector<StatisticHandle> statistics;
    double sum = 0;  // read_once's, so that the pass cannot be left out
    // all_stream: the time in the library, without refilling the buffer.
    std::optional<Stopwatch> engine_time;
};

trajplot_trajectory_options trajectory_options(const Context& context, bool forward_kl) {
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.vocabulary = context.vocabulary;
    options.threads = context.engine_threads;
    options.forward_kl = forward_kl;
    return options;
}

TrajectoryHandle create_trajectory(const Context& context, bool with_targets, bool forward_kl) {
    const LensCase& c = context.lens_case;
    const trajplot_trajectory_options options = trajectory_options(context, forward_kl);
    trajplot_trajectory* trajectory = nullptr;
    check(
        trajplot_trajectory_create(&trajectory, c.batch, c.layers, c.seq_len, c.vocab, context.inputs.input_ids.data(),
                                   with_targets ? context.inputs.targets.data() : nullptr,
                                   with_targets ? context.inputs.anti_targets.data() : nullptr, &options),
        "trajplot_trajectory_create");
    return TrajectoryHandle(trajectory);
}

void take_statistics(OpOutput& output, bool forward_kl = true) {
    for (const trajplot_measure measure : trajectory_measures) {
        if (measure == TRAJPLOT_MEASURE_FORWARD_KL && !forward_kl) continue;
        trajplot_statistic* statistic = nullptr;
        check(trajplot_trajectory_statistic(&statistic, output.trajectory.get(), measure, 0),
              std::string("trajplot_trajectory_statistic(") + trajplot_measure_name(measure) + ")");
        output.statistics.emplace_back(statistic);
    }
}

double sum_floats(const float* data, std::size_t n, std::size_t threads) {
    // Independent accumulators let the compiler use vector adds without
    // reordering any one sum.
    constexpr std::size_t lanes = 16;
    const std::size_t blocks = n / lanes;
    std::mutex total_mutex;
    double total = 0;
    split_among_threads(threads, blocks, lanes, [&](std::size_t begin, std::size_t end) {
        float accumulators[lanes] = {};
        for (std::size_t block = begin; block < end; ++block) {
            const float* values = data + block * lanes;
            for (std::size_t lane = 0; lane < lanes; ++lane) accumulators[lane] += values[lane];
        }
        double part = 0;
        for (const float accumulator : accumulators) part += accumulator;
        const std::lock_guard lock(total_mutex);
        total += part;
    });
    for (std::size_t i = blocks * lanes; i < n; ++i) total += data[i];
    return total;
}

OpOutput run_op(Op op, const Context& context) {
    const LensCase& c = context.lens_case;
    OpOutput output;
    switch (op) {
        case Op::read_once: output.sum = sum_floats(context.self_tensor, c.tensor_floats(), context.threads); break;
        case Op::entropy: {
            output.trajectory = create_trajectory(context, false, false);
            check(trajplot_trajectory_add_all(output.trajectory.get(), context.self_tensor, c.tensor_floats()),
                  "trajplot_trajectory_add_all");
            trajplot_statistic* statistic = nullptr;
            check(trajplot_trajectory_statistic(&statistic, output.trajectory.get(), TRAJPLOT_MEASURE_ENTROPY, 0),
                  "trajplot_trajectory_statistic(entropy)");
            output.statistics.emplace_back(statistic);
            break;
        }
        case Op::all:
            output.trajectory = create_trajectory(context, true, true);
            check(trajplot_trajectory_add_all(output.trajectory.get(), context.self_tensor, c.tensor_floats()),
                  "trajplot_trajectory_add_all");
            take_statistics(output);
            break;
        case Op::all_stream:
        case Op::all_stream_no_kl: {
            const bool forward_kl = op == Op::all_stream;
            Stopwatch& time = output.engine_time.emplace();
            time.start();
            output.trajectory = create_trajectory(context, true, forward_kl);
            time.stop();
            for (std::size_t item = 0; item < c.batch; ++item) {
                // Forward KL needs each batch item's output layer first.
                for (std::size_t step = 0; step < c.layers; ++step) {
                    const std::size_t layer = !forward_kl ? step : step == 0 ? c.layers - 1 : step - 1;
                    fill_slab(c, context.inputs, self_seed, item, layer, context.slab, context.threads);
                    time.start();
                    check(trajplot_trajectory_add(output.trajectory.get(), item, layer, context.slab, c.slab_floats()),
                          "trajplot_trajectory_add");
                    time.stop();
                }
            }
            time.start();
            take_statistics(output, forward_kl);
            time.stop();
            break;
        }
        case Op::comparison: {
            const trajplot_trajectory_options options = trajectory_options(context, false);
            trajplot_comparison* comparison = nullptr;
            check(trajplot_comparison_create(&comparison, c.batch, c.layers, c.seq_len, c.vocab,
                                             context.inputs.input_ids.data(), &options),
                  "trajplot_comparison_create");
            output.comparison.reset(comparison);
            check(trajplot_comparison_add_all(comparison, context.self_tensor, context.other_tensor, c.tensor_floats()),
                  "trajplot_comparison_add_all");
            for (const trajplot_measure measure : comparison_measures) {
                trajplot_statistic* statistic = nullptr;
                check(trajplot_comparison_statistic(&statistic, comparison, measure, 0),
                      std::string("trajplot_comparison_statistic(") + trajplot_measure_name(measure) + ")");
                output.statistics.emplace_back(statistic);
            }
            break;
        }
    }
    return output;
}

// ---------------------------------------------------------------------------
// Measurements

// Sent from the measuring child to the parent through a pipe: plain data.
struct Measurement {
    double ms = 0;            // median of the timed runs
    std::uint64_t bytes = 0;  // the float32 input read (both tensors for comparison)
    double peak_rss_mb = 0;   // the process's peak resident size during the measured run
    double input_mb = 0;      // resident input: tensors (all_stream: its one slab buffer) and ids
    double extra_mb = 0;      // how far the peak rose above the resident size with the input in
    double cpu_ms = 0;        // median CPU time of the process's threads in the timed runs
    std::uint32_t runs = 0;
    std::uint32_t threads = 0;
    char error[1024] = {};
};

struct Options {
    std::vector<const LensCase*> cases;
    std::vector<Op> ops;
    std::optional<std::size_t> repeat;
    std::size_t engine_threads = 0;
    bool check_targets = false;
    bool no_fork = false;  // for profilers, which otherwise write one profile per child
    std::optional<fs::path> dump_dir;
};

std::size_t resolve_threads(std::size_t engine_threads) {
    if (engine_threads != 0) return engine_threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

Measurement measure(const LensCase& lens_case, Op op, std::size_t repeats, const Options& options) {
    Measurement measurement;
    measurement.threads = static_cast<std::uint32_t>(resolve_threads(options.engine_threads));
    const LensInputs inputs = make_inputs(lens_case);
    const VocabularyHandle vocabulary = create_vocabulary(inputs);
    Context context{lens_case, inputs, vocabulary.get(), options.engine_threads, measurement.threads};

    FloatBuffer self_tensor;
    FloatBuffer other_tensor;
    FloatBuffer slab;
    std::size_t resident_floats = 0;
    if (op == Op::all_stream || op == Op::all_stream_no_kl) {
        slab = new_floats(lens_case.slab_floats());
        context.slab = slab.get();
        resident_floats = lens_case.slab_floats();
        measurement.bytes = lens_case.tensor_bytes();
    } else {
        self_tensor = make_tensor(lens_case, inputs, self_seed, context.threads);
        context.self_tensor = self_tensor.get();
        resident_floats = lens_case.tensor_floats();
        measurement.bytes = lens_case.tensor_bytes();
        if (op == Op::comparison) {
            other_tensor = make_tensor(lens_case, inputs, other_seed, context.threads);
            context.other_tensor = other_tensor.get();
            resident_floats *= 2;
            measurement.bytes *= 2;
        }
    }
    measurement.input_mb = static_cast<double>(resident_floats * sizeof(float) + inputs.id_bytes()) / bytes_per_mb;

    // A first, unmeasured run maps the library's code, starts what it keeps
    // (thread stacks) and fills all_stream's buffer once.
    run_op(op, context);
    {
        const trajplot_bench::PeakWindow window;
        const OpOutput output = run_op(op, context);
        const trajplot_bench::PeakMemory memory = window.read();
        measurement.peak_rss_mb = memory.peak_rss_mb;
        measurement.extra_mb = memory.rise_mb;
    }

    std::vector<double> wall_times;
    std::vector<double> cpu_times;
    for (std::size_t run = 0; run < repeats; ++run) {
        Stopwatch time;
        time.start();
        const OpOutput output = run_op(op, context);
        time.stop();
        const Stopwatch& measured = output.engine_time ? *output.engine_time : time;
        wall_times.push_back(measured.wall_ms());
        cpu_times.push_back(measured.cpu_ms());
    }
    measurement.ms = trajplot_bench::median(std::move(wall_times));
    measurement.cpu_ms = trajplot_bench::median(std::move(cpu_times));
    measurement.runs = static_cast<std::uint32_t>(repeats);
    return measurement;
}

// ---------------------------------------------------------------------------
// The targets (bench/README.md)

using Results = std::map<std::pair<std::string, Op>, Measurement>;

constexpr double max_all_ms = 150.0;
// Page granularity, allocator bookkeeping and the library's per-thread row
// of vocab floats: a few pages must not decide a memory target.
constexpr double memory_slack_mb = 2.0;

const Measurement* find(const Results& results, const std::string& name, Op op) {
    const auto found = results.find({name, op});
    return found == results.end() || found->second.error[0] != '\0' ? nullptr : &found->second;
}

// An operation's time in units of one summing pass over the same data: how
// much work per value it does, next to reading it (it reads each value once,
// the output layer twice).
double time_vs_read_once(const Measurement& op, const Measurement& read_once) { return op.ms / read_once.ms; }

int check_targets(const Results& results) {
    std::cout << "--- targets\n";
    trajplot_bench::TargetReport report;

    {
        const std::string what = "speed case=lens13 op=all";
        if (const Measurement* m = find(results, "lens13", Op::all)) {
            // CPU time says what the wall time would be on an otherwise idle
            // machine: at most this much on one core.
            report.pass_or_fail(m->ms < max_all_ms, what + " ms=" + fixed(m->ms) + " (under " + fixed(max_all_ms, 0) +
                                                        "; cpu_ms=" + fixed(m->cpu_ms) + " on " +
                                                        std::to_string(m->threads) + " threads)");
        } else {
            report.skip(what);
        }
    }

    // Passes over the data are counted by the kernels, not timed: the core
    // test SingleTrajectory.EveryStatisticTakesOnePassPlusTheOutputLayer
    // holds the engine to 1 + 1 / layers of them.
    for (const Op op : {Op::all, Op::all_stream, Op::all_stream_no_kl}) {
        const std::string what =
            "memory_vs_vocab op=" + std::string(info(op).name) + " extra_mb(lens13_wide) - extra_mb(lens13)";
        const Measurement* narrow = find(results, "lens13", op);
        const Measurement* wide = find(results, "lens13_wide", op);
        if (narrow && wide) {
            const double growth = wide->extra_mb - narrow->extra_mb;
            std::string text =
                what + " = " + fixed(wide->extra_mb) + " - " + fixed(narrow->extra_mb) + " = " + fixed(growth);
            double designed_growth = 0.0;
            if (op == Op::all_stream) {
                // Streamed with forward KL, the output layer's probabilities
                // (one slab: seq_len x vocab floats, per batch item being
                // filled) are kept by design until the item's other layers
                // arrive; everything else must not grow with the vocabulary.
                const LensCase& wide_case = *find_case("lens13_wide");
                const LensCase& narrow_case = *find_case("lens13");
                designed_growth =
                    static_cast<double>((wide_case.slab_floats() - narrow_case.slab_floats()) * sizeof(float)) /
                    bytes_per_mb;
                text += ", of which the kept output layer (one slab) is " + fixed(designed_growth);
            }
            text += " (at most " + fixed(memory_slack_mb) + " beyond that)";
            report.pass_or_fail(growth - designed_growth <= memory_slack_mb, text);
        } else {
            report.skip(what);
        }
    }
    return report.finish();
}

// ---------------------------------------------------------------------------
// Dump: the data and trajplot's results, for compare_numpy.py

void write_ids(std::ostream& out, const std::vector<std::int64_t>& ids) {
    out.put('[');
    for (std::size_t i = 0; i < ids.size(); ++i) out << (i ? "," : "") << ids[i];
    out.put(']');
}

void write_statistic(std::ostream& out, const trajplot_statistic* statistic) {
    std::size_t rows = 0;
    std::size_t seq_len = 0;
    check(trajplot_statistic_shape(&rows, &seq_len, statistic), "trajplot_statistic_shape");
    std::vector<float> values(rows * seq_len);
    check(trajplot_statistic_stats(values.data(), values.size(), statistic), "trajplot_statistic_stats");
    const char* name = nullptr;
    check(trajplot_statistic_name(&name, statistic), "trajplot_statistic_name");
    out << "{\"name\":";
    trajplot_bench::append_json_string(out, name);
    out << ",\"rows\":" << rows << ",\"stats\":[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out.put(',');
        if (std::isfinite(values[i])) {
            trajplot_bench::append_json_float(out, values[i]);
        } else {
            out << "null";
        }
    }
    out << "]}";
}

void write_labels(std::ostream& out, const trajplot_labels* labels) {
    std::size_t layers = 0;
    std::size_t seq_len = 0;
    std::size_t rows = 0;
    std::size_t cols = 0;
    check(trajplot_labels_shape(&layers, &seq_len, &rows, &cols, labels), "trajplot_labels_shape");
    out << "{\"hover_rows\":" << rows << ",\"hover_cols\":" << cols << ",\"label_strings\":[";
    for (std::size_t cell = 0; cell < layers * seq_len; ++cell) {
        const char* text = nullptr;
        std::size_t length = 0;
        check(trajplot_labels_label(&text, &length, labels, cell / seq_len, cell % seq_len), "trajplot_labels_label");
        if (cell) out.put(',');
        trajplot_bench::append_json_string(out, std::string_view(text, length));
    }
    out << "],\"hover_over_entries\":[";
    for (std::size_t entry = 0; entry < layers * seq_len * rows * cols; ++entry) {
        const std::size_t cell = entry / (rows * cols);
        const char* text = nullptr;
        std::size_t length = 0;
        check(trajplot_labels_hover_entry(&text, &length, labels, cell / seq_len, cell % seq_len, entry / cols % rows,
                                          entry % cols),
              "trajplot_labels_hover_entry");
        if (entry) out.put(',');
        trajplot_bench::append_json_string(out, std::string_view(text, length));
    }
    out << "]}";
}

// NAME.f32: the logits, float32 in native byte order, batch x layers x
// seq_len x vocab; NAME.json: shape, ids, vocabulary, and trajplot's
// statistics and labels from them with the default options and `all`'s
// time in this process.
int dump(const Options& options) {
    fs::create_directories(*options.dump_dir);
    for (const LensCase* lens_case : options.cases) {
        const std::size_t threads = resolve_threads(options.engine_threads);
        const LensInputs inputs = make_inputs(*lens_case);
        const VocabularyHandle vocabulary = create_vocabulary(inputs);
        const FloatBuffer tensor = make_tensor(*lens_case, inputs, self_seed, threads);
        const fs::path tensor_path = *options.dump_dir / (lens_case->name + ".f32");
        {
            std::ofstream out(tensor_path, std::ios::binary);
            out.write(reinterpret_cast<const char*>(tensor.get()),
                      static_cast<std::streamsize>(lens_case->tensor_bytes()));
            if (!out) throw std::runtime_error("cannot write " + tensor_path.string());
        }
        Context context{*lens_case, inputs, vocabulary.get(), options.engine_threads, threads};
        context.self_tensor = tensor.get();
        const OpOutput output = run_op(Op::all, context);

        const fs::path json_path = *options.dump_dir / (lens_case->name + ".json");
        std::ofstream out(json_path, std::ios::binary);
        out << "{\"case\":";
        trajplot_bench::append_json_string(out, lens_case->name);
        out << ",\"batch\":" << lens_case->batch << ",\"layers\":" << lens_case->layers
            << ",\"seq_len\":" << lens_case->seq_len << ",\"vocab\":" << lens_case->vocab << ",\"tensor\":";
        trajplot_bench::append_json_string(out, tensor_path.filename().string());
        out << ",\"input_ids\":";
        write_ids(out, inputs.input_ids);
        out << ",\"targets\":";
        write_ids(out, inputs.targets);
        out << ",\"anti_targets\":";
        write_ids(out, inputs.anti_targets);
        out << ",\"vocabulary\":[";
        for (std::size_t id = 0; id < inputs.tokens.size(); ++id) {
            if (id) out.put(',');
            trajplot_bench::append_json_string(out, inputs.tokens.at(id));
        }
        out << "],\"trajplot\":{\"statistics\":{";
        for (std::size_t i = 0; i < output.statistics.size(); ++i) {
            out << (i ? "," : "") << '"' << trajplot_measure_name(trajectory_measures[i]) << "\":";
            write_statistic(out, output.statistics[i].get());
        }
        trajplot_labels* labels = nullptr;
        check(trajplot_trajectory_labels(&labels, output.trajectory.get()), "trajplot_trajectory_labels");
        const LabelsHandle owned_labels(labels);
        out << "},\"labels\":";
        write_labels(out, labels);
        out << ",\"sequence_labels\":[";
        for (std::size_t position = 0; position < lens_case->seq_len; ++position) {
            const char* text = nullptr;
            std::size_t length = 0;
            check(trajplot_statistic_sequence_label(&text, &length, output.statistics[0].get(), position),
                  "trajplot_statistic_sequence_label");
            if (position) out.put(',');
            trajplot_bench::append_json_string(out, std::string_view(text, length));
        }
        out << "]}}\n";
        if (!out) throw std::runtime_error("cannot write " + json_path.string());
        std::cout << "wrote " << json_path.string() << " and " << tensor_path.string() << " ("
                  << fixed(static_cast<double>(lens_case->tensor_bytes()) / bytes_per_mb) << " MB)\n";
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Command line

void print_usage(std::ostream& out) {
    out << "usage: trajplot_lens_bench [--case NAME]... [--op OP]... [--repeat N] [--threads N]\n"
           "                           [--check-targets] [--no-fork]\n"
           "       trajplot_lens_bench --dump DIR [--case NAME]...\n"
           "       trajplot_lens_bench --list | --help\n"
           "\n"
           "Prints one line per case and operation:\n"
           "  case=NAME op=OP ms=MEDIAN bytes=INPUT_BYTES mb_per_s=... peak_rss_mb=...\n"
           "  input_mb=... extra_mb=... cpu_ms=... threads=N runs=N\n"
           "--case and --op may be repeated or take comma-separated lists (default: all\n"
           "but lens33, which needs 7 GB for op comparison and a minute in all).\n"
           "--repeat N     timed runs per operation (default: per case, see --list)\n"
           "--threads N    the library's threads (default 0: one per core)\n"
           "--check-targets  evaluate the performance targets; exit 1 if one fails\n"
           "--no-fork      measure in this process (for profilers; memory figures less exact)\n"
           "--dump DIR     write each case's logits (DIR/NAME.f32) and its inputs with trajplot's\n"
           "               statistics and labels (DIR/NAME.json), for compare_numpy.py, and exit\n"
           "operations:\n";
    for (const OpInfo& entry : op_table) out << "  " << entry.name << ": " << entry.what << '\n';
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
        } else if (argument == "--threads") {
            options.engine_threads = trajplot_bench::parse_positive(argument, value());
        } else if (argument == "--check-targets") {
            options.check_targets = true;
        } else if (argument == "--no-fork") {
            options.no_fork = true;
        } else if (argument == "--dump") {
            options.dump_dir = value();
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
        const LensCase* lens_case = find_case(name);
        if (lens_case == nullptr) throw UsageError("unknown case " + name + " (see --list)");
        options.cases.push_back(lens_case);
    }
    if (options.cases.empty()) {
        for (const LensCase& lens_case : all_cases()) {
            if (lens_case.name != "lens33") options.cases.push_back(&lens_case);
        }
    }
    for (const std::string& name : op_names) {
        const auto found = std::find_if(std::begin(op_table), std::end(op_table),
                                        [&](const OpInfo& entry) { return entry.name == name; });
        if (found == std::end(op_table)) throw UsageError("unknown operation " + name);
        options.ops.push_back(found->op);
    }
    if (options.ops.empty()) {
        for (const OpInfo& entry : op_table) options.ops.push_back(entry.op);
    }
    return options;
}

void print_line(const LensCase& lens_case, Op op, const Measurement& m) {
    const double mb_per_s = m.ms > 0 ? static_cast<double>(m.bytes) / bytes_per_mb / (m.ms / 1e3) : 0;
    std::cout << "case=" << lens_case.name << " op=" << info(op).name
              << " ms=" << trajplot_bench::milliseconds_text(m.ms) << " bytes=" << m.bytes
              << " mb_per_s=" << fixed(mb_per_s, 1) << " peak_rss_mb=" << fixed(m.peak_rss_mb)
              << " input_mb=" << fixed(m.input_mb) << " extra_mb=" << fixed(m.extra_mb)
              << " cpu_ms=" << trajplot_bench::milliseconds_text(m.cpu_ms) << " threads=" << m.threads
              << " runs=" << m.runs << std::endl;
}

void print_time_vs_read_once(const Options& options, const Results& results) {
    for (const LensCase* lens_case : options.cases) {
        const Measurement* read_once = find(results, lens_case->name, Op::read_once);
        if (!read_once || read_once->ms <= 0) continue;
        for (const Op op : {Op::entropy, Op::all, Op::all_stream, Op::all_stream_no_kl}) {
            if (const Measurement* m = find(results, lens_case->name, op)) {
                std::cout << "case=" << lens_case->name << " op=" << info(op).name
                          << " time_vs_read_once=" << fixed(time_vs_read_once(*m, *read_once), 2)
                          << " cpu_vs_read_once="
                          << fixed(read_once->cpu_ms > 0 ? m->cpu_ms / read_once->cpu_ms : 0.0, 2)
                          << " (ms / read_once ms, cpu_ms / read_once cpu_ms)\n";
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (trajplot_abi_version() != TRAJPLOT_ABI_VERSION) {
            std::cerr << "trajplot_lens_bench: built for ABI " << TRAJPLOT_ABI_VERSION << " but the library has ABI "
                      << trajplot_abi_version() << '\n';
            return 1;
        }
        bool list_only = false;
        const Options options = parse_command_line(argc, argv, list_only);
        if (list_only) {
            for (const LensCase& lens_case : all_cases()) {
                std::cout << lens_case.name << ": " << lens_case.description << " (" << lens_case.default_repeats
                          << " runs)\n";
            }
            return 0;
        }
        if (options.dump_dir) return dump(options);

        Results results;
        bool any_error = false;
        for (const LensCase* lens_case : options.cases) {
            for (const Op op : options.ops) {
                const std::size_t repeats = options.repeat.value_or(lens_case->default_repeats);
                const Measurement m = trajplot_bench::measure_in_child<Measurement>(
                    !options.no_fork, [&] { return measure(*lens_case, op, repeats, options); });
                results[{lens_case->name, op}] = m;
                if (m.error[0] != '\0') {
                    std::cerr << "trajplot_lens_bench: case=" << lens_case->name << " op=" << info(op).name << ": "
                              << m.error << '\n';
                    any_error = true;
                    continue;
                }
                print_line(*lens_case, op, m);
            }
        }
        print_time_vs_read_once(options, results);
        int status = any_error ? 1 : 0;
        if (options.check_targets && check_targets(results) != 0) status = 1;
        return status;
    } catch (const UsageError& error) {
        std::cerr << "trajplot_lens_bench: " << error.what() << '\n';
        print_usage(std::cerr);
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "trajplot_lens_bench: " << error.what() << '\n';
        return 1;
    }
}
