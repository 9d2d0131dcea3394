"""Stacked figures: several statistics in one figure, one panel each. The
panels' contents are checked against the statistics drawn and the options
given, the layout against the geometry of make_subplots, and the errors
against the library's messages."""
import array
import copy
import io
import json
import math
import os
import pickle
import re
import tempfile
import threading
import unittest

import trajplot
from support import (HAVE_PLOTLY, TOKENS, make_statistic, plain, plotly_version, requires_plotly,
                     without_plotly)

# Exact in float32, and different in every panel, so that a trace shows
# which statistic it draws.
ENTROPY = [[2.5, 3.0, 1.25, 0.5], [1.0, 0.75, 4.0, 2.0], [0.125, 0.25, 0.5, 1.5]]
FORWARD_KL = [[8.0, 4.0, 2.0, 1.0], [0.5, 0.25, 10.0, 100.0], [1000.0, 0.125, 3.0, 5.0]]
CROSS_ENTROPY = [[6.5, 6.0, 5.5, 5.0], [4.5, 4.0, 3.5, 3.0], [2.5, 2.0, 1.5, 1.0]]
# A delta statistic: no output row, so one layer fewer.
DELTA = [[-1.0, 0.5, 0.25, -0.75], [2.0, -2.0, 1.0, 0.0]]

RDBU_R_START = [0, "rgb(5,48,97)"]
VIRIDIS_START = [0, "#440154"]


def four_statistics(with_cell_labels=True):
    """Entropy, Forward KL, Cross Entropy (3 layers) and a delta (2 layers)
    of the same four tokens."""
    def statistic(name, stats, includes_output=True):
        return make_statistic(name=name, stats=stats, includes_output=includes_output,
                              trajectory_labels=None)
    return [
        make_statistic(name="Entropy", stats=ENTROPY) if with_cell_labels else statistic("Entropy", ENTROPY),
        statistic("Forward KL", FORWARD_KL),
        statistic("Cross Entropy", CROSS_ENTROPY),
        statistic("Log Prob Difference", DELTA, includes_output=False),
    ]


def float32_rows(rows):
    """Numbers read from JSON rounded to float32: the library writes the
    shortest decimal that reads back as the same float32."""
    return [array.array("f", row).tolist() for row in rows]


def axis_key(letter, number):
    return "%saxis%s" % (letter, "" if number == 1 else number)


def axis_id(letter, number):
    return "%s%s" % (letter, "" if number == 1 else number)


def domain_of(layout, panel):
    low, high = layout[axis_key("y", panel + 1)]["domain"]
    return low, high


