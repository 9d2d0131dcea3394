// Owning handles for what the CLI gets from libtrajplot, and the one way it
// turns a failed library call into an error of its own.
#pragma once

#include <memory>

#include "cli_error.hpp"
#include "trajplot.h"

namespace trajplot_cli {

struct LabelsDeleter {
    void operator()(trajplot_labels* labels) const noexcept { trajplot_labels_free(labels); }
};
struct StatisticDeleter {
    void operator()(trajplot_statistic* statistic) const noexcept { trajplot_statistic_free(statistic); }
};
struct VocabularyDeleter {
    void operator()(trajplot_vocabulary* vocabulary) const noexcept { trajplot_vocabulary_free(vocabulary); }
};
struct TrajectoryDeleter {
    void operator()(trajplot_trajectory* trajectory) const noexcept { trajplot_trajectory_free(trajectory); }
};
struct ComparisonDeleter {
    void operator()(trajplot_comparison* comparison) const noexcept { trajplot_comparison_free(comparison); }
};
struct FigureDeleter {
    void operator()(trajplot_figure* figure) const noexcept { trajplot_figure_free(figure); }
};
struct LibraryStringDeleter {
    void operator()(char* string) const noexcept { trajplot_string_free(string); }
};

using LabelsHandle = std::unique_ptr<trajplot_labels, LabelsDeleter>;
using StatisticHandle = std::unique_ptr<trajplot_statistic, StatisticDeleter>;
using VocabularyHandle = std::unique_ptr<trajplot_vocabulary, VocabularyDeleter>;
using TrajectoryHandle = std::unique_ptr<trajplot_trajectory, TrajectoryDeleter>;
using ComparisonHandle = std::unique_ptr<trajplot_comparison, ComparisonDeleter>;
using FigureHandle = std::unique_ptr<trajplot_figure, FigureDeleter>;
using LibraryString = std::unique_ptr<char, LibraryStringDeleter>;

// A failed call becomes a bad-input error carrying the library's message,
// which names the function, the field and the value.
inline void check(trajplot_status status) {
    if (status != TRAJPLOT_OK) {
        fail_input(trajplot_error_last());
    }
}

}  // namespace trajplot_cli
