#!/usr/bin/env python3
"""Writes the inputs of the fuzz harnesses' corpora into tests/fuzz/corpus/.

The seeds of fuzz_cli_spec are SPEC files, some followed by command-line
arguments (a NUL byte, then the arguments separated by NUL bytes). The
seeds of fuzz_capi and fuzz_html are in the byte format their FuzzInput
reads (tests/fuzz/fuzz_support.hpp): this script spells each one out field
by field, in the order the harness reads them. Seeds are named seed-*,
reproducers of past findings finding-*.

Run it again after changing what a harness reads:
    python3 tests/fuzz/make_seeds.py
"""
import json
import math
import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
REPO = pathlib.Path(__file__).resolve().parents[2]


def write(harness, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = CORPUS / harness / ("seed-" + name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# ---------------------------------------------------------------------------
# fuzz_cli_spec: SPEC text, then optionally "\0" and NUL-separated arguments.


def spec_with_arguments(spec, *arguments):
    text = spec if isinstance(spec, str) else json.dumps(spec, ensure_ascii=False)
    data = text.encode("utf-8")
    if arguments:
        data += b"\0" + b"\0".join(a.encode("utf-8") if isinstance(a, str) else a for a in arguments)
    return data


def demo_spec_reduced():
    """data/demo/entropy.json cut to its first 3 layers, the last one, and 4 positions."""
    demo = json.loads((REPO / "data/demo/entropy.json").read_text(encoding="utf-8"))
    layers = [0, 1, 2, len(demo["stats"]) - 1]
    positions = slice(0, 4)
    labels = demo["trajectory_labels"]
    return {
        "name": demo["name"],
        "units": demo["units"],
        "includes_output": demo["includes_output"],
        "sequence_labels": demo["sequence_labels"][positions],
        "stats": [demo["stats"][layer][positions] for layer in layers],
        "trajectory_labels": {
            "label_strings": [labels["label_strings"][layer][positions] for layer in layers],
            "hover_over_entries": [labels["hover_over_entries"][layer][positions] for layer in layers],
        },
    }


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!--<script>",
    "</SCRIPT >",
    "\u2028\u2029",
    "&amp;<b>bold</b>",
    "\u0000nul",
    "\"quoted\" 'single' `tick` \\",
    "<img src=x onerror=alert(1)>",
    "\ufeff\u202e\U0001F600",
]


def cli_seeds():
    full = json.loads((REPO / "tests/data/cli/full.json").read_text(encoding="utf-8"))
    write("fuzz_cli_spec", "minimal.json", '{"name": "x", "stats": [[1]]}')
    write("fuzz_cli_spec", "full.json", json.dumps(full))
    write("fuzz_cli_spec", "entropy-reduced.json", json.dumps(demo_spec_reduced(), ensure_ascii=False))
    write("fuzz_cli_spec", "nul-strings.json", (REPO / "tests/data/cli/nul_strings.json").read_bytes())
    write("fuzz_cli_spec", "nulls-as-absent.json", (REPO / "tests/data/cli/nulls_as_absent.json").read_bytes())
    write("fuzz_cli_spec", "float32-limits.json",
          '{"name": "x", "stats": [[3.4028235e38, -3.4028235e38, 1e-46, -0.0, 5e-324, null]]}')
    write("fuzz_cli_spec", "float32-overflow.json", '{"name": "x", "stats": [[3.4028236e38]]}')
    write("fuzz_cli_spec", "unknown-key.json", '{"name": "x", "stats": [[1]], "nmae\\n\\u2028": 1}')
    write("fuzz_cli_spec", "not-json.json", b'{"name": "x", "stats": [[1]\xff')
    write("fuzz_cli_spec", "ragged.json", '{"name": "x", "stats": [[1, 2], [3]]}')
    # What Python's json.dump writes for non-finite floats: gaps in stats,
    # refused anywhere else.
    write("fuzz_cli_spec", "python-non-finite.json",
          json.dumps({"name": "x", "stats": [[math.nan, 1.0], [math.inf, -math.inf]], "min": None}))
    write("fuzz_cli_spec", "non-finite-max.json", '{"name": "x", "stats": [[1, 2]], "max": Infinity}')
    # Keys in another order than the model's, given twice, after a byte
    # order mark.
    write("fuzz_cli_spec", "labels-before-stats.json", json.dumps({
        "trajectory_labels": {"hover_over_entries": [[[["a", "1"]], [["b", "2"]]]], "label_strings": [["a", "b"]]},
        "sequence_labels": ["s", "t"], "layer_labels": ["l"], "name": "x", "stats": [[1, 2]]}))
    write("fuzz_cli_spec", "repeated-key.json", '{"name": "x", "stats": [[1]], "stats": [[2]]}')
    write("fuzz_cli_spec", "byte-order-mark.json", b'\xef\xbb\xbf{"name": "x", "stats": [[1]]}')
    write("fuzz_cli_spec", "hover-ragged.json", json.dumps({
        "name": "x", "stats": [[1, 2]],
        "trajectory_labels": {"label_strings": [["a", "b"]],
                              "hover_over_entries": [[[["a", "b"]], [["c"]]]]}}))
    # Deep nesting where a number, a string or a label is expected.
    depth = 2000
    write("fuzz_cli_spec", "deep-stats.json",
          '{"name": "x", "stats": [' + "[" * depth + "]" * depth + "]}")
    write("fuzz_cli_spec", "deep-units.json",
          '{"name": "x", "stats": [[1]], "units": ' + "{\"a\":" * depth + "1" + "}" * depth + "}")
    write("fuzz_cli_spec", "deep-labels.json",
          '{"name": "x", "stats": [[1]], "trajectory_labels": {"label_strings": [[' + "[" * depth +
          "]" * depth + "]]}}")
    # Hostile text in every string, drawn as an HTML page and as JSON.
    layers, positions = 3, 3
    hostile = {
        "name": HOSTILE[0], "units": HOSTILE[1],
        "stats": [[float(layer * positions + position) for position in range(positions)] for layer in range(layers)],
        "sequence_labels": HOSTILE[2:5],
        "layer_labels": HOSTILE[5:8],
        "trajectory_labels": {
            "label_strings": [[HOSTILE[(layer + position) % len(HOSTILE)] for position in range(positions)]
                              for layer in range(layers)],
            "hover_over_entries": [[[[HOSTILE[(layer + position + col) % len(HOSTILE)] for col in range(2)]]
                                    for position in range(positions)] for layer in range(layers)],
        },
    }
    write("fuzz_cli_spec", "hostile-page", spec_with_arguments(
        hostile, "--format", "html", "--title", "</script><!--", "--div-id", "fig", "--responsive"))
    write("fuzz_cli_spec", "hostile-fragment-page", spec_with_arguments(
        hostile, "--format", "html", "--html-fragment", "--plotlyjs", "src:\"><script>alert(1)</script>",
        "--extra", json.dumps({"hovertemplate": "</script>\u2028", "meta": ["<!--"]}, ensure_ascii=False)))
    write("fuzz_cli_spec", "hostile-inline-page", spec_with_arguments(
        hostile, "--format", "html", "--plotlyjs", "inline:plotly.min", "--stride", "2"))
    # The harness inlines a script that closes its element for a FILE of odd length.
    write("fuzz_cli_spec", "inline-refused", spec_with_arguments(
        full, "--format", "html", "--plotlyjs", "inline:plotly.js"))
    write("fuzz_cli_spec", "hostile.json", spec_with_arguments(hostile, "--title", "\u2028</script>"))
    # Options: each transform and export.
    write("fuzz_cli_spec", "trace-log-extra", spec_with_arguments(
        full, "--trace-only", "--log-scale", "--extra", '{"zmin": null, "colorbar": {"title": null}}'))
    write("fuzz_cli_spec", "log-scale", spec_with_arguments(full, "--clip", "0.1", "5", "--log-scale"))
    write("fuzz_cli_spec", "stride-clip", spec_with_arguments(full, "--stride", "2", "--clip", "0.5", "3"))
    write("fuzz_cli_spec", "sizes", spec_with_arguments(
        full, "--colorscale", "Viridis_r", "--token-width", "3", "--height", "200", "--title", "t"))
    # A bare trace sized by the figure's token width and height.
    write("fuzz_cli_spec", "trace-sizes", spec_with_arguments(
        full, "--trace-only", "--token-width", "20", "--height", "200", "--hover-value"))
    write("fuzz_cli_spec", "trace-width-overflow", spec_with_arguments(
        full, "--trace-only", "--token-width", "18446744073709551615"))
    write("fuzz_cli_spec", "width-overflow", spec_with_arguments(full, "--token-width", "18446744073709551615"))
    write("fuzz_cli_spec", "bad-colorscale", spec_with_arguments(full, "--colorscale", b"nope\xff"))
    write("fuzz_cli_spec", "bad-div-id-page", spec_with_arguments(full, "--format", "html", "--div-id", "1a<"))
    write("fuzz_cli_spec", "usage-error", spec_with_arguments(full, "--trace-only", "--title", "x"))
    write("fuzz_cli_spec", "help", spec_with_arguments(full, "--help"))


# ---------------------------------------------------------------------------
# fuzz_capi and fuzz_html: FuzzInput's format.

TELLING = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 10.0, 1e-3, 0.1, 100.0, -3.5, 16777216.0,
           "min", "-min", "denorm", "-denorm", "max", "-max", math.inf, -math.inf, math.nan,
           1e10, -1e10, 3.0e38]


