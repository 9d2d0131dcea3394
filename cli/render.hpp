// Renders a checked SPEC, or a statistic from elsewhere, through the public
// C API of libtrajplot.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "spec.hpp"
#include "trajplot.h"

namespace trajplot_cli {

// Builds the statistic of `spec` and writes it with write_statistic.
void render(const StatisticSpec& spec, const RenderOptions& options);

// Applies --stride and then --clip to `statistic` (which stays unchanged),
// makes its figure, and writes it (or with --trace-only its heatmap trace)
// as JSON, or as an HTML page, to --out or, as it is produced, to standard
// output. Throws CliError (bad input) with the library's message in the
// user's terms when a library call fails, or when the output cannot be
// written; a failed run leaves no output file behind. `destination` names
// --out in messages when it is not the user's own path (by default
// "--out 'PATH'").
void write_statistic(const trajplot_statistic* statistic, const RenderOptions& options,
                     const std::string& destination = {});

// A checked SPEC and where it came from ("spec file 'a.json'"), for messages.
struct SourcedSpec {
    std::string source;
    StatisticSpec spec;
};

// Builds the statistic of every spec and writes them with write_stacked.
// Specs of different lengths, or whose tokens differ, are refused naming
// both sources: the panels share one x axis.
void render_stacked(const std::vector<SourcedSpec>& specs, const RenderOptions& options);

// Applies --stride and --clip to every statistic (which stay unchanged) and
// writes them as one stacked figure, statistics[0] on top: --title, --height,
// --token-width and --vertical-spacing shape the figure, --colorscale,
// --log-scale and --extra every panel unless a --panel-* option overrides
// them for its panel. JSON or HTML, to --out or to standard output.
void write_stacked(std::span<const trajplot_statistic* const> statistics, const RenderOptions& options);

}  // namespace trajplot_cli
