// run_in_parallel, WorkerThread and default_thread_count: every task once,
// whatever the threads that start, exceptions back in the caller, and
// nothing that could end the process.
#include "parallel.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using trajplot::run_in_parallel;
using trajplot::WorkerThread;

// Thread starts fail while it lives, after `after_successful_starts`.
class FailingThreadStarts {
public:
    explicit FailingThreadStarts(std::size_t after_successful_starts) {
        trajplot::test_hooks::fail_thread_starts(after_successful_starts);
    }
    ~FailingThreadStarts() { trajplot::test_hooks::stop_failing_thread_starts(); }
    FailingThreadStarts(const FailingThreadStarts&) = delete;
    FailingThreadStarts& operator=(const FailingThreadStarts&) = delete;
};

// Every thread started while it lives throws `error` before its first task.
class FailingStartedThreads {
public:
    explicit FailingStartedThreads(std::exception_ptr error) {
        trajplot::test_hooks::fail_in_started_threads(std::move(error));
    }
    ~FailingStartedThreads() { trajplot::test_hooks::fail_in_started_threads(nullptr); }
    FailingStartedThreads(const FailingStartedThreads&) = delete;
    FailingStartedThreads& operator=(const FailingStartedThreads&) = delete;
};

// Waits until `flag` is set; false after `limit`, so that a broken promise
// fails the test instead of hanging it.
bool wait_for(const std::atomic<bool>& flag, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return true;
}

// What a run did: how often each task ran, on which threads.
struct Record {
    explicit Record(std::size_t tasks) : runs(tasks) {}

    void ran(std::size_t task) {
        runs[task].fetch_add(1);
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
    }
    bool every_task_ran_once() const {
        return std::all_of(runs.begin(), runs.end(), [](const auto& count) { return count.load() == 1; });
    }
    std::size_t tasks_started() const {
        std::size_t started = 0;
        for (const auto& count : runs) started += count.load();
        return started;
    }

    std::vector<std::atomic<int>> runs;
    std::mutex mutex;
    std::set<std::thread::id> threads;
};

// A value of each task, for comparing runs.
std::vector<std::uint64_t> results_of(std::size_t tasks, std::size_t threads) {
    std::vector<std::uint64_t> results(tasks);
    run_in_parallel(tasks, threads, [&](std::size_t task) {
        std::uint64_t value = task + 1;
        for (int round = 0; round < 100; ++round) value = value * 6364136223846793005u + 1442695040888963407u;
        results[task] = value;
    });
    return results;
}

// ---------------------------------------------------------------------------
// Every task, once

TEST(RunInParallel, EveryTaskRunsExactlyOnceOnAtMostTheThreadsAsked) {
    for (const std::size_t threads : {1, 2, 8}) {
        constexpr std::size_t tasks = 1000;
        Record record(tasks);
        run_in_parallel(tasks, threads, [&](std::size_t task) { record.ran(task); });
        EXPECT_TRUE(record.every_task_ran_once()) << threads << " threads";
        EXPECT_GE(record.threads.size(), 1u);
        EXPECT_LE(record.threads.size(), threads);
    }
}

TEST(RunInParallel, OneThreadOrOneTaskStaysOnTheCaller) {
    for (const auto& [tasks, threads] : {std::pair<std::size_t, std::size_t>{50, 1}, {1, 8}}) {
        Record record(tasks);
        run_in_parallel(tasks, threads, [&](std::size_t task) { record.ran(task); });
        EXPECT_TRUE(record.every_task_ran_once());
        EXPECT_EQ(record.threads, std::set{std::this_thread::get_id()});
    }
}

TEST(RunInParallel, NoTasksRunNothing) {
    bool ran = false;
    run_in_parallel(0, 8, [&](std::size_t) { ran = true; });
    EXPECT_FALSE(ran);
}

TEST(RunInParallel, NoMoreThreadsThanTasks) {
    Record record(3);
    run_in_parallel(3, 8, [&](std::size_t task) {
        record.ran(task);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // each thread keeps its task a while
    });
    EXPECT_TRUE(record.every_task_ran_once());
    EXPECT_LE(record.threads.size(), 3u);
}

TEST(RunInParallel, ZeroThreadsIsTheDefaultCount) {
    constexpr std::size_t tasks = 200;
    Record record(tasks);
    run_in_parallel(tasks, 0, [&](std::size_t task) { record.ran(task); });
    EXPECT_TRUE(record.every_task_ran_once());
    EXPECT_LE(record.threads.size(), trajplot::default_thread_count());
    EXPECT_EQ(results_of(tasks, 0), results_of(tasks, 1));
}

// ---------------------------------------------------------------------------
// Threads that cannot be started