class Panels(unittest.TestCase):
    def test_each_panel_draws_its_statistic_on_its_own_axes(self):
        statistics = four_statistics()
        figure = trajplot.StackedFigure(statistics).figure_dict()
        self.assertEqual(len(figure["data"]), 4)
        for index, (trace, stats) in enumerate(zip(figure["data"], [ENTROPY, FORWARD_KL, CROSS_ENTROPY, DELTA])):
            with self.subTest(panel=index):
                self.assertEqual(trace["type"], "heatmap")
                self.assertEqual(trace["xaxis"], axis_id("x", index + 1))
                self.assertEqual(trace["yaxis"], axis_id("y", index + 1))
                self.assertEqual(trace["z"], stats)
                self.assertEqual(trace["x"], ["The", "&lt;s&gt;", "Tower", "is"])
                self.assertEqual(trace["y"], list(plain(statistics[index].layer_labels)))
                self.assertEqual(trace["colorbar"]["title"]["text"], statistics[index].name + " (nats)")
        # Each panel keeps its own layer labels and cell labels.
        self.assertEqual(figure["data"][0]["y"], ["0", "1", "output"])
        self.assertEqual(figure["data"][3]["y"], ["0", "1"])
        self.assertIn("texttemplate", figure["data"][0])
        self.assertNotIn("texttemplate", figure["data"][1])

    def test_panels_are_stacked_top_to_bottom_with_heights_following_their_rows(self):
        statistics = four_statistics()
        layout = trajplot.StackedFigure(statistics).figure_dict()["layout"]
        heights = []
        above = None
        for panel in range(4):
            low, high = domain_of(layout, panel)
            self.assertLess(low, high)
            if above is None:
                self.assertEqual(high, 1)
            else:
                # make_subplots's default gap between panels: 0.3 / panels.
                self.assertAlmostEqual(above - high, 0.3 / 4, places=12)
            heights.append(high - low)
            above = low
            self.assertEqual(layout[axis_key("y", panel + 1)]["anchor"], axis_id("x", panel + 1))
            self.assertEqual(layout[axis_key("x", panel + 1)]["anchor"], axis_id("y", panel + 1))
        self.assertAlmostEqual(above, 0.0, places=12)
        # 3, 3, 3 and 2 rows: every panel's rows are equally tall.
        row_heights = [height / statistic.shape[0] for height, statistic in zip(heights, statistics)]
        for row_height in row_heights:
            self.assertAlmostEqual(row_height, row_heights[0], places=12)
        self.assertEqual(layout["height"], 150 + 250 * 4)
        self.assertEqual(layout["width"], 200 + 80 * 4)
        # No title: the top margin holds the top panel's title only.
        self.assertEqual(layout["margin"], {"t": 50})

    def test_equal_panel_heights(self):
        layout = trajplot.StackedFigure(four_statistics(), equal_panel_heights=True).figure_dict()["layout"]
        heights = [domain_of(layout, panel)[1] - domain_of(layout, panel)[0] for panel in range(4)]
        for height in heights:
            self.assertAlmostEqual(height, heights[0], places=12)

    def test_x_tick_labels_only_under_the_bottom_panel_and_zoom_shared(self):
        layout = trajplot.StackedFigure(four_statistics()).figure_dict()["layout"]
        for panel in (1, 2, 3):
            xaxis = layout[axis_key("x", panel)]
            self.assertIs(xaxis["showticklabels"], False, panel)
            self.assertEqual(xaxis["matches"], "x4", panel)
            self.assertNotIn("title", xaxis)
        self.assertNotIn("showticklabels", layout["xaxis4"])
        self.assertNotIn("matches", layout["xaxis4"])
        self.assertEqual(layout["xaxis4"]["title"]["text"], "Input")

    def test_titles_are_annotations_over_their_panels(self):
        figure = trajplot.StackedFigure(
            four_statistics(), titles=[None, "KL to the <output>", None, "Delta"],
            title="A sentence & its lens").figure_dict()
        layout = figure["layout"]
        self.assertEqual(layout["title"]["text"], "A sentence &amp; its lens")
        annotations = layout["annotations"]
        self.assertEqual([annotation["text"] for annotation in annotations],
                         ["Entropy", "KL to the &lt;output&gt;", "Cross Entropy", "Delta"])
        for panel, annotation in enumerate(annotations):
            self.assertEqual(annotation["yref"], "paper")
            self.assertEqual(annotation["yanchor"], "bottom")
            self.assertIs(annotation["showarrow"], False)
            self.assertEqual(annotation["y"], domain_of(layout, panel)[1])

    def test_colour_bars_sit_beside_their_panels(self):
        figure = trajplot.StackedFigure(four_statistics()).figure_dict()
        for panel, trace in enumerate(figure["data"]):
            low, high = domain_of(figure["layout"], panel)
            self.assertAlmostEqual(trace["colorbar"]["len"], high - low, places=12)
            self.assertAlmostEqual(trace["colorbar"]["y"], (low + high) / 2, places=12)

    def test_height_width_and_spacing(self):
        layout = trajplot.StackedFigure(four_statistics(), height=900, token_width=50,
                                        vertical_spacing=0.02).figure_dict()["layout"]
        self.assertEqual(layout["height"], 900)
        self.assertEqual(layout["width"], 200 + 50 * len(TOKENS))
        for panel in range(3):
            self.assertAlmostEqual(domain_of(layout, panel)[0] - domain_of(layout, panel + 1)[1], 0.02,
                                   places=12)
        touching = trajplot.StackedFigure(four_statistics(), vertical_spacing=0).figure_dict()["layout"]
        self.assertAlmostEqual(domain_of(touching, 0)[0], domain_of(touching, 1)[1], places=12)

    def test_one_panel_fills_the_figure(self):
        figure = trajplot.StackedFigure([make_statistic()]).figure_dict()
        self.assertEqual(len(figure["data"]), 1)
        self.assertEqual(figure["layout"]["yaxis"]["domain"], [0, 1])
        self.assertEqual(figure["layout"]["xaxis"]["title"]["text"], "Input")

    def test_statistics_of_the_lens_engine(self):
        # 3 layers of 4 positions over a vocabulary of 5 tokens.
        logits = [[[float((layer + 1) * (token - position) % 7) for token in range(5)]
                   for position in range(4)] for layer in range(3)]
        trajectory = trajplot.PredictionTrajectory.from_tensor(
            logits, [0, 1, 2, 3], targets=[1, 2, 3, 4], vocabulary=["a", "b", "c", "d", "e"])
        statistics = [trajectory.entropy(), trajectory.forward_kl(), trajectory.cross_entropy(),
                      trajectory.max_probability()]
        figure = trajplot.StackedFigure(statistics, log_scales=[False, True, False, False]).figure_dict()
        self.assertEqual([trace["colorbar"]["title"]["text"].split(" (")[0] for trace in figure["data"]],
                         [statistic.name for statistic in statistics])
        for panel in (0, 2, 3):
            self.assertEqual(float32_rows(figure["data"][panel]["z"]), plain(statistics[panel].stats))
            self.assertIn("texttemplate", figure["data"][panel])
        self.assertEqual(figure["data"][0]["x"], ["a", "b", "c", "d"])