def byte(value):
    return bytes([value])


def text(value):
    """A length byte, then the bytes."""
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    assert len(data) < 256
    return byte(len(data)) + data


def u16(value):
    return struct.pack(">H", value)


def number(value):
    """One of FuzzInput's telling values by its index, else four raw bytes."""
    for index, telling in enumerate(TELLING):
        if isinstance(value, str) or isinstance(telling, str):
            if value == telling:
                return byte(index)
        elif (math.isnan(value) and math.isnan(telling)) or (
                value == telling and math.copysign(1, value) == math.copysign(1, telling)):
            return byte(index)
    bits = struct.unpack(">I", struct.pack(">f", value))[0]
    return byte(0xC0) + struct.pack(">HH", bits >> 16, bits & 0xFFFF)


def shape(n_layers, seq_len):
    return byte(n_layers % 7 + 7 * (seq_len % 7))


# Figure requests (fuzz_capi's read_figure_request): the panel options, then
# the figure options.
LOCALES = {"C": 0, "tr_TR.UTF-8": 1, "tr_TR.ISO-8859-9": 2}


def panel_request(colorscale=None, extra=None, log_scale=False, hover_value=False, panel_title=None,
                  null_panel=False, wrong_version=False):
    mode = (1 if panel_title is not None else 0) | (2 if colorscale is not None else 0) | \
           (4 if extra is not None else 0) | (8 if log_scale else 0) | (0x10 if hover_value else 0) | \
           (0x20 if null_panel else 0) | (0xC0 if wrong_version else 0)
    data = byte(mode)
    if panel_title is not None:
        data += text(panel_title)
    if colorscale is not None:
        data += colorscale  # already encoded: an index byte, or 0xE0 and text
    if extra is not None:
        data += extra  # already encoded: an index byte, 0x80 and text, or 0xF0 and a depth byte
    return data


