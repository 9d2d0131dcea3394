// Versions, the thread's error state, the default thread count and
// trajplot_trunc_string_left.
#include <dlfcn.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include "capi_test_support.hpp"

using namespace capi_test;

TEST(CapiVersion, AbiVersionMatchesHeader) { EXPECT_EQ(trajplot_abi_version(), TRAJPLOT_ABI_VERSION); }

TEST(CapiVersion, AbiVersionIsTwo) {
    // The figure object replaced the per-format exports: a breaking change.
    EXPECT_EQ(TRAJPLOT_ABI_VERSION, 2);
    EXPECT_EQ(trajplot_abi_version(), 2);
}

TEST(CapiVersion, LibraryIsLoadedUnderItsSoname) {
    // The executable names the library by its SONAME, so the loaded library
    // answers to libtrajplot.so.2 (RTLD_NOLOAD: found only if loaded).
    void* handle = ::dlopen("libtrajplot.so.2", RTLD_NOW | RTLD_NOLOAD);
    ASSERT_NE(handle, nullptr) << "libtrajplot.so.2 is not loaded: " << ::dlerror();
    EXPECT_EQ(::dlsym(handle, "trajplot_abi_version"), reinterpret_cast<void*>(&trajplot_abi_version));
    ::dlclose(handle);
    EXPECT_EQ(::dlopen("libtrajplot.so.1", RTLD_NOW | RTLD_NOLOAD), nullptr);
}

TEST(CapiVersion, ReleaseVersionMatchesHeader) {
    int major = -1, minor = -1, patch = -1;
    trajplot_version(&major, &minor, &patch);
    EXPECT_EQ(major, TRAJPLOT_VERSION_MAJOR);
    EXPECT_EQ(minor, TRAJPLOT_VERSION_MINOR);
    EXPECT_EQ(patch, TRAJPLOT_VERSION_PATCH);
}

TEST(CapiVersion, AcceptsNullPointers) {
    int minor = -1;
    trajplot_version(nullptr, &minor, nullptr);
    EXPECT_EQ(minor, TRAJPLOT_VERSION_MINOR);
    trajplot_version(nullptr, nullptr, nullptr);
}

TEST(CapiErrorState, FreshThreadHasEmptyMessageAndOkStatus) {
    // A new thread has never failed a call.
    const char* message = nullptr;
    trajplot_status status = TRAJPLOT_ERROR;
    std::thread([&] {
        message = trajplot_error_last();
        status = trajplot_error_last_status();
    }).join();
    ASSERT_NE(message, nullptr);
    EXPECT_STREQ(message, "");
    EXPECT_EQ(status, TRAJPLOT_OK);
}

TEST(CapiErrorState, FailureSetsMessageAndClearForgetsIt) {
    trajplot_error_clear();
    EXPECT_EQ(trajplot_statistic_stride(nullptr, nullptr, 1), TRAJPLOT_EINVAL);
    EXPECT_EQ(trajplot_error_last_status(), TRAJPLOT_EINVAL);
    EXPECT_STRNE(trajplot_error_last(), "");

    trajplot_error_clear();
    ASSERT_NE(trajplot_error_last(), nullptr);
    EXPECT_STREQ(trajplot_error_last(), "");
    EXPECT_EQ(trajplot_error_last_status(), TRAJPLOT_OK);
}

TEST(CapiErrorState, SuccessfulCallKeepsTheLastError) {
    trajplot_error_clear();
    char* out = sentinel_string();
    EXPECT_EQ(trajplot_trunc_string_left(&out, nullptr, nullptr, 3, 3), TRAJPLOT_EINVAL);
    const std::string failure = trajplot_error_last();

    ASSERT_TRAJPLOT_OK(trajplot_trunc_string_left(&out, nullptr, "abc", 3, 3));
    trajplot_string_free(out);
    EXPECT_EQ(trajplot_error_last(), failure);
    EXPECT_EQ(trajplot_error_last_status(), TRAJPLOT_EINVAL);
}

