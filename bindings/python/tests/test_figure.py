"""trajplot.Figure: a figure made once and exported in every format to a
string, a path and a file object (text or binary, streamed), with the same
bytes each way; what it holds; its errors."""
import copy
import gc
import io
import json
import os
import pickle
import tempfile
import threading
import unittest

import trajplot
from support import (HAVE_PLOTLY, TOKENS, make_statistic, plain, requires_plotly, run_cli, spec_of,
                     without_plotly)

KL = [[8.0, 4.0, 2.0, 1.0], [0.5, 0.25, 10.0, 100.0], [1000.0, 0.125, 3.0, 5.0]]


def single():
    return trajplot.Figure(make_statistic(), title="Lens & <co>", colorscale="Viridis_r", token_width=33,
                           height=420, hover_value=True, extra={"colorbar_len": 0.5})


def stacked():
    return trajplot.Figure.stacked([make_statistic(), make_statistic(name="KL", stats=KL, trajectory_labels=None)],
                                   titles=[None, "KL to the output"], log_scales=[False, True], title="Stack")


def large_statistic(layers=32, positions=128):
    """Half a megabyte of JSON, most of it multi-byte UTF-8 (labels and
    hover tables of Japanese and emoji), with a label long enough to be
    written in several pieces, so that pieces of a stream end inside
    characters."""
    stats = [[(layer * positions + position) % 17 / 4.0 for position in range(positions)] for layer in range(layers)]
    labels = [["語%d🙂" % ((layer + position) % 10) for position in range(positions)] for layer in range(layers)]
    labels[1][2] = "長🙂" * 40000
    hover = [[[["日本語%d" % row, "%d.%02d%%" % (row, position % 100)] for row in range(5)]
              for position in range(positions)] for layer in range(layers)]
    return trajplot.TrajectoryStatistic("Entropie ΔH", stats, ["тк%d" % position for position in range(positions)],
                                        trajplot.TrajectoryLabels(labels, hover), units="nats")


# Each format an export may take: (name, to string, write to a file).
FORMATS = [
    ("figure json", lambda figure: figure.to_json(), lambda figure, file: figure.write_json(file)),
    ("trace json", lambda figure: figure.to_json(trace_only=True),
     lambda figure, file: figure.write_json(file, trace_only=True)),
    ("html", lambda figure: figure.to_html(include_plotlyjs="cdn", div_id="lens-1"),
     lambda figure, file: figure.write_html(file, include_plotlyjs="cdn", div_id="lens-1")),
    ("html fragment", lambda figure: figure.to_html(include_plotlyjs=False, full_html=False, responsive=True),
     lambda figure, file: figure.write_html(file, include_plotlyjs=False, full_html=False, responsive=True)),
]


class Recorder:
    """A file object of no io class: records each write, refuses str or
    bytes as asked."""

    def __init__(self, takes=str):
        self.takes = takes
        self.pieces = []

    def write(self, piece):
        if not isinstance(piece, self.takes):
            raise TypeError("write() argument must be %s, not %s" % (self.takes.__name__, type(piece).__name__))
        self.pieces.append(piece)
        return len(piece)

    def value(self):
        return self.takes().join(self.pieces)


class Failing(io.TextIOBase):
    """A text file whose write raises ``error`` at call ``fail_at``."""

    def __init__(self, error, fail_at=0):
        super().__init__()
        self.error = error
        self.fail_at = fail_at
        self.calls = 0
        self.written = []

    def writable(self):
        return True

    def write(self, text):
        self.calls += 1
        if self.calls > self.fail_at:
            raise self.error
        self.written.append(text)
        return len(text)