def frame_request(title=None, token_width=None, height=None, locale="C", null_figure=False, wrong_version=False):
    mode = (1 if title is not None else 0) | (2 if null_figure else 0) | (0x0C if wrong_version else 0)
    data = byte(mode)
    if title is not None:
        data += text(title)
    data += {None: byte(7), 1: byte(0), 0: byte(1), "huge": byte(3), "max": byte(4)}[token_width]
    data += {None: byte(7), 450: byte(0), "limit": byte(1), "over": byte(2)}[height]
    data += byte(LOCALES[locale])
    return data


def figure_request(title=None, colorscale=None, extra=None, log_scale=False, token_width=None, height=None,
                   locale="C", hover_value=False, panel_title=None, null_panel=False, null_figure=False,
                   wrong_panel_version=False, wrong_figure_version=False):
    return (panel_request(colorscale, extra, log_scale, hover_value, panel_title, null_panel, wrong_panel_version)
            + frame_request(title, token_width, height, locale, null_figure, wrong_figure_version))


def colorscale_listed(index):
    return byte(index)


def raw_text_choice(value):
    return byte(0xE0) + text(value)


def extra_listed(index):
    return byte(index)


def extra_text(value):
    return byte(0x80) + text(value)


def extra_deep(depth):
    return byte(0xF0) + byte(depth - 505)


def html_request(source="cdn", location=None, inline_choice=0, div_id=None, fragment=False, responsive=False,
                 missing_name=b"", null_options=False, wrong_version=False):
    """The export options (fuzz_capi's read_export_request); the format is chosen apart.
    inline_choice: 0-1 a usable file, 2 a usable one longer than the library's 64 KiB pieces, 3 one closing its script, 4 one opening a script, 5 an empty one,
    6 a missing one, 7 a directory, 8 none, 9 a missing one named missing-<missing_name>."""
    sources = {"cdn": 0, "src": 1, "inline": 2, "none": 3, "negative": 4, "unknown": 5, "local": 6}
    flags = (0x01 if fragment else 0) | (0x02 if responsive else 0) | (0x0C if wrong_version else 0) | \
            (0x10 if null_options else 0)
    data = byte(flags) + byte(sources[source])
    if source == "src":
        data += byte(1) + text(location) if location is not None else byte(0)
    elif source == "inline":
        data += byte(inline_choice)
        if inline_choice == 9:
            data += text(missing_name)
    if div_id is None:
        data += byte(0)
    elif div_id == "fixed":
        data += byte(1)
    else:
        data += byte(2) + text(div_id)
    return data


def destinations(with_length=True, stop=None, stop_value=1, save=True, bad=None, missing_name=b""):
    """Where an export goes besides a string and a write function: stop, the pieces a second write
    function takes before it stops the export (None: never); save, into a new file; bad, a save that
    must fail as well: "missing" (under a directory named missing-<missing_name>) or "directory"."""
    stop_code = {None: 0, 0: 1, 1: 2, 2: 3}.get(stop, 4)
    files = {None: 1, "missing": 2, "directory": 3}[bad] if save or bad else 0
    mode = (0 if with_length else 1) | (stop_code << 1) | ({1: 0, -1: 1, "min": 2, "max": 3}[stop_value] << 4) | \
           (files << 6)
    data = byte(mode)
    if stop_code == 4:
        data += byte(stop)
    if bad == "missing":
        data += text(missing_name)
    return data


def capi_statistic(n_layers, seq_len, values, name="Entropy", labels=None, units=None, sequence_labels=None,
                   layer_labels=None, lengths=True, includes_output=True, min_value=None, max_value=None,
                   keep_labels=True, labels_extras=None, sequence_count="right", layer_count="right"):
    """counts: "right", "more" (one too many) or 0, for the labels given."""
    """A scenario's start: the shape, labels (cells, hover tables), the statistic."""
    data = shape(n_layers, seq_len)
    if labels is None:
        data += byte(0)
    else:
        cells, hover, rows, cols = labels
        mode = 0x01 | (0x02 if lengths else 0) | (0x04 if hover is not None else 0) | (0x08 if lengths else 0)
        data += byte(mode)
        data += b"".join(text(cell) for cell in cells)
        if hover is not None:
            data += byte(rows) + byte(cols) + b"".join(text(entry) for entry in hover)
        # Read only when the labels were created: the customdata limit, the
        # lengths flag and the labels' stride.
        data += byte(10) + byte(1) + byte(2) if labels_extras is None else labels_extras
    data += text(name)
    mode = (0x01 if units is not None else 0) | (0x02 if sequence_labels is not None else 0) | \
           (0x04 if lengths else 0) | (0x08 if layer_labels is not None else 0) | (0x10 if lengths else 0) | \
           (0 if includes_output else 0x20)
    data += byte(mode)
    if units is not None:
        data += text(units)
    if sequence_labels is not None:
        data += b"".join(text(label) for label in sequence_labels)
    if layer_labels is not None:
        data += b"".join(text(label) for label in layer_labels)
    if sequence_labels is not None or layer_labels is not None:
        counts = {"right": 0, "more": 2, 0: 3}
        data += byte(counts[sequence_count] | counts[layer_count] << 2)
    bounds = (1 if min_value is not None else 0) | (2 if max_value is not None else 0) | (0 if keep_labels else 4)
    data += byte(bounds)
    if min_value is not None:
        data += number(min_value)
    if max_value is not None:
        data += number(max_value)
    data += b"".join(number(value) for value in values)
    data += byte(0)  # keep the labels handle
    return data


def op_stride(choice):
    return byte(0) + choice


