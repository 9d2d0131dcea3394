// The demo trajectory's statistics (data/demo/*.json), compiled into the
// binary so that `trajplot demo` works from any directory and once installed.
#pragma once

#include <span>
#include <string_view>

namespace trajplot_cli {

struct DemoSpec {
    std::string_view file;  // the name under data/demo, for messages
    std::string_view json;  // a SPEC document
};

// The panels of the demo figure, top first: entropy, forward KL,
// cross-entropy and max probability, as in tuned-lens's tutorial.
std::span<const DemoSpec> demo_specs() noexcept;

}  // namespace trajplot_cli
