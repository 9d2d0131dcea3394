// Loading the image module (image_module.hpp), and PNG and PDF through it.
#include "image_module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image_export.hpp"
#include "library_location.hpp"
#include "trajplot/error.hpp"

namespace trajplot::image {
namespace {

struct Loaded {
    const ImageModule* module = nullptr;
    std::string problem;
};

Loaded unavailable(std::string problem) { return Loaded{nullptr, std::move(problem)}; }

Loaded load(const std::filesystem::path& path) {
    // RTLD_LOCAL: the module's copy of the core stays its own. Never
    // unloaded: its table may be in use on any thread.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* reason = dlerror();
        // dlerror names the file.
        return unavailable(std::string("which could not be loaded: ") +
                           (reason != nullptr ? reason : path.string() + ": unknown error"));
    }
    auto entry = reinterpret_cast<ImageModuleEntry>(dlsym(handle, image_module_entry));
    const ImageModule* module = entry != nullptr ? entry() : nullptr;
    if (module == nullptr || module->stamp != image_module_stamp) {
        return unavailable("but " + path.string() + " is not the one of this build of trajplot");
    }
    return Loaded{module, {}};
}

Loaded find_and_load() {
#ifdef TRAJPLOT_IMAGE_MODULE_BUILT
    if (const char* named = std::getenv(image_module_environment_variable); named != nullptr && *named != '\0') {
        Loaded loaded = load(named);
        if (!loaded.module) loaded.problem += std::string(" (named by ") + image_module_environment_variable + ")";
        return loaded;
    }
    // Beside the library (or the program linking the static core), then
    // in the library directory configured at build time.
    std::vector<std::filesystem::path> candidates;
    if (const std::optional<std::filesystem::path> directory = own_directory()) {
        candidates.push_back(*directory / image_module_file);
    }
    candidates.push_back(std::filesystem::path(TRAJPLOT_INSTALL_LIBDIR) / image_module_file);
    for (const std::filesystem::path& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::exists(candidate, error)) return load(candidate);
    }
    return unavailable(std::string("which is not installed: no ") + image_module_file + " beside the library or in " +
                       TRAJPLOT_INSTALL_LIBDIR);
#else
    return unavailable("which this build was made without (CMake option TRAJPLOT_IMAGES)");
#endif
}

}  // namespace

const ImageModule* image_module(std::string* problem) {
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] { loaded = find_and_load(); });
    if (problem != nullptr) *problem = loaded.problem;
    return loaded.module;
}

bool raster_available() noexcept {
    try {
        return image_module() != nullptr;
    } catch (...) {
        return false;
    }
}

const ImageModule& require_image_module(const char* format) {
    std::string problem;
    const ImageModule* module = image_module(&problem);
    if (module == nullptr) {
        fail(Errc::invalid_argument, std::string(format) +
                                         " export needs trajplot's image component (Cairo and Pango, " +
                                         image_module_file + "), " + problem + "; SVG is available");
    }
    return *module;
}

void write_png(JsonWriter& out, const Scene& scene, double scale) {
    require_image_module("PNG").write_png(out, scene, scale);
}

void write_pdf(JsonWriter& out, const Scene& scene, double scale) {
    require_image_module("PDF").write_pdf(out, scene, scale);
}

int missing_glyphs(std::string_view text) {
    const ImageModule* module = image_module();
    return module != nullptr ? module->missing_glyphs(text) : 0;
}

}  // namespace trajplot::image
