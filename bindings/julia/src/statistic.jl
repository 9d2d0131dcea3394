# A statistic at every layer and position: TrajectoryStatistic.

# The C struct trajplot_statistic_options.
struct trajplot_statistic_options
    version::Cuint
    units::Ptr{UInt8}
    sequence_labels::Ptr{Ptr{UInt8}}
    sequence_label_lengths::Ptr{Csize_t}
    sequence_label_count::Csize_t
    trajectory_labels::Ptr{Cvoid}
    layer_labels::Ptr{Ptr{UInt8}}
    layer_label_lengths::Ptr{Csize_t}
    layer_label_count::Csize_t
    min::Float32
    max::Float32
    has_min::Bool
    has_max::Bool
    includes_output::Bool
end

function statistic_options_defaults()
    options = Ref{trajplot_statistic_options}()
    check(ccall((:trajplot_statistic_options_init, libtrajplot), Cint,
                (Ptr{trajplot_statistic_options}, Cuint),
                options, TRAJPLOT_STATISTIC_OPTIONS_VERSION))
    return options[]
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
    # The library checks the counts as well; checked here first, the message
    # names the keyword and the shape in Julia's terms.
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
        sequence_label_count = sequence === nothing ? 0 : length(sequence.strings),
        trajectory_labels = labels_pointer,
        layer_labels = layers === nothing ? C_NULL : pointer(layers.pointers),
        layer_label_lengths = layers === nothing ? C_NULL : pointer(layers.lengths),
        layer_label_count = layers === nothing ? 0 : length(layers.strings),
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
