// PNG and PDF in a build without Cairo and Pango (TRAJPLOT_IMAGES found
// them missing, or was OFF): check_image_export refuses both, naming the
// component, before any byte is written.
#include "image_export.hpp"
#include "trajplot/error.hpp"

namespace trajplot::image {

bool raster_available() noexcept { return false; }

int missing_glyphs(std::string_view) { return 0; }

void write_png(JsonWriter&, const Scene&, double) {
    fail(Errc::invalid_argument, "PNG export needs trajplot's image component (Cairo and Pango)");
}

void write_pdf(JsonWriter&, const Scene&, double) {
    fail(Errc::invalid_argument, "PDF export needs trajplot's image component (Cairo and Pango)");
}

}  // namespace trajplot::image