class PanelOptions(unittest.TestCase):
    def test_each_option_lands_in_its_own_panel(self):
        statistics = four_statistics()
        figure = trajplot.StackedFigure(
            statistics, colorscales=[None, "viridis", "Greys_r", None],
            log_scales=[False, True, False, False],
            extra=[None, None, {"opacity": 0.5, "colorbar_len": 0.25}, None]).figure_dict()
        traces = figure["data"]
        self.assertEqual(traces[0]["colorscale"][0], RDBU_R_START)
        self.assertEqual(traces[1]["colorscale"][0], VIRIDIS_START)
        self.assertEqual(traces[2]["colorscale"],
                         statistics[2].heatmap_dict(colorscale="Greys_r")["colorscale"])
        self.assertEqual(traces[3]["colorscale"][0], RDBU_R_START)

        # Only the second panel is coloured by log10 of its values.
        for row, values in zip(traces[1]["z"], FORWARD_KL):
            for drawn, value in zip(row, values):
                self.assertAlmostEqual(drawn, math.log10(value), places=6)
        self.assertEqual(traces[1]["colorbar"]["tickmode"], "array")
        self.assertEqual(traces[0]["z"], ENTROPY)
        self.assertEqual(traces[2]["z"], CROSS_ENTROPY)
        self.assertNotIn("tickmode", traces[0]["colorbar"])

        # The patch comes after the stacking's settings, in its panel only.
        self.assertEqual(traces[2]["opacity"], 0.5)
        self.assertEqual(traces[2]["colorbar"]["len"], 0.25)
        self.assertEqual(traces[2]["colorbar"]["yanchor"], "middle")
        for panel in (0, 1, 3):
            self.assertNotIn("opacity", traces[panel])
        low, high = domain_of(figure["layout"], 1)
        self.assertAlmostEqual(traces[1]["colorbar"]["len"], high - low, places=12)

    def test_hover_value_shows_each_panels_value_and_units(self):
        figure = trajplot.StackedFigure(four_statistics(), hover_value=True).figure_dict()
        entropy, forward_kl = figure["data"][0], figure["data"][1]
        # Entropy has 2 x 2 hover tables: its value follows them.
        self.assertTrue(entropy["hovertemplate"].startswith("Entropy: %{customdata[4]} nats<br>"))
        self.assertEqual(entropy["customdata"][0][0][4], "2.5")
        self.assertEqual(forward_kl["hovertemplate"], "Forward KL: %{customdata[0]} nats<extra></extra>")
        self.assertEqual(forward_kl["customdata"][1][3], ["100"])
        plain_figure = trajplot.StackedFigure(four_statistics()).figure_dict()
        self.assertNotIn("hovertemplate", plain_figure["data"][1])

    def test_one_value_applies_to_every_panel(self):
        figure = trajplot.StackedFigure(four_statistics()[:3], colorscales="viridis", log_scales=True,
                                        extra={"opacity": 0.75}).figure_dict()
        for trace, stats in zip(figure["data"], [ENTROPY, FORWARD_KL, CROSS_ENTROPY]):
            self.assertEqual(trace["colorscale"][0], VIRIDIS_START)
            self.assertEqual(trace["opacity"], 0.75)
            self.assertAlmostEqual(trace["z"][0][0], math.log10(stats[0][0]), places=6)

    def test_none_in_a_patch_removes_an_attribute(self):
        figure = trajplot.StackedFigure([make_statistic(), make_statistic(name="KL")],
                                        extra=[{"hovertemplate": None}, None])
        traces = figure.figure_dict()["data"]
        self.assertNotIn("hovertemplate", traces[0])
        self.assertIn("hovertemplate", traces[1])

    def test_tuples_and_the_function_spelling(self):
        statistics = four_statistics()
        arguments = dict(titles=("a", "b", "c", "d"), log_scales=(False, True, False, False))
        self.assertEqual(trajplot.stacked_figure(tuple(statistics), **arguments).to_json(),
                         trajplot.StackedFigure(statistics, **{key: list(value) for key, value in arguments.items()})
                         .to_json())

    def test_a_statistic_may_appear_twice(self):
        entropy = make_statistic()
        figure = trajplot.StackedFigure([entropy, entropy], log_scales=[False, True]).figure_dict()
        self.assertEqual(figure["data"][0]["z"], plain(entropy.stats))
        self.assertAlmostEqual(figure["data"][1]["z"][0][0], math.log10(plain(entropy.stats)[0][0]), places=6)


