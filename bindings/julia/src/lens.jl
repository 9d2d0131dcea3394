# Statistics computed natively from a lens's outputs: Vocabulary,
# PredictionTrajectory, TrajectoryComparison and the measures.

# --- Vocabulary ------------------------------------------------------------

function Vocabulary(tokens::AbstractVector{<:AbstractString})
    eltype(tokens) <: String || return joined_vocabulary(tokens)
    strings = StringArray(tokens)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve strings begin
        check(ccall((:trajplot_vocabulary_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Csize_t),
                    out, strings.pointers, strings.lengths, length(strings.strings)))
    end
    return Vocabulary(Adopt(), out[])
end

# A vocabulary of tokens that are not all `String`s (SubStrings of a
# tokenizer's output, ...), passed as one joined buffer.
function joined_vocabulary(tokens::AbstractVector{<:AbstractString})
    joined = JoinedStrings(tokens)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve joined begin
        descriptor = Ref(strings_descriptor(joined))
        check(ccall((:trajplot_vocabulary_create_from_strings, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Ptr{trajplot_strings}),
                    out, descriptor))
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

# The C struct trajplot_trajectory_options.
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

function trajectory_options_defaults()
    options = Ref{trajplot_trajectory_options}()
    check(ccall((:trajplot_trajectory_options_init, libtrajplot), Cint,
                (Ptr{trajplot_trajectory_options}, Cuint),
                options, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION))
    return options[]
end

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
