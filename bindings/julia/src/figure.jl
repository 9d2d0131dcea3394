# Figures of statistics (Figure) and their exports: strings, bytes, files
# and IO streams, in figure JSON, trace JSON, HTML or an image (SVG, PNG,
# PDF), and Julia's display of them; and the one-call conveniences of the
# reference (heatmap, figure, ...) built on them.

# ---------------------------------------------------------------------------
# The C option structs
# ---------------------------------------------------------------------------

struct trajplot_panel_options
    version::Cuint
    title::Ptr{UInt8}
    colorscale::Ptr{UInt8}
    extra_json::Ptr{UInt8}
    log_scale::Bool
    hover_value::Bool
end

struct trajplot_figure_options
    version::Cuint
    title::Ptr{UInt8}
    token_width::Csize_t
    height::Csize_t
    vertical_spacing::Float64
    has_vertical_spacing::Bool
    equal_panel_heights::Bool
    layout_json::Ptr{UInt8}
end

struct trajplot_export_options
    version::Cuint
    format::Cint
    plotlyjs::Cint
    plotlyjs_location::Ptr{UInt8}
    div_id::Ptr{UInt8}
    full_html::Bool
    responsive::Bool
    scale::Float64
end

function panel_options_defaults()
    options = Ref{trajplot_panel_options}()
    check(ccall((:trajplot_panel_options_init, libtrajplot), Cint,
                (Ptr{trajplot_panel_options}, Cuint),
                options, TRAJPLOT_PANEL_OPTIONS_VERSION))
    return options[]
end

function figure_options_defaults()
    options = Ref{trajplot_figure_options}()
    check(ccall((:trajplot_figure_options_init, libtrajplot), Cint,
                (Ptr{trajplot_figure_options}, Cuint),
                options, TRAJPLOT_FIGURE_OPTIONS_VERSION))
    return options[]
end

function export_options_defaults()
    options = Ref{trajplot_export_options}()
    check(ccall((:trajplot_export_options_init, libtrajplot), Cint,
                (Ptr{trajplot_export_options}, Cuint),
                options, TRAJPLOT_EXPORT_OPTIONS_VERSION))
    return options[]
end

# ---------------------------------------------------------------------------
# Making figures
# ---------------------------------------------------------------------------

# How one statistic is drawn. `index` names the panel of a stacked figure in
# messages ("colorscale[2]"); the strings are pushed on `keep`.
function panel_option(keep::Vector{Any}, defaults::trajplot_panel_options; title, colorscale, extra,
                      log_scale, hover_value::Bool, index::Union{Nothing,Int} = nothing)
    what(name) = index === nothing ? name : "$name[$index]"
    log_scale isa Bool || throw(invalid("$(what("log_scale")) must be true or false, got $(repr(log_scale))"))
    return with_fields(defaults;
        title = string_field(title, keep, what("panel_titles")),
        colorscale = string_field(colorscale, keep, what("colorscale")),
        extra_json = string_field(extra, keep, what("extra")),
        log_scale = log_scale,
        hover_value = hover_value)
end

# One value per panel from a keyword given either once for every panel or
# as a vector with one entry per statistic.
function per_panel(value, count::Int, what::AbstractString)
    value isa AbstractVector || return fill(value, count)
    if length(value) != count
        throw(invalid("$what has $(length(value)) entries, but there are $count statistics"))
    end
    return collect(value)
end

function figure_options(keep::Vector{Any}; title, token_width::Integer, height::Integer,
                        vertical_spacing::Union{Nothing,Real} = nothing, equal_panel_heights::Bool = false)
    return with_fields(figure_options_defaults();
        title = string_field(title, keep, "title"),
        token_width = as_size(token_width, "token_width"),
        height = as_size(height, "height"),
        vertical_spacing = vertical_spacing === nothing ? 0.0 : Float64(vertical_spacing),
        has_vertical_spacing = vertical_spacing !== nothing,
        equal_panel_heights = equal_panel_heights)
end