class Files(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.figure = trajplot.StackedFigure(four_statistics(), titles=[None, "KL", None, None],
                                             title="Lens", log_scales=[False, True, False, False])

    def path(self, name):
        return os.path.join(self.directory.name, name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as file:
            return file.read()

    def test_write_json_to_a_path_and_a_file_object(self):
        self.figure.write_json(self.path("figure.json"))
        self.assertEqual(self.read("figure.json"), self.figure.to_json())
        buffer = io.StringIO()
        self.figure.write_json(buffer)
        self.assertEqual(buffer.getvalue(), self.figure.to_json())
        self.assertEqual(json.loads(self.figure.to_json()), self.figure.figure_dict())

    def test_write_html_to_a_path_like_and_a_file_object(self):
        import pathlib

        self.figure.write_html(pathlib.Path(self.path("page.html")), div_id="stack-1")
        self.assertEqual(self.read("page.html"), self.figure.to_html(div_id="stack-1"))
        buffer = io.StringIO()
        self.figure.write_html(buffer, include_plotlyjs=False, full_html=False)
        self.assertEqual(buffer.getvalue(), self.figure.to_html(include_plotlyjs=False, full_html=False))

    def test_the_page_draws_the_figure(self):
        page = self.figure.to_html(include_plotlyjs="cdn")
        self.assertRegex(page, r'<script src="https://cdn\.plot\.ly/plotly-[0-9.]+\.min\.js"')
        self.assertIn("<title>Lens</title>", page)
        self.assertIn('id="trajplot-figure"', page)
        self.assertIn("Plotly.newPlot(", page)
        drawn = re.search(r"var figure = (\{.*\});\n", page)
        self.assertIsNotNone(drawn)
        self.assertEqual(json.loads(drawn.group(1)), self.figure.figure_dict())

    def test_page_title_without_a_figure_title_lists_the_panels(self):
        page = trajplot.StackedFigure(four_statistics()[:2], titles=["<E>", None]).to_html()
        self.assertIn("<title>&lt;E&gt;, Forward KL</title>", page)

    def test_html_options(self):
        fake = self.path("plotly.min.js")
        with open(fake, "w") as file:
            file.write("window.Plotly = {newPlot: function () { return 'fake plotly 5c1e'; }};\n")
        fragment = self.figure.to_html(include_plotlyjs="inline:" + fake, full_html=False, div_id="lens-2",
                                       responsive=True)
        self.assertIn("fake plotly 5c1e", fragment)
        self.assertNotIn("<html", fragment)
        self.assertIn('id="lens-2"', fragment)
        self.assertNotIn("cdn.plot.ly", fragment)
        # The default inlines the same local plotly.js as a single figure's page.
        self.assertEqual(self.figure.to_html(include_plotlyjs=True), self.figure.to_html())
        if trajplot.local_plotlyjs() is not None:
            self.assertNotIn("<script src", self.figure.to_html())

    def test_failed_write_is_an_os_error_and_leaves_no_file(self):
        for method, name in ((self.figure.write_json, "figure.json"), (self.figure.write_html, "page.html")):
            target = self.path(os.path.join("missing-directory", name))
            with self.assertRaises(trajplot.FileWriteError) as caught:
                method(target)
            self.assertIsInstance(caught.exception, OSError)
            self.assertIn("missing-directory", str(caught.exception))
            self.assertFalse(os.path.exists(target))

    def test_a_refused_export_leaves_an_earlier_file_intact(self):
        self.figure.write_json(self.path("figure.json"))
        earlier = self.read("figure.json")
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "no single trace"):
            self.figure.write_json(self.path("figure.json"), trace_only=True)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "div_id"):
            self.figure.write_html(self.path("page.html"), div_id="1 bad")
        self.assertEqual(self.read("figure.json"), earlier)
        self.assertFalse(os.path.exists(self.path("page.html")))
        self.assertEqual(os.listdir(self.directory.name), ["figure.json"])


