// The SVG of a figure, streamed as it is drawn. Words are <text> elements
// (selectable, searchable, laid out by the viewer with text-anchor), so no
// font is needed to write it; cells are <rect>s read from the statistics
// as they are written, never held.
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "image_export.hpp"

namespace trajplot::image {
namespace {

// plotly.js's default font stack.
constexpr std::string_view font_family = "'Open Sans', verdana, arial, sans-serif";

// Coordinates to a hundredth of a pixel, without trailing zeros.
void append_number(std::string& out, double value) {
    if (!std::isfinite(value)) value = 0;
    char buffer[40];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 2);
    if (error != std::errc{}) {
        out += '0';
        return;
    }
    std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    while (text.ends_with('0')) text.remove_suffix(1);
    if (text.ends_with('.')) text.remove_suffix(1);
    if (text == "-0") text = "0";
    out += text;
}

void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
}

void append_color(std::string& out, Rgb color) {
    static constexpr char digits[] = "0123456789abcdef";
    out += '#';
    for (const std::uint8_t channel : {color.r, color.g, color.b}) {
        out += digits[channel >> 4];
        out += digits[channel & 15];
    }
}

// Appends ` name="value"` for a number.
void attribute(std::string& out, std::string_view name, double value) {
    out += ' ';
    out += name;
    out += "=\"";
    append_number(out, value);
    out += '"';
}

class SvgWriter {
public:
    SvgWriter(JsonWriter& out, const Scene& scene) : out_(out), scene_(scene) {}

    void write(double scale) {
        buffer_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"";
        attribute(buffer_, "width", scene_.width * scale);
        attribute(buffer_, "height", scene_.height * scale);
        buffer_ += " viewBox=\"0 0 ";
        append_number(buffer_, scene_.width);
        buffer_ += ' ';
        append_number(buffer_, scene_.height);
        buffer_ += "\" font-family=\"";
        buffer_ += font_family;
        buffer_ += "\" font-size=\"12\">\n";
        if (!scene_.title.empty()) {
            buffer_ += "<title>";
            append_escaped(buffer_, displayable(scene_.title));
            buffer_ += "</title>\n";
        }
        buffer_ += "<rect x=\"0\" y=\"0\"";
        attribute(buffer_, "width", scene_.width);
        attribute(buffer_, "height", scene_.height);
        buffer_ += " fill=\"";
        append_color(buffer_, scene_.background);
        buffer_ += "\"/>\n";
        for (std::size_t i = 0; i < scene_.heatmaps.size(); ++i) write_heatmap(i);
        write_lines();
        for (const TextItem& text : scene_.texts) write_text(text);
        buffer_ += "</svg>\n";
        flush();
    }

private:
    // Pieces go to the writer a few kilobytes at a time.
    void maybe_flush() {
        if (buffer_.size() >= 1 << 14) flush();
    }
    void flush() {
        out_.raw(buffer_);
        buffer_.clear();
    }

    void write_heatmap(std::size_t index) {
        const Heatmap& heatmap = scene_.heatmaps[index];
        // Crisp edges: neighbouring cells meet without a seam of background.
        buffer_ += "<g class=\"cells\" shape-rendering=\"crispEdges\">\n";
        for (std::size_t layer = 0; layer < heatmap.rows(); ++layer) {
            const double top = heatmap.row_top(layer);
            const double height = heatmap.row_bottom(layer) - top;
            for (std::size_t position = 0; position < heatmap.columns(); ++position) {
                const std::optional<Rgb> color = heatmap.cell_color(layer, position);
                if (!color) continue;  // a gap shows the background, as in plotly.js
                const double left = heatmap.column_edge(position);
                buffer_ += "<rect";
                attribute(buffer_, "x", left);
                attribute(buffer_, "y", top);
                attribute(buffer_, "width", heatmap.column_edge(position + 1) - left);
                attribute(buffer_, "height", height);
                buffer_ += " fill=\"";
                append_color(buffer_, *color);
                buffer_ += "\"/>\n";
                maybe_flush();
            }
        }
        buffer_ += "</g>\n";
        if (heatmap.labels != nullptr) write_cell_labels(heatmap);
        if (heatmap.colorbar) write_colorbar(heatmap, index);
    }

