# Loading, limits, option layouts, text, labels and statistics.

@testset "the library loaded is the ABI the binding mirrors" begin
    @test Trajplot.abi_version() == Trajplot.TRAJPLOT_ABI_VERSION == 2
    @test Trajplot.version() isa VersionNumber
    if Sys.islinux()
        @test Trajplot.VERSIONED_LIBRARY_NAME == "libtrajplot.so.2"
    end
end

@testset "default_threads: the CPUs this process may use" begin
    threads = Trajplot.default_threads()
    @test threads isa Int
    @test threads >= 1
    @test threads == Trajplot.default_threads()
end

@testset "the memory limit refuses a size beyond it, and 0 restores the default" begin
    Trajplot.set_memory_limit(0)
    default = Trajplot.memory_limit()
    @test default > 1 << 20
    Trajplot.set_memory_limit(1 << 20)
    big = "x"^600_000
    err = failure(() -> TrajectoryLabels(fill(big, 2, 1)))
    @test err !== nothing && err.status == Trajplot.TRAJPLOT_ERANGE
    @test occursin("memory limit of 1048576 bytes", err.message)
    Trajplot.set_memory_limit(0)
    @test Trajplot.memory_limit() == default
end

@testset "option structs have the C layout" begin
    # sizeof and offsetof as gcc computes them for capi/trajplot.h on
    # 64-bit targets.
    if Sys.WORD_SIZE == 64
        S = Trajplot.trajplot_statistic_options
        F = Trajplot.trajplot_figure_options
        E = Trajplot.trajplot_export_options
        offset(T, name) = Int(fieldoffset(T, Base.fieldindex(T, name)))
        @test (sizeof(S), sizeof(F), sizeof(E)) == (88, 48, 40)
        @test offset(S, :units) == 8
        @test offset(S, :sequence_label_count) == 32
        @test offset(S, :trajectory_labels) == 40
        @test offset(S, :layer_label_count) == 64
        @test offset(S, :min) == 72
        @test offset(S, :has_min) == 80
        @test offset(S, :includes_output) == 82
        @test offset(F, :token_width) == 16
        @test offset(F, :equal_panel_heights) == 41
        @test offset(E, :format) == 4
        @test offset(E, :plotlyjs) == 8
        @test offset(E, :plotlyjs_location) == 16
        @test offset(E, :full_html) == 32
    end
    # Read through the mirrors, the library's defaults come out as the
    # header documents them; a misplaced field would read other bytes.
    figure_defaults = Trajplot.figure_options_defaults()
    @test figure_defaults.version == Trajplot.TRAJPLOT_FIGURE_OPTIONS_VERSION
    @test figure_defaults.title == C_NULL
    @test (figure_defaults.token_width, figure_defaults.height, figure_defaults.equal_panel_heights) == (80, 0, false)
    export_defaults = Trajplot.export_options_defaults()
    @test export_defaults.version == Trajplot.TRAJPLOT_EXPORT_OPTIONS_VERSION
    @test export_defaults.format == Trajplot.TRAJPLOT_FORMAT_FIGURE_JSON
    @test export_defaults.plotlyjs == Trajplot.TRAJPLOT_PLOTLYJS_LOCAL
    @test export_defaults.plotlyjs_location == C_NULL && export_defaults.div_id == C_NULL
    @test (export_defaults.full_html, export_defaults.responsive) == (true, false)
    statistic_defaults = Trajplot.statistic_options_defaults()
    @test statistic_defaults.includes_output
    @test !statistic_defaults.has_min && !statistic_defaults.has_max
    @test (statistic_defaults.sequence_label_count, statistic_defaults.layer_label_count) == (0, 0)
end

@testset "trunc_string_left counts code points" begin
    @test trunc_string_left("hello", 3) == "llo"
    @test trunc_string_left("ab", 4) == "  ab"
    @test trunc_string_left("Δ0.00%", 6) == "Δ0.00%"
    @test trunc_string_left("Δ0.00%", 5) == "0.00%"
    # The byte length is passed: a NUL is a character like any other.
    @test trunc_string_left("a\0bc", 3) == "\0bc"
    @test trunc_string_left("ab\0", 5) == "  ab\0"
    @test trunc_string_left(SubString("xyz", 2), 1) == "z"
end

