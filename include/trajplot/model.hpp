// The trajectory data model: TrajectoryLabels and TrajectoryStatistic,
// immutable values mirroring tuned_lens.plotting.trajectory_plotting.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "trajplot/text_array.hpp"

namespace trajplot {

// Rows kept by a layer stride: 0, k, 2k, ... taken from all rows but the
// last, then the last row. Throws Error for stride 0.
std::vector<std::size_t> stride_keep_last(std::size_t n_rows, std::size_t stride);

// The hovertemplate and per-cell customdata Plotly uses to show hover tables.
struct HoverTemplate {
    std::string hovertemplate;
    TextArray<3> customdata;  // n_layers x seq_len x (rows * cols), padded entries
};

// Labels for each layer and position: the text drawn in each cell and,
// optionally, a rows x cols table shown when hovering it.
class TrajectoryLabels {
public:
    // label_strings: n_layers x seq_len; hover_over_entries: n_layers x
    // seq_len x rows x cols. Throws Error when the shapes disagree or a
    // dimension is 0.
    explicit TrajectoryLabels(TextArray<2> label_strings,
                              std::optional<TextArray<4>> hover_over_entries = std::nullopt);

    const TextArray<2>& label_strings() const noexcept { return label_strings_; }
    const std::optional<TextArray<4>>& hover_over_entries() const noexcept { return hover_over_entries_; }
    std::size_t n_layers() const noexcept { return label_strings_.shape()[0]; }
    std::size_t seq_len() const noexcept { return label_strings_.shape()[1]; }

    TrajectoryLabels stride(std::size_t stride) const;

    // Width of each hover column: min(1 + longest entry of that column,
    // col_width_limit), in code points. Throws without hover entries or for
    // a limit of 0.
    std::vector<std::size_t> hover_column_widths(std::size_t col_width_limit = 10) const;

    // The longest label in code points: the text a cell must hold.
    std::size_t longest_label() const noexcept { return longest_label_; }

    // The hovertemplate "%{customdata[0]}...<br>...<extra></extra>" for a
    // rows x cols table.
    static std::string hovertemplate(std::size_t rows, std::size_t cols);

    HoverTemplate template_and_customdata(std::size_t col_width_limit = 10) const;

private:
    TextArray<2> label_strings_;
    std::optional<TextArray<4>> hover_over_entries_;
    std::vector<std::size_t> longest_hover_entries_;  // per column, in code points
    std::size_t longest_label_ = 0;                   // in code points
};

// A statistic (entropy, KL, rank, ...) at every layer and position of the
// residual stream, with what is needed to draw it.
class TrajectoryStatistic {
public:
    // Every field but name and stats is optional, as in the reference.
    struct Fields {
        std::string name{};
        xt::xtensor<float, 2> stats{};                  // n_layers x seq_len
        std::optional<TextArray<1>> sequence_labels{};  // seq_len
        std::shared_ptr<const TrajectoryLabels> trajectory_labels{};
        std::optional<std::string> units{};
        std::optional<float> max{};
        std::optional<float> min{};
        bool includes_output = true;
        std::optional<TextArray<1>> layer_labels{};  // n_layers; derived when absent
    };

    // Checks every invariant of docs/behaviour.md (section 1); throws Error naming the field
    // and both shapes on a violation.
    explicit TrajectoryStatistic(Fields fields);

    const std::string& name() const noexcept { return name_; }
    const xt::xtensor<float, 2>& stats() const noexcept { return stats_; }
    std::size_t n_layers() const noexcept { return stats_.shape()[0]; }
    std::size_t seq_len() const noexcept { return stats_.shape()[1]; }
    const std::optional<TextArray<1>>& sequence_labels() const noexcept { return sequence_labels_; }
    const std::shared_ptr<const TrajectoryLabels>& trajectory_labels() const noexcept { return trajectory_labels_; }
    const std::optional<std::string>& units() const noexcept { return units_; }
    std::optional<float> max() const noexcept { return max_; }
    std::optional<float> min() const noexcept { return min_; }
    bool includes_output() const noexcept { return includes_output_; }
    // Given, or "0", "1", ..., with "output" for the last layer when
    // includes_output.
    const TextArray<1>& layer_labels() const noexcept { return layer_labels_; }

    // Keeps layers 0, k, 2k, ... and the last, of stats, trajectory labels
    // and layer labels.
    TrajectoryStatistic stride(std::size_t stride) const;

    // Values clamped into [min, max] (NaN stays NaN), with [min, max] as the
    // colour range. Throws unless min < max.
    TrajectoryStatistic clip(float min, float max) const;

private:
    TrajectoryStatistic() = default;
    TrajectoryStatistic copy_without_stats() const;

    std::string name_;
    xt::xtensor<float, 2> stats_;
    std::optional<TextArray<1>> sequence_labels_;
    std::shared_ptr<const TrajectoryLabels> trajectory_labels_;
    std::optional<std::string> units_;
    std::optional<float> max_;
    std::optional<float> min_;
    bool includes_output_ = true;
    TextArray<1> layer_labels_;
};

}  // namespace trajplot
