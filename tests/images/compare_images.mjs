// trajplot's own images of the figures of figures.json against plotly.js's
// rendering of the same figures (plotly_reference.mjs, run first: its
// screenshots and geometry are the reference).
//
// Each figure is rendered by the CLI as SVG, PNG (`--scale` the figure's
// scale) and PDF; the PDF is rasterised by poppler's pdftoppm and the SVG
// drawn by Chromium, both at the same scale. Each of the three images must
// be the figure's size at that scale, give every heatmap cell the colour
// plotly.js gives it, and put each panel's heatmap and colour bar where
// plotly.js puts them; the SVG must be well-formed XML holding, as text,
// every text plotly.js draws (tick labels, cell labels, titles, colour bar
// ticks), written as plotly.js shows it and, as Chromium draws the SVG,
// centred where plotly.js centres it. The images, plotly.js's beside
// trajplot's, and where they differ, are kept in TRAJPLOT_IMAGES_OUT.
//
// Until the CLI can render images, or when the library was built without
// PNG and PDF, it exits with status 77 (CTest's skip); with
// TRAJPLOT_REQUIRE_ALL_TESTS=ON a format the library reports missing fails
// instead.
//
//   TRAJPLOT_CLI=build/trajplot TRAJPLOT_IMAGES_OUT=build/images node tests/images/compare_images.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { refuseAllButThePage } from '../browser/self_contained_page.mjs';
import { CLI, OUT, figureArguments, launchBrowser, loadFigures, newContext, run, settle, shownText } from './common.mjs';
import { EDGES, EDGE_SEARCH_PX, colourDistance, measureFigure, rgbText } from './measure.mjs';
import { decodePng, encodePng } from './png.mjs';

// A cell's colour against plotly.js's: two implementations of the
// colourscale's interpolation each round a channel, and encoders and
// rasterisers add a unit or two; 12 (Euclidean, in RGB) is about 5 in each
// channel, under 3% of the distance across any colourscale used here.
const COLOUR_TOLERANCE = 12;
// An edge of a heatmap or colour bar against plotly.js's, in CSS pixels:
// where each falls within a pixel, and their antialiasing.
const EDGE_TOLERANCE_PX = 2;
// A text's centre against plotly.js's, in CSS pixels: fonts differ in
// their widths and ascents by a pixel or two; a text placed by other rules
// is further off.
const TEXT_POSITION_TOLERANCE_PX = 3;
const SKIP = 77;
const FORMATS = { svg: 3, png: 4, pdf: 5 };

const PDFTOPPM = process.env.TRAJPLOT_PDFTOPPM ?? 'pdftoppm';
const PDFINFO = process.env.TRAJPLOT_PDFINFO ?? 'pdfinfo';
const PYTHON = process.env.TRAJPLOT_PYTHON;
const LIB_PATH = process.env.TRAJPLOT_LIB_PATH;
const REQUIRE_ALL = /^(1|on|yes|true)$/i.test(process.env.TRAJPLOT_REQUIRE_ALL_TESTS ?? '');

const SETUP_TIMEOUT_MS = 180_000;
const CHECK_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------
// Which formats the CLI and the library can write.

