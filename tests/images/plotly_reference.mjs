// plotly.js's own rendering of the figures of figures.json, the reference
// trajplot's images are held to (compare_images.mjs): each figure's HTML
// page (`trajplot render ... --format html`, plotly.js inlined) drawn in
// headless Chromium with every request but the page's own refused,
// screenshot at the figure's size with the figure's scale as device scale
// factor (plotly.png), and what plotly.js drew and where, read from the
// live plot (plotly.geometry.json).
//
// The checks make sure the reference is sound: the page draws offline, the
// screenshot has the figure's size, the geometry is that of the figure
// (one heatmap per panel, its cells tiling the panel's axes, colour bars
// beside their panels), every label of the specs is drawn as it is written,
// and the measurements compare_images.mjs takes of trajplot's images give
// back this geometry and plotly.js's cell colours from plotly.js's own
// screenshot.
//
//   TRAJPLOT_CLI=build/trajplot TRAJPLOT_IMAGES_OUT=build/images node tests/images/plotly_reference.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { refuseAllButThePage } from '../browser/self_contained_page.mjs';
import { CLI, OUT, figureArguments, launchBrowser, loadFigures, newContext, run, settle } from './common.mjs';
import { EDGES, colourDistance, measureFigure, rgbText } from './measure.mjs';
import { readPageGeometry } from './page_geometry.mjs';
import { decodePng } from './png.mjs';

// plotly.js's screenshot against the colours plotly.js painted: the same
// pixels, scaled by Chromium; anything beyond a rounding means the
// measurement does not read the cell.
const SELF_COLOUR_TOLERANCE = 3;
// The measured edges against plotly.js's geometry: the pixel an edge falls
// in, and its antialiasing.
const SELF_EDGE_TOLERANCE_PX = 1;

const SETUP_TIMEOUT_MS = 120_000;
const CHECK_TIMEOUT_MS = 30_000;

// What every figure must show, from its specs and options: the labels and
// titles, each as many times as it is drawn.
function expectedTexts(figure) {
  const specs = figure.specPaths.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
  const options = figure.options;
  const option = (name) => {
    const i = options.indexOf(name);
    return i < 0 ? null : options[i + 1];
  };
  const panelTitles = new Map();
  options.forEach((value, i) => {
    if (value === '--panel-title') panelTitles.set(Number(options[i + 1]), options[i + 2]);
  });
  const stacked = figure.stack || figure.demo;
  const texts = [];
  const add = (kind, list) => list.forEach((text) => text !== '' && texts.push({ kind, text }));
  if (option('--title')) add('title', [option('--title')]);
  // The x tick labels, once, under the bottom panel.
  const labelled = specs.find((spec) => spec.sequence_labels);
  if (labelled) add('x tick label', labelled.sequence_labels);
  specs.forEach((spec, index) => {
    const rows = spec.stats.length;
    const includesOutput = spec.includes_output ?? true;
    add('y tick label', spec.layer_labels ??
      Array.from({ length: rows }, (_, i) => (includesOutput && i === rows - 1 ? 'output' : String(i))));
    if (spec.trajectory_labels) add('cell label', spec.trajectory_labels.label_strings.flat());
    add('colour bar title', [spec.units ? `${spec.name} (${spec.units})` : spec.name]);
    if (stacked) add('panel title', [panelTitles.get(index + 1) ?? spec.name]);
  });
  return texts;
}

