"""Executes a notebook that displays trajplot figures, in a Jupyter kernel
where plotly.py cannot be imported, and exports it to HTML with nbconvert:
the page tests/browser/notebook_page.mjs then loads in Chromium with every
request refused.

    notebook_to_html.py OUT_DIR [--plotlyjs FILE]

writes OUT_DIR/figures.ipynb (executed), OUT_DIR/figures.html and
OUT_DIR/figures.json (what the page must show: each figure's cell labels),
and fails (exit 1, a message on standard error) when the kernel could
import plotly or the figures' outputs lack a form. The kernel is this
Python (ipykernel, nbclient, nbconvert and nbformat importable: Debian's
python3-ipykernel, python3-nbclient, python3-nbconvert), with the trajplot
package beside this directory, the library named by TRAJPLOT_LIB_PATH, and
PYTHONPATH starting with a directory whose plotly/__init__.py raises
ImportError; with --plotlyjs, TRAJPLOT_PLOTLYJS names FILE there, the
plotly.js the figures inline.
"""
import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
KERNEL = "trajplot-without-plotly"
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"

# The figures: 3 layers of 4 tokens with cell labels (markup among them)
# and hover tables, and a stacked figure of it and a second statistic.
LABELS = [["the", "a", "dog", "Eiffel"],
          ["cat", "<s>", "on", "Tower"],
          ["sat", "mat", "&amp;", "Paris"]]
SECOND_LABELS = [["x%d%d" % (layer, position) for position in range(4)] for layer in range(2)]

CELLS = [
    # The kernel must not import plotly.py: its output says so.
    """try:
    import plotly
    print("plotly imported from", plotly.__file__)
except ImportError as error:
    print("plotly blocked:", error)""",
    """import trajplot
labels = %r
hover = [[[[token, "%%d.00%%%%" %% (90 - 10 * layer)], ["alt", "5.00%%"]] for token in row]
         for layer, row in enumerate(labels)]
entropy = trajplot.TrajectoryStatistic(
    "Entropy", [[2.5, 3.0, 1.25, 0.5], [1.0, 0.75, 4.0, 2.0], [0.125, 0.25, 0.5, 1.5]],
    ["The", "<s>", "Tower", "is"], trajectory_labels=trajplot.TrajectoryLabels(labels, hover), units="nats")
entropy.figure(title="Entropy by layer")""" % (LABELS,),
    """second = trajplot.TrajectoryStatistic("KL", [[8.0, 4.0, 2.0, 1.0], [0.5, 0.25, 10.0, 100.0]],
                                       ["The", "<s>", "Tower", "is"],
                                       trajectory_labels=trajplot.TrajectoryLabels(%r))
trajplot.stacked_figure([entropy, second], log_scales=[False, True]).update_layout(title_text="Stacked")"""
    % (SECOND_LABELS,),
]


def fail(message):
    print("notebook_to_html: %s" % message, file=sys.stderr)
    sys.exit(1)


def kernel_environment(directory, plotlyjs):
    """A kernelspec for this Python whose plotly cannot be imported; returns
    the JUPYTER_PATH entry that holds it."""
    blocked = os.path.join(directory, "blocked", "plotly")
    os.makedirs(blocked)
    with open(os.path.join(blocked, "__init__.py"), "w", encoding="utf-8") as file:
        file.write('raise ImportError("plotly.py is blocked in this kernel by trajplot\'s notebook test")\n')
    spec_directory = os.path.join(directory, "jupyter", "kernels", KERNEL)
    os.makedirs(spec_directory)
    library = os.environ.get("TRAJPLOT_LIB_PATH")
    if not library:
        fail("TRAJPLOT_LIB_PATH is not set")
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 without plotly.py",
        "language": "python",
        "env": {
            "PYTHONPATH": os.pathsep.join([os.path.dirname(blocked), PACKAGE_ROOT]),
            "TRAJPLOT_LIB_PATH": os.path.abspath(library),
            "PYTHONDONTWRITEBYTECODE": "1",
            # ipykernel 6 warns on standard error about frozen modules otherwise.
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        },
    }
    if plotlyjs is not None:
        spec["env"]["TRAJPLOT_PLOTLYJS"] = os.path.abspath(plotlyjs)
    with open(os.path.join(spec_directory, "kernel.json"), "w", encoding="utf-8") as file:
        json.dump(spec, file)
    return os.path.join(directory, "jupyter")


def outputs_of(cell):
    return [output for output in cell.outputs if output.output_type in ("stream", "execute_result", "display_data")]


def main():
    arguments = sys.argv[1:]
    plotlyjs = None
    if len(arguments) == 3 and arguments[1] == "--plotlyjs":
        plotlyjs = arguments.pop()
        arguments.pop()
    if len(arguments) != 1:
        fail("usage: notebook_to_html.py OUT_DIR [--plotlyjs FILE]")
    out = os.path.abspath(arguments[0])
    os.makedirs(out, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    with tempfile.TemporaryDirectory(prefix="trajplot-notebook-") as directory:
        os.environ["JUPYTER_PATH"] = kernel_environment(directory, plotlyjs)
        client = NotebookClient(notebook, timeout=180, kernel_name=KERNEL,
                                resources={"metadata": {"path": directory}})
        client.execute()
    nbformat.write(notebook, os.path.join(out, "figures.ipynb"))

    blocked = "".join(output.get("text", "") for output in outputs_of(notebook.cells[0]))
    if not blocked.startswith("plotly blocked: plotly.py is blocked"):
        fail("the kernel imported plotly.py, or said something else: %r" % blocked)
    shown = []
    for index in (1, 2):
        results = [output for output in notebook.cells[index].outputs if output.output_type == "execute_result"]
        if len(results) != 1:
            fail("cell %d displayed %d results, not one: %r" % (index, len(results), notebook.cells[index].outputs))
        forms = set(results[0].data)
        if not {PLOTLY_MIMETYPE, "text/html", "text/plain"} <= forms:
            fail("cell %d's figure came as %s" % (index, sorted(forms)))
        if "config" not in results[0].data[PLOTLY_MIMETYPE]:
            fail("cell %d's plotly mimetype has no config" % index)
        shown.append(results[0].data["text/html"])

    body, _ = HTMLExporter().from_notebook_node(notebook)
    with open(os.path.join(out, "figures.html"), "w", encoding="utf-8") as file:
        file.write(body)
    expected = {
        # The cell labels each figure draws, panel by panel (as the page
        # shows them: markup in labels is text).
        "figures": [[LABELS], [LABELS, SECOND_LABELS]],
        "titles": ["Entropy by layer", "Stacked"],
        # How many copies of plotly.js each figure's HTML carries.
        "plotlyjs": [html.count("plotly.js for trajplot's figures") for html in shown],
    }
    with open(os.path.join(out, "figures.json"), "w", encoding="utf-8") as file:
        json.dump(expected, file)
    print("wrote %s" % os.path.join(out, "figures.html"))


if __name__ == "__main__":
    main()