// The formats the library reports built (trajplot_format_available), or
// null when it has no such query.
async function libraryFormats() {
  if (!PYTHON || !LIB_PATH) return null;
  const probe = [
    'import ctypes, json, sys',
    'lib = ctypes.CDLL(sys.argv[1])',
    'query = getattr(lib, "trajplot_format_available", None)',
    'if query is None: print("null"); sys.exit(0)',
    'query.argtypes = [ctypes.c_int]',
    'query.restype = ctypes.c_bool',
    'print(json.dumps({name: query(value) != 0 for name, value in json.loads(sys.argv[2]).items()}))',
  ].join('\n');
  // A sanitized library runs in Python only with the sanitizer's runtime
  // preloaded (tests/sanitizers), into Python alone: not into Node or
  // Chromium. The interpreter's own leaks are not this test's.
  const preload = process.env.TRAJPLOT_PYTHON_PRELOAD;
  const env = preload
    ? { LD_PRELOAD: preload, ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ?? ''}:detect_leaks=0` }
    : {};
  const { stdout } = await run(['-c', probe, LIB_PATH, JSON.stringify(FORMATS)], PYTHON, { env });
  return JSON.parse(stdout);
}

async function availableFormats() {
  const { stdout } = await run(['render', '--help']);
  const help = stdout.toLowerCase();
  if (!help.includes('svg')) return { reason: `${CLI} cannot render images yet: its render --help names no svg format` };
  const reported = await libraryFormats();
  const formats = {};
  for (const format of Object.keys(FORMATS)) {
    if (reported && !reported[format]) formats[format] = 'the library reports it was built without it (trajplot_format_available)';
    else if (!help.includes(format)) formats[format] = `render --help names no ${format} format`;
    else formats[format] = null;
  }
  if (!PDFTOPPM || !PDFINFO) formats.pdf ??= 'no pdftoppm and pdfinfo (Debian: poppler-utils)';
  return { formats };
}

// ---------------------------------------------------------------------------
// Reading trajplot's images.

// The PDF's page size in points, from pdfinfo.
async function pdfPageSize(pdfPath) {
  const { stdout } = await run([pdfPath], PDFINFO, { allowStderr: true });
  const size = /Page size:\s*([\d.]+)\s*x\s*([\d.]+)\s*pts/.exec(stdout);
  if (!size) throw new Error(`pdfinfo ${pdfPath} gives no page size: ${stdout.trim()}`);
  return { width: Number(size[1]), height: Number(size[2]), pages: Number(/Pages:\s*(\d+)/.exec(stdout)?.[1] ?? 0) };
}

// The first page at the figure's pixel size times its scale: what an
// image viewer shows at that zoom, whatever unit the page is in (its size
// is checked on its own).
async function rasterisePdf(pdfPath, geometry, outPrefix) {
  const width = Math.round(geometry.width * geometry.scale);
  const height = Math.round(geometry.height * geometry.scale);
  await run(['-png', '-f', '1', '-l', '1', '-singlefile', '-scale-to-x', String(width), '-scale-to-y', String(height),
    pdfPath, outPrefix], PDFTOPPM, { allowStderr: true });
  return `${outPrefix}.png`;
}

// The SVG parsed as XML (Chromium's parser, as a browser reads a .svg
// file): its root's size and the text of each <text> element.
function readSvg(page, svgText) {
  return page.evaluate((source) => {
    const parsed = new DOMParser().parseFromString(source, 'image/svg+xml');
    const error = parsed.querySelector('parsererror');
    if (error) return { error: error.textContent };
    const root = parsed.documentElement;
    const number = (name) => (root.hasAttribute(name) ? parseFloat(root.getAttribute(name)) : null);
    return {
      root: root.localName,
      namespace: root.namespaceURI,
      width: number('width'),
      height: number('height'),
      viewBox: root.getAttribute('viewBox'),
      texts: [...parsed.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'text')].map((text) => text.textContent),
    };
  }, svgText);
}

// The SVG as Chromium draws it, alone: nothing may be fetched. Returns
// what was refused or failed, and the box of each <text> as drawn.
async function drawSvg(context, svgPath, geometry, pngPath) {
  const page = await context.newPage();
  try {
    const { pageUrl, problems } = await refuseAllButThePage(page, svgPath);
    await page.setViewportSize({ width: Math.ceil(geometry.width), height: Math.ceil(geometry.height) });
    await page.goto(pageUrl);
    await settle(page);
    await page.screenshot({ path: pngPath, clip: { x: 0, y: 0, width: geometry.width, height: geometry.height } });
    const texts = await page.evaluate(() => [...document.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'text')]
      .map((text) => {
        const r = text.getBoundingClientRect();
        return { text: text.textContent, box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom } };
      }));
    return { problems, texts };
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------
// Comparing.

function compareImages(geometry, reference, image, measured) {
  const problems = { size: [], cells: [], heatmaps: [], colorbars: [] };
  const size = [Math.round(geometry.width * geometry.scale), Math.round(geometry.height * geometry.scale)];
  if (image.width !== size[0] || image.height !== size[1]) {
    problems.size.push(`${image.width} x ${image.height} pixels, plotly.js's ${size[0]} x ${size[1]} ` +
      `(${geometry.width} x ${geometry.height} at scale ${geometry.scale})`);
  }
  if (image.alpha !== 255) problems.size.push(`transparent pixels (least alpha ${image.alpha}), plotly.js's paper is opaque`);
  geometry.panels.forEach((panel, i) => {
    const where = `panel ${i + 1}`;
    panel.cells.forEach((cell, k) => {
      const expected = reference[i].cells[k].rgb;
      const { rgb } = measured[i].cells[k];
      const distance = rgb ? colourDistance(rgb, expected) : Infinity;
      if (distance > COLOUR_TOLERANCE) {
        problems.cells.push(`${where} cell row ${cell.row} column ${cell.column} (value ${cell.value}): ` +
          `${rgb ? rgbText(rgb) : 'no colour'}, plotly.js ${rgbText(expected)}, distance ${distance.toFixed(1)}`);
      }
    });
    for (const [part, list, key] of [['heatmap', problems.heatmaps, 'heatmap'], ['colour bar', problems.colorbars, 'colorbar']]) {
      for (const edge of EDGES) {
        const expected = reference[i][key][edge].edge;
        const found = measured[i][key]?.[edge];
        if (expected === null) continue;
        if (!found || found.edge === null) {
          list.push(`${where} ${part} ${edge} edge: none found within ${EDGE_SEARCH_PX} px of plotly.js's, at ${expected.toFixed(2)}`);
        } else if (Math.abs(found.edge - expected) > EDGE_TOLERANCE_PX) {
          list.push(`${where} ${part} ${edge} edge: at ${found.edge.toFixed(2)}, plotly.js's at ${expected.toFixed(2)} ` +
            `(${(found.edge - expected).toFixed(2)} px)`);
        }
      }
    }
  });
  return problems;
}