TEST(RunInParallel, WhenNoThreadStartsTheCallerRunsEveryTask) {
    constexpr std::size_t tasks = 1000;
    const std::vector<std::uint64_t> expected = results_of(tasks, 1);
    const FailingThreadStarts failing(0);
    Record record(tasks);
    run_in_parallel(tasks, 8, [&](std::size_t task) { record.ran(task); });
    EXPECT_TRUE(record.every_task_ran_once());
    EXPECT_EQ(record.threads, std::set{std::this_thread::get_id()});
    EXPECT_EQ(results_of(tasks, 8), expected);
}

TEST(RunInParallel, WhenOneThreadStartsTheTasksRunOnTwo) {
    constexpr std::size_t tasks = 1000;
    const std::vector<std::uint64_t> expected = results_of(tasks, 1);
    {
        const FailingThreadStarts failing(1);
        Record record(tasks);
        run_in_parallel(tasks, 8, [&](std::size_t task) { record.ran(task); });
        EXPECT_TRUE(record.every_task_ran_once());
        EXPECT_LE(record.threads.size(), 2u);
    }
    {
        const FailingThreadStarts failing(1);
        EXPECT_EQ(results_of(tasks, 8), expected);
    }
}

TEST(RunInParallel, ThreadStartsSucceedAgainOnceTheHookStops) {
    {
        const FailingThreadStarts failing(0);
        const WorkerThread worker([] {});
        EXPECT_FALSE(worker.started());
    }
    const WorkerThread worker([] {});
    EXPECT_TRUE(worker.started());
}

// ---------------------------------------------------------------------------
// Exceptions

TEST(RunInParallel, AnExceptionOnTheCallerAloneStopsTheTasksAfterIt) {
    const FailingThreadStarts failing(0);
    constexpr std::size_t tasks = 100;
    Record record(tasks);
    try {
        run_in_parallel(tasks, 8, [&](std::size_t task) {
            record.ran(task);
            if (task == 5) throw std::runtime_error("task 5 failed");
        });
        FAIL() << "did not throw";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "task 5 failed");
    }
    for (std::size_t task = 0; task < tasks; ++task) EXPECT_EQ(record.runs[task].load(), task <= 5 ? 1 : 0) << task;
}

// The caller's task throws while the workers are in theirs: they finish, are
// joined, and take no further task, whereas without the stop every one of the
// tasks would run.
TEST(RunInParallel, AnExceptionInTheCallersShareReachesTheCallerAfterEveryThreadIsJoined) {
    constexpr std::size_t tasks = 1000;
    constexpr std::size_t threads = 8;
    const std::thread::id caller = std::this_thread::get_id();
    Record record(tasks);
    std::atomic<int> running{0};
    std::atomic<bool> a_worker_started{false};
    std::atomic<bool> caller_threw{false};
    try {
        run_in_parallel(tasks, threads, [&](std::size_t task) {
            running.fetch_add(1);
            record.ran(task);
            if (std::this_thread::get_id() == caller) {
                EXPECT_TRUE(wait_for(a_worker_started));
                caller_threw = true;
                running.fetch_sub(1);
                throw std::runtime_error("the caller's task " + std::to_string(task) + " failed");
            }
            a_worker_started = true;
            EXPECT_TRUE(wait_for(caller_threw));
            // Long enough for the caller's exception to be caught.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            running.fetch_sub(1);
        });
        FAIL() << "did not throw";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("the caller's task"), std::string::npos) << error.what();
    }
    EXPECT_EQ(running.load(), 0);  // every task over: the threads were joined
    EXPECT_LE(record.tasks_started(), 3 * threads);
    EXPECT_LT(record.tasks_started(), tasks);
}

TEST(RunInParallel, AnExceptionInAWorkersShareReachesTheCallerWithItsMessage) {
    constexpr std::size_t tasks = 1000;
    const std::thread::id caller = std::this_thread::get_id();
    Record record(tasks);
    std::atomic<int> running{0};
    std::atomic<bool> worker_threw{false};
    try {
        run_in_parallel(tasks, 2, [&](std::size_t task) {
            running.fetch_add(1);
            record.ran(task);
            if (std::this_thread::get_id() != caller) {
                worker_threw = true;
                running.fetch_sub(1);
                throw std::out_of_range("worker task " + std::to_string(task) + " failed");
            }
            // The caller's first task outlasts the worker's.
            EXPECT_TRUE(wait_for(worker_threw));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            running.fetch_sub(1);
        });
        FAIL() << "did not throw";
    } catch (const std::out_of_range& error) {
        EXPECT_NE(std::string(error.what()).find("worker task"), std::string::npos) << error.what();
    }
    EXPECT_EQ(running.load(), 0);
    EXPECT_LE(record.tasks_started(), 4u);  // the caller's, the worker's, and little more
}