class LibraryErrors(unittest.TestCase):
    """Checks made by the library when the figure is made: it raises them
    with the library's message, naming the panel, before anything can be
    exported."""

    def assertRefusedWhenMade(self, make, *fragments):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            make()
        message = str(caught.exception)
        self.assertTrue(message.startswith("trajplot_figure_create_stacked: "), message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_a_statistic_of_another_length_names_both_panels(self):
        wide = trajplot.TrajectoryStatistic("Wide", [[1, 2, 3, 4, 5]])
        self.assertRefusedWhenMade(
            lambda: trajplot.StackedFigure([make_statistic(), wide]),
            "panels[1] (Wide) has seq_len 5 but panels[0] (Entropy) has 4; stacked panels share one x axis")

    def test_other_sequence_labels_name_the_position(self):
        other = make_statistic(name="Rank", sequence_labels=["The", "<s>", "Bridge", "is"])
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure([make_statistic(), other]),
                                   "panels[1]'s sequence label at position 2", '"Bridge"', '"Tower"')

    def test_an_unknown_colourscale_names_the_panel(self):
        self.assertRefusedWhenMade(
            lambda: trajplot.StackedFigure(four_statistics(), colorscales=[None, "no-such-scale", None, None]),
            "panels[1] (Forward KL): ", "no-such-scale")

    def test_spacing_out_of_range(self):
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure(four_statistics()[:3], vertical_spacing=0.5),
                                   "vertical_spacing must be in [0, 0.5) for 3 panels, got 0.5")
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure(four_statistics()[:3], vertical_spacing=-0.1),
                                   "vertical_spacing")
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure(four_statistics()[:3],
                                                                  vertical_spacing=float("nan")),
                                   "vertical_spacing")

    def test_a_log_scale_below_a_set_min_of_zero_names_the_panel(self):
        bounded = make_statistic(name="Rank", min=0.0, max=4.0)
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure([make_statistic(), bounded], log_scales=True),
                                   "panels[1] (Rank): log scale needs a positive min, got 0")

    def test_token_width_zero(self):
        self.assertRefusedWhenMade(lambda: trajplot.StackedFigure(four_statistics(), token_width=0),
                                   "token_width must be at least 1, got 0")


