# The statistics engine: trajectories and comparisons from lens outputs.

@testset "trajectory options mirror the C struct" begin
    T = Trajplot.trajplot_trajectory_options
    if Sys.WORD_SIZE == 64
        offset(name) = Int(fieldoffset(T, Base.fieldindex(T, name)))
        # sizeof and offsetof as gcc computes them for capi/trajplot.h.
        @test sizeof(T) == 104
        @test (offset(:values), offset(:vocabulary), offset(:top_k)) == (4, 8, 16)
        @test (offset(:min_prob), offset(:min_prob_delta), offset(:max_batch_items_shown)) == (24, 28, 32)
        @test (offset(:max_string_len), offset(:ellipsis), offset(:whitespace_replacement)) == (40, 48, 80)
        @test (offset(:threads), offset(:forward_kl)) == (88, 96)
    end
    # The defaults the header documents, read through the mirror.
    defaults = Trajplot.trajectory_options_defaults()
    @test defaults.version == Trajplot.TRAJPLOT_TRAJECTORY_OPTIONS_VERSION
    @test defaults.values == Trajplot.TRAJPLOT_VALUES_LOGITS
    @test defaults.vocabulary == C_NULL && defaults.ellipsis == C_NULL
    @test (defaults.top_k, defaults.max_batch_items_shown, defaults.max_string_len) == (10, 3, 7)
    @test (defaults.min_prob, defaults.min_prob_delta, defaults.threads) == (0, 0, 0)
    @test defaults.forward_kl
    # A keyword replaces only its own field.
    options = Trajplot.trajectory_options(Any[]; top_k = 4, values = :log_probs, forward_kl = false)
    @test (options.top_k, options.values, options.forward_kl) == (4, Trajplot.TRAJPLOT_VALUES_LOG_PROBS, false)
    @test options.max_string_len == 7
    @test failure(() -> Trajplot.trajectory_options(Any[]; values = :probs)).status == EINVAL
end

@testset "measure names" begin
    measure_names = Trajplot.measure_name.(Trajplot.measures())
    @test measure_names == ["entropy", "cross_entropy", "forward_kl", "max_probability", "rank", "log_prob_diff",
                    "log_prob_diff_delta", "kl_divergence", "js_divergence", "half_symmetric_kl",
                    "total_variation", "max_abs_prob_difference"]
    for measure in Trajplot.measures()
        @test Trajplot.measure_from_name(Trajplot.measure_name(measure)) == measure
        @test Trajplot.is_comparison_measure(measure) == (measure >= Trajplot.TRAJPLOT_MEASURE_KL_DIVERGENCE)
    end
    @test Trajplot.measure_from_name(:rank) == Trajplot.TRAJPLOT_MEASURE_RANK
    @test Trajplot.measure_name(7) === nothing
    @test Trajplot.measure_name(typemax(Int)) === nothing
    @test !Trajplot.is_comparison_measure(99)
    err = failure(() -> Trajplot.measure_from_name("entropi"))
    @test err.status == EINVAL
    @test occursin("entropi", err.message) && occursin("max_abs_prob_difference", err.message)
end

@testset "vocabulary" begin
    tokens = ["Ġthe", "cat", "Ċ", "", "a\0b", "Δ"]
    vocabulary = Vocabulary(tokens)
    @test length(vocabulary) == 6
    @test vocabulary[2] == "cat"
    @test vocabulary[end] == "Δ"
    @test collect(vocabulary) == tokens  # NUL bytes, empty and non-ASCII tokens survive
    @test failure(() -> vocabulary[0]).status == EINVAL
    @test failure(() -> vocabulary[7]).status == EINVAL
    @test length(Vocabulary(String[])) == 0
    # Other string types go as one joined buffer (trajplot_vocabulary_create_from_strings).
    @test collect(Vocabulary(map(SubString, tokens))) == tokens
    @test length(Vocabulary(SubString{String}[])) == 0
    close(vocabulary)
    close(vocabulary)
    @test failure(() -> length(vocabulary)).status == EINVAL
    @test sprint(show, vocabulary) == "Vocabulary(closed)"