"""
    Figure(stat::TrajectoryStatistic; title = "", colorscale = "rdbu_r", token_width = 80,
           height = 0, log_scale = false, extra = nothing, hover_value = false)

The figure of one statistic, `{"data": [trace], "layout": {...}}`. It is
`200 + token_width * seq_len` pixels wide; `height = 0` leaves the height
to Plotly (450). `colorscale` is a plotly.py colourscale name
(case-insensitive, `_r` for reversed); `log_scale` colours by log10 of the
values; `extra` is a JSON object text merged into the heatmap trace (the
reference's `**kwargs`), e.g. `"{\\"colorbar\\": {\\"len\\": 0.25}}"`;
`hover_value` shows each cell's value, with the statistic's name and units,
above its hover table.
"""
function Figure(statistic::TrajectoryStatistic; title::AbstractString = "",
                colorscale::Union{Nothing,AbstractString} = "rdbu_r", token_width::Integer = 80,
                height::Integer = 0, log_scale::Bool = false,
                extra::Union{Nothing,AbstractString} = nothing, hover_value::Bool = false)
    keep = Any[]
    panel = Ref(panel_option(keep, panel_options_defaults(); title = nothing, colorscale = colorscale,
                             extra = extra, log_scale = log_scale, hover_value = hover_value))
    options = Ref(figure_options(keep; title = title, token_width = token_width, height = height))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve keep begin
        check(ccall((:trajplot_figure_create, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Ptr{Cvoid}, Ptr{trajplot_panel_options}, Ptr{trajplot_figure_options}),
                    out, statistic, panel, options))
    end
    return Figure(Adopt(), out[])
end

"""
    Figure(stats::AbstractVector{TrajectoryStatistic}; title = "", colorscale = "rdbu_r",
           token_width = 80, height = 0, log_scale = false, extra = nothing,
           panel_titles = nothing, vertical_spacing = nothing,
           equal_panel_heights = false, hover_value = false)

Several statistics of one sequence in one figure, `stats[1]` on top, one
panel each (tuned-lens's tutorial figure). The panels share one x axis of
input tokens, labelled under the bottom panel only, and zooming one zooms
all; each has its title (`panel_titles`, default the statistic's name), its
colour range, scale and colour bar, and its layer labels (layer counts may
differ, as with `log_prob_diff(t; delta = true)`). `colorscale`,
`log_scale`, `extra` and `panel_titles` are either one value for every
panel or a vector with one entry per statistic (`nothing` entries keep the
defaults). `height = 0` is 150 + 250 pixels per panel; `vertical_spacing`,
the gap between panels as a fraction of the plotting area's height,
defaults to `0.3 / length(stats)` as plotly.py's `make_subplots`. Panels
share the height in proportion to their rows, so that their cells are about
equally tall (each at least 90 px while there is room);
`equal_panel_heights = true` makes them all the same. The statistics must
have the same `seq_len` and the same sequence labels where they have any.
A stacked figure has no single trace: export it as JSON or HTML.
"""
function Figure(statistics::AbstractVector{TrajectoryStatistic}; title::AbstractString = "",
                colorscale = "rdbu_r", token_width::Integer = 80, height::Integer = 0, log_scale = false,
                extra = nothing, panel_titles = nothing, vertical_spacing::Union{Nothing,Real} = nothing,
                equal_panel_heights::Bool = false, hover_value::Bool = false)
    n_panels = length(statistics)
    n_panels == 0 && throw(invalid("a stacked figure needs at least one statistic, got none"))
    titles = per_panel(panel_titles, n_panels, "panel_titles")
    colorscales = per_panel(colorscale, n_panels, "colorscale")
    log_scales = per_panel(log_scale, n_panels, "log_scale")
    extras = per_panel(extra, n_panels, "extra")
    keep = Any[]
    defaults = panel_options_defaults()
    # A concretely typed vector, so that each element is a C struct in place.
    panels = trajplot_panel_options[
        panel_option(keep, defaults; title = titles[i], colorscale = colorscales[i], extra = extras[i],
                     log_scale = log_scales[i], hover_value = hover_value, index = i)
        for i in 1:n_panels]
    options = Ref(figure_options(keep; title = title, token_width = token_width, height = height,
                                 vertical_spacing = vertical_spacing, equal_panel_heights = equal_panel_heights))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    # The C API takes an array of statistic handles and an array of pointers
    # to panel options: both point into objects preserved for the call.
    GC.@preserve keep statistics panels begin
        handles = Ptr{Cvoid}[Base.unsafe_convert(Ptr{Cvoid}, statistic) for statistic in statistics]
        panel_pointers = Ptr{trajplot_panel_options}[pointer(panels, i) for i in 1:n_panels]
        check(ccall((:trajplot_figure_create_stacked, libtrajplot), Cint,
                    (Ptr{Ptr{Cvoid}}, Ptr{Ptr{Cvoid}}, Ptr{Ptr{trajplot_panel_options}}, Csize_t,
                     Ptr{trajplot_figure_options}),
                    out, handles, panel_pointers, n_panels, options))
    end
    return Figure(Adopt(), out[])