def op_clip(low, high):
    return byte(1) + number(low) + number(high)


JSON_EXPORT = html_request()
FORMATS = {"figure": 0, "trace": 1, "html": 2, -1: 3, 3: 4, "int_min": 5}


def op_heatmap(request, export=JSON_EXPORT, where=destinations()):
    return byte(2) + byte(0) + request + export + where


def op_figure(request, export=JSON_EXPORT, where=destinations()):
    return byte(2) + byte(1) + request + export + where


def op_html(figure, html, where=destinations()):
    return byte(2) + byte(2) + figure + html + where


def op_format(fmt, figure, export=JSON_EXPORT, where=destinations()):
    """fmt: a key of FORMATS, the format values the harness passes."""
    return byte(2) + byte(3) + figure + byte(FORMATS[fmt]) + export + where


def op_file(which, target, figure, html=JSON_EXPORT, missing_name="dir"):
    """which: 0 the trace, 1 the figure JSON, 2 HTML; target: "new", "missing" (under a directory
    named missing-<missing_name>) or "directory"."""
    bad = None if target == "new" else target
    return byte(2) + byte(which) + figure + html + destinations(bad=bad, missing_name=missing_name)


def op_trunc(value, new_len, c_string=False):
    """new_len: 0 to 29, "max" (SIZE_MAX) or "ptrdiff" (PTRDIFF_MAX); c_string: pass the bytes up to
    the first NUL, not all of them."""
    return byte(6) + text(value) + byte({"max": 30, "ptrdiff": 31}.get(new_len, new_len)) + byte(1 if c_string else 0)


def op_null_arguments():
    return byte(7)


SPACINGS = {None: 0, 0.0: 1, "default": 2, "below-limit": 3, "limit": 4, "-0": 5, "below-zero": 6}


def op_stack(count, frame, panels, fmt="figure", export=JSON_EXPORT, where=destinations(), spacing=None,
             equal_heights=False, null_panels=False):
    """The statistic stacked `count` times: frame a frame_request, panels a panel_request each; spacing
    a key of SPACINGS or a number."""
    assert len(panels) == count
    data = byte(8) + byte(count - 1) + frame + b"".join(panels)
    code = 7 if isinstance(spacing, float) and spacing != 0.0 else SPACINGS[spacing]
    data += byte((1 if null_panels else 0) | (2 if equal_heights else 0) | code << 2)
    if code == 7:
        data += number(spacing)
    return data + byte(FORMATS[fmt]) + export + where


