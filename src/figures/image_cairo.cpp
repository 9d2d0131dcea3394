// PNG and PDF through Cairo, with Pango for the text: tokens in any script
// find a font through fontconfig's fallbacks, and a PDF keeps its text as
// text with the fonts it uses embedded. The image module (image_module.hpp),
// built when the build has Cairo and pangocairo (TRAJPLOT_IMAGES).
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <string_view>

#include "image_export.hpp"
#include "image_module.hpp"
#include "image_png.hpp"
#include "trajplot/error.hpp"

namespace trajplot::image {
namespace {

// plotly.js's default font stack, as Pango reads a family list.
constexpr const char* font_family = "Open Sans,Verdana,Arial,sans-serif";

struct SurfaceDeleter {
    void operator()(cairo_surface_t* surface) const noexcept { cairo_surface_destroy(surface); }
};
struct ContextDeleter {
    void operator()(cairo_t* cr) const noexcept { cairo_destroy(cr); }
};
struct GObjectDeleter {
    void operator()(void* object) const noexcept { g_object_unref(object); }
};
struct FontDeleter {
    void operator()(PangoFontDescription* font) const noexcept { pango_font_description_free(font); }
};
struct AttributesDeleter {
    void operator()(PangoAttrList* attributes) const noexcept { pango_attr_list_unref(attributes); }
};
struct FontOptionsDeleter {
    void operator()(cairo_font_options_t* options) const noexcept { cairo_font_options_destroy(options); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

void check_status(cairo_status_t status, const char* what) {
    if (status == CAIRO_STATUS_NO_MEMORY) throw std::bad_alloc();
    if (status != CAIRO_STATUS_SUCCESS) {
        fail(Errc::io, std::string(what) + " failed: " + cairo_status_to_string(status));
    }
}

// Cairo's write callback into the export's writer. What the writer throws
// (a failed stream, a sink that stops) cannot cross Cairo's C frames: it is
// kept, Cairo is told the write failed, and it is rethrown afterwards.
class CairoOutput {
public:
    explicit CairoOutput(JsonWriter& out) : out_(out) {}

    static cairo_status_t write(void* closure, const unsigned char* data, unsigned int length) noexcept {
        auto* self = static_cast<CairoOutput*>(closure);
        if (self->error_) return CAIRO_STATUS_WRITE_ERROR;
        try {
            self->out_.raw(std::string_view(reinterpret_cast<const char*>(data), length));
        } catch (...) {
            self->error_ = std::current_exception();
            return CAIRO_STATUS_WRITE_ERROR;
        }
        return CAIRO_STATUS_SUCCESS;
    }

    // After Cairo has finished: the writer's own error first, else Cairo's.
    void check(cairo_status_t status, const char* what) const {
        if (error_) std::rethrow_exception(error_);
        check_status(status, what);
    }

private:
    JsonWriter& out_;
    std::exception_ptr error_;
};

// One font map for the process, used under drawing_mutex(): Pango's default
// map is one per thread, and what it caches is lost with each thread that
// exits. It lives as long as the process.
PangoFontMap* shared_font_map() {
    static PangoFontMap* const map = pango_cairo_font_map_new();
    return map;
}

void set_color(cairo_t* cr, Rgb color) { cairo_set_source_rgb(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0); }

class Painter {
public:
    // `pixels`: a raster target, where edges are put on whole device pixels
    // (as plotly.js draws its heatmap image) and lines on pixel centres.
    Painter(cairo_t* cr, double scale, bool pixels) : cr_(cr), scale_(scale), pixels_(pixels) {
        cairo_scale(cr_, scale_, scale_);
        pango_.reset(pango_font_map_create_context(shared_font_map()));
        pango_cairo_update_context(cr_, pango_.get());
        std::unique_ptr<cairo_font_options_t, FontOptionsDeleter> options(cairo_font_options_create());
        // Unhinted metrics: text is as wide at every scale, as in a browser
        // zooming.
        cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
        cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
        pango_cairo_context_set_font_options(pango_.get(), options.get());
        layout_.reset(pango_layout_new(pango_.get()));
        pango_layout_set_single_paragraph_mode(layout_.get(), TRUE);
        font_.reset(pango_font_description_from_string(font_family));
    }

    void paint(const Scene& scene) {
        set_color(cr_, scene.background);
        cairo_paint(cr_);
        for (const Heatmap& heatmap : scene.heatmaps) {
            paint_cells(heatmap);
            if (heatmap.colorbar) paint_colorbar(heatmap);
        }
        paint_lines(scene.lines);
        for (const Heatmap& heatmap : scene.heatmaps) {
            if (heatmap.labels != nullptr) paint_cell_labels(heatmap, scene.background);
        }
        for (const TextItem& text : scene.texts) paint_text(text);
        check_status(cairo_status(cr_), "drawing the image");
    }

private:
    // An edge in user space, on a device pixel boundary when drawing pixels.
    double edge(double at) const { return pixels_ ? std::round(at * scale_) / scale_ : at; }

    void paint_cells(const Heatmap& heatmap) {
        // Cells meet edge to edge: antialiasing would let the background
        // show through as seams.
        cairo_set_antialias(cr_, CAIRO_ANTIALIAS_NONE);
        for (std::size_t layer = 0; layer < heatmap.rows(); ++layer) {
            const double top = edge(heatmap.row_top(layer));
            const double bottom = edge(heatmap.row_bottom(layer));
            for (std::size_t position = 0; position < heatmap.columns(); ++position) {
                const std::optional<Rgb> color = heatmap.cell_color(layer, position);
                if (!color) continue;
                const double left = edge(heatmap.column_edge(position));
                set_color(cr_, *color);
                cairo_rectangle(cr_, left, top, edge(heatmap.column_edge(position + 1)) - left, bottom - top);
                cairo_fill(cr_);
            }
        }
        cairo_set_antialias(cr_, CAIRO_ANTIALIAS_DEFAULT);
    }

    void paint_colorbar(const Heatmap& heatmap) {
        const Box& bar = *heatmap.colorbar;
        cairo_pattern_t* gradient = cairo_pattern_create_linear(0, bar.top + bar.height, 0, bar.top);
        for (const ColorScale::Stop& stop : heatmap.scale.stops()) {
            const Rgb color = heatmap.scale.at(stop.position);
            cairo_pattern_add_color_stop_rgb(gradient, stop.position, color.r / 255.0, color.g / 255.0,
                                             color.b / 255.0);
        }
        cairo_set_source(cr_, gradient);
        cairo_pattern_destroy(gradient);
        cairo_rectangle(cr_, edge(bar.left), edge(bar.top), edge(bar.left + bar.width) - edge(bar.left),
                        edge(bar.top + bar.height) - edge(bar.top));
        cairo_fill(cr_);
    }

    // One pixel wide; on a raster target centred on a device pixel so that
    // it stays crisp, as plotly.js draws its ticks.
    void paint_lines(const std::vector<Line>& lines) {
        if (lines.empty()) return;
        const double width = pixels_ ? std::max(1.0, std::round(scale_)) / scale_ : 1.0;
        const auto crisp = [&](double at) {
            if (!pixels_) return at;
            const double device_width = width * scale_;
            const double offset = static_cast<long long>(device_width) % 2 == 1 ? 0.5 : 0.0;
            return (std::round(at * scale_ - offset) + offset) / scale_;
        };
        for (const Line& line : lines) {
            // Lines along an axis: shift only the coordinate across them.
            const bool vertical = line.x1 == line.x2;
            cairo_move_to(cr_, vertical ? crisp(line.x1) : edge(line.x1), vertical ? edge(line.y1) : crisp(line.y1));
            cairo_line_to(cr_, vertical ? crisp(line.x2) : edge(line.x2), vertical ? edge(line.y2) : crisp(line.y2));
        }
        set_color(cr_, default_ink);
        cairo_set_line_width(cr_, width);
        cairo_set_line_cap(cr_, CAIRO_LINE_CAP_SQUARE);
        cairo_stroke(cr_);
    }

    void set_font(double size, bool bold) {
        pango_font_description_set_absolute_size(font_.get(), size * PANGO_SCALE);
        pango_font_description_set_weight(font_.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_layout_set_font_description(layout_.get(), font_.get());
    }

    // Shows the layout with the anchor point of its first baseline at (x, y).
    void show(double x, double y, Anchor anchor) {
        PangoRectangle logical;
        pango_layout_get_extents(layout_.get(), nullptr, &logical);
        const double width = static_cast<double>(logical.width) / PANGO_SCALE;
        const double baseline = static_cast<double>(pango_layout_get_baseline(layout_.get())) / PANGO_SCALE;
        const double shift = anchor == Anchor::start ? 0 : anchor == Anchor::middle ? width / 2 : width;
        cairo_move_to(cr_, x - shift, y - baseline);
        pango_cairo_show_layout(cr_, layout_.get());
    }

    void paint_cell_labels(const Heatmap& heatmap, Rgb background) {
        set_font(heatmap.text_size, heatmap.bold_text);
        pango_layout_set_attributes(layout_.get(), nullptr);
        const TextArray<2>& labels = *heatmap.labels;
        for (std::size_t layer = 0; layer < heatmap.rows(); ++layer) {
            const double middle = (heatmap.row_top(layer) + heatmap.row_bottom(layer)) / 2;
            for (std::size_t position = 0; position < heatmap.columns(); ++position) {
                const std::string_view label = labels(layer, position);
                if (label.empty()) continue;
                const std::string shown = displayable(label);
                pango_layout_set_text(layout_.get(), shown.data(), static_cast<int>(shown.size()));
                set_color(cr_, text_color_on(heatmap.cell_color(layer, position).value_or(background)));
                show((heatmap.column_edge(position) + heatmap.column_edge(position + 1)) / 2,
                     middle + 0.35 * heatmap.text_size, Anchor::middle);
            }
        }
    }

    void paint_text(const TextItem& text) {
        set_font(text.size, text.bold);
        std::string joined;
        std::unique_ptr<PangoAttrList, AttributesDeleter> attributes(pango_attr_list_new());
        for (const TextRun& run : text.runs) {
            const auto start = static_cast<guint>(joined.size());
            joined += run.text;
            if (!run.superscript || run.text.empty()) continue;
            PangoAttribute* size =
                pango_attr_size_new_absolute(static_cast<int>(text.size * superscript_scale * PANGO_SCALE));
            PangoAttribute* rise = pango_attr_rise_new(static_cast<int>(text.size * superscript_rise * PANGO_SCALE));
            for (PangoAttribute* attribute : {size, rise}) {
                attribute->start_index = start;
                attribute->end_index = static_cast<guint>(joined.size());
                pango_attr_list_insert(attributes.get(), attribute);
            }
        }
        pango_layout_set_text(layout_.get(), joined.data(), static_cast<int>(joined.size()));
        pango_layout_set_attributes(layout_.get(), attributes.get());
        set_color(cr_, text.color);
        if (text.rotation == 0) {
            show(text.x, text.y, text.anchor);
        } else {
            cairo_save(cr_);
            cairo_translate(cr_, text.x, text.y);
            cairo_rotate(cr_, text.rotation * std::numbers::pi / 180);
            pango_cairo_update_context(cr_, pango_.get());
            pango_layout_context_changed(layout_.get());
            show(0, 0, text.anchor);
            cairo_restore(cr_);
            pango_cairo_update_context(cr_, pango_.get());
            pango_layout_context_changed(layout_.get());
        }
        pango_layout_set_attributes(layout_.get(), nullptr);
    }

    cairo_t* cr_;
    double scale_;
    bool pixels_;
    std::unique_ptr<PangoContext, GObjectDeleter> pango_;
    std::unique_ptr<PangoLayout, GObjectDeleter> layout_;
    std::unique_ptr<PangoFontDescription, FontDeleter> font_;
};

// Text is laid out and drawn by one thread at a time. Pango and fontconfig
// are meant to be safe across threads, but their caches are shared through
// atomics that the thread sanitizer cannot see, and drawing is fast next
// to everything else an export does. Never held while a caller's writer
// runs, which may take locks of its own.
std::mutex& drawing_mutex() {
    static std::mutex mutex;
    return mutex;
}

void draw_png(JsonWriter& out, const Scene& scene, double scale) {
    const int width = static_cast<int>(std::max(1.0, std::round(scene.width * scale)));
    const int height = static_cast<int>(std::max(1.0, std::round(scene.height * scale)));
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
    check_status(cairo_surface_status(surface.get()), "creating the PNG's image");
    {
        const std::lock_guard lock(drawing_mutex());
        Context cr(cairo_create(surface.get()));
        Painter(cr.get(), scale, true).paint(scene);
    }
    cairo_surface_flush(surface.get());
    write_png_pixels(out, cairo_image_surface_get_data(surface.get()), width, height,
                     cairo_image_surface_get_stride(surface.get()));
}

int count_missing_glyphs(std::string_view text) {
    const std::lock_guard lock(drawing_mutex());
    std::unique_ptr<PangoContext, GObjectDeleter> context(pango_font_map_create_context(shared_font_map()));
    std::unique_ptr<PangoLayout, GObjectDeleter> layout(pango_layout_new(context.get()));
    std::unique_ptr<PangoFontDescription, FontDeleter> font(pango_font_description_from_string(font_family));
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return pango_layout_get_unknown_glyphs_count(layout.get());
}

void draw_pdf(JsonWriter& out, const Scene& scene, double scale) {
    // Cairo writes a PDF while it draws, so it is written to memory first
    // and handed to the writer once the lock is released.
    std::string pdf;
    {
        const std::lock_guard lock(drawing_mutex());
        JsonWriter buffer(pdf);
        CairoOutput output(buffer);
        Surface surface(cairo_pdf_surface_create_for_stream(&CairoOutput::write, &output, scene.width * scale,
                                                            scene.height * scale));
        check_status(cairo_surface_status(surface.get()), "creating the PDF");
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "trajplot");
        if (!scene.title.empty()) {
            cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, displayable(scene.title).c_str());
        }
        {
            Context cr(cairo_create(surface.get()));
            Painter(cr.get(), scale, false).paint(scene);
        }
        cairo_surface_finish(surface.get());
        output.check(cairo_surface_status(surface.get()), "writing the PDF");
        buffer.finish();
    }
    out.raw(pdf);
}

}  // namespace
}  // namespace trajplot::image

extern "C" __attribute__((visibility("default"))) const trajplot::image::ImageModule* trajplot_image_module() {
    using namespace trajplot::image;
    static constexpr ImageModule module{image_module_stamp, &draw_png, &draw_pdf, &count_missing_glyphs};
    return &module;
}
