// Planning a figure: its small attributes as JSON (the layout, each trace's
// attributes with placeholders for the large arrays), checked against the
// options before anything is written.
#include "figure_plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <locale>
#include <sstream>
#include <string_view>
#include <utility>

#include "colorbar_ticks.hpp"
#include "figure_geometry.hpp"
#include "text_internals.hpp"
#include "trajplot/colorscales.hpp"
#include "trajplot/error.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

// Deeper documents are refused rather than risking the stack while merging
// and writing them.
constexpr std::size_t max_extra_depth = 512;

// Plotly's largest exact integer (Number.MAX_SAFE_INTEGER).
constexpr std::uint64_t max_figure_width = (std::uint64_t{1} << 53) - 1;

JsonValue placeholder(Placeholder which) { return JsonValue::Placeholder{which}; }

// The colour range in the units of z: the values, or their log10.
struct ColourRange {
    double min;
    double max;
};

// The colour range of docs/behaviour.md (section 3): the statistic's bounds where set, else
// the extremes of the finite (log scale: positive finite) values.
std::optional<ColourRange> colour_range(const TrajectoryStatistic& statistic, bool log_scale) {
    std::optional<float> min = statistic.min();
    std::optional<float> max = statistic.max();
    if (log_scale) {
        if (min && *min <= 0) {
            fail(Errc::invalid_argument, "log scale needs a positive min, got " + shortest_string(*min));
        }
        if (max && *max <= 0) {
            fail(Errc::invalid_argument, "log scale needs a positive max, got " + shortest_string(*max));
        }
    }
    if (!min || !max) {
        // Plain floats rather than optionals: this scans every value on
        // every export. Infinities start the scan, so no finite value is
        // missed and "none found" stays visible.
        const float lowest_allowed = log_scale ? 0.0f : -std::numeric_limits<float>::infinity();
        float data_min = std::numeric_limits<float>::infinity();
        float data_max = -std::numeric_limits<float>::infinity();
        for (const float value : statistic.stats()) {
            // NaN fails both comparisons; log scale skips values <= 0.
            if (!(value > lowest_allowed) || !(value < std::numeric_limits<float>::infinity())) continue;
            data_min = std::min(data_min, value);
            data_max = std::max(data_max, value);
        }
        const bool found = data_min <= data_max;
        if (!min && found) min = data_min;
        if (!max && found) max = data_max;
    }
    if (!min || !max) return std::nullopt;
    // In double precision, so that a tick at a bound (a value of 2 at the
    // bottom of [2, 9]) falls exactly on it.
    ColourRange range = log_scale ? ColourRange{std::log10(double{*min}), std::log10(double{*max})}
                                  : ColourRange{float_as_json_double(*min), float_as_json_double(*max)};
    // plotly.js ignores a range that is empty or reversed, and then scales
    // to the data as if no bound were set. Equal ends (a constant
    // statistic) widen by 0.5 either way, as plotly.js widens them itself;
    // a set bound beyond the data's other end keeps its place and the
    // other end moves 1 beyond it, so that every value takes that bound's
    // colour, as the bound says. Far from 0, where such steps would be lost
    // to rounding, the steps are a millionth of the value instead.
    if (!(range.min < range.max)) {
        const auto step = [](double at, double unit) { return std::max(unit, std::abs(at) * 1e-6); };
        if (statistic.min() && !statistic.max()) {
            range.max = range.min + step(range.min, 1.0);
        } else if (statistic.max() && !statistic.min()) {
            range.min = range.max - step(range.max, 1.0);
        } else {
            const double middle = range.min;
            range = {middle - step(middle, 0.5), middle + step(middle, 0.5)};
        }
    }
    return range;
}

std::string colorbar_title(const TrajectoryStatistic& statistic) {
    std::string title = statistic.name();
    // Empty units are no units: the reference's "Rank ()" is what we avoid.
    if (statistic.units() && !statistic.units()->empty()) title += " (" + *statistic.units() + ")";
    return plotly_escaped(title);
}

JsonValue colorscale_json(const std::string& name) {
    JsonValue stops = JsonValue::array();
    for (const ColorStop& stop : resolve_colorscale(name))
        stops.push_back(JsonValue::array({stop.position, stop.color}));
    return stops;
}

