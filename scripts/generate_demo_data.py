#!/usr/bin/python3
"""Generates the demo trajectory that `trajplot demo` renders.

Writes data/demo/entropy.json in the SPEC format of `trajplot render`: the
entropy (in nats) of a tuned-lens style prediction at every layer of a
12-layer model plus its output, for every token of a short prompt, with the
lens's top-1 prediction as each cell's label and its top-10 predictions as
each cell's hover table.

The trajectory is synthetic, not measured on a model: every cell gets a
probability distribution over a GPT-2 sized vocabulary that moves from
generic early-layer guesses towards the final prediction as depth grows and
sharpens at the same time. Entropy, labels and hover tables are all computed
from that one distribution, so they agree with each other the way a real
lens output does. The seed is fixed, so the output is the same on every run.

Usage: /usr/bin/python3 scripts/generate_demo_data.py [--check]
  --check  write nothing; exit with status 1 if the file is out of date.
"""

import argparse
import json
import sys
from pathlib import Path

try:
    import numpy as np
except ImportError as error:
    sys.exit(f"numpy is required ({error}); run this with Debian's /usr/bin/python3")

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_PATH = REPO_ROOT / "data" / "demo" / "entropy.json"

SEED = 20240611
VOCAB_SIZE = 50257  # GPT-2's vocabulary
N_HIDDEN_LAYERS = 12
TOP_K = 10

# "The Eiffel Tower is in Paris, which is" in GPT-2's byte-level BPE: "Ġ"
# marks a leading space, and "Ġis" occurs twice, so the x axis must keep
# two equal tokens apart.
PROMPT_TOKENS = ["The", "ĠE", "iff", "el", "ĠTower", "Ġis", "Ġin", "ĠParis", ",", "Ġwhich", "Ġis"]

# What the model's output puts first at each position, with a few
# alternatives, as (token, relative score). Higher scores at a position
# make the final prediction there more certain.
FINAL_CANDIDATES = [
    [("Ġfirst", 3.0), ("Ġnew", 2.7), ("Ġmost", 2.5), ("Ġsame", 2.3), ("Ġcity", 2.0),
     ("Ġ\"", 1.9), ("Ġpresident", 1.7), ("Ġworld", 1.6)],
    [("U", 4.5), ("iff", 4.2), ("ag", 3.3), ("ve", 3.0), ("Ġ&", 2.4), ("arn", 2.2)],
    [("el", 9.0), ("ord", 3.5), ("ert", 3.0), ("ers", 2.5)],
    [("ĠTower", 8.5), ("Ġtower", 6.0), ("Ġtowers", 3.5), ("ĠTowers", 3.0), (",", 2.0)],
    [("Ġis", 6.0), (",", 5.2), ("Ġwas", 4.6), ("Ġin", 4.4), ("Ġhas", 4.0), ("Ġ(", 3.5),
     (".", 3.3), ("Ġand", 3.2)],
    [("Ġa", 5.0), ("Ġthe", 4.8), ("Ġlocated", 4.6), ("Ġone", 4.3), ("Ġin", 3.6),
     ("Ġnow", 3.0), ("Ġnot", 2.8), ("Ġan", 2.6)],
    [("ĠParis", 7.5), ("Ġthe", 5.5), ("ĠFrance", 4.5), ("Ġa", 3.2), ("ĠLondon", 2.0),
     ("Ġfront", 1.8)],
    [("ĠFrance", 6.0), (",", 5.7), ("'s", 4.0), (".", 3.9), ("Ġand", 3.2), ("Ġ(", 2.5),
     ("Ġ&", 1.5)],
    [("ĠFrance", 7.0), ("Ġand", 4.5), ("Ġwhich", 3.8), ("Ġthe", 3.5), ("Ġwhere", 3.2),
     ("Ġbut", 2.6)],
    [("Ġis", 7.2), ("Ġhas", 4.6), ("Ġwas", 4.2), ("Ġattracts", 3.4), ("Ġmakes", 3.0),
     ("Ġstands", 2.7)],
    [("Ġthe", 5.6), ("Ġa", 5.0), ("Ġone", 4.6), ("Ġalso", 4.0), ("Ġknown", 3.6),
     ("Ġhome", 3.3), ("Ġwhere", 2.5)],
]

# What a lens reads from the earliest layers regardless of context: frequent
# tokens, the end-of-text marker and, typically, a continuation of the
# current token itself.
GENERIC_CANDIDATES = [("Ġthe", 2.4), (",", 2.3), ("<|endoftext|>", 2.2), ("Ġand", 2.0),
                      (".", 1.9), ("Ġof", 1.8), ("Ġ&", 1.6), ("-", 1.5), ("Ġ(", 1.4),
                      ("Ġto", 1.3), ("Ġ<", 1.0), ("Ġ\"", 0.9)]
SELF_CONTINUATION = {
    "The": "Ġ&", "ĠE": "-", "iff": "iff", "el": "-", "ĠTower": "Ġtower", "Ġis": "Ġare",
    "Ġin": "Ġinto", "ĠParis": "ĠParisian", ",": "Ġ,", "Ġwhich": "Ġthat",
}


def format_token(token):
    """Formats a token the way tuned-lens's plots show it: the leading-space
    marker becomes "_"."""
    return token.replace("Ġ", "_")


