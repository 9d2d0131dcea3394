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

Arrays are given in Julia's own layout, `n_layers × seq_len` (layer first):
the binding reorders them into the row-major order the C API expects.

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
       write_json, write_html, trunc_string_left

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
const TRAJPLOT_FIGURE_OPTIONS_VERSION = 1
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
end

struct trajplot_html_options
    version::Cuint
    plotlyjs::Cint
    plotlyjs_location::Ptr{UInt8}
    div_id::Ptr{UInt8}
    full_html::Bool
    responsive::Bool
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
function returned_string(call)
    out = Ref{Ptr{UInt8}}(C_NULL)
    out_len = Ref{Csize_t}(0)
    check(call(out, out_len))
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

const Handle = Union{TrajectoryLabels,TrajectoryStatistic}

"""
    close(labels_or_statistic)

Releases the library's copy now rather than at garbage collection. Safe to
call more than once; any later use of the object throws a `TrajplotError`.
Statistics keep their own reference to their labels, so labels may be
closed as soon as a statistic has been made from them.
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
                        log_scale::Bool = false)
    return with_fields(figure_options_defaults();
        title = string_field(title, keep, "title"),
        colorscale = string_field(colorscale, keep, "colorscale"),
        extra_json = string_field(extra, keep, "extra"),
        token_width = as_size(token_width, "token_width"),
        height = as_size(height, "height"),
        log_scale = log_scale)
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
                 log_scale::Bool = false, extra::Union{Nothing,AbstractString} = nothing)
    keep = Any[]
    options = Ref(figure_options(keep; colorscale = colorscale, log_scale = log_scale, extra = extra))
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
                extra::Union{Nothing,AbstractString} = nothing)
    keep = Any[]
    options = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                 token_width = token_width, height = height, log_scale = log_scale))
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
                    extra::Union{Nothing,AbstractString} = nothing)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    options = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                 token_width = token_width, height = height, log_scale = log_scale))
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
    spec === :cdn && return (TRAJPLOT_PLOTLYJS_CDN, nothing)
    spec === :none && return (TRAJPLOT_PLOTLYJS_NONE, nothing)
    if spec isa Tuple{Symbol,AbstractString}
        kind, location = spec
        kind === :inline && return (TRAJPLOT_PLOTLYJS_INLINE, location)
        kind === :src && return (TRAJPLOT_PLOTLYJS_SRC, location)
    end
    throw(invalid("plotlyjs must be :cdn, :none, (:inline, path_to_plotly_min_js) or (:src, url); " *
                  "got $(repr(spec))"))
end

function html_options(keep::Vector{Any}; plotlyjs = :cdn, div_id = nothing,
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
    figure_html(stat; plotlyjs = :cdn, div_id = nothing, full_html = true, responsive = false,
                title = "", colorscale = "rdbu_r", token_width = 80, height = 0,
                log_scale = false, extra = nothing) -> String

The figure as an HTML page (or, with `full_html = false`, an embeddable
`<div>`) that draws it with plotly.js. `plotlyjs` says where plotly.js comes
from: `:cdn` (the official CDN), `(:src, url)` (a `<script src>` of your
own), `(:inline, path)` (the contents of a local `plotly.min.js`, for a page
that works offline) or `:none` (the embedding page loads it). `div_id`
(default `"trajplot-figure"`) must differ between figures on one page.
Nothing in the labels, names or titles can break out of the page's script.
"""
function figure_html(statistic::TrajectoryStatistic; plotlyjs = :cdn,
                     div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                     responsive::Bool = false, title::AbstractString = "",
                     colorscale::AbstractString = "rdbu_r", token_width::Integer = 80,
                     height::Integer = 0, log_scale::Bool = false,
                     extra::Union{Nothing,AbstractString} = nothing)
    keep = Any[]
    figure_ref = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                    token_width = token_width, height = height, log_scale = log_scale))
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
    write_html(stat, path; plotlyjs = :cdn, div_id = nothing, full_html = true,
               responsive = false, title = "", colorscale = "rdbu_r", token_width = 80,
               height = 0, log_scale = false, extra = nothing)

Writes [`figure_html`](@ref)'s page to `path`, replacing the file atomically.
"""
function write_html(statistic::TrajectoryStatistic, path::AbstractString; plotlyjs = :cdn,
                    div_id::Union{Nothing,AbstractString} = nothing, full_html::Bool = true,
                    responsive::Bool = false, title::AbstractString = "",
                    colorscale::AbstractString = "rdbu_r", token_width::Integer = 80,
                    height::Integer = 0, log_scale::Bool = false,
                    extra::Union{Nothing,AbstractString} = nothing)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    figure_ref = Ref(figure_options(keep; title = title, colorscale = colorscale, extra = extra,
                                    token_width = token_width, height = height, log_scale = log_scale))
    html_ref = Ref(html_options(keep; plotlyjs = plotlyjs, div_id = div_id,
                                full_html = full_html, responsive = responsive))
    GC.@preserve keep begin
        check(ccall((:trajplot_statistic_write_figure_html, libtrajplot), Cint,
                    (Ptr{Cvoid}, Ptr{trajplot_figure_options}, Ptr{trajplot_html_options}, Cstring),
                    statistic, figure_ref, html_ref, c_path))
    end
    return path
end

end # module
