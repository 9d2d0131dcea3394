// Small builders and checks shared by several core test files.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ios>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
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
        trajplot::TextArray<4>::from_strings({2, 3, 1, 2}, {"x", "0.5", "yy", "0.25", "z", "1", "p", "0.125", "qqqq",
                                                            "1", "r", "0.75"}));
    return trajplot::TrajectoryStatistic(std::move(fields));
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Strings directory_entries(const std::filesystem::path& directory) {
    Strings entries;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        entries.push_back(entry.path().filename().string());
    }
    return entries;
}

}  // namespace trajplot_test
