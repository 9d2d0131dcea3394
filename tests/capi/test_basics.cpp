// Versions, the thread's error state and trajplot_trunc_string_left.
#include <climits>
#include <cstdint>
#include <string>
#include <thread>

#include "capi_test_support.hpp"

using namespace capi_test;

TEST(CapiVersion, AbiVersionMatchesHeader) { EXPECT_EQ(trajplot_abi_version(), TRAJPLOT_ABI_VERSION); }

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
    EXPECT_EQ(trajplot_trunc_string_left(&out, nullptr, nullptr, 3), TRAJPLOT_EINVAL);
    const std::string failure = trajplot_error_last();

    ASSERT_TRAJPLOT_OK(trajplot_trunc_string_left(&out, nullptr, "abc", 3));
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
        EXPECT_EQ(trajplot_trunc_string_left(&out, nullptr, nullptr, 1), TRAJPLOT_EINVAL);
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
}

// ---------------------------------------------------------------------------
// trunc_string_left

namespace {

std::string trunc(const char* text, std::size_t new_len) {
    char* out = nullptr;
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_trunc_string_left(&out, &len, text, new_len), TRAJPLOT_OK) << trajplot_error_last();
    const StringPtr owned(out);
    if (out == nullptr) return "<failed>";
    EXPECT_EQ(len, std::strlen(out)) << "the byte length disagrees with the NUL terminator";
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
    EXPECT_EQ(trunc("\xCE\x94" "0.00%", 6), "\xCE\x94" "0.00%");
    EXPECT_EQ(trunc("\xCE\x94" "0.00%", 7), " \xCE\x94" "0.00%");
    EXPECT_EQ(trunc("\xCE\x94" "0.00%", 5), "0.00%");
    EXPECT_EQ(trunc("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2), "\xE6\x9C\xAC\xE8\xAA\x9E");  // 日本語 -> 本語
    EXPECT_EQ(trunc("\xF0\x9F\x98\x80x", 2), "\xF0\x9F\x98\x80x");                            // 😀x
}

TEST(CapiTruncStringLeft, ReplacesInvalidUtf8BeforeCounting) {
    // The stray byte becomes U+FFFD, one code point.
    EXPECT_EQ(trunc("a\xFF" "b", 3), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(trunc("a\xFF" "b", 2), "\xEF\xBF\xBD" "b");
    EXPECT_EQ(trunc("\xFF", 3), "  \xEF\xBF\xBD");
}

TEST(CapiTruncStringLeft, LengthMayBeNull) {
    char* out = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_trunc_string_left(&out, nullptr, "xyz", 4));
    const StringPtr owned(out);
    EXPECT_STREQ(out, " xyz");
}

TEST(CapiTruncStringLeft, NullArgumentsAreInvalid) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(&out, &len, nullptr, 3), TRAJPLOT_EINVAL,
                          "trajplot_trunc_string_left", "string");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(nullptr, &len, "abc", 3), TRAJPLOT_EINVAL,
                          "trajplot_trunc_string_left", "out");
    EXPECT_EQ(len, sentinel_size);
}

TEST(CapiTruncStringLeft, HugeLengthIsARangeErrorNotAnAllocation) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_trunc_string_left(&out, &len, "abc", SIZE_MAX), TRAJPLOT_ERANGE,
                          "trajplot_trunc_string_left", "new_len");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
}
