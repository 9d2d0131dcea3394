"""trajplot's figure JSON loads in plotly.py (plotly.io.from_json).

Run by CTest with TRAJPLOT_CLI pointing at the trajplot binary and the
Python that has Debian's python3-plotly.
"""
import json
import os
import subprocess
import unittest

import plotly
import plotly.io as pio

CLI = os.environ["TRAJPLOT_CLI"]
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "cli")


def plotly_version():
    return tuple(int(part) for part in plotly.__version__.split(".")[:2])


def render(*arguments):
    result = subprocess.run([CLI, *arguments], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


class FromJson(unittest.TestCase):
    def test_figure_without_cell_labels_loads(self):
        text = render("render", os.path.join(DATA, "minimal.json"), "--title", "a <b>", "--log-scale")
        figure = pio.from_json(text)
        expected = json.loads(text)
        self.assertEqual(figure.data[0].type, "heatmap")
        self.assertEqual(list(figure.data[0].y), expected["data"][0]["y"])
        self.assertEqual(figure.layout.xaxis.type, "category")
        self.assertEqual(figure.layout.yaxis.type, "category")
        self.assertEqual(figure.data[0].colorbar.title.side, "right")
        self.assertEqual(figure.layout.width, expected["layout"]["width"])

    def test_demo_figure_loads_where_heatmaps_have_texttemplate(self):
        text = render("demo", "--extra", '{"colorbar": {"len": 0.5}}')
        expected = json.loads(text)
        if plotly_version() >= (5, 5):
            figure = pio.from_json(text)
        else:
            # plotly.py < 5.5 predates heatmap text: texttemplate and
            # textfont are the attributes it rejects, as the README says.
            with self.assertRaisesRegex(ValueError, "textfont|texttemplate"):
                pio.from_json(text)
            for trace in expected["data"]:  # the demo has one per panel
                del trace["texttemplate"]
                del trace["textfont"]
            figure = pio.from_json(json.dumps(expected))
        trace = figure.data[0]
        self.assertEqual([list(row) for row in trace.z], expected["data"][0]["z"])
        self.assertEqual(list(trace.x), expected["data"][0]["x"])
        self.assertEqual([list(row) for row in trace.text], expected["data"][0]["text"])
        self.assertEqual(trace.hovertemplate, expected["data"][0]["hovertemplate"])
        self.assertEqual(trace.colorbar.len, 0.5)
        self.assertEqual(trace.colorbar.title.text, "Entropy (nats)")


if __name__ == "__main__":
    unittest.main()