end

@testset "statistics of one trajectory match a Float64 computation" begin
    vocab, seq_len, n_layers, batch = 7, 5, 4, 2
    tensor = pseudo_logits(vocab, seq_len, n_layers, batch)
    input_ids = [1 + (p + 2b) % vocab for p in 1:seq_len, b in 1:batch]
    targets = [1 + (3p + b) % vocab for p in 1:seq_len, b in 1:batch]
    anti_targets = [1 + (5p + 2b + 1) % vocab for p in 1:seq_len, b in 1:batch]
    trajectory = from_tensor(tensor, input_ids; targets = targets, anti_targets = anti_targets)
    @test size(trajectory) == (vocab, seq_len, n_layers, batch)
    @test iscomplete(trajectory)

    lp(b, l, p) = log_probs(tensor, b, l, p)
    difference(b, l, p) = lp(b, l, p)[targets[p, b]] - lp(b, l, p)[anti_targets[p, b]]
    expected = Dict(
        :entropy => batch_mean((b, l, p) -> -sum(exp.(lp(b, l, p)) .* lp(b, l, p)), tensor),
        :cross_entropy => batch_mean((b, l, p) -> -lp(b, l, p)[targets[p, b]], tensor),
        :forward_kl => batch_mean((b, l, p) -> kl64(lp(b, n_layers, p), lp(b, l, p)), tensor),
        :max_probability => batch_mean((b, l, p) -> exp(maximum(lp(b, l, p))), tensor),
        :rank => batch_mean((b, l, p) -> 1 + count(>(tensor[targets[p, b], p, l, b]), tensor[:, p, l, b]), tensor),
        :log_prob_diff => batch_mean(difference, tensor),
        :log_prob_diff_delta => batch_mean((b, l, p) -> difference(b, l + 1, p) - difference(b, l, p), tensor;
                                           rows = n_layers - 1),
    )
    @test close_to(entropy(trajectory).stats, expected[:entropy])
    @test close_to(cross_entropy(trajectory).stats, expected[:cross_entropy])
    @test close_to(forward_kl(trajectory).stats, expected[:forward_kl])
    @test all(==(0), forward_kl(trajectory).stats[end, :])  # the output against itself
    @test close_to(max_probability(trajectory).stats, expected[:max_probability])
    @test rank(trajectory).stats == expected[:rank]  # whole ranks, averaged over 2 items: exact
    @test close_to(log_prob_diff(trajectory).stats, expected[:log_prob_diff])
    delta = log_prob_diff(trajectory; delta = true)
    @test close_to(delta.stats, expected[:log_prob_diff_delta])
    @test size(delta) == (n_layers - 1, seq_len)
    @test !delta.includes_output
    # By name or number, the same statistics.
    for (name, values) in expected
        @test close_to(statistic(trajectory, name).stats, values)
        @test close_to(statistic(trajectory, String(name)).stats, values)
        @test close_to(statistic(trajectory, Trajplot.measure_from_name(name)).stats, values)
    end
    # tuned-lens's names and units.
    @test (entropy(trajectory).name, entropy(trajectory).units) == ("Entropy", "nats")
    @test (max_probability(trajectory).name, max_probability(trajectory).units) == ("Max Probability", "probs")
    @test (rank(trajectory).name, rank(trajectory).min, rank(trajectory).max) == ("Rank", 1, nothing)
    # Without a vocabulary there are no labels of any kind.
    @test trajectory_labels(trajectory) === nothing
    @test entropy(trajectory).trajectory_labels === nothing
    @test entropy(trajectory).sequence_labels === nothing
    # A statistic is a TrajectoryStatistic like any other.
    stat = entropy(trajectory)
    @test stat isa TrajectoryStatistic
    @test occursin("\"Entropy\"", figure(stat; title = "Entropy"))
    @test stride(stat, 2).stats == stat.stats[[1, 3, 4], :]
