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
#define ASSERT_TRAJPLOT_OK(expr)                                                                   \
    do {                                                                                           \
        const trajplot_status trajplot_status_ = (expr);                                           \
        ASSERT_EQ(trajplot_status_, TRAJPLOT_OK) << #expr << " failed: " << trajplot_error_last(); \
    } while (0)

#define EXPECT_TRAJPLOT_OK(expr)                                                                   \
    do {                                                                                           \
        const trajplot_status trajplot_status_ = (expr);                                           \
        EXPECT_EQ(trajplot_status_, TRAJPLOT_OK) << #expr << " failed: " << trajplot_error_last(); \
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
#define EXPECT_TRAJPLOT_FAILS(expr, status, function, ...)                        \
    do {                                                                          \
        SCOPED_TRACE(#expr);                                                      \
        trajplot_error_clear();                                                   \
        ::capi_test::expect_failure((expr), (status), (function), {__VA_ARGS__}); \
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
                             const std::vector<std::string>& hover = {}, std::size_t rows = 0, std::size_t cols = 0) {
    const auto label_pointers = c_strings(labels);
    const auto label_lengths = byte_lengths(labels);
    const auto hover_pointers = c_strings(hover);
    const auto hover_lengths = byte_lengths(hover);
    trajplot_labels* created = nullptr;
    const trajplot_status status = trajplot_labels_create(
        &created, n_layers, seq_len, label_pointers.data(), label_lengths.data(),
        hover.empty() ? nullptr : hover_pointers.data(), hover.empty() ? nullptr : hover_lengths.data(), rows, cols);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return LabelsPtr(created);
}

inline StatisticPtr make_statistic(const char* name, const std::vector<float>& stats, std::size_t n_layers,
                                   std::size_t seq_len, const trajplot_statistic_options* options = nullptr) {
    trajplot_statistic* created = nullptr;
    const trajplot_status status = trajplot_statistic_create(&created, name, stats.data(), n_layers, seq_len, options);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return StatisticPtr(created);
}

inline std::string borrowed(const char* text, std::size_t len) { return std::string(text, len); }

inline std::vector<float> read_stats(const trajplot_statistic* statistic) {
    std::size_t n_layers = 0, seq_len = 0;
    EXPECT_EQ(trajplot_statistic_shape(&n_layers, &seq_len, statistic), TRAJPLOT_OK) << trajplot_error_last();
    std::vector<float> values(n_layers * seq_len, sentinel_float);
    EXPECT_EQ(trajplot_statistic_stats(values.data(), values.size(), statistic), TRAJPLOT_OK) << trajplot_error_last();
    return values;
}

inline std::vector<std::string> read_layer_labels(const trajplot_statistic* statistic) {
    std::size_t n_layers = 0;
    EXPECT_EQ(trajplot_statistic_shape(&n_layers, nullptr, statistic), TRAJPLOT_OK) << trajplot_error_last();
    std::vector<std::string> labels;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        const char* text = nullptr;
        std::size_t len = 0;
        EXPECT_EQ(trajplot_statistic_layer_label(&text, &len, statistic, layer), TRAJPLOT_OK) << trajplot_error_last();
        labels.emplace_back(text, len);
    }
    return labels;
}

struct FigureDeleter {
    void operator()(trajplot_figure* figure) const noexcept { trajplot_figure_free(figure); }
};
using FigurePtr = std::unique_ptr<trajplot_figure, FigureDeleter>;

inline trajplot_figure* sentinel_figure() {
    static char storage;
    return reinterpret_cast<trajplot_figure*>(&storage);
}

// The figure of one statistic; fails the test (returning NULL) when
// creation fails.
inline FigurePtr make_figure(const trajplot_statistic* statistic, const trajplot_panel_options* panel = nullptr,
                             const trajplot_figure_options* options = nullptr) {
    trajplot_figure* created = nullptr;
    const trajplot_status status = trajplot_figure_create(&created, statistic, panel, options);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return FigurePtr(created);
}

// A stacked figure; `panels` empty passes NULL (every panel's defaults).
inline FigurePtr make_stacked(const std::vector<const trajplot_statistic*>& statistics,
                              const std::vector<const trajplot_panel_options*>& panels = {},
                              const trajplot_figure_options* options = nullptr) {
    trajplot_figure* created = nullptr;
    const trajplot_status status = trajplot_figure_create_stacked(
        &created, statistics.data(), panels.empty() ? nullptr : panels.data(), statistics.size(), options);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    return FigurePtr(created);
}

inline trajplot_export_options export_options(int format) {
    trajplot_export_options options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    options.format = format;
    return options;
}

// The export as a string, checking that the reported length agrees with
// the NUL terminator; "" (and a test failure) when the export fails.
inline std::string export_string(const trajplot_figure* figure, const trajplot_export_options* options = nullptr) {
    char* text = nullptr;
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_figure_export(&text, &len, figure, options), TRAJPLOT_OK) << trajplot_error_last();
    const StringPtr owned(text);
    if (text == nullptr) return std::string();
    EXPECT_EQ(text[len], '\0');
    return std::string(text, len);
}

