// Renders a checked SPEC, or a statistic from elsewhere, through the public
// C API of libtrajplot.
#pragma once

#include "command_line.hpp"
#include "spec.hpp"
#include "trajplot.h"

namespace trajplot_cli {

// Builds the statistic of `spec` and writes it with write_statistic.
void render(const StatisticSpec& spec, const RenderOptions& options);

// Applies --stride and then --clip to `statistic` (which stays unchanged),
// and writes the figure (or with --trace-only the heatmap trace) as JSON,
// or the figure as an HTML page, to --out or to standard output. Throws
// CliError (bad input) with the library's message when a library call
// fails; a failed run leaves no output file behind.
void write_statistic(const trajplot_statistic* statistic, const RenderOptions& options);

}  // namespace trajplot_cli
