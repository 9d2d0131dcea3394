#include "render.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli_error.hpp"
#include "input_file.hpp"
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

// The spec's strings as they are: one buffer and its offsets.
trajplot_strings packed(const PackedStrings& strings) {
    trajplot_strings described = TRAJPLOT_STRINGS_INIT;
    described.layout = TRAJPLOT_STRINGS_UTF8_OFFSETS;
    described.count = strings.size();
    described.data = strings.text().data();
    described.offsets = strings.offsets().data();
    described.data_len = strings.text().size();
    return described;
}

LabelsHandle create_labels(const LabelsSpec& labels, std::size_t n_layers, std::size_t seq_len) {
    const trajplot_strings label_strings = packed(labels.label_strings);
    const trajplot_strings hover_entries = packed(labels.hover_entries);
    const bool has_hover = !labels.hover_entries.empty();
    trajplot_labels* created = nullptr;
    check(trajplot_labels_create_from_strings(&created, n_layers, seq_len, &label_strings,
                                              has_hover ? &hover_entries : nullptr, labels.hover_rows,
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
        options.sequence_label_count = spec.sequence_labels->size();
    }
    options.trajectory_labels = labels.get();
    if (spec.layer_labels) {
        options.layer_labels = layer_labels.pointers();
        options.layer_label_lengths = layer_labels.lengths();
        options.layer_label_count = spec.layer_labels->size();
    }
    options.has_min = spec.min.has_value();
    options.min = spec.min.value_or(0.0f);
    options.has_max = spec.max.has_value();
    options.max = spec.max.value_or(0.0f);
    options.includes_output = spec.includes_output;

    trajplot_statistic* created = nullptr;
    check(trajplot_statistic_create(&created, spec.name.c_str(), spec.stats.data(), spec.n_layers, spec.seq_len,
                                    &options));
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

// Standard output as the library's write function: each piece is written
// as the export produces it, and a failed write stops the export.
struct StandardOutput {
    bool failed = false;
};

int write_to_stdout(void* user, const char* data, std::size_t size) {
    if (std::fwrite(data, 1, size, stdout) == size) return 0;
    static_cast<StandardOutput*>(user)->failed = true;
    return 1;
}

bool is_symbolic_link(const std::string& path) {
    struct stat status {};
    return ::lstat(path.c_str(), &status) == 0 && S_ISLNK(status.st_mode);
}

// The library's message for a file it could not write, "<what> <path>:
// <reason>", naming the file as `destination` ("--out 'a.json'"), or where
// `path` is a symbolic link, the file it leads to as well.
std::string output_message(std::string_view message, const std::string& path, const std::string& destination,
                           std::span<const Term> terms) {
    const std::string_view detail = without_function_name(message);
    for (const std::string_view what : {"cannot write ", "cannot create a file beside ", "cannot replace ",
                                        "cannot open ", "cannot read the symbolic link "}) {
        if (!detail.starts_with(what)) continue;
        // Every reason (strerror's text) is free of ": ", a path may not be.
        const std::size_t colon = detail.rfind(": ");
        if (colon == std::string_view::npos || colon < what.size()) break;
        const std::string_view named = detail.substr(what.size(), colon - what.size());
        // The temporary file beside the target is the library's affair.
        std::string text(what == "cannot create a file beside " || what == "cannot open " ? "cannot write " : what);
        if (named != path && is_symbolic_link(path)) {
            text.append(single_quoted(named)).append(", where ").append(destination).append(" leads");
        } else {
            text.append(destination);
        }
        return text.append(detail.substr(colon));
    }
    return user_terms(message, terms);
}

// Words of the export's messages: the file --plotlyjs inline:FILE names.
std::vector<Term> export_terms(const RenderOptions& options) {
    std::vector<Term> terms;
    if (options.plotlyjs && options.plotlyjs->source == TRAJPLOT_PLOTLYJS_INLINE) {
        const std::string& location = options.plotlyjs->location;
        const std::string named = "--plotlyjs inline file " + single_quoted(location);
        terms.push_back({"plotly.js from " + location, named});
        terms.push_back({"plotly.js file " + location, named});
    }
    return terms;
}

// Writes the figure to --out or to standard output. A file is streamed by
// the library into a temporary file beside the target and renamed into
// place, so that a failure leaves no partial file.
void write_figure(const trajplot_figure* figure, const trajplot_export_options& exported, const RenderOptions& options,
                  const std::string& destination) {
    const std::vector<Term> terms = export_terms(options);
    if (!options.writes_to_stdout()) {
        const std::string& path = *options.out;
        const std::string named = destination.empty() ? "--out " + single_quoted(path) : destination;
        struct stat status {};
        if (::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) {
            fail_input(named + " is a directory; give the path of the file to write");
        }
        if (trajplot_figure_save(figure, &exported, path.c_str()) != TRAJPLOT_OK) {
            fail_input(output_message(trajplot_error_last(), path, named, terms));
        }
        return;
    }
    // A PNG or PDF would fill a terminal with binary noise.
    if (is_binary(options.format) && ::isatty(STDOUT_FILENO) == 1) {
        fail_usage(std::string(options.format == OutputFormat::png ? "PNG" : "PDF") +
                   " output is binary and standard output is a terminal; use --out FILE (or redirect it)");
    }
    StandardOutput output;
    const trajplot_status status = trajplot_figure_stream(figure, &exported, write_to_stdout, &output);
    // The library's message would only say that the export was stopped.
    if (output.failed) fail_input("cannot write to standard output");
    check(status, terms);
    if (std::fflush(stdout) != 0) fail_input("cannot write to standard output");
}

// A page that was to draw offline but will need the network says so: the
// library has no local plotly.js to inline.
void note_when_plotlyjs_needs_the_network(const trajplot_export_options& exported) {
    if (exported.plotlyjs != TRAJPLOT_PLOTLYJS_LOCAL) return;
    char* local = nullptr;
    check(trajplot_local_plotlyjs(&local, nullptr));
    const LibraryString owned(local);
    static bool noted = false;  // once, however many pages are written
    if (local != nullptr || noted) return;
    noted = true;
    std::fputs(
        "trajplot: note: no local plotly.js (none was installed with trajplot, and TRAJPLOT_PLOTLYJS is "
        "unset); the page loads plotly.js from its CDN and needs a network connection to draw\n",
        stderr);
}

// What is written: the figure or its heatmap trace as JSON, or the figure
// as an HTML page.
trajplot_export_options export_options(const RenderOptions& options) {
    trajplot_export_options exported = TRAJPLOT_EXPORT_OPTIONS_INIT;
    if (is_image(options.format)) {
        exported.format = options.format == OutputFormat::svg   ? TRAJPLOT_FORMAT_SVG
                          : options.format == OutputFormat::png ? TRAJPLOT_FORMAT_PNG
                                                                : TRAJPLOT_FORMAT_PDF;
        exported.scale = options.scale.value_or(1.0);
        return exported;
    }
    if (options.format != OutputFormat::html) {
        exported.format = options.trace_only ? TRAJPLOT_FORMAT_TRACE_JSON : TRAJPLOT_FORMAT_FIGURE_JSON;
        return exported;
    }
    exported.format = TRAJPLOT_FORMAT_HTML;
    if (options.plotlyjs) {
        exported.plotlyjs = options.plotlyjs->source;
        exported.plotlyjs_location = options.plotlyjs->location.c_str();
        // Checked here for a message with the option and the reason (the
        // library's has neither), and so that a FIFO is not waited on.
        if (options.plotlyjs->source == TRAJPLOT_PLOTLYJS_INLINE) {
            struct stat status {};
            open_regular_file(options.plotlyjs->location,
                              "--plotlyjs inline file " + single_quoted(options.plotlyjs->location), "a plotly.js file",
                              status);
        }
    }
    note_when_plotlyjs_needs_the_network(exported);
    exported.div_id = options.div_id ? options.div_id->c_str() : nullptr;
    exported.full_html = !options.html_fragment;
    exported.responsive = options.responsive;
    return exported;
}

// --title, --token-width and --height: the figure around the statistics.
trajplot_figure_options figure_options(const RenderOptions& options) {
    trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.title = options.title ? options.title->c_str() : nullptr;
    if (options.token_width) figure.token_width = *options.token_width;
    if (options.height) figure.height = *options.height;
    return figure;
}

// --colorscale, --extra, --log-scale and --hover-value: how a statistic is
// drawn.
trajplot_panel_options panel_options(const RenderOptions& options) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.colorscale = options.colorscale ? options.colorscale->c_str() : nullptr;
    panel.extra_json = options.extra_json ? options.extra_json->c_str() : nullptr;
    panel.log_scale = options.log_scale;
    panel.hover_value = options.hover_value;
    return panel;
}

// The x axis every panel shares: a spec of another length, or with other
// tokens, is refused here with the names of both sources, which the
// library's message (counting panels from 0) cannot give.
void check_shared_positions(const std::vector<SourcedSpec>& specs) {
    const SourcedSpec& first = specs.front();
    const SourcedSpec* labelled = first.spec.sequence_labels ? &first : nullptr;
    for (std::size_t i = 1; i < specs.size(); ++i) {
        const SourcedSpec& other = specs[i];
        if (other.spec.seq_len != first.spec.seq_len) {
            fail_input("panel " + std::to_string(i + 1) + " (" + other.source + ") has " +
                       std::to_string(other.spec.seq_len) + " positions but panel 1 (" + first.source + ") has " +
                       std::to_string(first.spec.seq_len) + "; stacked panels share one x axis");
        }
        if (!other.spec.sequence_labels) continue;
        if (labelled == nullptr) {
            labelled = &other;
            continue;
        }
        const std::vector<std::string>& tokens = *other.spec.sequence_labels;
        const std::vector<std::string>& shared = *labelled->spec.sequence_labels;
        for (std::size_t position = 0; position < tokens.size(); ++position) {
            if (tokens[position] != shared[position]) {
                fail_input("panel " + std::to_string(i + 1) + " (" + other.source + ") has sequence label '" +
                           tokens[position] + "' at position " + std::to_string(position) + " but " + labelled->source +
                           " has '" + shared[position] + "'; stacked panels share one x axis");
            }
        }
    }
}

std::string float_text(float value) {
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, value);
    return std::string(text, result.ptr);
}

