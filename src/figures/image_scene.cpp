// Laying a planned figure out as plotly.js does (plotly.js 4, trajplot's
// pinned version): margins, the plotting area beside the colour bars,
// category axes that label every n-th category when not all fit, auto
// colour-bar ticks, and titles kept clear of tick labels.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "figure_geometry.hpp"
#include "image_scene.hpp"
#include "trajplot/error.hpp"

namespace trajplot::image {
namespace {

// plotly.js's layout defaults: fonts (the axis and colour-bar titles are
// 1.2 times the layout font, rounded), outside ticks 5 px long.
constexpr double font_size = geometry::default_font_size;
constexpr double axis_title_size = 14;
constexpr double title_size = 17;
constexpr double tick_length = 5;
// Tick labels stand off the axis by the tick, a fifth of their font size
// and half the (absent, 1 px) axis line.
constexpr double label_standoff = tick_length + 0.2 * font_size + 0.5;
// Text is placed by its baseline; these are where plotly.js puts the
// baseline of a line of text centred on a point, and the ascent and
// descent it measures for keeping text apart (in ems).
constexpr double middle_shift = 0.35;
constexpr double ascent = 0.928;
constexpr double descent = 0.236;
// plotly.js keeps what pushes a margin this far from the figure's edge.
constexpr double margin_pad = 12;
// A colour bar's tick labels start this far right of the bar: half its
// outline, half an axis line and a fifth of the font.
constexpr double colorbar_label_gap = 0.5 + 0.5 + 0.2 * font_size;
// A category axis labels every dtick-th category, dtick the smallest whole
// number giving each label at least this many pixels (1.2 font sizes).
constexpr double category_pixels = 14;

const JsonValue* member(const JsonValue* object, std::initializer_list<std::string_view> path) {
    for (const std::string_view key : path) {
        if (object == nullptr) return nullptr;
        object = object->find(key);
    }
    return object;
}

double number_or(const JsonValue* value, double otherwise) {
    double number = otherwise;
    if (value != nullptr && value->number_value(number) && std::isfinite(number)) return number;
    return otherwise;
}

std::string string_or(const JsonValue* value, std::string_view otherwise) {
    const std::string* text = value != nullptr ? value->string_value() : nullptr;
    return text != nullptr ? *text : std::string(otherwise);
}

// A title given as {"text": ...} or as the string shorthand.
std::string title_text(const JsonValue* title) {
    if (title == nullptr) return {};
    if (const std::string* text = title->string_value()) return *text;
    return string_or(title->find("text"), "");
}

std::pair<double, double> domain_of(const JsonValue* axis) {
    const JsonValue* domain = member(axis, {"domain"});
    const JsonValue::Array* ends = domain != nullptr ? domain->array_value() : nullptr;
    if (ends == nullptr || ends->size() != 2) return {0.0, 1.0};
    return {number_or(&(*ends)[0], 0.0), number_or(&(*ends)[1], 1.0)};
}

std::string layout_axis_key(std::string_view id) {
    // "x" -> "xaxis", "y3" -> "yaxis3"
    return std::string(id.substr(0, 1)) + "axis" + std::string(id.substr(1));
}

ColorScale colorscale_of(const JsonValue& trace) {
    ColorScale scale;
    const JsonValue* value = trace.find("colorscale");
    const JsonValue::Array* stops = value != nullptr ? value->array_value() : nullptr;
    if (stops == nullptr || stops->size() < 2) {
        fail(Errc::invalid_argument, "a static image needs the trace's colorscale as an array of [position, colour]");
    }
    double previous = -1;
    for (const JsonValue& stop : *stops) {
        const JsonValue::Array* pair = stop.array_value();
        double position = 0;
        const std::string* color = pair != nullptr && pair->size() == 2 ? (*pair)[1].string_value() : nullptr;
        const std::optional<Rgb> rgb = color != nullptr ? parse_color(*color) : std::nullopt;
        if (color == nullptr || !(*pair)[0].number_value(position) || !rgb || position < previous) {
            fail(Errc::invalid_argument,
                 "a static image cannot read a colorscale stop; stops are [position, \"rgb(r,g,b)\" or \"#rrggbb\"] "
                 "in ascending position");
        }
        previous = position;
        scale.add(position, *rgb);
    }
    return scale;
}

// plotly.js's "auto" tick spacing: about one tick per 40 px (4 to 9 of
// them, plus one), rounded up to 2, 5 or 10 times a power of ten.
double auto_dtick(double range, double length) {
    const double ticks = std::clamp(length / 40.0, 4.0, 9.0) + 1.0;
    const double rough = range / ticks;
    const double base = std::pow(10.0, std::floor(std::log10(rough)));
    const double mantissa = rough / base;
    // The first of 2, 5, 10 strictly above the mantissa, as plotly.js rounds.
    const double step = mantissa < 2 ? 2 : mantissa < 5 ? 5 : 10;
    return base * step;
}

// A linear tick's text as plotly.js writes it by default: decimals as the
// step needs, U+2212 for minus, and beyond 10^3 (or below 10^-3) an SI
// suffix (k, M, B for 10^9, ...).
std::string tick_text(double value, double dtick, int exponent) {
    static constexpr std::pair<int, const char*> suffixes[] = {
        {-15, "f"}, {-12, "p"}, {-9, "n"}, {-6, "\u00B5"}, {-3, "m"}, {3, "k"}, {6, "M"}, {9, "B"}, {12, "T"}};
    const char* suffix = "";
    for (const auto& [power, text] : suffixes) {
        if (power == exponent) suffix = text;
    }
    if (exponent != 0 && *suffix == '\0') exponent = 0;  // beyond the prefixes: plain digits
    const double scale = std::pow(10.0, exponent);
    const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(dtick / scale) + 0.01)));
    const double shown = value / scale;
    char buffer[64];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, std::abs(shown), std::chars_format::fixed, decimals);
    std::string digits = error == std::errc{} ? std::string(buffer, end) : std::string("?");
    // Trailing zeros go, as plotly.js writes 1 rather than 1.0.
    if (digits.find('.') != std::string::npos) {
        while (digits.ends_with('0')) digits.pop_back();
        if (digits.ends_with('.')) digits.pop_back();
    }
    const bool zero = digits.find_first_not_of("0.") == std::string::npos;
    return (shown < 0 && !zero ? "\u2212" : "") + digits + suffix;
}