def cell_distribution(layer, position, rng):
    """Returns (candidate tokens, their probabilities, the probabilities of
    the rest of the vocabulary) for one cell."""
    depth = layer / N_HIDDEN_LAYERS  # 0 at the embedding, 1 at the output
    final = dict(FINAL_CANDIDATES[position])
    generic = dict(GENERIC_CANDIDATES)
    own = SELF_CONTINUATION.get(PROMPT_TOKENS[position])
    if own is not None:
        generic[own] = generic.get(own, 0.0) + 1.5

    tokens = sorted(set(final) | set(generic))
    final_scores = np.array([final.get(token, 0.0) for token in tokens])
    generic_scores = np.array([generic.get(token, 0.0) for token in tokens])
    # The final prediction takes over in the upper half of the network, and
    # later layers are more confident among their candidates.
    weight = depth ** 1.6
    scores = (1.0 - weight) * generic_scores + weight * final_scores
    sharpness = 0.8 + 0.7 * depth
    logits = sharpness * scores + rng.normal(0.0, 0.1, size=len(tokens))
    within = np.exp(logits - logits.max())
    within /= within.sum()

    # The share of the candidates grows with depth up to how sure the output
    # is at this position (a clear winner like "el" after "ĠE iff" is near
    # certain); the rest of the vocabulary keeps what is left.
    output_share = 1.0 - np.exp(-0.5 * max(final.values()))
    share = 0.1 + (output_share - 0.1) * depth ** 1.5
    candidates = share * within
    tail = zipf_tail(1.0 - share, VOCAB_SIZE - len(tokens), ceiling=np.sort(candidates)[-TOP_K])
    return tokens, candidates, tail


def zipf_tail(mass, count, ceiling):
    """`mass` spread over `count` tokens with a Zipf-Mandelbrot law, shifted
    until no token of it outranks the `ceiling`, so that the top-k shown in
    the hover table really are the top-k of the distribution."""
    ranks = np.arange(1, count + 1, dtype=np.float64)
    shift = 2.0
    while True:
        weights = (ranks + shift) ** -1.25
        tail = mass * weights / weights.sum()
        if tail[0] <= ceiling:
            return tail
        shift *= 1.5


def entropy_nats(*probability_arrays):
    probabilities = np.concatenate(probability_arrays)
    probabilities = probabilities[probabilities > 0.0]
    return -float(np.sum(probabilities * np.log(probabilities)))


def build_trajectory():
    rng = np.random.default_rng(SEED)
    n_layers = N_HIDDEN_LAYERS + 1
    stats, labels, hover = [], [], []
    for layer in range(n_layers):
        stats_row, labels_row, hover_row = [], [], []
        for position in range(len(PROMPT_TOKENS)):
            tokens, probabilities, tail = cell_distribution(layer, position, rng)
            stats_row.append(round(entropy_nats(probabilities, tail), 4))
            order = np.argsort(-probabilities, kind="stable")[:TOP_K]
            labels_row.append(format_token(tokens[order[0]]))
            table = [[format_token(tokens[i]), f"{probabilities[i]:.2%}"] for i in order]
            check_table(table, layer, position)
            hover_row.append(table)
        stats.append(stats_row)
        labels.append(labels_row)
        hover.append(hover_row)
    check_entropy_decreases(stats)
    return {
        "name": "Entropy",
        "units": "nats",
        "stats": stats,
        "sequence_labels": [format_token(token) for token in PROMPT_TOKENS],
        "trajectory_labels": {"label_strings": labels, "hover_over_entries": hover},
        "includes_output": True,
    }


def check_table(table, layer, position):
    percentages = [float(value.rstrip("%")) for _, value in table]
    where = f"layer {layer}, position {position}"
    if percentages != sorted(percentages, reverse=True):
        sys.exit(f"hover table at {where} is not sorted: {percentages}")
    if sum(percentages) > 100.0:
        sys.exit(f"hover table at {where} sums to {sum(percentages):.2f}%")


def check_entropy_decreases(stats):
    # A little noise may make neighbouring layers tie, but the output must be
    # far more certain than the embedding at every position.
    for position in range(len(PROMPT_TOKENS)):
        column = [row[position] for row in stats]
        if not column[0] > column[len(column) // 2] > column[-1]:
            sys.exit(f"entropy does not decrease with depth at position {position}: {column}")


def dump(value):
    return json.dumps(value, ensure_ascii=False)


def render(spec):
    """Serialises the spec with one matrix row, or one hover table, per
    line, so that the file stays readable and diffs stay small."""
    def rows(matrix, indent):
        return ",\n".join(indent + dump(row) for row in matrix)

    labels = spec["trajectory_labels"]
    hover_layers = ",\n".join(
        "    [\n" + rows(layer, "     ") + "\n    ]" for layer in labels["hover_over_entries"])
    return (
        "{\n"
        f' "name": {dump(spec["name"])},\n'
        f' "units": {dump(spec["units"])},\n'
        f' "includes_output": {dump(spec["includes_output"])},\n'
        f' "sequence_labels": {dump(spec["sequence_labels"])},\n'
        ' "stats": [\n' + rows(spec["stats"], "  ") + "\n ],\n"
        ' "trajectory_labels": {\n'
        '  "label_strings": [\n' + rows(labels["label_strings"], "   ") + "\n  ],\n"
        '  "hover_over_entries": [\n' + hover_layers + "\n  ]\n"
        " }\n"
        "}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file is out of date")
    arguments = parser.parse_args()

    spec = build_trajectory()
    text = render(spec)
    if json.loads(text) != spec:
        sys.exit("internal error: the rendered file does not read back as the spec")

    if arguments.check:
        current = OUTPUT_PATH.read_text(encoding="utf-8") if OUTPUT_PATH.exists() else None
        if current != text:
            print(f"{OUTPUT_PATH.relative_to(REPO_ROOT)} is out of date; "
                  "run scripts/generate_demo_data.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