// The texts plotly.js draws that the SVG lacks, and those it adds, each
// with how often.
function compareTexts(plotlyTexts, svgTexts) {
  const count = (texts) => texts.reduce((map, text) => map.set(text, (map.get(text) ?? 0) + 1), new Map());
  const kinds = new Map(plotlyTexts.map(({ text, kind }) => [text, kind]));
  const expected = count(plotlyTexts.map(({ text }) => text));
  const found = count(svgTexts.map(shownText).filter((text) => text !== ''));
  const missing = [];
  const extra = [];
  for (const [text, n] of expected) {
    const m = found.get(text) ?? 0;
    if (m < n) missing.push(`${kinds.get(text)} ${JSON.stringify(text)}: drawn ${n} times by plotly.js, ${m} in the SVG`);
  }
  for (const [text, m] of found) {
    const n = expected.get(text) ?? 0;
    if (m > n) extra.push(`${JSON.stringify(text)}: ${m} times in the SVG, drawn ${n} times by plotly.js`);
  }
  return { missing, extra };
}

// Each text plotly.js draws against the SVG's text of the same words
// nearest to it (pairs taken closest first, so that a label repeated in
// many cells is matched cell by cell): their centres, as drawn, must lie
// within TEXT_POSITION_TOLERANCE_PX.
function compareTextPositions(plotlyTexts, svgTexts) {
  const centre = ({ box }) => [(box.left + box.right) / 2, (box.top + box.bottom) / 2];
  const svgByText = new Map();
  svgTexts.forEach((text, index) => {
    const shown = shownText(text.text);
    if (!svgByText.has(shown)) svgByText.set(shown, []);
    svgByText.get(shown).push({ index, centre: centre(text) });
  });
  const pairs = [];
  plotlyTexts.forEach((text, index) => {
    const [x, y] = centre(text);
    for (const candidate of svgByText.get(text.text) ?? []) {
      pairs.push({ index, candidate, dx: candidate.centre[0] - x, dy: candidate.centre[1] - y });
    }
  });
  pairs.sort((a, b) => Math.hypot(a.dx, a.dy) - Math.hypot(b.dx, b.dy));
  const matched = new Map();
  const taken = new Set();
  for (const pair of pairs) {
    if (matched.has(pair.index) || taken.has(pair.candidate.index)) continue;
    matched.set(pair.index, pair);
    taken.add(pair.candidate.index);
  }
  const problems = [];
  plotlyTexts.forEach((text, index) => {
    const pair = matched.get(index);
    if (!pair || Math.hypot(pair.dx, pair.dy) <= TEXT_POSITION_TOLERANCE_PX) return;
    const [x, y] = centre(text);
    problems.push(`${text.kind} ${JSON.stringify(text.text)}: centred at (${(x + pair.dx).toFixed(1)}, ${(y + pair.dy).toFixed(1)}), ` +
      `plotly.js's at (${x.toFixed(1)}, ${y.toFixed(1)}): ${pair.dx.toFixed(1)} px across, ${pair.dy.toFixed(1)} px down`);
  });
  return problems;
}

