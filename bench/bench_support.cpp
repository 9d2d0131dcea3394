#include "bench_support.hpp"

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;

namespace trajplot_bench {

double kb_to_mb(long kb) { return static_cast<double>(kb) * 1024.0 / bytes_per_mb; }

ResidentSize resident_size() {
    std::ifstream status("/proc/self/status");
    ResidentSize size;
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) size.current_kb = std::strtol(line.c_str() + 6, nullptr, 10);
        if (line.rfind("VmHWM:", 0) == 0) size.peak_kb = std::strtol(line.c_str() + 6, nullptr, 10);
    }
    if (size.current_kb < 0 || size.peak_kb < 0)
        throw std::runtime_error("cannot read VmRSS/VmHWM from /proc/self/status");
    return size;
}

void reset_peak() {
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";
    clear_refs.close();
    if (!clear_refs) throw std::runtime_error("cannot reset the peak resident size through /proc/self/clear_refs");
}

void release_free_memory() { malloc_trim(0); }

PeakWindow::PeakWindow() {
    release_free_memory();
    reset_peak();
    start_kb_ = resident_size().current_kb;
}

PeakMemory PeakWindow::read() const {
    const ResidentSize now = resident_size();
    return {kb_to_mb(now.peak_kb), kb_to_mb(now.peak_kb - start_kb_), kb_to_mb(now.current_kb - start_kb_)};
}

double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

namespace detail {
namespace {

bool write_all(int fd, const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = write(fd, bytes, size);
        if (written <= 0) return false;
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

std::size_t read_all(int fd, void* data, std::size_t size) {
    char* bytes = static_cast<char*>(data);
    std::size_t got = 0;
    while (got < size) {
        const ssize_t count = read(fd, bytes + got, size - got);
        if (count <= 0) break;
        got += static_cast<std::size_t>(count);
    }
    return got;
}

// What the child sends first: whether `size` result bytes or an error
// message of `size` bytes follow.
struct ChildHeader {
    bool ok;
    std::size_t size;
};

}  // namespace

std::string run_in_child(void* result, std::size_t size, const std::function<void(void*)>& fill) {
    int channel[2];
    if (pipe(channel) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    // Whatever is buffered would otherwise be written twice.
    std::cout.flush();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        const int fork_errno = errno;
        close(channel[0]);
        close(channel[1]);
        throw std::runtime_error("fork: " + std::string(std::strerror(fork_errno)));
    }
    if (pid == 0) {
        close(channel[0]);
        std::vector<char> bytes(size);
        ChildHeader header{true, size};
        std::string error;
        try {
            fill(bytes.data());
        } catch (const std::exception& failure) {
            error = failure.what();
            header = {false, error.size()};
        }
        const bool sent = write_all(channel[1], &header, sizeof header) &&
                          write_all(channel[1], header.ok ? bytes.data() : error.data(), header.size);
        _exit(sent ? 0 : 2);
    }
    close(channel[1]);
    ChildHeader header{};
    std::string message;
    bool complete = read_all(channel[0], &header, sizeof header) == sizeof header;
    if (complete && header.ok) {
        complete = header.size == size && read_all(channel[0], result, size) == size;
    } else if (complete) {
        message.resize(header.size);
        complete = read_all(channel[0], message.data(), header.size) == header.size;
    }
    close(channel[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!complete) {
        if (WIFSIGNALED(status)) {
            return "the measuring process was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                   strsignal(WTERMSIG(status)) + ")";
        }
        return "the measuring process died (wait status " + std::to_string(status) + ")";
    }
    return header.ok ? std::string() : (message.empty() ? std::string("the measurement failed") : message);
}

}  // namespace detail

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "trajplot-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(decimals);
    out << value;
    return out.str();
}

std::string milliseconds_text(double ms) { return fixed(ms, ms < 1 ? 5 : 3); }

void TargetReport::pass_or_fail(bool pass, const std::string& text) {
    std::cout << (pass ? "PASS " : "FAIL ") << text << '\n';
    ++(pass ? passed_ : failed_);
}

void TargetReport::skip(const std::string& text) {
    std::cout << "SKIP " << text << " (not measured in this run)\n";
    ++skipped_;
}

int TargetReport::finish() const {
    std::cout << "targets: " << passed_ << " passed, " << failed_ << " failed, " << skipped_ << " skipped\n";
    return failed_ == 0 ? 0 : 1;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        if (comma > start) items.emplace_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

std::size_t parse_positive(std::string_view option, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long count = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || count == 0 || text[0] == '-' || errno == ERANGE) {
        throw UsageError(std::string(option) + " takes a positive integer, got " + text);
    }
    return static_cast<std::size_t>(count);
}

}  // namespace trajplot_bench
