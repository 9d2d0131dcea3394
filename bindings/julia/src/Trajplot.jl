"""
    Trajplot

Prediction-trajectory heatmaps of language models (tuned lens, logit lens)
as Plotly figures, through the C API of libtrajplot (`capi/trajplot.h`).

The API mirrors Python's `tuned_lens.plotting.trajectory_plotting`:
[`TrajectoryLabels`](@ref) and [`TrajectoryStatistic`](@ref) hold the data;
`stride` and [`clip`](@ref) work on them. A [`Figure`](@ref) of one
statistic, or of several stacked as panels, is made and checked once and
exported any number of times: as JSON text ([`json`](@ref), Plotly's figure
schema, ready for PlotlyJS.jl, PlotlyLight.jl or a browser), as an HTML page
([`html`](@ref)), as an SVG, PNG or PDF image the library draws itself
([`image`](@ref); `display` shows figures as images), into a file replaced
atomically ([`save`](@ref)) or streamed into any `IO` (`write(io, fig)`).
[`heatmap`](@ref), [`figure`](@ref), [`figure_html`](@ref),
[`write_json`](@ref), [`write_html`](@ref) and [`write_image`](@ref) do
both steps in one call.

The statistics themselves (entropy, KL, rank, ...) are computed natively
from a lens's per-layer logits by [`PredictionTrajectory`](@ref) and
[`TrajectoryComparison`](@ref), streamed slab by slab or read in place from
a resident `vocab × seq_len × n_layers × batch` Float32 tensor.

Statistics and labels are given in Julia's own layout, `n_layers × seq_len`
(layer first): the binding reorders them into the row-major order the C API
expects. Lens outputs are too large to reorder, so they are read in place,
in the C API's order reversed: `vocab × seq_len × n_layers × batch`.

The library is found through `ENV["TRAJPLOT_LIB_PATH"]` (the path of
`libtrajplot.so.2`, or of the directory holding it) when set, else by the
system loader as `libtrajplot`. It is resolved once, when the module is
loaded: set the variable before `using Trajplot`.
"""
module Trajplot

# The library path is a `const` that ccall bakes into the compiled code; a
# precompiled module would keep the path seen at precompile time, so the
# module is compiled afresh at each load and honours TRAJPLOT_LIB_PATH then.
__precompile__(false)

export TrajectoryLabels, TrajectoryStatistic, TrajplotError, Figure,
       template_and_customdata, clip, heatmap, figure, figure_html,
       write_json, write_html, write_image, json, html, image, save, format_available,
       trunc_string_left, local_plotlyjs,
       Vocabulary, PredictionTrajectory, TrajectoryComparison,
       add!, add_all!, iscomplete, from_tensor, statistic, trajectory_labels,
       entropy, cross_entropy, forward_kl, max_probability, rank, log_prob_diff,
       kl_divergence, js_divergence, half_symmetric_kl, total_variation,
       max_abs_prob_difference

# Every file of the module; bindings/julia/check_ccalls.py follows these
# includes, so that each ccall is compared with the C API wherever it is.
include("library.jl")    # constants, errors, loading, passing data, handles
include("labels.jl")     # trunc_string_left, TrajectoryLabels
include("statistic.jl")  # TrajectoryStatistic
include("figure.jl")     # Figure and its exports
include("lens.jl")       # Vocabulary, PredictionTrajectory, TrajectoryComparison

function __init__()
    loaded = try
        abi_version()
    catch err
        error("Trajplot could not load libtrajplot from \"$libtrajplot\": $(sprint(showerror, err)). ",
              "Set ENV[\"TRAJPLOT_LIB_PATH\"] to libtrajplot's file or directory (build/ in a build tree) ",
              "before `using Trajplot`.")
    end
    # The structs mirror one ABI; another would be read as garbage.
    loaded == TRAJPLOT_ABI_VERSION ||
        error("Trajplot expects libtrajplot ABI version $TRAJPLOT_ABI_VERSION, but \"$libtrajplot\" ",
              "has ABI version $loaded.")
    return nothing
end

end # module
