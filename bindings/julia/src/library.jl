# The library, its constants and errors, and what every other file of the
# module builds on: passing arrays and strings to C, and the handle types.

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

# Values of the C header's constants; check_ccalls.py compares them with it.
const TRAJPLOT_ABI_VERSION = 2
const TRAJPLOT_STATISTIC_OPTIONS_VERSION = 1
const TRAJPLOT_PANEL_OPTIONS_VERSION = 1
const TRAJPLOT_FIGURE_OPTIONS_VERSION = 2
const TRAJPLOT_EXPORT_OPTIONS_VERSION = 2
const TRAJPLOT_TRAJECTORY_OPTIONS_VERSION = 1

const TRAJPLOT_OK = 0
const TRAJPLOT_ERROR = -1
const TRAJPLOT_EINVAL = -2
const TRAJPLOT_ENOMEM = -3
const TRAJPLOT_ERANGE = -4
const TRAJPLOT_EIO = -5

const TRAJPLOT_FORMAT_FIGURE_JSON = 0
const TRAJPLOT_FORMAT_TRACE_JSON = 1
const TRAJPLOT_FORMAT_HTML = 2
const TRAJPLOT_FORMAT_SVG = 3
const TRAJPLOT_FORMAT_PNG = 4
const TRAJPLOT_FORMAT_PDF = 5

const TRAJPLOT_PLOTLYJS_LOCAL = 0
const TRAJPLOT_PLOTLYJS_CDN = 1
const TRAJPLOT_PLOTLYJS_SRC = 2
const TRAJPLOT_PLOTLYJS_INLINE = 3
const TRAJPLOT_PLOTLYJS_NONE = 4

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

const TRAJPLOT_STRINGS_VERSION = 1
const TRAJPLOT_STRINGS_POINTERS = 0
const TRAJPLOT_STRINGS_UTF32 = 1
const TRAJPLOT_STRINGS_BYTES = 2
const TRAJPLOT_STRINGS_UTF8_OFFSETS = 3

# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------

# The file name the library has under its ABI version (its SONAME on Linux).
const VERSIONED_LIBRARY_NAME =
    Sys.isapple() ? "libtrajplot.$(TRAJPLOT_ABI_VERSION).dylib" :
    Sys.iswindows() ? "trajplot.dll" : "libtrajplot.so.$(TRAJPLOT_ABI_VERSION)"

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
# Versions, limits and threads
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
    Trajplot.default_threads() -> Int

