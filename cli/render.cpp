#include "render.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "library.hpp"
#include "trajplot.h"

namespace trajplot_cli {
namespace {

// The pointer and byte-length arrays the C API takes for a list of
// strings; the lengths let strings carry NUL bytes (JSON's \u0000).
class StringArray {
public:
    explicit StringArray(const std::vector<std::string>& strings) {
        pointers_.reserve(strings.size());
        lengths_.reserve(strings.size());
        for (const std::string& string : strings) {
            pointers_.push_back(string.c_str());
            lengths_.push_back(string.size());
        }
    }

    // The array points into `strings`, so a temporary would leave it
    // dangling.
    explicit StringArray(std::vector<std::string>&&) = delete;

    const char* const* pointers() const noexcept { return pointers_.data(); }
    const std::size_t* lengths() const noexcept { return lengths_.data(); }

private:
    std::vector<const char*> pointers_;
    std::vector<std::size_t> lengths_;
};

LabelsHandle create_labels(const LabelsSpec& labels, std::size_t n_layers, std::size_t seq_len) {
    const StringArray label_strings(labels.label_strings);
    const bool has_hover = !labels.hover_entries.empty();
    const StringArray hover_entries(labels.hover_entries);
    trajplot_labels* created = nullptr;
    check(trajplot_labels_create(&created, n_layers, seq_len, label_strings.pointers(),
                                 label_strings.lengths(), has_hover ? hover_entries.pointers() : nullptr,
                                 has_hover ? hover_entries.lengths() : nullptr, labels.hover_rows,
                                 labels.hover_cols));
    return LabelsHandle(created);
}

StatisticHandle create_statistic(const StatisticSpec& spec) {
    LabelsHandle labels;
    if (spec.trajectory_labels) {
        labels = create_labels(*spec.trajectory_labels, spec.n_layers, spec.seq_len);
    }
    // The arrays point into the spec's strings, which outlive them.
    const std::vector<std::string> no_strings;
    const StringArray sequence_labels(spec.sequence_labels ? *spec.sequence_labels : no_strings);
    const StringArray layer_labels(spec.layer_labels ? *spec.layer_labels : no_strings);

    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = spec.units ? spec.units->c_str() : nullptr;
    if (spec.sequence_labels) {
        options.sequence_labels = sequence_labels.pointers();
        options.sequence_label_lengths = sequence_labels.lengths();
    }
    options.trajectory_labels = labels.get();
    if (spec.layer_labels) {
        options.layer_labels = layer_labels.pointers();
        options.layer_label_lengths = layer_labels.lengths();
    }
    options.has_min = spec.min.has_value();
    options.min = spec.min.value_or(0.0f);
    options.has_max = spec.max.has_value();
    options.max = spec.max.value_or(0.0f);
    options.includes_output = spec.includes_output;

    trajplot_statistic* created = nullptr;
    check(trajplot_statistic_create(&created, spec.name.c_str(), spec.stats.data(), spec.n_layers,
                                    spec.seq_len, &options));
    return StatisticHandle(created);
}

// --stride, then --clip; a new handle only when one of them is given.
StatisticHandle transform(const trajplot_statistic* statistic, const RenderOptions& options) {
    StatisticHandle transformed;
    const trajplot_statistic* current = statistic;
    if (options.stride) {
        trajplot_statistic* strided = nullptr;
        check(trajplot_statistic_stride(&strided, current, *options.stride));
        transformed.reset(strided);
        current = strided;
    }
    if (options.clip) {
        trajplot_statistic* clipped = nullptr;
        check(trajplot_statistic_clip(&clipped, current, options.clip->min, options.clip->max));
        transformed.reset(clipped);
    }
    return transformed;
}

void write_to_stdout(const char* data, std::size_t size) {
    if (std::fwrite(data, 1, size, stdout) != size || std::fflush(stdout) != 0) {
        fail_input("cannot write to standard output");
    }
}

void write_html(const trajplot_statistic* statistic, const trajplot_figure_options& figure,
                const RenderOptions& options) {
    trajplot_html_options html = TRAJPLOT_HTML_OPTIONS_INIT;
    if (options.plotlyjs) {
        html.plotlyjs = options.plotlyjs->source;
        html.plotlyjs_location = options.plotlyjs->location.c_str();
    }
    html.div_id = options.div_id ? options.div_id->c_str() : nullptr;
    html.full_html = !options.html_fragment;
    html.responsive = options.responsive;
    if (!options.writes_to_stdout()) {
        check(trajplot_statistic_write_figure_html(statistic, &figure, &html, options.out->c_str()));
        return;
    }
    char* page = nullptr;
    std::size_t page_size = 0;
    check(trajplot_statistic_figure_html(&page, &page_size, statistic, &figure, &html));
    const LibraryString owned_page(page);
    write_to_stdout(owned_page.get(), page_size);
}

}  // namespace

void render(const StatisticSpec& spec, const RenderOptions& options) {
    const StatisticHandle statistic = create_statistic(spec);
    write_statistic(statistic.get(), options);
}

void write_statistic(const trajplot_statistic* original, const RenderOptions& options) {
    const StatisticHandle transformed = transform(original, options);
    const trajplot_statistic* statistic = transformed ? transformed.get() : original;

    trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.title = options.title ? options.title->c_str() : nullptr;
    figure.colorscale = options.colorscale ? options.colorscale->c_str() : nullptr;
    figure.extra_json = options.extra_json ? options.extra_json->c_str() : nullptr;
    if (options.token_width) {
        figure.token_width = *options.token_width;
    }
    if (options.height) {
        figure.height = *options.height;
    }
    figure.log_scale = options.log_scale;

    if (options.format == OutputFormat::html) {
        write_html(statistic, figure, options);
        return;
    }

    if (!options.writes_to_stdout()) {
        // The library streams into a temporary file beside the target and
        // renames it into place, so a failure leaves no partial file.
        const char* path = options.out->c_str();
        check(options.trace_only ? trajplot_statistic_write_heatmap_json(statistic, &figure, path)
                                 : trajplot_statistic_write_figure_json(statistic, &figure, path));
        return;
    }
    char* json = nullptr;
    std::size_t json_size = 0;
    check(options.trace_only ? trajplot_statistic_heatmap_json(&json, &json_size, statistic, &figure)
                             : trajplot_statistic_figure_json(&json, &json_size, statistic, &figure));
    const LibraryString owned_json(json);
    write_to_stdout(owned_json.get(), json_size);
}

}  // namespace trajplot_cli
