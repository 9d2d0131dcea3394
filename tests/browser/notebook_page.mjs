// A notebook that displays trajplot figures, executed in a Jupyter kernel
// where plotly.py cannot be imported and exported to HTML by nbconvert
// (bindings/python/tests/notebook_to_html.py), must draw its figures in
// headless Chromium with every request refused: cell labels included, from
// the one copy of plotly.js the first figure carried. Again with an AMD
// loader on the page (as require.js is in classic notebooks) and a UMD
// plotly.js that would define an anonymous module there instead of a global.
//
//   TRAJPLOT_PYTHON=/usr/bin/python3 TRAJPLOT_LIB_PATH=build/libtrajplot.so \
//   TRAJPLOT_BROWSER_OUT=build/browser TRAJPLOT_BROWSER_PLOTLYJS=build/share/trajplot/plotly.min.js \
//     node --test tests/browser/notebook_page.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

import { refuseAllButThePage } from './self_contained_page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PYTHON = process.env.TRAJPLOT_PYTHON || '/usr/bin/python3';
const OUT = path.join(process.env.TRAJPLOT_BROWSER_OUT || path.join(ROOT, 'build', 'browser'), 'notebook');
const PLOTLY_JS = process.env.TRAJPLOT_BROWSER_PLOTLYJS;
const CHROMIUM = process.env.TRAJPLOT_CHROMIUM || '/usr/bin/chromium';
const DRIVER = path.join(ROOT, 'bindings', 'python', 'tests', 'notebook_to_html.py');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const DRAW_TIMEOUT_MS = 30_000;

const run = promisify(execFile);

// plotly.js wrapped as webpack's UMD bundles are (plotly.js 2 and earlier):
// beside an AMD loader it calls define() and makes no global.
function amdPlotlyJs(code) {
  return '(function (root, factory) {\n' +
    '  if (typeof define === "function" && define.amd) { define([], factory); }\n' +
    '  else if (typeof module === "object" && module.exports) { module.exports = factory(); }\n' +
    '  else { root.Plotly = factory(); }\n' +
    '}(typeof self !== "undefined" ? self : this, function () {\n' +
    code + '\nreturn window.Plotly;\n}));\n';
}

// A stand-in for require.js: an AMD define that records its calls and
// never runs a factory, and CommonJS-like globals some pages have.
function amdLoader() {
  window.amdDefineCalls = 0;
  window.define = function define() { window.amdDefineCalls += 1; };
  window.define.amd = { jQuery: true };
  window.require = function require() {};
  window.module = { exports: {} };
  window.exports = window.module.exports;
}

async function renderNotebook(directory, ...options) {
  fs.rmSync(directory, { recursive: true, force: true });
  try {
    await run(PYTHON, [DRIVER, directory, ...options], { env: process.env, maxBuffer: 1 << 24 });
  } catch (error) {
    throw new Error(`${DRIVER} failed:\n${error.stderr || error.message}`);
  }
  return {
    html: path.join(directory, 'figures.html'),
    notebook: JSON.parse(fs.readFileSync(path.join(directory, 'figures.ipynb'), 'utf8')),
    expected: JSON.parse(fs.readFileSync(path.join(directory, 'figures.json'), 'utf8')),
  };
}

const state = { context: null, profile: null, plain: null, amd: null };

// Loads a notebook page with every request but the page refused and waits
// for its two figures. Refused requests are the template's own (require.js,
// MathJax), which the figures must not need: only errors are problems.
async function openNotebook(htmlPath, initScript) {
  const page = await state.context.newPage();
  const { pageUrl, problems } = await refuseAllButThePage(page, htmlPath);
  if (initScript) await page.addInitScript(initScript);
  await page.goto(pageUrl);
  let drawn = true;
  try {
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2 &&
      document.querySelectorAll('g.hm g.heatmap-label text').length > 0, null, { timeout: DRAW_TIMEOUT_MS });
  } catch {
    drawn = false;
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20))));
  const errors = problems.filter((problem) => !problem.startsWith('request refused') &&
    !/Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/.test(problem));
  const refused = problems.filter((problem) => problem.startsWith('request refused'));
  return { page, drawn, errors, refused };
}

// What each figure on the page drew: its title, and per panel (subplot)
// the texts of its heatmap's cells.
function drawnFigures(page) {
  return page.evaluate(() => [...document.querySelectorAll('.js-plotly-plot')].map((gd) => ({
    title: [...gd.querySelectorAll('.gtitle')].map((text) => text.textContent).join(''),
    heatmaps: gd.querySelectorAll('.heatmaplayer g.hm').length,
    panels: gd._fullData.map((trace) => {
      const subplot = `${trace.xaxis}${trace.yaxis}`;
      return [...gd.querySelectorAll(`g.subplot.${subplot} g.hm g.heatmap-label text`)]
        .map((text) => text.textContent);
    }),
  })));
}

