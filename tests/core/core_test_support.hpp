// Small builders and checks shared by several core test files.
#pragma once

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ios>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "trajplot/error.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text_array.hpp"

namespace trajplot_test {

using Strings = std::vector<std::string>;

inline constexpr float nan_value = std::numeric_limits<float>::quiet_NaN();
inline constexpr float inf_value = std::numeric_limits<float>::infinity();

// The trajplot::Error `action` throws. Anything else, or nothing, is a test
// failure; the Error returned then only lets the caller's checks run on.
inline trajplot::Error error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const trajplot::Error& error) {
        return error;
    } catch (const std::exception& other) {
        ADD_FAILURE() << "threw a non-trajplot exception: " << other.what();
        return trajplot::Error(trajplot::Errc::io, "unexpected exception");
    }
    ADD_FAILURE() << "did not throw";
    return trajplot::Error(trajplot::Errc::io, "no exception");
}

inline trajplot::TrajectoryStatistic::Fields fields_with(xt::xtensor<float, 2> stats, std::string name = "Entropy") {
    trajplot::TrajectoryStatistic::Fields fields;
    fields.name = std::move(name);
    fields.stats = std::move(stats);
    return fields;
}

inline trajplot::TrajectoryStatistic statistic_of(xt::xtensor<float, 2> stats) {
    return trajplot::TrajectoryStatistic(fields_with(std::move(stats)));
}

// A statistic that a figure can hold.
inline std::shared_ptr<const trajplot::TrajectoryStatistic> shared(trajplot::TrajectoryStatistic statistic) {
    return std::make_shared<const trajplot::TrajectoryStatistic>(std::move(statistic));
}

// n_layers x seq_len distinct values (i / 7 for the i-th), without labels.
inline trajplot::TrajectoryStatistic counting_statistic(std::size_t n_layers, std::size_t seq_len) {
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({n_layers, seq_len});
    for (std::size_t i = 0; i < stats.size(); ++i) stats.data()[i] = static_cast<float>(i) / 7.0f;
    return statistic_of(std::move(stats));
}

inline trajplot::TextArray<1> text1(const Strings& strings) {
    return trajplot::TextArray<1>::from_strings({strings.size()}, strings);
}

// 2 layers x 3 positions with labels and a 1 x 2 hover table per cell.
inline trajplot::TrajectoryStatistic labelled_statistic() {
    trajplot::TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
    fields.sequence_labels = text1({"The", "cat", "sat"});
    fields.units = "nats";
    fields.trajectory_labels = std::make_shared<const trajplot::TrajectoryLabels>(
        trajplot::TextArray<2>::from_strings({2, 3}, {"a", "bb", "c", "d", "e", "f"}),
        trajplot::TextArray<4>::from_strings(
            {2, 3, 1, 2}, {"x", "0.5", "yy", "0.25", "z", "1", "p", "0.125", "qqqq", "1", "r", "0.75"}));
    return trajplot::TrajectoryStatistic(std::move(fields));
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline Strings directory_entries(const std::filesystem::path& directory) {
    Strings entries;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        entries.push_back(entry.path().filename().string());
    }
    return entries;
}

// An export sink (trajplot::ExportSink) that keeps what it receives.
struct SinkRecorder {
    std::string text;
    std::size_t calls = 0;
    std::function<void(std::string_view)> sink() {
        return [this](std::string_view chunk) {
            text += chunk;
            ++calls;
        };
    }
};

// A stand-in for plotly.min.js: pages that inline it are only read, never
// run. It holds '<' and '&' to show that inlined code is not escaped.
inline constexpr std::string_view fake_plotly_js =
    "window.Plotly = {newPlot: function () { return 1 < 2 && 3 > 2; }};\n// fake plotly.js\n";

// Runs `action` with files limited to `max_bytes`, so that writing more fails
// with EFBIG: a real write error, which permissions cannot give a test that
// may run as root. SIGXFSZ is ignored meanwhile so the write fails instead
// of killing the process.
inline void with_file_size_limit(rlim_t max_bytes, const std::function<void()>& action) {
    struct Restore {
        rlimit limit{};
        void (*handler)(int) = SIG_DFL;
        ~Restore() {
            ::setrlimit(RLIMIT_FSIZE, &limit);
            std::signal(SIGXFSZ, handler);
        }
    } restore;
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &restore.limit), 0);
    ASSERT_TRUE(restore.limit.rlim_max == RLIM_INFINITY || restore.limit.rlim_max >= max_bytes);
    restore.handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = restore.limit;
    limited.rlim_cur = max_bytes;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    action();
}

// Gives each test a fresh directory for the files it reads and writes,
// removed after it.
class ScratchDirectory : public testing::Test {
protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        directory_ = std::filesystem::temp_directory_path() / ("trajplot_core_tests_" + std::to_string(::getpid()) +
                                                               "_" + info->test_suite_name() + "_" + info->name());
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }
    std::filesystem::path directory_;
};

}  // namespace trajplot_test