// `name` is the option's name in messages ("extra_json", "layout_json").
JsonValue parse_patch(const std::string& text, const char* name) {
    JsonValue patch;
    try {
        patch = JsonValue::parse(text, max_extra_depth);
    } catch (const Error& error) {
        fail(error.code(), std::string(name) + " is " + error.what());
    }
    if (!patch.is_object()) {
        fail(Errc::invalid_argument, std::string(name) + " must be a JSON object, got " + patch.type_name());
    }
    return patch;
}

// Merges the caller's patch into a trace. Cell text sized for trajplot's
// labels would not fit a texttemplate of the caller's own: unless the patch
// sizes that text too, plotly.js sizes it.
void apply_extra(JsonValue& trace, const std::string& extra_json) {
    const JsonValue patch = parse_patch(extra_json, "extra_json");
    const JsonValue* textfont = patch.find("textfont");
    if (patch.find("texttemplate") != nullptr && (textfont == nullptr || textfont->find("size") == nullptr)) {
        trace.merge_patch(JsonValue::object({{"textfont", nullptr}}));
    }
    trace.merge_patch(patch);
}

// Text the library writes into a hovertemplate: shown literally, so both
// Plotly's markup and its %{...} placeholders are escaped (% as a numeric
// character reference, which plotly.js decodes after filling the template).
std::string template_literal(std::string_view text) {
    std::string escaped;
    for (const char c : plotly_escaped(text)) {
        if (c == '%') {
            escaped += "&#37;";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

// "Entropy: %{customdata[k]} nats", the hover box's line for the cell's
// value, which is customdata[k].
std::string hover_value_line(const TrajectoryStatistic& statistic, std::size_t index) {
    std::string line = template_literal(statistic.name()) + ": %{customdata[" + std::to_string(index) + "]}";
    if (statistic.units() && !statistic.units()->empty()) {
        line += ' ';
        line += template_literal(*statistic.units());
    }
    return line;
}

// Merges the caller's layout patch into the finished layout. The page's
// <title> follows a title the patch sets, as text or as the shorthand
// string plotly.js 1 and 2 accepted.
void apply_layout_patch(FigurePlan& plan, const std::string& layout_json) {
    if (layout_json.empty()) return;
    const JsonValue patch = parse_patch(layout_json, "layout_json");
    plan.layout.merge_patch(patch);
    if (const JsonValue* title = patch.find("title")) {
        const JsonValue* text = title->is_object() ? title->find("text") : title;
        if (text != nullptr && text->string_value() != nullptr) plan.page_title = *text->string_value();
    }
}

}  // namespace

HeatmapPlan plan_heatmap(const TrajectoryStatistic& statistic, const PanelOptions& options, const CellBox& cell) {
    HeatmapPlan plan;
    plan.log_scale = options.log_scale;
    plan.hover_value = options.hover_value;
    JsonValue& trace = plan.trace;
    trace["type"] = "heatmap";
    if (statistic.sequence_labels()) {
        trace["x"] = placeholder(x_labels);
        plan.x_labels = &*statistic.sequence_labels();
    }
    trace["y"] = placeholder(y_labels);
    trace["z"] = placeholder(z_values);
    std::optional<ColourRange> range = colour_range(statistic, options.log_scale);
    const ColorbarTicks ticks =
        range && options.log_scale ? log_colorbar_ticks(range->min, range->max) : ColorbarTicks{};
    if (range && !ticks.values.empty()) {
        // A tick within float rounding of a bound moves the bound onto it,
        // so that plotly.js draws it.
        range->min = std::min(range->min, ticks.values.front());
        range->max = std::max(range->max, ticks.values.back());
    }
    if (range) {
        trace["zmin"] = range->min;
        trace["zmax"] = range->max;
    }
    trace["colorscale"] = colorscale_json(options.colorscale);
    JsonValue colorbar =
        JsonValue::object({{"title", JsonValue::object({{"text", colorbar_title(statistic)}, {"side", "right"}})}});
    if (options.log_scale) {
        JsonValue tickvals = JsonValue::array();
        JsonValue ticktext = JsonValue::array();
        for (std::size_t i = 0; i < ticks.values.size(); ++i) {
            tickvals.push_back(ticks.values[i]);
            ticktext.push_back(ticks.texts[i]);
        }
        colorbar["tickmode"] = "array";
        colorbar["tickvals"] = std::move(tickvals);
        colorbar["ticktext"] = std::move(ticktext);
    }
    trace["colorbar"] = std::move(colorbar);
    const auto& labels = statistic.trajectory_labels();
    if (labels) {
        trace["text"] = placeholder(cell_text);
        trace["texttemplate"] = "<b>%{text}</b>";
        // plotly.js would size the text by the longest label as written,
        // markup and escapes included ("<b>&lt;|endoftext|&gt;</b>" for 13
        // characters): size it by what is shown instead.
        if (labels->longest_label() > 0) {
            const int size = geometry::cell_text_size(labels->longest_label(), cell.width, cell.height);
            trace["textfont"] = JsonValue::object({{"size", std::int64_t{size}}});
        }
    }
    const bool has_hover_table = labels && labels->hover_over_entries();
    if (has_hover_table) {
        const auto& entries = *labels->hover_over_entries();
        const std::size_t rows = entries.shape()[2];
        const std::size_t cols = entries.shape()[3];
        plan.hover_widths = labels->hover_column_widths();
        trace["customdata"] = placeholder(hover_customdata);
        std::string hovertemplate = options.hover_value ? hover_value_line(statistic, rows * cols) + "<br>" : "";
        trace["hovertemplate"] = hovertemplate + TrajectoryLabels::hovertemplate(rows, cols);
        trace["hoverlabel"] =
            JsonValue::object({{"bgcolor", "rgb(42, 42, 50)"}, {"font", JsonValue::object({{"family", "Monospace"}})}});
    } else if (options.hover_value) {
        trace["customdata"] = placeholder(hover_customdata);
        trace["hovertemplate"] = hover_value_line(statistic, 0) + "<extra></extra>";
    }
    if (!options.extra_json.empty()) apply_extra(trace, options.extra_json);
    return plan;
}

namespace {

// The reference's figure width: 200 + token_width per position.
constexpr std::uint64_t width_beyond_tokens = 200;

JsonValue figure_layout(const TrajectoryStatistic& statistic, const FigureOptions& options) {
    if (options.token_width < 1) fail(Errc::invalid_argument, "token_width must be at least 1, got 0");
    const std::uint64_t seq_len = statistic.seq_len();
    if (options.token_width > (max_figure_width - width_beyond_tokens) / seq_len) {
        fail(Errc::range, "figure width 200 + token_width (" + std::to_string(options.token_width) + ") x " +
                              std::to_string(seq_len) + " positions overflows");
    }
    const std::uint64_t width = width_beyond_tokens + options.token_width * seq_len;
    if (options.height > max_figure_width) {
        fail(Errc::range, "figure height " + std::to_string(options.height) + " is too large");
    }
    JsonValue layout = JsonValue::object({
        {"title", JsonValue::object({{"text", plotly_escaped(options.title)}, {"x", 0.5}})},
        {"width", width},
        {"xaxis", JsonValue::object({{"title", JsonValue::object({{"text", "Input"}})}, {"type", "category"}})},
        {"yaxis", JsonValue::object({{"title", JsonValue::object({{"text", "Layer"}})}, {"type", "category"}})},
    });
    if (options.height > 0) layout["height"] = static_cast<std::uint64_t>(options.height);
    return layout;
}

// The width of one position's column in a figure of that token width.
double column_width(std::size_t token_width, std::size_t seq_len) {
    const double figure_width =
        static_cast<double>(width_beyond_tokens) + static_cast<double>(token_width) * static_cast<double>(seq_len);
    return geometry::plot_width(figure_width) / static_cast<double>(seq_len);
}

CellBox figure_cell(const TrajectoryStatistic& statistic, const FigureOptions& options) {
    const double height = options.height > 0 ? static_cast<double>(options.height) : geometry::default_height;
    return {column_width(options.token_width, statistic.seq_len()),
            geometry::plot_height(height, geometry::default_margin_top) / static_cast<double>(statistic.n_layers())};
}

}  // namespace

FigurePlan plan_single_figure(const TrajectoryStatistic& statistic, const PanelOptions& panel,
                              const FigureOptions& options) {
    FigurePlan plan;
    plan.layout = figure_layout(statistic, options);
    plan.traces.push_back({&statistic, plan_heatmap(statistic, panel, figure_cell(statistic, options))});
    plan.page_title = options.title.empty() ? statistic.name() : options.title;
    apply_layout_patch(plan, options.layout_json);
    return plan;
}

namespace {

// Plotly's axis names: "x", "x2", "x3", ... for axis 1, 2, 3, ...
std::string axis_id(char letter, std::size_t number) {
    return number == 1 ? std::string(1, letter) : letter + std::to_string(number);
}

std::string layout_axis_key(char letter, std::size_t number) {
    return number == 1 ? std::string(1, letter) + "axis" : letter + std::string("axis") + std::to_string(number);
}

// The x categories every panel shares: those of the first panel that has
// sequence labels, checked against every other panel that has some.
const TextArray<1>* shared_x_labels(std::span<const Panel> panels) {
    const TextArray<1>* shared = nullptr;
    std::size_t shared_panel = 0;
    for (std::size_t i = 0; i < panels.size(); ++i) {
        const auto& labels = panels[i].statistic->sequence_labels();
        if (!labels) continue;
        if (shared == nullptr) {
            shared = &*labels;
            shared_panel = i;
            continue;
        }
        for (std::size_t position = 0; position < labels->size(); ++position) {
            if (labels->flat(position) != shared->flat(position)) {
                fail(Errc::invalid_argument,
                     "panels[" + std::to_string(i) + "]'s sequence label at position " + std::to_string(position) +
                         " is \"" + std::string(labels->flat(position)) + "\" but panels[" +
                         std::to_string(shared_panel) + "]'s is \"" + std::string(shared->flat(position)) +
                         "\"; stacked panels share one x axis");
            }
        }
    }
    return shared;
}

}  // namespace

FigurePlan plan_stacked_figure(std::span<const Panel> panels, const FigureOptions& options) {
    if (panels.empty()) fail(Errc::invalid_argument, "a stacked figure needs at least one panel, got none");
    const std::size_t count = panels.size();
    for (std::size_t i = 0; i < count; ++i) {
        if (!panels[i].statistic) fail(Errc::invalid_argument, "panels[" + std::to_string(i) + "] has no statistic");
    }
    const std::size_t seq_len = panels[0].statistic->seq_len();
    for (std::size_t i = 1; i < count; ++i) {
        if (panels[i].statistic->seq_len() != seq_len) {
            fail(Errc::invalid_argument, "panels[" + std::to_string(i) + "] (" + panels[i].statistic->name() +
                                             ") has seq_len " + std::to_string(panels[i].statistic->seq_len()) +
                                             " but panels[0] (" + panels[0].statistic->name() + ") has " +
                                             std::to_string(seq_len) + "; stacked panels share one x axis");
        }
    }
    const double spacing = options.vertical_spacing.value_or(0.3 / static_cast<double>(count));
    const double max_spacing = count > 1 ? 1.0 / static_cast<double>(count - 1) : 1.0;
    if (!(spacing >= 0.0 && spacing < max_spacing)) {
        std::ostringstream text;
        text.imbue(std::locale::classic());
        text << "vertical_spacing must be in [0, " << max_spacing << ") for " << count << " panels, got " << spacing;
        fail(Errc::invalid_argument, text.str());
    }
    const std::size_t default_height = 150 + 250 * count;
    FigureOptions frame;
    frame.title = options.title;
    frame.token_width = options.token_width;
    frame.height = options.height > 0 ? options.height : default_height;

    FigurePlan plan;
    plan.layout = figure_layout(*panels[0].statistic, frame);
    plan.layout.merge_patch(JsonValue::object({{"xaxis", nullptr}, {"yaxis", nullptr}}));
    // Without a figure title, the top margin keeps only the top panel's title.
    const double margin_top =
        options.title.empty() ? geometry::untitled_stack_margin_top : geometry::default_margin_top;
    if (options.title.empty()) plan.layout["margin"] = JsonValue::object({{"t", margin_top}});
    const TextArray<1>* x_labels = shared_x_labels(panels);

    // Heights in pixels of the plotting area, then as fractions of it (the
    // unit of Plotly's domains): the panels share what the gaps leave.
    const double area = geometry::plot_height(static_cast<double>(frame.height), margin_top);
    std::vector<std::size_t> rows;
    for (const Panel& panel : panels) rows.push_back(panel.statistic->n_layers());
    const std::vector<double> heights = geometry::panel_heights(
        rows, area * (1.0 - spacing * static_cast<double>(count - 1)), options.equal_panel_heights);
    const double cell_width = column_width(frame.token_width, seq_len);

    JsonValue annotations = JsonValue::array();
    std::string page_title;
    double top = 1.0;
    for (std::size_t i = 0; i < count; ++i) try {
            const Panel& panel = panels[i];
            const std::size_t axis = i + 1;
            // Panel 0 is at the top; paper coordinates grow upwards.
            const bool is_bottom = i + 1 == count;
            const double bottom = is_bottom ? 0.0 : top - heights[i] / area;

            // The panel's merge patch goes last, so that it can change what
            // stacking sets too.
            PanelOptions without_patch = panel.options;
            without_patch.extra_json.clear();
            const CellBox cell{cell_width, heights[i] / static_cast<double>(rows[i])};
            HeatmapPlan heatmap = plan_heatmap(*panel.statistic, without_patch, cell);
            JsonValue& trace = heatmap.trace;
            if (x_labels != nullptr) trace["x"] = placeholder(Placeholder::x_labels);
            heatmap.x_labels = x_labels;
            trace["xaxis"] = axis_id('x', axis);
            trace["yaxis"] = axis_id('y', axis);
            // Beside its panel and no taller: a colour bar's length is a
            // fraction of the plotting area, centred on the panel.
            JsonValue& colorbar = trace["colorbar"];
            colorbar["len"] = top - bottom;
            colorbar["lenmode"] = "fraction";
            colorbar["y"] = (top + bottom) / 2.0;
            colorbar["yanchor"] = "middle";
            if (!panel.options.extra_json.empty()) apply_extra(trace, panel.options.extra_json);
            plan.traces.push_back({panel.statistic.get(), std::move(heatmap)});

            JsonValue x_axis = JsonValue::object(
                {{"anchor", axis_id('y', axis)}, {"domain", JsonValue::array({0.0, 1.0})}, {"type", "category"}});
            if (is_bottom) {
                x_axis["title"] = JsonValue::object({{"text", "Input"}});
            } else {
                x_axis["matches"] = axis_id('x', count);
                x_axis["showticklabels"] = false;
            }
            plan.layout[layout_axis_key('x', axis)] = std::move(x_axis);
            plan.layout[layout_axis_key('y', axis)] =
                JsonValue::object({{"anchor", axis_id('x', axis)},
                                   {"domain", JsonValue::array({bottom, top})},
                                   {"title", JsonValue::object({{"text", "Layer"}})},
                                   {"type", "category"}});

            const std::string title = panel.options.title.value_or(panel.statistic->name());
            page_title += (i ? ", " : "") + title;
            annotations.push_back(JsonValue::object({{"text", plotly_escaped(title)},
                                                     {"showarrow", false},
                                                     {"x", 0.5},
                                                     {"xanchor", "center"},
                                                     {"xref", "paper"},
                                                     {"y", top},
                                                     {"yanchor", "bottom"},
                                                     {"yref", "paper"},
                                                     {"font", JsonValue::object({{"size", std::int64_t{16}}})}}));
            top = bottom - spacing;
        } catch (const Error& error) {
            fail(error.code(),
                 "panels[" + std::to_string(i) + "] (" + panels[i].statistic->name() + "): " + error.what());
        }
    plan.layout["annotations"] = std::move(annotations);
    plan.page_title = options.title.empty() ? page_title : options.title;
    apply_layout_patch(plan, options.layout_json);
    return plan;
}

}  // namespace trajplot