class SameBytesEverywhere(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def path(self, name):
        return os.path.join(self.directory.name, name)

    def assertSameEverywhere(self, figure, to_string, write):
        expected = to_string(figure)
        encoded = expected.encode("utf-8")
        write(figure, self.path("out"))
        with open(self.path("out"), "rb") as file:
            self.assertEqual(file.read(), encoded, "path")
        import pathlib

        write(figure, pathlib.Path(self.path("out-path-like")))
        with open(self.path("out-path-like"), "rb") as file:
            self.assertEqual(file.read(), encoded, "path-like")
        text, binary = io.StringIO(), io.BytesIO()
        write(figure, text)
        write(figure, binary)
        self.assertEqual(text.getvalue(), expected, "StringIO")
        self.assertEqual(binary.getvalue(), encoded, "BytesIO")
        with open(self.path("text"), "w", encoding="utf-8", newline="") as file:
            write(figure, file)
        with open(self.path("binary"), "wb") as file:
            write(figure, file)
        with open(self.path("raw"), "wb", buffering=0) as file:
            write(figure, file)
        for name in ("text", "binary", "raw"):
            with open(self.path(name), "rb") as file:
                self.assertEqual(file.read(), encoded, name)
        for takes, value in ((str, expected), (bytes, encoded)):
            recorder = Recorder(takes)
            write(figure, recorder)
            self.assertEqual(recorder.value(), value, "a file object taking only %s" % takes.__name__)

    def test_a_figure_of_one_statistic_in_every_format(self):
        figure = single()
        for name, to_string, write in FORMATS:
            with self.subTest(format=name):
                self.assertSameEverywhere(figure, to_string, write)

    def test_a_stacked_figure_in_every_format_but_the_trace(self):
        figure = stacked()
        for name, to_string, write in FORMATS:
            if name != "trace json":
                with self.subTest(format=name):
                    self.assertSameEverywhere(figure, to_string, write)

    def test_the_default_page_inlines_plotly_js_through_a_stream(self):
        figure = single()
        buffer = io.BytesIO()
        figure.write_html(buffer)
        self.assertEqual(buffer.getvalue(), figure.to_html().encode("utf-8"))

    def test_the_statistic_methods_draw_the_same_figure(self):
        statistic = make_statistic()
        figure = trajplot.Figure(statistic, title="t", colorscale="Viridis_r", token_width=33, height=420,
                                 log_scale=True, hover_value=True, extra={"colorbar_len": 0.5})
        options = dict(log_scale=True, height=420, hover_value=True, colorbar_len=0.5)
        self.assertEqual(figure.to_json(), statistic.to_json("t", "Viridis_r", 33, **options))
        self.assertEqual(figure.to_json(trace_only=True),
                         statistic.to_json("t", "Viridis_r", 33, trace_only=True, **options))
        self.assertEqual(figure.to_html(div_id="x"), statistic.to_html("t", "Viridis_r", 33, div_id="x", **options))
        # The trace alone is sized for the cells of the statistic's default figure.
        self.assertEqual(trajplot.Figure(statistic, colorscale="Viridis_r", log_scale=True, hover_value=True,
                                         extra={"colorbar_len": 0.5}).heatmap_dict(),
                         statistic.heatmap_dict("Viridis_r", True, hover_value=True, colorbar_len=0.5))
        self.assertEqual(trajplot.Figure(statistic).to_json(), statistic.to_json())

    def test_the_same_bytes_as_the_command_line_tool(self):
        from support import HOVER, LABELS, STATS

        spec = spec_of("Entropy", STATS, TOKENS, LABELS, HOVER, "nats")
        figure = trajplot.Figure(make_statistic(), title="T", token_width=50, log_scale=True,
                                 extra={"textfont": {"size": 9}})
        self.assertEqual(figure.to_json(), run_cli(self, spec, "--title", "T", "--token-width", "50",
                                                   "--log-scale", "--extra", '{"textfont": {"size": 9}}'))


class Streaming(unittest.TestCase):
    def test_a_large_figure_streams_in_several_pieces(self):
        figure = trajplot.Figure(large_statistic())
        expected = figure.to_json()
        binary = Recorder(bytes)
        figure.write_json(binary)
        self.assertGreater(len(expected.encode("utf-8")), 1 << 19)
        self.assertGreater(len(binary.pieces), 4)
        self.assertEqual(binary.value(), expected.encode("utf-8"))
        # Some piece ends inside a character, so a text file is given
        # decoded text that never splits one.
        def decodes(piece):
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                return False
            return True
        self.assertFalse(all(decodes(piece) for piece in binary.pieces))
        text = Recorder(str)
        figure.write_json(text)
        self.assertGreater(len(text.pieces), 4)
        self.assertEqual(text.value(), expected)
        page = io.StringIO()
        figure.write_html(page, include_plotlyjs=False)
        self.assertEqual(page.getvalue(), figure.to_html(include_plotlyjs=False))

    def test_an_exception_from_write_stops_the_export_and_propagates(self):
        figure = trajplot.Figure(large_statistic())

        class DiskFull(Exception):
            pass

        for fail_at in (0, 2):
            with self.subTest(fail_at=fail_at):
                raised = DiskFull("no space left, 7c2e")
                file = Failing(raised, fail_at)
                with self.assertRaises(DiskFull) as caught:
                    figure.write_json(file)
                self.assertIs(caught.exception, raised)
                self.assertEqual(file.calls, fail_at + 1)  # not called again once it raised
                self.assertEqual(len(file.written), fail_at)
        # The library's own error after a failed stream is not left behind.
        self.assertEqual(trajplot._lib.C.trajplot_error_last(), b"")
        self.assertEqual(figure.to_json(), trajplot.Figure(large_statistic()).to_json())

    def test_builtin_exceptions_of_write_are_not_replaced(self):
        figure = single()
        closed = io.StringIO()
        closed.close()
        with self.assertRaisesRegex(ValueError, "closed file"):
            figure.write_html(closed)
        for error in (OSError(28, "No space left on device"), KeyboardInterrupt()):
            with self.subTest(error=type(error).__name__):
                with self.assertRaises(type(error)) as caught:
                    figure.write_json(Failing(error))
                self.assertIs(caught.exception, error)
                self.assertNotIsInstance(caught.exception, trajplot.TrajplotError)

    def test_a_raw_file_taking_part_of_each_piece_gets_the_rest(self):
        class Trickle(io.RawIOBase):
            def __init__(self):
                super().__init__()
                self.data = bytearray()

            def writable(self):
                return True

            def write(self, piece):
                taken = bytes(piece[:1000])
                self.data += taken
                return len(taken)

        figure = trajplot.Figure(large_statistic(4, 16))
        file = Trickle()
        figure.write_html(file, include_plotlyjs=False)
        self.assertEqual(bytes(file.data), figure.to_html(include_plotlyjs=False).encode("utf-8"))

        class WouldBlock(Trickle):
            def write(self, piece):
                return None

        with self.assertRaises(BlockingIOError):
            figure.write_json(WouldBlock())

    def test_a_file_object_taking_neither_is_the_type_error_of_its_write(self):
        class Neither:
            def write(self, piece):
                raise TypeError("takes only lists")

        with self.assertRaisesRegex(TypeError, "takes only lists"):
            single().write_json(Neither())

    def test_refused_options_write_nothing(self):
        file = Recorder(str)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "div_id"):
            single().write_html(file, div_id="1 bad")
        with self.assertRaises(trajplot.InvalidArgumentError):
            stacked().write_json(file, trace_only=True)
        with self.assertRaisesRegex(trajplot.FileWriteError, "cannot read plotly.js from .*absent.js"):
            single().write_html(file, include_plotlyjs="inline:" + os.path.join(tempfile.gettempdir(), "absent.js"))
        self.assertEqual(file.pieces, [])

    def test_threads_streaming_one_figure(self):
        figure = trajplot.Figure(large_statistic(12, 48))
        expected = figure.to_json()
        results = [None] * 6

        def export(slot):
            buffer = io.StringIO() if slot % 2 else io.BytesIO()
            figure.write_json(buffer)
            value = buffer.getvalue()
            results[slot] = value if isinstance(value, str) else value.decode("utf-8")

        threads = [threading.Thread(target=export, args=(slot,)) for slot in range(len(results))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [expected] * len(results))


