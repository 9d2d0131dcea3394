// The demo trajectory (data/demo/entropy.json), compiled into the binary so
// that `trajplot demo` works from any directory and once installed.
#pragma once

#include <string_view>

namespace trajplot_cli {

std::string_view demo_spec_json() noexcept;

}  // namespace trajplot_cli
