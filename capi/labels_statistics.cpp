// Trajectory labels and statistics: the values a figure is made of, created
// from C arrays, read back, strided and clipped.
#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "boundary.hpp"
#include "trajplot/figure.hpp"

using namespace trajplot::capi;
using trajplot::Errc;
using trajplot::fail;

namespace {

const trajplot_statistic_options default_statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;

// An optional array of one label per layer or position: its count must be
// the dimension's, so that the library itself reports a short array.
std::optional<trajplot::TextArray<1>> axis_labels(const char* const* strings, const std::size_t* lengths,
                                                  std::size_t count, const char* strings_field, const char* count_field,
                                                  Dimension dimension) {
    if (strings == nullptr) return std::nullopt;
    if (count != dimension.size) {
        invalid(strings_field, " has ", count, " labels (", count_field, ") but the statistic has ", dimension.size,
                " (", dimension.name, ")");
    }
    checked_count({dimension}, text_element_bytes);
    require_elements(strings, count, strings_field);
    return text_array<1>({count}, strings, lengths);
}

}  // namespace

// ---------------------------------------------------------------------------
// Trajectory labels

trajplot_status trajplot_labels_create(trajplot_labels** out, size_t n_layers, size_t seq_len,
                                       const char* const* label_strings, const size_t* label_lengths,
                                       const char* const* hover_entries, const size_t* hover_lengths, size_t hover_rows,
                                       size_t hover_cols) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(label_strings, "label_strings");
        const std::size_t label_count =
            checked_count({{"n_layers", n_layers}, {"seq_len", seq_len}}, text_element_bytes);
        require_elements(label_strings, label_count, "label_strings");
        std::optional<trajplot::TextArray<4>> hover;
        if (hover_entries != nullptr) {
            const std::size_t hover_count = checked_count(
                {{"n_layers", n_layers}, {"seq_len", seq_len}, {"hover_rows", hover_rows}, {"hover_cols", hover_cols}},
                text_element_bytes);
            require_elements(hover_entries, hover_count, "hover_entries");
            hover = text_array<4>({n_layers, seq_len, hover_rows, hover_cols}, hover_entries, hover_lengths);
        }
        auto labels = std::make_shared<const trajplot::TrajectoryLabels>(
            text_array<2>({n_layers, seq_len}, label_strings, label_lengths), std::move(hover));
        *out = new_handle(std::move(labels));
    });
}

trajplot_status trajplot_labels_create_from_strings(trajplot_labels** out, size_t n_layers, size_t seq_len,
                                                    const trajplot_strings* label_strings,
                                                    const trajplot_strings* hover_entries, size_t hover_rows,
                                                    size_t hover_cols) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot_strings& labels_given = strings_of(label_strings, "label_strings");
        const std::initializer_list<Dimension> label_shape = {{"n_layers", n_layers}, {"seq_len", seq_len}};
        const std::size_t label_count = checked_count(label_shape, text_element_bytes);
        check_strings(labels_given, "label_strings", label_count, label_shape);
        std::optional<trajplot::TextArray<4>> hover;
        if (hover_entries != nullptr) {
            const trajplot_strings& hover_given = strings_of(hover_entries, "hover_entries");
            const std::initializer_list<Dimension> hover_shape = {
                {"n_layers", n_layers}, {"seq_len", seq_len}, {"hover_rows", hover_rows}, {"hover_cols", hover_cols}};
            const std::size_t hover_count = checked_count(hover_shape, text_element_bytes);
            check_strings(hover_given, "hover_entries", hover_count, hover_shape);
            hover = text_array<4>({n_layers, seq_len, hover_rows, hover_cols}, hover_given);
        }
        auto labels = std::make_shared<const trajplot::TrajectoryLabels>(
            text_array<2>({n_layers, seq_len}, labels_given), std::move(hover));
        *out = new_handle(std::move(labels));
    });
}

void trajplot_labels_free(trajplot_labels* labels) { delete labels; }