TEST(CapiErrorState, MessagesAreThreadLocal) {
    trajplot_error_clear();
    EXPECT_EQ(trajplot_statistic_clip(nullptr, nullptr, 0, 1), TRAJPLOT_EINVAL);
    const std::string here = trajplot_error_last();

    std::string there = "unset";
    trajplot_status there_status = TRAJPLOT_ERROR;
    std::thread([&] {
        char* out = nullptr;
        EXPECT_EQ(trajplot_trunc_string_left(&out, nullptr, nullptr, 1, 1), TRAJPLOT_EINVAL);
        there = trajplot_error_last();
        trajplot_error_clear();
        there_status = trajplot_error_last_status();
    }).join();

    EXPECT_NE(there.find("trajplot_trunc_string_left"), std::string::npos) << there;
    EXPECT_EQ(there_status, TRAJPLOT_OK);
    // The other thread's failure and clear did not touch this thread's error.
    EXPECT_EQ(trajplot_error_last(), here);
    EXPECT_EQ(trajplot_error_last_status(), TRAJPLOT_EINVAL);
}

TEST(CapiFree, FreeFunctionsAcceptNull) {
    trajplot_string_free(nullptr);
    trajplot_labels_free(nullptr);
    trajplot_statistic_free(nullptr);
    trajplot_figure_free(nullptr);
    trajplot_vocabulary_free(nullptr);
    trajplot_trajectory_free(nullptr);
    trajplot_comparison_free(nullptr);
}

// ---------------------------------------------------------------------------
// trajplot_default_threads

namespace {

constexpr const char* affinity_child_variable = "TRAJPLOT_TEST_AFFINITY_CHILD";

}  // namespace

TEST(CapiDefaultThreads, AtLeastOneAndNoMoreThanTheProcessMayRunOn) {
    const std::size_t threads = trajplot_default_threads();
    EXPECT_GE(threads, 1u);
    EXPECT_EQ(trajplot_default_threads(), threads) << "the count changes from call to call";
    // A child of the test below is restricted to one CPU after the count
    // may have been taken: only that test checks it there.
    if (std::getenv(affinity_child_variable) != nullptr) return;
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ASSERT_EQ(::sched_getaffinity(0, sizeof allowed, &allowed), 0);
    EXPECT_LE(threads, static_cast<std::size_t>(CPU_COUNT(&allowed)));
    if (const unsigned cores = std::thread::hardware_concurrency(); cores != 0) {
        EXPECT_LE(threads, cores);
    }
}

// A process started on one CPU gets one thread, however many the machine
// has. The count is taken once per process, so this test runs itself again
// in a child restricted to one CPU before it starts.
TEST(CapiDefaultThreads, FollowsTheAffinityOfTheProcess) {
    if (std::getenv(affinity_child_variable) != nullptr) {
        EXPECT_EQ(trajplot_default_threads(), 1u);
        return;
    }
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ASSERT_EQ(::sched_getaffinity(0, sizeof allowed, &allowed), 0);
    int first_cpu = 0;
    while (first_cpu < CPU_SETSIZE && !CPU_ISSET(first_cpu, &allowed)) ++first_cpu;
    ASSERT_LT(first_cpu, CPU_SETSIZE);

    // The path, not /proc/self/exe itself, so that this also works under
    // valgrind, which answers readlink with the program it runs.
    char program[4096];
    const ssize_t program_len = ::readlink("/proc/self/exe", program, sizeof program - 1);
    ASSERT_GT(program_len, 0);
    program[program_len] = '\0';
    const std::string filter = "--gtest_filter=CapiDefaultThreads.*";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first_cpu, &one);
        if (::sched_setaffinity(0, sizeof one, &one) != 0) ::_exit(3);
        ::setenv(affinity_child_variable, "1", 1);
        char* const argv[] = {program, const_cast<char*>(filter.c_str()), const_cast<char*>("--gtest_brief=1"),
                              nullptr};
        ::execv(program, argv);
        ::_exit(4);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the child's checks failed; 3: sched_setaffinity failed; 4: exec failed";
}

// ---------------------------------------------------------------------------
// trunc_string_left

namespace {

std::string trunc(std::string_view text, std::size_t new_len) {
    char* out = nullptr;
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_trunc_string_left(&out, &len, text.data(), text.size(), new_len), TRAJPLOT_OK)
        << trajplot_error_last();
    const StringPtr owned(out);
    if (out == nullptr) return "<failed>";
    EXPECT_EQ(out[len], '\0') << "the result is not NUL-terminated at its byte length";
    return std::string(out, len);
}

}  // namespace