end

# (stacked, panel count)
function figure_shape(fig::Figure)
    stacked = Ref{Bool}(false)
    panels = Ref{Csize_t}(0)
    check(ccall((:trajplot_figure_shape, libtrajplot), Cint,
                (Ptr{Bool}, Ptr{Csize_t}, Ptr{Cvoid}),
                stacked, panels, fig))
    return stacked[], Int(panels[])
end

function Base.getproperty(fig::Figure, name::Symbol)
    name === :stacked && return figure_shape(fig)[1]
    name === :panel_count && return figure_shape(fig)[2]
    return getfield(fig, name)
end

Base.propertynames(::Figure, private::Bool = false) = (:stacked, :panel_count)

function Base.show(io::IO, fig::Figure)
    if !isopen(fig)
        print(io, "Figure(closed)")
        return
    end
    stacked, panels = figure_shape(fig)
    print(io, "Figure(", stacked ? "stacked, " : "", panels, panels == 1 ? " panel)" : " panels)")
end

# ---------------------------------------------------------------------------
# Export options
# ---------------------------------------------------------------------------

const FORMATS = (json = TRAJPLOT_FORMAT_FIGURE_JSON, trace = TRAJPLOT_FORMAT_TRACE_JSON,
                 html = TRAJPLOT_FORMAT_HTML, svg = TRAJPLOT_FORMAT_SVG, png = TRAJPLOT_FORMAT_PNG,
                 pdf = TRAJPLOT_FORMAT_PDF)

const IMAGE_FORMATS = (:svg, :png, :pdf)

function format_code(format::Symbol)
    haskey(FORMATS, format) ||
        throw(invalid("format must be :json (the figure), :trace (its heatmap trace alone), :html, " *
                      ":svg, :png or :pdf, got $(repr(format))"))
    return Cint(FORMATS[format])
end

"""
    format_available(format::Symbol) -> Bool

Whether the library writes `format`: `:json`, `:trace`, `:html` and `:svg`
always; `:png` and `:pdf` when it was built with Cairo and Pango. An
unknown format is not available.
"""
function format_available(format::Symbol)
    haskey(FORMATS, format) || return false
    return ccall((:trajplot_format_available, libtrajplot), Bool, (Cint,), FORMATS[format])
end

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

# The C options of an export in `format`. The HTML keywords left at
# `nothing` keep the library's defaults (plotly.js :local, a whole page, a
# fixed width, the div id "trajplot-figure"), and so does `scale` (1); given
# for a format they do nothing for, they are refused.
function export_options(keep::Vector{Any}, format::Symbol; plotlyjs = nothing,
                        div_id::Union{Nothing,AbstractString} = nothing,
                        full_html::Union{Nothing,Bool} = nothing, responsive::Union{Nothing,Bool} = nothing,
                        scale::Union{Nothing,Real} = nothing)
    changes = Pair{Symbol,Any}[:format => format_code(format)]
    if scale !== nothing
        format in IMAGE_FORMATS ||
            throw(invalid("scale given for format = $(repr(format)), but it applies to the image formats " *
                          "(:svg, :png, :pdf) only"))
        # The C API reads 0 as "unset", that is 1; here it is a mistake. The
        # library checks every other value.
        iszero(scale) && throw(invalid("scale is 0; it must be above 0 and at most 16"))
        push!(changes, :scale => Float64(scale))
    end
    if format !== :html
        given = [name for (name, value) in ((:plotlyjs, plotlyjs), (:div_id, div_id), (:full_html, full_html),
                                            (:responsive, responsive)) if value !== nothing]
        isempty(given) ||
            throw(invalid("$(join(given, ", ")) given for format = $(repr(format)), but the HTML keywords " *
                          "(plotlyjs, div_id, full_html, responsive) apply to format = :html only"))
    end
    if plotlyjs !== nothing
        source, location = plotlyjs_source(plotlyjs)
        push!(changes, :plotlyjs => source)
        push!(changes, :plotlyjs_location => string_field(location, keep, "the plotlyjs location"))
    end
    div_id === nothing || push!(changes, :div_id => string_field(div_id, keep, "div_id"))
    full_html === nothing || push!(changes, :full_html => full_html)
    responsive === nothing || push!(changes, :responsive => responsive)
    return with_fields(export_options_defaults(); changes...)