def capi_seeds():
    default = figure_request()
    write("fuzz_capi", "minimal", capi_statistic(2, 3, [1, 2, 3, 4, 5, 6]) + op_figure(default))
    cells = ["the", "<b>", "a\0b", b"\xff\xfe", "\u2028", "&amp;"]
    hover = [c for cell in cells for c in (cell, "50.00%", b"\xe2\x80", "x" * 12)]
    write("fuzz_capi", "labels-hover", capi_statistic(
        3, 2, [0.5, "min", math.nan, math.inf, -0.0, 7.25], labels=(cells, hover, 2, 2), units="nats",
        sequence_labels=["<s>", "<s>"], layer_labels=["in", b"\xc0\xbc", "out"], min_value=-1.0, max_value=10.0)
        + op_stride(byte(2)) + op_clip(0.0, 5.0)
        + op_heatmap(figure_request(extra=extra_listed(1)))
        + op_figure(figure_request(title="t</script>", colorscale=colorscale_listed(0), height=450))
        + op_html(default, html_request(div_id="fixed"))
        + op_heatmap(figure_request(hover_value=True)))
    write("fuzz_capi", "no-lengths", capi_statistic(
        2, 2, [1, 2, 3, 4], labels=(["a\0hidden", "b", "c", "d"], None, 0, 0), lengths=False,
        sequence_labels=["x\0y", "z"], layer_labels=["p", "q\0r"]) + op_figure(default))
    write("fuzz_capi", "log-scale", capi_statistic(
        2, 3, [0.001, 0.1, 10, 1000, 0, -5], min_value=None, max_value=None)
        + op_heatmap(figure_request(log_scale=True))
        + op_figure(figure_request(log_scale=True, colorscale=raw_text_choice("Viridis_R")))
        + op_clip(-1.0, 100.0) + op_heatmap(figure_request(log_scale=True))
        + op_figure(figure_request(log_scale=True, hover_value=True)))
    write("fuzz_capi", "no-layers", capi_statistic(0, 3, [], labels=([], None, 0, 0), labels_extras=b""))
    write("fuzz_capi", "no-positions", capi_statistic(6, 0, []))
    # A shape whose count overflows: labels and statistic refused with ERANGE.
    write("fuzz_capi", "overflow", byte(0xF8) + byte(1) + text("x") + text("name") + byte(0) + byte(0) + number(1.0))
    write("fuzz_capi", "bad-options", capi_statistic(1, 2, [1, 2], min_value=2.0, max_value=1.0))
    write("fuzz_capi", "options", capi_statistic(2, 2, [1, 2, 3, 4])
          + op_figure(figure_request(token_width=0)) + op_figure(figure_request(token_width="max"))
          + op_figure(figure_request(height="over")) + op_figure(figure_request(height="limit"))
          + op_heatmap(figure_request(colorscale=raw_text_choice(b"rdbu\xff")))
          + op_heatmap(figure_request(extra=extra_text("{\"a\": [1, {\"b\": null}], \"z\": null}")))
          + op_heatmap(figure_request(extra=extra_text(b"{\"a\": \"\xff\"}"))))
    write("fuzz_capi", "extra-depth", capi_statistic(1, 1, [1])
          + op_heatmap(figure_request(extra=extra_deep(512)))
          + op_heatmap(figure_request(extra=extra_deep(513))))
    write("fuzz_capi", "html-sources", capi_statistic(2, 2, [1, 2, 3, 4], labels=(["a", "b", "c", "d"], None, 0, 0))
          + op_html(default, html_request("src", location="\"><script>"))
          + op_html(default, html_request("inline", inline_choice=0, responsive=True))
          + op_html(default, html_request("inline", inline_choice=3))
          + op_html(default, html_request("inline", inline_choice=6))
          + op_html(default, html_request("inline", inline_choice=9, missing_name=b"\xff.js"))
          + op_html(default, html_request("none", fragment=True, div_id="a b"))
          + op_html(default, html_request("unknown"))
          + op_html(default, html_request("local")))
    write("fuzz_capi", "files", capi_statistic(2, 2, [1, 2, 3, 4])
          + op_file(0, "new", default) + op_file(1, "missing", default)
          + op_file(2, "directory", default, html_request()) + op_file(2, "new", default, html_request("none")))
    write("fuzz_capi", "text", capi_statistic(1, 1, [1])
          + op_trunc("abc\u00e9\U0001F600", 3) + op_trunc(b"\xff\xfe", 5) + op_trunc("x", "max")
          + op_trunc("", "ptrdiff") + op_null_arguments())
    # Exports under the Turkish locales: decimal commas, tolower('I') not 'i'.
    turkish = figure_request(locale="tr_TR.ISO-8859-9")
    write("fuzz_capi", "locales", capi_statistic(2, 2, [1.5, 0.1, -2.25, 1e10], sequence_labels=["I", "i"])
          + op_figure(turkish) + op_heatmap(figure_request(log_scale=True, locale="tr_TR.UTF-8"))
          + op_html(turkish, html_request("inline", inline_choice=0, div_id="fixed"))
          + op_file(1, "new", turkish))
    # Every destination: a write function stopping the export at once, after
    # one piece, two, 200 (past the end), returning each kind of nonzero.
    labelled = capi_statistic(2, 2, [1, 2, 3, 4], labels=(["a", "b", "c", "d"], None, 0, 0), sequence_labels=["x", "y"])
    write("fuzz_capi", "destinations", labelled
          + op_figure(default, where=destinations(stop=0))
          + op_heatmap(default, where=destinations(stop=1, stop_value=-1))
          + op_html(default, html_request("none"), destinations(stop=2, stop_value="min", with_length=False))
          + op_html(default, html_request("inline", inline_choice=2), destinations(stop=1, stop_value=-1))
          + op_html(default, html_request("inline", inline_choice=2), destinations(stop=2))
          + op_format("html", default, html_request("inline", inline_choice=2), destinations(stop=5))
          + op_figure(default, where=destinations(stop=200, stop_value="max", bad="directory")))
    # Format values: each one, values that are none, the page's fields
    # (ignored by JSON), NULL options, a wrong version.
    write("fuzz_capi", "formats", labelled
          + op_format(-1, default) + op_format(3, default) + op_format("int_min", default)
          + op_format("html", default, html_request("inline", inline_choice=3))
          + op_format("figure", default, html_request(null_options=True))
          + op_format("trace", default, html_request("unknown", div_id="1bad"))
          + op_format("figure", default, html_request(wrong_version=True), destinations(save=False)))
    write("fuzz_capi", "versions", labelled
          + op_figure(figure_request(wrong_panel_version=True))
          + op_figure(figure_request(wrong_figure_version=True))
          + op_figure(figure_request(null_panel=True, null_figure=True))
          + op_heatmap(figure_request(panel_title="not drawn", null_panel=True)))
    # A trace sized for its figure's cells; token_width 0 refused for it too.
    write("fuzz_capi", "trace-sizes", labelled
          + op_heatmap(figure_request(token_width=1)) + op_heatmap(figure_request(height=450))
          + op_heatmap(figure_request(token_width=0)) + op_heatmap(figure_request(height="over")))
    # Label counts other than the shape's: refused.
    write("fuzz_capi", "sequence-label-count", capi_statistic(
        2, 2, [1, 2, 3, 4], sequence_labels=["a", "b"], layer_labels=["x", "y"], sequence_count="more"))
    write("fuzz_capi", "layer-label-count", capi_statistic(
        2, 2, [1, 2, 3, 4], sequence_labels=["a", "b"], layer_labels=["x", "y"], layer_count=0))
    # Stacked figures: one panel, three with their own options, the trace
    # (refused), spacings at and past their limits, NULL options.
    write("fuzz_capi", "stacks", labelled
          + op_stack(1, frame_request(), [panel_request()])
          + op_stack(3, frame_request(title="T"), [panel_request(panel_title="a</script>"),
                                                    panel_request(colorscale=colorscale_listed(0), log_scale=True),
                                                    panel_request(extra=extra_listed(1), hover_value=True)],
                     fmt="html", export=html_request("none"), spacing="default", equal_heights=True)
          + op_stack(2, frame_request(), [panel_request(), panel_request()], fmt="trace")
          + op_stack(2, frame_request(), [panel_request(), panel_request()], spacing="limit")
          + op_stack(2, frame_request(), [panel_request(), panel_request()], spacing="below-limit",
                     where=destinations(stop=1))
          + op_stack(3, frame_request(height="over"), [panel_request()] * 3)
          + op_stack(2, frame_request(null_figure=True), [panel_request(null_panel=True)] * 2, null_panels=True)
          + op_stack(2, frame_request(token_width=1, height=450), [panel_request(), panel_request()],
                     spacing=math.nan))
    write("fuzz_capi", "text-lengths", capi_statistic(1, 1, [1])
          + op_trunc("a\0b\u00e9", 5) + op_trunc("a\0b", 5, c_string=True) + op_trunc(b"\0", 0))
    # Strides up to the largest: a wrapping loop would read past the stats.
    write("fuzz_capi", "strides", capi_statistic(4, 1, [1, 2, 3, 4], labels=(["a", "b", "c", "d"], None, 0, 0))
          + op_stride(byte(6)) + op_stride(byte(5)) + op_stride(byte(0)) + op_stride(byte(8)))


