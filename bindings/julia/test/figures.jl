# Figures: the one-call conveniences, Figure and its exports to strings,
# files and IO streams.

# An IO whose writes fail, as a full disk or a closed socket would.
mutable struct BrokenIO <: IO
    writes::Int
end
Base.unsafe_write(io::BrokenIO, ::Ptr{UInt8}, ::UInt) = (io.writes += 1; error("disk full"))

# An IO that takes `capacity` bytes, then fails: the export stops midway.
mutable struct ShortIO <: IO
    buffer::IOBuffer
    capacity::Int
end
function Base.unsafe_write(io::ShortIO, p::Ptr{UInt8}, n::UInt)
    position(io.buffer) + n > io.capacity && throw(EOFError())
    return unsafe_write(io.buffer, p, n)
end

@testset "figure, heatmap and JSON files" begin
    stat = TrajectoryStatistic("Entropy", Float32[0.5 1.5 2.5; 3.5 4.5 5.5])
    fig = figure(stat; title = "T", token_width = 10, height = 300)
    @test occursin("\"width\":230", fig)  # 200 + 10 × 3 positions
    @test occursin("\"height\":300", fig)
    @test occursin("\"title\":{\"text\":\"T\"", fig)
    @test occursin("\"type\":\"category\"", fig)
    @test occursin("\"len\":0.25", heatmap(stat; extra = "{\"colorbar\": {\"len\": 0.25}}"))
    @test occursin("\"ticktext\":[\"10<sup>0</sup>\"", heatmap(TrajectoryStatistic("L", Float32[1 10; 100 1000]); log_scale = true))
    valued = heatmap(TrajectoryStatistic("Entropy", Float32[0.5 1.5 2.5; 3.5 4.5 5.5]; units = "nats"); hover_value = true)
    @test occursin("\"hovertemplate\":\"Entropy: %{customdata[0]} nats", valued)
    @test occursin("[[[\"0.5\"],[\"1.5\"],[\"2.5\"]]", valued)
    @test !occursin("hovertemplate", heatmap(stat))
    @test failure(() -> figure(stat; token_width = 0)).status == EINVAL
    @test failure(() -> heatmap(stat; colorscale = "nope")).status == EINVAL
    @test failure(() -> heatmap(stat; extra = "{not json")).status == EINVAL
    mktempdir() do dir
        path = joinpath(dir, "figure.json")
        @test write_json(stat, path; title = "T") == path
        @test read(path, String) == figure(stat; title = "T")
        write_json(stat, path; trace_only = true)
        @test read(path, String) == heatmap(stat)
        @test failure(() -> write_json(stat, joinpath(dir, "missing", "f.json"))).status == Trajplot.TRAJPLOT_EIO
    end
end

@testset "HTML pages" begin
    stat = TrajectoryStatistic("Entropy", Float32[0.5 1.5 2.5; 3.5 4.5 5.5])
    fragment = figure_html(stat; plotlyjs = :none, full_html = false, div_id = "my-fig")
    @test occursin("id=\"my-fig\"", fragment)
    @test !occursin("<html", fragment)
    @test !occursin("<script src=", fragment)
    # The default inlines the local plotly.js; the CDN's without one.
    local_copy = local_plotlyjs()
    if local_copy === nothing
        @test occursin("<script src=\"https://cdn.plot.ly/", figure_html(stat))
    else
        @test occursin(read(local_copy, String), figure_html(stat))
        @test !occursin("<script src=", figure_html(stat))
    end
    @test occursin("<script src=\"https://cdn.plot.ly/", figure_html(stat; plotlyjs = :cdn))
    url = "https://example.invalid/plotly.js"
    @test occursin("src=\"$url\"", figure_html(stat; plotlyjs = (:src, url)))
    mktempdir() do dir
        plotly = joinpath(dir, "plotly.min.js")
        write(plotly, "/* stand-in plotly.js */")
        page = joinpath(dir, "page.html")
        @test write_html(stat, page; plotlyjs = (:inline, plotly), title = "T") == page
        @test occursin("/* stand-in plotly.js */", read(page, String))
        @test read(page, String) == figure_html(stat; plotlyjs = (:inline, plotly), title = "T")
    end
    @test failure(() -> figure_html(stat; plotlyjs = :bundle)).status == EINVAL
    @test failure(() -> figure_html(stat; div_id = "1 bad")).status == EINVAL
