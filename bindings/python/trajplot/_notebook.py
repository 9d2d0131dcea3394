"""Figures in notebooks and browsers, without plotly.py.

A figure displayed by IPython gives its frontend two forms (Figure.
_repr_mimebundle_):

- ``application/vnd.plotly.v1+json``, the figure as plotly.py's renderer
  gives it, which JupyterLab (with its plotly extension) and VS Code draw
  with the plotly.js they bundle;
- ``text/html``, which draws it with the plotly.js installed with the
  library: classic notebooks, JupyterLab without the extension, and
  nbconvert's HTML export. The first figure a process displays carries
  plotly.js inline (about 4.8 MB), later ones draw with the copy it left
  in the page. The copy is kept in ``window.trajplotPlotly``, and in
  ``window.Plotly`` unless the page had a plotly.js there already (one
  plotly.py loaded, say), which is left in place. The bundle is wrapped so
  that it sees no AMD loader: with require.js on the page (classic
  notebooks), a UMD bundle would otherwise define an anonymous module
  instead of a global, and no figure would draw.
"""
import json
import os
import pathlib
import re
import sys
import tempfile
import threading
import uuid
import warnings
import webbrowser

from .errors import FileWriteError, InvalidArgumentError

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
# What the pages the library writes hand Plotly.newPlot.
CONFIG = {"responsive": False}
# How long a figure waits for plotly.js that a <script src> loads, or for
# its own element to be attached to the page.
_WAIT_MS = 15000

_sent_lock = threading.Lock()
_plotlyjs_sent = False


def _take_first():
    """True for the first figure of this process that carries plotly.js."""
    global _plotlyjs_sent
    with _sent_lock:
        first, _plotlyjs_sent = not _plotlyjs_sent, True
    return first


def reset():
    """The next figure displayed carries plotly.js again (a new page, or a
    notebook whose first figure's output was cleared)."""
    global _plotlyjs_sent
    with _sent_lock:
        _plotlyjs_sent = False


def _script_safe(text):
    """JSON text that cannot end a <script> element or open a comment in
    one: <, > and & occur in JSON only inside strings, where \\uXXXX reads
    back as the same character."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _plotlyjs_loader(figure):
    """The HTML that loads plotly.js: the local copy inline, else a
    <script src> on the CDN the library names."""
    from ._figure import local_plotlyjs

    path = local_plotlyjs()
    if path is None:
        page = figure.to_html(include_plotlyjs="cdn", full_html=False)
        found = re.search(r'<script src="[^"]*"[^>]*></script>', page)
        return found.group(0) + "\n" if found else ""
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as file:
            code = file.read()
    except OSError as error:
        raise FileWriteError("cannot read plotly.js from %s: %s" % (path, error.strerror or error)) from None
    if re.search(r"</?script", code, re.IGNORECASE):
        raise InvalidArgumentError(
            "plotly.js file %s contains \"<script\" or \"</script\" and cannot be inlined" % path)
    return (
        '<script type="text/javascript">\n'
        "/* plotly.js for trajplot's figures, from %s. Run with define, require,\n"
        "   module and exports hidden, so that it makes a global even beside\n"
        "   require.js; a plotly.js already on the page keeps window.Plotly. */\n"
        "(function () {\n"
        "if (window.trajplotPlotly) return;\n"
        "var previous = window.Plotly;\n"
        "(function (define, require, module, exports) {\n"
        "%s\n"
        "}).call(window);\n"
        "window.trajplotPlotly = window.Plotly;\n"
        "if (previous) window.Plotly = previous;\n"
        "})();\n"
        "</script>\n" % (os.path.basename(path), code))


def figure_html(figure, figure_json, include_plotlyjs=None):
    """A <div> drawing the figure (its JSON text given) in a notebook;
    ``include_plotlyjs`` None: plotly.js inline for the first figure of the
    process only."""
    took_first = include_plotlyjs is None and _take_first()
    try:
        loader = _plotlyjs_loader(figure) if include_plotlyjs or took_first else ""
    except BaseException:
        if took_first:
            reset()  # plotly.js was not sent: the next figure carries it
        raise
    div_id = "trajplot-" + uuid.uuid4().hex
    return (
        '<div class="trajplot-figure">\n%s'
        '<div id="%s" class="plotly-graph-div"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        "  var figure = %s;\n"
        "  var config = %s;\n"
        "  var started = Date.now();\n"
        "  function draw() {\n"
        "    var Plotly = window.trajplotPlotly || window.Plotly;\n"
        '    var div = document.getElementById("%s");\n'
        "    if (Plotly && div) { Plotly.newPlot(div, figure.data, figure.layout, config); return; }\n"
        "    if (Date.now() - started < %d) { setTimeout(draw, 100); return; }\n"
        "    if (div) div.textContent = \"trajplot: plotly.js is not loaded on this page. The first trajplot \" +\n"
        "      \"figure a kernel displays carries it: run that cell again (or call trajplot.reset_notebook() \" +\n"
        "      \"and display this figure again).\";\n"
        "  }\n"
        "  draw();\n"
        "})();\n"
        "</script>\n"
        "</div>\n" % (loader, div_id,
                      _script_safe(figure_json), json.dumps(CONFIG), div_id, _WAIT_MS))


def mimebundle(figure, include=None, exclude=None):
    """The figure's forms for IPython (see the module's docstring), those
    ``include`` (None: all) and ``exclude`` (None: none) let through."""
    def wanted(mimetype):
        return (include is None or mimetype in include) and (exclude is None or mimetype not in exclude)

    bundle = {}
    text = None
    if wanted(PLOTLY_MIMETYPE) or wanted("text/html"):
        text = figure.to_json()
    if wanted(PLOTLY_MIMETYPE):
        data = json.loads(text)
        data["config"] = dict(CONFIG)
        bundle[PLOTLY_MIMETYPE] = data
    if wanted("text/html"):
        bundle["text/html"] = figure_html(figure, text)
    if wanted("text/plain"):
        bundle["text/plain"] = repr(figure)
    return bundle


def in_notebook():
    """Whether this code runs in a Jupyter kernel (a notebook, JupyterLab,
    VS Code), which displays rich output, rather than a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(figure):
    """Displays the figure: in a notebook, as IPython displays it; else as
    a page (plotly.js inlined) in a temporary file opened in the web
    browser."""
    if in_notebook():
        from IPython.display import display

        display(figure)
        return
    handle, path = tempfile.mkstemp(prefix="trajplot-", suffix=".html")
    os.close(handle)
    figure.write_html(path)
    # The browser reads the file after this returns: it is left in place.
    if not webbrowser.open(pathlib.Path(path).as_uri()):
        warnings.warn("no web browser could be opened; the figure is in %s" % path, RuntimeWarning,
                      stacklevel=3)