// Every worker throws; the caller gets one exception, the first, whole.
TEST(RunInParallel, OnlyTheFirstOfManyExceptionsIsRethrown) {
    try {
        run_in_parallel(64, 8, [&](std::size_t task) { throw std::runtime_error("task " + std::to_string(task)); });
        FAIL() << "did not throw";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()).rfind("task ", 0), 0u) << error.what();
    }
}

TEST(RunInParallel, AFailureInjectedInStartedThreadsReachesTheCaller) {
    const FailingStartedThreads failing(std::make_exception_ptr(std::runtime_error("injected")));
    Record record(100);
    try {
        run_in_parallel(100, 4, [&](std::size_t task) { record.ran(task); });
        FAIL() << "did not throw";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "injected");
    }
    for (const auto& count : record.runs) EXPECT_LE(count.load(), 1);
}

// ---------------------------------------------------------------------------
// WorkerThread

TEST(WorkerThread, RunsItsFunctionAndRethrowsOnJoin) {
    std::atomic<bool> ran{false};
    WorkerThread worker([&] { ran = true; });
    ASSERT_TRUE(worker.started());
    worker.join();
    EXPECT_TRUE(ran.load());
    EXPECT_NO_THROW(worker.join());  // joining again does nothing

    WorkerThread failing([] { throw std::runtime_error("worker failed"); });
    ASSERT_TRUE(failing.started());
    try {
        failing.join();
        FAIL() << "did not throw";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "worker failed");
    }
}

TEST(WorkerThread, WhenItCannotStartTheFunctionNeverRuns) {
    const FailingThreadStarts failing(0);
    bool ran = false;
    WorkerThread worker([&] { ran = true; });
    EXPECT_FALSE(worker.started());
    EXPECT_NO_THROW(worker.join());
    EXPECT_FALSE(ran);
}

// Destroyed without join(), as when the caller unwinds from its own
// exception: joined, its exception dropped, nothing terminates.
TEST(WorkerThread, DestroyedUnjoinedItJoins) {
    std::atomic<bool> finished{false};
    {
        WorkerThread worker([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            finished = true;
            throw std::runtime_error("dropped");
        });
        EXPECT_TRUE(worker.started());
    }
    EXPECT_TRUE(finished.load());
}

TEST(WorkerThread, AFailureInjectedInStartedThreadsComesBackFromJoin) {
    const FailingStartedThreads failing(std::make_exception_ptr(std::runtime_error("injected")));
    bool ran = false;
    WorkerThread worker([&] { ran = true; });
    ASSERT_TRUE(worker.started());
    EXPECT_THROW(worker.join(), std::runtime_error);
    EXPECT_FALSE(ran);
}

// ---------------------------------------------------------------------------
// default_thread_count

std::size_t affinity_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return static_cast<std::size_t>(CPU_COUNT(&set));
}

TEST(DefaultThreadCount, IsBetweenOneAndTheCpusOfThisProcess) {
    const std::size_t count = trajplot::default_thread_count();
    EXPECT_GE(count, 1u);
    if (const std::size_t affinity = affinity_cpus(); affinity != 0) {
        EXPECT_LE(count, affinity);
    }
    if (const unsigned hardware = std::thread::hardware_concurrency(); hardware != 0 && affinity_cpus() <= hardware) {
        EXPECT_LE(count, hardware);
    }
}

TEST(DefaultThreadCount, IsTheSameFromEveryThread) {
    std::vector<std::size_t> counts(8);
    run_in_parallel(counts.size(), counts.size(),
                    [&](std::size_t task) { counts[task] = trajplot::default_thread_count(); });
    for (const std::size_t count : counts) EXPECT_EQ(count, trajplot::default_thread_count());
}

TEST(DefaultThreadCount, CgroupV2QuotaIsReadRoundedUp) {
    using trajplot::cpus_of_cgroup_v2_quota;
    EXPECT_EQ(cpus_of_cgroup_v2_quota("max 100000\n"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("150000 100000\n"), 2u);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("100000 100000"), 1u);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("50000 100000\n"), 1u);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("400000 100000\n"), 4u);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("400001 100000\n"), 5u);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("1000 1000"), 1u);
    // Not a quota: nothing is assumed.
    EXPECT_EQ(cpus_of_cgroup_v2_quota(""), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("max"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("150000"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("0 100000"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("150000 0"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("-1 100000"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v2_quota("1.5 100000"), std::nullopt);
}

TEST(DefaultThreadCount, CgroupV1QuotaIsReadRoundedUp) {
    using trajplot::cpus_of_cgroup_v1_quota;
    EXPECT_EQ(cpus_of_cgroup_v1_quota("-1\n", "100000\n"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("150000\n", "100000\n"), 2u);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("50000\n", "100000\n"), 1u);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("300000", "100000"), 3u);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("150000\n", ""), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("150000\n", "0\n"), std::nullopt);
    EXPECT_EQ(cpus_of_cgroup_v1_quota("lots\n", "100000\n"), std::nullopt);
}

}  // namespace