@testset "labels keep Julia's layer × position layout" begin
    strings = ["a" "b" "c"; "d" "e" "f"]  # 2 layers × 3 positions
    hover = [string("l", l, "p", p, "r", r, "c", c) for l in 1:2, p in 1:3, r in 1:2, c in 1:2]
    labels = TrajectoryLabels(strings; hover_over_entries = hover)
    @test size(labels) == (2, 3)
    # Each cell is read back from the library by its (layer, position), so
    # a transposed transfer would show here.
    @test Trajplot.label_at(labels, 1, 2) == "b"
    @test Trajplot.hover_entry_at(labels, 2, 3, 1, 2) == "l2p3r1c2"
    @test labels.label_strings == strings
    @test labels.hover_over_entries == hover
    @test TrajectoryLabels(strings).hover_over_entries === nothing

    # Markup, non-ASCII, empty and NUL-holding strings all survive as given.
    odd = ["<s>" "Δ"; "a\0b" ""]
    @test TrajectoryLabels(odd).label_strings == odd

    # Strings of other types go to the library as one joined buffer
    # (trajplot_labels_create_from_strings): the same labels.
    sub_strings = map(s -> SubString(s * "!", 1, ncodeunits(s)), strings)
    sub_hover = map(s -> SubString(s), hover)
    joined = TrajectoryLabels(sub_strings; hover_over_entries = sub_hover)
    @test joined.label_strings == strings
    @test joined.hover_over_entries == hover
    @test Trajplot.hover_entry_at(joined, 2, 3, 1, 2) == "l2p3r1c2"
    @test TrajectoryLabels(map(SubString, odd)).label_strings == odd
    @test TrajectoryLabels(strings; hover_over_entries = sub_hover).hover_over_entries == hover
end

@testset "template_and_customdata (the reference's example)" begin
    hover = Array{String,4}(undef, 2, 1, 2, 2)
    hover[1, 1, :, :] = ["ab" "c"; "de" "f"]
    hover[2, 1, :, :] = ["idk" "l"; "mno" "p"]
    labels = TrajectoryLabels(reshape(["x", "y"], 2, 1); hover_over_entries = hover)
    template, customdata = template_and_customdata(labels)
    @test template == "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>"
    @test customdata == "[[[\"  ab\",\" c\",\"  de\",\" f\"]],[[\" idk\",\" l\",\" mno\",\" p\"]]]"
    @test failure(() -> template_and_customdata(labels; col_width_limit = 0)).status == EINVAL
    @test failure(() -> template_and_customdata(TrajectoryLabels(reshape(["x"], 1, 1)))).status == EINVAL
end

@testset "stats reach the library layer by layer" begin
    values = Float32[0.5 1.5 2.5; 3.5 4.5 5.5]
    stat = TrajectoryStatistic("Entropy", values)
    @test size(stat) == (2, 3)
    @test stat.stats == values
    # z is the library's own rendering, one array per layer.
    @test occursin("\"z\":[[0.5,1.5,2.5],[3.5,4.5,5.5]]", heatmap(stat))
    @test TrajectoryStatistic("x", [1.0 2.0; 3.0 4.0]).stats == Float32[1 2; 3 4]
end

@testset "properties mirror the reference's attributes" begin
    labels = TrajectoryLabels(["the" "a" "dog"; "cat" "sat" "on"])
    stat = TrajectoryStatistic("Entropy", Float32[3.1 2.9 3.3; 0.4 1.2 0.8];
                               sequence_labels = ["The", "<s>", "cat"], trajectory_labels = labels,
                               units = "nats", min = 0, max = 4, includes_output = false,
                               layer_labels = ["first", "last"])
    @test stat.name == "Entropy"
    @test stat.units == "nats"
    @test (stat.min, stat.max) == (0, 4)
    @test stat.includes_output == false
    @test stat.sequence_labels == ["The", "<s>", "cat"]
    @test stat.layer_labels == ["first", "last"]
    @test stat.trajectory_labels.label_strings == labels.label_strings

    plain = TrajectoryStatistic("Rank", ones(Float32, 3, 2))
    @test plain.units === nothing
    @test plain.min === nothing && plain.max === nothing
    @test plain.sequence_labels === nothing
    @test plain.trajectory_labels === nothing
    @test plain.includes_output
    @test plain.layer_labels == ["0", "1", "output"]
    @test TrajectoryStatistic("Rank", ones(Float32, 3, 2); includes_output = false).layer_labels == ["0", "1", "2"]
end

