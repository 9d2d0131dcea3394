// Where the library is, for the files installed beside it: the plotly.js
// that pages inline and the image module.
#pragma once

#include <filesystem>
#include <optional>

namespace trajplot {

// The directory of the shared library, or program, this code is part of
// (a program linking the static core); nullopt when neither can be found.
std::optional<std::filesystem::path> own_directory();

}  // namespace trajplot