TEST(CapiTruncStringLeft, KeepsTheLastCharacters) {
    EXPECT_EQ(trunc("hello", 3), "llo");
    EXPECT_EQ(trunc("hello", 5), "hello");
    EXPECT_EQ(trunc("hello", 0), "");
}

TEST(CapiTruncStringLeft, PadsShortStringsOnTheLeft) {
    EXPECT_EQ(trunc("ab", 5), "   ab");
    EXPECT_EQ(trunc("", 2), "  ");
}

TEST(CapiTruncStringLeft, CountsCodePointsNotBytes) {
    // "Δ0.00%" is 6 code points (7 bytes).
    EXPECT_EQ(trunc("\xCE\x94"
                    "0.00%",
                    6),
              "\xCE\x94"
              "0.00%");
    EXPECT_EQ(trunc("\xCE\x94"
                    "0.00%",
                    7),
              " \xCE\x94"
              "0.00%");
    EXPECT_EQ(trunc("\xCE\x94"
                    "0.00%",
                    5),
              "0.00%");
    EXPECT_EQ(trunc("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2), "\xE6\x9C\xAC\xE8\xAA\x9E");  // 日本語 -> 本語
    EXPECT_EQ(trunc("\xF0\x9F\x98\x80x", 2), "\xF0\x9F\x98\x80x");                            // 😀x
}

TEST(CapiTruncStringLeft, ReplacesInvalidUtf8BeforeCounting) {
    // The stray byte becomes U+FFFD, one code point.
    EXPECT_EQ(trunc("a\xFF"
                    "b",
                    3),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(trunc("a\xFF"
                    "b",
                    2),
              "\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(trunc("\xFF", 3), "  \xEF\xBF\xBD");
}

TEST(CapiTruncStringLeft, LengthMayBeNull) {
    char* out = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_trunc_string_left(&out, nullptr, "xyz", 3, 4));
    const StringPtr owned(out);
    EXPECT_STREQ(out, " xyz");
}

TEST(CapiTruncStringLeft, EmbeddedNulBytesAreCharacters) {
    const std::string a_nul_b("a\0b", 3);
    EXPECT_EQ(trunc(a_nul_b, 3), a_nul_b);
    EXPECT_EQ(trunc(a_nul_b, 2), std::string("\0b", 2));
    EXPECT_EQ(trunc(a_nul_b, 5), std::string("  a\0b", 5));
    EXPECT_EQ(trunc(std::string("\0", 1), 3), std::string("  \0", 3));
    EXPECT_EQ(trunc(std::string("x\0\xCE\x94\0", 5), 3), std::string("\0\xCE\x94\0", 4));
    EXPECT_EQ(trunc(std::string("\0\0\0\0", 4), 2), std::string("\0\0", 2));
}

TEST(CapiTruncStringLeft, ReadsOnlyStringLenBytes) {
    // No NUL terminator is looked for: the bytes after string_len are not
    // part of the string.
    const char hello[] = {'h', 'e', 'l', 'l', 'o'};
    EXPECT_EQ(trunc(std::string_view(hello, 3), 5), "  hel");
    EXPECT_EQ(trunc(std::string_view(hello, 5), 2), "lo");
    EXPECT_EQ(trunc(std::string_view("abc", 0), 2), "  ");
    // A multi-byte character cut by string_len is invalid UTF-8, replaced.
    EXPECT_EQ(trunc(std::string_view("x\xCE\x94", 2), 2), "x\xEF\xBF\xBD");
}

TEST(CapiTruncStringLeft, EmptyStringMayBeNull) {
    char* out = nullptr;
    std::size_t len = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_trunc_string_left(&out, &len, nullptr, 0, 2));
    const StringPtr owned(out);
    EXPECT_EQ(std::string(out, len), "  ");
}

TEST(CapiTruncStringLeft, NullArgumentsAreInvalid) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(&out, &len, nullptr, 3, 3), TRAJPLOT_EINVAL,
                          "trajplot_trunc_string_left", "string");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(nullptr, &len, "abc", 3, 3), TRAJPLOT_EINVAL,
                          "trajplot_trunc_string_left", "out");
    EXPECT_EQ(len, sentinel_size);
}

TEST(CapiTruncStringLeft, HugeLengthIsARangeErrorNotAnAllocation) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(&out, &len, "abc", 3, SIZE_MAX), TRAJPLOT_ERANGE,
                          "trajplot_trunc_string_left", "new_len");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
}