end

@testset "slabs, views and the resident tensor give the same statistics" begin
    vocab, seq_len, n_layers, batch = 6, 3, 3, 2
    tensor = pseudo_logits(vocab, seq_len, n_layers, batch; seed = 3)
    input_ids = ones(Int, seq_len, batch)
    targets = [1 + (p * b) % vocab for p in 1:seq_len, b in 1:batch]
    resident = from_tensor(tensor, input_ids; targets = targets)
    streamed = PredictionTrajectory(input_ids; n_layers = n_layers, vocab = vocab, targets = targets)
    @test !iscomplete(streamed)
    # Forward KL needs each item's output layer first; the rest in any order,
    # as views into the tensor or as copies.
    for b in batch:-1:1
        add!(streamed, b, n_layers, view(tensor, :, :, n_layers, b))
        for l in n_layers-1:-1:1
            add!(streamed, b, l, isodd(l) ? tensor[:, :, l, b] : view(tensor, :, :, l, b))
        end
    end
    @test iscomplete(streamed)
    for measure in (:entropy, :cross_entropy, :forward_kl, :max_probability, :rank)
        @test statistic(streamed, measure).stats == statistic(resident, measure).stats
    end
    # A contiguous view of whole batch items is a tensor too.
    wider = cat(tensor, pseudo_logits(vocab, seq_len, n_layers, 1; seed = 4); dims = 4)
    from_view = from_tensor(view(wider, :, :, :, 1:batch), input_ids; targets = targets)
    @test entropy(from_view).stats == entropy(resident).stats
    # One batch item: a vector of ids and a tensor whose last dimension is 1.
    single = from_tensor(tensor[:, :, :, 2:2], input_ids[:, 2]; targets = targets[:, 2])
    @test close_to(entropy(single).stats,
                   batch_mean((b, l, p) -> -sum(exp.(log_probs(tensor, 2, l, p)) .* log_probs(tensor, 2, l, p)),
                              tensor[:, :, :, 1:1]))
end

@testset "slabs are vocab × seq_len Float32 read in place, or refused" begin
    vocab, seq_len, n_layers = 5, 3, 2
    tensor = pseudo_logits(vocab, seq_len, n_layers, 1)
    trajectory = PredictionTrajectory(ones(Int, seq_len); n_layers = n_layers, vocab = vocab, forward_kl = false)
    slab = tensor[:, :, 1, 1]
    err = failure(() -> add!(trajectory, 1, 1, permutedims(slab)))
    @test err.status == EINVAL && occursin("(3, 5)", err.message) && occursin("transposed", err.message)
    err = failure(() -> add!(trajectory, 1, 1, Float64.(slab)))
    @test err.status == EINVAL && occursin("Float64", err.message) && occursin("Float32", err.message)
    err = failure(() -> add!(trajectory, 1, 1, PermutedDimsArray(permutedims(slab), (2, 1))))  # right size, lazy
    @test err.status == EINVAL && occursin("in place", err.message)
    padded = zeros(Float32, vocab + 1, seq_len)
    padded[1:vocab, :] = slab
    err = failure(() -> add!(trajectory, 1, 1, view(padded, 1:vocab, :)))  # right size, gaps between columns
    @test err.status == EINVAL && occursin("not contiguous", err.message)
    err = failure(() -> add!(trajectory, 2, 1, slab))
    @test err.status == EINVAL && occursin("batch 2 is out of range", err.message)
    @test failure(() -> add!(trajectory, 1, 0, slab)).status == EINVAL
    @test failure(() -> add!(trajectory, 1, 3, slab)).status == EINVAL
    @test !iscomplete(trajectory)  # nothing refused was added
    add!(trajectory, 1, 2, view(tensor, :, :, 2, 1))
    add!(trajectory, 1, 1, slab)  # without forward KL, any order
    expected = batch_mean((b, l, p) -> exp(maximum(log_probs(tensor, b, l, p))), tensor)
    @test close_to(max_probability(trajectory).stats, expected)
    err = failure(() -> add_all!(PredictionTrajectory(ones(Int, seq_len); n_layers = n_layers, vocab = vocab),
                                 tensor[:, :, :, 1]))
    @test err.status == EINVAL && occursin("(5, 3, 2, 1)", err.message)