class WhatItHolds(unittest.TestCase):
    def test_a_figure_of_one_statistic(self):
        statistic = make_statistic()
        figure = trajplot.Figure(statistic, title="t", token_width=40, height=300)
        self.assertFalse(figure.is_stacked)
        self.assertEqual(len(figure), 1)
        self.assertEqual(figure.statistics, (statistic,))
        self.assertEqual((figure.title, figure.token_width, figure.height), ("t", 40, 300))
        self.assertEqual(trajplot.Figure(statistic).height, None)
        self.assertEqual(repr(figure), "<Figure of 'Entropy', 3 x 4>")
        layout = figure.figure_dict()["layout"]
        self.assertEqual((layout["width"], layout["height"]), (200 + 40 * 4, 300))

    def test_a_stacked_figure(self):
        figure = stacked()
        self.assertTrue(figure.is_stacked)
        self.assertEqual(len(figure), 2)
        self.assertEqual([statistic.name for statistic in figure.statistics], ["Entropy", "KL"])
        self.assertEqual(repr(figure), "<stacked Figure of 2 panels: 'Entropy', 'KL to the output'>")
        one = trajplot.stacked_figure([make_statistic()])
        self.assertTrue(one.is_stacked)
        self.assertEqual(len(one), 1)
        self.assertEqual(repr(one), "<stacked Figure of 1 panel: 'Entropy'>")
        self.assertIsInstance(trajplot.StackedFigure([make_statistic()]), trajplot.Figure)

    def test_the_trace_of_a_stacked_figure_is_the_invalid_argument_error(self):
        figure = stacked()
        with tempfile.TemporaryDirectory() as directory:
            exports = [lambda: figure.to_json(trace_only=True), figure.heatmap_dict, figure.heatmap,
                       lambda: figure.write_json(os.path.join(directory, "trace.json"), trace_only=True),
                       lambda: figure.write_json(io.BytesIO(), trace_only=True)]
            for export in exports:
                with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                    export()
                self.assertIsInstance(caught.exception, ValueError)
                self.assertEqual(caught.exception.status, -2)
                self.assertIn("a stacked figure of 2 panels has no single trace", str(caught.exception))
            self.assertEqual(os.listdir(directory), [])

    def test_the_figure_keeps_its_statistics_alive(self):
        statistic = make_statistic()
        expected = statistic.to_json()
        figure = trajplot.Figure(statistic)
        stack = trajplot.Figure.stacked([statistic, make_statistic(name="KL", stats=KL)])
        expected_stack = stack.to_json()
        statistic.close()  # frees this object's handle; the figures hold their own
        del statistic
        gc.collect()
        self.assertEqual(figure.to_json(), expected)
        self.assertEqual(stack.to_json(), expected_stack)
        self.assertEqual(repr(figure), "<Figure of 'Entropy', 3 x 4>")
        # A figure of a statistic no Python object refers to.
        strided = trajplot.Figure(make_statistic().stride(2))
        gc.collect()
        self.assertEqual(strided.to_json(), make_statistic().stride(2).to_json())

    def test_close_and_with(self):
        with single() as figure:
            self.assertFalse(figure.closed)
        self.assertTrue(figure.closed)
        figure.close()
        with self.assertRaisesRegex(ValueError, "closed Figure"):
            figure.to_json()
        with self.assertRaisesRegex(ValueError, "closed Figure"):
            figure.write_json(io.StringIO())
        self.assertEqual(repr(figure), "<closed Figure>")

    def test_copies_and_pickles(self):
        for figure in (single(), stacked()):
            with self.subTest(figure=repr(figure)):
                self.assertIs(copy.copy(figure), figure)
                self.assertIs(copy.deepcopy(figure), figure)
                rebuilt = pickle.loads(pickle.dumps(figure))
                self.assertIsNot(rebuilt, figure)
                self.assertEqual(rebuilt.to_json(), figure.to_json())
                self.assertEqual(repr(rebuilt), repr(figure))


