"""
    Trajplot

Prediction-trajectory heatmaps of language models (tuned lens, logit lens)
as Plotly figures, through the C API of libtrajplot (`capi/trajplot.h`).

The API mirrors Python's `tuned_lens.plotting.trajectory_plotting`:
[`TrajectoryLabels`](@ref) and [`TrajectoryStatistic`](@ref) hold the data;
`stride`, [`clip`](@ref), [`heatmap`](@ref), [`figure`](@ref),
[`write_json`](@ref) and [`write_html`](@ref) work on them. Figures come back
as JSON text (Plotly's figure schema), ready for PlotlyJS.jl, PlotlyLight.jl
or a browser.

The statistics themselves (entropy, KL, rank, ...) are computed natively
from a lens's per-layer logits by [`PredictionTrajectory`](@ref) and
[`TrajectoryComparison`](@ref), streamed slab by slab or read in place from
a resident `vocab × seq_len × n_layers × batch` Float32 tensor.

Statistics and labels are given in Julia's own layout, `n_layers × seq_len`
(layer first): the binding reorders them into the row-major order the C API
expects. Lens outputs are too large to reorder, so they are read in place,
in the C API's order reversed: `vocab × seq_len × n_layers × batch`.

The library is found through `ENV["TRAJPLOT_LIB_PATH"]` (the path of
`libtrajplot.so.1`, or of the directory holding it) when set, else by the
system loader as `libtrajplot`. It is resolved once, when the module is
loaded: set the variable before `using Trajplot`.
"""
module Trajplot

# The library path is a `const` that ccall bakes into the compiled code; a
# precompiled module would keep the path seen at precompile time, so the
# module is compiled afresh at each load and honours TRAJPLOT_LIB_PATH then.
__precompile__(false)

export TrajectoryLabels, TrajectoryStatistic, TrajplotError,
       template_and_customdata, clip, heatmap, figure, figure_html,
       write_json, write_html, trunc_string_left, local_plotlyjs,
       Vocabulary, PredictionTrajectory, TrajectoryComparison,
       add!, add_all!, iscomplete, from_tensor, statistic, trajectory_labels,
       entropy, cross_entropy, forward_kl, max_probability, rank, log_prob_diff,
       kl_divergence, js_divergence, half_symmetric_kl, total_variation,
       max_abs_prob_difference

# The file name the library has under its ABI version (its SONAME on Linux).
const VERSIONED_LIBRARY_NAME =
    Sys.isapple() ? "libtrajplot.1.dylib" : Sys.iswindows() ? "trajplot.dll" : "libtrajplot.so.1"

# TRAJPLOT_LIB_PATH names the library file or the directory holding it; when
# set it is the only place looked at, so that an explicit choice is never
# silently replaced by another copy of the library.
function library_location()
    override = get(ENV, "TRAJPLOT_LIB_PATH", "")
    isempty(override) && return "libtrajplot"
    isdir(override) && return abspath(joinpath(override, VERSIONED_LIBRARY_NAME))
    return abspath(override)
end

const libtrajplot = library_location()

# Values of the C header's constants; check_ccalls.py compares them with it.
const TRAJPLOT_ABI_VERSION = 1
const TRAJPLOT_STATISTIC_OPTIONS_VERSION = 1
const TRAJPLOT_FIGURE_OPTIONS_VERSION = 2
const TRAJPLOT_HTML_OPTIONS_VERSION = 1

const TRAJPLOT_OK = 0
const TRAJPLOT_ERROR = -1
const TRAJPLOT_EINVAL = -2
const TRAJPLOT_ENOMEM = -3
const TRAJPLOT_ERANGE = -4
const TRAJPLOT_EIO = -5

const TRAJPLOT_PLOTLYJS_CDN = 0
const TRAJPLOT_PLOTLYJS_SRC = 1
const TRAJPLOT_PLOTLYJS_INLINE = 2
const TRAJPLOT_PLOTLYJS_NONE = 3
const TRAJPLOT_PLOTLYJS_LOCAL = 4

const TRAJPLOT_TRAJECTORY_OPTIONS_VERSION = 1
const TRAJPLOT_PANEL_OPTIONS_VERSION = 2
const TRAJPLOT_STACK_OPTIONS_VERSION = 2

const TRAJPLOT_VALUES_LOGITS = 0
const TRAJPLOT_VALUES_LOG_PROBS = 1

const TRAJPLOT_MEASURE_ENTROPY = 0
const TRAJPLOT_MEASURE_CROSS_ENTROPY = 1
const TRAJPLOT_MEASURE_FORWARD_KL = 2
const TRAJPLOT_MEASURE_MAX_PROBABILITY = 3
const TRAJPLOT_MEASURE_RANK = 4
const TRAJPLOT_MEASURE_LOG_PROB_DIFF = 5
const TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA = 6
const TRAJPLOT_MEASURE_KL_DIVERGENCE = 16
const TRAJPLOT_MEASURE_JS_DIVERGENCE = 17
const TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL = 18
const TRAJPLOT_MEASURE_TOTAL_VARIATION = 19
const TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE = 20

const TRAJPLOT_SHOW_RANKS = Cuint(1)

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

"""
    TrajplotError(status, message)

A failed trajplot call. `status` is one of the C API's codes
(`Trajplot.TRAJPLOT_EINVAL`, `TRAJPLOT_ERANGE`, `TRAJPLOT_EIO`, ...) and
`message` says what was wrong, with the offending value or shape. Invalid
arguments that only Julia can see (an array of the wrong length, a closed
handle, a NUL byte in a path) are reported the same way, with
`TRAJPLOT_EINVAL`.
"""
struct TrajplotError <: Exception
    status::Int
    message::String
end

const STATUS_NAMES = Dict(
    TRAJPLOT_OK => "TRAJPLOT_OK",
    TRAJPLOT_ERROR => "TRAJPLOT_ERROR",
    TRAJPLOT_EINVAL => "TRAJPLOT_EINVAL",
    TRAJPLOT_ENOMEM => "TRAJPLOT_ENOMEM",
    TRAJPLOT_ERANGE => "TRAJPLOT_ERANGE",
    TRAJPLOT_EIO => "TRAJPLOT_EIO",
)

function Base.showerror(io::IO, err::TrajplotError)
    print(io, "TrajplotError (", get(STATUS_NAMES, err.status, string(err.status)), "): ", err.message)
end

invalid(message::AbstractString) = TrajplotError(TRAJPLOT_EINVAL, message)

# Turns a status into an exception carrying the library's message. The
# message is kept per OS thread; a task only moves between threads at a
# yield point, and there is none between the failed call and this read.
function check(status::Cint)
    status == TRAJPLOT_OK && return nothing
    message = unsafe_string(ccall((:trajplot_error_last, libtrajplot), Ptr{UInt8}, ()))
    # A later failure must not be explained by this stale message.
    ccall((:trajplot_error_clear, libtrajplot), Cvoid, ())
    throw(TrajplotError(Int(status), message))
end

"""
    Trajplot.last_error() -> Union{Nothing, TrajplotError}

The last failure the library recorded on this thread that has not been
cleared. Every wrapper already throws its failure and clears it, so this is
only for diagnosing calls made directly through `ccall`.
"""
function last_error()
    status = ccall((:trajplot_error_last_status, libtrajplot), Cint, ())
    status == TRAJPLOT_OK && return nothing
    message = unsafe_string(ccall((:trajplot_error_last, libtrajplot), Ptr{UInt8}, ()))
    return TrajplotError(Int(status), message)
end

# ---------------------------------------------------------------------------
# Versions and loading
# ---------------------------------------------------------------------------

"""
    Trajplot.abi_version() -> Int

The ABI version of the loaded library (the number in `libtrajplot.so.N`).
"""
abi_version() = Int(ccall((:trajplot_abi_version, libtrajplot), Cint, ()))

"""
    Trajplot.memory_limit() -> Int

The most bytes one object (labels, a statistic, a hover table) or one
returned string may need, process-wide; by default the machine's physical
memory. A call needing more throws a `TrajplotError` with status
`TRAJPLOT_ERANGE` before allocating.
"""
memory_limit() = Int(ccall((:trajplot_memory_limit, libtrajplot), Csize_t, ()))

"""
    Trajplot.set_memory_limit(bytes::Integer)

Sets [`memory_limit`](@ref) for the whole process; 0 restores the default.
"""
function set_memory_limit(bytes::Integer)
    bytes >= 0 || throw(ArgumentError("bytes must be non-negative, got $bytes"))
    ccall((:trajplot_set_memory_limit, libtrajplot), Cvoid, (Csize_t,), Csize_t(bytes))
    return nothing
end

"""
    Trajplot.version() -> VersionNumber

The release version of the loaded library.
"""
function version()
    major = Ref{Cint}(0)
    minor = Ref{Cint}(0)
    patch = Ref{Cint}(0)
    ccall((:trajplot_version, libtrajplot), Cvoid,
          (Ptr{Cint}, Ptr{Cint}, Ptr{Cint}),
          major, minor, patch)
    return VersionNumber(major[], minor[], patch[])
end

function __init__()
    loaded = try
        abi_version()
    catch err
        error("Trajplot could not load libtrajplot from \"$libtrajplot\": $(sprint(showerror, err)). ",
              "Set ENV[\"TRAJPLOT_LIB_PATH\"] to libtrajplot's file or directory (build/ in a build tree) ",
              "before `using Trajplot`.")
    end
    # The structs below mirror one ABI; another would be read as garbage.
    loaded == TRAJPLOT_ABI_VERSION ||
        error("Trajplot expects libtrajplot ABI version $TRAJPLOT_ABI_VERSION, but \"$libtrajplot\" ",
              "has ABI version $loaded.")
    return nothing
end

# ---------------------------------------------------------------------------
# Mirrors of the C option structs (same names, field order and types as in
# capi/trajplot.h; check_ccalls.py compares them). They are filled from the
# library's *_options_init functions so that defaults live in one place.
# ---------------------------------------------------------------------------

struct trajplot_statistic_options
    version::Cuint
    units::Ptr{UInt8}
    sequence_labels::Ptr{Ptr{UInt8}}
    sequence_label_lengths::Ptr{Csize_t}
    trajectory_labels::Ptr{Cvoid}
    layer_labels::Ptr{Ptr{UInt8}}
    layer_label_lengths::Ptr{Csize_t}
    min::Float32
    max::Float32
    has_min::Bool
    has_max::Bool
    includes_output::Bool
end

struct trajplot_figure_options
    version::Cuint
    title::Ptr{UInt8}
    colorscale::Ptr{UInt8}
    extra_json::Ptr{UInt8}
    token_width::Csize_t
    height::Csize_t
    log_scale::Bool
    hover_value::Bool
end

struct trajplot_html_options
    version::Cuint
    plotlyjs::Cint
    plotlyjs_location::Ptr{UInt8}
    div_id::Ptr{UInt8}
    full_html::Bool
    responsive::Bool
end

struct trajplot_trajectory_options
    version::Cuint
    values::Cint
    vocabulary::Ptr{Cvoid}
    top_k::Csize_t
    min_prob::Float32
    min_prob_delta::Float32
    max_batch_items_shown::Csize_t
    max_string_len::Csize_t
    ellipsis::Ptr{UInt8}
    newline_token::Ptr{UInt8}
    newline_replacement::Ptr{UInt8}
    whitespace_token::Ptr{UInt8}
    whitespace_replacement::Ptr{UInt8}
    threads::Csize_t
    forward_kl::Bool