# fuzz_html: each string a count of pieces, each a piece index or raw bytes.
PIECES = [
    "</script>", "</SCRIPT >", "</ScRiPt\t", "</script/", "<script>alert(1)</script>", "<script", "<!--",
    "-->", "<!-- <script>", "<![CDATA[", "]]>", "</title>", "</div>", "<div id=\"x\">",
    "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<style>", "</style>", "<b>", "<br>", "<", ">",
    "&", "&amp;", "&lt;", "&#60;", "\"", "'", "`", "\\", "\\u003c/script>", "\\\"", "${alert(1)}",
    "\" onmouseover=\"alert(1)", "' onmouseover='alert(1)", "javascript:alert(1)", "%{text}",
    "%{customdata[0]}", "<extra></extra>", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80", b"\xe2", b"\0", "\n",
    "\r\n", "\t", "\x1b[31m", "\x7f", b"\xc2\x85", b"\xc0\xbc", b"\xe0\x80\xbc", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xff\xfe", b"\xef\xbf\xbd", b"\xef\xbb\xbf", b"\xe2\x80\xae", b"\xf0\x9f\x98\x80",
    b"\xef\xbc\x9c", "a", " ",
]


def hostile(*parts):
    """Up to four pieces: listed ones by value, anything else as raw bytes."""
    assert len(parts) <= 4
    data = byte(len(parts))
    for part in parts:
        if part in PIECES:
            data += byte(PIECES.index(part))
        else:
            data += byte(0xE0) + text(part)
    return data


def html_seeds():
    s = "</script>"
    # 2 layers x 2 positions, labels with 1 x 2 hover tables, units,
    # sequence and layer labels; the page with a title and extra_json.
    everything = (byte(1 + 3 * 1) + byte(0x1F)
                  + b"".join(hostile(s, piece) for piece in ["<!--", b"\xe2\x80\xa8", "&", "<b>"])
                  + byte(0) + byte(1)
                  + b"".join(hostile(piece, b"\0") for piece in ["<", ">", "&lt;", "'", "\"", "%{text}", "\\", "`"])
                  + hostile("<script", "alert") + hostile("</title>") + hostile(b"\xe2\x80\xa9") + hostile("<!--")
                  + hostile("</ScRiPt\t") + hostile(b"\xff\xfe", "</div>")
                  + number(1.0) + number(2.0) + number(math.nan) + number(4.0))
    # One extra_json member: "name", an object holding hostile text.
    write("fuzz_html", "everything", everything + byte(0x03) + hostile("</script>", "<!--")
          + byte(0x40) + byte(0) + byte(0) + hostile("</script>", b"\xe2\x80\xa8") + byte(2))
    write("fuzz_html", "src-fragment", byte(0) + byte(0) + hostile("name") + number(1.0)
          + byte(0x1C) + hostile("\" onmouseover=\"alert(1)", "</script>"))
    write("fuzz_html", "inline-responsive", byte(1) + byte(0x08) + hostile("x") + hostile("1", "2")
          + number(1.0) + number(2.0) + byte(0x29) + hostile("</SCRIPT >"))
    write("fuzz_html", "div-ids", byte(0) + byte(0) + hostile("n") + number(1.0) + byte(0x30 | 0x40 | 0x80)
          + hostile("\" onload=\"x"))
    # Under the Turkish locales (fuzz_support.hpp, CallerLocale): the last byte.
    write("fuzz_html", "turkish-utf8", everything + byte(0x03) + hostile("</SCRIPT >", "<!--")
          + byte(0x10) + hostile("I") + byte(1))
    write("fuzz_html", "turkish-latin5", byte(0) + byte(0) + hostile("n") + number(1.5) + byte(0x40 | 0x80)
          + hostile("a", "-", "_") + byte(2))
    # The page to a write function that stops after two pieces.
    write("fuzz_html", "stopped", everything + byte(0x00) + byte(0) + byte(0x12))
    # Inlining a plotly.js longer than a piece, stopped after the first.
    write("fuzz_html", "stopped-midway", everything + byte(0x20) + byte(0) + byte(0x31))
    write("fuzz_html", "extra-raw", byte(0) + byte(0) + hostile("n") + number(1.0) + byte(0x02) + byte(0x10)
          + hostile("{\"a\": \"</script>\"}"))


# ---------------------------------------------------------------------------
# fuzz_cli_files: one byte choosing the reader, then the file. An even byte
# reads a .npy file (bits 1-2: the slab division), an odd one a vocabulary
# file (bits 1-3: the lens's vocabulary size, lens_vocabularies in the
# harness: 1, 2, 3, 4, 6, 10, 1000, 2**18).


def npy(descr, shape, data, version=(1, 0), fortran=False, header=None):
    """A .npy file as numpy.lib.format writes it: the header padded with
    spaces and a newline so that the data starts at a multiple of 64."""
    if header is None:
        shape_text = "(" + "".join(f"{extent}, " for extent in shape)[:-2] + ("," if len(shape) == 1 else "") + ")"
        header = f"{{'descr': {descr!r}, 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    header = header.encode("latin-1") if isinstance(header, str) else header
    length_format = "<H" if version[0] == 1 else "<I"
    prefix_size = 6 + 2 + struct.calcsize(length_format)
    padding = -(prefix_size + len(header) + 1) % 64
    header += b" " * padding + b"\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack(length_format, len(header)) + header + data