class Arguments(unittest.TestCase):
    def test_what_the_constructor_takes(self):
        with self.assertRaisesRegex(TypeError, r"several statistics are stacked with Figure\.stacked"):
            trajplot.Figure([make_statistic(), make_statistic()])
        with self.assertRaisesRegex(TypeError, "statistic must be a TrajectoryStatistic, not dict"):
            trajplot.Figure({"name": "Entropy"})
        with self.assertRaisesRegex(TypeError, "not one statistic"):
            trajplot.Figure.stacked(make_statistic())
        closed = make_statistic()
        closed.close()
        with self.assertRaisesRegex(ValueError, "closed TrajectoryStatistic"):
            trajplot.Figure(closed)
        with self.assertRaisesRegex(TypeError, "extra must be a dict or None, not str"):
            trajplot.Figure(make_statistic(), extra="opacity")
        with self.assertRaisesRegex(TypeError, "title must be str, not NoneType"):
            trajplot.Figure(make_statistic(), title=None)
        with self.assertRaisesRegex(TypeError, "token_width must be an integer, not float"):
            trajplot.Figure(make_statistic(), token_width=2.5)

    def test_the_library_checks_the_options_when_the_figure_is_made(self):
        cases = [
            (dict(colorscale="no-such-scale"), 'unknown colorscale "no-such-scale"'),
            (dict(token_width=0), "token_width must be at least 1, got 0"),
            (dict(extra={"hovertemplate": float("nan")}), "extra cannot be written as JSON"),
        ]
        for options, message in cases:
            with self.subTest(**{key: repr(value) for key, value in options.items()}):
                with self.assertRaisesRegex(trajplot.InvalidArgumentError, message):
                    trajplot.Figure(make_statistic(), **options)
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            trajplot.Figure(make_statistic(min=0.0, max=4.0), log_scale=True)
        self.assertTrue(str(caught.exception).startswith("trajplot_figure_create: "), str(caught.exception))
        with self.assertRaises(trajplot.SizeOverflowError):
            trajplot.Figure(make_statistic(), token_width=trajplot._arrays.SIZE_MAX)

    def test_extra_takes_the_keyword_style(self):
        trace = trajplot.Figure(make_statistic(), extra={"colorbar_y": 0.89, "textfont": {"size": 10},
                                                         "hovertemplate": None}).heatmap_dict()
        self.assertEqual(trace["colorbar"]["y"], 0.89)
        self.assertEqual(trace["colorbar"]["title"]["text"], "Entropy (nats)")
        self.assertEqual(trace["textfont"], {"size": 10})
        self.assertNotIn("hovertemplate", trace)