end

struct trajplot_panel_options
    version::Cuint
    title::Ptr{UInt8}
    colorscale::Ptr{UInt8}
    extra_json::Ptr{UInt8}
    log_scale::Bool
    hover_value::Bool
end

struct trajplot_stack_options
    version::Cuint
    title::Ptr{UInt8}
    token_width::Csize_t
    height::Csize_t
    vertical_spacing::Float64
    has_vertical_spacing::Bool
    equal_panel_heights::Bool
end

function statistic_options_defaults()
    options = Ref{trajplot_statistic_options}()
    check(ccall((:trajplot_statistic_options_init, libtrajplot), Cint,
                (Ptr{trajplot_statistic_options}, Cuint),
                options, TRAJPLOT_STATISTIC_OPTIONS_VERSION))
    return options[]
end

function figure_options_defaults()
    options = Ref{trajplot_figure_options}()
    check(ccall((:trajplot_figure_options_init, libtrajplot), Cint,
                (Ptr{trajplot_figure_options}, Cuint),
                options, TRAJPLOT_FIGURE_OPTIONS_VERSION))
    return options[]
end

function html_options_defaults()
    options = Ref{trajplot_html_options}()
    check(ccall((:trajplot_html_options_init, libtrajplot), Cint,
                (Ptr{trajplot_html_options}, Cuint),
                options, TRAJPLOT_HTML_OPTIONS_VERSION))
    return options[]
end

function trajectory_options_defaults()
    options = Ref{trajplot_trajectory_options}()
    check(ccall((:trajplot_trajectory_options_init, libtrajplot), Cint,
                (Ptr{trajplot_trajectory_options}, Cuint),
                options, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION))
    return options[]
end

function panel_options_defaults()
    options = Ref{trajplot_panel_options}()
    check(ccall((:trajplot_panel_options_init, libtrajplot), Cint,
                (Ptr{trajplot_panel_options}, Cuint),
                options, TRAJPLOT_PANEL_OPTIONS_VERSION))
    return options[]
end

function stack_options_defaults()
    options = Ref{trajplot_stack_options}()
    check(ccall((:trajplot_stack_options_init, libtrajplot), Cint,
                (Ptr{trajplot_stack_options}, Cuint),
                options, TRAJPLOT_STACK_OPTIONS_VERSION))
    return options[]
end

# A copy of an immutable options struct with some fields replaced.
function with_fields(base::T; changes...) where {T}
    for name in keys(changes)
        hasfield(T, name) || throw(ArgumentError("$T has no field $name"))
    end
    values = ntuple(fieldcount(T)) do i
        name = fieldname(T, i)
        haskey(changes, name) ? convert(fieldtype(T, i), changes[name]) : getfield(base, i)
    end
    return T(values...)
end

# ---------------------------------------------------------------------------
# Passing arrays and strings
# ---------------------------------------------------------------------------

# Julia arrays are column-major (first index fastest); the C API wants
# row-major (last index fastest). Reversing the order of the dimensions
# turns one into the other.
reversed_dims(N::Int) = ntuple(i -> N + 1 - i, N)
row_major(a::AbstractArray{T,N}) where {T,N} = vec(permutedims(a, reversed_dims(N)))
from_row_major(buffer::AbstractVector, dims::NTuple{N,Int}) where {N} =
    permutedims(reshape(buffer, reverse(dims)), reversed_dims(N))

# Strings for a `const char *const *` plus byte lengths: with lengths the
# library takes any bytes, NUL included. The strings must stay alive
# (GC.@preserve the StringArray) while the library reads the pointers.
struct StringArray
    strings::Vector{String}
    pointers::Vector{Ptr{UInt8}}
    lengths::Vector{Csize_t}
end

function StringArray(items)
    strings = String[String(item) for item in items]
    return StringArray(strings, Ptr{UInt8}[pointer(s) for s in strings], Csize_t[sizeof(s) for s in strings])
end

# A string the library reads up to its NUL terminator (Julia strings always
# carry one, but an embedded NUL would silently cut the text short).
function nul_terminated(text::AbstractString, what::AbstractString)
    s = String(text)
    occursin('\0', s) && throw(invalid("$what must not contain NUL characters: $(repr(s))"))
    return s
end

# A pointer for an optional string field of an options struct; the string
# is pushed on `keep`, which the caller preserves across the C call.
string_field(::Nothing, keep::Vector{Any}, what::AbstractString) = Ptr{UInt8}(C_NULL)
function string_field(text::AbstractString, keep::Vector{Any}, what::AbstractString)
    s = nul_terminated(text, what)
    push!(keep, s)
    return pointer(s)
end

function as_size(value::Integer, what::AbstractString)
    value < 0 && throw(invalid("$what must not be negative, got $value"))
    return Csize_t(value)
end

function zero_based(index::Integer, what::AbstractString)
    index >= 1 || throw(invalid("$what must be >= 1 (indices are 1-based), got $index"))
    return Csize_t(index - 1)
end

free_string(ptr::Ptr{UInt8}) = ccall((:trajplot_string_free, libtrajplot), Cvoid, (Ptr{UInt8},), ptr)

# Runs `call(out, out_len)`, a ccall returning a library-owned string, and
# returns a Julia copy of it, releasing the library's.
# `nullable`: the call may return no string, given back as `nothing`.
function returned_string(call; nullable::Bool = false)
    out = Ref{Ptr{UInt8}}(C_NULL)
    out_len = Ref{Csize_t}(0)
    check(call(out, out_len))
    nullable && out[] == C_NULL && return nothing
    try
        return unsafe_string(out[], out_len[])
    finally
        free_string(out[])
    end
end

# ---------------------------------------------------------------------------
# Handles
# ---------------------------------------------------------------------------

# Marks the constructors that take ownership of a handle the library made.
struct Adopt end