end

@testset "stacked figures" begin
    if Sys.WORD_SIZE == 64
        P = Trajplot.trajplot_panel_options
        F = Trajplot.trajplot_figure_options
        offset(T, name) = Int(fieldoffset(T, Base.fieldindex(T, name)))
        # sizeof and offsetof as gcc computes them for capi/trajplot.h.
        @test (sizeof(P), offset(P, :title), offset(P, :extra_json), offset(P, :log_scale)) == (40, 8, 24, 32)
        @test (sizeof(F), offset(F, :token_width), offset(F, :vertical_spacing), offset(F, :has_vertical_spacing)) ==
              (48, 16, 32, 40)
    end
    @test Trajplot.panel_options_defaults().title == C_NULL && !Trajplot.panel_options_defaults().log_scale
    @test Trajplot.panel_options_defaults().colorscale == C_NULL && !Trajplot.panel_options_defaults().hover_value
    stack_defaults = Trajplot.figure_options_defaults()
    @test (stack_defaults.token_width, stack_defaults.height, stack_defaults.has_vertical_spacing) == (80, 0, false)

    top = TrajectoryStatistic("Entropy", Float32[1 2 3; 4 5 6])  # 2 layers
    bottom = TrajectoryStatistic("Rank", Float32[1 10 100])       # 1 layer: counts may differ
    stats = [top, bottom]
    stacked_json = figure(stats)
    @test count("\"type\":\"heatmap\"", stacked_json) == 2
    @test occursin("\"matches\":\"x2\"", stacked_json)  # one shared x axis
    @test occursin("\"width\":440", stacked_json)       # 200 + 80 × 3 positions
    @test occursin("\"height\":650", stacked_json)      # 150 + 250 × 2 panels
    @test occursin("\"z\":[[1,2,3],[4,5,6]]", stacked_json) && occursin("\"z\":[[1,10,100]]", stacked_json)
    shaped = figure(stats; title = "Both", token_width = 10, height = 300, panel_titles = ["Top", nothing],
                    log_scale = [false, true], extra = [nothing, "{\"opacity\": 0.5}"])
    @test occursin("\"width\":230", shaped) && occursin("\"height\":300", shaped)
    @test occursin("\"text\":\"Both\"", shaped) && occursin("\"text\":\"Top\"", shaped)
    @test count("\"opacity\":0.5", shaped) == 1
    @test occursin("\"ticktext\":[\"10<sup>0</sup>\"", shaped)  # the log-scaled panel
    @test occursin("\"margin\":{\"t\":50}", stacked_json)  # no title, no empty band
    @test figure(stats; equal_panel_heights = true) != stacked_json  # 2 and 1 rows: unequal by default
    @test occursin("Rank: %{customdata[0]}", figure(stats; hover_value = true))
    @test figure(stats; vertical_spacing = 0.1) != stacked_json
    @test figure([top]) isa String

    err = failure(() -> figure([top, TrajectoryStatistic("Other", Float32[1 2])]))
    @test err.status == EINVAL && occursin("seq_len", err.message)
    @test failure(() -> figure(TrajectoryStatistic[])).status == EINVAL
    @test failure(() -> figure(stats; panel_titles = ["only one"])).status == EINVAL
    @test failure(() -> figure(stats; log_scale = [true, nothing])).status == EINVAL
    @test failure(() -> figure(stats; colorscale = ["viridis", "nope"])).status == EINVAL
    @test failure(() -> figure(stats; vertical_spacing = 1.5)).status == EINVAL
    @test failure(() -> figure(stats; token_width = 0)).status == EINVAL

    fragment = figure_html(stats; plotlyjs = :none, full_html = false, div_id = "stack")
    @test occursin("id=\"stack\"", fragment) && !occursin("<html", fragment)
    mktempdir() do dir
        path = joinpath(dir, "stack.json")
        @test write_json(stats, path; title = "T") == path
        @test read(path, String) == figure(stats; title = "T")
        page = joinpath(dir, "stack.html")
        @test write_html(stats, page; plotlyjs = :none, title = "T") == page
        @test read(page, String) == figure_html(stats; plotlyjs = :none, title = "T")
    end

    # From the statistics engine: the tutorial's figure of one trajectory.
    tensor = pseudo_logits(5, 3, 3, 1)
    trajectory = from_tensor(tensor, [1, 2, 3]; targets = [2, 3, 4], anti_targets = [1, 1, 1])
    tutorial = figure([entropy(trajectory), rank(trajectory), log_prob_diff(trajectory; delta = true)])
    @test count("\"type\":\"heatmap\"", tutorial) == 3
    close(bottom)
    @test failure(() -> figure(stats)).status == EINVAL
