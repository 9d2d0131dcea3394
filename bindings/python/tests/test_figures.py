"""heatmap() and figure(): contents, plotly.py's keyword style, the
trajplot objects they return and the plotly.py objects those convert to."""
import json
import unittest

import trajplot
from support import (HOVER, LABELS, STATS, TOKENS, make_statistic, numpy, plain, plotly_version,
                     requires_numpy, requires_plotly, without_plotly)

RDBU_R_START = [0, "rgb(5,48,97)"]
RDBU_R_END = [1, "rgb(103,0,31)"]


class HeatmapContents(unittest.TestCase):
    def test_trace_of_a_full_statistic(self):
        trace = make_statistic().heatmap_dict()
        self.assertEqual(trace["type"], "heatmap")
        self.assertEqual(trace["z"], STATS)
        self.assertEqual(trace["y"], ["0", "1", "output"])
        self.assertEqual(len(trace["x"]), 4)
        self.assertEqual(trace["x"][1], "&lt;s&gt;")
        self.assertEqual(trace["colorscale"][0], RDBU_R_START)
        self.assertEqual(trace["colorscale"][-1], RDBU_R_END)
        self.assertEqual((trace["zmin"], trace["zmax"]), (0.125, 4.0))
        self.assertEqual(trace["colorbar"]["title"], {"text": "Entropy (nats)", "side": "right"})
        self.assertEqual(trace["texttemplate"], "<b>%{text}</b>")
        self.assertEqual(trace["text"][2], ["Tower", "Tower", "was", "a"])
        self.assertEqual(trace["text"][0][3], "&amp;amp;")
        self.assertEqual(len(trace["customdata"]), 3)
        self.assertTrue(trace["hovertemplate"].endswith("<extra></extra>"))
        self.assertEqual(trace["hoverlabel"], {"bgcolor": "rgb(42, 42, 50)", "font": {"family": "Monospace"}})

    def test_colorscale_and_log_scale(self):
        trace = make_statistic().heatmap_dict(colorscale="Viridis", log_scale=True)
        self.assertEqual(trace["colorscale"][0], [0, "#440154"])
        self.assertAlmostEqual(trace["z"][0][0], 0.39794, places=5)
        self.assertEqual(trace["colorbar"]["tickmode"], "array")
        self.assertEqual(trace["colorbar"]["title"]["text"], "Entropy (nats)")

    def test_unknown_colorscale_is_the_library_error(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            make_statistic().heatmap_dict(colorscale="nope")
        self.assertIn("nope", str(caught.exception))
        # Checked when the figure drawing the trace is made.
        self.assertTrue(str(caught.exception).startswith("trajplot_figure_create:"))

    def test_log_scale_with_min_not_positive(self):
        with self.assertRaises(ValueError):
            make_statistic(min=0.0, max=4.0).heatmap_dict(log_scale=True)


class MagicUnderscores(unittest.TestCase):
    def test_underscores_nest_and_merge_with_the_library_attributes(self):
        trace = make_statistic().heatmap_dict(colorbar_y=0.89, colorbar={"len": 0.25},
                                              textfont={"size": 10})
        self.assertEqual(trace["colorbar"],
                         {"title": {"text": "Entropy (nats)", "side": "right"}, "len": 0.25, "y": 0.89})
        self.assertEqual(trace["textfont"], {"size": 10})

    def test_keyword_order_does_not_matter(self):
        first = make_statistic().heatmap_dict(colorbar={"len": 0.25}, colorbar_y=0.89)
        second = make_statistic().heatmap_dict(colorbar_y=0.89, colorbar={"len": 0.25})
        self.assertEqual(first["colorbar"], second["colorbar"])
        self.assertEqual(first["colorbar"]["len"], 0.25)

    def test_deep_paths(self):
        trace = make_statistic().heatmap_dict(hoverlabel_font_family="Arial", colorbar_title_text="H")
        self.assertEqual(trace["hoverlabel"], {"bgcolor": "rgb(42, 42, 50)", "font": {"family": "Arial"}})
        self.assertEqual(trace["colorbar"]["title"], {"text": "H", "side": "right"})

    def test_none_removes_an_attribute(self):
        trace = make_statistic().heatmap_dict(hovertemplate=None)
        self.assertNotIn("hovertemplate", trace)
        self.assertIn("customdata", trace)

    def test_empty_path_parts_are_an_error(self):
        for keyword in ("colorbar__y", "colorbar_", "_y"):
            with self.subTest(keyword=keyword), self.assertRaises(trajplot.InvalidArgumentError):
                make_statistic().heatmap_dict(**{keyword: 1})

    def test_nan_cannot_be_written(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "cannot be written as JSON"):
            make_statistic().heatmap_dict(zmid=float("nan"))

    def test_figure_and_exports_take_the_same_keywords(self):
        figure = make_statistic().figure_dict(colorbar_y=0.5)
        self.assertEqual(figure["data"][0]["colorbar"]["y"], 0.5)
        self.assertEqual(json.loads(make_statistic().to_json(colorbar_y=0.5)), figure)

    @requires_numpy
    def test_numpy_values(self):
        trace = make_statistic().heatmap_dict(zmid=numpy.float32(1.5), xgap=numpy.int64(2),
                                              meta=numpy.array([1, 2]))
        self.assertEqual((trace["zmid"], trace["xgap"], trace["meta"]), (1.5, 2, [1, 2]))

    @requires_plotly
    def test_plotly_objects_as_values(self):
        from plotly import graph_objects

        trace = make_statistic().heatmap_dict(colorbar=graph_objects.heatmap.ColorBar(len=0.5))
        self.assertEqual(trace["colorbar"]["len"], 0.5)
        self.assertEqual(trace["colorbar"]["title"]["text"], "Entropy (nats)")


class FigureContents(unittest.TestCase):
    def test_layout(self):
        figure = make_statistic().figure_dict(title="Lens <entropy>", token_width=50, height=300)
        layout = figure["layout"]
        self.assertEqual(layout["title"], {"text": "Lens &lt;entropy&gt;", "x": 0.5})
        self.assertEqual(layout["width"], 200 + 50 * 4)
        self.assertEqual(layout["height"], 300)
        self.assertEqual(layout["xaxis"]["title"]["text"], "Input")
        self.assertEqual(layout["yaxis"]["title"]["text"], "Layer")
        self.assertEqual(layout["xaxis"]["type"], "category")
        self.assertEqual(layout["yaxis"]["type"], "category")
        self.assertEqual(figure["data"], [make_statistic().heatmap_dict()])

    def test_defaults(self):
        layout = make_statistic().figure_dict()["layout"]
        self.assertEqual(layout["title"]["text"], "")
        self.assertEqual(layout["width"], 200 + 80 * 4)
        self.assertNotIn("height", layout)

    def test_zero_token_width_is_the_library_error(self):
        with self.assertRaises(ValueError) as caught:
            make_statistic().figure_dict(token_width=0)
        self.assertTrue(str(caught.exception).startswith("trajplot_figure_create:"))
        self.assertIn("token_width must be at least 1, got 0", str(caught.exception))


class ReturnTypes(unittest.TestCase):
    def test_heatmap_and_figure_are_trajplot_objects(self):
        statistic = make_statistic()
        trace = statistic.heatmap(colorbar_y=0.5)
        self.assertIsInstance(trace, trajplot.Heatmap)
        self.assertEqual(trace.to_dict(), statistic.heatmap_dict(colorbar_y=0.5))
        self.assertEqual(trace.to_json(), statistic.to_json(trace_only=True, colorbar_y=0.5))
        figure = statistic.figure("t")
        self.assertIsInstance(figure, trajplot.Figure)
        self.assertEqual(figure.to_dict(), json.loads(statistic.to_json("t")))
        self.assertEqual(figure.to_dict(), statistic.figure_dict("t"))

    def test_plotly_typos_are_only_checked_by_plotly(self):
        self.assertEqual(make_statistic().heatmap(colourbar=1).to_dict()["colourbar"], 1)
        self.assertEqual(make_statistic().figure(colourbar=1).to_dict()["data"][0]["colourbar"], 1)

    @without_plotly
    def test_to_plotly_without_plotly_is_an_import_error_saying_what_works(self):
        for what, convert in (("Figure.to_plotly()", lambda: make_statistic().figure().to_plotly()),
                              ("Heatmap.to_plotly()", lambda: make_statistic().heatmap().to_plotly())):
            with self.subTest(what), self.assertRaises(ImportError) as caught:
                convert()
            self.assertEqual(caught.exception.name, "plotly")
            self.assertIn(what, str(caught.exception))
            self.assertIn("write_html()", str(caught.exception))


class ReturnTypesWithPlotly(unittest.TestCase):
    @requires_plotly
    def test_heatmap_to_plotly_keeps_every_attribute(self):
        from plotly import graph_objects

        plain_statistic = make_statistic(trajectory_labels=None)
        trace = plain_statistic.heatmap(colorbar_y=0.5).to_plotly()
        self.assertIsInstance(trace, graph_objects.Heatmap)
        self.assertEqual(trace.to_plotly_json(), plain_statistic.heatmap_dict(colorbar_y=0.5))
        statistic = make_statistic()
        unvalidated = statistic.heatmap(colorbar_y=0.5).to_plotly(validate=False)
        self.assertIsInstance(unvalidated, graph_objects.Heatmap)
        self.assertEqual(unvalidated.to_plotly_json(), statistic.heatmap_dict(colorbar_y=0.5))
        if plotly_version() >= (5, 5):
            self.assertEqual(statistic.heatmap(colorbar_y=0.5).to_plotly().to_plotly_json(),
                             statistic.heatmap_dict(colorbar_y=0.5))

    @requires_plotly
    def test_the_make_subplots_idiom(self):
        from plotly.subplots import make_subplots

        # Without cell labels any plotly.py holds the trace.
        figure = make_subplots(rows=2, cols=1)
        figure.add_trace(make_statistic(trajectory_labels=None).heatmap().to_plotly(), row=1, col=1)
        figure.add_trace(make_statistic(name="KL", trajectory_labels=None).heatmap().to_plotly(), row=2, col=1)
        self.assertEqual([trace.type for trace in figure.data], ["heatmap", "heatmap"])
        self.assertEqual(figure.data[1].yaxis, "y2")
        labelled = make_statistic().heatmap()
        if plotly_version() >= (5, 5):
            figure.add_trace(labelled.to_plotly(), row=1, col=1)
            self.assertEqual(figure.data[2].texttemplate, "<b>%{text}</b>")
            return
        # plotly.py 5.4 has no heatmap texttemplate: the error says how to
        # stack panels instead.
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            labelled.to_plotly()
        message = str(caught.exception)
        for expected in ("texttemplate", "trajplot.stacked_figure", "Figure.stacked", "validate=False"):
            self.assertIn(expected, message)
        # What make_subplots' figure would have done with the unvalidated trace.
        with self.assertRaisesRegex(ValueError, "texttemplate"):
            figure.add_trace(labelled.to_plotly(validate=False), row=1, col=1)

    @requires_plotly
    def test_figure_to_plotly_keeps_every_attribute(self):
        from plotly import graph_objects

        statistic = make_statistic()
        figure = statistic.figure("Entropy", token_width=60).to_plotly()
        self.assertIsInstance(figure, graph_objects.Figure)
        expected = json.loads(statistic.to_json("Entropy", token_width=60))
        written = json.loads(figure.to_json())
        self.assertEqual(written["data"], expected["data"])
        for key, value in expected["layout"].items():
            self.assertEqual(written["layout"][key], value, key)
        self.assertEqual(figure.to_dict()["data"][0]["texttemplate"], "<b>%{text}</b>")

    @requires_plotly
    def test_figure_without_cell_labels_is_validated(self):
        from plotly import graph_objects

        figure = trajplot.TrajectoryStatistic("Rank", [[1, 2], [3, 4]]).figure().to_plotly()
        self.assertIsInstance(figure, graph_objects.Figure)
        # A validated figure has typed attributes and refuses unknown ones.
        self.assertEqual(figure.layout.xaxis.type, "category")
        self.assertEqual(figure.data[0].colorbar.title.text, "Rank")
        with self.assertRaises(ValueError):
            figure.update_layout(not_an_attribute=1)

    @requires_plotly
    def test_old_plotly_keeps_texttemplate_through_unvalidated_objects(self):
        if plotly_version() >= (5, 5):
            self.skipTest("this plotly.py knows heatmap texttemplate")
        from plotly import graph_objects

        # What plotly.py 5.4 does with the attribute when validating.
        with self.assertRaisesRegex(ValueError, "texttemplate"):
            graph_objects.Figure(make_statistic().figure_dict())
        figure = make_statistic().figure().to_plotly()
        self.assertIn('"texttemplate": "<b>%{text}</b>"', figure.to_json().replace('":"', '": "'))
        self.assertEqual(figure.data[0].colorbar.title.text, "Entropy (nats)")
        # The documented way to place the trace in a figure of one's own.
        own = graph_objects.Figure(data=[make_statistic().heatmap().to_plotly(validate=False)], _validate=False)
        self.assertEqual(own.to_dict()["data"][0]["texttemplate"], "<b>%{text}</b>")

    @requires_plotly
    def test_unknown_keywords_are_errors_as_in_plotly(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "'colourbar'"):
            make_statistic(trajectory_labels=None).heatmap(colourbar=1).to_plotly()
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "'colourbar'"):
            make_statistic().heatmap(colourbar=1).to_plotly()
        with self.assertRaisesRegex(ValueError, "lenn"):
            make_statistic().figure(colorbar_lenn=1).to_plotly()

    @requires_plotly
    def test_plotly_renders_the_figure_text(self):
        import plotly.io

        html = plotly.io.to_html(make_statistic().figure().to_plotly(), include_plotlyjs=False)
        self.assertIn("texttemplate", html)
        self.assertIn("Eiffel", html)


class Inputs(unittest.TestCase):
    @requires_numpy
    def test_numpy_and_list_inputs_draw_the_same_figure(self):
        from_lists = make_statistic()
        from_arrays = trajplot.TrajectoryStatistic(
            "Entropy", numpy.array(STATS, dtype=numpy.float64), numpy.array(TOKENS),
            trajplot.TrajectoryLabels(numpy.array(LABELS), numpy.array(HOVER)), "nats")
        self.assertEqual(from_arrays.to_json(), from_lists.to_json())

    def test_text_is_escaped_for_plotly_but_reads_back_as_given(self):
        statistic = make_statistic()
        self.assertEqual(statistic.heatmap_dict()["x"][1], "&lt;s&gt;")
        self.assertEqual(statistic.sequence_labels[1], "<s>")
        self.assertEqual(statistic.heatmap_dict()["text"][0][3], "&amp;amp;")
        self.assertEqual(plain(statistic.trajectory_labels.label_strings)[0][3], "&amp;")


if __name__ == "__main__":
    unittest.main()