struct Tick {
    double value;
    std::vector<TextRun> runs;
};

std::vector<Tick> colorbar_ticks(const JsonValue& colorbar, double zmin, double zmax, double length) {
    std::vector<Tick> ticks;
    const double low = std::min(zmin, zmax);
    const double high = std::max(zmin, zmax);
    const double slack = (high - low) * 1e-9;
    if (string_or(colorbar.find("tickmode"), "auto") == "array") {
        const JsonValue* values = colorbar.find("tickvals");
        const JsonValue* texts = colorbar.find("ticktext");
        const JsonValue::Array* value_list = values != nullptr ? values->array_value() : nullptr;
        const JsonValue::Array* text_list = texts != nullptr ? texts->array_value() : nullptr;
        if (value_list == nullptr) return ticks;
        for (std::size_t i = 0; i < value_list->size(); ++i) {
            double value = 0;
            if (!(*value_list)[i].number_value(value) || value < low - slack || value > high + slack) continue;
            const std::string* text =
                text_list != nullptr && i < text_list->size() ? (*text_list)[i].string_value() : nullptr;
            ticks.push_back({value, markup_runs(text != nullptr ? *text : tick_text(value, 1, 0))});
        }
        return ticks;
    }
    // An infinite end (a clip to infinity) leaves no step to tick by.
    if (!(high > low) || !std::isfinite(high - low)) return ticks;
    const double dtick = auto_dtick(high - low, length);
    const double largest = std::max(std::abs(low), std::abs(high));
    const int power = static_cast<int>(std::floor(std::log10(largest) + 0.01));
    const int exponent = std::abs(power) > 3 ? 3 * static_cast<int>(std::floor((power - 1) / 3.0 + 0.5)) : 0;
    for (double k = std::ceil(low / dtick - 1e-9); k * dtick <= high + slack; k += 1) {
        const double value = k * dtick;
        ticks.push_back({value, plain_runs(tick_text(value, dtick, exponent))});
    }
    return ticks;
}

// What a colour bar shows beside its bar, which plotly.js measures to
// widen the right margin before it lays out the plotting area.
struct ColorbarContent {
    const JsonValue* colorbar = nullptr;  // the trace's colorbar attributes
    double length_fraction = 1;           // of the plotting height
    double centre = 0.5;
    std::vector<Tick> ticks;
    double labels_width = 0;  // the widest tick label's
    std::vector<TextRun> title;
    double title_size = axis_title_size;

