#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <system_error>

namespace trajplot_cli {
namespace {

// A few redraws a second: enough to see it move, too few to cost anything.
constexpr std::chrono::milliseconds redraw_interval{250};

std::string rate_text(double bytes_per_second) {
    const char* units[] = {"B/s", "kB/s", "MB/s", "GB/s"};
    std::size_t unit = 0;
    while (bytes_per_second >= 1000.0 && unit + 1 < std::size(units)) {
        bytes_per_second /= 1000.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, bytes_per_second < 10.0 ? "%.1f %s" : "%.0f %s", bytes_per_second, units[unit]);
    return text;
}

std::string duration_text(double seconds) {
    const auto whole = static_cast<long long>(seconds + 0.5);
    char text[48];
    if (whole < 60) {
        std::snprintf(text, sizeof text, "%lld s", whole);
    } else if (whole < 3600) {
        std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, whole % 3600 / 60);
    }
    return text;
}

void write_to_stderr(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

bool progress_wanted(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) == 1; }

std::chrono::milliseconds progress_delay() {
    const char* given = std::getenv("TRAJPLOT_TEST_PROGRESS_DELAY_MS");
    unsigned long milliseconds = 0;
    if (given != nullptr) {
        const char* end = given + std::strlen(given);
        const auto [stop, error] = std::from_chars(given, end, milliseconds);
        if (error == std::errc{} && stop == end) return std::chrono::milliseconds(milliseconds);
    }
    return std::chrono::seconds(1);
}

Progress::Progress(std::size_t total_slabs, std::uint64_t bytes_per_slab, bool shown)
    : total_(total_slabs),
      bytes_per_slab_(bytes_per_slab),
      shown_(shown),
      start_(Clock::now()),
      delay_(progress_delay()) {}

Progress::~Progress() { finish(); }

void Progress::slab_done() {
    ++done_;
    if (!shown_) return;
    const Clock::time_point now = Clock::now();
    if (now - start_ < delay_) return;
    // The last slab is drawn however soon it comes, so the line ends full.
    if (drawn_ && now - last_drawn_ < redraw_interval && done_ != total_) return;
    draw(now);
}

void Progress::draw(Clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    std::string line = "trajplot: " + std::to_string(done_) + "/" + std::to_string(total_) + " slabs";
    if (elapsed > 0.0) {
        line += ", " + rate_text(static_cast<double>(done_) * static_cast<double>(bytes_per_slab_) / elapsed);
        const double left = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
        line += done_ == total_ ? ", done" : ", " + duration_text(left) + " left";
    }
    // Spaces cover what a longer line before left on the terminal.
    const std::size_t width = line.size();
    if (width < width_) line.append(width_ - width, ' ');
    width_ = std::max(width_, width);
    write_to_stderr("\r" + line);
    drawn_ = true;
    last_drawn_ = now;
}

void Progress::finish() {
    if (!drawn_) return;
    std::string blank(1, '\r');
    blank.append(width_, ' ').append(1, '\r');
    write_to_stderr(blank);
    drawn_ = false;
}

}  // namespace trajplot_cli