trajplot_status trajplot_labels_shape(size_t* n_layers, size_t* seq_len, size_t* hover_rows, size_t* hover_cols,
                                      const trajplot_labels* labels) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const auto& hover = value.hover_over_entries();
        if (n_layers != nullptr) *n_layers = value.n_layers();
        if (seq_len != nullptr) *seq_len = value.seq_len();
        if (hover_rows != nullptr) *hover_rows = hover ? hover->shape()[2] : 0;
        if (hover_cols != nullptr) *hover_cols = hover ? hover->shape()[3] : 0;
    });
}

trajplot_status trajplot_labels_label(const char** out, size_t* len, const trajplot_labels* labels, size_t layer,
                                      size_t position) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        require_index(layer, "layer", value.n_layers(), "n_layers");
        require_index(position, "position", value.seq_len(), "seq_len");
        lend_string(out, len, value.label_strings()(layer, position));
    });
}

trajplot_status trajplot_labels_hover_entry(const char** out, size_t* len, const trajplot_labels* labels, size_t layer,
                                            size_t position, size_t row, size_t col) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const auto& hover = value.hover_over_entries();
        if (!hover) invalid("the labels have no hover tables");
        const auto& shape = hover->shape();
        require_index(layer, "layer", shape[0], "n_layers");
        require_index(position, "position", shape[1], "seq_len");
        require_index(row, "row", shape[2], "hover_rows");
        require_index(col, "col", shape[3], "hover_cols");
        lend_string(out, len, (*hover)(layer, position, row, col));
    });
}

trajplot_status trajplot_labels_stride(trajplot_labels** out, const trajplot_labels* labels, size_t stride) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        auto strided = std::make_shared<const trajplot::TrajectoryLabels>(value.stride(stride));
        *out = new_handle(std::move(strided));
    });
}

trajplot_status trajplot_labels_template_and_customdata(char** template_out, size_t* template_len,
                                                        char** customdata_json_out, size_t* customdata_len,
                                                        const trajplot_labels* labels, size_t col_width_limit) {
    return guarded(__func__, [&] {
        require(template_out, "template_out");
        require(customdata_json_out, "customdata_json");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const trajplot::HoverTemplate hover = value.template_and_customdata(col_width_limit);
        const std::string customdata = trajplot::customdata_json(hover);
        char* template_copy = nullptr;
        give_string(&template_copy, template_len, hover.hovertemplate);
        try {
            give_string(customdata_json_out, customdata_len, customdata);
        } catch (...) {
            trajplot_string_free(template_copy);
            throw;
        }
        *template_out = template_copy;
    });
}

// ---------------------------------------------------------------------------
// Trajectory statistic

trajplot_status trajplot_statistic_options_init(trajplot_statistic_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_STATISTIC_OPTIONS_VERSION, "version", "TRAJPLOT_STATISTIC_OPTIONS_VERSION");
        *options = default_statistic_options;
    });
}

trajplot_status trajplot_statistic_create(trajplot_statistic** out, const char* name, const float* stats,
                                          size_t n_layers, size_t seq_len, const trajplot_statistic_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(name, "name");
        require(stats, "stats");
        const trajplot_statistic_options& given = options != nullptr ? *options : default_statistic_options;
        require_version(given.version, TRAJPLOT_STATISTIC_OPTIONS_VERSION, "options->version",
                        "TRAJPLOT_STATISTIC_OPTIONS_VERSION");
        const std::size_t count = checked_count({{"n_layers", n_layers}, {"seq_len", seq_len}}, sizeof(float));

        trajplot::TrajectoryStatistic::Fields fields;
        fields.name = utf8_string(name);
        if (given.units != nullptr) fields.units = utf8_string(given.units);
        fields.sequence_labels =
            axis_labels(given.sequence_labels, given.sequence_label_lengths, given.sequence_label_count,
                        "options->sequence_labels", "options->sequence_label_count", {"seq_len", seq_len});
        fields.layer_labels =
            axis_labels(given.layer_labels, given.layer_label_lengths, given.layer_label_count, "options->layer_labels",
                        "options->layer_label_count", {"n_layers", n_layers});
        if (given.trajectory_labels != nullptr) fields.trajectory_labels = given.trajectory_labels->value;
        if (given.has_min) fields.min = given.min;
        if (given.has_max) fields.max = given.max;
        fields.includes_output = given.includes_output;
        const std::array<std::size_t, 2> shape = {n_layers, seq_len};
        fields.stats = xt::adapt(stats, count, xt::no_ownership(), shape);

        auto statistic = std::make_shared<const trajplot::TrajectoryStatistic>(std::move(fields));
        *out = new_handle(std::move(statistic));
    });
}

