"""Figures in notebooks and browsers without plotly.py: the forms a
notebook gets (_repr_mimebundle_, _repr_html_), plotly.js carried once, and
show(). tests/browser/notebook_page.mjs draws such a notebook in Chromium."""
import contextlib
import json
import os
import re
import sys
import tempfile
import types
import unittest
from unittest import mock

import trajplot
from support import make_statistic

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
FAKE_PLOTLY = "window.Plotly = {newPlot: function () {}}; /* fake plotly.js 51c7 */\n"
LOADER_MARK = "plotly.js for trajplot's figures"


@contextlib.contextmanager
def plotlyjs_file(text=FAKE_PLOTLY):
    """TRAJPLOT_PLOTLYJS naming a plotly.js holding ``text``."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "plotly.min.js")
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        with mock.patch.dict(os.environ, {"TRAJPLOT_PLOTLYJS": path}):
            yield path


def figure_in(html):
    """The figure the HTML hands to plotly.js, read back as JSON."""
    found = re.search(r"var figure = (.*);\n  var config = ", html)
    return json.loads(found.group(1))


def notebook_modules(display):
    """Stand-ins for IPython in a kernel, ``display`` receiving what is
    displayed."""
    ipython = types.ModuleType("IPython")
    shell = types.SimpleNamespace(kernel=object())
    ipython.get_ipython = lambda: shell
    ipython_display = types.ModuleType("IPython.display")
    ipython_display.display = display
    ipython.display = ipython_display
    return {"IPython": ipython, "IPython.display": ipython_display}


class MimeBundle(unittest.TestCase):
    def setUp(self):
        trajplot.reset_notebook()
        self.addCleanup(trajplot.reset_notebook)

    def test_the_plotly_mimetype_is_the_figure_with_its_config(self):
        figure = make_statistic().figure(title="Entropy")
        bundle = figure._repr_mimebundle_()
        self.assertEqual(set(bundle), {PLOTLY_MIMETYPE, "text/html", "text/plain"})
        self.assertEqual(bundle[PLOTLY_MIMETYPE], dict(figure.to_dict(), config={"responsive": False}))
        # The kernel sends it as JSON.
        self.assertEqual(json.loads(json.dumps(bundle[PLOTLY_MIMETYPE])), bundle[PLOTLY_MIMETYPE])
        self.assertEqual(bundle["text/plain"], "<Figure of 'Entropy', 3 x 4>")
        stacked = trajplot.stacked_figure([make_statistic(), make_statistic(name="KL")])
        self.assertEqual(len(stacked._repr_mimebundle_()[PLOTLY_MIMETYPE]["data"]), 2)

    def test_the_html_draws_the_figure_it_holds_in_its_own_element(self):
        figure = make_statistic().figure().update_layout(title_text="Changed")
        with plotlyjs_file():
            first = figure._repr_mimebundle_()["text/html"]
            second = figure._repr_mimebundle_()["text/html"]
        for html in (first, second):
            self.assertEqual(figure_in(html), figure.to_dict())
        ids = [re.search(r'<div id="(trajplot-[0-9a-f]+)" class="plotly-graph-div">', html).group(1)
               for html in (first, second)]
        self.assertNotEqual(ids[0], ids[1])
        self.assertIn('document.getElementById("%s")' % ids[1], second)
        self.assertIn("Plotly.newPlot(div, figure.data, figure.layout, config)", second)

    def test_the_first_figure_carries_plotly_js_later_ones_use_it(self):
        figure = make_statistic().figure()
        with plotlyjs_file():
            pages = [figure._repr_mimebundle_()["text/html"] for _ in range(3)]
            trajplot.reset_notebook()
            again = figure._repr_html_()
        self.assertEqual([page.count("fake plotly.js 51c7") for page in pages], [1, 0, 0])
        self.assertEqual(again.count("fake plotly.js 51c7"), 1)
        # Run with the AMD and CommonJS names hidden, keeping a plotly.js
        # that was on the page before as window.Plotly.
        self.assertIn("(function (define, require, module, exports) {\n" + FAKE_PLOTLY, pages[0])
        self.assertIn("if (window.trajplotPlotly) return;", pages[0])
        self.assertIn("if (previous) window.Plotly = previous;", pages[0])
        self.assertIn("window.trajplotPlotly || window.Plotly", pages[1])

    def test_the_installed_plotly_js_is_the_default(self):
        local = trajplot.local_plotlyjs()
        if local is None:
            self.skipTest("this library has no local plotly.js")
        with open(local, encoding="utf-8") as file:
            head = file.read(300)
        html = make_statistic().figure()._repr_html_()
        self.assertEqual(html.count(head), 1)
        self.assertEqual(html.count(LOADER_MARK), 1)

    def test_without_a_local_plotly_js_the_cdn_is_loaded(self):
        with mock.patch("trajplot._figure.local_plotlyjs", return_value=None):
            html = make_statistic().figure()._repr_html_()
        self.assertRegex(html, r'<script src="https://cdn\.plot\.ly/plotly-[0-9.]+\.min\.js"')
        self.assertNotIn(LOADER_MARK, html)

    def test_a_plotly_js_that_cannot_be_inlined_is_an_error(self):
        with plotlyjs_file("var a = '</script>';\n"):
            with self.assertRaisesRegex(trajplot.InvalidArgumentError, "cannot be inlined"):
                make_statistic().figure()._repr_html_()
        with mock.patch.dict(os.environ, {"TRAJPLOT_PLOTLYJS": os.path.join(tempfile.gettempdir(), "absent.js")}):
            with self.assertRaisesRegex(trajplot.FileWriteError, "cannot read plotly.js from .*absent.js"):
                make_statistic().figure()._repr_html_()

    def test_text_cannot_end_the_script_or_open_a_comment(self):
        hostile = "</script><script>alert(1)</script><!--"
        statistic = trajplot.TrajectoryStatistic(
            hostile, [[1.0, 2.0]], [hostile, "\u2028"],
            trajectory_labels=trajplot.TrajectoryLabels([[hostile, "&amp;"]]), units=hostile)
        figure = statistic.figure(title=hostile, hovertemplate=hostile)
        with plotlyjs_file():
            html = figure._repr_mimebundle_()["text/html"]
        self.assertNotIn("alert(1)</script>", html)
        self.assertNotIn("<!--", html)
        self.assertNotIn("\u2028", html)
        self.assertEqual(html.count("</script>"), 2)  # plotly.js's, the figure's
        self.assertEqual(figure_in(html), figure.to_dict())

    def test_include_and_exclude_choose_the_forms(self):
        figure = make_statistic().figure()
        with plotlyjs_file():
            self.assertEqual(set(figure._repr_mimebundle_(include={"text/plain"})), {"text/plain"})
            self.assertEqual(set(figure._repr_mimebundle_(exclude={"text/html", "text/plain"})),
                             {PLOTLY_MIMETYPE})
            # plotly.js goes with the first HTML actually given.
            html = figure._repr_mimebundle_(include={"text/html"})
            self.assertEqual(set(html), {"text/html"})
            self.assertIn("fake plotly.js 51c7", html["text/html"])


class Show(unittest.TestCase):
    def test_outside_a_notebook_the_page_opens_in_the_browser(self):
        figure = make_statistic().figure(title="Shown")
        opened = []
        with mock.patch("webbrowser.open", side_effect=lambda url: opened.append(url) or True):
            self.assertIsNone(figure.show())
        self.assertEqual(len(opened), 1)
        self.assertTrue(opened[0].startswith("file:///"), opened[0])
        path = opened[0][len("file://"):]
        self.addCleanup(os.remove, path)
        self.assertTrue(path.endswith(".html"))
        with open(path, encoding="utf-8") as file:
            self.assertEqual(file.read(), figure.to_html())

    def test_without_a_browser_the_file_is_named(self):
        figure = make_statistic().figure()
        with mock.patch("webbrowser.open", return_value=False):
            with self.assertWarnsRegex(RuntimeWarning, "no web browser") as caught:
                figure.show()
        path = re.search(r"the figure is in (\S+)", str(caught.warning)).group(1)
        self.addCleanup(os.remove, path)
        self.assertTrue(os.path.exists(path))

    def test_in_a_notebook_it_is_displayed(self):
        figure = make_statistic().figure()
        displayed = []
        with mock.patch.dict(sys.modules, notebook_modules(displayed.append)):
            with mock.patch("webbrowser.open") as browser:
                figure.show()
        self.assertEqual(displayed, [figure])
        browser.assert_not_called()

    def test_a_terminal_ipython_is_not_a_notebook(self):
        modules = notebook_modules(lambda value: self.fail("displayed in a terminal"))
        modules["IPython"].get_ipython = lambda: types.SimpleNamespace()
        with mock.patch.dict(sys.modules, modules):
            with mock.patch("webbrowser.open", return_value=True) as browser:
                make_statistic().figure().show()
        path = browser.call_args[0][0][len("file://"):]
        self.addCleanup(os.remove, path)


if __name__ == "__main__":
    unittest.main()