"""
    TrajectoryLabels(label_strings; hover_over_entries = nothing)

Text for each layer and position: `label_strings` is an
`n_layers × seq_len` matrix of strings drawn in the cells;
`hover_over_entries`, if given, an `n_layers × seq_len × rows × cols` array
of strings shown as a table when hovering a cell (for example a lens's
top-k tokens and probabilities, columns alternating token / value).

The data is copied into the library. Properties `label_strings` and
`hover_over_entries` (`nothing` without hover tables) read it back;
`size(labels)` is `(n_layers, seq_len)`. Release it early with `close`, or
leave it to the garbage collector.
"""
mutable struct TrajectoryLabels
    ptr::Ptr{Cvoid}
    TrajectoryLabels(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

"""
    TrajectoryStatistic(name, stats; sequence_labels = nothing, trajectory_labels = nothing,
                        units = nothing, max = nothing, min = nothing,
                        includes_output = true, layer_labels = nothing)

A statistic (entropy, KL, rank, ...) at every layer and position.
`stats` is an `n_layers × seq_len` matrix of real numbers, stored as
Float32; NaN and infinities are drawn as gaps. `sequence_labels` are
`seq_len` input tokens for the x axis; `trajectory_labels` a
[`TrajectoryLabels`](@ref) of the same shape; `min`/`max` a fixed colour
range; `layer_labels` (`n_layers` strings) replace the default y labels
`"0", "1", ..., "output"`.

The data is copied into the library. Properties with the same names
(`stat.name`, `stat.stats`, `stat.units`, `stat.min`, `stat.max`,
`stat.includes_output`, `stat.sequence_labels`, `stat.trajectory_labels`,
`stat.layer_labels`) read it back; `size(stat)` is `(n_layers, seq_len)`.
"""
mutable struct TrajectoryStatistic
    ptr::Ptr{Cvoid}
    TrajectoryStatistic(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

"""
    Vocabulary(tokens::AbstractVector{<:AbstractString})

Token strings for the labels of a [`PredictionTrajectory`](@ref) or
[`TrajectoryComparison`](@ref): `tokens[i]` is the token at index `i` of a
slab's vocab axis (its first dimension), which is token id `i` in this
binding's 1-based ids. Tokens are raw vocabulary strings (`"Ġthe"`, `"Ċ"`);
the trajectory formats them for display. It may be shorter than the lens's
vocabulary (a padded embedding matrix): ids past its end show as `"<unk>"`.

The tokens are copied into the library. `length(vocabulary)`,
`vocabulary[i]` and iteration read them back. Trajectories keep their own
reference, so it may be closed as soon as they are made.
"""
mutable struct Vocabulary
    ptr::Ptr{Cvoid}
    Vocabulary(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

"""
    PredictionTrajectory(input_ids; n_layers, vocab, targets = nothing, anti_targets = nothing,
                         vocabulary = nothing, values = nothing, forward_kl = nothing,
                         top_k = nothing, min_prob = nothing, max_batch_items_shown = nothing,
                         max_string_len = nothing, ellipsis = nothing, newline_token = nothing,
                         newline_replacement = nothing, whitespace_token = nothing,
                         whitespace_replacement = nothing, threads = nothing)

The statistics of one prediction trajectory (tuned-lens's
`PredictionTrajectory`), computed natively from a lens's outputs: Float32
logits (or log-probabilities) over the vocabulary at each of `n_layers`
layers (the model's output being the last) for `seq_len` positions and
`batch` items.

Shapes follow Julia's column-major order, the reverse of the C API's
row-major ones: the whole tensor is `vocab × seq_len × n_layers × batch`,
one (batch item, layer) slab is `vocab × seq_len`, and `input_ids`,
`targets` and `anti_targets` are `seq_len × batch` (a vector for one batch
item). Token ids are 1-based indices along the vocab axis, in `1:vocab`
(add 1 to the 0-based ids of a Python tokenizer).

Fill it with [`add!`](@ref) slab by slab, or with [`add_all!`](@ref) (see
also [`from_tensor`](@ref)), then take statistics: [`entropy`](@ref),
[`cross_entropy`](@ref) and [`rank`](@ref) (need `targets`),
[`forward_kl`](@ref), [`max_probability`](@ref), [`log_prob_diff`](@ref)
(needs `targets` and `anti_targets`), or [`statistic`](@ref) by measure name.
They come back as [`TrajectoryStatistic`](@ref)s, averaged over the batch.

Keywords left at `nothing` keep the library's defaults:
- `vocabulary`: a [`Vocabulary`](@ref) for cell labels (the top tokens) and
  sequence labels; without one, statistics have neither.
- `values`: `:logits` (default; a stable log-softmax is applied) or
  `:log_probs` (used as given, not renormalised).
- `forward_kl` (`true`): compute KL(output ‖ layer). It needs each batch
  item's output layer (`n_layers`) added before its other layers, and keeps
  that layer's probabilities until the item is complete.
- `top_k` (10): hover rows per cell. `min_prob` (0): a cell whose top-1
  probability is below it in any batch item has an empty label.
  `max_batch_items_shown` (3): batch items side by side in hover tables.
- Token display: tokens longer than `max_string_len` (7; 0 never shortens)
  code points are cut and get `ellipsis` (`"…"`); `newline_token` (`"Ċ"`)
  shows as `newline_replacement` (`"\\n"`), `whitespace_token` (`"Ġ"`) as
  `whitespace_replacement` (`"_"`).
- `threads` (0: one per core): threads reducing the positions of a slab.

Filling must not overlap any other call on the same trajectory; once
complete, statistics may be taken from any number of threads at once.
`size(trajectory)` is `(vocab, seq_len, n_layers, batch)`.
"""
mutable struct PredictionTrajectory
    ptr::Ptr{Cvoid}
    PredictionTrajectory(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

"""
    TrajectoryComparison(input_ids; n_layers, vocab, vocabulary = nothing, values = nothing,
                         min_prob_delta = nothing, <the token display, top_k, threads and
                         max_batch_items_shown keywords of PredictionTrajectory>)

The statistics between two prediction trajectories of the same shape,
"self" and "other" (for example a tuned lens and a logit lens, or two
prompts), filled with pairs of slabs: [`kl_divergence`](@ref),
[`js_divergence`](@ref), [`half_symmetric_kl`](@ref),
[`total_variation`](@ref), [`max_abs_prob_difference`](@ref). Shapes and
ids are as for [`PredictionTrajectory`](@ref); `input_ids` and `vocabulary`
are self's. Cell labels show, per cell, the tokens whose probability
changed most (`"Δxx.xx%"`, other minus self); a cell whose largest change
is at most `min_prob_delta` (0) in any batch item has an empty label.
"""
mutable struct TrajectoryComparison
    ptr::Ptr{Cvoid}
    TrajectoryComparison(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

const LensHandle = Union{PredictionTrajectory,TrajectoryComparison}
const Handle = Union{TrajectoryLabels,TrajectoryStatistic,Vocabulary,PredictionTrajectory,TrajectoryComparison}

"""
    close(handle)

Releases the library's copy of labels, a statistic, a vocabulary, a
trajectory or a comparison now rather than at garbage collection. Safe to
call more than once; any later use of the object throws a `TrajplotError`.
Statistics keep their own reference to their labels, and trajectories to
their vocabulary, so these may be closed as soon as they have been passed
on.
"""
function Base.close(labels::TrajectoryLabels)
    ptr = getfield(labels, :ptr)
    setfield!(labels, :ptr, C_NULL)
    ccall((:trajplot_labels_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
    return nothing
end

function Base.close(statistic::TrajectoryStatistic)
    ptr = getfield(statistic, :ptr)
    setfield!(statistic, :ptr, C_NULL)
    ccall((:trajplot_statistic_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
    return nothing
end

function Base.close(vocabulary::Vocabulary)
    ptr = getfield(vocabulary, :ptr)
    setfield!(vocabulary, :ptr, C_NULL)
    ccall((:trajplot_vocabulary_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
    return nothing
end

function Base.close(trajectory::PredictionTrajectory)
    ptr = getfield(trajectory, :ptr)
    setfield!(trajectory, :ptr, C_NULL)
    ccall((:trajplot_trajectory_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
    return nothing
end

function Base.close(comparison::TrajectoryComparison)
    ptr = getfield(comparison, :ptr)
    setfield!(comparison, :ptr, C_NULL)
    ccall((:trajplot_comparison_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
    return nothing
end

Base.isopen(handle::Handle) = getfield(handle, :ptr) != C_NULL

# Lets a handle object be passed to ccall as Ptr{Cvoid}: ccall keeps the
# object alive for the duration of the call, so its finalizer cannot free
# the handle underneath the library.
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, handle::Handle)
    ptr = getfield(handle, :ptr)
    ptr == C_NULL && throw(invalid("this $(typeof(handle)) has been closed"))
    return ptr
end

# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

"""
    trunc_string_left(string, new_len) -> String

Keeps the last `new_len` characters (code points) of `string`, or pads it on
the left with spaces to `new_len` characters when it is shorter.
"""
function trunc_string_left(string_in::AbstractString, new_len::Integer)
    text = nul_terminated(string_in, "string")
    width = as_size(new_len, "new_len")
    return returned_string() do out, out_len
        ccall((:trajplot_trunc_string_left, libtrajplot), Cint,
              (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Cstring, Csize_t),
              out, out_len, text, width)
    end
end

# ---------------------------------------------------------------------------
# Trajectory labels
# ---------------------------------------------------------------------------

function TrajectoryLabels(label_strings::AbstractMatrix{<:AbstractString};
                          hover_over_entries::Union{Nothing,AbstractArray{<:AbstractString,4}} = nothing)
    n_layers, seq_len = size(label_strings)
    labels = StringArray(row_major(label_strings))
    hover = nothing
    hover_rows = 0
    hover_cols = 0
    if hover_over_entries !== nothing
        # The C API takes one shape for both arrays and cannot see a mismatch.
        if size(hover_over_entries)[1:2] != (n_layers, seq_len)
            throw(invalid("hover_over_entries has shape $(size(hover_over_entries)), but its first two " *
                          "dimensions must equal label_strings' shape $((n_layers, seq_len))"))
        end
        hover_rows = size(hover_over_entries, 3)
        hover_cols = size(hover_over_entries, 4)
        hover = StringArray(row_major(hover_over_entries))
    end
    hover_pointers = hover === nothing ? Ptr{Ptr{UInt8}}(C_NULL) : pointer(hover.pointers)
    hover_lengths = hover === nothing ? Ptr{Csize_t}(C_NULL) : pointer(hover.lengths)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve labels hover begin
        check(ccall((:trajplot_labels_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Csize_t,
                     Ptr{Ptr{UInt8}}, Ptr{Csize_t},
                     Ptr{Ptr{UInt8}}, Ptr{Csize_t},
                     Csize_t, Csize_t),
                    out, n_layers, seq_len,
                    labels.pointers, labels.lengths,
                    hover_pointers, hover_lengths,
                    hover_rows, hover_cols))
    end
    return TrajectoryLabels(Adopt(), out[])
end

# (n_layers, seq_len, hover_rows, hover_cols); the hover sizes are 0 without
# hover tables.
function labels_shape(labels::TrajectoryLabels)
    n_layers = Ref{Csize_t}(0)
    seq_len = Ref{Csize_t}(0)
    hover_rows = Ref{Csize_t}(0)
    hover_cols = Ref{Csize_t}(0)
    check(ccall((:trajplot_labels_shape, libtrajplot), Cint,
                (Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Cvoid}),
                n_layers, seq_len, hover_rows, hover_cols, labels))
    return Int(n_layers[]), Int(seq_len[]), Int(hover_rows[]), Int(hover_cols[])
end

Base.size(labels::TrajectoryLabels) = labels_shape(labels)[1:2]

function label_at(labels::TrajectoryLabels, layer::Integer, position::Integer)
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    # The text is borrowed from the handle: copy it while the handle lives.
    text = GC.@preserve labels begin
        check(ccall((:trajplot_labels_label, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t, Csize_t),
                    out, len, labels, zero_based(layer, "layer"), zero_based(position, "position")))
        unsafe_string(out[], len[])
    end
    return text
end

function hover_entry_at(labels::TrajectoryLabels, layer::Integer, position::Integer,
                        row::Integer, col::Integer)
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    text = GC.@preserve labels begin
        check(ccall((:trajplot_labels_hover_entry, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t, Csize_t, Csize_t, Csize_t),
                    out, len, labels,
                    zero_based(layer, "layer"), zero_based(position, "position"),
                    zero_based(row, "row"), zero_based(col, "col")))
        unsafe_string(out[], len[])
    end
    return text
end

function label_strings(labels::TrajectoryLabels)
    n_layers, seq_len, _, _ = labels_shape(labels)
    return [label_at(labels, layer, position) for layer in 1:n_layers, position in 1:seq_len]
end

function hover_over_entries(labels::TrajectoryLabels)
    n_layers, seq_len, rows, cols = labels_shape(labels)
    rows == 0 && return nothing
    return [hover_entry_at(labels, layer, position, row, col)
            for layer in 1:n_layers, position in 1:seq_len, row in 1:rows, col in 1:cols]
end

function Base.getproperty(labels::TrajectoryLabels, name::Symbol)
    name === :label_strings && return label_strings(labels)
    name === :hover_over_entries && return hover_over_entries(labels)
    return getfield(labels, name)
end

Base.propertynames(::TrajectoryLabels, private::Bool = false) = (:label_strings, :hover_over_entries)

"""
    stride(labels::TrajectoryLabels, k) -> TrajectoryLabels

New labels keeping layers 1, 1 + k, 1 + 2k, ... of all but the last layer,
then the last layer (the reference's `stride`).
"""
function Base.stride(labels::TrajectoryLabels, k::Integer)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_labels_stride, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Csize_t),
                out, labels, as_size(k, "stride")))
    return TrajectoryLabels(Adopt(), out[])
end

"""
    template_and_customdata(labels; col_width_limit = 10) -> (template, customdata_json)

Plotly's hover template for the hover tables and its customdata: each hover
column is padded on the left, or cut to its last characters, to
`min(1 + its longest entry, col_width_limit)` characters. `customdata_json`
is a JSON array `n_layers × seq_len × (rows * cols)` (C order: parse it with
any JSON package). Throws without hover tables.
"""
function template_and_customdata(labels::TrajectoryLabels; col_width_limit::Integer = 10)
    template = Ref{Ptr{UInt8}}(C_NULL)
    template_len = Ref{Csize_t}(0)
    customdata = Ref{Ptr{UInt8}}(C_NULL)
    customdata_len = Ref{Csize_t}(0)
    check(ccall((:trajplot_labels_template_and_customdata, libtrajplot), Cint,
                (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t),
                template, template_len, customdata, customdata_len,
                labels, as_size(col_width_limit, "col_width_limit")))
    try
        return unsafe_string(template[], template_len[]), unsafe_string(customdata[], customdata_len[])
    finally
        free_string(template[])
        free_string(customdata[])
    end
end

function Base.show(io::IO, labels::TrajectoryLabels)
    if !isopen(labels)
        print(io, "TrajectoryLabels(closed)")
        return
    end
    n_layers, seq_len, rows, cols = labels_shape(labels)
    print(io, "TrajectoryLabels(", n_layers, "×", seq_len)
    rows > 0 && print(io, ", hover ", rows, "×", cols)
    print(io, ")")
end

# ---------------------------------------------------------------------------
# Trajectory statistic
# ---------------------------------------------------------------------------

function TrajectoryStatistic(name::AbstractString, stats::AbstractMatrix{<:Real};
                             sequence_labels::Union{Nothing,AbstractVector{<:AbstractString}} = nothing,
                             trajectory_labels::Union{Nothing,TrajectoryLabels} = nothing,
                             units::Union{Nothing,AbstractString} = nothing,
                             max::Union{Nothing,Real} = nothing,
                             min::Union{Nothing,Real} = nothing,
                             includes_output::Bool = true,
                             layer_labels::Union{Nothing,AbstractVector{<:AbstractString}} = nothing)
    n_layers, seq_len = size(stats)
    values = Vector{Float32}(row_major(stats))
    c_name = nul_terminated(name, "name")
    # The C API reads exactly seq_len sequence labels and n_layers layer
    # labels: a shorter array would be read past its end.
    if sequence_labels !== nothing && length(sequence_labels) != seq_len
        throw(invalid("sequence_labels has $(length(sequence_labels)) entries, but stats has shape " *
                      "$((n_layers, seq_len)) and needs seq_len = $seq_len"))
    end
    if layer_labels !== nothing && length(layer_labels) != n_layers
        throw(invalid("layer_labels has $(length(layer_labels)) entries, but stats has shape " *
                      "$((n_layers, seq_len)) and needs n_layers = $n_layers"))
    end
    sequence = sequence_labels === nothing ? nothing : StringArray(sequence_labels)
    layers = layer_labels === nothing ? nothing : StringArray(layer_labels)
    labels_pointer = trajectory_labels === nothing ? C_NULL : Base.unsafe_convert(Ptr{Cvoid}, trajectory_labels)
    keep = Any[]
    options = Ref(with_fields(statistic_options_defaults();
        units = string_field(units, keep, "units"),
        sequence_labels = sequence === nothing ? C_NULL : pointer(sequence.pointers),
        sequence_label_lengths = sequence === nothing ? C_NULL : pointer(sequence.lengths),
        trajectory_labels = labels_pointer,
        layer_labels = layers === nothing ? C_NULL : pointer(layers.pointers),
        layer_label_lengths = layers === nothing ? C_NULL : pointer(layers.lengths),
        min = min === nothing ? 0.0f0 : Float32(min),
        max = max === nothing ? 0.0f0 : Float32(max),
        has_min = min !== nothing,
        has_max = max !== nothing,
        includes_output = includes_output))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve keep sequence layers trajectory_labels begin
        check(ccall((:trajplot_statistic_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Cstring, Ptr{Float32}, Csize_t, Csize_t,
                     Ptr{trajplot_statistic_options}),
                    out, c_name, values, n_layers, seq_len, options))
    end
    return TrajectoryStatistic(Adopt(), out[])
end

function statistic_shape(statistic::TrajectoryStatistic)
    n_layers = Ref{Csize_t}(0)
    seq_len = Ref{Csize_t}(0)
    check(ccall((:trajplot_statistic_shape, libtrajplot), Cint,
                (Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Cvoid}),
                n_layers, seq_len, statistic))
    return Int(n_layers[]), Int(seq_len[])
end

Base.size(statistic::TrajectoryStatistic) = statistic_shape(statistic)

function statistic_values(statistic::TrajectoryStatistic)
    n_layers, seq_len = statistic_shape(statistic)
    buffer = Vector{Float32}(undef, n_layers * seq_len)
    check(ccall((:trajplot_statistic_stats, libtrajplot), Cint,
                (Ptr{Float32}, Csize_t, Ptr{Cvoid}),
                buffer, length(buffer), statistic))
    return from_row_major(buffer, (n_layers, seq_len))
end

function statistic_name(statistic::TrajectoryStatistic)
    out = Ref{Ptr{UInt8}}(C_NULL)
    text = GC.@preserve statistic begin
        check(ccall((:trajplot_statistic_name, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Cvoid}),
                    out, statistic))
        unsafe_string(out[])
    end
    return text
end

function statistic_units(statistic::TrajectoryStatistic)
    out = Ref{Ptr{UInt8}}(C_NULL)
    text = GC.@preserve statistic begin
        check(ccall((:trajplot_statistic_units, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Cvoid}),
                    out, statistic))
        out[] == C_NULL ? nothing : unsafe_string(out[])
    end
    return text
end

# (min, max) of the colour range; `nothing` for a bound that is not set.
function statistic_range(statistic::TrajectoryStatistic)
    has_min = Ref{Bool}(false)
    min_value = Ref{Float32}(0)
    has_max = Ref{Bool}(false)
    max_value = Ref{Float32}(0)
    check(ccall((:trajplot_statistic_range, libtrajplot), Cint,
                (Ptr{Bool}, Ptr{Float32}, Ptr{Bool}, Ptr{Float32}, Ptr{Cvoid}),
                has_min, min_value, has_max, max_value, statistic))
    return (has_min[] ? min_value[] : nothing, has_max[] ? max_value[] : nothing)
end

function statistic_includes_output(statistic::TrajectoryStatistic)
    out = Ref{Bool}(false)
    check(ccall((:trajplot_statistic_includes_output, libtrajplot), Cint,
                (Ptr{Bool}, Ptr{Cvoid}),
                out, statistic))
    return out[]
end

function layer_label_at(statistic::TrajectoryStatistic, layer::Integer)
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    text = GC.@preserve statistic begin
        check(ccall((:trajplot_statistic_layer_label, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t),
                    out, len, statistic, zero_based(layer, "layer")))
        unsafe_string(out[], len[])
    end
    return text
end

# `nothing` when the statistic has no sequence labels.
function sequence_label_at(statistic::TrajectoryStatistic, position::Integer)
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    text = GC.@preserve statistic begin
        check(ccall((:trajplot_statistic_sequence_label, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t),
                    out, len, statistic, zero_based(position, "position")))
        out[] == C_NULL ? nothing : unsafe_string(out[], len[])
    end
    return text
end

function layer_labels(statistic::TrajectoryStatistic)
    n_layers, _ = statistic_shape(statistic)
    return String[layer_label_at(statistic, layer) for layer in 1:n_layers]
end

function sequence_labels(statistic::TrajectoryStatistic)
    _, seq_len = statistic_shape(statistic)
    sequence_label_at(statistic, 1) === nothing && return nothing
    return String[sequence_label_at(statistic, position) for position in 1:seq_len]
end

function trajectory_labels(statistic::TrajectoryStatistic)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_statistic_trajectory_labels, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}),
                out, statistic))
    return out[] == C_NULL ? nothing : TrajectoryLabels(Adopt(), out[])
end

function Base.getproperty(statistic::TrajectoryStatistic, name::Symbol)
    name === :name && return statistic_name(statistic)
    name === :stats && return statistic_values(statistic)
    name === :units && return statistic_units(statistic)
    name === :min && return statistic_range(statistic)[1]
    name === :max && return statistic_range(statistic)[2]
    name === :includes_output && return statistic_includes_output(statistic)
    name === :sequence_labels && return sequence_labels(statistic)
    name === :trajectory_labels && return trajectory_labels(statistic)
    name === :layer_labels && return layer_labels(statistic)
    return getfield(statistic, name)
end

Base.propertynames(::TrajectoryStatistic, private::Bool = false) =
    (:name, :stats, :sequence_labels, :trajectory_labels, :units, :max, :min,
     :includes_output, :layer_labels)

"""
    stride(stat::TrajectoryStatistic, k) -> TrajectoryStatistic

New statistic keeping layers 1, 1 + k, 1 + 2k, ... of all but the last
layer, then the last (stats, trajectory labels and layer labels alike).
"""
function Base.stride(statistic::TrajectoryStatistic, k::Integer)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_statistic_stride, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Csize_t),
                out, statistic, as_size(k, "stride")))
    return TrajectoryStatistic(Adopt(), out[])