def npy_reader(slabs=0):
    return byte(2 * slabs)


def vocabulary(lens_vocab_choice, document):
    if isinstance(document, bytes):
        return byte(1 + 2 * lens_vocab_choice) + document
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    return byte(1 + 2 * lens_vocab_choice) + text.encode("utf-8")


def files_seeds():
    h = "fuzz_cli_files"
    # (batch, layers, seq_len, vocab) and (layers, seq_len, vocab) lens outputs.
    write(h, "f4-lens", npy_reader(0) + npy("<f4", (2, 2, 3), struct.pack("<12f", *range(12))))
    write(h, "f2-batched-v2", npy_reader(0) + npy(
        "<f2", (1, 2, 2, 2),
        struct.pack("<8H", 0x3C00, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x7E01, 0x8000), version=(2, 0)))
    write(h, "f8-v3", npy_reader(1) + npy(
        "<f8", (2, 3), struct.pack("<6d", 1.5, -0.0, 3.4028235e38, 1e-320, math.inf, math.nan),
        version=(3, 0)))
    write(h, "f8-beyond-float32", npy_reader(2) + npy("<f8", (2,), struct.pack("<2d", 1.0, 3.5e38)))
    # A header whose length leaves the float32 data unaligned: read by copy.
    unpadded = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}\n"
    write(h, "f4-unaligned", npy_reader(3) + b"\x93NUMPY\x01\x00" + struct.pack("<H", len(unpadded)) + unpadded
          + struct.pack("<3f", 1, 2, 3))
    write(h, "f4-big-endian", npy_reader(0) + npy(">f4", (1, 1, 2), struct.pack(">2f", 1, 2)))
    write(h, "f4-fortran", npy_reader(0) + npy("<f4", (2, 2), struct.pack("<4f", 1, 2, 3, 4), fortran=True))
    write(h, "f4-truncated", npy_reader(0) + npy("<f4", (2, 3), struct.pack("<5f", 1, 2, 3, 4, 5)))
    write(h, "f4-empty-axis", npy_reader(0) + npy("<f4", (0, 3), b""))
    write(h, "f4-scalar", npy_reader(1) + npy("<f4", (), struct.pack("<f", 7)))
    write(h, "structured", npy_reader(0) + npy(None, (1,), b"\0" * 8,
                                               header="{'descr': [('a', '<f4'), ('b', '<i4')], "
                                                      "'fortran_order': False, 'shape': (1,), }"))
    write(h, "i8-ids", npy_reader() + npy("<i8", (2, 3), struct.pack("<6q", 0, 1, 2, -1, 2**63 - 1, -2**63)))
    write(h, "i4-ids", npy_reader() + npy("<i4", (3,), struct.pack("<3i", 5, -7, 2**31 - 1)))
    write(h, "i2-ids", npy_reader() + npy("<i2", (2,), struct.pack("<2h", -2, 300)))
    write(h, "i1-ids", npy_reader() + npy("|i1", (3,), struct.pack("<3b", -128, 0, 127)))
    write(h, "u8-ids", npy_reader() + npy("<u8", (2,), struct.pack("<2Q", 3, 2**63 - 1)))
    write(h, "u8-beyond-int64", npy_reader() + npy("<u8", (2,), struct.pack("<2Q", 3, 2**63)))
    write(h, "u4-ids", npy_reader() + npy("<u4", (2,), struct.pack("<2I", 0, 2**32 - 1)))
    write(h, "u2-ids", npy_reader() + npy("<u2", (1, 2), struct.pack("<2H", 9, 65535)))
    write(h, "u1-ids", npy_reader() + npy("|u1", (4,), bytes([0, 1, 128, 255])))
    write(h, "i8-big-endian", npy_reader() + npy(">i8", (1,), struct.pack(">q", 1)))
    write(h, "bool", npy_reader() + npy("|b1", (2,), b"\1\0"))
    write(h, "python2-long-shape", npy_reader() + npy("<i4", None, struct.pack("<2i", 1, 2),
                                                      header="{'descr': '<i4', 'fortran_order': False, "
                                                             "'shape': (1L, 2L), }"))
    write(h, "header-key-order", npy_reader() + npy("<f4", None, struct.pack("<2f", 1, 2), version=(2, 0),
                                                    header='{"shape": (2,), "fortran_order": False, '
                                                           '"descr": "<f4"}'))
    write(h, "version-4", npy_reader() + npy("<f4", (1,), struct.pack("<f", 1), version=(4, 0)))
    # The three vocabulary formats, and ids beyond the lens's vocabulary.
    write(h, "vocab-array", vocabulary(3, ["a", "b", "\u0120c", "\u00e9"]))
    write(h, "vocab-json", vocabulary(4, {"a": 0, "b": 1, "<|endoftext|>": 5, "far": 99}))
    write(h, "tokenizer-bpe", vocabulary(5, {
        "version": "1.0",
        "added_tokens": [{"id": 0, "content": "<s>", "special": True}, {"id": 7, "content": "<pad>"}],
        "model": {"type": "BPE", "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3}, "merges": ["a b"]},
    }))
    write(h, "tokenizer-unigram", vocabulary(6, {
        "added_tokens": None,
        "model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["\u2581a", -1.5], ["b", -2.0]]},
    }))
    write(h, "vocab-duplicate-id", vocabulary(7, {"a": 0, "b": 0}))
    write(h, "vocab-negative-id", vocabulary(7, '{"a": -1}'))


# ---------------------------------------------------------------------------
# Reproducers of past findings, spelled out so that they follow changes of
# the input formats. Each fails its harness until the bug it shows is fixed.


def finding(harness, name, data):
    path = CORPUS / harness / ("finding-" + name)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def findings():
    # A stride of SIZE_MAX wraps the loop of stride_keep_last (src/model/model.cpp):
    # it keeps a row past the last, read past the values and labels.
    finding("fuzz_cli_spec", "stride-max-reads-past-stats",
            spec_with_arguments('{"name": "x", "stats": [[1, 2], [3, 4], [5, 6]]}', "--stride",
                                "18446744073709551615"))
    finding("fuzz_capi", "stride-max-reads-past-stats",
            capi_statistic(3, 2, [1, 2, 3, 4, 5, 6]) + op_stride(byte(7)))
    # extra_json that is not JSON: the message quoted its bytes as read,
    # invalid UTF-8 (fixed in src/figures/json_value.cpp).
    finding("fuzz_capi", "extra-json-message-invalid-utf8",
            capi_statistic(1, 1, [1]) + op_heatmap(figure_request(extra=extra_text(b"\xb4"))))
    # An inline plotly.js file that cannot be read: the message quoted its
    # path's bytes, invalid UTF-8 (fixed in src/figures/html.cpp).
    finding("fuzz_capi", "inline-path-message-invalid-utf8",
            capi_statistic(1, 1, [1]) + op_html(figure_request(),
                                                html_request("inline", inline_choice=9, missing_name=b"\xff.js")))
    # A file export under a missing directory: the message quotes the path's
    # bytes, invalid UTF-8 (src/figures/atomic_file.cpp).
    finding("fuzz_capi", "write-path-message-invalid-utf8",
            capi_statistic(1, 1, [1]) + op_file(1, "missing", figure_request(), missing_name=b"\xff"))
    # The same under tr_TR.ISO-8859-9: strerror() answers in the locale's
    # language and charset (src/figures/atomic_file.cpp; needs Debian's libc-l10n).
    finding("fuzz_capi", "strerror-message-latin5-locale",
            capi_statistic(1, 1, [1]) + op_file(1, "missing", figure_request(locale="tr_TR.ISO-8859-9")))
    # Under tr_TR.UTF-8 tolower('I') is 'I': an inline file holding
    # "</SCRIPT >" was inlined and ended the page's script early (fixed in
    # src/figures/html.cpp).
    finding("fuzz_capi", "inline-script-end-turkish-locale",
            capi_statistic(1, 1, [1]) + op_html(figure_request(locale="tr_TR.UTF-8"),
                                                html_request("inline", inline_choice=3)))
    # Under tr_TR.ISO-8859-9 byte 0xE4 is a letter: a div id holding it was
    # accepted and written raw, invalid UTF-8 (fixed in src/figures/html.cpp).
    finding("fuzz_capi", "div-id-latin-letter",
            capi_statistic(1, 1, [1]) + op_html(figure_request(locale="tr_TR.ISO-8859-9"),
                                                html_request(div_id=b"fig\xe4")))
    finding("fuzz_html", "div-id-latin-letter",
            byte(0) + byte(0) + hostile("n") + number(1.0) + byte(0x40 | 0x80) + hostile(b"\xe4") + byte(2))
    # A log colour bar over a range of one value (one positive value) was
    # labelled with the value's shortest text, "5.3205464e-11", not in the
    # documented forms (fixed in src/figures/colorbar_ticks.cpp).
    finding("fuzz_capi", "log-colorbar-one-value-label",
            capi_statistic(1, 1, [5.3205464e-11]) + op_heatmap(figure_request(log_scale=True)))
    # The same for the smallest denormal float: its shortest text, "1e-45",
    # named a tick at 10^-45, not at 1.4e-45 (fixed in src/figures/colorbar_ticks.cpp).
    finding("fuzz_capi", "log-colorbar-one-denormal-value-label",
            capi_statistic(1, 1, [1.401298464324817e-45]) + op_heatmap(figure_request(log_scale=True)))
    # A log colour bar whose set max lies below the data's minimum (zmin >
    # zmax) had no tick at all (fixed in src/figures/colorbar_ticks.cpp).
    finding("fuzz_capi", "log-colorbar-reversed-range",
            capi_statistic(1, 2, [0.5, 0.7], max_value=0.001) + op_heatmap(figure_request(log_scale=True)))

    # Messages that quote a file's bytes as read: invalid UTF-8, and
    # terminal escape sequences printed as they are (cli/npy_file.cpp's
    # quoted() of a header key and of the descr; nlohmann's parse error,
    # "last read: ...", in cli/vocabulary_file.cpp).
    finding("fuzz_cli_files", "npy-header-key-message-raw-bytes",
            npy_reader() + npy(None, None, b"\0" * 4, header=b"{'descr': '<f4', 'fortran_order': False, "
                                                            b"'shape': (1,), '\xff\x1b[31m': 1}"))
    finding("fuzz_cli_files", "npy-descr-message-raw-bytes",
            npy_reader() + npy(None, None, b"", header=b"{'descr': '<c\xff\x1b[2J', 'fortran_order': False, "
                                                       b"'shape': (0,)}"))
    finding("fuzz_cli_files", "vocab-parse-error-message-invalid-utf8", vocabulary(0, b'["\xff"]'))

if __name__ == "__main__":
    # Seeds are all written here: drop those of earlier runs.
    for old_seed in CORPUS.glob("*/seed-*"):
        old_seed.unlink()
    cli_seeds()
    capi_seeds()
    html_seeds()
    files_seeds()
    findings()