    // The title's ascent and descent, in whole pixels as a browser measures
    // a line of text.
    double title_ascent() const { return std::round(ascent * title_size); }
    double title_height() const { return title_ascent() + std::round(descent * title_size); }
    // Where the title's box starts, from the bar's left edge.
    double title_left() const {
        const double labels_right = geometry::colorbar_thickness + colorbar_label_gap + labels_width;
        return std::max(geometry::colorbar_thickness + 10 + title_size - title_ascent(),
                        ticks.empty() ? 0 : labels_right + 2);
    }
    // The width plotly.js reserves for the bar, its labels and title, its
    // padding included.
    double extent() const {
        double width = geometry::colorbar_thickness + 0.5 + (ticks.empty() ? 0 : labels_width);
        if (!title.empty()) width = std::max(width, title_left() + title_height());
        return 2 * geometry::colorbar_pad + width + 0.5;
    }
};

ColorbarContent colorbar_content(const JsonValue& trace, double plot_height) {
    static const JsonValue no_colorbar = JsonValue::object();
    ColorbarContent content;
    const JsonValue* found = trace.find("colorbar");
    const JsonValue& colorbar = found != nullptr && found->is_object() ? *found : no_colorbar;
    content.colorbar = &colorbar;
    content.length_fraction = number_or(colorbar.find("len"), 1.0);
    content.centre = number_or(colorbar.find("y"), 0.5);
    const double bar_length =
        std::max(1.0, std::round(content.length_fraction * plot_height) - 2 * geometry::colorbar_pad);
    double zmin = 0;
    double zmax = 0;
    if (trace.find("zmin") && trace.find("zmax") && trace.find("zmin")->number_value(zmin) &&
        trace.find("zmax")->number_value(zmax) && zmin != zmax) {
        content.ticks = colorbar_ticks(colorbar, zmin, zmax, bar_length);
    }
    for (const Tick& tick : content.ticks) {
        content.labels_width = std::max(content.labels_width, estimated_width(tick.runs, font_size, false));
    }
    content.title = markup_runs(title_text(colorbar.find("title")));
    if (content.title.size() == 1 && content.title[0].text.empty()) content.title.clear();
    content.title_size = number_or(member(&colorbar, {"title", "font", "size"}), axis_title_size);
    return content;
}

// The categories of an axis as shown.
std::vector<std::string> categories(const TextArray<1>* labels, std::size_t count) {
    std::vector<std::string> shown;
    shown.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        shown.push_back(labels != nullptr ? displayable(labels->flat(i)) : std::to_string(i));
    }
    return shown;
}

std::size_t category_step(std::size_t count, double length) {
    const double rough = static_cast<double>(count) * category_pixels / std::max(length, 1.0);
    return static_cast<std::size_t>(std::ceil(std::max(rough, 1.0)));
}

class SceneBuilder {
public:
    explicit SceneBuilder(const FigurePlan& plan) : plan_(plan), layout_(plan.layout) {}

