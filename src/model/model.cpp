#include "trajplot/model.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "text_internals.hpp"
#include "trajplot/error.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

template <class Shape>
std::string shape_string(const Shape& shape) {
    std::ostringstream out;
    for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? " x " : "") << shape[i];
    return out.str();
}

TextArray<1> derived_layer_labels(std::size_t n_layers, bool includes_output) {
    std::vector<std::string> labels;
    labels.reserve(n_layers);
    for (std::size_t i = 0; i < n_layers; ++i) {
        labels.push_back(includes_output && i + 1 == n_layers ? "output" : std::to_string(i));
    }
    return TextArray<1>::from_strings({n_layers}, labels);
}

void check_range(std::optional<float> min, std::optional<float> max, const char* what) {
    if ((min && std::isnan(*min)) || (max && std::isnan(*max))) {
        fail(Errc::invalid_argument, std::string(what) + ": min and max must not be NaN");
    }
    if (min && max && !(*min < *max)) {
        fail(Errc::invalid_argument, std::string(what) + ": min (" + shortest_string(*min) +
                                         ") must be less than max (" + shortest_string(*max) + ")");
    }
}

}  // namespace

std::vector<std::size_t> stride_keep_last(std::size_t n_rows, std::size_t stride) {
    if (stride < 1) fail(Errc::invalid_argument, "stride must be at least 1, got 0");
    std::vector<std::size_t> rows;
    if (n_rows == 0) return rows;
    // Stepping by comparison rather than by `row += stride`, which wraps
    // for a stride near SIZE_MAX and would keep a row past the last.
    for (std::size_t row = 0; row + 1 < n_rows; row += stride) {
        rows.push_back(row);
        if (stride >= n_rows - 1 - row) break;
    }
    rows.push_back(n_rows - 1);
    return rows;
}

// ---------------------------------------------------------------------------
// TrajectoryLabels

TrajectoryLabels::TrajectoryLabels(TextArray<2> label_strings, std::optional<TextArray<4>> hover_over_entries)
    : label_strings_(std::move(label_strings)), hover_over_entries_(std::move(hover_over_entries)) {
    const auto& shape = label_strings_.shape();
    if (shape[0] == 0 || shape[1] == 0) {
        fail(Errc::invalid_argument,
             "label_strings must have at least one layer and one position, got shape " + shape_string(shape));
    }
    for (std::size_t i = 0; i < label_strings_.size(); ++i) {
        longest_label_ = std::max(longest_label_, label_strings_.flat_code_points(i));
    }
    if (hover_over_entries_) {
        const auto& hover = hover_over_entries_->shape();
        if (hover[0] != shape[0] || hover[1] != shape[1]) {
            fail(Errc::invalid_argument, "hover_over_entries has shape " + shape_string(hover) +
                                             " but label_strings has shape " + shape_string(shape) +
                                             "; the first two dimensions must match");
        }
        if (hover[2] == 0 || hover[3] == 0) {
            fail(Errc::invalid_argument,
                 "hover_over_entries must have at least one row and one column, got shape " + shape_string(hover));
        }
        // Every export pads by these; measure them once.
        const std::size_t cols = hover[3];
        longest_hover_entries_.assign(cols, 0);
        // Row by row rather than a division per entry: labels made from
        // numpy arrays spend a fair part of their creation here.
        for (std::size_t row = 0; row < hover_over_entries_->size(); row += cols) {
            for (std::size_t col = 0; col < cols; ++col) {
                std::size_t& longest = longest_hover_entries_[col];
                longest = std::max(longest, hover_over_entries_->flat_code_points(row + col));
            }
        }
    }
}

TrajectoryLabels TrajectoryLabels::stride(std::size_t stride) const {
    const auto rows = stride_keep_last(n_layers(), stride);
    std::optional<TextArray<4>> hover;
    if (hover_over_entries_) hover = hover_over_entries_->keep_rows(rows);
    return TrajectoryLabels(label_strings_.keep_rows(rows), std::move(hover));
}

std::vector<std::size_t> TrajectoryLabels::hover_column_widths(std::size_t col_width_limit) const {
    if (!hover_over_entries_) fail(Errc::invalid_argument, "the labels have no hover_over_entries");
    if (col_width_limit < 1) fail(Errc::invalid_argument, "col_width_limit must be at least 1, got 0");
    std::vector<std::size_t> widths = longest_hover_entries_;
    for (std::size_t& width : widths) width = std::min(width + 1, col_width_limit);
    return widths;
}

