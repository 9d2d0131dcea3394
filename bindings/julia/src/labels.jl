# Text, and the labels drawn in the cells of a statistic.

# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

"""
    trunc_string_left(string, new_len) -> String

Keeps the last `new_len` characters (code points) of `string`, or pads it on
the left with spaces to `new_len` characters when it is shorter. The string
is passed with its byte length, so NUL characters are kept and counted like
any other.
"""
function trunc_string_left(string_in::AbstractString, new_len::Integer)
    text = String(string_in)
    width = as_size(new_len, "new_len")
    return returned_string() do out, out_len
        ccall((:trajplot_trunc_string_left, libtrajplot), Cint,
              (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{UInt8}, Csize_t, Csize_t),
              out, out_len, text, sizeof(text), width)
    end
end

# ---------------------------------------------------------------------------
# Trajectory labels
# ---------------------------------------------------------------------------

function TrajectoryLabels(label_strings::AbstractMatrix{<:AbstractString};
                          hover_over_entries::Union{Nothing,AbstractArray{<:AbstractString,4}} = nothing)
    n_layers, seq_len = size(label_strings)
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
    end
    if !(eltype(label_strings) <: String) ||
       (hover_over_entries !== nothing && !(eltype(hover_over_entries) <: String))
        return joined_labels(label_strings, hover_over_entries, hover_rows, hover_cols)
    end
    labels = StringArray(row_major(label_strings))
    hover = hover_over_entries === nothing ? nothing : StringArray(row_major(hover_over_entries))
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

# Labels from strings that are not all `String`s, passed as joined buffers.
function joined_labels(label_strings::AbstractMatrix{<:AbstractString},
                       hover_over_entries::Union{Nothing,AbstractArray{<:AbstractString,4}},
                       hover_rows::Integer, hover_cols::Integer)
    n_layers, seq_len = size(label_strings)
    labels = JoinedStrings(row_major(label_strings))
    hover = hover_over_entries === nothing ? nothing : JoinedStrings(row_major(hover_over_entries))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve labels hover begin
        label_descriptor = Ref(strings_descriptor(labels))
        hover_descriptor = hover === nothing ? Ptr{trajplot_strings}(C_NULL) : Ref(strings_descriptor(hover))
        check(ccall((:trajplot_labels_create_from_strings, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Csize_t, Csize_t,
                     Ptr{trajplot_strings}, Ptr{trajplot_strings},
                     Csize_t, Csize_t),
                    out, n_layers, seq_len,
                    label_descriptor, hover_descriptor,
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