end

# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------

# `returned` is returned_string or returned_bytes.
function exported(returned, fig::Figure, options::Ref{trajplot_export_options}, keep::Vector{Any})
    output = GC.@preserve keep begin
        returned() do out, out_len
            ccall((:trajplot_figure_export, libtrajplot), Cint,
                  (Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Cvoid}, Ptr{trajplot_export_options}),
                  out, out_len, fig, options)
        end
    end
    return output
end

exported_string(fig::Figure, options::Ref{trajplot_export_options}, keep::Vector{Any}) =
    exported(returned_string, fig, options, keep)

"""
    json(fig::Figure; trace_only = false) -> String

The figure as Plotly JSON, `{"data": [...], "layout": {...}}`, or with
`trace_only = true` its heatmap trace alone (a figure of one statistic
only: a stacked figure throws `TRAJPLOT_EINVAL`). A trace placed in a
layout of your own needs `"type": "category"` on both axes (or
`"autotypenumbers": "strict"`), as the figures written here have.
"""
function json(fig::Figure; trace_only::Bool = false)
    keep = Any[]
    options = Ref(export_options(keep, trace_only ? :trace : :json))
    return exported_string(fig, options, keep)
end

"""
    html(fig::Figure; plotlyjs = :local, div_id = nothing, full_html = true,
         responsive = false) -> String

The figure as an HTML page (or, with `full_html = false`, an embeddable
`<div>`) that draws it with plotly.js. `plotlyjs` says where plotly.js comes
from: `:local` (the default: the local plotly.js inlined, so that the page
draws offline, see [`local_plotlyjs`](@ref); the CDN without one), `:cdn`
(the official CDN), `(:src, url)` (a `<script src>` of your own),
`(:inline, path)` (the contents of a `plotly.min.js` of your own) or
`:none` (the embedding page loads it). `div_id` (default
`"trajplot-figure"`) must differ between figures on one page; `responsive`
follows the page's width. Nothing in the labels, names or titles can break
out of the page's script.
"""
function html(fig::Figure; plotlyjs = :local, div_id::Union{Nothing,AbstractString} = nothing,
              full_html::Bool = true, responsive::Bool = false)
    keep = Any[]
    options = Ref(export_options(keep, :html; plotlyjs = plotlyjs, div_id = div_id,
                                 full_html = full_html, responsive = responsive))
    return exported_string(fig, options, keep)
end

"""
    image(fig::Figure, format::Symbol = :png; scale = 1) -> Vector{UInt8}

The figure as an image drawn by the library itself, with no browser:
`format` is `:png`, `:svg` (UTF-8 text, as bytes) or `:pdf`; the image is
the figure's size (its layout's width and height in pixels) times `scale`,
a number > 0 and at most 16. PNG and PDF need a library built with Cairo
and Pango ([`format_available`](@ref)). Julia's display system gets the
same images: `show(io, MIME"image/png"(), fig)`, `MIME"image/svg+xml"` and
`MIME"application/pdf"`, so IJulia, Pluto and VS Code show a figure as an
image.
"""
function image(fig::Figure, format::Symbol = :png; scale::Real = 1)
    format in IMAGE_FORMATS ||
        throw(invalid("image format must be :png, :svg or :pdf, got $(repr(format)): " *
                      "json(fig) and html(fig) give the other formats"))
    keep = Any[]
    options = Ref(export_options(keep, format; scale = scale))
    return exported(returned_bytes, fig, options, keep)
end

function format_of_path(path::AbstractString)
    extension = lowercase(splitext(path)[2])
    extension == ".json" && return :json
    extension in (".html", ".htm") && return :html
    extension in (".svg", ".png", ".pdf") && return Symbol(extension[2:end])
    throw(invalid("cannot tell the format of $(repr(path)) from its extension (.json, .html, .htm, .svg, " *
                  ".png or .pdf): pass format = :json, :trace, :html, :svg, :png or :pdf"))
end