class Updates(unittest.TestCase):
    def test_magic_underscores_as_plotly_reads_them(self):
        figure = single().update_layout(title_font_size=14, paper_bgcolor="white", plot_bgcolor="black",
                                        xaxis_title_text="Tokens", margin_t=30)
        layout = figure.to_dict()["layout"]
        # Dicts merge: the title keeps its text and place.
        self.assertEqual(layout["title"], {"text": "Lens &amp; &lt;co&gt;", "x": 0.5, "font": {"size": 14}})
        self.assertEqual((layout["paper_bgcolor"], layout["plot_bgcolor"]), ("white", "black"))
        self.assertEqual(layout["xaxis"], {"title": {"text": "Tokens"}, "type": "category"})
        self.assertEqual(layout["margin"], {"t": 30})

    def test_a_dict_with_nested_paths_and_keywords_after_it(self):
        figure = single().update_layout({"title.font.size": 10, "yaxis": {"title_font_color": "red"},
                                         "annotations": [{"font_size": 9}]},
                                        title_font_size=11)
        layout = figure.to_dict()["layout"]
        self.assertEqual(layout["title"]["font"], {"size": 11})
        self.assertEqual(layout["yaxis"]["title"], {"text": "Layer", "font": {"color": "red"}})
        self.assertEqual(layout["annotations"], [{"font": {"size": 9}}])

    def test_a_title_given_as_text_and_none_removing(self):
        figure = single().update_layout(title="New <b>title</b>", xaxis_title=None, yaxis=dict(title="L"))
        layout = figure.to_dict()["layout"]
        self.assertEqual(layout["title"], {"text": "New <b>title</b>", "x": 0.5})
        self.assertNotIn("title", layout["xaxis"])
        self.assertEqual(layout["yaxis"]["title"], {"text": "L"})
        # The page's <title> follows the new title's text.
        self.assertIn("<title>New &lt;b&gt;title&lt;/b&gt;</title>", figure.to_html(include_plotlyjs=False))

    def test_a_new_figure_each_time_and_chaining(self):
        figure = single()
        before = figure.to_json()
        changed = figure.update_layout(height=600).update_traces(zsmooth="best").update_layout(width=900)
        self.assertIsInstance(changed, trajplot.Figure)
        self.assertIsNot(changed, figure)
        self.assertEqual(figure.to_json(), before)
        data = changed.to_dict()
        self.assertEqual((data["layout"]["height"], data["layout"]["width"]), (600, 900))
        self.assertEqual(data["data"][0]["zsmooth"], "best")
        # Earlier changes stay: the extra of the constructor, then each update.
        self.assertEqual(data["data"][0]["colorbar"]["len"], 0.5)
        self.assertEqual(changed.heatmap_dict()["zsmooth"], "best")
        self.assertEqual(repr(changed), repr(figure))

    def test_updates_survive_pickling(self):
        figure = stacked().update_layout(title_font_size=12).update_traces(zsmooth="best", row=2)
        rebuilt = pickle.loads(pickle.dumps(figure))
        self.assertEqual(rebuilt.to_json(), figure.to_json())

    def test_update_traces_and_the_panels_it_changes(self):
        figure = stacked()
        every = figure.update_traces(colorbar_thickness=10).to_dict()["data"]
        self.assertEqual([trace["colorbar"]["thickness"] for trace in every], [10, 10])
        # The stacking's own colour bar settings stay unless changed.
        self.assertEqual(every[1]["colorbar"]["yanchor"], "middle")
        for selected in (dict(selector=1), dict(selector=-1), dict(row=2), dict(selector=[1])):
            with self.subTest(**selected):
                data = figure.update_traces(zsmooth="best", **selected).to_dict()["data"]
                self.assertEqual(["zsmooth" in trace for trace in data], [False, True])
        with self.assertRaises(IndexError):
            figure.update_traces(zsmooth="best", row=3)
        with self.assertRaises(IndexError):
            figure.update_traces(zsmooth="best", selector=2)
        with self.assertRaises(TypeError):
            figure.update_traces(zsmooth="best", selector={"type": "heatmap"})

    def test_layout_given_when_the_figure_is_made(self):
        made = trajplot.Figure(make_statistic(), title="t", layout={"title_font_size": 14})
        self.assertEqual(made.to_dict(), trajplot.Figure(make_statistic(), title="t")
                         .update_layout(title_font_size=14).to_dict())
        stack = trajplot.stacked_figure([make_statistic(), make_statistic()], layout=dict(font_family="Arial"))
        self.assertEqual(stack.to_dict()["layout"]["font"], {"family": "Arial"})

    def test_what_update_refuses(self):
        figure = single()
        for key in ("title__text", "_title", "title_", "annotations_0_text"):
            with self.subTest(key=key), self.assertRaises(trajplot.InvalidArgumentError):
                figure.update_layout({key: 1})
        with self.assertRaises(TypeError):
            figure.update_layout(["title"])
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "layout cannot be written as JSON"):
            figure.update_layout(width=float("nan"))
        statistic = make_statistic()
        closed = trajplot.Figure(statistic)
        statistic.close()
        with self.assertRaisesRegex(ValueError, "closed TrajectoryStatistic"):
            closed.update_layout(width=100)


