"""Images the library draws itself: Figure.to_image() and write_image() in
SVG, PNG and PDF, to bytes, paths and file objects; their sizes and scale;
the errors for formats, scales and text files."""
import io
import math
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ElementTree

import trajplot
from trajplot import _lib
from support import LABELS, TOKENS, make_statistic, require_image_format

TITLE = "Entropy & <layers>"  # markup characters, escaped in SVG
WIDTH, HEIGHT = 240, 300  # 200 + token_width 10 * 4 positions; the height asked for
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def make_figure(**overrides):
    arguments = dict(title=TITLE, token_width=10, height=HEIGHT)
    arguments.update(overrides)
    return trajplot.Figure(make_statistic(), **arguments)


def png_size(test, data):
    """(width, height) from a PNG's IHDR chunk, after checking that the
    data is a whole PNG: the signature, IHDR first, IEND last."""
    test.assertEqual(data[:8], PNG_SIGNATURE)
    length, kind, width, height = struct.unpack(">I4sII", data[8:24])
    test.assertEqual((length, kind), (13, b"IHDR"))
    test.assertEqual(data[-12:], b"\x00\x00\x00\x00IEND\xaeB`\x82")
    return width, height


def svg_root(test, data):
    root = ElementTree.fromstring(data)
    test.assertEqual(root.tag, SVG_NAMESPACE + "svg")
    return root


def pdf_size(test, data):
    """The page size of a whole one-page PDF, in points."""
    test.assertTrue(data.startswith(b"%PDF-"), data[:16])
    test.assertIn(b"%%EOF", data[-32:])
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", data)
    test.assertEqual(len(boxes), 1, boxes)
    return tuple(float(number) for number in boxes[0])


class ImageModule(unittest.TestCase):
    """PNG and PDF are drawn by the image module, which the library loads
    the first time a program asks for either: importing trajplot and
    exporting JSON, HTML or SVG load no Cairo."""

    def test_cairo_loads_with_the_first_png_only(self):
        require_image_format(self, "png")
        script = (
            "import sys, trajplot\n"
            "def cairo_loaded():\n"
            "    with open('/proc/self/maps') as maps:\n"
            "        return 'libcairo' in maps.read()\n"
            "figure = trajplot.Figure(trajplot.TrajectoryStatistic('Entropy', [[1.0, 2.0]], ['a', 'b']))\n"
            "figure.to_json(); figure.to_html(); figure.to_image('svg')\n"
            "before = cairo_loaded()\n"
            "figure.to_image('png')\n"
            "print(before, cairo_loaded())\n")
        # The package this run tests, and its library (TRAJPLOT_LIB_PATH).
        environment = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(trajplot.__file__)))
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                                env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["False", "True"])


class Formats(unittest.TestCase):
    def test_image_formats_are_what_the_library_says(self):
        formats = trajplot.image_formats()
        self.assertIsInstance(formats, tuple)
        self.assertIn("svg", formats)
        codes = {"svg": _lib.FORMAT_SVG, "png": _lib.FORMAT_PNG, "pdf": _lib.FORMAT_PDF}
        self.assertEqual(formats, tuple(name for name in ("svg", "png", "pdf")
                                        if _lib.C.trajplot_format_available(codes[name])))

    def test_the_other_formats_are_always_available_and_unknown_ones_never(self):
        for code in (_lib.FORMAT_FIGURE_JSON, _lib.FORMAT_TRACE_JSON, _lib.FORMAT_HTML, _lib.FORMAT_SVG):
            self.assertTrue(_lib.C.trajplot_format_available(code), code)
        for code in (-1, 6, 99):
            self.assertFalse(_lib.C.trajplot_format_available(code), code)

    def test_a_format_the_library_lacks_is_its_error(self):
        # Runs only against a library built without Cairo; nothing to do otherwise.
        for name in ("png", "pdf"):
            if name in trajplot.image_formats():
                continue
            with self.subTest(format=name), tempfile.TemporaryDirectory() as directory:
                figure = make_figure()
                with self.assertRaises(trajplot.TrajplotError):
                    figure.to_image(name)
                path = os.path.join(directory, "figure." + name)
                with self.assertRaises(trajplot.TrajplotError):
                    figure.write_image(path)
                self.assertEqual(os.listdir(directory), [])
                buffer = io.BytesIO()
                with self.assertRaises(trajplot.TrajplotError):
                    figure.write_image(buffer, name)
                self.assertEqual(buffer.getvalue(), b"")


