// The progress line of `trajplot stats`: on standard error, when that is a
// terminal and the work has lasted over a second, how many slabs are done
// of how many, how fast the values are read and how long is left, redrawn
// in place a few times a second and cleared when the work ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace trajplot_cli {

// Whether a progress line may be shown: standard error is a terminal and
// --quiet is not given.
bool progress_wanted(bool quiet);

// The delay before the line first appears: a second, or
// TRAJPLOT_TEST_PROGRESS_DELAY_MS milliseconds when that variable is set,
// which only the tests do (to see the line on an input read in a moment).
std::chrono::milliseconds progress_delay();

class Progress {
public:
    using Clock = std::chrono::steady_clock;

    // `bytes_per_slab`: the values read for one slab, from every file.
    // Nothing is written unless `shown`.
    Progress(std::size_t total_slabs, std::uint64_t bytes_per_slab, bool shown);
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    // Clears the line, so that a message that follows starts its own.
    ~Progress();

    // Counts one slab done, and redraws the line when it is due.
    void slab_done();
    // Clears the line, if one was drawn.
    void finish();

private:
    void draw(Clock::time_point now);

    std::size_t total_;
    std::size_t done_ = 0;
    std::uint64_t bytes_per_slab_;
    bool shown_;
    Clock::time_point start_;
    Clock::duration delay_;
    Clock::time_point last_drawn_{};
    bool drawn_ = false;
    std::size_t width_ = 0;  // of the line on the terminal
};

}  // namespace trajplot_cli
