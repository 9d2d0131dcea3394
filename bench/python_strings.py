#!/usr/bin/python3
"""Labels from strings through the Python binding: how long
``trajplot.TrajectoryLabels(label_strings, hover_over_entries)`` takes for
the benchmark's medium case (33 layers x 1024 tokens, a 10 x 2 hover table
per cell: 33 792 labels and 675 840 hover entries), by how the strings
come:

- ``labels_from_numpy``: numpy str arrays (dtype ``U``), which the library
  reads as they are (UTF-32, fixed width);
- ``labels_from_bytes``: numpy bytes arrays (dtype ``S``) of the UTF-8;
- ``labels_from_list``: nested Python lists, joined into one UTF-8 buffer
  with offsets;
- ``labels_from_objects``: numpy object arrays of str, the same way.

Tokens are GPT-2-style BPE strings (``Ġthe``, ``Ċ``, ``Ġ日本``, ``Ġ🙂``,
``<|endoftext|>``, ...) drawn with a fixed seed, frequent ones more often;
hover tables alternate token and probability columns (``"12.34%"``). One
line per operation, in the format of ``trajplot_bench``:

    case=medium op=labels_from_numpy ms=12.345 strings=709632 runs=15

``ms`` is the median of ``runs`` timed calls after one warm-up, each after a
garbage collection; the labels are released outside the timed region.
``--check-targets`` exits 1 unless ``labels_from_numpy`` takes at most
30 ms. Run with Debian's python3 (numpy), from anywhere:

    /usr/bin/python3 bench/python_strings.py --build build
"""
import argparse
import gc
import os
import random
import statistics
import sys
import time

import numpy as np

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_LAYERS, SEQ_LEN, ROWS, COLS = 33, 1024, 10, 2
TARGET_MS = 30.0

# Roughly in order of frequency; ASCII, two-, three- and four-byte UTF-8,
# and tokens that are markup unless escaped.
VOCABULARY = [
    "Ġthe", ",", "Ġof", "Ġand", "Ġto", "Ġa", ".", "Ġin", "Ġis", "Ġthat", "Ċ", "Ġfor", "Ġit", "Ġwas",
    "Ġ\"", "Ġ–", "Ġ日本", "Ġ中文", "Ġ한국어", "Ġ🙂", "Ġ€", "Ġ°C", "Ġ×", "Δ", "…", "<|endoftext|>",
    "</s>", "<s>", "&amp;", "&", "ĠTransformer", "Ġattention", "Ġembedding", "Ġlogits", "Ġentropy",
    "Ġdivergence", "Ġsoftmax", "Ġgradient", "Ġneuron", "ĊĊ", "Ġ(", "'s", "Ġ$", "Ġ100",
]


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(REPOSITORY, "build"),
                        help="build tree holding libtrajplot.so.2 (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per operation (default: %(default)s)")
    parser.add_argument("--op", action="append", default=[],
                        help="operations to run (repeatable, comma-separated; default: all)")
    parser.add_argument("--check-targets", action="store_true",
                        help="exit 1 unless labels_from_numpy takes at most %g ms" % TARGET_MS)
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat takes a positive integer")
    arguments.op = [name for item in arguments.op for name in item.split(",") if name]
    return arguments


def import_trajplot(build):
    """The binding from this repository, with the library of `build`."""
    os.environ["TRAJPLOT_LIB_PATH"] = os.path.abspath(build)
    sys.path.insert(0, os.path.join(REPOSITORY, "bindings", "python"))
    import trajplot
    return trajplot


def medium_case():
    """(labels, hover) as nested lists of str."""
    rng = random.Random(20261127)
    size = len(VOCABULARY)

    def token():
        # The product of two uniform draws favours the front of the list.
        return VOCABULARY[int(rng.random() * rng.random() * size)]

    labels = [[None] * SEQ_LEN for _ in range(N_LAYERS)]
    hover = [[None] * SEQ_LEN for _ in range(N_LAYERS)]
    for layer in range(N_LAYERS):
        for position in range(SEQ_LEN):
            probability = 100.0 * rng.random()
            table = []
            for _ in range(ROWS):
                table.append([token(), "%.2f%%" % probability])
                probability *= rng.random()
            hover[layer][position] = table
            labels[layer][position] = table[0][0]
    return labels, hover


def timed(function, runs):
    """Median milliseconds of `runs` calls after a warm-up; each result is
    closed outside the timed region."""
    function().close()
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1e3)
        result.close()
    return statistics.median(times)


def main():
    arguments = parse_arguments()
    trajplot = import_trajplot(arguments.build)
    labels, hover = medium_case()
    inputs = {
        "labels_from_numpy": (np.array(labels), np.array(hover)),
        "labels_from_bytes": (np.char.encode(np.array(labels), "utf-8"), np.char.encode(np.array(hover), "utf-8")),
        "labels_from_list": (labels, hover),
        "labels_from_objects": (np.array(labels, dtype=object), np.array(hover, dtype=object)),
    }
    unknown = sorted(set(arguments.op) - set(inputs))
    if unknown:
        sys.exit("python_strings: unknown operation %s (known: %s)" % (", ".join(unknown), ", ".join(inputs)))
    reference = trajplot.TrajectoryLabels(labels, hover)
    expected = (reference.label_strings.tolist(), reference.hover_over_entries.tolist())
    count = N_LAYERS * SEQ_LEN * (1 + ROWS * COLS)
    results = {}
    for op, (label_strings, hover_entries) in inputs.items():
        if arguments.op and op not in arguments.op:
            continue
        made = trajplot.TrajectoryLabels(label_strings, hover_entries)
        if (made.label_strings.tolist(), made.hover_over_entries.tolist()) != expected:
            sys.exit("python_strings: %s gives other labels than the lists" % op)
        made.close()
        results[op] = timed(lambda: trajplot.TrajectoryLabels(label_strings, hover_entries), arguments.repeat)
        print("case=medium op=%s ms=%.3f strings=%d runs=%d" % (op, results[op], count, arguments.repeat),
              flush=True)
    if arguments.check_targets:
        if "labels_from_numpy" not in results:
            print("SKIP labels_from_numpy <= %g ms (not measured)" % TARGET_MS)
        elif results["labels_from_numpy"] <= TARGET_MS:
            print("PASS labels_from_numpy <= %g ms (%.3f)" % (TARGET_MS, results["labels_from_numpy"]))
        else:
            print("FAIL labels_from_numpy <= %g ms (%.3f)" % (TARGET_MS, results["labels_from_numpy"]))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