    Scene build() {
        // plotly.js draws nothing smaller than a pixel, whatever a patch says.
        scene_.width = std::max(1.0, number_or(layout_.find("width"), 700));
        scene_.height = std::max(1.0, number_or(layout_.find("height"), geometry::default_height));
        scene_.title = plan_.page_title;
        scene_.background = parse_color(string_or(layout_.find("paper_bgcolor"), "white")).value_or(white);
        const JsonValue* margin = layout_.find("margin");
        margin_left_ = number_or(member(margin, {"l"}), geometry::default_margin_left);
        const double margin_right = number_or(member(margin, {"r"}), geometry::default_margin_right);
        margin_top_ = number_or(member(margin, {"t"}), geometry::default_margin_top);
        const double margin_bottom = number_or(member(margin, {"b"}), geometry::default_margin_bottom);
        plot_height_ = std::max(1.0, scene_.height - margin_top_ - margin_bottom);
        // plotly.js widens the right margin until the widest colour bar, with
        // its labels and title, fits beside the plotting area at 1.02 of its
        // width, a margin's padding from the edge; margins are whole pixels.
        std::vector<std::optional<ColorbarContent>> colorbars;
        double right = margin_right;
        for (const PlannedTrace& planned : plan_.traces) {
            const JsonValue* show = planned.heatmap.trace.find("showscale");
            if (show != nullptr && !show->bool_or(true)) {
                colorbars.emplace_back();
                continue;
            }
            colorbars.push_back(colorbar_content(planned.heatmap.trace, plot_height_));
            const double pushed =
                (colorbars.back()->extent() + margin_pad + (geometry::colorbar_x - 1) * (scene_.width - margin_left_)) /
                geometry::colorbar_x;
            right = std::max(right, pushed);
        }
        plot_width_ = std::max(1.0, std::round(scene_.width) - std::round(margin_left_) - std::round(right));

        for (std::size_t i = 0; i < plan_.traces.size(); ++i) add_trace(plan_.traces[i], colorbars[i]);
        add_annotations();
        add_title();
        return std::move(scene_);
    }

private:
    void add_trace(const PlannedTrace& planned, const std::optional<ColorbarContent>& colorbar) {
        const JsonValue& trace = planned.heatmap.trace;
        const TrajectoryStatistic& statistic = *planned.statistic;
        if (!trace.find("z") || !trace.find("z")->is_placeholder(z_values)) {
            fail(Errc::invalid_argument, "a static image draws the statistic's values, and extra_json replaces z");
        }
        const std::string x_id = string_or(trace.find("xaxis"), "x");
        const std::string y_id = string_or(trace.find("yaxis"), "y");
        const JsonValue* x_axis = layout_.find(layout_axis_key(x_id));
        const JsonValue* y_axis = layout_.find(layout_axis_key(y_id));
        const auto [x0, x1] = domain_of(x_axis);
        const auto [y0, y1] = domain_of(y_axis);

        Heatmap heatmap;
        heatmap.statistic = &statistic;
        heatmap.log_scale = planned.heatmap.log_scale;
        heatmap.scale = colorscale_of(trace);
        heatmap.area = {margin_left_ + x0 * plot_width_, margin_top_ + (1 - y1) * plot_height_, (x1 - x0) * plot_width_,
                        (y1 - y0) * plot_height_};
        double zmin = 0;
        double zmax = 0;
        if (trace.find("zmin") && trace.find("zmax") && trace.find("zmin")->number_value(zmin) &&
            trace.find("zmax")->number_value(zmax)) {
            heatmap.zmin = zmin;
            heatmap.zmax = zmax;
        }
        const JsonValue* text = trace.find("text");
        const auto& labels = statistic.trajectory_labels();
        // A patched text array is not followed: the statistic's labels are drawn.
        if (text != nullptr && !text->is_null() && labels && trace.find("texttemplate")) {
            heatmap.labels = &labels->label_strings();
            heatmap.bold_text = string_or(trace.find("texttemplate"), "").find("<b>") != std::string::npos;
            const double cell_width = heatmap.area.width / static_cast<double>(statistic.seq_len());
            const double cell_height = heatmap.area.height / static_cast<double>(statistic.n_layers());
            heatmap.text_size = number_or(member(&trace, {"textfont", "size"}),
                                          geometry::cell_text_size(labels->longest_label(), cell_width, cell_height));
        }
        if (colorbar) add_colorbar(heatmap, *colorbar);

        add_x_axis(heatmap.area, x_axis, categories(planned.heatmap.x_labels, statistic.seq_len()));
        add_y_axis(heatmap.area, y_axis, categories(&statistic.layer_labels(), statistic.n_layers()));
        scene_.heatmaps.push_back(std::move(heatmap));
    }

    void add_colorbar(Heatmap& heatmap, const ColorbarContent& content) {
        // plotly.js rounds the bar's length and bottom to whole pixels.
        const double length = std::round(content.length_fraction * plot_height_);
        const double bottom =
            margin_top_ + std::round(plot_height_ * (1 - (content.centre - content.length_fraction / 2)));
        const Box bar{margin_left_ + std::round(geometry::colorbar_x * plot_width_ + geometry::colorbar_pad),
                      bottom - length + geometry::colorbar_pad, geometry::colorbar_thickness,
                      std::max(1.0, length - 2 * geometry::colorbar_pad)};
        heatmap.colorbar = bar;
        const double right = bar.left + bar.width;
        scene_.lines.push_back({bar.left, bar.top, right, bar.top});
        scene_.lines.push_back({right, bar.top, right, bar.top + bar.height});
        scene_.lines.push_back({right, bar.top + bar.height, bar.left, bar.top + bar.height});
        scene_.lines.push_back({bar.left, bar.top + bar.height, bar.left, bar.top});

        if (heatmap.zmin && heatmap.zmax && *heatmap.zmax != *heatmap.zmin) {
            const double zmin = *heatmap.zmin;
            const double zmax = *heatmap.zmax;
            for (const Tick& tick : content.ticks) {
                const double y = bar.top + bar.height - (tick.value - zmin) / (zmax - zmin) * bar.height;
                TextItem label{tick.runs, right + colorbar_label_gap, y + middle_shift * font_size};
                label.anchor = Anchor::start;
                scene_.texts.push_back(std::move(label));
            }
        }
        if (content.title.empty()) return;
        // Right of the bar and its tick labels, reading upwards: the baseline
        // is the box's ascent from its left edge.
        TextItem text{content.title, bar.left + content.title_left() + content.title_ascent(), bar.top + bar.height / 2,
                      content.title_size};
        text.rotation = -90;
        scene_.texts.push_back(std::move(text));
    }