inline std::string export_string(const trajplot_figure* figure, int format) {
    const trajplot_export_options options = export_options(format);
    return export_string(figure, &options);
}

// What a stream's write function received: every piece, in order. It stops
// the export (returning stop_value) at call number stop_at (1-based; 0:
// never).
struct StreamCapture {
    std::string bytes;
    std::size_t calls = 0;
    std::size_t stop_at = 0;
    int stop_value = 1;
    std::size_t calls_after_stop = 0;
    bool stopped = false;
};

inline int capture_piece(void* user, const char* data, std::size_t len) {
    auto& capture = *static_cast<StreamCapture*>(user);
    if (capture.stopped) {
        ++capture.calls_after_stop;
        return capture.stop_value;
    }
    ++capture.calls;
    capture.bytes.append(data, len);
    if (capture.stop_at != 0 && capture.calls == capture.stop_at) {
        capture.stopped = true;
        return capture.stop_value;
    }
    return 0;
}

// The export through trajplot_figure_stream; "" (and a test failure) when
// it fails.
inline std::string stream_string(const trajplot_figure* figure, const trajplot_export_options* options = nullptr) {
    StreamCapture capture;
    EXPECT_EQ(trajplot_figure_stream(figure, options, capture_piece, &capture), TRAJPLOT_OK) << trajplot_error_last();
    return capture.bytes;
}

// The figure JSON, the trace JSON or the page of a figure of one statistic.
inline std::string figure_json(const trajplot_statistic* statistic, const trajplot_panel_options* panel = nullptr,
                               const trajplot_figure_options* options = nullptr) {
    const FigurePtr figure = make_figure(statistic, panel, options);
    return figure ? export_string(figure.get(), TRAJPLOT_FORMAT_FIGURE_JSON) : std::string();
}

inline std::string trace_json(const trajplot_statistic* statistic, const trajplot_panel_options* panel = nullptr,
                              const trajplot_figure_options* options = nullptr) {
    const FigurePtr figure = make_figure(statistic, panel, options);
    return figure ? export_string(figure.get(), TRAJPLOT_FORMAT_TRACE_JSON) : std::string();
}

inline std::string html_page(const trajplot_statistic* statistic, const trajplot_panel_options* panel,
                             const trajplot_figure_options* options, const trajplot_export_options* html) {
    const FigurePtr figure = make_figure(statistic, panel, options);
    if (!figure) return std::string();
    trajplot_export_options page = html != nullptr ? *html : export_options(TRAJPLOT_FORMAT_HTML);
    page.format = TRAJPLOT_FORMAT_HTML;
    return export_string(figure.get(), &page);
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
