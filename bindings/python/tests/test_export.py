"""JSON and HTML output: the same bytes as the C library writes for the
same statistic (through the trajplot command-line tool, an independent
caller of the C API), files, and the include_plotlyjs options."""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import trajplot
from support import HOVER, LABELS, STATS, TOKENS, environment_file, make_statistic, run_cli, spec_of

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAKE_PLOTLY = "window.Plotly = {newPlot: function () { return 'fake plotly 7f3a'; }};\n"


def full_spec(**overrides):
    arguments = dict(name="Entropy", stats=STATS, sequence_labels=TOKENS, labels=LABELS,
                     hover=HOVER, units="nats")
    arguments.update(overrides)
    return spec_of(**arguments)


class SameAsTheLibrary(unittest.TestCase):
    def test_figure_json(self):
        self.assertEqual(make_statistic().to_json(), run_cli(self, full_spec()))

    def test_figure_json_with_every_option(self):
        statistic = make_statistic(max=4.5, min=0.1, includes_output=False)
        text = statistic.to_json("Lens & <co>", "Viridis_r", 33, log_scale=True, height=420,
                                 colorbar_len=0.5, textfont={"size": 9})
        expected = run_cli(self, full_spec(max=4.5, min=0.1, includes_output=False),
                           "--title", "Lens & <co>", "--colorscale", "Viridis_r", "--token-width", "33",
                           "--log-scale", "--height", "420",
                           "--extra", json.dumps({"colorbar": {"len": 0.5}, "textfont": {"size": 9}}))
        self.assertEqual(text, expected)

    def test_trace_json(self):
        self.assertEqual(make_statistic().to_json(trace_only=True),
                         run_cli(self, full_spec(), "--trace-only"))

    def test_stride_and_clip(self):
        text = make_statistic().stride(2).clip(0.5, 2.0).to_json()
        self.assertEqual(text, run_cli(self, full_spec(), "--stride", "2", "--clip", "0.5", "2"))

    def test_minimal_statistic_with_gaps_and_layer_labels(self):
        stats = [[1.0, None, 3.0], [0.5, 2.0, None]]
        statistic = trajplot.TrajectoryStatistic("Rank", stats, layer_labels=["emb", "out"])
        self.assertEqual(statistic.to_json(),
                         run_cli(self, spec_of("Rank", stats, layer_labels=["emb", "out"])))

    def test_html_page(self):
        with tempfile.TemporaryDirectory() as directory:
            fake = os.path.join(directory, "plotly.min.js")
            with open(fake, "w") as file:
                file.write(FAKE_PLOTLY)
            html = make_statistic().to_html("T", include_plotlyjs="inline:" + fake, full_html=False,
                                            div_id="lens-1", responsive=True)
            expected = run_cli(self, full_spec(), "--format", "html", "--title", "T",
                               "--plotlyjs", "inline:" + fake, "--html-fragment",
                               "--div-id", "lens-1", "--responsive")
        self.assertEqual(html, expected)


