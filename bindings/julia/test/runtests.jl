# Tests of the Julia binding against a built libtrajplot. Point
# TRAJPLOT_LIB_PATH at it (CTest does, when it finds a julia executable):
#
#   TRAJPLOT_LIB_PATH=build/libtrajplot.so.2 julia --project=bindings/julia bindings/julia/test/runtests.jl
#
# This file holds what the test files included at its end share.

using Test
using Trajplot

const EINVAL = Trajplot.TRAJPLOT_EINVAL

# The TrajplotError that `f()` throws, or `nothing` when it succeeds.
function failure(f)
    try
        f()
    catch err
        err isa TrajplotError || rethrow()
        return err
    end
    return nothing
end

# --- Independent Float64 references for the statistics engine --------------

# Deterministic, tie-free logits of Julia size `dims` (no Random needed).
pseudo_logits(dims...; seed = 1) =
    reshape(Float32[4 * sin(seed * 12.9898 + k * 78.233) for k in 1:prod(dims)], dims)

function log_softmax64(x::AbstractVector)
    y = Float64.(x)
    top = maximum(y)
    return y .- (top + log(sum(exp.(y .- top))))
end

# log p of batch item b at layer l and position p of a vocab × seq_len ×
# n_layers × batch tensor of logits.
log_probs(tensor, b, l, p) = log_softmax64(tensor[:, p, l, b])

# n_layers × seq_len (or `rows` × seq_len) mean over the batch of f(b, l, p).
function batch_mean(f, tensor; rows = size(tensor, 3))
    batch = size(tensor, 4)
    return [sum(f(b, l, p) for b in 1:batch) / batch for l in 1:rows, p in 1:size(tensor, 2)]
end

kl64(log_p, log_q) = sum(exp.(log_p) .* (log_p .- log_q))

# Float32 results of a double-precision engine against Float64 references.
close_to(actual, expected) =
    size(actual) == size(expected) && all(isapprox.(actual, expected; rtol = 1e-4, atol = 1e-5))

# Tokens as a trajectory shows them with the default format: at most 7 code
# points (6 and "…"), "Ġ" as "_", "Ċ" as "\n" (backslash, n).
function shown_token(token::AbstractString; max_len = 7, space = "_")
    if max_len > 0 && length(token) > max_len
        token = first(token, max_len - 1) * "…"
    end
    return replace(replace(token, "Ċ" => "\\n"), "Ġ" => space)
end

# The cell label of a trajectory: the top token when every batch item
# agrees on it, "*" when they differ.
consolidated(tokens) = all(==(first(tokens)), tokens) ? first(tokens) : "*"

@testset "Trajplot" begin
    include("statistics.jl")
    include("figures.jl")
    include("images.jl")
    include("lens.jl")
end
