"""Text crosses the boundary unchanged: NUL characters, non-ASCII, invalid
input."""
import json
import unittest

import trajplot
from support import HAVE_NUMPY, plain

TEXTS = ["a\0b", "Δ0.00%", "日本語", "🙂 ok", "é\u0301", "<|endoftext|>", ""]


class RoundTrip(unittest.TestCase):
    def test_labels_with_nul_and_non_ascii_read_back(self):
        labels = trajplot.TrajectoryLabels([TEXTS], [[[[text, text]] for text in TEXTS]])
        self.assertEqual(plain(labels.label_strings), [TEXTS])
        self.assertEqual(plain(labels.hover_over_entries)[0][0], [["a\0b", "a\0b"]])
        self.assertEqual(plain(labels.hover_over_entries)[0][3], [["🙂 ok", "🙂 ok"]])

    def test_tokens_and_layer_labels_with_nul_and_non_ascii(self):
        statistic = trajplot.TrajectoryStatistic("Entropie ΔH", [[1.0] * len(TEXTS)] * 2,
                                                 sequence_labels=TEXTS, layer_labels=["x\0y", "出力"],
                                                 units="bits/字")
        self.assertEqual(plain(statistic.sequence_labels), TEXTS)
        self.assertEqual(plain(statistic.layer_labels), ["x\0y", "出力"])
        self.assertEqual(statistic.name, "Entropie ΔH")
        self.assertEqual(statistic.units, "bits/字")
        trace = statistic.heatmap_dict()
        self.assertEqual(trace["x"][0], "a\0b")
        self.assertEqual(trace["x"][2], "日本語")
        self.assertEqual(trace["x"][5], "&lt;|endoftext|&gt;")
        self.assertEqual(trace["y"], ["x\0y", "出力"])
        self.assertEqual(trace["colorbar"]["title"]["text"], "Entropie ΔH (bits/字)")

    def test_trailing_nul_reaches_the_figure(self):
        statistic = trajplot.TrajectoryStatistic("x", [[1.0, 2.0]], sequence_labels=["end\0", "\0"])
        self.assertEqual(json.loads(statistic.to_json())["data"][0]["x"], ["end\0", "\0"])
        if not HAVE_NUMPY:
            self.assertEqual(statistic.sequence_labels, ["end\0", "\0"])

    def test_lone_surrogates_become_replacement_characters(self):
        labels = trajplot.TrajectoryLabels([["a\ud800b"]])
        text = plain(labels.label_strings)[0][0]
        self.assertTrue(text.startswith("a") and text.endswith("b"), repr(text))
        self.assertTrue(set(text[1:-1]) == {"\ufffd"}, repr(text))

    def test_invalid_utf8_bytes_become_replacement_characters(self):
        labels = trajplot.TrajectoryLabels([[b"ok\xff", "fine"]])
        self.assertEqual(plain(labels.label_strings), [["ok\ufffd", "fine"]])

    def test_widths_count_characters_not_bytes(self):
        labels = trajplot.TrajectoryLabels([["x"]], [[[["日本語", "1"]]]])
        _, customdata = labels.template_and_customdata()
        self.assertEqual(plain(customdata), [[[" 日本語", " 1"]]])


class NulWhereTheApiTakesCStrings(unittest.TestCase):
    def test_name_units_and_title_refuse_nul(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "name contains a NUL character"):
            trajplot.TrajectoryStatistic("a\0b", [[1.0]])
        with self.assertRaisesRegex(ValueError, "units contains a NUL character"):
            trajplot.TrajectoryStatistic("a", [[1.0]], units="\0")
        statistic = trajplot.TrajectoryStatistic("a", [[1.0]])
        with self.assertRaisesRegex(ValueError, "title contains a NUL character"):
            statistic.to_json(title="t\0")
        with self.assertRaisesRegex(ValueError, "path contains a NUL character"):
            statistic.write_json("figure\0.json")

    def test_nul_in_keyword_values_is_escaped_json(self):
        statistic = trajplot.TrajectoryStatistic("a", [[1.0]])
        self.assertEqual(statistic.heatmap_dict(name="x\0y")["name"], "x\0y")

    def test_name_must_be_str(self):
        with self.assertRaisesRegex(TypeError, "name must be str"):
            trajplot.TrajectoryStatistic(b"Entropy", [[1.0]])


if __name__ == "__main__":
    unittest.main()