    void write_cell_labels(const Heatmap& heatmap) {
        buffer_ += "<g class=\"cell-text\" text-anchor=\"middle\"";
        if (heatmap.bold_text) buffer_ += " font-weight=\"bold\"";
        attribute(buffer_, "font-size", heatmap.text_size);
        buffer_ += " fill=\"";
        append_color(buffer_, default_ink);
        buffer_ += "\">\n";
        const TextArray<2>& labels = *heatmap.labels;
        for (std::size_t layer = 0; layer < heatmap.rows(); ++layer) {
            const double middle = (heatmap.row_top(layer) + heatmap.row_bottom(layer)) / 2;
            for (std::size_t position = 0; position < heatmap.columns(); ++position) {
                const std::string_view label = labels(layer, position);
                if (label.empty()) continue;
                buffer_ += "<text";
                attribute(buffer_, "x", (heatmap.column_edge(position) + heatmap.column_edge(position + 1)) / 2);
                attribute(buffer_, "y", middle + 0.35 * heatmap.text_size);
                const Rgb ink = text_color_on(heatmap.cell_color(layer, position).value_or(scene_.background));
                if (ink != default_ink) {
                    buffer_ += " fill=\"";
                    append_color(buffer_, ink);
                    buffer_ += '"';
                }
                buffer_ += '>';
                append_escaped(buffer_, displayable(label));
                buffer_ += "</text>\n";
                maybe_flush();
            }
        }
        buffer_ += "</g>\n";
    }

    void write_colorbar(const Heatmap& heatmap, std::size_t index) {
        const Box& bar = *heatmap.colorbar;
        const std::string id = "trajplot-colorbar-" + std::to_string(index);
        buffer_ += "<defs><linearGradient id=\"" + id + "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
        for (const ColorScale::Stop& stop : heatmap.scale.stops()) {
            buffer_ += "<stop";
            attribute(buffer_, "offset", stop.position);
            buffer_ += " stop-color=\"";
            append_color(buffer_, heatmap.scale.at(stop.position));
            buffer_ += "\"/>";
        }
        buffer_ += "</linearGradient></defs>\n<rect";
        attribute(buffer_, "x", bar.left);
        attribute(buffer_, "y", bar.top);
        attribute(buffer_, "width", bar.width);
        attribute(buffer_, "height", bar.height);
        buffer_ += " fill=\"url(#" + id + ")\"/>\n";
    }

    void write_lines() {
        if (scene_.lines.empty()) return;
        buffer_ += "<path fill=\"none\" stroke=\"";
        append_color(buffer_, default_ink);
        buffer_ += "\" stroke-width=\"1\" shape-rendering=\"crispEdges\" d=\"";
        for (const Line& line : scene_.lines) {
            buffer_ += 'M';
            append_number(buffer_, line.x1);
            buffer_ += ',';
            append_number(buffer_, line.y1);
            buffer_ += 'L';
            append_number(buffer_, line.x2);
            buffer_ += ',';
            append_number(buffer_, line.y2);
            maybe_flush();
        }
        buffer_ += "\"/>\n";
    }

    void write_text(const TextItem& text) {
        buffer_ += "<text";
        attribute(buffer_, "x", text.x);
        attribute(buffer_, "y", text.y);
        if (text.size != 12) attribute(buffer_, "font-size", text.size);
        if (text.anchor != Anchor::start) {
            buffer_ += text.anchor == Anchor::middle ? " text-anchor=\"middle\"" : " text-anchor=\"end\"";
        }
        if (text.bold) buffer_ += " font-weight=\"bold\"";
        buffer_ += " fill=\"";
        append_color(buffer_, text.color);
        buffer_ += '"';
        if (text.rotation != 0) {
            buffer_ += " transform=\"rotate(";
            append_number(buffer_, text.rotation);
            buffer_ += ' ';
            append_number(buffer_, text.x);
            buffer_ += ' ';
            append_number(buffer_, text.y);
            buffer_ += ")\"";
        }
        buffer_ += '>';
        // A superscript is raised with dy, which shifts all text after it:
        // the next plain run drops back by as much.
        const double rise = superscript_rise * text.size;
        bool raised = false;
        for (const TextRun& run : text.runs) {
            if (run.text.empty()) continue;
            if (!run.superscript && !raised) {
                append_escaped(buffer_, run.text);
                continue;
            }
            buffer_ += "<tspan";
            if (run.superscript) {
                attribute(buffer_, "font-size", text.size * superscript_scale);
                if (!raised) attribute(buffer_, "dy", -rise);
            } else {
                attribute(buffer_, "dy", rise);
            }
            raised = run.superscript;
            buffer_ += '>';
            append_escaped(buffer_, run.text);
            buffer_ += "</tspan>";
        }
        buffer_ += "</text>\n";
        maybe_flush();
    }

    JsonWriter& out_;
    const Scene& scene_;
    std::string buffer_;
};

}  // namespace

void write_svg(JsonWriter& out, const Scene& scene, double scale) { SvgWriter(out, scene).write(scale); }

}  // namespace trajplot::image
