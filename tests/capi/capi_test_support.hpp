// Helpers for the C API tests. They see the library as a foreign caller
// does: through trajplot.h and the shared library only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "trajplot.h"

// Asserts that a call succeeded, showing the library's message otherwise.
#define ASSERT_TRAJPLOT_OK(expr)                                                                       \
    do {                                                                                               \
        const trajplot_status trajplot_status_ = (expr);                                               \
        ASSERT_EQ(trajplot_status_, TRAJPLOT_OK) << #expr << " failed: " << trajplot_error_last();     \
    } while (0)

#define EXPECT_TRAJPLOT_OK(expr)                                                                       \
    do {                                                                                               \
        const trajplot_status trajplot_status_ = (expr);                                               \
        EXPECT_EQ(trajplot_status_, TRAJPLOT_OK) << #expr << " failed: " << trajplot_error_last();     \
    } while (0)

namespace capi_test {

// Checks a failed call: its status, the thread's recorded status, and a
// message that starts with the function's name and mentions every one of
// `mentions`.
inline void expect_failure(trajplot_status got, trajplot_status expected, std::string_view function,
                           std::initializer_list<std::string_view> mentions) {
    EXPECT_EQ(got, expected) << "message: " << trajplot_error_last();
    EXPECT_EQ(trajplot_error_last_status(), expected);
    const std::string message = trajplot_error_last();
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.rfind(std::string(function) + ": ", 0), 0u) << "message: " << message;
    for (const std::string_view mention : mentions) {
        EXPECT_NE(message.find(mention), std::string::npos)
            << "message does not mention \"" << mention << "\": " << message;
    }
}

// Runs `expr`, which must fail with `status`, and checks the message.
#define EXPECT_TRAJPLOT_FAILS(expr, status, function, ...)                                            \
    do {                                                                                               \
        SCOPED_TRACE(#expr);                                                                           \
        trajplot_error_clear();                                                                        \
        ::capi_test::expect_failure((expr), (status), (function), {__VA_ARGS__});                      \
    } while (0)

// Values that outputs are preset to, to prove failed calls leave them alone.
inline trajplot_statistic* sentinel_statistic() {
    static char storage;
    return reinterpret_cast<trajplot_statistic*>(&storage);
}
inline trajplot_labels* sentinel_labels() {
    static char storage;
    return reinterpret_cast<trajplot_labels*>(&storage);
}
inline char* sentinel_string() {
    static char storage[] = "sentinel";
    return storage;
}
inline const char* sentinel_const_string() { return "const sentinel"; }
constexpr std::size_t sentinel_size = 0x5EB71E7u;
constexpr float sentinel_float = -12345.5f;

struct LabelsDeleter {
    void operator()(trajplot_labels* labels) const noexcept { trajplot_labels_free(labels); }
};
struct StatisticDeleter {
    void operator()(trajplot_statistic* statistic) const noexcept { trajplot_statistic_free(statistic); }
};
struct StringDeleter {
    void operator()(char* string) const noexcept { trajplot_string_free(string); }
};
using LabelsPtr = std::unique_ptr<trajplot_labels, LabelsDeleter>;
using StatisticPtr = std::unique_ptr<trajplot_statistic, StatisticDeleter>;
using StringPtr = std::unique_ptr<char, StringDeleter>;

// Pointers to NUL-terminated copies kept alive by the vector itself.
inline std::vector<const char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<const char*> pointers;
    pointers.reserve(strings.size());
    for (const std::string& string : strings) pointers.push_back(string.c_str());
    return pointers;
}

inline std::vector<std::size_t> byte_lengths(const std::vector<std::string>& strings) {
    std::vector<std::size_t> lengths;
    lengths.reserve(strings.size());
    for (const std::string& string : strings) lengths.push_back(string.size());
    return lengths;
}

// Labels from row-major strings, with an optional rows x cols hover table
// per cell; fails the test (returning NULL) when creation fails.
inline LabelsPtr make_labels(std::size_t n_layers, std::size_t seq_len, const std::vector<std::string>& labels,
                             const std::vector<std::string>& hover = {}, std::size_t rows = 0,
                             std::size_t cols = 0) {
    const auto label_pointers = c_strings(labels);
    const auto label_lengths = byte_lengths(labels);
    const auto hover_pointers = c_strings(hover);
    const auto hover_lengths = byte_lengths(hover);
    trajplot_labels* created = nullptr;
    const trajplot_status status = trajplot_labels_create(
        &created, n_layers, seq_len, label_pointers.data(), label_lengths.data(),
        hover.empty() ? nullptr : hover_pointers.data(), hover.empty() ? nullptr : hover_lengths.data(), rows,
        cols);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return LabelsPtr(created);
}

inline StatisticPtr make_statistic(const char* name, const std::vector<float>& stats, std::size_t n_layers,
                                   std::size_t seq_len, const trajplot_statistic_options* options = nullptr) {
    trajplot_statistic* created = nullptr;
    const trajplot_status status =
        trajplot_statistic_create(&created, name, stats.data(), n_layers, seq_len, options);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return StatisticPtr(created);
}

inline std::string borrowed(const char* text, std::size_t len) { return std::string(text, len); }

inline std::vector<float> read_stats(const trajplot_statistic* statistic) {
    std::size_t n_layers = 0, seq_len = 0;
    EXPECT_EQ(trajplot_statistic_shape(&n_layers, &seq_len, statistic), TRAJPLOT_OK) << trajplot_error_last();
    std::vector<float> values(n_layers * seq_len, sentinel_float);
    EXPECT_EQ(trajplot_statistic_stats(values.data(), values.size(), statistic), TRAJPLOT_OK)
        << trajplot_error_last();
    return values;
}

inline std::vector<std::string> read_layer_labels(const trajplot_statistic* statistic) {
    std::size_t n_layers = 0;
    EXPECT_EQ(trajplot_statistic_shape(&n_layers, nullptr, statistic), TRAJPLOT_OK) << trajplot_error_last();
    std::vector<std::string> labels;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        const char* text = nullptr;
        std::size_t len = 0;
        EXPECT_EQ(trajplot_statistic_layer_label(&text, &len, statistic, layer), TRAJPLOT_OK)
            << trajplot_error_last();
        labels.emplace_back(text, len);
    }
    return labels;
}

inline std::string figure_json(const trajplot_statistic* statistic, const trajplot_figure_options* options) {
    char* json = nullptr;
    std::size_t len = 0;
    EXPECT_EQ(trajplot_statistic_figure_json(&json, &len, statistic, options), TRAJPLOT_OK)
        << trajplot_error_last();
    const StringPtr owned(json);
    return json != nullptr ? std::string(json, len) : std::string();
}

inline std::string heatmap_json(const trajplot_statistic* statistic, const trajplot_figure_options* options) {
    char* json = nullptr;
    std::size_t len = 0;
    EXPECT_EQ(trajplot_statistic_heatmap_json(&json, &len, statistic, options), TRAJPLOT_OK)
        << trajplot_error_last();
    const StringPtr owned(json);
    return json != nullptr ? std::string(json, len) : std::string();
}

// Stats whose value names its cell: layer * 10 + position.
inline std::vector<float> numbered_stats(std::size_t n_layers, std::size_t seq_len) {
    std::vector<float> stats;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < seq_len; ++position) {
            stats.push_back(static_cast<float>(layer * 10 + position));
        }
    }
    return stats;
}

}  // namespace capi_test