end

"""
    clip(stat, min, max) -> TrajectoryStatistic

New statistic with the values clamped into `[min, max]` (NaN stays NaN) and
`[min, max]` as its colour range. Requires `min < max`.
"""
function clip(statistic::TrajectoryStatistic, lower::Real, upper::Real)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_statistic_clip, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Float32, Float32),
                out, statistic, Float32(lower), Float32(upper)))
    return TrajectoryStatistic(Adopt(), out[])
end

function Base.show(io::IO, statistic::TrajectoryStatistic)
    if !isopen(statistic)
        print(io, "TrajectoryStatistic(closed)")
        return
    end
    n_layers, seq_len = statistic_shape(statistic)
    print(io, "TrajectoryStatistic(", repr(statistic_name(statistic)), ", ", n_layers, "×", seq_len, ")")
end

# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

function figure_options(keep::Vector{Any}; title = nothing, colorscale = "rdbu_r",
                        extra = nothing, token_width::Integer = 80, height::Integer = 0,
                        log_scale::Bool = false, hover_value::Bool = false)
    return with_fields(figure_options_defaults();
        title = string_field(title, keep, "title"),
        colorscale = string_field(colorscale, keep, "colorscale"),
        extra_json = string_field(extra, keep, "extra"),
        token_width = as_size(token_width, "token_width"),
        height = as_size(height, "height"),
        log_scale = log_scale,
        hover_value = hover_value)
end

"""
    heatmap(stat; colorscale = "rdbu_r", log_scale = false, extra = nothing) -> String

The Plotly heatmap trace of the statistic, as a JSON object. `colorscale` is
a plotly.py colourscale name (case-insensitive, `_r` for reversed);
`log_scale` colours by log10 of the values; `extra` is a JSON object text
merged into the trace (the reference's `**kwargs`), e.g.
`"{\\"colorbar\\": {\\"len\\": 0.25}}"`.

A trace placed in a layout of your own needs `"type": "category"` on both
axes (or `"autotypenumbers": "strict"`), as the figures written here have.
"""
function heatmap(statistic::TrajectoryStatistic; colorscale::AbstractString = "rdbu_r",
                 log_scale::Bool = false, extra::Union{Nothing,AbstractString} = nothing,
                 hover_value::Bool = false, token_width::Integer = 80, height::Integer = 0)
    keep = Any[]
    options = Ref(figure_options(keep; colorscale = colorscale, log_scale = log_scale, extra = extra,
                                 hover_value = hover_value, token_width = token_width, height = height))
    json = GC.@preserve keep begin
        returned_string() do out, out_len
            ccall((:trajplot_statistic_heatmap_json, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Ptr{trajplot_figure_options}),
                  out, out_len, statistic, options)
        end
    end
    return json
end

"""
    figure(stat; title = "", colorscale = "rdbu_r", token_width = 80, height = 0,
           log_scale = false, extra = nothing) -> String

The whole Plotly figure, `{"data": [trace], "layout": {...}}`, as JSON.
The figure is `200 + token_width * seq_len` pixels wide; `height = 0` leaves
the height to Plotly.
"""
function figure(statistic::TrajectoryStatistic; title::AbstractString = "",
                colorscale::AbstractString = "rdbu_r", token_width::Integer = 80,
                height::Integer = 0, log_scale::Bool = false,
                extra::Union{Nothing,AbstractString} = nothing, hover_value::Bool = false)
    keep = Any[]
    options = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                 token_width = token_width, height = height, log_scale = log_scale,
                                 hover_value = hover_value))
    json = GC.@preserve keep begin
        returned_string() do out, out_len
            ccall((:trajplot_statistic_figure_json, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Ptr{trajplot_figure_options}),
                  out, out_len, statistic, options)
        end
    end
    return json
end

"""
    write_json(stat, path; trace_only = false, title = "", colorscale = "rdbu_r",
               token_width = 80, height = 0, log_scale = false, extra = nothing)

Writes the figure (or, with `trace_only = true`, the heatmap trace) as JSON to
`path`. The file is replaced atomically: a failure leaves no partial file and
any earlier file intact.
"""
function write_json(statistic::TrajectoryStatistic, path::AbstractString; trace_only::Bool = false,
                    title::AbstractString = "", colorscale::AbstractString = "rdbu_r",
                    token_width::Integer = 80, height::Integer = 0, log_scale::Bool = false,
                    extra::Union{Nothing,AbstractString} = nothing, hover_value::Bool = false)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    options = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                 token_width = token_width, height = height, log_scale = log_scale,
                                 hover_value = hover_value))
    GC.@preserve keep begin
        if trace_only
            check(ccall((:trajplot_statistic_write_heatmap_json, libtrajplot), Cint,
                        (Ptr{Cvoid}, Ptr{trajplot_figure_options}, Cstring),
                        statistic, options, c_path))
        else
            check(ccall((:trajplot_statistic_write_figure_json, libtrajplot), Cint,
                        (Ptr{Cvoid}, Ptr{trajplot_figure_options}, Cstring),
                        statistic, options, c_path))
        end
    end
    return path