class PlotlyObjects(unittest.TestCase):
    @requires_plotly
    def test_to_plotly_gives_graph_objects(self):
        from plotly import graph_objects

        figure = single()
        drawn = figure.to_plotly()
        self.assertIsInstance(drawn, graph_objects.Figure)
        self.assertEqual(json.loads(drawn.to_json())["data"], figure.to_dict()["data"])
        trace = figure.heatmap()
        self.assertIsInstance(trace, trajplot.Heatmap)
        self.assertEqual(trace.to_plotly(validate=False).to_plotly_json(), figure.heatmap_dict())
        self.assertEqual(stacked().to_plotly().layout.annotations[1].text, "KL to the output")

    @requires_plotly
    def test_an_extra_attribute_unknown_to_plotly_is_an_error_of_to_plotly(self):
        figure = trajplot.Figure(make_statistic(), extra={"colourbar": {"len": 1}})
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "'colourbar'"):
            figure.to_plotly()
        self.assertEqual(figure.to_dict()["data"][0]["colourbar"], {"len": 1})

    @requires_plotly
    def test_a_layout_attribute_unknown_to_plotly_is_an_error_of_to_plotly(self):
        figure = single().update_layout(colourway=["red"])
        self.assertEqual(figure.to_dict()["layout"]["colourway"], ["red"])
        with self.assertRaisesRegex(ValueError, "colourway"):
            figure.to_plotly()

    def test_figure_is_deprecated_for_to_plotly_and_to_dict(self):
        figure = single()
        with self.assertWarnsRegex(DeprecationWarning, r"Figure\.to_plotly\(\)"):
            old = figure.figure()
        if HAVE_PLOTLY:
            self.assertEqual(old.to_dict(), figure.to_plotly().to_dict())
        else:
            self.assertEqual(old, figure.to_dict())
        self.assertEqual(figure.figure_dict(), figure.to_dict())

    @without_plotly
    def test_without_plotly_only_to_plotly_needs_it(self):
        self.assertFalse(HAVE_PLOTLY)
        for figure in (single(), stacked()):
            with self.subTest(figure=repr(figure)):
                with self.assertRaises(ImportError) as caught:
                    figure.to_plotly()
                self.assertIn("plotly.py", str(caught.exception))
                self.assertEqual(figure.to_dict(), json.loads(figure.to_json()))
                self.assertIn("text/html", figure._repr_mimebundle_(include={"text/html"}))
        trace = single().heatmap()
        self.assertEqual(plain(trace.to_dict()["y"]), ["0", "1", "output"])
        with self.assertRaises(ImportError):
            trace.to_plotly()