void trajplot_statistic_free(trajplot_statistic* statistic) { delete statistic; }

trajplot_status trajplot_statistic_shape(size_t* n_layers, size_t* seq_len, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        if (n_layers != nullptr) *n_layers = value.n_layers();
        if (seq_len != nullptr) *seq_len = value.seq_len();
    });
}

trajplot_status trajplot_statistic_stats(float* buffer, size_t buffer_len, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(buffer, "buffer");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const auto& stats = value.stats();
        if (buffer_len < stats.size()) {
            fail(Errc::range, message("buffer_len is ", buffer_len, " but the statistic has ", value.n_layers(), " x ",
                                      value.seq_len(), " = ", stats.size(), " values"));
        }
        std::copy_n(stats.data(), stats.size(), buffer);
    });
}

trajplot_status trajplot_statistic_name(const char** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = statistic_of(statistic).name().c_str();
    });
}

trajplot_status trajplot_statistic_units(const char** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        const auto& units = statistic_of(statistic).units();
        *out = units ? units->c_str() : nullptr;
    });
}

trajplot_status trajplot_statistic_range(bool* has_min, float* min, bool* has_max, float* max,
                                         const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const std::optional<float> min_value = value.min();
        const std::optional<float> max_value = value.max();
        if (has_min != nullptr) *has_min = min_value.has_value();
        if (min != nullptr && min_value) *min = *min_value;
        if (has_max != nullptr) *has_max = max_value.has_value();
        if (max != nullptr && max_value) *max = *max_value;
    });
}

trajplot_status trajplot_statistic_includes_output(bool* out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = statistic_of(statistic).includes_output();
    });
}

trajplot_status trajplot_statistic_layer_label(const char** out, size_t* len, const trajplot_statistic* statistic,
                                               size_t layer) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require_index(layer, "layer", value.n_layers(), "n_layers");
        lend_string(out, len, value.layer_labels()(layer));
    });
}

trajplot_status trajplot_statistic_sequence_label(const char** out, size_t* len, const trajplot_statistic* statistic,
                                                  size_t position) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require_index(position, "position", value.seq_len(), "seq_len");
        if (const auto& labels = value.sequence_labels()) {
            lend_string(out, len, (*labels)(position));
        } else {
            *out = nullptr;
            if (len != nullptr) *len = 0;
        }
    });
}

trajplot_status trajplot_statistic_trajectory_labels(trajplot_labels** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        const auto& labels = statistic_of(statistic).trajectory_labels();
        *out = labels ? new_handle(labels) : nullptr;
    });
}

trajplot_status trajplot_statistic_stride(trajplot_statistic** out, const trajplot_statistic* statistic,
                                          size_t stride) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        auto strided = std::make_shared<const trajplot::TrajectoryStatistic>(value.stride(stride));
        *out = new_handle(std::move(strided));
    });
}

trajplot_status trajplot_statistic_clip(trajplot_statistic** out, const trajplot_statistic* statistic, float min,
                                        float max) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        auto clipped = std::make_shared<const trajplot::TrajectoryStatistic>(value.clip(min, max));
        *out = new_handle(std::move(clipped));
    });
}