end

# ---------------------------------------------------------------------------
# HTML pages
# ---------------------------------------------------------------------------

function plotlyjs_source(spec)
    spec === :local && return (TRAJPLOT_PLOTLYJS_LOCAL, nothing)
    spec === :cdn && return (TRAJPLOT_PLOTLYJS_CDN, nothing)
    spec === :none && return (TRAJPLOT_PLOTLYJS_NONE, nothing)
    if spec isa Tuple{Symbol,AbstractString}
        kind, location = spec
        kind === :inline && return (TRAJPLOT_PLOTLYJS_INLINE, location)
        kind === :src && return (TRAJPLOT_PLOTLYJS_SRC, location)
    end
    throw(invalid("plotlyjs must be :local, :cdn, :none, (:inline, path_to_plotly_min_js) or (:src, url); " *
                  "got $(repr(spec))"))
end

function html_options(keep::Vector{Any}; plotlyjs = :local, div_id = nothing,
                      full_html::Bool = true, responsive::Bool = false)
    source, location = plotlyjs_source(plotlyjs)
    return with_fields(html_options_defaults();
        plotlyjs = source,
        plotlyjs_location = string_field(location, keep, "plotlyjs location"),
        div_id = string_field(div_id, keep, "div_id"),
        full_html = full_html,
        responsive = responsive)
end

"""
    figure_html(stat; plotlyjs = :local, div_id = nothing, full_html = true, responsive = false,
                title = "", colorscale = "rdbu_r", token_width = 80, height = 0,
                log_scale = false, extra = nothing) -> String

The figure as an HTML page (or, with `full_html = false`, an embeddable
`<div>`) that draws it with plotly.js. `plotlyjs` says where plotly.js comes
from: `:local` (the default: the local plotly.js inlined, so that the page
draws offline, see [`local_plotlyjs`](@ref); the CDN without one), `:cdn`
(the official CDN), `(:src, url)` (a `<script src>` of your own),
`(:inline, path)` (the contents of a `plotly.min.js` of your own) or
`:none` (the embedding page loads it). `div_id`
(default `"trajplot-figure"`) must differ between figures on one page.
Nothing in the labels, names or titles can break out of the page's script.
"""
function figure_html(statistic::TrajectoryStatistic; plotlyjs = :local,
                     div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                     responsive::Bool = false, title::AbstractString = "",
                     colorscale::AbstractString = "rdbu_r", token_width::Integer = 80,
                     height::Integer = 0, log_scale::Bool = false,
                     extra::Union{Nothing,AbstractString} = nothing, hover_value::Bool = false)
    keep = Any[]
    figure_ref = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                    token_width = token_width, height = height, log_scale = log_scale,
                                 hover_value = hover_value))
    html_ref = Ref(html_options(keep; plotlyjs = plotlyjs, div_id = div_id,
                                full_html = full_html, responsive = responsive))
    html = GC.@preserve keep begin
        returned_string() do out, out_len
            ccall((:trajplot_statistic_figure_html, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid},
                   Ptr{trajplot_figure_options}, Ptr{trajplot_html_options}),
                  out, out_len, statistic, figure_ref, html_ref)
        end
    end
    return html
end

"""
    write_html(stat, path; plotlyjs = :local, div_id = nothing, full_html = true,
               responsive = false, title = "", colorscale = "rdbu_r", token_width = 80,
               height = 0, log_scale = false, extra = nothing)

Writes [`figure_html`](@ref)'s page to `path`, replacing the file atomically.
"""
function write_html(statistic::TrajectoryStatistic, path::AbstractString; plotlyjs = :local,
                    div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                    responsive::Bool = false, title::AbstractString = "",
                    colorscale::AbstractString = "rdbu_r", token_width::Integer = 80,
                    height::Integer = 0, log_scale::Bool = false,
                    extra::Union{Nothing,AbstractString} = nothing, hover_value::Bool = false)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    figure_ref = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                    token_width = token_width, height = height, log_scale = log_scale,
                                 hover_value = hover_value))
    html_ref = Ref(html_options(keep; plotlyjs = plotlyjs, div_id = div_id,
                                full_html = full_html, responsive = responsive))
    GC.@preserve keep begin
        check(ccall((:trajplot_statistic_write_figure_html, libtrajplot), Cint,
                    (Ptr{Cvoid}, Ptr{trajplot_figure_options}, Ptr{trajplot_html_options}, Cstring),
                    statistic, figure_ref, html_ref, c_path))
    end
    return path
end

"""
    local_plotlyjs() -> Union{Nothing,String}

The plotly.js file that pages inline by default (`plotlyjs = :local`): the
file named by the environment variable `TRAJPLOT_PLOTLYJS`, else the copy
installed with the library (`share/trajplot/plotly.min.js`); `nothing` when
there is none, and pages then load plotly.js from its CDN.
"""
function local_plotlyjs()
    return returned_string(; nullable = true) do out, out_len
        ccall((:trajplot_local_plotlyjs, libtrajplot), Cint, (Ptr{Ptr{UInt8}}, Ptr{Csize_t}), out, out_len)
    end
end

# ---------------------------------------------------------------------------
# Stacked figures
# ---------------------------------------------------------------------------

# One value per panel from a keyword given either once for every panel or
# as a vector with one entry per statistic.
function per_panel(value, count::Int, what::AbstractString)
    value isa AbstractVector || return fill(value, count)
    if length(value) != count
        throw(invalid("$what has $(length(value)) entries, but there are $count statistics"))
    end
    return collect(value)
end

function panel_options(keep::Vector{Any}, count::Int; panel_titles, colorscale, log_scale, extra,
                       hover_value::Bool)
    titles = per_panel(panel_titles, count, "panel_titles")
    colorscales = per_panel(colorscale, count, "colorscale")
    log_scales = per_panel(log_scale, count, "log_scale")
    extras = per_panel(extra, count, "extra")
    for (i, value) in enumerate(log_scales)
        value isa Bool || throw(invalid("log_scale[$i] must be true or false, got $(repr(value))"))
    end
    defaults = panel_options_defaults()
    # A concretely typed vector: the library reads it as a C array.
    return trajplot_panel_options[
        with_fields(defaults;
            title = string_field(titles[i], keep, "panel_titles[$i]"),
            colorscale = string_field(colorscales[i], keep, "colorscale[$i]"),
            extra_json = string_field(extras[i], keep, "extra[$i]"),
            log_scale = log_scales[i],
            hover_value = hover_value)
        for i in 1:count]
end

function stack_options(keep::Vector{Any}; title, token_width::Integer, height::Integer,
                       vertical_spacing::Union{Nothing,Real}, equal_panel_heights::Bool)
    return with_fields(stack_options_defaults();
        title = string_field(title, keep, "title"),
        token_width = as_size(token_width, "token_width"),
        height = as_size(height, "height"),
        vertical_spacing = vertical_spacing === nothing ? 0.0 : Float64(vertical_spacing),
        has_vertical_spacing = vertical_spacing !== nothing,
        equal_panel_heights = equal_panel_heights)
end

# The handles of the statistics, for a `const trajplot_statistic *const *`;
# the caller preserves `statistics` while the library reads them.
function statistic_pointers(statistics::AbstractVector{TrajectoryStatistic})
    isempty(statistics) && throw(invalid("a stacked figure needs at least one statistic, got none"))
    return Ptr{Cvoid}[Base.unsafe_convert(Ptr{Cvoid}, statistic) for statistic in statistics]
end

# The C arguments of every stacked-figure call, built once: the statistics'
# handles, the panel options and the stack options.
function stacked_arguments(keep::Vector{Any}, statistics::AbstractVector{TrajectoryStatistic};
                           title, colorscale, token_width, height, log_scale, extra, panel_titles,
                           vertical_spacing, equal_panel_heights, hover_value)
    pointers = statistic_pointers(statistics)
    panels = panel_options(keep, length(statistics); panel_titles = panel_titles, colorscale = colorscale,
                           log_scale = log_scale, extra = extra, hover_value = hover_value)
    stack = Ref(stack_options(keep; title = title, token_width = token_width, height = height,
                              vertical_spacing = vertical_spacing,
                              equal_panel_heights = equal_panel_heights))
    return pointers, panels, stack
end

"""
    figure(stats::AbstractVector{TrajectoryStatistic}; title = "", colorscale = "rdbu_r",
           token_width = 80, height = 0, log_scale = false, extra = nothing,
           panel_titles = nothing, vertical_spacing = nothing) -> String

Several statistics of one sequence in one figure, `stats[1]` on top, one
panel each (tuned-lens's tutorial figure), as Plotly JSON. The panels share
one x axis of input tokens, labelled under the bottom panel only, and
zooming one zooms all; each has its title (`panel_titles`, default the
statistic's name), its colour range, scale and colour bar, and its layer
labels (layer counts may differ, as with `log_prob_diff(t; delta = true)`).
`colorscale`, `log_scale`, `extra` and `panel_titles` are either one value
for every panel or a vector with one entry per statistic (`nothing` entries
keep the defaults). `height = 0` is 150 + 250 pixels per panel;
`vertical_spacing`, the gap between panels as a fraction of the plotting
area's height, defaults to `0.3 / length(stats)` as plotly.py's
`make_subplots`. Panels share the height in proportion to their rows, so
that their cells are about equally tall (each at least 90 px while there is
room); `equal_panel_heights = true` makes them all the same. `hover_value`
shows each cell's value, with its statistic's name and units, above the
hover table. The statistics must have the same `seq_len` and the same
sequence labels where they have any.
"""
function figure(statistics::AbstractVector{TrajectoryStatistic}; title::AbstractString = "",
                colorscale = "rdbu_r", token_width::Integer = 80, height::Integer = 0, log_scale = false,
                extra = nothing, panel_titles = nothing, vertical_spacing::Union{Nothing,Real} = nothing,
                equal_panel_heights::Bool = false, hover_value::Bool = false)
    keep = Any[]
    pointers, panels, stack = stacked_arguments(keep, statistics; title = title, colorscale = colorscale,
                                                token_width = token_width, height = height,
                                                log_scale = log_scale, extra = extra,
                                                panel_titles = panel_titles, vertical_spacing = vertical_spacing,
                                                equal_panel_heights = equal_panel_heights,
                                                hover_value = hover_value)
    json = GC.@preserve keep statistics begin
        returned_string() do out, out_len
            ccall((:trajplot_stacked_figure_json, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Ptr{Cvoid}}, Csize_t,
                   Ptr{trajplot_panel_options}, Ptr{trajplot_stack_options}),
                  out, out_len, pointers, length(pointers), panels, stack)
        end
    end
    return json
end