class ArgumentErrors(unittest.TestCase):
    """Checks made when the figure is made, before the library is called."""

    def test_no_statistics(self):
        for empty in ([], (), iter([])):
            with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                        "statistics is empty; a stacked figure needs at least one statistic"):
                trajplot.StackedFigure(empty)

    def test_statistics_must_be_a_list_of_statistics(self):
        statistic = make_statistic()
        with self.assertRaisesRegex(TypeError, "not one statistic"):
            trajplot.StackedFigure(statistic)
        with self.assertRaisesRegex(TypeError, "statistics must be a list of TrajectoryStatistic, not int"):
            trajplot.StackedFigure(3)
        with self.assertRaisesRegex(TypeError, "statistics must be a list of TrajectoryStatistic, not str"):
            trajplot.StackedFigure("entropy")
        with self.assertRaisesRegex(TypeError, r"statistics\[1\] must be a TrajectoryStatistic, not dict"):
            trajplot.StackedFigure([statistic, {"name": "KL"}])

    def test_per_panel_lists_need_one_entry_per_statistic(self):
        statistics = four_statistics()[:2]
        cases = {
            "titles": ["E"],
            "colorscales": ["viridis", None, "greys"],
            "log_scales": [True],
            "extra": [{}, {}, {}],
        }
        for name, value in cases.items():
            with self.subTest(option=name):
                with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                    trajplot.StackedFigure(statistics, **{name: value})
                self.assertEqual(str(caught.exception), "%s has %d entries but there are 2 statistics"
                                 % (name, len(value)))

    def test_per_panel_entries_have_types(self):
        statistics = four_statistics()[:2]
        cases = [
            (dict(titles="Entropy"), "title over the whole figure is title="),
            (dict(titles=["E", 3]), r"titles\[1\] must be str or None, not int"),
            (dict(colorscales=["viridis", 7]), r"colorscales\[1\] must be a colourscale name or None, not int"),
            (dict(colorscales=7), "colorscales must be a list of str or None, one per statistic, not int"),
            (dict(log_scales=[True, "no"]), r"log_scales\[1\] must be a bool, not str"),
            (dict(log_scales=1), "log_scales must be a list of bool, one per statistic, not int"),
            (dict(extra=[None, 5]), r"extra\[1\] must be a dict or None, not int"),
            (dict(extra=[{1: 2}, None]), r"extra\[0\] has a key 1 of type int"),
            (dict(extra="opacity"), "extra must be a list of dict or None, one per statistic, not str"),
            (dict(vertical_spacing="0.1"), "vertical_spacing must be a number or None, not str"),
            (dict(vertical_spacing=True), "vertical_spacing must be a number or None, not bool"),
            (dict(title=None), "title must be str, not NoneType"),
            (dict(token_width=2.5), "token_width must be an integer, not float"),
        ]
        for arguments, message in cases:
            with self.subTest(**{key: repr(value) for key, value in arguments.items()}):
                with self.assertRaisesRegex(TypeError, message):
                    trajplot.StackedFigure(statistics, **arguments)

    def test_values_the_c_api_cannot_take(self):
        statistics = four_statistics()[:2]
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"titles\[1\] contains a NUL"):
            trajplot.StackedFigure(statistics, titles=["E", "K\0L"])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "height must not be negative, got -1"):
            trajplot.StackedFigure(statistics, height=-1)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"extra\[0\] cannot be written as JSON"):
            trajplot.StackedFigure(statistics, extra=[{"opacity": float("nan")}, None])

    def test_closed_statistics(self):
        statistics = four_statistics()[:2]
        statistics[1].close()
        with self.assertRaisesRegex(ValueError, r"statistics\[1\] is a closed TrajectoryStatistic"):
            trajplot.StackedFigure(statistics)
        alive = four_statistics()[:2]
        figure = trajplot.StackedFigure(alive)
        expected = figure.to_json()
        alive[0].close()
        # The figure holds its own reference to each statistic.
        self.assertEqual(figure.to_json(), expected)
        self.assertIn("'Entropy'", repr(figure))


class PythonProtocols(unittest.TestCase):
    def test_pickle_rebuilds_the_same_figure(self):
        figure = trajplot.StackedFigure(four_statistics(), titles=[None, "KL", None, None],
                                        colorscales="viridis", log_scales=[False, True, False, False],
                                        extra=[None, {"colorbar_len": 0.5}, None, None], title="T",
                                        token_width=40, height=700, vertical_spacing=0.05)
        rebuilt = pickle.loads(pickle.dumps(figure))
        self.assertIsNot(rebuilt, figure)
        self.assertEqual(rebuilt.to_json(), figure.to_json())

    def test_copies_are_the_object_itself(self):
        figure = trajplot.StackedFigure(four_statistics())
        self.assertIs(copy.copy(figure), figure)
        self.assertIs(copy.deepcopy(figure), figure)

    def test_statistics_len_and_repr(self):
        statistics = four_statistics()
        figure = trajplot.StackedFigure(statistics, titles=[None, "KL", None, None])
        self.assertEqual(figure.statistics, tuple(statistics))
        self.assertEqual(len(figure), 4)
        self.assertIsInstance(figure, trajplot.Figure)
        self.assertTrue(figure.is_stacked)
        self.assertEqual(repr(figure), "<stacked Figure of 4 panels: 'Entropy', 'KL', 'Cross Entropy', "
                                       "'Log Prob Difference'>")

    def test_threads_drawing_one_figure_get_what_one_thread_gets(self):
        figure = trajplot.StackedFigure(four_statistics(), log_scales=[False, True, False, False])
        expected = figure.to_json()
        results = [None] * 8

        def draw(slot):
            results[slot] = figure.to_json()

        threads = [threading.Thread(target=draw, args=(slot,)) for slot in range(len(results))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [expected] * len(results))


