#!/usr/bin/python3
"""Generates the demo trajectory that `trajplot demo` renders.

Writes four files to data/demo/ in the SPEC format of `trajplot render`, the
four statistics of tuned-lens's tutorial figure (top to bottom in the demo)
of a tuned-lens style prediction at every layer of a 12-layer model plus its
output, for every token of a short prompt:

  entropy.json          Entropy: -sum_v p log p, in nats
  forward_kl.json       Forward KL: KL(output || layer) = sum_v p_out
                        (log p_out - log p_layer), in nats; 0 at the output
  cross_entropy.json    Cross Entropy: -log p(target), in nats, where the
                        target is the next input token and, after the last
                        one, <|endoftext|> (as tuned-lens's examples do:
                        targets = input_ids[1:] + [eos_token_id])
  max_probability.json  Max Probability: max_v p, in "probs" (in [0, 1])

Names, units and (absent) colour ranges are tuned-lens's. Every file has the
same cell labels (the lens's top-1 prediction) and hover tables (its top-10
predictions with their probabilities): tuned-lens gives all four statistics
the same largest-probability labels.

The trajectory is synthetic, not measured on a model: every cell gets a
probability distribution over a GPT-2 sized vocabulary that moves from
generic early-layer guesses towards the final prediction as depth grows and
sharpens at the same time. Statistics, labels and hover tables are all
computed from that one distribution, so they agree with each other the way
a real lens output does. The seed is fixed, so the output is the same on
every run.

Usage: /usr/bin/python3 scripts/generate_demo_data.py [--check]
  --check  write nothing; exit with status 1 if a file is out of date.
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
OUTPUT_DIR = REPO_ROOT / "data" / "demo"

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
# tuned-lens's examples append the end-of-text token as the target of the
# last position, which the prompt gives none.
END_OF_TEXT = "<|endoftext|>"
# The vocabulary outside a cell's candidates is one fixed Zipf-ordered tail,
# the same tokens in the same order at every layer. A target that is not a
# candidate (only "ĠE" after "The": the prompt's one surprising token) sits
# at this rank of that tail.
TARGET_TAIL_RANK = 200

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


class Cell:
    """The distribution of one (layer, position) cell over the vocabulary:
    the candidates' probabilities by token, then the tail's in its fixed
    order."""

    def __init__(self, tokens, candidates, tail):
        self.tokens = tokens
        self.candidates = candidates
        self.tail = tail
        self.index = {token: i for i, token in enumerate(tokens)}

    def probabilities(self):
        return np.concatenate([self.candidates, self.tail])

    def probability_of(self, token):
        if token in self.index:
            return float(self.candidates[self.index[token]])
        return float(self.tail[TARGET_TAIL_RANK - 1])


def entropy_nats(cell):
    probabilities = cell.probabilities()
    probabilities = probabilities[probabilities > 0.0]
    return -float(np.sum(probabilities * np.log(probabilities)))


def forward_kl_nats(output, cell):
    """KL(output || cell): the candidate sets of a position are the same at
    every layer, and so is the order of the tail, so the two arrays hold the
    same tokens at the same indices."""
    if output.tokens != cell.tokens:
        sys.exit("internal error: layers of one position have different candidates")
    p_output = output.probabilities()
    p_layer = cell.probabilities()
    return float(np.sum(p_output * (np.log(p_output) - np.log(p_layer))))


def cross_entropy_nats(cell, target):
    return -float(np.log(cell.probability_of(target)))


def max_probability(cell):
    return float(cell.probabilities().max())


def targets():
    """The token each position should predict: the next input token, and
    after the last one the end of the text."""
    return PROMPT_TOKENS[1:] + [END_OF_TEXT]


STATISTICS = [
    # (file, name, units), in the demo's order, top to bottom.
    ("entropy", "Entropy", "nats"),
    ("forward_kl", "Forward KL", "nats"),
    ("cross_entropy", "Cross Entropy", "nats"),
    ("max_probability", "Max Probability", "probs"),
]


def build_cells():
    """Every cell's distribution, layer by layer: the random draws happen in
    this order, so changing it changes every file."""
    rng = np.random.default_rng(SEED)
    n_layers = N_HIDDEN_LAYERS + 1
    return [[Cell(*cell_distribution(layer, position, rng)) for position in range(len(PROMPT_TOKENS))]
            for layer in range(n_layers)]


def statistic_grid(cells, statistic):
    output = cells[-1]
    wanted = targets()
    values = {
        "entropy": lambda layer, position, cell: entropy_nats(cell),
        "forward_kl": lambda layer, position, cell: forward_kl_nats(output[position], cell),
        "cross_entropy": lambda layer, position, cell: cross_entropy_nats(cell, wanted[position]),
        "max_probability": lambda layer, position, cell: max_probability(cell),
    }[statistic]
    # 4 decimals: far finer than the colours show, and small files.
    return [[round(values(layer, position, cell), 4) for position, cell in enumerate(row)]
            for layer, row in enumerate(cells)]


def build_labels(cells):
    labels, hover = [], []
    for layer, row in enumerate(cells):
        labels_row, hover_row = [], []
        for position, cell in enumerate(row):
            order = np.argsort(-cell.candidates, kind="stable")[:TOP_K]
            labels_row.append(format_token(cell.tokens[order[0]]))
            table = [[format_token(cell.tokens[i]), f"{cell.candidates[i]:.2%}"] for i in order]
            check_table(table, layer, position)
            hover_row.append(table)
        labels.append(labels_row)
        hover.append(hover_row)
    return labels, hover


def build_trajectories():
    """The SPEC of every statistic, by file name."""
    cells = build_cells()
    labels, hover = build_labels(cells)
    specs = {}
    for statistic, name, units in STATISTICS:
        specs[statistic] = {
            "name": name,
            "units": units,
            "stats": statistic_grid(cells, statistic),
            "sequence_labels": [format_token(token) for token in PROMPT_TOKENS],
            "trajectory_labels": {"label_strings": labels, "hover_over_entries": hover},
            "includes_output": True,
        }
    check_entropy_decreases(specs["entropy"]["stats"])
    check_forward_kl(specs["forward_kl"]["stats"])
    check_cross_entropy(specs["cross_entropy"]["stats"], cells)
    check_max_probability(specs["max_probability"]["stats"], hover)
    return specs


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


def check_forward_kl(stats):
    # KL is never negative, the output compared with itself gives 0, and
    # the embedding is further from the output than the middle layers.
    for position in range(len(PROMPT_TOKENS)):
        column = [row[position] for row in stats]
        if min(column) < 0.0 or column[-1] != 0.0:
            sys.exit(f"forward KL at position {position} is negative or not 0 at the output: {column}")
        if not column[0] > column[len(column) // 2]:
            sys.exit(f"forward KL does not decrease with depth at position {position}: {column}")


def check_cross_entropy(stats, cells):
    # The target a final candidate: the output predicts it better than the
    # embedding does.
    for position, target in enumerate(targets()):
        column = [row[position] for row in stats]
        if min(column) <= 0.0:
            sys.exit(f"cross-entropy at position {position} is not positive: {column}")
        final = dict(FINAL_CANDIDATES[position])
        if final.get(target, 0.0) >= 4.0 and not column[0] > column[-1]:
            sys.exit(f"cross-entropy of the likely target {target!r} does not fall at position {position}: "
                     f"{column}")
    if "ĠE" in cells[0][0].index:
        sys.exit("the first target is a candidate; TARGET_TAIL_RANK documents it is not")


def check_max_probability(stats, hover):
    # The top token of the distribution is the first row of the hover table.
    for layer, row in enumerate(stats):
        for position, value in enumerate(row):
            shown = float(hover[layer][position][0][1].rstrip("%")) / 100.0
            if not 0.0 < value <= 1.0 or abs(value - shown) > 0.00006:
                sys.exit(f"max probability {value} at layer {layer}, position {position} is not the "
                         f"hover table's top {shown}")


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
                        help="write nothing; exit 1 if a file is out of date")
    arguments = parser.parse_args()

    specs = build_trajectories()
    texts = {}
    for statistic, spec in specs.items():
        text = render(spec)
        if json.loads(text) != spec:
            sys.exit(f"internal error: the rendered {statistic}.json does not read back as the spec")
        texts[OUTPUT_DIR / f"{statistic}.json"] = text

    if arguments.check:
        stale = [path for path, text in texts.items()
                 if (path.read_text(encoding="utf-8") if path.exists() else None) != text]
        for path in stale:
            print(f"{path.relative_to(REPO_ROOT)} is out of date; "
                  "run scripts/generate_demo_data.py", file=sys.stderr)
        return 1 if stale else 0
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
