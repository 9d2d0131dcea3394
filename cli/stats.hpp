// `trajplot stats`: statistics of a lens's outputs, read from .npy files and
// computed by libtrajplot, rendered as `render` renders a SPEC.
#pragma once

#include "command_line.hpp"

namespace trajplot_cli {

// Maps the .npy files of `stats`, checks their dtypes and shapes against
// each other, streams the values into the library one (batch item, layer)
// slab at a time, and writes the statistics selected: as one stacked figure
// (panels in the order selected) when options.stack, else the one statistic
// to --out or standard output, or each to --output-dir/<name>.json (.html),
// all of them or none (OutputFiles). With standard error a terminal and not
// stats.quiet, a progress line counts the slabs (Progress). Throws CliError
// (bad input) naming the file, option or value that failed.
void run_stats(const StatsOptions& stats, const RenderOptions& options);

}  // namespace trajplot_cli
