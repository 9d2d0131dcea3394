"""Draws the entropy of a lens's predictions over "The Eiffel Tower is" (two
layers and the output), with each cell labelled by its top token and a
top-3 table on hover, and writes it as an HTML page, with the Python
binding. The data is the one examples/README.md defines for every example.

    python3 figure.py [OUT.html]     (default: figure.html)

From a build tree: PYTHONPATH=bindings/python TRAJPLOT_LIB_PATH=build
python3 examples/python/figure.py. Needs only the standard library.
"""
import sys

from trajplot import Figure, TrajectoryLabels, TrajectoryStatistic, TrajplotError

ENTROPY = [
    [5.12, 3.05, 3.48, 3.91],  # layer 0
    [4.27, 1.21, 2.36, 2.88],  # layer 1
    [3.94, 0.19, 1.45, 2.05],  # output
]
TOKENS = ["The", "Eiffel", "Tower", "is"]

# The lens's top 3 next tokens at each layer and position, most likely
# first, and their probabilities in percent.
TOP_TOKENS = [
    [["the", "a", "first"], ["Tower", "tower", "Towers"], ["of", "is", "in"], ["a", "the", "located"]],
    [["first", "the", "new"], ["Tower", "tower", "Towers"], ["is", "was", "in"], ["located", "a", "the"]],
    [["first", "most", "new"], ["Tower", "tower", "Towers"], ["is", "was", "in"], ["located", "a", "the"]],
]
TOP_PERCENT = [
    [[12.40, 8.10, 5.30], [35.60, 10.20, 4.70], [20.10, 15.80, 9.40], [18.30, 14.50, 6.20]],
    [[21.70, 9.60, 6.80], [78.90, 6.10, 2.30], [41.20, 17.50, 12.30], [29.40, 20.60, 11.90]],
    [[26.50, 10.30, 8.70], [96.80, 1.10, 0.40], [62.30, 14.20, 8.60], [48.70, 16.40, 9.80]],
]


def write_figure(out):
    # A cell's label is its top token; its hover table has a row
    # (token, "41.20%") per candidate.
    cell_labels = [[tokens[0] for tokens in layer] for layer in TOP_TOKENS]
    hover = [[[[token, "%.2f%%" % percent] for token, percent in zip(tokens, percents)]
              for tokens, percents in zip(layer_tokens, layer_percents)]
             for layer_tokens, layer_percents in zip(TOP_TOKENS, TOP_PERCENT)]
    entropy = TrajectoryStatistic(
        "Entropy", ENTROPY,
        sequence_labels=TOKENS,
        trajectory_labels=TrajectoryLabels(cell_labels, hover),
        units="nats",
        includes_output=True,  # the last layer is labelled "output"
    )
    # The figure is checked once, when it is made (the default colourscale
    # and hover), then exported: here as an HTML page with the default
    # include_plotlyjs=True, a whole page that inlines the local plotly.js
    # (the copy installed with trajplot), so that it draws offline. A path
    # is replaced atomically; a file object would get the page streamed.
    figure = Figure(entropy, title="Entropy by layer")
    figure.write_html(out)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "figure.html"
    try:
        write_figure(out)
    except TrajplotError as error:
        print("figure: %s" % error, file=sys.stderr)
        return 1
    print("wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