function assertNone(problems, what) {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 25).join('\n  ');
  assert.fail(`${what}: ${problems.length} mismatches\n  ${shown}${problems.length > 25 ? `\n  ... ${problems.length - 25} more` : ''}`);
}

// plotly.js's screenshot beside trajplot's images, and for each image a
// map of where it differs: plotly.js's figure faded, with the pixels
// further than COLOUR_TOLERANCE from plotly.js's in red.
function writeViews(dir, reference, images) {
  const gap = 8;
  const all = [reference, ...images.map(({ image }) => image)];
  const width = all.reduce((sum, image) => sum + image.width, 0) + gap * (all.length - 1);
  const height = Math.max(...all.map((image) => image.height));
  const side = new Uint8Array(width * height * 3).fill(160);
  let left = 0;
  for (const image of all) {
    for (let y = 0; y < image.height; y++) {
      side.set(image.rgb.subarray(y * image.width * 3, (y + 1) * image.width * 3), (y * width + left) * 3);
    }
    left += image.width + gap;
  }
  fs.writeFileSync(path.join(dir, 'side_by_side.png'), encodePng({ width, height, rgb: side }));
  for (const { name, image } of images) {
    const diff = new Uint8Array(reference.width * reference.height * 3);
    for (let y = 0; y < reference.height; y++) {
      for (let x = 0; x < reference.width; x++) {
        const o = (y * reference.width + x) * 3;
        const a = [reference.rgb[o], reference.rgb[o + 1], reference.rgb[o + 2]];
        const inImage = x < image.width && y < image.height;
        const p = (y * image.width + x) * 3;
        const b = inImage ? [image.rgb[p], image.rgb[p + 1], image.rgb[p + 2]] : [255, 0, 255];
        if (colourDistance(a, b) > COLOUR_TOLERANCE) diff.set([255, 0, 0], o);
        else {
          const grey = 200 + Math.round((a[0] + a[1] + a[2]) / 3 / 255 * 55);
          diff.set([grey, grey, grey], o);
        }
      }
    }
    fs.writeFileSync(path.join(dir, `diff_${name}.png`), encodePng({ width: reference.width, height: reference.height, rgb: diff }));
  }
}

// ---------------------------------------------------------------------------

