// Renders a checked SPEC through the public C API of libtrajplot.
#pragma once

#include "command_line.hpp"
#include "spec.hpp"

namespace trajplot_cli {

// Builds the statistic, applies --stride and then --clip, and writes the
// figure (or with --trace-only the heatmap trace) as JSON, or the figure
// as an HTML page, to --out or to standard output. Throws CliError (bad input) with the library's message
// when a library call fails; a failed run leaves no output file behind.
void render(const StatisticSpec& spec, const RenderOptions& options);

}  // namespace trajplot_cli