class Svg(unittest.TestCase):
    def test_to_image_is_an_svg_document_with_the_text_of_the_figure(self):
        data = make_figure().to_image("svg")
        self.assertIsInstance(data, bytes)
        text = "".join(svg_root(self, data).itertext())
        self.assertIn(TITLE, text)
        self.assertIn("Entropy (nats)", text)
        for label in (label for row in LABELS for label in row):
            self.assertIn(label, text)
        # At 80 pixels a token every tick is labelled ("<s>" escaped in the document).
        wide = "".join(svg_root(self, trajplot.Figure(make_statistic()).to_image("svg")).itertext())
        for token in TOKENS:
            self.assertIn(token, wide)

    def test_write_image_to_a_path_by_its_extension(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            for path in (os.path.join(directory, "figure.svg"), pathlib.Path(directory, "FIGURE.SVG")):
                figure.write_image(path)
                with open(path, "rb") as file:
                    self.assertEqual(file.read(), figure.to_image("svg"))

    def test_write_image_to_binary_and_text_file_objects(self):
        figure = make_figure()
        expected = figure.to_image("svg")
        binary = io.BytesIO()
        figure.write_image(binary, "svg")
        self.assertEqual(binary.getvalue(), expected)
        text = io.StringIO()
        figure.write_image(text, format="SVG")
        self.assertEqual(text.getvalue(), expected.decode("utf-8"))

    def test_a_file_object_named_svg_gets_svg(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "named.svg")
            with open(path, "wb") as file:
                figure.write_image(file)
            with open(path, "rb") as file:
                self.assertEqual(file.read(), figure.to_image("svg"))

    def test_statistic_mirrors_the_figure(self):
        statistic = make_statistic()
        self.assertEqual(statistic.to_image("svg", title=TITLE, token_width=10, height=HEIGHT),
                         make_figure().to_image("svg"))
        buffer = io.BytesIO()
        statistic.write_image(buffer, "svg", title=TITLE, token_width=10, height=HEIGHT)
        self.assertEqual(buffer.getvalue(), make_figure().to_image("svg"))

    def test_scale_sizes_the_document_and_keeps_the_figure_coordinates(self):
        for scale, size in ((1, (WIDTH, HEIGHT)), (2, (2 * WIDTH, 2 * HEIGHT)), (16, (16 * WIDTH, 16 * HEIGHT))):
            with self.subTest(scale=scale):
                root = svg_root(self, make_figure().to_image("svg", scale=scale))
                self.assertEqual((float(root.get("width")), float(root.get("height"))), size)
                self.assertEqual([float(number) for number in root.get("viewBox").split()],
                                 [0, 0, WIDTH, HEIGHT])


class Png(unittest.TestCase):
    def setUp(self):
        require_image_format(self, "png")

    def test_to_image_is_a_png_of_the_figure_size(self):
        data = make_figure().to_image()  # PNG by default, as plotly.py
        self.assertIsInstance(data, bytes)
        self.assertEqual(png_size(self, data), (WIDTH, HEIGHT))

    def test_scale_multiplies_the_size(self):
        figure = make_figure()
        for scale, size in ((1, (WIDTH, HEIGHT)), (2, (2 * WIDTH, 2 * HEIGHT)), (1.5, (360, 450)),
                            (0.5, (WIDTH // 2, HEIGHT // 2)), (None, (WIDTH, HEIGHT))):
            with self.subTest(scale=scale):
                self.assertEqual(png_size(self, figure.to_image("png", scale=scale)), size)

    def test_a_png_past_cairos_limit_is_a_size_error_naming_what_fits(self):
        wide = trajplot.Figure(trajplot.TrajectoryStatistic("Wide", [[1.0] * 400]))  # 32 200 pixels wide
        with self.assertRaises(trajplot.SizeOverflowError) as caught:
            wide.to_image("png", scale=2)
        self.assertIn("token width of at most 40", str(caught.exception))
        buffer = io.BytesIO()
        with self.assertRaises(trajplot.SizeOverflowError):
            wide.write_image(buffer, "png", scale=2)
        self.assertEqual(buffer.getvalue(), b"")

    def test_stacked_figure_size(self):
        statistic = make_statistic()
        figure = trajplot.Figure.stacked([statistic, statistic.clip(0.5, 2.0)], token_width=10)
        self.assertEqual(png_size(self, figure.to_image("png")), (WIDTH, 150 + 250 * 2))

    def test_write_image_to_a_path(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "figure.png")
            figure.write_image(path, scale=2)
            with open(path, "rb") as file:
                data = file.read()
            self.assertEqual(png_size(self, data), (2 * WIDTH, 2 * HEIGHT))
            self.assertEqual(data, figure.to_image("png", scale=2))
            # An explicit format wins over the extension.
            other = os.path.join(directory, "figure.img")
            figure.write_image(other, format="png")
            with open(other, "rb") as file:
                self.assertEqual(png_size(self, file.read()), (WIDTH, HEIGHT))

    def test_write_image_streams_into_binary_file_objects(self):
        figure = make_figure()
        expected = figure.to_image("png")
        buffer = io.BytesIO()
        figure.write_image(buffer)  # no name: PNG, as plotly.py
        self.assertEqual(buffer.getvalue(), expected)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "raw.png")
            with open(path, "wb", buffering=0) as raw:  # may take part of a piece
                figure.write_image(raw)
            with open(path, "rb") as file:
                self.assertEqual(file.read(), expected)

    def test_a_file_object_of_unknown_kind_gets_bytes(self):
        pieces = []

        class Sink:
            def write(self, piece):
                pieces.append(piece)

        make_figure().write_image(Sink(), "png")
        self.assertTrue(pieces and all(isinstance(piece, bytes) for piece in pieces))
        self.assertEqual(b"".join(pieces), make_figure().to_image("png"))

    def test_a_text_file_is_a_type_error_naming_the_fix(self):
        text = io.StringIO()
        with self.assertRaises(TypeError) as caught:
            make_figure().write_image(text, "png")
        self.assertIn("PNG images are binary", str(caught.exception))
        self.assertIn("'wb'", str(caught.exception))
        self.assertEqual(text.getvalue(), "")

        class StrOnly:
            def write(self, piece):
                if not isinstance(piece, str):
                    raise TypeError("write() argument must be str, not bytes")

        with self.assertRaises(TypeError) as caught:
            make_figure().write_image(StrOnly(), "png")
        self.assertIn("PNG images are binary", str(caught.exception))

    def test_the_writer_error_is_raised_as_it_was(self):
        class Full(io.RawIOBase):
            def writable(self):
                return True

            def write(self, piece):
                raise OSError(28, "No space left on device")

        with self.assertRaises(OSError) as caught:
            make_figure().write_image(Full(), "png")
        self.assertEqual(caught.exception.errno, 28)
        self.assertNotIsInstance(caught.exception, trajplot.TrajplotError)

    def test_statistic_mirrors_the_figure(self):
        statistic = make_statistic()
        data = statistic.to_image("png", 2, title=TITLE, token_width=10, height=HEIGHT)
        self.assertEqual(data, make_figure().to_image("png", 2))
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "statistic.png")
            statistic.write_image(path, token_width=10)
            with open(path, "rb") as file:
                self.assertEqual(png_size(self, file.read()), (WIDTH, 450))  # plotly.js's default height

    def test_threads_draw_one_figure_at_once(self):
        figure = make_figure()
        expected = figure.to_image("png")
        results = [None] * 4

        def draw(index):
            results[index] = figure.to_image("png")

        threads = [threading.Thread(target=draw, args=(index,)) for index in range(len(results))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [expected] * len(results))


class Pdf(unittest.TestCase):
    def setUp(self):
        require_image_format(self, "pdf")

    def test_to_image_is_a_pdf_of_the_figure_size_in_points(self):
        self.assertEqual(pdf_size(self, make_figure().to_image("pdf")), (WIDTH, HEIGHT))
        self.assertEqual(pdf_size(self, make_figure().to_image(".PDF", scale=2)), (2 * WIDTH, 2 * HEIGHT))

    def test_write_image_to_a_path_and_a_file_object(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "figure.pdf")
            figure.write_image(path, scale=1.5)
            with open(path, "rb") as file:
                self.assertEqual(pdf_size(self, file.read()), (360, 450))
        buffer = io.BytesIO()
        figure.write_image(buffer, "pdf")
        self.assertEqual(pdf_size(self, buffer.getvalue()), (WIDTH, HEIGHT))
        with self.assertRaises(TypeError):
            figure.write_image(io.StringIO(), "pdf")


class Errors(unittest.TestCase):
    def test_unknown_formats_name_the_choices(self):
        figure = make_figure()
        for format in ("jpeg", "webp", "html", ""):
            with self.subTest(format=format):
                with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                    figure.to_image(format)
                self.assertIn("'png', 'svg' or 'pdf'", str(caught.exception))
                self.assertIsInstance(caught.exception, ValueError)
        with self.assertRaises(TypeError):
            figure.to_image(4)

    def test_a_path_without_an_image_extension_is_refused_before_writing(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            for name in ("figure.jpg", "figure", "figure.html"):
                with self.subTest(name=name):
                    with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                        figure.write_image(os.path.join(directory, name))
                    self.assertIn(".png, .svg or .pdf", str(caught.exception))
                    self.assertIn("format='png', 'svg' or 'pdf'", str(caught.exception))
            self.assertEqual(os.listdir(directory), [])

    def test_bad_scales(self):
        figure = make_figure()
        for scale in (0, -1, 16.5, 17, math.inf, math.nan):
            with self.subTest(scale=scale):
                with self.assertRaises(trajplot.InvalidArgumentError) as caught:
                    figure.to_image("svg", scale=scale)
                self.assertIn("scale", str(caught.exception))
        for scale in ("2", True, [2]):
            with self.subTest(scale=scale):
                with self.assertRaises(TypeError):
                    figure.to_image("svg", scale=scale)

    def test_a_refused_export_leaves_the_earlier_file(self):
        figure = make_figure()
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "figure.svg")
            with open(path, "wb") as file:
                file.write(b"earlier")
            with self.assertRaises(trajplot.InvalidArgumentError):
                figure.write_image(path, scale=100)
            with open(path, "rb") as file:
                self.assertEqual(file.read(), b"earlier")
            self.assertEqual(os.listdir(directory), ["figure.svg"])
            with self.assertRaises(trajplot.FileWriteError):
                figure.write_image(os.path.join(directory, "missing", "figure.svg"))

    def test_a_closed_figure(self):
        figure = make_figure()
        figure.close()
        with self.assertRaises(ValueError):
            figure.to_image("svg")

    def test_notebooks_still_get_the_interactive_figure(self):
        bundle = make_figure()._repr_mimebundle_()
        self.assertFalse([key for key in bundle if key.startswith("image/")])


if __name__ == "__main__":
    unittest.main()