// A log scale needs a colour range above 0. The library says so of the
// range's "min", which may come from --clip, a spec's min or max, or the
// statistic itself: this says which. `panel` is "panel 2 (Rank)" in a
// stacked figure, else empty.
void check_log_scale(const trajplot_statistic* statistic, const std::string& option, const RenderOptions& options,
                     const std::string& panel) {
    bool has_min = false;
    bool has_max = false;
    float min = 0.0f;
    float max = 0.0f;
    check(trajplot_statistic_range(&has_min, &min, &has_max, &max, statistic));
    const bool min_too_low = has_min && !(min > 0.0f);
    const bool max_too_low = has_max && !(max > 0.0f);
    if (!min_too_low && !max_too_low) return;
    std::string message = option + " needs a colour range above 0, but ";
    if (options.clip) {
        message += min_too_low ? "--clip MIN is " + float_text(min) : "--clip MAX is " + float_text(max);
    } else {
        std::string subject = panel;
        if (subject.empty()) {
            const char* name = nullptr;
            check(trajplot_statistic_name(&name, statistic));
            subject = name;
        }
        message += "the colour range of " + subject +
                   (min_too_low ? " starts at " + float_text(min) : " ends at " + float_text(max));
    }
    fail_input(message + "; give --clip MIN MAX with MIN above 0");
}

}  // namespace