The threads a [`PredictionTrajectory`](@ref) or
[`TrajectoryComparison`](@ref) spreads its work over when its `threads`
option is left at 0: the CPUs available to this process, its CPU affinity
and any cgroup CPU quota included; at least 1. (Julia's own
`Threads.nthreads()` does not matter here: the library has its threads.)
"""
default_threads() = Int(ccall((:trajplot_default_threads, libtrajplot), Csize_t, ()))

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

# ---------------------------------------------------------------------------
# Option structs
# ---------------------------------------------------------------------------

# Each file mirrors the C option structs it uses (same names, field order
# and types as in capi/trajplot.h; check_ccalls.py compares them), filled
# from the library's *_options_init functions so that defaults live in one
# place; the keywords of a Julia function then replace some of the fields.

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

# The C struct trajplot_strings: an array of strings in one of the layouts
# of trajplot_string_layout.
struct trajplot_strings
    version::Cuint
    layout::Cint
    count::Csize_t
    data::Ptr{Cvoid}
    lengths::Ptr{Csize_t}
    width::Csize_t
    offsets::Ptr{UInt64}
    data_len::Csize_t
end

# Strings of other types than `String` (SubStrings of a tokenizer's
# output, ...) as one UTF-8 buffer with offsets: each string's bytes are
# copied once, into the buffer, instead of into a `String` of its own for a
# pointer. Preserve it (GC.@preserve) while the library reads it.
struct JoinedStrings
    bytes::Vector{UInt8}
    offsets::Vector{UInt64}
end

utf8_string(item::Union{String,SubString{String}}) = item
utf8_string(item::AbstractString) = String(item)

function JoinedStrings(items)
    strings = [utf8_string(item) for item in items]
    offsets = Vector{UInt64}(undef, length(strings) + 1)
    offsets[1] = 0
    for (i, s) in enumerate(strings)
        offsets[i + 1] = offsets[i] + ncodeunits(s)
    end
    bytes = Vector{UInt8}(undef, offsets[end])
    for (i, s) in enumerate(strings)
        copyto!(bytes, offsets[i] + 1, codeunits(s), 1, ncodeunits(s))
    end
    return JoinedStrings(bytes, offsets)
end

# The descriptor of joined strings (TRAJPLOT_STRINGS_UTF8_OFFSETS); valid
# while `joined` is preserved.
function strings_descriptor(joined::JoinedStrings)
    base = Ref{trajplot_strings}()
    check(ccall((:trajplot_strings_init, libtrajplot), Cint,
                (Ptr{trajplot_strings}, Cuint),
                base, TRAJPLOT_STRINGS_VERSION))
    return with_fields(base[]; layout = TRAJPLOT_STRINGS_UTF8_OFFSETS, count = length(joined.offsets) - 1,
                       data = Ptr{Cvoid}(pointer(joined.bytes)), offsets = pointer(joined.offsets),
                       data_len = length(joined.bytes))
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

# As returned_string, for output that may hold any byte (a PNG, a PDF).
function returned_bytes(call)
    out = Ref{Ptr{UInt8}}(C_NULL)
    out_len = Ref{Csize_t}(0)
    check(call(out, out_len))
    try
        return out[] == C_NULL ? UInt8[] : copy(unsafe_wrap(Array, out[], Int(out_len[])))
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
    Figure(stat::TrajectoryStatistic; title = "", colorscale = "rdbu_r", token_width = 80,
           height = 0, log_scale = false, extra = nothing, hover_value = false)
    Figure(stats::AbstractVector{TrajectoryStatistic}; title = "", colorscale = "rdbu_r",
           token_width = 80, height = 0, log_scale = false, extra = nothing,
           panel_titles = nothing, vertical_spacing = nothing,
           equal_panel_heights = false, hover_value = false)

A Plotly figure of one statistic (the reference's `stat.figure()`), or of
several statistics of one sequence stacked as panels, `stats[1]` on top
(tuned-lens's tutorial figure). It is laid out and its options checked when
it is made, so a bad colourscale, `extra` or `token_width` throws here; it
is then exported any number of times, in any format, to any destination:
[`json`](@ref), [`html`](@ref), [`save`](@ref), `write(io, fig)`.

The figure keeps its own reference to each statistic, which may be closed
once the figure is made. `fig.stacked` and `fig.panel_count` tell its
shape. Release it early with `close`, or leave it to the garbage collector.
Any number of tasks and threads may export one figure at once.
"""
mutable struct Figure
    ptr::Ptr{Cvoid}
    Figure(::Adopt, ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
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
- `threads` (0: [`Trajplot.default_threads`](@ref), the CPUs this process
  may use): threads reducing the positions of a slab.

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
const Handle = Union{TrajectoryLabels,TrajectoryStatistic,Figure,Vocabulary,PredictionTrajectory,TrajectoryComparison}

"""
    close(handle)

Releases the library's copy of labels, a statistic, a figure, a
vocabulary, a trajectory or a comparison now rather than at garbage
collection. Safe to call more than once; any later use of the object throws
a `TrajplotError`. Statistics keep their own reference to their labels,
figures to their statistics, and trajectories to their vocabulary, so these
may be closed as soon as they have been passed on.
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

function Base.close(figure::Figure)
    ptr = getfield(figure, :ptr)
    setfield!(figure, :ptr, C_NULL)
    ccall((:trajplot_figure_free, libtrajplot), Cvoid, (Ptr{Cvoid},), ptr)
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
