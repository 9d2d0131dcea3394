# Images the library draws itself: image(), save and write in SVG, PNG and
# PDF, Julia's display MIME types, sizes and scale, and the errors. PNG and
# PDF are tested when the library was built with them (format_available).

# (width, height) of a whole PNG: the signature, IHDR first, IEND last.
function png_size(data::Vector{UInt8})
    @test data[1:8] == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    @test data[9:16] == [0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]  # 13 bytes of IHDR
    @test data[end-11:end] == [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]
    word(at) = Int(ntoh(reinterpret(UInt32, data[at:at+3])[1]))
    return (word(17), word(21))
end

is_pdf(data::Vector{UInt8}) =
    data[1:5] == Vector{UInt8}("%PDF-") && occursin("%%EOF", String(data[max(1, end - 31):end]))

# Whether a one-page PDF's page is `width` × `height` points.
pdf_page_is(data::Vector{UInt8}, width, height) =
    occursin(Regex("/MediaBox\\s*\\[\\s*0\\s+0\\s+$width\\s+$height\\s*\\]"), String(copy(data)))

@testset "images" begin
    labels = TrajectoryLabels(["the" "a" "of" "in"; "Eiffel" "tower" "is" "in"])
    stat = TrajectoryStatistic("Entropy", Float32[0.5 1.5 2.5 3.5; 3.5 4.5 5.5 6.5];
                               sequence_labels = ["The", "<s>", "Tower", "is"], trajectory_labels = labels)
    fig = Figure(stat; title = "Entropy & <layers>", token_width = 10, height = 300)
    width, height = 240, 300  # 200 + 10 × 4 positions; the height asked for

    if Sys.WORD_SIZE == 64
        E = Trajplot.trajplot_export_options
        # sizeof and offsetof as gcc computes them for capi/trajplot.h.
        @test (sizeof(E), Int(fieldoffset(E, Base.fieldindex(E, :scale)))) == (48, 40)
    end
    @test all(format_available, (:json, :trace, :html, :svg))
    @test !format_available(:jpeg)

    svg = image(fig, :svg)
    @test svg isa Vector{UInt8}
    text = String(copy(svg))
    @test occursin("<svg", text) && occursin("</svg>", text)
    @test occursin("Entropy &amp; &lt;layers&gt;", text)
    @test occursin(">the<", text) && occursin(">Eiffel<", text)  # cell labels
    @test occursin("width=\"240\" height=\"300\"", text)
    doubled = String(image(fig, :svg; scale = 2))
    @test occursin("width=\"480\" height=\"600\"", doubled) && occursin("viewBox=\"0 0 240 300\"", doubled)
    @test showable(MIME"image/svg+xml"(), fig)
    @test repr(MIME"image/svg+xml"(), fig) == text
    buffer = IOBuffer()
    @test write(buffer, fig; format = :svg) == length(svg)
    @test take!(buffer) == svg
    mktempdir() do dir
        path = joinpath(dir, "figure.svg")
        @test save(path, fig) == path
        @test read(path) == svg
        @test write_image(stat, joinpath(dir, "one-call.svg"); title = "Entropy & <layers>",
                          token_width = 10, height = 300) == joinpath(dir, "one-call.svg")
        @test read(joinpath(dir, "one-call.svg")) == svg
    end

    if format_available(:png)
        png = image(fig)  # PNG by default
        @test png_size(png) == (width, height)
        @test png_size(image(fig, :png; scale = 2)) == (2width, 2height)
        @test png_size(image(fig, :png; scale = 1.5)) == (360, 450)
        @test showable(MIME"image/png"(), fig)
        @test repr(MIME"image/png"(), fig) == png
        buffer = IOBuffer()
        write(buffer, fig; format = :png, scale = 2)
        @test take!(buffer) == image(fig, :png; scale = 2)
        mktempdir() do dir
            path = joinpath(dir, "figure.PNG")
            save(path, fig; scale = 2)
            @test read(path) == image(fig, :png; scale = 2)
        end
    else
        @test !showable(MIME"image/png"(), fig)
        @test failure(() -> image(fig, :png)) !== nothing
    end

    if format_available(:pdf)
        @test is_pdf(image(fig, :pdf)) && pdf_page_is(image(fig, :pdf), 240, 300)
        @test pdf_page_is(image(fig, :pdf; scale = 2), 480, 600)
        @test showable(MIME"application/pdf"(), fig)
        mktempdir() do dir
            path = joinpath(dir, "figure.pdf")
            save(path, fig)
            @test is_pdf(read(path))
        end
    else
        @test failure(() -> image(fig, :pdf)) !== nothing
    end

    # Formats and scales refused, before anything is written.
    @test failure(() -> image(fig, :json)).status == EINVAL
    @test failure(() -> image(fig, :jpeg)).status == EINVAL
    for scale in (0, -1, 17, Inf, NaN)
        err = failure(() -> image(fig, :svg; scale = scale))
        @test err.status == EINVAL && occursin("scale", err.message)
    end
    buffer = IOBuffer()
    @test failure(() -> write(buffer, fig; format = :svg, scale = 100)).status == EINVAL
    @test position(buffer) == 0
    @test failure(() -> write(IOBuffer(), fig; scale = 2)).status == EINVAL  # JSON has no scale
    mktempdir() do dir
        @test failure(() -> save(joinpath(dir, "figure.jpg"), fig)).status == EINVAL
        @test failure(() -> save(joinpath(dir, "figure.html"), fig; scale = 2)).status == EINVAL
        @test failure(() -> write_image(stat, joinpath(dir, "figure.json"))).status == EINVAL
        earlier = joinpath(dir, "earlier.svg")
        write(earlier, "earlier")
        @test failure(() -> save(earlier, fig; scale = 100)).status == EINVAL
        @test read(earlier, String) == "earlier"
        @test sort(readdir(dir)) == ["earlier.svg"]
    end

    closed = Figure(stat)
    close(closed)
    @test !showable(MIME"image/svg+xml"(), closed)
end