end

@testset "the library's errors come through with its message" begin
    vocab, seq_len, n_layers = 4, 2, 3
    tensor = pseudo_logits(vocab, seq_len, n_layers, 1)
    ids = [1, 2]
    trajectory = PredictionTrajectory(ids; n_layers = n_layers, vocab = vocab, targets = [2, 3])
    err = failure(() -> add!(trajectory, 1, 1, tensor[:, :, 1, 1]))
    @test err.status == EINVAL && occursin("output layer", err.message)
    add!(trajectory, 1, n_layers, tensor[:, :, n_layers, 1])
    err = failure(() -> add!(trajectory, 1, n_layers, tensor[:, :, n_layers, 1]))
    @test err.status == EINVAL && occursin("already added", err.message)
    err = failure(() -> entropy(trajectory))
    @test err.status == EINVAL && occursin("missing", err.message)
    @test failure(() -> trajectory_labels(trajectory)).status == EINVAL
    @test failure(() -> add_all!(trajectory, tensor)).status == EINVAL  # not empty any more
    add!(trajectory, 1, 1, tensor[:, :, 1, 1])
    add!(trajectory, 1, 2, tensor[:, :, 2, 1])
    err = failure(() -> log_prob_diff(trajectory))
    @test err.status == EINVAL && occursin("anti_targets", err.message)
    err = failure(() -> statistic(trajectory, :kl_divergence))
    @test err.status == EINVAL && occursin("two trajectories", err.message)
    @test failure(() -> statistic(trajectory, 7)).status == EINVAL
    @test failure(() -> statistic(trajectory, :entropy; show_ranks = true)).status == EINVAL
    @test rank(trajectory; show_ranks = true) isa TrajectoryStatistic
    untargeted = from_tensor(tensor, ids; forward_kl = false)
    @test occursin("targets", failure(() -> cross_entropy(untargeted)).message)
    @test occursin("targets", failure(() -> rank(untargeted)).message)
    @test occursin("forward KL", failure(() -> forward_kl(untargeted)).message)

    # What only the binding sees is checked before the library is called.
    err = failure(() -> PredictionTrajectory([1, 0]; n_layers = 2, vocab = 4))
    @test err.status == EINVAL && occursin("input_ids[2] is 0", err.message) && occursin("1:4", err.message)
    @test failure(() -> PredictionTrajectory([1, 5]; n_layers = 2, vocab = 4)).status == EINVAL
    err = failure(() -> PredictionTrajectory([1 2; 3 4]; n_layers = 2, vocab = 4, targets = [1, 2]))
    @test err.status == EINVAL && occursin("targets has size (2,)", err.message)
    @test failure(() -> PredictionTrajectory(Int[]; n_layers = 2, vocab = 4)).status == EINVAL
    @test failure(() -> PredictionTrajectory([1]; n_layers = 0, vocab = 4)).status == EINVAL
    @test failure(() -> from_tensor(tensor, [1, 2, 3])).status == EINVAL
    @test failure(() -> from_tensor(tensor[:, :, :, 1], ids)).status == EINVAL
    # Options the library refuses, with its message naming the field.
    err = failure(() -> from_tensor(tensor, ids; top_k = 0))
    @test err.status == EINVAL && occursin("top_k", err.message)
    @test failure(() -> from_tensor(tensor, ids; min_prob = NaN)).status == EINVAL
    @test failure(() -> from_tensor(tensor, ids; top_k = -1)).status == EINVAL
    @test failure(() -> TrajectoryComparison(ids; n_layers = 2, vocab = 4, forward_kl = false)).status == EINVAL
