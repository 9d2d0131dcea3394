// What the benchmark programs share: the resident size of the process, one
// child process per measurement, median timing, the targets report and the
// text of their output lines. See bench/README.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace trajplot_bench {

constexpr double bytes_per_mb = 1e6;
double kb_to_mb(long kb);

// ---------------------------------------------------------------------------
// Memory of this process (Linux /proc)

struct ResidentSize {
    long current_kb = -1;  // VmRSS
    long peak_kb = -1;     // VmHWM
};

ResidentSize resident_size();

// Lowers the peak resident size to the current one (Linux 4.0+), so that
// the next peak read is the peak of what runs in between.
void reset_peak();

// Returns memory that malloc keeps after frees to the system: otherwise the
// next operation could reuse pages that are already resident and look
// cheaper than it is.
void release_free_memory();

// What an operation took, from the start of a PeakWindow to read().
struct PeakMemory {
    double peak_rss_mb = 0;  // the process's peak resident size
    double rise_mb = 0;      // how far the peak rose above the resident size at the start
    double kept_mb = 0;      // how much more is resident at read() than at the start
};

// Measures the memory of what runs between its construction and read():
// first returns free memory to the system and resets the peak, so that the
// operation can neither hide in already resident pages nor be blamed for
// earlier ones. Read while the operation's outputs are still alive.
class PeakWindow {
public:
    PeakWindow();
    PeakMemory read() const;

private:
    long start_kb_;
};

// ---------------------------------------------------------------------------
// Time

double milliseconds_since(std::chrono::steady_clock::time_point start);
double median(std::vector<double> values);

// The median time of `runs` calls of `run`. What a call returns is
// destroyed after its time is taken, so that freeing outputs is not timed.
template <class Run>
double median_milliseconds(std::size_t runs, Run&& run) {
    std::vector<double> times;
    times.reserve(runs);
    for (std::size_t i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        if constexpr (std::is_void_v<std::invoke_result_t<Run&>>) {
            run();
            times.push_back(milliseconds_since(start));
        } else {
            [[maybe_unused]] const auto outputs = run();
            times.push_back(milliseconds_since(start));
        }
    }
    return median(std::move(times));
}

// ---------------------------------------------------------------------------
// One child process per measurement

namespace detail {
// Forks; the child fills `size` bytes at `result` with fill() and sends them
// back. Returns "" on success, else why the measurement failed (the child's
// exception message, or how it died).
std::string run_in_child(void* result, std::size_t size, const std::function<void(void*)>& fill);
}  // namespace detail

// Runs measure() in a child process of its own, so that one measurement's
// allocations cannot hide in, or inflate, another's, and returns its
// result. Measurement is plain data with a `char error[N]` member, which
// holds the reason when the measurement failed; with `fork` false, measure()
// runs in this process (for profilers).
template <class Measurement, class Measure>
Measurement measure_in_child(bool fork, Measure&& measure) {
    static_assert(std::is_trivially_copyable_v<Measurement>, "a measurement crosses a pipe as bytes");
    Measurement measurement{};
    std::string error;
    if (fork) {
        error = detail::run_in_child(&measurement, sizeof measurement,
                                     [&](void* out) { *static_cast<Measurement*>(out) = measure(); });
    } else {
        try {
            measurement = measure();
        } catch (const std::exception& failure) {
            error = failure.what();
        }
    }
    if (!error.empty()) {
        measurement = Measurement{};
        std::snprintf(measurement.error, sizeof measurement.error, "%s", error.c_str());
    }
    return measurement;
}

// A directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

// ---------------------------------------------------------------------------
// Output

// `value` with `decimals` digits after the point.
std::string fixed(double value, int decimals = 3);
// A time for an output line: small ones with enough decimals to see them.
std::string milliseconds_text(double ms);

// PASS, FAIL or SKIP per target, then a count; finish() is the exit status.
class TargetReport {
public:
    void pass_or_fail(bool pass, const std::string& text);
    void skip(const std::string& text);
    int finish() const;

private:
    int passed_ = 0;
    int failed_ = 0;
    int skipped_ = 0;
};

// ---------------------------------------------------------------------------
// Command lines

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "a,b,,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(std::string_view text);
// A positive integer given to `option`; UsageError otherwise.
std::size_t parse_positive(std::string_view option, const std::string& text);

}  // namespace trajplot_bench