"""
    save(path, fig::Figure; format = nothing, plotlyjs = nothing, div_id = nothing,
         full_html = nothing, responsive = nothing, scale = nothing) -> path

Writes the figure into the file `path`, streamed without holding the output
in memory and replaced atomically: it is written beside `path` and renamed
over it once complete, so that a failure leaves no partial file and any
earlier file intact (a device or FIFO is written directly). `format` is
`:json` (the figure), `:trace` (its heatmap trace alone), `:html`, or an
image, `:svg`, `:png` or `:pdf` (see [`image`](@ref)); left at `nothing`
it follows the extension, `.json`, `.html`/`.htm`, `.svg`, `.png` or
`.pdf`. The HTML keywords are [`html`](@ref)'s, for `format = :html` only;
`scale` is [`image`](@ref)'s, for the image formats only.
"""
function save(path::AbstractString, fig::Figure; format::Union{Nothing,Symbol} = nothing,
              plotlyjs = nothing, div_id::Union{Nothing,AbstractString} = nothing,
              full_html::Union{Nothing,Bool} = nothing, responsive::Union{Nothing,Bool} = nothing,
              scale::Union{Nothing,Real} = nothing)
    c_path = nul_terminated(path, "path")
    keep = Any[]
    options = Ref(export_options(keep, format === nothing ? format_of_path(c_path) : format;
                                 plotlyjs = plotlyjs, div_id = div_id, full_html = full_html,
                                 responsive = responsive, scale = scale))
    GC.@preserve keep begin
        check(ccall((:trajplot_figure_save, libtrajplot), Cint,
                    (Ptr{Cvoid}, Ptr{trajplot_export_options}, Cstring),
                    fig, options, c_path))
    end
    return path
end

# The `user` of trajplot_figure_stream's write function: where the pieces
# go, how many bytes went, and the exception the IO threw, if any. An
# exception must not unwind through the library's frames: the write function
# keeps it here and stops the export, and `write` throws it once the library
# has returned.
mutable struct StreamTarget
    io::IO
    written::Int
    failure::Any
end

function write_piece(user::Ptr{Cvoid}, data::Ptr{UInt8}, len::Csize_t)::Cint
    target = unsafe_pointer_to_objref(user)::StreamTarget
    try
        unsafe_write(target.io, data, UInt(len))
        target.written += Int(len)
        return Cint(0)
    catch err
        target.failure = err
        return Cint(1)
    end
end

"""
    write(io::IO, fig::Figure; format = :json, plotlyjs = nothing, div_id = nothing,
          full_html = nothing, responsive = nothing, scale = nothing) -> Int

Streams the figure into `io` (an `IOBuffer`, a file, a socket, any `IO`
that implements `unsafe_write` or byte `write`) as it is produced, without
holding the whole output in memory, and returns the number of bytes
written. `format`, the HTML keywords and `scale` are [`save`](@ref)'s
(`:json`, `:trace`, `:html`, `:svg`, `:png` or `:pdf`). The pieces are
written from inside the library call,
by the calling task. When a write throws, the export stops there and the
exception is rethrown to the caller; options the library refuses throw
before anything is written.
"""
function Base.write(io::IO, fig::Figure; format::Symbol = :json, plotlyjs = nothing,
                    div_id::Union{Nothing,AbstractString} = nothing,
                    full_html::Union{Nothing,Bool} = nothing, responsive::Union{Nothing,Bool} = nothing,
                    scale::Union{Nothing,Real} = nothing)
    keep = Any[]
    options = Ref(export_options(keep, format; plotlyjs = plotlyjs, div_id = div_id,
                                 full_html = full_html, responsive = responsive, scale = scale))
    target = StreamTarget(io, 0, nothing)
    write_function = @cfunction(write_piece, Cint, (Ptr{Cvoid}, Ptr{UInt8}, Csize_t))
    status = GC.@preserve keep target begin
        ccall((:trajplot_figure_stream, libtrajplot), Cint,
              (Ptr{Cvoid}, Ptr{trajplot_export_options}, Ptr{Cvoid}, Ptr{Cvoid}),
              fig, options, write_function, pointer_from_objref(target))
    end
    failure = target.failure
    if failure !== nothing
        # The library's own message only says that the write function
        # stopped the export; the IO's exception says why.
        ccall((:trajplot_error_clear, libtrajplot), Cvoid, ())
        throw(failure)
    end
    check(status)
    return target.written
end

# Julia's display system: a figure is an image wherever the library draws
# that format (a closed figure is nothing). `write` streams it into the
# display's IO.
const IMAGE_MIMES = ((MIME"image/svg+xml", :svg), (MIME"image/png", :png), (MIME"application/pdf", :pdf))