function countTexts(texts) {
  const counts = new Map();
  for (const { text } of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return counts;
}

const figures = loadFigures();

if (!CLI || !OUT) {
  test('environment', () => assert.fail('set TRAJPLOT_CLI (the trajplot CLI) and TRAJPLOT_IMAGES_OUT (an output folder)'));
} else {
  let browser = null;
  before(async () => {
    browser = await launchBrowser();
  }, { timeout: SETUP_TIMEOUT_MS });
  after(() => browser?.close());

  for (const figure of figures) {
    describe(figure.name, () => {
      const drawn = {};
      let preparationError = null;

      before(async () => {
        try {
          fs.rmSync(figure.dir, { recursive: true, force: true });
          fs.mkdirSync(figure.dir, { recursive: true });
          const htmlPath = path.join(figure.dir, 'plotly.html');
          await run(figureArguments(figure, 'html', htmlPath));
          const context = await newContext(browser, figure.scale);
          try {
            const page = await context.newPage();
            const { pageUrl, problems } = await refuseAllButThePage(page, htmlPath);
            await page.goto(pageUrl);
            await page.waitForSelector('.js-plotly-plot .main-svg', { state: 'attached', timeout: 15_000 });
            await settle(page);
            const geometry = { name: figure.name, scale: figure.scale, ...await page.evaluate(readPageGeometry) };
            const pngPath = path.join(figure.dir, 'plotly.png');
            await page.locator('.js-plotly-plot .svg-container').screenshot({ path: pngPath, animations: 'disabled' });
            fs.writeFileSync(path.join(figure.dir, 'plotly.geometry.json'), `${JSON.stringify(geometry, null, 1)}\n`);
            Object.assign(drawn, { geometry, problems, image: decodePng(fs.readFileSync(pngPath), 'plotly.png') });
          } finally {
            await context.close();
          }
        } catch (error) {
          preparationError = error;
        }
      }, { timeout: SETUP_TIMEOUT_MS });

      const check = (name, fn) => test(name, { timeout: CHECK_TIMEOUT_MS }, async () => {
        if (preparationError) throw preparationError;
        await fn();
      });

      check('plotly.js draws the page offline, one heatmap per panel', () => {
        assert.deepEqual(drawn.problems, []);
        assert.equal(drawn.geometry.panels.length, figure.specPaths.length);
      });

      check("the screenshot is the figure's size at its scale", () => {
        const { geometry, image } = drawn;
        assert.deepEqual([image.width, image.height],
          [Math.round(geometry.width * figure.scale), Math.round(geometry.height * figure.scale)]);
        assert.equal(image.alpha, 255, 'the screenshot has transparent pixels');
      });

      check("the geometry is the figure's: cells tile each panel's axes, colour bars beside their panels", () => {
        const { geometry } = drawn;
        const specs = figure.specPaths.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
        const near = (a, b) => Math.abs(a - b) < 0.01;
        geometry.panels.forEach((panel, i) => {
          const where = `panel ${i + 1}`;
          assert.deepEqual([panel.rows, panel.columns], [specs[i].stats.length, specs[i].stats[0].length], where);
          const { box, plotArea } = { box: panel.box, plotArea: geometry.plotArea };
          assert.ok(box.left >= plotArea.left - 0.01 && box.right <= plotArea.right + 0.01 &&
            box.top >= plotArea.top - 0.01 && box.bottom <= plotArea.bottom + 0.01,
          `${where}: ${JSON.stringify(box)} lies outside the plotting area ${JSON.stringify(plotArea)}`);
          const column = (c) => panel.cells.filter((cell) => cell.column === c);
          const row = (r) => panel.cells.filter((cell) => cell.row === r);
          for (let c = 0; c < panel.columns; c++) {
            for (const cell of column(c)) {
              assert.ok(near(cell.box.left, box.left + ((box.right - box.left) * c) / panel.columns) &&
                near(cell.box.right, box.left + ((box.right - box.left) * (c + 1)) / panel.columns),
              `${where}: cell ${cell.row},${c} spans x ${cell.box.left}..${cell.box.right}`);
              assert.ok(near(cell.centre[0], (cell.box.left + cell.box.right) / 2), `${where}: cell ${cell.row},${c} centre`);
            }
          }
          // Row 0, the first layer, at the bottom.
          for (let r = 0; r < panel.rows; r++) {
            for (const cell of row(r)) {
              assert.ok(near(cell.box.bottom, box.bottom - ((box.bottom - box.top) * r) / panel.rows) &&
                near(cell.box.top, box.bottom - ((box.bottom - box.top) * (r + 1)) / panel.rows),
              `${where}: cell ${r},${cell.column} spans y ${cell.box.top}..${cell.box.bottom}`);
              assert.ok(near(cell.centre[1], (cell.box.top + cell.box.bottom) / 2), `${where}: cell ${r},${cell.column} centre`);
            }
          }
          // Gaps (null in the spec) are left unpainted; every other cell is
          // painted opaque.
          panel.cells.forEach((cell) => {
            const gap = specs[i].stats[cell.row][cell.column] === null;
            assert.equal(cell.colour[3], gap ? 0 : 255, `${where}: cell ${cell.row},${cell.column} painted alpha`);
          });
          const bar = panel.colorbar;
          assert.ok(bar, `${where} has no colour bar`);
          assert.ok(bar.fill.left >= box.right, `${where}: the colour bar starts at ${bar.fill.left}, left of the heatmap's end ${box.right}`);
          assert.ok(bar.fill.right <= geometry.width, `${where}: the colour bar ends at ${bar.fill.right}, beyond the figure`);
          assert.ok(bar.fill.top >= box.top - 1 && bar.fill.bottom <= box.bottom + 1,
            `${where}: the colour bar spans y ${bar.fill.top}..${bar.fill.bottom}, beyond the panel's ${box.top}..${box.bottom}`);
        });
      });

      check('every label and title of the specs is drawn, as written', () => {
        const drawnCounts = countTexts(drawn.geometry.texts);
        const missing = [];
        for (const [text, count] of countTexts(expectedTexts(figure))) {
          if ((drawnCounts.get(text) ?? 0) < count) missing.push(`${JSON.stringify(text)} x${count} (drawn ${drawnCounts.get(text) ?? 0})`);
        }
        assert.deepEqual(missing, [], 'texts plotly.js does not draw as the specs write them');
        assert.deepEqual(drawn.geometry.texts.filter((t) => t.kind === 'other'), [], 'texts of no known kind');
      });

      check("measured on plotly.js's screenshot, cells have plotly.js's colours and panels its geometry", () => {
        const { geometry, image } = drawn;
        const measured = measureFigure(image, geometry);
        const problems = [];
        geometry.panels.forEach((panel, i) => {
          const where = `panel ${i + 1}`;
          panel.cells.forEach((cell, k) => {
            const { rgb, share } = measured[i].cells[k];
            const expected = cell.colour[3] === 0 ? geometry.plotBackground : cell.colour;
            if (!rgb || colourDistance(rgb, expected) > SELF_COLOUR_TOLERANCE || share < 0.3) {
              problems.push(`${where} cell ${cell.row},${cell.column}: measured ${rgb && rgbText(rgb)} ` +
                `(${(share * 100).toFixed(0)}% of its middle), plotly.js painted ${rgbText(expected)}`);
            }
          });
          for (const [part, expected, found] of [['heatmap', panel.box, measured[i].heatmap],
            ['colour bar', panel.colorbar.fill, measured[i].colorbar]]) {
            for (const edge of EDGES) {
              const { edge: at, lines } = found[edge];
              if (at === null) problems.push(`${where} ${part} ${edge} edge: not found (expected ${expected[edge]})`);
              else if (Math.abs(at - expected[edge]) > SELF_EDGE_TOLERANCE_PX) {
                problems.push(`${where} ${part} ${edge} edge: measured ${at} over ${lines} lines, plotly.js says ${expected[edge]}`);
              }
            }
          }
        });
        assert.deepEqual(problems, []);
      });
    });
  }
}
