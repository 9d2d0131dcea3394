// PNG encoding of drawn pixels. Cairo's own PNG writer filters every row
// adaptively and compresses at zlib's default level, which took most of
// the time of a PNG export; a heatmap's rows mostly repeat the row above,
// so the "Up" filter and a low level give a file a few per cent larger,
// several times faster.
#pragma once

#include "json_writer.hpp"

namespace trajplot::image {

// Writes `height` rows of `width` pixels, each a native-endian 32-bit word
// 0x00RRGGBB (Cairo's RGB24), rows `stride` bytes apart, as an 8-bit RGB
// PNG.
void write_png_pixels(JsonWriter& out, const unsigned char* pixels, int width, int height, int stride);

}  // namespace trajplot::image