    void add_x_axis(const Box& area, const JsonValue* axis, const std::vector<std::string>& names) {
        const std::size_t count = names.size();
        const double bottom = area.top + area.height;
        const double column = area.width / static_cast<double>(count);
        const std::size_t step = category_step(count, area.width);
        const bool show_labels =
            axis == nullptr || axis->find("showticklabels") == nullptr || axis->find("showticklabels")->bool_or(true);
        std::vector<double> widths;
        for (std::size_t i = 0; i < count; i += step) {
            const double x = area.left + (static_cast<double>(i) + 0.5) * column;
            scene_.lines.push_back({x, bottom, x, bottom + tick_length});
            if (show_labels) widths.push_back(estimated_width(names[i], font_size, false));
        }
        // Each label's horizontal extent and lowest point, for keeping the
        // title clear.
        struct Extent {
            double left, right, bottom;
        };
        std::vector<Extent> extents;
        if (show_labels) {
            // plotly.js turns the labels when neighbours would touch: 30
            // degrees when the spacing leaves room for a line of text along
            // the slope, else 90.
            const double spacing = static_cast<double>(step) * column;
            bool overlap = false;
            for (std::size_t k = 0; k + 1 < widths.size(); ++k) {
                if ((widths[k] + widths[k + 1]) / 2 + 2 >= spacing) overlap = true;
            }
            const double slope = std::numbers::pi / 6;
            const double angle = !overlap                                                             ? 0
                                 : spacing / std::hypot(spacing, font_size * 1.25) >= std::cos(slope) ? 30
                                                                                                      : 90;
            std::size_t shown = 0;
            for (std::size_t i = 0; i < count; i += step, ++shown) {
                const double tick_x = area.left + (static_cast<double>(i) + 0.5) * column;
                const double width = widths[shown];
                TextItem label{plain_runs(names[i]), tick_x, bottom + label_standoff + font_size};
                if (angle == 30) {
                    label.x = tick_x + tick_length * std::sin(slope);
                    label.y = bottom + tick_length * std::cos(slope) + 1 + 0.2 * font_size + 0.5 + font_size;
                    label.anchor = Anchor::start;
                    label.rotation = 30;
                    extents.push_back({label.x, label.x + width * std::cos(slope), label.y + width * std::sin(slope)});
                } else if (angle == 90) {
                    label.x = tick_x - middle_shift * font_size;
                    label.y = bottom + 1 + 0.2 * font_size + 0.5;
                    label.anchor = Anchor::start;
                    label.rotation = 90;
                    extents.push_back({tick_x - font_size / 2, tick_x + font_size / 2, label.y + width});
                } else {
                    extents.push_back({tick_x - width / 2, tick_x + width / 2, label.y + descent * font_size});
                }
                scene_.texts.push_back(std::move(label));
            }
        }
        const std::string title = title_text(member(axis, {"title"}));
        if (title.empty()) return;
        const double standoff = 10 + 1.5 * axis_title_size + (show_labels ? 1.5 : 0.5) * axis_title_size;
        TextItem text{markup_runs(title), area.left + area.width / 2, bottom + standoff, axis_title_size};
        const double half = estimated_width(text.runs, axis_title_size, false) / 2;
        for (const Extent& extent : extents) {
            if (extent.right > text.x - half && extent.left < text.x + half) {
                text.y = std::max(text.y, extent.bottom + 3 + ascent * axis_title_size);
            }
        }
        scene_.texts.push_back(std::move(text));
    }

