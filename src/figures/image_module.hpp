// The image module: PNG and PDF drawn with Cairo and Pango, built as a
// shared object of its own (trajplot-images.so, beside the library) and
// loaded the first time a program asks for PNG or PDF. Cairo, Pango and
// the forty libraries they bring then load only in programs that draw
// images: starting any other (the CLI, a Python import) took 16 ms more
// with them, and a library without them runs where they are missing.
//
// The module is built from the same sources as the library and holds its
// own copy of the core's code it uses; what crosses between the two is the
// table below, C++ objects of the same build (a JsonWriter, a Scene) and
// exceptions, which match across shared objects by type name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "image_scene.hpp"
#include "json_writer.hpp"

namespace trajplot::image {

struct ImageModule {
    // The layout both sides were built with: a module of another build is
    // not loaded.
    std::size_t stamp;
    void (*write_png)(JsonWriter& out, const Scene& scene, double scale);
    void (*write_pdf)(JsonWriter& out, const Scene& scene, double scale);
    int (*missing_glyphs)(std::string_view text);
};

// Raised whenever the table or what it passes changes in a way the sizes
// below would not show.
inline constexpr std::size_t image_module_interface = 1;
inline constexpr std::size_t image_module_stamp =
    (sizeof(ImageModule) << 48) ^ (sizeof(Scene) << 32) ^ (sizeof(JsonWriter) << 16) ^ image_module_interface;

// The module's file name, and the function it exports, which returns its
// table.
inline constexpr const char* image_module_file = "trajplot-images.so";
inline constexpr const char* image_module_entry = "trajplot_image_module";
// Names the module to load instead of the one beside the library (tests
// of the static core, which has no library to be beside).
inline constexpr const char* image_module_environment_variable = "TRAJPLOT_IMAGE_MODULE";

using ImageModuleEntry = const ImageModule* (*)();

// The loaded module, or nullptr, with why not in `*problem` (a clause
// following "the image component").
const ImageModule* image_module(std::string* problem = nullptr);

// The loaded module; when it cannot be loaded, throws
// Error(Errc::invalid_argument) saying why `format` ("PNG" or "PDF")
// cannot be drawn.
const ImageModule& require_image_module(const char* format);

}  // namespace trajplot::image