if (!CLI || !OUT) {
  test('environment', () => assert.fail('set TRAJPLOT_CLI (the trajplot CLI) and TRAJPLOT_IMAGES_OUT (an output folder)'));
} else {
  const { reason, formats } = await availableFormats();
  const unavailable = formats ? Object.entries(formats).filter(([, why]) => why) : [];
  if (reason || (!REQUIRE_ALL && formats.png && formats.pdf)) {
    const why = reason ?? unavailable.map(([format, because]) => `${format}: ${because}`).join('; ');
    console.log(`images.trajplot skipped: ${why}`);
    process.exit(SKIP);
  }
  // Formats to leave out, with why: a failure under
  // TRAJPLOT_REQUIRE_ALL_TESTS, a skip otherwise.
  const missing = (format) => formats[format];

  const figures = loadFigures();
  let browser = null;
  before(async () => {
    browser = await launchBrowser();
  }, { timeout: SETUP_TIMEOUT_MS });
  after(() => browser?.close());
  const report = [];
  after(() => fs.writeFileSync(path.join(OUT, 'mismatches.txt'),
    report.length ? `${report.join('\n')}\n` : 'trajplot\'s images match plotly.js\'s within the tolerances.\n'));

  for (const figure of figures) {
    describe(figure.name, () => {
      const state = { images: {}, errors: {}, problems: {} };
      let preparationError = null;

      before(async () => {
        try {
          const geometryPath = path.join(figure.dir, 'plotly.geometry.json');
          if (!fs.existsSync(geometryPath)) throw new Error(`no ${geometryPath}: run images.plotly (plotly_reference.mjs) first`);
          const geometry = JSON.parse(fs.readFileSync(geometryPath, 'utf8'));
          const reference = decodePng(fs.readFileSync(path.join(figure.dir, 'plotly.png')), 'plotly.png');
          Object.assign(state, { geometry, reference, referenceMeasured: measureFigure(reference, geometry) });
          const file = (name) => path.join(figure.dir, name);
          for (const name of ['trajplot.svg', 'trajplot.png', 'trajplot.pdf', 'pdf.png', 'svg.png', 'side_by_side.png',
            'diff_png.png', 'diff_pdf.png', 'diff_svg.png', 'mismatches.txt']) fs.rmSync(file(name), { force: true });

          const context = await newContext(browser, figure.scale);
          try {
            if (!missing('svg')) {
              try {
                await run(figureArguments(figure, 'svg', file('trajplot.svg')));
                const page = await context.newPage();
                state.svg = await readSvg(page, fs.readFileSync(file('trajplot.svg'), 'utf8'));
                await page.close();
                const drawnSvg = await drawSvg(context, file('trajplot.svg'), geometry, file('svg.png'));
                state.svgProblems = drawnSvg.problems;
                state.svgTextBoxes = drawnSvg.texts;
                state.images.svg = decodePng(fs.readFileSync(file('svg.png')), 'svg.png');
              } catch (error) {
                state.errors.svg = error;
              }
            }
          } finally {
            await context.close();
          }
          if (!missing('png')) {
            try {
              await run(figureArguments(figure, 'png', file('trajplot.png'), ['--scale', String(figure.scale)]));
              state.images.png = decodePng(fs.readFileSync(file('trajplot.png')), 'trajplot.png');
            } catch (error) {
              state.errors.png = error;
            }
          }
          if (!missing('pdf')) {
            try {
              await run(figureArguments(figure, 'pdf', file('trajplot.pdf')));
              state.pdfPage = await pdfPageSize(file('trajplot.pdf'));
              const raster = await rasterisePdf(file('trajplot.pdf'), geometry, file('pdf'));
              state.images.pdf = decodePng(fs.readFileSync(raster), 'pdf.png');
            } catch (error) {
              state.errors.pdf = error;
            }
          }

          const lines = [];
          for (const [format, image] of Object.entries(state.images)) {
            const problems = compareImages(geometry, state.referenceMeasured, image, measureFigure(image, geometry));
            state.problems[format] = problems;
            for (const [kind, list] of Object.entries(problems)) list.forEach((line) => lines.push(`${format} ${kind}: ${line}`));
          }
          if (state.svg && !state.svg.error) {
            state.texts = compareTexts(geometry.texts, state.svg.texts);
            state.texts.missing.forEach((line) => lines.push(`svg text missing: ${line}`));
            state.texts.extra.forEach((line) => lines.push(`svg text added: ${line}`));
          }
          if (state.svgTextBoxes) {
            state.textPositions = compareTextPositions(geometry.texts, state.svgTextBoxes);
            state.textPositions.forEach((line) => lines.push(`svg text placed: ${line}`));
          }
          if (state.pdfPage) {
            const { width, height } = geometry;
            const { width: w, height: h, pages } = state.pdfPage;
            if (w !== width || h !== height || pages !== 1) {
              lines.push(`pdf page: ${pages} page(s) of ${w} x ${h} pt, the figure is ${width} x ${height} px`);
            }
          }
          for (const [format, error] of Object.entries(state.errors)) lines.push(`${format}: ${error.message}`);
          writeViews(figure.dir, reference, ['png', 'pdf', 'svg'].filter((f) => state.images[f])
            .map((name) => ({ name, image: state.images[name] })));
          fs.writeFileSync(path.join(figure.dir, 'mismatches.txt'), lines.length ? `${lines.join('\n')}\n` : 'none\n');
          report.push(...lines.map((line) => `${figure.name}: ${line}`));
        } catch (error) {
          preparationError = error;
        }
      }, { timeout: SETUP_TIMEOUT_MS });

      // A check of one format: skipped (or failed, when every test must
      // run) if the library lacks it, failed with the CLI's error if it
      // could not be written.
      const check = (format, name, fn) => {
        const why = missing(format);
        if (why && !REQUIRE_ALL) {
          test(`${format}: ${name}`, { skip: why }, () => {});
          return;
        }
        test(`${format}: ${name}`, { timeout: CHECK_TIMEOUT_MS }, async () => {
          if (why) assert.fail(`${format} cannot be checked: ${why}`);
          if (preparationError) throw preparationError;
          if (state.errors[format]) throw state.errors[format];
          await fn();
        });
      };

      check('svg', 'well-formed XML, the figure\'s size', () => {
        assert.equal(state.svg.error, undefined, `the SVG is not well-formed XML: ${state.svg.error}`);
        assert.equal(state.svg.root, 'svg');
        assert.equal(state.svg.namespace, 'http://www.w3.org/2000/svg');
        const { width, height } = state.geometry;
        const viewBox = state.svg.viewBox?.trim().split(/[\s,]+/).map(Number);
        assert.ok((state.svg.width === width && state.svg.height === height) ||
          (state.svg.width === null && viewBox?.[2] === width && viewBox?.[3] === height),
        `the SVG is ${state.svg.width} x ${state.svg.height} (viewBox ${state.svg.viewBox}), the figure ${width} x ${height}`);
      });
      check('svg', 'every text plotly.js draws, as plotly.js shows it', () => {
        assertNone(state.texts.missing, 'texts plotly.js draws that the SVG does not hold');
      });
      check('svg', 'no text that plotly.js does not draw', () => {
        assertNone(state.texts.extra, 'texts in the SVG that plotly.js does not draw');
      });
      check('svg', 'each text where plotly.js draws it', () => {
        assertNone(state.textPositions, 'texts whose centre is not where plotly.js draws it');
      });
      check('svg', 'Chromium draws it from itself alone', () => {
        assert.deepEqual(state.svgProblems, []);
      });
      check('pdf', "one page of the figure's size, in points", () => {
        const { width, height } = state.geometry;
        assert.deepEqual(state.pdfPage, { width, height, pages: 1 });
      });
      for (const format of ['png', 'pdf', 'svg']) {
        const what = { png: 'the PNG', pdf: 'the PDF rasterised by pdftoppm', svg: 'the SVG drawn by Chromium' }[format];
        check(format, `${what} is the figure's size at its scale`, () => assertNone(state.problems[format].size, what));
        check(format, `${what} gives every cell plotly.js's colour`, () => assertNone(state.problems[format].cells, what));
        check(format, `${what} draws each heatmap where plotly.js does`, () => assertNone(state.problems[format].heatmaps, what));
        check(format, `${what} draws each colour bar where plotly.js does`, () => assertNone(state.problems[format].colorbars, what));
      }
    });
  }
}