std::string TrajectoryLabels::hovertemplate(std::size_t rows, std::size_t cols) {
    std::string result;
    std::size_t index = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        for (std::size_t col = 0; col < cols; ++col, ++index) {
            result += "%{customdata[" + std::to_string(index) + "]}";
        }
        result += "<br>";
    }
    result += "<extra></extra>";
    return result;
}

HoverTemplate TrajectoryLabels::template_and_customdata(std::size_t col_width_limit) const {
    const auto widths = hover_column_widths(col_width_limit);
    const auto& entries = *hover_over_entries_;
    const auto& shape = entries.shape();
    const std::size_t cols = shape[3];
    HoverTemplate result;
    result.hovertemplate = hovertemplate(shape[2], cols);
    result.customdata = TextArray<3>::build({shape[0], shape[1], shape[2] * cols}, [&](std::size_t i) {
        thread_local std::string padded;
        padded = trunc_string_left(entries.flat(i), widths[i % cols]);
        return std::string_view(padded);
    });
    return result;
}

// ---------------------------------------------------------------------------
// TrajectoryStatistic

TrajectoryStatistic::TrajectoryStatistic(Fields fields)
    : name_(sanitize_utf8(fields.name)),
      stats_(std::move(fields.stats)),
      sequence_labels_(std::move(fields.sequence_labels)),
      trajectory_labels_(std::move(fields.trajectory_labels)),
      max_(fields.max),
      min_(fields.min),
      includes_output_(fields.includes_output) {
    if (fields.units) units_ = sanitize_utf8(*fields.units);
    const auto& shape = stats_.shape();
    if (shape[0] == 0 || shape[1] == 0) {
        fail(Errc::invalid_argument,
             "stats must have at least one layer and one position, got shape " + shape_string(shape));
    }
    if (trajectory_labels_) {
        const auto& labels = trajectory_labels_->label_strings().shape();
        if (labels[0] != shape[0] || labels[1] != shape[1]) {
            fail(Errc::invalid_argument,
                 "trajectory_labels has shape " + shape_string(labels) + " but stats has shape " + shape_string(shape));
        }
    }
    if (sequence_labels_ && sequence_labels_->shape()[0] != shape[1]) {
        fail(Errc::invalid_argument, "sequence_labels has " + std::to_string(sequence_labels_->shape()[0]) +
                                         " entries but stats has " + std::to_string(shape[1]) + " positions (shape " +
                                         shape_string(shape) + ")");
    }
    if (fields.layer_labels) {
        if (fields.layer_labels->shape()[0] != shape[0]) {
            fail(Errc::invalid_argument, "layer_labels has " + std::to_string(fields.layer_labels->shape()[0]) +
                                             " entries but stats has " + std::to_string(shape[0]) + " layers (shape " +
                                             shape_string(shape) + ")");
        }
        layer_labels_ = std::move(*fields.layer_labels);
    } else {
        layer_labels_ = derived_layer_labels(shape[0], includes_output_);
    }
    check_range(min_, max_, "colour range");
}

// stride and clip replace the stats; copying them first would double the cost.
TrajectoryStatistic TrajectoryStatistic::copy_without_stats() const {
    TrajectoryStatistic result;
    result.name_ = name_;
    result.sequence_labels_ = sequence_labels_;
    result.trajectory_labels_ = trajectory_labels_;
    result.units_ = units_;
    result.max_ = max_;
    result.min_ = min_;
    result.includes_output_ = includes_output_;
    result.layer_labels_ = layer_labels_;
    return result;
}

TrajectoryStatistic TrajectoryStatistic::stride(std::size_t stride) const {
    const auto rows = stride_keep_last(n_layers(), stride);
    TrajectoryStatistic result = copy_without_stats();
    result.stats_ = xt::view(stats_, xt::keep(rows), xt::all());
    if (trajectory_labels_) {
        result.trajectory_labels_ = std::make_shared<const TrajectoryLabels>(trajectory_labels_->stride(stride));
    }
    result.layer_labels_ = layer_labels_.keep_rows(rows);
    return result;
}

TrajectoryStatistic TrajectoryStatistic::clip(float min, float max) const {
    check_range(min, max, "clip");
    TrajectoryStatistic result = copy_without_stats();
    result.stats_ = xt::clip(stats_, min, max);  // NaN compares false both ways, so it stays NaN
    result.min_ = min;
    result.max_ = max;
    return result;
}

}  // namespace trajplot