end

@testset "log-probabilities are used as given" begin
    vocab, seq_len, n_layers, batch = 5, 3, 2, 2
    logits = pseudo_logits(vocab, seq_len, n_layers, batch; seed = 5)
    normalised = similar(logits)
    for b in 1:batch, l in 1:n_layers, p in 1:seq_len
        normalised[:, p, l, b] = Float32.(log_probs(logits, b, l, p))
    end
    ids = ones(Int, seq_len, batch)
    expected = batch_mean((b, l, p) -> -sum(exp.(log_probs(logits, b, l, p)) .* log_probs(logits, b, l, p)), logits)
    @test close_to(entropy(from_tensor(normalised, ids; values = :log_probs)).stats, expected)
    # Not renormalised: -Σ exp(x) x of the values themselves.
    shifted = logits .- 1.5f0
    unnormalised = batch_mean((b, l, p) -> (x = Float64.(shifted[:, p, l, b]); -sum(exp.(x) .* x)), shifted)
    @test close_to(entropy(from_tensor(shifted, ids; values = :log_probs)).stats, unnormalised)
end

@testset "ranks: ties share the best rank" begin
    tensor = reshape(Float32[1, 3, 3, 2], 4, 1, 1, 1)  # tokens 2 and 3 tie for the top
    rank_of(target) = rank(from_tensor(tensor, [1]; targets = [target], forward_kl = false)).stats[1, 1]
    @test [rank_of(target) for target in 1:4] == [4, 1, 1, 3]
end

@testset "labels: top tokens, hover tables, sequence labels" begin
    tokens = ["Ġthe", "cat", "Ċ", "verylongtoken", "a", "b", "c"]
    vocabulary = Vocabulary(tokens)
    vocab, seq_len, n_layers = length(tokens), 4, 3
    # Two batch items that agree everywhere but at position 1.
    item = pseudo_logits(vocab, seq_len, n_layers, 1; seed = 6)
    tensor = cat(item, item; dims = 4)
    tensor[:, 1, :, 2] = reverse(tensor[:, 1, :, 2]; dims = 1)
    input_ids = [p for p in 1:seq_len, b in 1:2]
    input_ids[2, 2] = 5
    targets = [1 + p % vocab for p in 1:seq_len, b in 1:2]
    trajectory = from_tensor(tensor, input_ids; targets = targets, anti_targets = targets, vocabulary = vocabulary)
    close(vocabulary)  # the trajectory keeps its own reference

    labels = trajectory_labels(trajectory)
    top_k = min(10, vocab)
    @test size(labels) == (n_layers, seq_len)
    hover = labels.hover_over_entries
    @test size(hover) == (n_layers, seq_len, top_k, 4)  # (token, probability) for each of 2 items
    for l in 1:n_layers, p in 1:seq_len
        tops = [argmax(tensor[:, p, l, b]) for b in 1:2]
        @test labels.label_strings[l, p] == consolidated(shown_token.(tokens[tops]))
        for b in 1:2
            probabilities = exp.(log_probs(tensor, b, l, p))
            order = sortperm(tensor[:, p, l, b]; rev = true)
            for row in 1:top_k
                @test hover[l, p, row, 2b - 1] == shown_token(tokens[order[row]])
                percent = hover[l, p, row, 2b]
                @test endswith(percent, "%")
                @test abs(parse(Float64, chop(percent)) - 100 * probabilities[order[row]]) <= 0.006
            end
        end
    end
    # The input tokens, "*" where the items differ (position 2).
    @test entropy(trajectory).sequence_labels ==
          [consolidated(shown_token.(tokens[input_ids[p, :]])) for p in 1:seq_len]
    # Every statistic but log_prob_diff shares the labels.
    @test entropy(trajectory).trajectory_labels.label_strings == labels.label_strings
    @test rank(trajectory).trajectory_labels.label_strings == labels.label_strings
    @test log_prob_diff(trajectory).trajectory_labels === nothing
    @test (rank(trajectory).min, rank(trajectory).max) == (1, length(tokens))
    ranked = rank(trajectory; show_ranks = true)
    @test ranked.trajectory_labels.label_strings == string.(trunc.(Int, ranked.stats))

    # min_prob blanks a cell whose top-1 probability is below it in any item;
    # top_k and max_batch_items_shown size the hover tables; the token format
    # is the caller's.
    shaped = from_tensor(tensor, input_ids; vocabulary = Vocabulary(tokens), min_prob = 0.5, top_k = 2,
                         max_batch_items_shown = 1, max_string_len = 0, whitespace_replacement = "·")
    shaped_labels = trajectory_labels(shaped)
    @test size(shaped_labels.hover_over_entries) == (n_layers, seq_len, 2, 2)
    blanked = 0
    for l in 1:n_layers, p in 1:seq_len
        keep = all(exp(maximum(log_probs(tensor, b, l, p))) >= 0.5 for b in 1:2)
        tops = [argmax(tensor[:, p, l, b]) for b in 1:2]
        shown = consolidated([shown_token(t; max_len = 0, space = "·") for t in tokens[tops]])
        @test shaped_labels.label_strings[l, p] == (keep ? shown : "")
        blanked += !keep
    end
    @test 0 < blanked < n_layers * seq_len  # the data exercises both cases
    @test entropy(shaped).sequence_labels[4] == "verylongtoken"