class HeatmapObjects(unittest.TestCase):
    def test_what_a_heatmap_holds(self):
        statistic = make_statistic()
        trace = statistic.heatmap(colorscale="viridis", colorbar_len=0.5)
        self.assertIs(trace.statistic, statistic)
        self.assertEqual(repr(trace), "<Heatmap of 'Entropy', 3 x 4>")
        self.assertEqual(trace.to_dict(), statistic.heatmap_dict(colorscale="viridis", colorbar_len=0.5))
        self.assertEqual(json.loads(trace.to_json()), trace.to_dict())
        buffer = io.StringIO()
        trace.write_json(buffer)
        self.assertEqual(buffer.getvalue(), trace.to_json())
        with self.assertRaisesRegex(TypeError, "TrajectoryStatistic.heatmap"):
            trajplot.Heatmap(statistic)

    def test_update_returns_a_new_heatmap(self):
        trace = make_statistic().heatmap()
        changed = trace.update({"colorbar": {"title_text": "H"}}, zsmooth="best")
        self.assertIsInstance(changed, trajplot.Heatmap)
        self.assertEqual(changed.to_dict()["colorbar"]["title"], {"text": "H", "side": "right"})
        self.assertEqual(changed.to_dict()["zsmooth"], "best")
        self.assertNotIn("zsmooth", trace.to_dict())

    def test_close_copies_and_pickles(self):
        trace = make_statistic().heatmap(colorbar_y=0.25)
        self.assertIs(copy.copy(trace), trace)
        rebuilt = pickle.loads(pickle.dumps(trace))
        self.assertEqual(rebuilt.to_json(), trace.to_json())
        with trace:
            self.assertFalse(trace.closed)
        self.assertTrue(trace.closed)
        self.assertEqual(repr(trace), "<closed Heatmap>")
        with self.assertRaisesRegex(ValueError, "closed Figure"):
            trace.to_dict()


if __name__ == "__main__":
    unittest.main()