function checkFigures(figures, expected) {
  assert.equal(figures.length, 2, 'two figures on the page');
  figures.forEach((figure, index) => {
    assert.equal(figure.title, expected.titles[index], `figure ${index}'s title`);
    assert.equal(figure.heatmaps, expected.figures[index].length, `figure ${index}'s heatmaps`);
    figure.panels.forEach((texts, panel) => {
      // Every cell's label, each once (plotly.js draws them row by row).
      assert.deepEqual([...texts].sort(), expected.figures[index][panel].flat().sort(),
        `figure ${index}, panel ${panel}: the cell labels drawn`);
    });
  });
}

describe('a notebook without plotly.py, exported by nbconvert', { timeout: 240_000 }, () => {
  before(async () => {
    assert.ok(PLOTLY_JS && fs.existsSync(PLOTLY_JS), 'TRAJPLOT_BROWSER_PLOTLYJS names the build\'s plotly.js');
    fs.mkdirSync(OUT, { recursive: true });
    state.plain = await renderNotebook(path.join(OUT, 'plain'));
    const amdFile = path.join(OUT, 'plotly-amd.min.js');
    fs.writeFileSync(amdFile, amdPlotlyJs(fs.readFileSync(PLOTLY_JS, 'utf8')));
    state.amd = await renderNotebook(path.join(OUT, 'amd'), '--plotlyjs', amdFile);
    state.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trajplot-notebook-'));
    state.context = await chromium.launchPersistentContext(state.profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1600, height: 1600 },
    });
  });

  after(async () => {
    try {
      await state.context?.close();
    } finally {
      if (state.profile) fs.rmSync(state.profile, { recursive: true, force: true });
    }
  });

  test('the kernel could not import plotly.py', () => {
    const output = state.plain.notebook.cells[0].outputs.map((item) => [].concat(item.text ?? []).join('')).join('');
    assert.match(output, /^plotly blocked: plotly\.py is blocked in this kernel/);
  });

  test('plotly.js is in the page once, carried by the first figure', () => {
    const html = fs.readFileSync(state.plain.html, 'utf8');
    const bundle = fs.readFileSync(PLOTLY_JS, 'utf8');
    // A stretch of the bundle's code, past its licence header.
    const sample = bundle.slice(Math.floor(bundle.length / 2), Math.floor(bundle.length / 2) + 200);
    assert.equal(html.split(sample).length - 1, 1, 'copies of plotly.js in the page');
    assert.deepEqual(state.plain.expected.plotlyjs, [1, 0]);
    assert.ok(html.length < bundle.length * 1.5, `the page is ${html.length} bytes for a ${bundle.length}-byte plotly.js`);
  });

  test('both figures draw with their cell labels, every request refused', async () => {
    const { page, drawn, errors, refused } = await openNotebook(state.plain.html);
    try {
      assert.ok(drawn, `the figures drew within ${DRAW_TIMEOUT_MS} ms`);
      assert.deepEqual(errors, [], 'page and console errors');
      assert.ok(refused.every((request) => !/plotly/i.test(request)), `refused: ${refused.join(', ')}`);
      const plotly = await page.evaluate(() => ({
        global: typeof window.Plotly?.newPlot, own: window.trajplotPlotly === window.Plotly,
        version: window.Plotly?.version,
      }));
      assert.deepEqual(plotly, { global: 'function', own: true, version: plotly.version });
      assert.match(plotly.version, /^[0-9]+\./);
      checkFigures(await drawnFigures(page), state.plain.expected);
    } finally {
      await page.close();
    }
  });

  test('beside an AMD loader (require.js), a UMD plotly.js still draws them', async () => {
    const html = fs.readFileSync(state.amd.html, 'utf8');
    assert.ok(html.includes('define([], factory)'), 'the page carries the UMD plotly.js');
    const { page, drawn, errors } = await openNotebook(state.amd.html, amdLoader);
    try {
      assert.ok(drawn, `the figures drew within ${DRAW_TIMEOUT_MS} ms`);
      assert.deepEqual(errors, [], 'page and console errors');
      const globals = await page.evaluate(() => ({
        defineCalls: window.amdDefineCalls, plotly: typeof window.Plotly?.newPlot,
      }));
      assert.deepEqual(globals, { defineCalls: 0, plotly: 'function' });
      checkFigures(await drawnFigures(page), state.amd.expected);
    } finally {
      await page.close();
    }
  });
});
