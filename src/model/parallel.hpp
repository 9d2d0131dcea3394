// Running work on threads without ever taking the host process down.
//
// Starting a thread can fail (std::system_error when the system is out of
// threads or memory for a stack, std::bad_alloc), and an exception leaving a
// thread function, or a joinable std::thread being destroyed, calls
// std::terminate: in a library loaded into Python or Julia that ends the
// user's session. Every thread of the core is started here, where a thread
// that cannot be started is done without (its work runs on the threads that
// did start, down to the caller alone) and an exception thrown on a thread
// reaches the caller once every thread has been joined. Internal to the core.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "trajplot/threads.hpp"

namespace trajplot {

// The CPUs a cgroup's quota allows, rounded up; nullopt when there is no
// quota ("max", -1) or the text is not one. Take the files' contents, so
// that the formats are testable without the files:
//   v2 cpu.max:               "max 100000", "150000 100000"
//   v1 cpu.cfs_quota_us, cpu.cfs_period_us: "-1" or "150000", "100000"
std::optional<std::size_t> cpus_of_cgroup_v2_quota(std::string_view cpu_max);
std::optional<std::size_t> cpus_of_cgroup_v1_quota(std::string_view cfs_quota_us, std::string_view cfs_period_us);

// Runs work(task) for every task in [0, tasks) on at most `threads` threads,
// the calling thread one of them (0 threads: default_thread_count()), and
// returns when all have run.
//
// Tasks are handed out one at a time, in increasing order, to whichever
// thread is free, so a thread that could not be started leaves nothing
// behind and uneven tasks even out; a caller wanting state per thread (a
// scratch buffer) makes few large tasks, one block per thread. The calling
// thread takes tasks too; with one thread, or one task, no thread is started.
//
// The first exception a task throws is rethrown here once every thread has
// been joined; no task starts after it (tasks already running on other
// threads finish). Nothing here calls std::terminate.
void run_in_parallel(std::size_t tasks, std::size_t threads, const std::function<void(std::size_t task)>& work);

namespace parallel_detail {

// Throws std::system_error as a failed thread start would, when the test
// hook below says so; otherwise does nothing.
void check_injected_thread_start_failure();

// The exception a started thread throws before its work, when the test hook
// below says so; null otherwise.
std::exception_ptr injected_started_thread_failure();

// A thread running `function`, or a thread that is not joinable when the
// system could not start one.
template <class Function>
std::jthread start_thread_if_possible(Function&& function) {
    try {
        check_injected_thread_start_failure();
        return std::jthread(std::forward<Function>(function));
    } catch (const std::system_error&) {
    } catch (const std::bad_alloc&) {}
    return std::jthread();
}

}  // namespace parallel_detail

// A second thread for a producer/consumer pipeline, which may not exist: when
// the system cannot start one, started() is false and the caller does the
// work itself, e.g.
//
//   WorkerThread worker([&] { format_odd_blocks(); }, [&] { wake_the_consumer(); });
//   if (!worker.started()) return write_every_block_here();
//   ... write the even blocks, taking the odd ones as they are ready ...
//   worker.join();  // rethrows what format_odd_blocks threw
//
// `on_exit` runs on the thread once function() has returned or thrown, so a
// consumer waiting for the thread's results learns that none will come.
// Not copyable or movable: the thread refers to it.
class WorkerThread {
public:
    // Starts function() on a new thread, then on_exit() (which must not
    // throw). When no thread can be started, neither is called. An
    // exception function() throws is kept for join().
    template <class Function, class OnExit = void (*)()>
    explicit WorkerThread(
        Function&& function, OnExit on_exit = [] {})
        : thread_(parallel_detail::start_thread_if_possible(
              [this, function = std::forward<Function>(function), on_exit = std::move(on_exit)]() mutable noexcept {
                  try {
                      if (std::exception_ptr injected = parallel_detail::injected_started_thread_failure()) {
                          std::rethrow_exception(injected);
                      }
                      function();
                  } catch (...) {
                      error_ = std::current_exception();
                  }
                  on_exit();
              })) {}

    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    // Joins the thread, if any; an exception join() did not rethrow is lost,
    // so a caller that cares joins first (a pipeline unwinding from its own
    // exception does not).
    ~WorkerThread() = default;

    bool started() const noexcept { return thread_.joinable(); }

    // Waits for function() to return, then rethrows what it threw. Returns at
    // once when no thread was started or it was already joined.
    void join() {
        if (thread_.joinable()) thread_.join();
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

private:
    std::exception_ptr error_;  // written by the thread, read after joining it
    std::jthread thread_;       // last: joined before error_ is destroyed
};

// Fault injection for tests: process-wide, and cheap enough to be always
// compiled in. Not for use while other threads of the process start
// threads they expect to get.
namespace test_hooks {

// From now on, after `after_successful_starts` more thread starts have
// succeeded, every thread start of the core fails as the system's would
// (std::system_error, resource_unavailable_try_again).
void fail_thread_starts(std::size_t after_successful_starts);
void stop_failing_thread_starts();

// Every thread run_in_parallel or WorkerThread starts from now on throws
// `error` before it takes a task (WorkerThread: in place of its function),
// as a task failing on that thread would; null stops it.
void fail_in_started_threads(std::exception_ptr error);

}  // namespace test_hooks

}  // namespace trajplot
