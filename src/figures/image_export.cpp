// The checks an image export makes before its first byte.
#include <cmath>
#include <cstdint>
#include <locale>
#include <sstream>
#include <string>

#include "image_export.hpp"
#include "image_module.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"

namespace trajplot {

bool format_available(Format format) noexcept {
    switch (format) {
        case Format::figure_json:
        case Format::trace_json:
        case Format::html:
        case Format::svg: return true;
        case Format::png:
        case Format::pdf: return image::raster_available();
    }
    return false;
}

namespace image {
namespace {

std::string decimal(double value) {
    std::ostringstream text;
    text.imbue(std::locale::classic());
    text.precision(6);
    text << value;
    return text.str();
}

// The largest scale, to three significant digits, at which the figure's
// longer side stays within the limit.
double fitting_scale(double longest_side) {
    const double exact = (max_png_side + 0.49) / longest_side;
    const double unit = std::pow(10.0, std::floor(std::log10(exact)) - 2);
    return std::floor(exact / unit) * unit;
}

[[noreturn]] void fail_png_size(double pixel_width, double pixel_height, double scale, const Scene& scene,
                                const SizeHint& hint) {
    std::string message = "a PNG is at most " + decimal(max_png_side) +
                          " pixels a side (Cairo's limit), and this figure is " + decimal(pixel_width) + " x " +
                          decimal(pixel_height) + " pixels at scale " + decimal(scale) + "; it would fit";
    std::string ways;
    if (pixel_width > max_png_side && hint.width_from_tokens && hint.seq_len > 0) {
        const double widest = std::floor(((max_png_side + 0.49) / scale - 200) / static_cast<double>(hint.seq_len));
        if (widest >= 1) {
            ways += " with a token width of at most " + decimal(widest) + " (it is " +
                    std::to_string(hint.token_width) + ")";
        }
    }
    if (pixel_height > max_png_side) {
        ways += std::string(ways.empty() ? "" : " and") + " with a height of at most " +
                decimal(std::floor((max_png_side + 0.49) / scale)) + " pixels";
    }
    const double scale_fit = fitting_scale(std::max(scene.width, scene.height));
    ways += std::string(ways.empty() ? "" : ", or") + " at a scale of at most " + decimal(scale_fit);
    fail(Errc::range, message + ways + "; SVG and PDF have no such limit");
}

}  // namespace

void check_image_export(Format format, double scale, const Scene& scene, const SizeHint& hint) {
    if (!(std::isfinite(scale) && scale > 0 && scale <= max_scale)) {
        fail(Errc::invalid_argument,
             "scale must be a finite number above 0 and at most " + decimal(max_scale) + ", got " + decimal(scale));
    }
    if (format == Format::png || format == Format::pdf) require_image_module(format == Format::png ? "PNG" : "PDF");
    if (format != Format::png) return;
    const double pixel_width = std::max(1.0, std::round(scene.width * scale));
    const double pixel_height = std::max(1.0, std::round(scene.height * scale));
    if (pixel_width > max_png_side || pixel_height > max_png_side) {
        fail_png_size(pixel_width, pixel_height, scale, scene, hint);
    }
    // Below the side limit, so the product cannot overflow.
    const auto pixels = static_cast<std::uint64_t>(pixel_width) * static_cast<std::uint64_t>(pixel_height);
    check_memory(static_cast<std::size_t>(pixels * 4),
                 "the PNG's " + decimal(pixel_width) + " x " + decimal(pixel_height) + " pixels (4 bytes each)");
}

}  // namespace image
}  // namespace trajplot