"""
    figure_html(stats::AbstractVector{TrajectoryStatistic}; plotlyjs = :local, div_id = nothing,
                full_html = true, responsive = false, <the keywords of the stacked figure>) -> String

The stacked [`figure`](@ref) of several statistics as an HTML page or
embeddable `<div>`, with the HTML keywords of the one-statistic
`figure_html`.
"""
function figure_html(statistics::AbstractVector{TrajectoryStatistic}; plotlyjs = :local,
                     div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                     responsive::Bool = false, title::AbstractString = "", colorscale = "rdbu_r",
                     token_width::Integer = 80, height::Integer = 0, log_scale = false, extra = nothing,
                     panel_titles = nothing, vertical_spacing::Union{Nothing,Real} = nothing,
                equal_panel_heights::Bool = false, hover_value::Bool = false)
    keep = Any[]
    pointers, panels, stack = stacked_arguments(keep, statistics; title = title, colorscale = colorscale,
                                                token_width = token_width, height = height,
                                                log_scale = log_scale, extra = extra,
                                                panel_titles = panel_titles, vertical_spacing = vertical_spacing,
                                                equal_panel_heights = equal_panel_heights,
                                                hover_value = hover_value)
    html_ref = Ref(html_options(keep; plotlyjs = plotlyjs, div_id = div_id,
                                full_html = full_html, responsive = responsive))
    html = GC.@preserve keep statistics begin
        returned_string() do out, out_len
            ccall((:trajplot_stacked_figure_html, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Ptr{Cvoid}}, Csize_t,
                   Ptr{trajplot_panel_options}, Ptr{trajplot_stack_options}, Ptr{trajplot_html_options}),
                  out, out_len, pointers, length(pointers), panels, stack, html_ref)
        end
    end
    return html
end

"""
    write_json(stats::AbstractVector{TrajectoryStatistic}, path; <the keywords of the stacked figure>)

Writes the stacked [`figure`](@ref) of several statistics as JSON to `path`,
replacing the file atomically.
"""
function write_json(statistics::AbstractVector{TrajectoryStatistic}, path::AbstractString;
                    title::AbstractString = "", colorscale = "rdbu_r", token_width::Integer = 80,
                    height::Integer = 0, log_scale = false, extra = nothing, panel_titles = nothing,
                    vertical_spacing::Union{Nothing,Real} = nothing,
                equal_panel_heights::Bool = false, hover_value::Bool = false)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    pointers, panels, stack = stacked_arguments(keep, statistics; title = title, colorscale = colorscale,
                                                token_width = token_width, height = height,
                                                log_scale = log_scale, extra = extra,
                                                panel_titles = panel_titles, vertical_spacing = vertical_spacing,
                                                equal_panel_heights = equal_panel_heights,
                                                hover_value = hover_value)
    GC.@preserve keep statistics begin
        check(ccall((:trajplot_stacked_write_figure_json, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Ptr{trajplot_panel_options}, Ptr{trajplot_stack_options}, Cstring),
                    pointers, length(pointers), panels, stack, c_path))
    end
    return path
end

"""
    write_html(stats::AbstractVector{TrajectoryStatistic}, path; <the keywords of figure_html>)

Writes the stacked figure's page ([`figure_html`](@ref)) to `path`,
replacing the file atomically.
"""
function write_html(statistics::AbstractVector{TrajectoryStatistic}, path::AbstractString; plotlyjs = :local,
                    div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                    responsive::Bool = false, title::AbstractString = "", colorscale = "rdbu_r",
                    token_width::Integer = 80, height::Integer = 0, log_scale = false, extra = nothing,
                    panel_titles = nothing, vertical_spacing::Union{Nothing,Real} = nothing,
                equal_panel_heights::Bool = false, hover_value::Bool = false)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    pointers, panels, stack = stacked_arguments(keep, statistics; title = title, colorscale = colorscale,
                                                token_width = token_width, height = height,
                                                log_scale = log_scale, extra = extra,
                                                panel_titles = panel_titles, vertical_spacing = vertical_spacing,
                                                equal_panel_heights = equal_panel_heights,
                                                hover_value = hover_value)
    html_ref = Ref(html_options(keep; plotlyjs = plotlyjs, div_id = div_id,
                                full_html = full_html, responsive = responsive))
    GC.@preserve keep statistics begin
        check(ccall((:trajplot_stacked_write_figure_html, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Ptr{trajplot_panel_options}, Ptr{trajplot_stack_options},
                     Ptr{trajplot_html_options}, Cstring),
                    pointers, length(pointers), panels, stack, html_ref, c_path))
    end
    return path
end

# ---------------------------------------------------------------------------
# Statistics from lens outputs
# ---------------------------------------------------------------------------

function Vocabulary(tokens::AbstractVector{<:AbstractString})
    strings = StringArray(tokens)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve strings begin
        check(ccall((:trajplot_vocabulary_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Csize_t),
                    out, strings.pointers, strings.lengths, length(strings.strings)))
    end
    return Vocabulary(Adopt(), out[])
end

function Base.length(vocabulary::Vocabulary)
    out = Ref{Csize_t}(0)
    check(ccall((:trajplot_vocabulary_size, libtrajplot), Cint,
                (Ptr{Csize_t}, Ptr{Cvoid}),
                out, vocabulary))
    return Int(out[])
end

function Base.getindex(vocabulary::Vocabulary, index::Integer)
    count = length(vocabulary)
    if !(1 <= index <= count)
        throw(invalid("index $index is out of range: the vocabulary has $count tokens (indices 1:$count)"))
    end
    out = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    # Borrowed from the handle: copied while the handle lives.
    text = GC.@preserve vocabulary begin
        check(ccall((:trajplot_vocabulary_token, libtrajplot), Cint,
                    (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Csize_t),
                    out, len, vocabulary, Csize_t(index - 1)))
        unsafe_string(out[], len[])
    end
    return text
end

Base.firstindex(::Vocabulary) = 1
Base.lastindex(vocabulary::Vocabulary) = length(vocabulary)
Base.eltype(::Type{Vocabulary}) = String
Base.iterate(vocabulary::Vocabulary, index::Int = 1) =
    index > length(vocabulary) ? nothing : (vocabulary[index], index + 1)

function Base.show(io::IO, vocabulary::Vocabulary)
    if !isopen(vocabulary)
        print(io, "Vocabulary(closed)")
        return
    end
    print(io, "Vocabulary(", length(vocabulary), " tokens)")
end

# --- Options ---------------------------------------------------------------

function value_kind(values::Symbol)
    values === :logits && return Cint(TRAJPLOT_VALUES_LOGITS)
    values === :log_probs && return Cint(TRAJPLOT_VALUES_LOG_PROBS)
    throw(invalid("values must be :logits or :log_probs, got $(repr(values))"))
end

# The C options of a trajectory or comparison. A keyword left at `nothing`
# keeps the library's default (trajplot_trajectory_options_init), so that
# defaults live in one place. The vocabulary and the strings are pushed on
# `keep`, which the caller preserves across the create call; the library
# copies the strings and takes its own reference to the vocabulary.
function trajectory_options(keep::Vector{Any};
                            vocabulary::Union{Nothing,Vocabulary} = nothing,
                            values::Union{Nothing,Symbol} = nothing,
                            top_k::Union{Nothing,Integer} = nothing,
                            min_prob::Union{Nothing,Real} = nothing,
                            min_prob_delta::Union{Nothing,Real} = nothing,
                            max_batch_items_shown::Union{Nothing,Integer} = nothing,
                            max_string_len::Union{Nothing,Integer} = nothing,
                            ellipsis::Union{Nothing,AbstractString} = nothing,
                            newline_token::Union{Nothing,AbstractString} = nothing,
                            newline_replacement::Union{Nothing,AbstractString} = nothing,
                            whitespace_token::Union{Nothing,AbstractString} = nothing,
                            whitespace_replacement::Union{Nothing,AbstractString} = nothing,
                            threads::Union{Nothing,Integer} = nothing,
                            forward_kl::Union{Nothing,Bool} = nothing)
    changes = Pair{Symbol,Any}[]
    if vocabulary !== nothing
        push!(keep, vocabulary)
        push!(changes, :vocabulary => Base.unsafe_convert(Ptr{Cvoid}, vocabulary))
    end
    values === nothing || push!(changes, :values => value_kind(values))
    for (name, count) in ((:top_k, top_k), (:max_batch_items_shown, max_batch_items_shown),
                          (:max_string_len, max_string_len), (:threads, threads))
        count === nothing || push!(changes, name => as_size(count, String(name)))
    end
    min_prob === nothing || push!(changes, :min_prob => Float32(min_prob))
    min_prob_delta === nothing || push!(changes, :min_prob_delta => Float32(min_prob_delta))
    for (name, text) in ((:ellipsis, ellipsis), (:newline_token, newline_token),
                         (:newline_replacement, newline_replacement),
                         (:whitespace_token, whitespace_token),
                         (:whitespace_replacement, whitespace_replacement))
        text === nothing || push!(changes, name => string_field(text, keep, String(name)))
    end
    forward_kl === nothing || push!(changes, :forward_kl => forward_kl)
    return with_fields(trajectory_options_defaults(); changes...)
end

# --- Token ids -------------------------------------------------------------

# (seq_len, batch) of a seq_len × batch matrix of ids, or of a vector for
# one batch item.
function ids_shape(input_ids::AbstractVecOrMat{<:Integer})
    if isempty(input_ids)
        throw(invalid("input_ids has size $(size(input_ids)); it must be seq_len × batch with " *
                      "seq_len and batch at least 1"))
    end
    return (size(input_ids, 1), size(input_ids, 2))
end

# Julia's 1-based token ids as the C API's 0-based Int64 ids. The C order,
# row-major (batch, position), is the column-major order of a seq_len × batch
# matrix, so the ids are read in Julia's own order. The library would see
# neither a shorter array (it reads batch * seq_len ids) nor the shift of a
# 0-based id, so both are checked here.
function token_ids(ids::AbstractVecOrMat{<:Integer}, what::AbstractString,
                   shape::Tuple{Int,Int}, vocab::Integer)
    if (size(ids, 1), size(ids, 2)) != shape
        throw(invalid("$what has size $(size(ids)), but input_ids is seq_len × batch = " *
                      "$(shape[1]) × $(shape[2])"))
    end
    buffer = Vector{Int64}(undef, length(ids))
    for (k, index) in enumerate(CartesianIndices(ids))
        id = ids[index]
        if !(1 <= id <= vocab)
            throw(invalid("$what[$(join(Tuple(index), ", "))] is $id; token ids are 1-based indices " *
                          "along the vocab axis and must be in 1:$vocab"))
        end
        buffer[k] = Int64(id) - 1
    end
    return buffer
end

function require_dimension(value::Integer, what::AbstractString)
    value >= 1 || throw(invalid("$what must be at least 1, got $value"))
    return Csize_t(value)
end

optional_pointer(ids::Nothing) = Ptr{Int64}(C_NULL)
optional_pointer(ids::Vector{Int64}) = pointer(ids)

# --- Trajectories ----------------------------------------------------------