void render(const StatisticSpec& spec, const RenderOptions& options) {
    const StatisticHandle statistic = create_statistic(spec);
    write_statistic(statistic.get(), options);
}

void write_statistic(const trajplot_statistic* original, const RenderOptions& options, const std::string& destination) {
    const StatisticHandle transformed = transform(original, options);
    const trajplot_statistic* statistic = transformed ? transformed.get() : original;
    if (options.log_scale) check_log_scale(statistic, "--log-scale", options, {});

    const trajplot_panel_options panel = panel_options(options);
    const trajplot_figure_options figure_settings = figure_options(options);
    const trajplot_export_options exported = export_options(options);
    trajplot_figure* created = nullptr;
    check(trajplot_figure_create(&created, statistic, &panel, &figure_settings));
    const FigureHandle figure(created);
    write_figure(figure.get(), exported, options, destination);
}

void render_stacked(const std::vector<SourcedSpec>& specs, const RenderOptions& options) {
    check_shared_positions(specs);
    std::vector<StatisticHandle> statistics;
    std::vector<const trajplot_statistic*> pointers;
    statistics.reserve(specs.size());
    for (const SourcedSpec& spec : specs) {
        statistics.push_back(create_statistic(spec.spec));
        pointers.push_back(statistics.back().get());
    }
    write_stacked(pointers, options);
}

void write_stacked(std::span<const trajplot_statistic* const> originals, const RenderOptions& options) {
    std::vector<StatisticHandle> transformed;
    std::vector<const trajplot_statistic*> statistics;
    transformed.reserve(originals.size());
    for (const trajplot_statistic* original : originals) {
        transformed.push_back(transform(original, options));
        statistics.push_back(transformed.back() ? transformed.back().get() : original);
    }

    std::vector<trajplot_panel_options> panels(statistics.size(), panel_options(options));
    std::vector<const trajplot_panel_options*> panel_pointers;
    panel_pointers.reserve(panels.size());
    for (std::size_t i = 0; i < panels.size(); ++i) {
        trajplot_panel_options& panel = panels[i];
        panel_pointers.push_back(&panel);
        const std::string number = std::to_string(i + 1);
        const auto given = options.panels.find(i + 1);
        const PanelOverride* chosen = given == options.panels.end() ? nullptr : &given->second;
        if (chosen != nullptr) {
            if (chosen->title) panel.title = chosen->title->c_str();
            if (chosen->colorscale) panel.colorscale = chosen->colorscale->c_str();
            if (chosen->log_scale) panel.log_scale = true;
        }
        if (panel.log_scale) {
            const char* name = nullptr;
            check(trajplot_statistic_name(&name, statistics[i]));
            const bool own = chosen != nullptr && chosen->log_scale;
            check_log_scale(statistics[i], own ? "--panel-log-scale " + number : "--log-scale", options,
                            "panel " + number + " (" + name + ")");
        }
    }

    trajplot_figure_options stack = figure_options(options);
    if (options.vertical_spacing) {
        stack.vertical_spacing = *options.vertical_spacing;
        stack.has_vertical_spacing = true;
    }
    stack.equal_panel_heights = options.equal_panel_heights;

    const trajplot_export_options exported = export_options(options);
    trajplot_figure* created = nullptr;
    check(
        trajplot_figure_create_stacked(&created, statistics.data(), panel_pointers.data(), statistics.size(), &stack));
    const FigureHandle figure(created);
    write_figure(figure.get(), exported, options, {});
}

}  // namespace trajplot_cli
