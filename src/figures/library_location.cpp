#include "library_location.hpp"

#include <dlfcn.h>

#include <system_error>

namespace trajplot {

std::optional<std::filesystem::path> own_directory() {
    static const char anchor = 0;
    Dl_info info{};
    std::error_code error;
    if (dladdr(&anchor, &info) != 0 && info.dli_fname != nullptr && *info.dli_fname != '\0') {
        const std::filesystem::path file = std::filesystem::canonical(info.dli_fname, error);
        if (!error) return file.parent_path();
    }
    // The program itself, whose name dladdr may give as it was typed.
    const std::filesystem::path program = std::filesystem::canonical("/proc/self/exe", error);
    if (!error) return program.parent_path();
    return std::nullopt;
}

}  // namespace trajplot
