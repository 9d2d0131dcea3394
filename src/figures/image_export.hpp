// Static images of a figure: SVG written directly, PNG and PDF drawn with
// Cairo and Pango when the build has them (the image component).
#pragma once

#include <cstddef>
#include <string_view>

#include "figure_plan.hpp"
#include "image_scene.hpp"
#include "json_writer.hpp"
#include "trajplot/figure.hpp"

namespace trajplot::image {

// An export's scale is a factor on the figure's pixels.
inline constexpr double max_scale = 16;
// Cairo's image surfaces hold at most this many pixels a side.
inline constexpr double max_png_side = 32767;

// What the message about a PNG too large for Cairo suggests instead.
struct SizeHint {
    std::size_t token_width = 0;
    std::size_t seq_len = 0;
    // Whether the figure's width is 200 + token_width * seq_len (no layout
    // patch set another).
    bool width_from_tokens = true;
};

// Checks an image export before its first byte: the scale, whether this
// build has the format, and for PNG the pixel limit and the memory its
// pixels need. Throws Error.
void check_image_export(Format format, double scale, const Scene& scene, const SizeHint& hint);

// The SVG document: every word a <text> element, every cell a <rect>.
void write_svg(JsonWriter& out, const Scene& scene, double scale);

// Whether the build has Cairo and Pango, without which PNG and PDF fail.
bool raster_available() noexcept;
// PNG and PDF of the scene; check_image_export first.
void write_png(JsonWriter& out, const Scene& scene, double scale);
void write_pdf(JsonWriter& out, const Scene& scene, double scale);
// How many characters of `text` no installed font can draw (they would
// show as boxes in PNG and PDF); 0 without the image component.
int missing_glyphs(std::string_view text);

}  // namespace trajplot::image
