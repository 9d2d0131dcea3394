// Owning handles for what the CLI gets from libtrajplot, and the one way it
// turns a failed library call into an error of its own.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

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

// A word of the library's messages and what the user knows it by, e.g.
// {"div_id", "--div-id"}.
struct Term {
    std::string library;
    std::string user;
};

// A library message without the C function's name it starts with
// ("trajplot_figure_save: cannot write ..." -> "cannot write ...").
std::string_view without_function_name(std::string_view message);

// A library message in the user's terms: without the C function's name
// ("trajplot_figure_create: "), panels counted from 1 ("panels[1]" is
// "panel 2"), values in single quotes rather than double, and each word of
// `terms` (whole words, in one pass, the first listed winning) replaced by
// what the user calls it. The words of the options every command shares
// (the trajectory options' fields, div_id, extra_json, ...) are translated
// without being listed.
std::string user_terms(std::string_view message, std::span<const Term> terms = {});

// A failed call becomes a bad-input error carrying the library's message in
// the user's terms (user_terms), which names the field and the value.
inline void check(trajplot_status status, std::span<const Term> terms = {}) {
    if (status != TRAJPLOT_OK) {
        fail_input(user_terms(trajplot_error_last(), terms));
    }
}

}  // namespace trajplot_cli