function PredictionTrajectory(input_ids::AbstractVecOrMat{<:Integer}; n_layers::Integer, vocab::Integer,
                              targets::Union{Nothing,AbstractVecOrMat{<:Integer}} = nothing,
                              anti_targets::Union{Nothing,AbstractVecOrMat{<:Integer}} = nothing,
                              options...)
    layer_count = require_dimension(n_layers, "n_layers")
    vocab_size = require_dimension(vocab, "vocab")
    seq_len, batch = ids_shape(input_ids)
    ids = token_ids(input_ids, "input_ids", (seq_len, batch), vocab)
    target_ids = targets === nothing ? nothing : token_ids(targets, "targets", (seq_len, batch), vocab)
    anti_target_ids = anti_targets === nothing ? nothing :
                      token_ids(anti_targets, "anti_targets", (seq_len, batch), vocab)
    keep = Any[]
    settings = Ref(trajectory_options(keep; options...))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve keep ids target_ids anti_target_ids begin
        check(ccall((:trajplot_trajectory_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Csize_t, Csize_t, Csize_t,
                     Ptr{Int64}, Ptr{Int64}, Ptr{Int64}, Ptr{trajplot_trajectory_options}),
                    out, batch, layer_count, seq_len, vocab_size,
                    ids, optional_pointer(target_ids), optional_pointer(anti_target_ids), settings))
    end
    return PredictionTrajectory(Adopt(), out[])
end

function TrajectoryComparison(input_ids::AbstractVecOrMat{<:Integer}; n_layers::Integer, vocab::Integer,
                              options...)
    # The C options have the field, but a comparison ignores it: refuse it
    # rather than let a caller believe it did something.
    if haskey(options, :forward_kl)
        throw(invalid("forward_kl is an option of a PredictionTrajectory; a TrajectoryComparison has none"))
    end
    layer_count = require_dimension(n_layers, "n_layers")
    vocab_size = require_dimension(vocab, "vocab")
    seq_len, batch = ids_shape(input_ids)
    ids = token_ids(input_ids, "input_ids", (seq_len, batch), vocab)
    keep = Any[]
    settings = Ref(trajectory_options(keep; options...))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve keep ids begin
        check(ccall((:trajplot_comparison_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Csize_t, Csize_t, Csize_t,
                     Ptr{Int64}, Ptr{trajplot_trajectory_options}),
                    out, batch, layer_count, seq_len, vocab_size, ids, settings))
    end
    return TrajectoryComparison(Adopt(), out[])
end

# (vocab, seq_len, n_layers, batch) from a C shape call(batch, n_layers,
# seq_len, vocab).
function tensor_size(call)
    batch = Ref{Csize_t}(0)
    n_layers = Ref{Csize_t}(0)
    seq_len = Ref{Csize_t}(0)
    vocab = Ref{Csize_t}(0)
    check(call(batch, n_layers, seq_len, vocab))
    return (Int(vocab[]), Int(seq_len[]), Int(n_layers[]), Int(batch[]))
end

"""
    size(trajectory_or_comparison) -> (vocab, seq_len, n_layers, batch)

The size of the whole tensor of lens outputs, in Julia's order: what
[`add_all!`](@ref) takes.
"""
Base.size(trajectory::PredictionTrajectory) =
    tensor_size() do batch, n_layers, seq_len, vocab
        ccall((:trajplot_trajectory_shape, libtrajplot), Cint,
              (Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Cvoid}),
              batch, n_layers, seq_len, vocab, trajectory)
    end

Base.size(comparison::TrajectoryComparison) =
    tensor_size() do batch, n_layers, seq_len, vocab
        ccall((:trajplot_comparison_shape, libtrajplot), Cint,
              (Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Cvoid}),
              batch, n_layers, seq_len, vocab, comparison)
    end

Base.size(handle::LensHandle, dimension::Integer) = size(handle)[dimension]

"""
    iscomplete(trajectory_or_comparison) -> Bool

Whether every slab has been added; statistics and labels need that.
"""
function iscomplete(trajectory::PredictionTrajectory)
    out = Ref{Bool}(false)
    check(ccall((:trajplot_trajectory_complete, libtrajplot), Cint,
                (Ptr{Bool}, Ptr{Cvoid}),
                out, trajectory))
    return out[]
end

function iscomplete(comparison::TrajectoryComparison)
    out = Ref{Bool}(false)
    check(ccall((:trajplot_comparison_complete, libtrajplot), Cint,
                (Ptr{Bool}, Ptr{Cvoid}),
                out, comparison))
    return out[]
end

function Base.show(io::IO, handle::LensHandle)
    name = nameof(typeof(handle))
    if !isopen(handle)
        print(io, name, "(closed)")
        return
    end
    print(io, name, "(", join(size(handle), "×"), iscomplete(handle) ? ", complete)" : ", filling)")
end

# --- Reading Float32 arrays in place ---------------------------------------

# The arrays whose memory the library can read in place: Arrays (reshape of
# an Array is one) and views of them indexed by integers and ranges. Their
# contiguity is checked separately.
const ArrayIndex = Union{Int,AbstractRange{Int}}
const InPlaceFloat32 = Union{Array{Float32},
                             SubArray{Float32,<:Any,<:Array{Float32},<:Tuple{Vararg{ArrayIndex}}}}

# Column-major without gaps: each dimension's stride is the product of the
# extents before it (a dimension of extent 1 may have any stride).
function is_contiguous(array::InPlaceFloat32)
    array isa Array && return true
    expected_stride = 1
    for (extent, actual_stride) in zip(size(array), strides(array))
        extent == 1 || actual_stride == expected_stride || return false
        expected_stride *= extent
    end
    return true
end

# The library reads `array` as the C row-major array of the reversed shape,
# so its size must be exactly `expected` and its memory one Float32 block.
function require_in_place(array::AbstractArray, what::AbstractString, expected::Dims, layout::AbstractString)
    if eltype(array) !== Float32
        throw(invalid("$what holds $(eltype(array)), but lens outputs are read in place as Float32: " *
                      "convert them once with Float32.($what)"))
    end
    if size(array) != expected
        transposed = ndims(array) == 2 && size(array) == reverse(expected) && expected[1] != expected[2]
        hint = transposed ? "; it looks transposed: a slab is vocab × seq_len in Julia (the C API's " *
                            "row-major (position, vocab)), so pass permutedims($what)" : ""
        throw(invalid("$what has size $(size(array)), but $layout is $expected here$hint"))
    end
    if !(array isa InPlaceFloat32)
        throw(invalid("$what is a $(typeof(array)), whose memory cannot be read in place: pass an " *
                      "Array{Float32} or a contiguous view of one (such as view(tensor, :, :, layer, item)), " *
                      "or copy it with Array($what)"))
    end
    if !is_contiguous(array)
        throw(invalid("$what is a view of size $(size(array)) with strides $(strides(array)), which is not " *
                      "contiguous in memory: pass a contiguous view (whole leading dimensions, such as " *
                      "view(tensor, :, :, layer, item)) or copy it with Array($what)"))
    end
    return array
end

function lens_index(index::Integer, count::Int, what::AbstractString, plural::AbstractString)
    if !(1 <= index <= count)
        throw(invalid("$what $index is out of range: there are $count $plural (1:$count)"))
    end
    return Csize_t(index - 1)
end

"""
    add!(trajectory, batch, layer, slab) -> trajectory
    add!(comparison, batch, layer, self_slab, other_slab) -> comparison

Adds the lens outputs of one batch item (`1:batch`) at one layer
(`1:n_layers`, the last being the model's output): a `vocab × seq_len`
Float32 slab, which is the C API's row-major (position, vocab) slab read
column-major. The library reads it in place during the call only, so it
must be an `Array{Float32}` or a contiguous view of one, such as
`view(tensor, :, :, layer, batch)` of a `vocab × seq_len × n_layers × batch`
tensor; anything else (another element type, a strided or transposed view)
is refused with a message saying how to convert it.

Each slab exactly once, in any order, except that with `forward_kl` a batch
item's output layer comes before its other layers. Errors name the slab as
the library does, counting batch items and layers from 0.
"""
function add!(trajectory::PredictionTrajectory, batch::Integer, layer::Integer, slab::AbstractArray)
    vocab, seq_len, n_layers, batch_size = size(trajectory)
    batch_index = lens_index(batch, batch_size, "batch", "batch items")
    layer_index = lens_index(layer, n_layers, "layer", "layers")
    require_in_place(slab, "slab", (vocab, seq_len), "a slab (vocab × seq_len)")
    GC.@preserve slab begin
        check(ccall((:trajplot_trajectory_add, libtrajplot), Cint,
                    (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Float32}, Csize_t),
                    trajectory, batch_index, layer_index, pointer(slab), length(slab)))
    end
    return trajectory
end

function add!(comparison::TrajectoryComparison, batch::Integer, layer::Integer,
              self_slab::AbstractArray, other_slab::AbstractArray)
    vocab, seq_len, n_layers, batch_size = size(comparison)
    batch_index = lens_index(batch, batch_size, "batch", "batch items")
    layer_index = lens_index(layer, n_layers, "layer", "layers")
    require_in_place(self_slab, "self_slab", (vocab, seq_len), "a slab (vocab × seq_len)")
    require_in_place(other_slab, "other_slab", (vocab, seq_len), "a slab (vocab × seq_len)")
    GC.@preserve self_slab other_slab begin
        check(ccall((:trajplot_comparison_add, libtrajplot), Cint,
                    (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Float32}, Ptr{Float32}, Csize_t),
                    comparison, batch_index, layer_index,
                    pointer(self_slab), pointer(other_slab), length(self_slab)))
    end
    return comparison
end

const TENSOR_LAYOUT = "the tensor (vocab × seq_len × n_layers × batch)"

"""
    add_all!(trajectory, tensor) -> trajectory
    add_all!(comparison, self_tensor, other_tensor) -> comparison

Adds every slab of a resident `vocab × seq_len × n_layers × batch` Float32
tensor (`size(trajectory)`), read in place: the C API's row-major (batch,
layer, position, vocab) tensor read column-major, so nothing is copied. It
must be an `Array{Float32}` or a contiguous view of one, and the trajectory
must have no slabs yet.
"""
function add_all!(trajectory::PredictionTrajectory, tensor::AbstractArray)
    require_in_place(tensor, "tensor", size(trajectory), TENSOR_LAYOUT)
    GC.@preserve tensor begin
        check(ccall((:trajplot_trajectory_add_all, libtrajplot), Cint,
                    (Ptr{Cvoid}, Ptr{Float32}, Csize_t),
                    trajectory, pointer(tensor), length(tensor)))
    end
    return trajectory
end

function add_all!(comparison::TrajectoryComparison, self_tensor::AbstractArray, other_tensor::AbstractArray)
    require_in_place(self_tensor, "self_tensor", size(comparison), TENSOR_LAYOUT)
    require_in_place(other_tensor, "other_tensor", size(comparison), TENSOR_LAYOUT)
    GC.@preserve self_tensor other_tensor begin
        check(ccall((:trajplot_comparison_add_all, libtrajplot), Cint,
                    (Ptr{Cvoid}, Ptr{Float32}, Ptr{Float32}, Csize_t),
                    comparison, pointer(self_tensor), pointer(other_tensor), length(self_tensor)))
    end
    return comparison
end

function tensor_shape(tensor::AbstractArray, what::AbstractString)
    if ndims(tensor) != 4
        throw(invalid("$what has size $(size(tensor)); it must be vocab × seq_len × n_layers × batch " *
                      "(4 dimensions; reshape(t, size(t)..., 1) adds a batch of 1)"))
    end
    return size(tensor)