end

@testset "a Figure exports every format to strings, files and IO alike" begin
    labels = TrajectoryLabels(["the" "a" "dog"; "cat" "sat" "on"])
    stat = TrajectoryStatistic("Entropy", Float32[3.1 2.9 3.3; 0.4 1.2 0.8]; units = "nats",
                               sequence_labels = ["The", "<s>", "cat"], trajectory_labels = labels)
    rank_stat = TrajectoryStatistic("Rank", Float32[1 10 100])
    single = Figure(stat; title = "T", token_width = 10, hover_value = true)
    stacked = Figure([stat, rank_stat]; title = "Both", log_scale = [false, true])

    @test !single.stacked && single.panel_count == 1
    @test stacked.stacked && stacked.panel_count == 2
    @test sprint(show, single) == "Figure(1 panel)"
    @test sprint(show, stacked) == "Figure(stacked, 2 panels)"
    @test Figure([stat]).stacked  # a vector makes a stacked figure, even of one

    # The conveniences are these exports.
    @test json(single) == figure(stat; title = "T", token_width = 10, hover_value = true)
    @test json(single; trace_only = true) == heatmap(stat; token_width = 10, hover_value = true)
    @test json(stacked) == figure([stat, rank_stat]; title = "Both", log_scale = [false, true])
    @test html(single; plotlyjs = :none, div_id = "d") ==
          figure_html(stat; plotlyjs = :none, div_id = "d", title = "T", token_width = 10, hover_value = true)
    @test html(stacked; plotlyjs = :none, full_html = false) ==
          figure_html([stat, rank_stat]; plotlyjs = :none, full_html = false, title = "Both", log_scale = [false, true])

    # Each format reaches a string, a file and an IO as the same bytes.
    html_keywords = (plotlyjs = :none, div_id = "d", responsive = true)
    expected(fig, format) = format === :json ? json(fig) :
                            format === :trace ? json(fig; trace_only = true) : html(fig; html_keywords...)
    mktempdir() do dir
        for (fig, formats) in ((single, (:json, :trace, :html)), (stacked, (:json, :html)))
            for format in formats
                text = expected(fig, format)
                keywords = format === :html ? html_keywords : NamedTuple()
                path = joinpath(dir, "figure.out")
                @test save(path, fig; format = format, keywords...) == path
                @test read(path, String) == text
                buffer = IOBuffer()
                @test write(buffer, fig; format = format, keywords...) == sizeof(text)
                @test String(take!(buffer)) == text
                open(path, "w") do file
                    write(file, fig; format = format, keywords...)
                end
                @test read(path, String) == text
            end
        end
        # save follows the extension unless told the format.
        @test read(save(joinpath(dir, "figure.json"), single), String) == json(single)
        @test read(save(joinpath(dir, "page.HTML"), single; plotlyjs = :none), String) == html(single; plotlyjs = :none)
        @test read(save(joinpath(dir, "page.htm"), stacked; plotlyjs = :none), String) == html(stacked; plotlyjs = :none)
        @test failure(() -> save(joinpath(dir, "figure.txt"), single)).status == EINVAL
        @test !isfile(joinpath(dir, "figure.txt"))
        # HTML keywords for another format would do nothing: refused.
        err = failure(() -> save(joinpath(dir, "figure.json"), single; div_id = "x"))
        @test err.status == EINVAL && occursin("div_id", err.message)
        @test failure(() -> write(IOBuffer(), single; full_html = false)).status == EINVAL
        @test failure(() -> write(IOBuffer(), single; format = :svg)).status == EINVAL
        # A failed save leaves the earlier file as it was.
        kept = joinpath(dir, "kept.html")
        write(kept, "earlier")
        @test failure(() -> save(kept, single; plotlyjs = :none, div_id = "1 bad")).status == EINVAL
        @test read(kept, String) == "earlier"
        @test failure(() -> save(joinpath(dir, "missing", "f.json"), single)).status == Trajplot.TRAJPLOT_EIO
    end

    # Exports large enough to be formatted on a second thread stream the
    # same bytes too.
    big = Figure(TrajectoryStatistic("Big", Float32[sin(l * p) for l in 1:300, p in 1:300]); token_width = 1)
    buffer = IOBuffer()
    write(buffer, big)
    @test String(take!(buffer)) == json(big)

    # A stacked figure has no single trace.
    err = failure(() -> json(stacked; trace_only = true))
    @test err.status == EINVAL && occursin("no single trace", err.message)
    buffer = IOBuffer()
    @test failure(() -> write(buffer, stacked; format = :trace)).status == EINVAL
    @test position(buffer) == 0  # nothing is written when the options are refused
    @test failure(() -> save(tempname() * ".json", stacked; format = :trace)).status == EINVAL

    # Options are checked when the figure is made.
    err = failure(() -> Figure(stat; token_width = 0))
    @test err.status == EINVAL && occursin("token_width", err.message)
    @test failure(() -> Figure(stat; colorscale = "nope")).status == EINVAL
    @test failure(() -> Figure(stat; extra = "[1]")).status == EINVAL
    err = failure(() -> Figure([stat, rank_stat]; colorscale = [nothing, "nope"]))
    @test err.status == EINVAL && occursin("unknown colorscale", err.message)
    @test failure(() -> Figure(TrajectoryStatistic[])).status == EINVAL

    # The figure keeps its statistics: they may be closed once it is made.
    owned = TrajectoryStatistic("Owned", Float32[1 2; 3 4])
    kept_figure = Figure([owned, owned])
    before = json(kept_figure)
    close(owned)
    GC.gc()
    @test json(kept_figure) == before
    close(kept_figure)
    close(kept_figure)
    @test !isopen(kept_figure)
    @test sprint(show, kept_figure) == "Figure(closed)"
    @test failure(() -> json(kept_figure)).status == EINVAL
    @test failure(() -> write(IOBuffer(), kept_figure)).status == EINVAL
    for _ in 1:100
        Figure(TrajectoryStatistic("G", rand(Float32, 3, 3)))
    end
    GC.gc()
    @test json(single) isa String
end

@testset "an IO that throws stops the export, and its exception reaches the caller" begin
    stat = TrajectoryStatistic("Entropy", Float32[0.5 1.5 2.5; 3.5 4.5 5.5])
    fig = Figure(stat)
    broken = BrokenIO(0)
    err = try
        write(broken, fig)
        nothing
    catch caught
        caught
    end
    @test err isa ErrorException && err.msg == "disk full"
    @test broken.writes == 1  # stopped at the first piece
    @test Trajplot.last_error() === nothing  # the library's EIO is not left behind

    # Midway through a large export, as well: the bytes before the failure
    # are the export's start.
    big = Figure(TrajectoryStatistic("Big", Float32[l + p for l in 1:300, p in 1:300]))
    whole = json(big)
    short = ShortIO(IOBuffer(), 100_000)
    @test_throws EOFError write(short, big)
    written = String(take!(short.buffer))
    @test !isempty(written) && length(written) < sizeof(whole) && startswith(whole, written)

    # The figure and the library are fine afterwards.
    buffer = IOBuffer()
    @test write(buffer, fig) == sizeof(json(fig))
    @test String(take!(buffer)) == json(fig)
end
