// The SPEC file of `trajplot render`: a JSON mirror of the trajectory data
// model, read and checked completely before anything is handed to the
// library, so that every problem is reported with its JSON path.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trajplot_cli {

struct LabelsSpec {
    std::vector<std::string> label_strings;  // n_layers x seq_len, row-major
    // n_layers x seq_len x hover_rows x hover_cols, row-major; empty when
    // the spec has no hover tables.
    std::vector<std::string> hover_entries;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
};

struct StatisticSpec {
    std::string name;
    std::size_t n_layers = 0;
    std::size_t seq_len = 0;
    std::vector<float> stats;  // n_layers x seq_len, row-major; null is NaN
    std::optional<std::string> units;
    std::optional<std::vector<std::string>> sequence_labels;
    std::optional<LabelsSpec> trajectory_labels;
    std::optional<float> min;
    std::optional<float> max;
    bool includes_output = true;
    std::optional<std::vector<std::string>> layer_labels;
};

// Parses and checks a SPEC document. `source` names where the text came
// from, for the message when it is not JSON at all. Throws CliError (bad
// input) naming the JSON path of the first problem, e.g.
// "spec.stats[2] has 5 values, expected 7".
StatisticSpec parse_spec(std::string_view text, std::string_view source);

// The message of a JSON parse error, without the library's exception id.
std::string json_error_text(std::string message);

}  // namespace trajplot_cli