for (mime, format) in IMAGE_MIMES
    @eval begin
        Base.showable(::$mime, fig::Figure) = isopen(fig) && format_available($(QuoteNode(format)))
        function Base.show(io::IO, ::$mime, fig::Figure)
            write(io, fig; format = $(QuoteNode(format)))
            return nothing
        end
    end
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
# One call from statistics to an export
# ---------------------------------------------------------------------------

const FigureSubject = Union{TrajectoryStatistic,AbstractVector{TrajectoryStatistic}}

# Makes the figure of `subject` with the figure keywords `options`, exports
# it with `export_figure` and frees it at once rather than at some later
# garbage collection.
function with_figure(export_figure, subject::FigureSubject; options...)
    fig = Figure(subject; options...)
    try
        return export_figure(fig)
    finally
        close(fig)
    end
end

"""
    heatmap(stat; colorscale = "rdbu_r", log_scale = false, extra = nothing,
            hover_value = false, token_width = 80, height = 0) -> String

The Plotly heatmap trace of the statistic, as a JSON object: `json` of its
[`Figure`](@ref) with `trace_only = true` (the keywords are the figure's;
`token_width` and `height` size the cell text).
"""
heatmap(statistic::TrajectoryStatistic; options...) =
    with_figure(fig -> json(fig; trace_only = true), statistic; options...)

"""
    figure(stat; title = "", colorscale = "rdbu_r", token_width = 80, height = 0,
           log_scale = false, extra = nothing, hover_value = false) -> String
    figure(stats::AbstractVector{TrajectoryStatistic}; <the keywords of a stacked Figure>) -> String

The whole Plotly figure of one statistic, or of several stacked, as JSON:
`json(Figure(stat_or_stats; keywords...))`. See [`Figure`](@ref) for the
keywords.
"""
figure(subject::FigureSubject; options...) = with_figure(json, subject; options...)

"""
    figure_html(stat_or_stats; plotlyjs = :local, div_id = nothing, full_html = true,
                responsive = false, <the keywords of Figure>) -> String

The figure as an HTML page or embeddable `<div>`: [`html`](@ref) of its
[`Figure`](@ref).
"""
figure_html(subject::FigureSubject; plotlyjs = :local, div_id = nothing, full_html::Bool = true,
            responsive::Bool = false, options...) =
    with_figure(fig -> html(fig; plotlyjs = plotlyjs, div_id = div_id, full_html = full_html,
                            responsive = responsive), subject; options...)

"""
    write_json(stat_or_stats, path; trace_only = false, <the keywords of Figure>) -> path

Writes the figure (or, with `trace_only = true`, the heatmap trace of one
statistic) as JSON to `path`, replacing the file atomically: a failure
leaves no partial file and any earlier file intact. See [`save`](@ref).
"""
write_json(subject::FigureSubject, path::AbstractString; trace_only::Bool = false, options...) =
    with_figure(fig -> save(path, fig; format = trace_only ? :trace : :json), subject; options...)

"""
    write_image(stat_or_stats, path; format = nothing, scale = nothing, <the keywords of Figure>) -> path

Writes the figure as an image to `path`, replacing the file atomically: the
format follows the extension (`.svg`, `.png`, `.pdf`) unless given; see
[`image`](@ref) and [`save`](@ref).
"""
function write_image(subject::FigureSubject, path::AbstractString; format::Union{Nothing,Symbol} = nothing,
                     scale::Union{Nothing,Real} = nothing, options...)
    format = format === nothing ? format_of_path(path) : format
    format in IMAGE_FORMATS ||
        throw(invalid("write_image writes :svg, :png or :pdf, got $(repr(format)) for $(repr(path))"))
    return with_figure(fig -> save(path, fig; format = format, scale = scale), subject; options...)
end

"""
    write_html(stat_or_stats, path; plotlyjs = :local, div_id = nothing, full_html = true,
               responsive = false, <the keywords of Figure>) -> path

Writes [`figure_html`](@ref)'s page to `path`, replacing the file atomically.
"""
write_html(subject::FigureSubject, path::AbstractString; plotlyjs = :local, div_id = nothing,
           full_html::Bool = true, responsive::Bool = false, options...) =
    with_figure(fig -> save(path, fig; format = :html, plotlyjs = plotlyjs, div_id = div_id,
                            full_html = full_html, responsive = responsive), subject; options...)