class WithPlotly(unittest.TestCase):
    @requires_plotly
    def test_to_plotly_is_a_graph_object_keeping_every_attribute(self):
        from plotly import graph_objects

        stacked = trajplot.StackedFigure(four_statistics(), titles=[None, "KL", None, None],
                                         log_scales=[False, True, False, False])
        figure = stacked.to_plotly()
        self.assertIsInstance(figure, graph_objects.Figure)
        expected = stacked.figure_dict()
        written = json.loads(figure.to_json())
        self.assertEqual(written["data"], expected["data"])
        for key, value in expected["layout"].items():
            self.assertEqual(written["layout"][key], value, key)
        self.assertEqual(figure.layout.xaxis.matches, "x4")
        self.assertEqual(figure.layout.annotations[1].text, "KL")
        self.assertEqual(figure.data[3].yaxis, "y4")

    @requires_plotly
    def test_the_dict_loads_as_a_validated_plotly_figure(self):
        from plotly import graph_objects

        stacked = trajplot.StackedFigure(four_statistics(with_cell_labels=False),
                                         titles=[None, "KL", None, None], title="Lens",
                                         vertical_spacing=0.05)
        figure = graph_objects.Figure(stacked.figure_dict())
        # Validated: the layout's subplot axes and annotations are typed
        # objects, and unknown attributes are refused.
        self.assertEqual(figure.layout.yaxis4.anchor, "x4")
        self.assertEqual(figure.layout.xaxis2.matches, "x4")
        self.assertIs(figure.layout.xaxis3.showticklabels, False)
        self.assertEqual(tuple(figure.layout.yaxis.domain), tuple(stacked.figure_dict()["layout"]["yaxis"]["domain"]))
        self.assertEqual([annotation.text for annotation in figure.layout.annotations],
                         ["Entropy", "KL", "Cross Entropy", "Log Prob Difference"])
        with self.assertRaises(ValueError):
            figure.update_layout(not_an_attribute=1)
        # to_plotly() builds the same validated figure.
        self.assertEqual(stacked.to_plotly().to_dict(), figure.to_dict())

    @requires_plotly
    def test_cell_labels_load_in_plotly(self):
        from plotly import graph_objects

        stacked = trajplot.StackedFigure(four_statistics())
        if plotly_version() >= (5, 5):
            graph_objects.Figure(stacked.figure_dict())
        else:
            with self.assertRaisesRegex(ValueError, "texttemplate"):
                graph_objects.Figure(stacked.figure_dict())
        figure = stacked.to_plotly()
        self.assertEqual(figure.to_dict()["data"][0]["texttemplate"], "<b>%{text}</b>")

    @requires_plotly
    def test_an_extra_attribute_unknown_to_plotly_names_the_panel(self):
        stacked = trajplot.StackedFigure(four_statistics(), extra=[None, {"colourbar": {"len": 1}}, None, None])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, r"^panels\[1\] \(Forward KL\): .*'colourbar'"):
            stacked.to_plotly()
        self.assertEqual(stacked.to_dict()["data"][1]["colourbar"], {"len": 1})

    def test_the_stacked_figure_is_a_trajplot_figure(self):
        stacked = trajplot.stacked_figure(four_statistics())
        self.assertIsInstance(stacked, trajplot.Figure)
        self.assertEqual(stacked.to_dict(), stacked.figure_dict())
        self.assertEqual(stacked.to_dict(), json.loads(stacked.to_json()))

    @without_plotly
    def test_without_plotly_to_plotly_is_an_import_error(self):
        stacked = trajplot.StackedFigure(four_statistics())
        self.assertFalse(HAVE_PLOTLY)
        with self.assertRaisesRegex(ImportError, "plotly.py"):
            stacked.to_plotly()


if __name__ == "__main__":
    unittest.main()