end

function require_ids_match(input_ids::AbstractVecOrMat, seq_len::Int, batch::Int, what::AbstractString)
    if (size(input_ids, 1), size(input_ids, 2)) != (seq_len, batch)
        throw(invalid("input_ids has size $(size(input_ids)), but $what has seq_len × batch = $seq_len × $batch"))
    end
end

# Frees a handle whose filling failed now, rather than at some later
# garbage collection, and passes the error on.
function filled(fill_handle, handle)
    try
        fill_handle(handle)
    catch
        close(handle)
        rethrow()
    end
    return handle
end

"""
    from_tensor(tensor, input_ids; targets, anti_targets, <PredictionTrajectory keywords>) -> PredictionTrajectory
    from_tensor(self_tensor, other_tensor, input_ids; <TrajectoryComparison keywords>) -> TrajectoryComparison

A complete trajectory (or comparison) from resident
`vocab × seq_len × n_layers × batch` Float32 tensors, read in place with
[`add_all!`](@ref); `input_ids` (and the targets) are `seq_len × batch`.
"""
function from_tensor(tensor::AbstractArray, input_ids::AbstractVecOrMat{<:Integer}; options...)
    vocab, seq_len, n_layers, batch = tensor_shape(tensor, "tensor")
    require_in_place(tensor, "tensor", size(tensor), TENSOR_LAYOUT)
    require_ids_match(input_ids, seq_len, batch, "tensor")
    trajectory = PredictionTrajectory(input_ids; n_layers = n_layers, vocab = vocab, options...)
    return filled(t -> add_all!(t, tensor), trajectory)
end

function from_tensor(self_tensor::AbstractArray, other_tensor::AbstractArray,
                     input_ids::AbstractVecOrMat{<:Integer}; options...)
    vocab, seq_len, n_layers, batch = tensor_shape(self_tensor, "self_tensor")
    if size(other_tensor) != size(self_tensor)
        throw(invalid("other_tensor has size $(size(other_tensor)), but self_tensor has size $(size(self_tensor))"))
    end
    require_in_place(self_tensor, "self_tensor", size(self_tensor), TENSOR_LAYOUT)
    require_in_place(other_tensor, "other_tensor", size(self_tensor), TENSOR_LAYOUT)
    require_ids_match(input_ids, seq_len, batch, "self_tensor")
    comparison = TrajectoryComparison(input_ids; n_layers = n_layers, vocab = vocab, options...)
    return filled(c -> add_all!(c, self_tensor, other_tensor), comparison)
end

# --- Measures --------------------------------------------------------------

"""
    Trajplot.measure_name(measure::Integer) -> Union{String, Nothing}

The name of a measure (`Trajplot.TRAJPLOT_MEASURE_ENTROPY` gives
`"entropy"`), as the CLI and every binding spell it; `nothing` for a number
that is no measure.
"""
function measure_name(measure::Integer)
    typemin(Cint) <= measure <= typemax(Cint) || return nothing
    name = ccall((:trajplot_measure_name, libtrajplot), Ptr{UInt8}, (Cint,), measure)
    return name == C_NULL ? nothing : unsafe_string(name)
end

"""
    Trajplot.measure_from_name(name) -> Int

The measure named `name` (a string or symbol, exactly as
[`measure_name`](@ref Trajplot.measure_name) spells it). An unknown name
throws a `TrajplotError` listing the valid ones.
"""
function measure_from_name(name::Union{AbstractString,Symbol})
    text = nul_terminated(String(name), "measure name")
    out = Ref{Cint}(0)
    check(ccall((:trajplot_measure_from_name, libtrajplot), Cint,
                (Ptr{Cint}, Cstring),
                out, text))
    return Int(out[])
end

"""
    Trajplot.is_comparison_measure(measure::Integer) -> Bool

Whether `measure` is one of two trajectories (a [`TrajectoryComparison`](@ref)'s).
"""
function is_comparison_measure(measure::Integer)
    typemin(Cint) <= measure <= typemax(Cint) || return false
    return ccall((:trajplot_measure_is_comparison, libtrajplot), Bool, (Cint,), measure)
end

"""
    Trajplot.measures() -> Vector{Int}

Every measure (the `Trajplot.TRAJPLOT_MEASURE_*` constants), in the
library's order; `Trajplot.measure_name.(Trajplot.measures())` are their names.
"""
function measures()
    total = ccall((:trajplot_measures, libtrajplot), Csize_t, (Ptr{Cint}, Csize_t), C_NULL, 0)
    out = Vector{Cint}(undef, total)
    ccall((:trajplot_measures, libtrajplot), Csize_t, (Ptr{Cint}, Csize_t), out, total)
    return Int.(out)
end

function measure_code(measure::Integer)
    if !(typemin(Cint) <= measure <= typemax(Cint))
        throw(invalid("measure $measure is not a trajplot measure"))
    end
    return Cint(measure)
end
measure_code(measure::Union{AbstractString,Symbol}) = Cint(measure_from_name(measure))

"""
    statistic(trajectory, measure; show_ranks = false) -> TrajectoryStatistic
    statistic(comparison, measure) -> TrajectoryStatistic

The statistic of `measure`, given by name (`:entropy`, `"kl_divergence"`,
see [`Trajplot.measures`](@ref)) or number (`Trajplot.TRAJPLOT_MEASURE_*`):
`n_layers × seq_len` (`log_prob_diff_delta`: `n_layers - 1` rows), averaged
over the batch, with tuned-lens's name, units and colour range, the cell
labels and the sequence labels. Every export of a
[`TrajectoryStatistic`](@ref) applies to it.

Throws while slabs are missing (naming the first), for a measure of the
other kind (one trajectory versus two), and for a measure whose targets
were not given or `forward_kl` when it was turned off.
"""
function statistic(trajectory::PredictionTrajectory, measure; show_ranks::Bool = false)
    code = measure_code(measure)
    if show_ranks && code != TRAJPLOT_MEASURE_RANK
        throw(invalid("show_ranks applies to the rank measure only, not to $(something(measure_name(code), code))"))
    end
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_trajectory_statistic, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Cint, Cuint),
                out, trajectory, code, show_ranks ? TRAJPLOT_SHOW_RANKS : Cuint(0)))
    return TrajectoryStatistic(Adopt(), out[])
end

function statistic(comparison::TrajectoryComparison, measure)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_comparison_statistic, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Cint, Cuint),
                out, comparison, measure_code(measure), Cuint(0)))
    return TrajectoryStatistic(Adopt(), out[])
end

"""
    entropy(trajectory) -> TrajectoryStatistic

Entropy of each layer's distribution, `-Σ p log p`, in nats.
"""
entropy(trajectory::PredictionTrajectory) = statistic(trajectory, TRAJPLOT_MEASURE_ENTROPY)

"""
    cross_entropy(trajectory) -> TrajectoryStatistic

`-log p(target)` at each layer and position, in nats; needs `targets`.
"""
cross_entropy(trajectory::PredictionTrajectory) = statistic(trajectory, TRAJPLOT_MEASURE_CROSS_ENTROPY)

"""
    forward_kl(trajectory) -> TrajectoryStatistic

KL(output ‖ layer), in nats: how far each layer is from the model's output
(0 in the output row). Needs the trajectory's `forward_kl` option (on by
default).
"""
forward_kl(trajectory::PredictionTrajectory) = statistic(trajectory, TRAJPLOT_MEASURE_FORWARD_KL)

"""
    max_probability(trajectory) -> TrajectoryStatistic

The probability of the most likely token.
"""
max_probability(trajectory::PredictionTrajectory) = statistic(trajectory, TRAJPLOT_MEASURE_MAX_PROBABILITY)

"""
    rank(trajectory; show_ranks = false) -> TrajectoryStatistic

The target's rank, 1 for the most likely token; ties share the best rank
(1 + the number of tokens with a strictly greater value). Needs `targets`.
With `show_ranks` the cell labels are the ranks rather than the top tokens.
The colour range is 1 to the vocabulary's size (when there is one).
"""
rank(trajectory::PredictionTrajectory; show_ranks::Bool = false) =
    statistic(trajectory, TRAJPLOT_MEASURE_RANK; show_ranks = show_ranks)

"""
    log_prob_diff(trajectory; delta = false) -> TrajectoryStatistic

`log p(target) - log p(anti_target)`, in nats; needs `targets` and
`anti_targets`. With `delta`, its change from layer k to k + 1 in row k
(`n_layers - 1` rows, no output row). No cell labels.
"""
log_prob_diff(trajectory::PredictionTrajectory; delta::Bool = false) =
    statistic(trajectory, delta ? TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA : TRAJPLOT_MEASURE_LOG_PROB_DIFF)

"""
    kl_divergence(comparison) -> TrajectoryStatistic

KL(self ‖ other), in nats.
"""
kl_divergence(comparison::TrajectoryComparison) = statistic(comparison, TRAJPLOT_MEASURE_KL_DIVERGENCE)

"""
    js_divergence(comparison) -> TrajectoryStatistic

The textbook Jensen-Shannon divergence, `0.5 KL(p ‖ m) + 0.5 KL(q ‖ m)` with
`m = (p + q) / 2`, in nats, in `[0, log 2]`. (tuned-lens's "js_divergence"
is [`half_symmetric_kl`](@ref).)
"""
js_divergence(comparison::TrajectoryComparison) = statistic(comparison, TRAJPLOT_MEASURE_JS_DIVERGENCE)

"""
    half_symmetric_kl(comparison) -> TrajectoryStatistic

`0.5 KL(p ‖ q) + 0.5 KL(q ‖ p)`, in nats: what tuned-lens calls
`js_divergence`.
"""
half_symmetric_kl(comparison::TrajectoryComparison) = statistic(comparison, TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL)

"""
    total_variation(comparison) -> TrajectoryStatistic

The textbook total variation distance, `0.5 Σ |p - q|`, in `[0, 1]`.
(tuned-lens's "total_variation" is [`max_abs_prob_difference`](@ref).)
"""
total_variation(comparison::TrajectoryComparison) = statistic(comparison, TRAJPLOT_MEASURE_TOTAL_VARIATION)

"""
    max_abs_prob_difference(comparison) -> TrajectoryStatistic

`max |p - q|` over the vocabulary: what tuned-lens calls `total_variation`.
"""
max_abs_prob_difference(comparison::TrajectoryComparison) =
    statistic(comparison, TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE)

"""
    trajectory_labels(trajectory_or_comparison) -> Union{TrajectoryLabels, Nothing}

The cell labels the statistics share (every statistic of a trajectory but
`log_prob_diff`): a trajectory's most likely tokens with top-k hover tables
of tokens and probabilities, a comparison's most changed tokens. `nothing`
without a vocabulary. Throws while slabs are missing.
"""
function trajectory_labels(trajectory::PredictionTrajectory)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_trajectory_labels, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}),
                out, trajectory))
    return out[] == C_NULL ? nothing : TrajectoryLabels(Adopt(), out[])
end

function trajectory_labels(comparison::TrajectoryComparison)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:trajplot_comparison_labels, libtrajplot), Cint,
                (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}),
                out, comparison))
    return out[] == C_NULL ? nothing : TrajectoryLabels(Adopt(), out[])
end

end # module