end

@testset "comparisons match a Float64 computation" begin
    vocab, seq_len, n_layers, batch = 6, 4, 3, 2
    self_tensor = pseudo_logits(vocab, seq_len, n_layers, batch; seed = 7)
    other_tensor = pseudo_logits(vocab, seq_len, n_layers, batch; seed = 8)
    input_ids = ones(Int, seq_len, batch)
    comparison = from_tensor(self_tensor, other_tensor, input_ids)
    @test size(comparison) == (vocab, seq_len, n_layers, batch)
    @test iscomplete(comparison)

    p(b, l, i) = log_probs(self_tensor, b, l, i)
    q(b, l, i) = log_probs(other_tensor, b, l, i)
    mixture(b, l, i) = log.((exp.(p(b, l, i)) .+ exp.(q(b, l, i))) ./ 2)
    difference(b, l, i) = exp.(p(b, l, i)) .- exp.(q(b, l, i))
    expected = Dict(
        :kl_divergence => batch_mean((b, l, i) -> kl64(p(b, l, i), q(b, l, i)), self_tensor),
        :js_divergence => batch_mean((b, l, i) -> (kl64(p(b, l, i), mixture(b, l, i)) +
                                                   kl64(q(b, l, i), mixture(b, l, i))) / 2, self_tensor),
        :half_symmetric_kl => batch_mean((b, l, i) -> (kl64(p(b, l, i), q(b, l, i)) +
                                                       kl64(q(b, l, i), p(b, l, i))) / 2, self_tensor),
        :total_variation => batch_mean((b, l, i) -> sum(abs.(difference(b, l, i))) / 2, self_tensor),
        :max_abs_prob_difference => batch_mean((b, l, i) -> maximum(abs.(difference(b, l, i))), self_tensor),
    )
    @test close_to(kl_divergence(comparison).stats, expected[:kl_divergence])
    @test close_to(js_divergence(comparison).stats, expected[:js_divergence])
    @test close_to(half_symmetric_kl(comparison).stats, expected[:half_symmetric_kl])
    @test close_to(total_variation(comparison).stats, expected[:total_variation])
    @test close_to(max_abs_prob_difference(comparison).stats, expected[:max_abs_prob_difference])
    for (name, values) in expected
        @test close_to(statistic(comparison, name).stats, values)
    end
    @test (total_variation(comparison).min, total_variation(comparison).max) == (0, 1)
    @test kl_divergence(comparison).units == "nats"
    @test trajectory_labels(comparison) === nothing
    err = failure(() -> statistic(comparison, :entropy))
    @test err.status == EINVAL && occursin("one trajectory", err.message)

    # Streamed pairs of slabs give the same statistics.
    streamed = TrajectoryComparison(input_ids; n_layers = n_layers, vocab = vocab)
    for b in 1:batch, l in n_layers:-1:1
        add!(streamed, b, l, view(self_tensor, :, :, l, b), other_tensor[:, :, l, b])
    end
    @test iscomplete(streamed)
    @test kl_divergence(streamed).stats == kl_divergence(comparison).stats
    @test failure(() -> add!(streamed, 1, 1, self_tensor[:, :, 1, 1], other_tensor[:, :, 1, 1])).status == EINVAL
    @test failure(() -> add!(TrajectoryComparison(input_ids; n_layers = n_layers, vocab = vocab), 1, 1,
                             self_tensor[:, :, 1, 1], Float64.(other_tensor[:, :, 1, 1]))).status == EINVAL
    @test failure(() -> from_tensor(self_tensor, other_tensor[:, :, :, 1:1], input_ids)).status == EINVAL

    # Labels: per cell the token whose probability changed most, "Δxx.xx%"
    # (other minus self) in the hover tables.
    # Two identical batch items, so that the labels are tokens rather than
    # "*" (the trajectory labels test covers items that differ).
    tokens = ["t$k" for k in 1:vocab]
    self_pair = self_tensor[:, :, :, [1, 1]]
    other_pair = self_pair .+ 0.5f0 .* other_tensor[:, :, :, [1, 1]]
    labelled = from_tensor(self_pair, other_pair, input_ids; vocabulary = Vocabulary(tokens))
    labels = trajectory_labels(labelled)
    hover = labels.hover_over_entries
    @test !any(==("*"), labels.label_strings)
    for l in 1:n_layers, i in 1:seq_len
        changes = [exp.(log_probs(other_pair, b, l, i)) .- exp.(log_probs(self_pair, b, l, i)) for b in 1:batch]
        most = [argmax(abs.(change)) for change in changes]
        @test labels.label_strings[l, i] == consolidated(tokens[most])
        @test hover[l, i, 1, 1] == tokens[most[1]]
        @test startswith(hover[l, i, 1, 2], "Δ") && endswith(hover[l, i, 1, 2], "%")
        @test abs(parse(Float64, chop(hover[l, i, 1, 2]; head = 1, tail = 1)) - 100 * changes[1][most[1]]) <= 0.006
    end
    @test kl_divergence(labelled).trajectory_labels.label_strings == labels.label_strings