class Files(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def path(self, name):
        return os.path.join(self.directory.name, name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as file:
            return file.read()

    def test_write_json_to_a_path(self):
        statistic = make_statistic()
        statistic.write_json(self.path("figure.json"), "t", colorbar_y=0.2)
        self.assertEqual(self.read("figure.json"), statistic.to_json("t", colorbar_y=0.2))
        statistic.write_json(self.path("trace.json"), trace_only=True)
        self.assertEqual(self.read("trace.json"), statistic.to_json(trace_only=True))

    def test_write_json_to_a_file_object(self):
        buffer = io.StringIO()
        make_statistic().write_json(buffer, "t")
        self.assertEqual(buffer.getvalue(), make_statistic().to_json("t"))

    def test_paths_may_be_path_like(self):
        import pathlib

        make_statistic().write_html(pathlib.Path(self.path("page.html")))
        self.assertIn("<html", self.read("page.html"))

    def test_write_html_defaults_to_a_full_page_inlining_the_local_plotly_js(self):
        statistic = make_statistic()
        statistic.write_html(self.path("page.html"), "Entropy by layer")
        page = self.read("page.html")
        self.assertEqual(page, statistic.to_html("Entropy by layer"))
        self.assertEqual(page, statistic.to_html("Entropy by layer", include_plotlyjs=True))
        self.assertIn("<html", page)
        local = trajplot.local_plotlyjs()
        if local is None:  # a library built without plotly.js
            self.assertRegex(page, r'<script src="https://cdn\.plot\.ly/plotly-[0-9.]+\.min\.js"')
        else:
            with open(local, encoding="utf-8") as file:
                self.assertIn('<script type="text/javascript">' + file.read() + "</script>", page)
            self.assertNotIn("<script src", page)
        self.assertIn('id="trajplot-figure"', page)
        self.assertIn("Entropy by layer", page)

    def test_cdn_is_a_script_src(self):
        page = make_statistic().to_html(include_plotlyjs="cdn")
        self.assertRegex(page, r'<script src="https://cdn\.plot\.ly/plotly-[0-9.]+\.min\.js"')
        self.assertEqual(page.count("<script"), 2)

    def test_environment_variable_names_the_plotly_js_to_inline(self):
        fake = self.path("plotly.min.js")
        with open(fake, "w") as file:
            file.write(FAKE_PLOTLY)
        previous = os.environ.get("TRAJPLOT_PLOTLYJS")
        os.environ["TRAJPLOT_PLOTLYJS"] = fake
        try:
            self.assertEqual(trajplot.local_plotlyjs(), fake)
            self.assertIn("fake plotly 7f3a", make_statistic().to_html())
            os.environ["TRAJPLOT_PLOTLYJS"] = self.path("absent.js")
            with self.assertRaisesRegex(trajplot.FileWriteError, "absent.js.*TRAJPLOT_PLOTLYJS"):
                make_statistic().to_html()
        finally:
            if previous is None:
                del os.environ["TRAJPLOT_PLOTLYJS"]
            else:
                os.environ["TRAJPLOT_PLOTLYJS"] = previous

    def test_without_a_local_copy_pages_load_the_cdn(self):
        # The library alone in a directory of its own: nothing installed
        # beside it. It still looks at the prefix the build is configured
        # for, where a copy may have been installed.
        library = environment_file(self, "TRAJPLOT_LIB_PATH")
        configured = environment_file(self, "TRAJPLOT_CONFIGURED_PLOTLYJS")
        alone = self.path("lib")
        os.mkdir(alone)
        shutil.copy(library, os.path.join(alone, "libtrajplot.so.%d" % trajplot.ABI_VERSION))
        code = ("import trajplot; from support import make_statistic; "
                "print(trajplot.local_plotlyjs()); print(make_statistic().to_html().count('<script src=\"https://cdn.plot.ly/'))")
        environment = {key: value for key, value in os.environ.items() if key != "TRAJPLOT_PLOTLYJS"}
        environment.update(TRAJPLOT_LIB_PATH=alone,
                           PYTHONPATH=os.pathsep.join([PACKAGE_ROOT, os.path.dirname(os.path.abspath(__file__))]))
        result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                                check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        if os.path.isfile(configured):
            self.assertEqual(result.stdout.split(), [configured, "0"])
        else:
            self.assertEqual(result.stdout.split(), ["None", "1"])

    def test_write_html_inline_works_offline(self):
        fake = self.path("plotly.min.js")
        with open(fake, "w") as file:
            file.write(FAKE_PLOTLY)
        make_statistic().write_html(self.path("page.html"), include_plotlyjs="inline:" + fake)
        page = self.read("page.html")
        self.assertIn("fake plotly 7f3a", page)
        self.assertNotIn("cdn.plot.ly", page)
        self.assertNotIn("<script src", page)

    def test_write_html_to_a_file_object(self):
        buffer = io.StringIO()
        make_statistic().write_html(buffer, include_plotlyjs=False, full_html=False)
        self.assertEqual(buffer.getvalue(), make_statistic().to_html(include_plotlyjs=False, full_html=False))

    def test_failed_write_is_an_os_error_and_leaves_no_file(self):
        target = self.path("missing-directory/figure.json")
        with self.assertRaises(OSError) as caught:
            make_statistic().write_json(target)
        self.assertIsInstance(caught.exception, trajplot.FileWriteError)
        self.assertEqual(caught.exception.status, -5)
        self.assertIn("missing-directory", str(caught.exception))
        self.assertFalse(os.path.exists(target))

    def test_failed_render_keeps_the_earlier_file(self):
        make_statistic().write_json(self.path("figure.json"))
        before = self.read("figure.json")
        with self.assertRaises(ValueError):
            make_statistic().write_json(self.path("figure.json"), colorscale="nope")
        self.assertEqual(self.read("figure.json"), before)
        self.assertEqual(os.listdir(self.directory.name), ["figure.json"])

    def test_missing_inline_file_is_an_io_error(self):
        with self.assertRaises(trajplot.FileWriteError):
            make_statistic().to_html(include_plotlyjs="inline:" + self.path("absent.js"))


class IncludePlotlyjs(unittest.TestCase):
    def test_false_loads_nothing(self):
        html = make_statistic().to_html(include_plotlyjs=False, full_html=False)
        self.assertNotIn("<script src", html)
        self.assertNotIn("<html", html)
        self.assertIn("Plotly.newPlot", html)

    def test_src_forms(self):
        for option, url in (("src:https://example.org/p.js", "https://example.org/p.js"),
                            ("vendor/plotly-4.1.2.min.js", "vendor/plotly-4.1.2.min.js")):
            with self.subTest(option=option):
                html = make_statistic().to_html(include_plotlyjs=option)
                self.assertIn('<script src="%s"' % url, html)

    def test_div_id_and_responsive(self):
        html = make_statistic().to_html(div_id="entropy-2", responsive=True)
        self.assertIn('id="entropy-2"', html)
        self.assertNotIn('id="trajplot-figure"', html)

    def test_bad_div_id_is_the_library_error(self):
        with self.assertRaises(trajplot.InvalidArgumentError) as caught:
            make_statistic().to_html(div_id="1 bad")
        self.assertIn("div_id", str(caught.exception))

    def test_hover_value(self):
        statistic = make_statistic()
        trace = json.loads(statistic.to_json(trace_only=True, hover_value=True))
        self.assertEqual(trace["hovertemplate"],
                         "Entropy: %{customdata[4]} nats<br>" + json.loads(statistic.to_json(trace_only=True))[
                             "hovertemplate"])
        self.assertEqual([cell[4] for cell in trace["customdata"][0]], ["2.5", "3", "1.25", "0.5"])
        self.assertEqual(statistic.heatmap_dict(hover_value=True), trace)
        self.assertEqual(statistic.figure_dict(hover_value=True)["data"][0], trace)
        self.assertIn("Entropy: %{customdata[4]} nats", statistic.to_html(hover_value=True))

    def test_unsupported_forms(self):
        with self.assertRaisesRegex(ValueError, "'directory'"):
            make_statistic().to_html(include_plotlyjs="directory")
        with self.assertRaises(TypeError):
            make_statistic().to_html(include_plotlyjs=3)

    def test_nothing_passed_can_close_the_script(self):
        statistic = trajplot.TrajectoryStatistic("</script><!--", [[1.0]], ["</script>"], units="<!--")
        html = statistic.to_html("</script>", colorbar_title_text="</script>")
        body = html.split("<script", 2)[-1]
        self.assertEqual(body.count("</script>"), 1)
        self.assertNotIn("<!--", body)


if __name__ == "__main__":
    unittest.main()