@testset "stride keeps every k-th layer and the last" begin
    values = Float32[10 * layer + position for layer in 0:4, position in 1:2]  # 5 × 2
    top = [string(layer, "-", position) for layer in 0:4, position in 1:2]
    stat = TrajectoryStatistic("S", values; trajectory_labels = TrajectoryLabels(top))
    strided = stride(stat, 2)
    @test strided.stats == values[[1, 3, 5], :]
    @test strided.layer_labels == ["0", "2", "output"]
    @test strided.trajectory_labels.label_strings == top[[1, 3, 5], :]
    @test stride(TrajectoryLabels(top), 3).label_strings == top[[1, 4, 5], :]
    @test size(stat) == (5, 2)  # the original is unchanged
    @test failure(() -> stride(stat, 0)).status == EINVAL
    @test failure(() -> stride(stat, -1)).status == EINVAL
end

@testset "clip" begin
    stat = TrajectoryStatistic("N", Float32[NaN Inf; -Inf 2])
    clipped = clip(stat, 1, 3)
    @test isnan(clipped.stats[1, 1])
    @test clipped.stats[1, 2] == 3
    @test clipped.stats[2, 1] == 1
    @test clipped.stats[2, 2] == 2
    @test (clipped.min, clipped.max) == (1, 3)
    @test stat.min === nothing
    @test failure(() -> clip(stat, 2, 1)).status == EINVAL
end


@testset "errors carry the library's message" begin
    labels = TrajectoryLabels(["a" "b"])  # 1 × 2
    err = failure(() -> TrajectoryStatistic("E", zeros(Float32, 2, 3); trajectory_labels = labels))
    @test err.status == EINVAL
    @test occursin("2 x 3", err.message)
    @test occursin("TRAJPLOT_EINVAL", sprint(showerror, err))
    @test Trajplot.last_error() === nothing  # the wrapper consumed it
    @test failure(() -> TrajectoryStatistic("E", zeros(Float32, 0, 3))).status == EINVAL
    @test failure(() -> TrajectoryStatistic("E", zeros(Float32, 1, 1); min = 2, max = 1)).status == EINVAL
    # Label counts that differ from the shape name the keyword and the shape.
    @test failure(() -> TrajectoryStatistic("E", zeros(Float32, 2, 3); sequence_labels = ["a"])).status == EINVAL
    @test failure(() -> TrajectoryStatistic("E", zeros(Float32, 2, 3); layer_labels = ["a"])).status == EINVAL
    err = failure(() -> TrajectoryStatistic("E", zeros(Float32, 2, 3); sequence_labels = ["a", "b", "c", "d"]))
    @test err.message == "sequence_labels has 4 entries, but stats has shape (2, 3) and needs seq_len = 3"
    err = failure(() -> TrajectoryStatistic("E", zeros(Float32, 2, 3); layer_labels = String[]))
    @test err.message == "layer_labels has 0 entries, but stats has shape (2, 3) and needs n_layers = 2"
    # Counts that match reach the library with the labels.
    labelled = TrajectoryStatistic("E", zeros(Float32, 2, 3); sequence_labels = ["a", "b", "c"],
                                   layer_labels = ["in", "out"])
    @test (labelled.sequence_labels, labelled.layer_labels) == (["a", "b", "c"], ["in", "out"])
    @test failure(() -> TrajectoryLabels(["a" "b"]; hover_over_entries = fill("x", 2, 2, 1, 1))).status == EINVAL
    @test failure(() -> TrajectoryStatistic("E\0", zeros(Float32, 1, 1))).status == EINVAL
end

@testset "close is idempotent and statistics keep their labels" begin
    labels = TrajectoryLabels(["a" "b"])
    stat = TrajectoryStatistic("E", Float32[1 2]; trajectory_labels = labels)
    close(labels)
    close(labels)
    @test !isopen(labels)
    @test failure(() -> size(labels)).status == EINVAL
    @test sprint(show, labels) == "TrajectoryLabels(closed)"
    @test stat.trajectory_labels.label_strings == ["a" "b"]
    close(stat)
    @test failure(() -> heatmap(stat)).status == EINVAL

    # Handles left to the garbage collector are freed by finalizers, once.
    for _ in 1:200
        TrajectoryStatistic("G", rand(Float32, 4, 4); trajectory_labels = TrajectoryLabels(fill("t", 4, 4)))
    end
    GC.gc()
    @test size(TrajectoryStatistic("after", ones(Float32, 2, 2))) == (2, 2)
end