    void add_y_axis(const Box& area, const JsonValue* axis, const std::vector<std::string>& names) {
        const std::size_t count = names.size();
        const double row = area.height / static_cast<double>(count);
        const std::size_t step = category_step(count, area.height);
        const bool show_labels =
            axis == nullptr || axis->find("showticklabels") == nullptr || axis->find("showticklabels")->bool_or(true);
        // Each label's left end and height, for keeping the title clear.
        std::vector<std::pair<double, double>> label_ends;
        for (std::size_t i = 0; i < count; i += step) {
            const double y = area.top + area.height - (static_cast<double>(i) + 0.5) * row;
            scene_.lines.push_back({area.left - tick_length, y, area.left, y});
            if (!show_labels) continue;
            TextItem label{plain_runs(names[i]), area.left - label_standoff, y + middle_shift * font_size};
            label.anchor = Anchor::end;
            label_ends.emplace_back(label.x - estimated_width(label.runs, font_size, false), y);
            scene_.texts.push_back(std::move(label));
        }
        const std::string title = title_text(member(axis, {"title"}));
        if (title.empty()) return;
        const double standoff = 10 + 1.5 * axis_title_size + (show_labels ? 0.5 * axis_title_size : 0);
        TextItem text{markup_runs(title), area.left - standoff, area.top + area.height / 2, axis_title_size};
        text.rotation = -90;
        // plotly.js moves the title out of the way of the tick labels beside
        // it, not of those above or below it.
        const double reach = estimated_width(text.runs, axis_title_size, false) / 2 + font_size / 2;
        for (const auto& [left, y] : label_ends) {
            if (std::abs(y - text.y) < reach) text.x = std::min(text.x, left - 3 - descent * axis_title_size);
        }
        scene_.texts.push_back(std::move(text));
    }

    // Annotations in paper coordinates: a stacked figure's panel titles.
    void add_annotations() {
        const JsonValue* found = layout_.find("annotations");
        const JsonValue::Array* annotations = found != nullptr ? found->array_value() : nullptr;
        if (annotations == nullptr) return;
        for (const JsonValue& annotation : *annotations) {
            const std::string text = string_or(annotation.find("text"), "");
            if (text.empty()) continue;
            const double size = number_or(member(&annotation, {"font", "size"}), font_size);
            const double x = margin_left_ + number_or(annotation.find("x"), 0.5) * plot_width_;
            const double y = margin_top_ + (1 - number_or(annotation.find("y"), 0.5)) * plot_height_;
            const std::string yanchor = string_or(annotation.find("yanchor"), "auto");
            const std::string xanchor = string_or(annotation.find("xanchor"), "auto");
            // Its box is a line of text (1.3 ems) with a pixel of padding.
            const double baseline = yanchor == "bottom" ? y - 1 - 0.34 * size
                                    : yanchor == "top"  ? y + 1 + 0.96 * size
                                                        : y + 0.31 * size;
            TextItem item{markup_runs(text), x, baseline, size};
            item.anchor = xanchor == "left" ? Anchor::start : xanchor == "right" ? Anchor::end : Anchor::middle;
            scene_.texts.push_back(std::move(item));
        }
    }

    // The figure's title, centred in the top margin with its baseline there.
    void add_title() {
        const JsonValue* title = layout_.find("title");
        const std::string text = title_text(title);
        if (text.empty()) return;
        const double size = number_or(member(title, {"font", "size"}), title_size);
        const double x = number_or(member(title, {"x"}), 0.5) * scene_.width;
        scene_.texts.push_back(TextItem{markup_runs(text), x, margin_top_ / 2, size});
    }

    const FigurePlan& plan_;
    const JsonValue& layout_;
    Scene scene_;
    double margin_left_ = 0;
    double margin_top_ = 0;
    double plot_width_ = 0;
    double plot_height_ = 0;
};

}  // namespace

double Heatmap::column_edge(std::size_t i) const noexcept {
    return area.left + area.width * static_cast<double>(i) / static_cast<double>(columns());
}

double Heatmap::row_top(std::size_t layer) const noexcept {
    return area.top + area.height * static_cast<double>(rows() - 1 - layer) / static_cast<double>(rows());
}

double Heatmap::row_bottom(std::size_t layer) const noexcept {
    return area.top + area.height * static_cast<double>(rows() - layer) / static_cast<double>(rows());
}

std::optional<Rgb> Heatmap::cell_color(std::size_t layer, std::size_t position) const noexcept {
    if (!zmin || !zmax) return std::nullopt;
    const float value = statistic->stats()(layer, position);
    const double z = log_scale ? log10_value(value) : value;
    if (!std::isfinite(z)) return std::nullopt;
    const double span = *zmax - *zmin;
    return scale.at(span != 0 ? (z - *zmin) / span : 0.5);
}

Scene layout_scene(const FigurePlan& plan) { return SceneBuilder(plan).build(); }

}  // namespace trajplot::image