end

@testset "trajectories close once and free themselves" begin
    tensor = pseudo_logits(3, 2, 2, 1)
    trajectory = from_tensor(tensor, [1, 2])
    stat = entropy(trajectory)
    close(trajectory)
    close(trajectory)
    @test !isopen(trajectory)
    @test sprint(show, trajectory) == "PredictionTrajectory(closed)"
    @test failure(() -> entropy(trajectory)).status == EINVAL
    @test failure(() -> add!(trajectory, 1, 1, tensor[:, :, 1, 1])).status == EINVAL
    @test size(stat) == (2, 2)  # statistics outlive their trajectory
    comparison = from_tensor(tensor, tensor, [1, 2])
    @test sprint(show, comparison) == "TrajectoryComparison(3×2×2×1, complete)"
    close(comparison)
    @test failure(() -> kl_divergence(comparison)).status == EINVAL
    @test sprint(show, PredictionTrajectory([1, 2]; n_layers = 2, vocab = 3)) == "PredictionTrajectory(3×2×2×1, filling)"
    for _ in 1:100
        entropy(from_tensor(pseudo_logits(8, 4, 3, 2), ones(Int, 4, 2); vocabulary = Vocabulary(string.(1:8))))
    end
    GC.gc()
    @test size(entropy(from_tensor(tensor, [1, 2]))) == (2, 2)
end
