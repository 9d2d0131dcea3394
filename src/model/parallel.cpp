#include "parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

namespace trajplot {
namespace {

// ---------------------------------------------------------------------------
// The CPUs of this process

std::string_view trimmed(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Digits only: "-1" (v1's "no quota") and "max" are not numbers here.
std::optional<std::size_t> positive_integer(std::string_view text) {
    std::size_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end || value == 0) return std::nullopt;
    return value;
}

std::optional<std::size_t> cpus_rounded_up(std::optional<std::size_t> quota, std::optional<std::size_t> period) {
    if (!quota || !period) return std::nullopt;
    return *quota / *period + (*quota % *period != 0 ? 1 : 0);
}

// Cgroup files are a line; anything longer is not one.
std::optional<std::string> read_small_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    constexpr std::size_t max_bytes = 1 << 16;
    std::string text(max_bytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return std::nullopt;
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// This process's cgroup paths, from /proc/self/cgroup: the v2 hierarchy's
// ("0::/path") and that of the v1 hierarchy holding the cpu controller
// ("4:cpu,cpuacct:/path").
struct OwnCgroups {
    std::string v2 = "/";
    std::string v1_cpu = "/";
};

OwnCgroups own_cgroups(std::string_view membership) {
    OwnCgroups own;
    while (!membership.empty()) {
        const std::size_t line_end = std::min(membership.find('\n'), membership.size());
        const std::string_view line = membership.substr(0, line_end);
        membership.remove_prefix(std::min(line_end + 1, membership.size()));
        const std::size_t first_colon = line.find(':');
        const std::size_t second_colon = line.find(':', first_colon == line.npos ? line.size() : first_colon + 1);
        if (second_colon == line.npos) continue;
        const std::string_view controllers = line.substr(first_colon + 1, second_colon - first_colon - 1);
        const std::string_view path = trimmed(line.substr(second_colon + 1));
        if (path.empty() || path.front() != '/') continue;
        if (line.substr(0, first_colon) == "0" && controllers.empty()) own.v2 = path;
        for (std::string_view rest = controllers; !rest.empty();) {
            const std::size_t comma = std::min(rest.find(','), rest.size());
            if (rest.substr(0, comma) == "cpu") own.v1_cpu = path;
            rest.remove_prefix(std::min(comma + 1, rest.size()));
        }
    }
    return own;
}

// root + path and each of its ancestors, down to root: a quota set on any
// of them applies. Inside a container the path may not exist under the
// mount (its root is the container's cgroup); reading then finds nothing
// until the root.
std::vector<std::string> own_and_ancestor_directories(const std::string& root, std::string path) {
    std::vector<std::string> directories;
    while (path.size() > 1) {
        directories.push_back(root + path);
        path.erase(path.rfind('/'));  // "/a/b" -> "/a" -> ""; path starts with '/'
    }
    directories.push_back(root);
    return directories;
}

// The smallest quota of this process's cgroup and its ancestors, v2 or v1.
std::optional<std::size_t> cgroup_cpu_quota() {
    std::optional<std::size_t> smallest;
    const auto keep_smallest = [&](std::optional<std::size_t> cpus) {
        if (cpus && (!smallest || *cpus < *smallest)) smallest = cpus;
    };
    const OwnCgroups own = own_cgroups(read_small_file("/proc/self/cgroup").value_or(""));
    for (const std::string& directory : own_and_ancestor_directories("/sys/fs/cgroup", own.v2)) {
        if (const auto cpu_max = read_small_file(directory + "/cpu.max")) {
            keep_smallest(cpus_of_cgroup_v2_quota(*cpu_max));
        }
    }
    for (const char* root : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
        for (const std::string& directory : own_and_ancestor_directories(root, own.v1_cpu)) {
            const auto quota = read_small_file(directory + "/cpu.cfs_quota_us");
            const auto period = read_small_file(directory + "/cpu.cfs_period_us");
            if (quota && period) keep_smallest(cpus_of_cgroup_v1_quota(*quota, *period));
        }
    }
    return smallest;
}

// The CPUs of this process's affinity mask; 0 when it cannot be read. The
// mask may be wider than cpu_set_t's 1024 CPUs: the set grows until the
// kernel's fits.
std::size_t affinity_cpu_count() noexcept {
    for (int cpus = CPU_SETSIZE; cpus <= (1 << 22); cpus *= 2) {
        cpu_set_t* set = CPU_ALLOC(cpus);
        if (set == nullptr) return 0;
        const std::size_t size = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(size, set);
        const bool read = ::sched_getaffinity(0, size, set) == 0;
        const bool set_too_small = !read && errno == EINVAL;
        const int count = read ? CPU_COUNT_S(size, set) : 0;
        CPU_FREE(set);
        if (read) return static_cast<std::size_t>(count);
        if (!set_too_small) return 0;
    }
    return 0;
}

std::size_t thread_count_of_this_process() noexcept {
    std::size_t cpus = affinity_cpu_count();
    if (cpus == 0) cpus = std::thread::hardware_concurrency();
    try {
        if (const auto quota = cgroup_cpu_quota()) cpus = cpus == 0 ? *quota : std::min(cpus, *quota);
    } catch (const std::exception&) {
        // Out of memory reading a file of a few bytes: the affinity stands.
    }
    return std::max<std::size_t>(1, cpus);
}

// ---------------------------------------------------------------------------
// Fault injection

constexpr std::size_t thread_starts_not_failing = SIZE_MAX;
std::atomic<std::size_t> thread_starts_before_failing{thread_starts_not_failing};

std::atomic<bool> started_threads_fail{false};  // whether to look at the exception below
std::mutex started_thread_failure_mutex;
std::exception_ptr started_thread_failure;  // guarded by the mutex

// ---------------------------------------------------------------------------
// run_in_parallel

// What the threads of one run_in_parallel share: the next task and the
// first failure, which also stops the handing out of tasks.
class TaskQueue {
public:
    TaskQueue(std::size_t tasks, const std::function<void(std::size_t)>& work) noexcept : tasks_(tasks), work_(work) {}

    // Runs tasks until none is left or one has thrown.
    void run_tasks(bool on_started_thread) noexcept {
        try {
            if (on_started_thread) {
                if (std::exception_ptr injected = parallel_detail::injected_started_thread_failure()) {
                    std::rethrow_exception(injected);
                }
            }
            while (!failed_.load(std::memory_order_acquire)) {
                const std::size_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
                if (task >= tasks_) return;
                work_(task);
            }
        } catch (...) {
            // Only the first failure is kept: the one that stopped the others.
            if (!failed_.exchange(true, std::memory_order_acq_rel)) first_failure_ = std::current_exception();
        }
    }

    // Only once every thread has been joined, which orders first_failure_'s
    // writing before this reading.
    void rethrow_first_failure() const {
        if (first_failure_) std::rethrow_exception(first_failure_);
    }

private:
    const std::size_t tasks_;
    const std::function<void(std::size_t)>& work_;
    std::atomic<std::size_t> next_task_{0};
    std::atomic<bool> failed_{false};
    std::exception_ptr first_failure_;  // written by the thread that set failed_
};

}  // namespace

std::optional<std::size_t> cpus_of_cgroup_v2_quota(std::string_view cpu_max) {
    const std::string_view text = trimmed(cpu_max);
    const std::size_t space = text.find(' ');
    if (space == text.npos) return std::nullopt;
    return cpus_rounded_up(positive_integer(text.substr(0, space)), positive_integer(trimmed(text.substr(space))));
}

std::optional<std::size_t> cpus_of_cgroup_v1_quota(std::string_view cfs_quota_us, std::string_view cfs_period_us) {
    return cpus_rounded_up(positive_integer(trimmed(cfs_quota_us)), positive_integer(trimmed(cfs_period_us)));
}

std::size_t default_thread_count() {
    static const std::size_t count = thread_count_of_this_process();
    return count;
}

void run_in_parallel(std::size_t tasks, std::size_t threads, const std::function<void(std::size_t task)>& work) {
    if (tasks == 0) return;
    if (threads == 0) threads = default_thread_count();
    const std::size_t helpers_wanted = std::min(threads, tasks) - 1;
    TaskQueue queue(tasks, work);
    {
        std::vector<std::jthread> helpers;
        try {
            helpers.reserve(helpers_wanted);
        } catch (const std::bad_alloc&) {
            // No room to keep threads in: the caller runs every task.
        }
        while (helpers.size() < std::min(helpers_wanted, helpers.capacity())) {
            std::jthread helper =
                parallel_detail::start_thread_if_possible([&queue]() noexcept { queue.run_tasks(true); });
            // The system is out of threads: those started share the tasks.
            if (!helper.joinable()) break;
            helpers.push_back(std::move(helper));  // within the capacity reserved: cannot throw
        }
        queue.run_tasks(false);
    }  // joins the helpers
    queue.rethrow_first_failure();
}

namespace parallel_detail {

void check_injected_thread_start_failure() {
    std::size_t remaining = thread_starts_before_failing.load(std::memory_order_relaxed);
    while (remaining != thread_starts_not_failing) {
        if (remaining == 0) {
            throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                                    "thread start failed (injected by a test)");
        }
        if (thread_starts_before_failing.compare_exchange_weak(remaining, remaining - 1, std::memory_order_relaxed)) {
            return;
        }
    }
}

std::exception_ptr injected_started_thread_failure() {
    if (!started_threads_fail.load(std::memory_order_acquire)) return nullptr;
    std::lock_guard lock(started_thread_failure_mutex);
    return started_thread_failure;
}

}  // namespace parallel_detail

namespace test_hooks {

void fail_thread_starts(std::size_t after_successful_starts) {
    thread_starts_before_failing.store(after_successful_starts, std::memory_order_relaxed);
}

void stop_failing_thread_starts() {
    thread_starts_before_failing.store(thread_starts_not_failing, std::memory_order_relaxed);
}

void fail_in_started_threads(std::exception_ptr error) {
    std::lock_guard lock(started_thread_failure_mutex);
    started_threads_fail.store(error != nullptr, std::memory_order_release);
    started_thread_failure = std::move(error);
}

}  // namespace test_hooks

}  // namespace trajplot
