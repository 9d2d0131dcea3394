// Checks trajplot's figures against the real plotly.js in headless Chromium.
//
// Every case of cases.json is rendered by the trajplot CLI twice: as the JSON
// figure (checked with Plotly.validate) and as an HTML page with the CLI's
// default plotly.js, the copy the build installs, inlined (loaded with every
// network request refused and inspected: tick labels, cell texts and their
// size, hover tables, titles, colour bars and the page's own markup). What
// each check expects is computed here from the case's spec and options,
// never from trajplot's output.
//
//   TRAJPLOT_CLI=build/trajplot TRAJPLOT_BROWSER_OUT=build/browser \
//   TRAJPLOT_BROWSER_PLOTLYJS=build/share/trajplot/plotly.min.js \
//     node --test tests/browser/run_browser_tests.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

import { chromium } from 'playwright-core';

import { refuseAllButThePage } from './self_contained_page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = process.env.TRAJPLOT_CLI;
const OUT = process.env.TRAJPLOT_BROWSER_OUT;
const CHROMIUM = process.env.TRAJPLOT_CHROMIUM || '/usr/bin/chromium';
const ROOT = path.resolve(HERE, '..', '..');
// The plotly.js the build obtained and installs, which the CLI's pages
// inline by default; only Plotly.validate loads it from here.
const PLOTLY_JS = process.env.TRAJPLOT_BROWSER_PLOTLYJS;
const MANIFEST = JSON.parse(fs.readFileSync(path.join(HERE, 'cases.json'), 'utf8'));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
const HOVER_COLUMN_WIDTH_LIMIT = 10;
// Cell text: plotly.js's default font size is the most, and trajplot's
// documented floor the least, it is drawn at.
const MAX_CELL_FONT_PX = 12;
const MIN_CELL_FONT_PX = 6;
// A stacked panel's documented minimum height, while the figure has room.
const MIN_PANEL_HEIGHT_PX = 90;
// plotly.js throttles hover events; a hover sooner than this after the
// previous one is dropped.
const HOVER_SETTLE_MS = 120;
const CHECK_TIMEOUT_MS = 30_000;
const SETUP_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------
// What the figure must show, derived from docs/behaviour.md (its rules,
// restated independently of trajplot's code).

const codePoints = (text) => Array.from(text);

function truncStringLeft(text, width) {
  const points = codePoints(text);
  if (points.length < width) return ' '.repeat(width - points.length) + text;
  return points.slice(points.length - width).join('');
}

// Rows 0, k, 2k, ... taken from all rows but the last, then the last row.
function strideKeepLast(count, stride) {
  const kept = [];
  for (let row = 0; row < count - 1; row += stride) kept.push(row);
  kept.push(count - 1);
  return kept;
}

function parseOptions(options) {
  const parsed = {
    stride: 1, clip: null, logScale: false, title: null, height: null, extra: null,
    // Stacked figures: the gap between panels, and per-panel settings keyed
    // by the CLI's panel number (1 = top).
    verticalSpacing: null, panelTitles: new Map(), panelLogScales: new Set(),
    hoverValue: false, equalPanelHeights: false,
  };
  for (let i = 0; i < options.length; i++) {
    switch (options[i]) {
      case '--stride': parsed.stride = Number(options[++i]); break;
      case '--clip': parsed.clip = [Number(options[++i]), Number(options[++i])]; break;
      case '--log-scale': parsed.logScale = true; break;
      case '--title': parsed.title = options[++i]; break;
      case '--height': parsed.height = Number(options[++i]); break;
      case '--extra': parsed.extra = JSON.parse(options[++i]); break;
      case '--vertical-spacing': parsed.verticalSpacing = Number(options[++i]); break;
      case '--hover-value': parsed.hoverValue = true; break;
      case '--equal-panel-heights': parsed.equalPanelHeights = true; break;
      case '--panel-title': parsed.panelTitles.set(Number(options[i + 1]), options[i + 2]); i += 2; break;
      case '--panel-log-scale': parsed.panelLogScales.add(Number(options[++i])); break;
      case '--panel-colorscale': i += 2; break;
      case '--colorscale': case '--token-width': i++; break;
      default: throw new Error(`cases.json: option ${options[i]} is not understood by the test`);
    }
  }
  return parsed;
}

function expectedFigure(spec, options) {
  const layerCount = spec.stats.length;
  const seqLen = spec.stats[0].length;
  const kept = strideKeepLast(layerCount, options.stride);
  const includesOutput = spec.includes_output ?? true;
  const allLayerLabels = spec.layer_labels ??
    Array.from({ length: layerCount }, (_, i) =>
      includesOutput && i === layerCount - 1 ? 'output' : String(i));
  const labels = spec.trajectory_labels;
  const hover = labels?.hover_over_entries ? kept.map((row) => labels.hover_over_entries[row]) : null;
  let hoverWidths = null;
  if (hover) {
    // Widths are taken over the displayed (strided) statistic, as the
    // reference computes them from the strided labels at render time.
    const columns = hover[0][0][0].length;
    hoverWidths = Array.from({ length: columns }, (_, column) => {
      let longest = 0;
      for (const position of hover.flat()) {
        for (const tableRow of position) longest = Math.max(longest, codePoints(tableRow[column]).length);
      }
      return Math.min(longest + 1, HOVER_COLUMN_WIDTH_LIMIT);
    });
  }
  return {
    name: spec.name,
    units: spec.units ?? null,
    stats: kept.map((row) => spec.stats[row]),
    layerLabels: kept.map((row) => allLayerLabels[row]),
    sequenceLabels: spec.sequence_labels ?? Array.from({ length: seqLen }, (_, i) => String(i)),
    cellLabels: labels ? kept.map((row) => labels.label_strings[row]) : null,
    hover,
    hoverWidths,
    colorbarTitle: spec.units ? `${spec.name} (${spec.units})` : spec.name,
  };
}

// A value as the hover box shows it (--hover-value): whole numbers in full,
// others to four significant digits; a gap as NaN.
function hoverValueText(value) {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

function expectedHoverLines(expected, row, column, options) {
  const lines = [];
  if (options.hoverValue) {
    let value = expected.stats[row][column];
    if (options.clip && value !== null) value = Math.min(Math.max(value, options.clip[0]), options.clip[1]);
    lines.push(`${expected.name}: ${hoverValueText(value)}${expected.units ? ` ${expected.units}` : ''}`);
  }
  if (expected.hover) {
    lines.push(...expected.hover[row][column].map((tableRow) =>
      tableRow.map((entry, c) => truncStringLeft(entry, expected.hoverWidths[c])).join('')));
  }
  return lines;
}

// The colour range of a log-scale figure: [low, high] of the values drawn.
function expectedLogRange(spec, options) {
  let low; let high;
  if (options.clip) [low, high] = options.clip;
  else {
    // The colour range is that of the rows drawn.
    const drawnRows = strideKeepLast(spec.stats.length, options.stride).map((row) => spec.stats[row]);
    const positive = drawnRows.flat().filter((v) => v !== null && Number.isFinite(v) && v > 0);
    low = spec.min ?? Math.min(...positive);
    high = spec.max ?? Math.max(...positive);
  }
  // Never empty or reversed: equal ends widen by half a decade each way, a
  // set bound beyond the data keeps its place and the other end moves a
  // decade past it.
  if (!(low < high)) {
    if (spec.min !== undefined && spec.max === undefined && !options.clip) high = low * 10;
    else if (spec.max !== undefined && spec.min === undefined && !options.clip) low = high / 10;
    else [low, high] = [low / Math.sqrt(10), low * Math.sqrt(10)];
  }
  return [low, high];
}

// The integer powers of ten inside [low, high].
function powersOfTenWithin([low, high]) {
  const powers = [];
  for (let k = Math.ceil(Math.log10(low) - 1e-9); k <= Math.floor(Math.log10(high) + 1e-9); k++) powers.push(k || 0);
  return powers;
}

// What a colour bar tick label says, as written (plotly.js keeps it in
// data-unformatted): "2", "0.5", "10<sup>3</sup>", "2×10<sup>−5</sup>".
function tickValue(label) {
  const minus = (text) => text.replace(/\u2212/g, '-');
  const power = /^(?:([0-9.]+)\u00d7)?10<sup>([\u2212-]?[0-9]+)<\/sup>$/.exec(label);
  if (power) return Number(power[1] ?? 1) * 10 ** Number(minus(power[2]));
  return /^[0-9.]+$/.test(label) ? Number(label) : NaN;
}

// A log colour bar's ticks: at least three, each labelled with a value
// inside the range and drawn where log10 of that value lies on the bar
// (checked as one straight line through every tick); the powers of ten
// when at least three fit, written with superscripts.
function checkLogColorbarTicks(ticks, range, where) {
  assert.ok(ticks.length >= 3, `${where}: ${ticks.length} labelled ticks (${JSON.stringify(ticks)}), expected 3 or more`);
  const values = ticks.map((tick) => tickValue(tick.label));
  values.forEach((value, i) => {
    assert.ok(Number.isFinite(value), `${where}: tick label ${JSON.stringify(ticks[i].label)} names no value`);
    assert.ok(value >= range[0] * (1 - 1e-6) && value <= range[1] * (1 + 1e-6),
      `${where}: tick ${ticks[i].label} lies outside the range ${range}`);
  });
  const [first, last] = [0, ticks.length - 1];
  const slope = (ticks[last].position - ticks[first].position) / (Math.log10(values[last]) - Math.log10(values[first]));
  ticks.forEach((tick, i) => {
    const expected = ticks[first].position + slope * (Math.log10(values[i]) - Math.log10(values[first]));
    assert.ok(Math.abs(tick.position - expected) < 1.5,
      `${where}: tick ${tick.label} is drawn at ${tick.position}, log10(${values[i]}) lies at ${expected}`);
  });
  assert.ok(ticks.every((tick) => !tick.superscript || /<sup>/.test(tick.label)),
    `${where}: a superscript drawn for a label without one`);
  const powers = powersOfTenWithin(range);
  if (powers.length >= 3) {
    const exponents = values.map((value) => Math.round(Math.log10(value)) || 0).sort((a, b) => a - b);
    // Beyond ten of them, every 2nd, 5th, 10th, ... power.
    assert.deepEqual(exponents, powers.length <= 10 ? powers : powers.filter((k) => exponents.includes(k)),
      `${where}: the ticks are the powers of ten inside the range`);
    ticks.forEach((tick) => assert.ok(tick.superscript, `${where}: ${tick.label} has no superscript exponent`));
  }
}

// A stacked figure: one panel per spec, the first on top, each with the
// expectations of its own figure, and the x axis they share.
function expectedStackedFigure(specs, options) {
  const panels = specs.map((spec, index) => {
    const number = index + 1;
    const logScale = options.logScale || options.panelLogScales.has(number);
    return {
      ...expectedFigure(spec, options),
      number,
      axisSuffix: number === 1 ? '' : String(number),
      title: options.panelTitles.get(number) ?? spec.name,
      logRange: logScale ? expectedLogRange(spec, options) : null,
    };
  });
  // Panels without sequence labels share those of the others.
  const labelled = specs.find((spec) => spec.sequence_labels);
  const seqLen = specs[0].stats[0].length;
  return {
    panels,
    sequenceLabels: labelled ? labelled.sequence_labels : Array.from({ length: seqLen }, (_, i) => String(i)),
    // make_subplots's default gap, as a fraction of the plotting area.
    verticalSpacing: options.verticalSpacing ?? 0.3 / specs.length,
    height: options.height ?? 150 + 250 * specs.length,
  };
}

// The panels' heights in pixels, sharing `available`: in proportion to
// their rows, each at least MIN_PANEL_HEIGHT_PX while the figure has room
// for that (else all equal), or all equal with --equal-panel-heights.
function expectedPanelHeights(rows, available, equal) {
  const count = rows.length;
  if (equal) return rows.map(() => available / count);
  const floor = Math.min(MIN_PANEL_HEIGHT_PX, available / count);
  const atFloor = rows.map(() => false);
  for (;;) {
    const freeRows = rows.reduce((sum, n, i) => sum + (atFloor[i] ? 0 : n), 0);
    const freeHeight = available - floor * atFloor.filter(Boolean).length;
    const heights = rows.map((n, i) => (atFloor[i] ? floor : freeHeight * n / freeRows));
    const below = heights.findIndex((height, i) => !atFloor[i] && height < floor);
    if (below < 0) return heights;
    atFloor[below] = true;
  }
}

// The same specs and options with every string replaced by plain text: their
// page has the markup trajplot writes and nothing that data could add. Equal
// strings stay equal, so that stacked panels still share their sequence
// labels.
function controlCase(specs, options) {
  const replacements = new Map();
  const plain = (value) => {
    if (typeof value === 'string') {
      if (!replacements.has(value)) replacements.set(value, `plain${replacements.size}`);
      return replacements.get(value);
    }
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, plain(v)]));
    }
    return value;
  };
  const plainOptions = [];
  for (let i = 0; i < options.length; i++) {
    const option = options[i];
    plainOptions.push(option);
    if (option === '--title') {
      plainOptions.push('Plain title');
      i++;
    } else if (option === '--extra') {
      plainOptions.push(JSON.stringify(plain(JSON.parse(options[++i]))));
    } else if (option === '--panel-title') {
      plainOptions.push(options[i + 1], `Plain panel title ${options[i + 1]}`);
      i += 2;
    }
  }
  return { specs: specs.map(plain), options: plainOptions };
}

function deepLeaves(value, prefix = []) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, v]) => deepLeaves(v, [...prefix, key]));
  }
  return [[prefix, value]];
}

// ---------------------------------------------------------------------------
// Running the CLI.

// The CLI runs without TRAJPLOT_PLOTLYJS, so that its pages inline the copy
// the build installs, found by the library itself.
const CLI_ENVIRONMENT = Object.fromEntries(Object.entries(process.env)
  .filter(([name]) => name !== 'TRAJPLOT_PLOTLYJS'));

function runCli(args, command = CLI) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 1 << 20, env: CLI_ENVIRONMENT }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (exit status ${error.code}): ` +
          stderr.trim()));
      } else if (stderr !== '') {
        // A note on standard error (no local plotly.js) would mean a page
        // that needs the network.
        reject(new Error(`${path.basename(command)} ${args.join(' ')} wrote to standard error: ${stderr.trim()}`));
      } else {
        resolve();
      }
    });
  });
}

// The page with the CLI's default plotly.js, or with `plotlyJs` inlined.
async function renderCase({ name, demo, stack, specPaths, options, outDir, plotlyJs = null }) {
  // The demo is itself a stacked figure.
  const source = demo ? ['demo'] : ['render', ...specPaths, ...(stack ? ['--stack'] : [])];
  const jsonPath = path.join(outDir, `${name}.json`);
  const htmlPath = path.join(outDir, `${name}.html`);
  const divId = `trajplot-case-${name}`;
  await runCli([...source, ...options, '--out', jsonPath]);
  const plotlyJsOptions = plotlyJs ? ['--plotlyjs', `inline:${plotlyJs}`] : [];
  await runCli([...source, ...options, '--format', 'html', ...plotlyJsOptions, '--div-id', divId, '--out', htmlPath]);
  return { jsonPath, htmlPath, divId };
}

// ---------------------------------------------------------------------------
// The browser: one Chromium for the whole run, with a fresh profile.

const browser = { context: null, profileDir: null, validatePage: null };

async function launchBrowser() {
  browser.profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trajplot-chromium-'));
  browser.context = await chromium.launchPersistentContext(browser.profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1600, height: 1600 },
  });
  // Nothing may come from the network.
  await browser.context.route(/^(https?|wss?|ftp):/i, (route) => route.abort('blockedbyclient'));
  const validateHtml = path.join(OUT, 'validate.html');
  fs.writeFileSync(validateHtml, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>validate</title>' +
    `<script src="${pathToFileURL(PLOTLY_JS).href}"></script></head><body></body></html>\n`);
  browser.validatePage = await browser.context.newPage();
  await browser.validatePage.goto(pathToFileURL(validateHtml).href);
  await browser.validatePage.waitForFunction(() => typeof window.Plotly?.validate === 'function');
}

async function closeBrowser() {
  try {
    await browser.context?.close();
  } finally {
    browser.context = null;
    if (browser.profileDir) fs.rmSync(browser.profileDir, { recursive: true, force: true });
  }
}

// Loads a page with scripts running and waits until plotly.js has drawn.
async function openFigurePage(htmlPath) {
  const page = await browser.context.newPage();
  const { pageUrl, problems } = await refuseAllButThePage(page, htmlPath);
  await page.addInitScript(colorbarTicksReader);
  // A copy of what the page hands to Plotly.newPlot, taken before plotly.js
  // completes it with its defaults.
  await page.addInitScript(() => {
    let plotly;
    Object.defineProperty(window, 'Plotly', {
      configurable: true,
      get: () => plotly,
      set: (value) => {
        plotly = value;
        const newPlot = value?.newPlot;
        if (typeof newPlot !== 'function') return;
        value.newPlot = function recordingNewPlot(div, data, layout, ...rest) {
          window.trajplotPlotted = JSON.parse(JSON.stringify({ data, layout }));
          return newPlot.call(this, div, data, layout, ...rest);
        };
      },
    });
  });
  await page.goto(pageUrl);
  try {
    await page.waitForSelector('.js-plotly-plot .main-svg', { state: 'attached', timeout: 15_000 });
  } catch {
    problems.push('plotly.js drew no figure within 15 s');
  }
  // Let plotly.js finish the frame it is drawing.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20))));
  return { page, problems };
}

// The page's markup as the HTML parser builds it, before any script runs:
// element names in document order, comments, and text outside scripts.
// DOMParser parses as a navigation would, but runs no script.
function parsedMarkup(htmlPath) {
  return browser.validatePage.evaluate((html) => {
    const parsed = new DOMParser().parseFromString(html, 'text/html');
    const nodes = [];
    const walker = parsed.createTreeWalker(parsed,
      NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_COMMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) nodes.push(`<${node.localName}>`);
      else if (node.nodeType === Node.COMMENT_NODE) nodes.push('<!-- comment -->');
      else if (node.parentNode.localName !== 'script' && node.data.trim() !== '') nodes.push('#text');
    }
    return { scripts: parsed.scripts.length, nodes };
  }, fs.readFileSync(htmlPath, 'utf8'));
}

// ---------------------------------------------------------------------------
// Reading the drawn figure.

// The tick labels of one axis: `x` or `y` of the figure, or with a suffix
// (`2`, `3`, ...) those of a stacked figure's panel.
function readTicks(page, axisLetter, axisSuffix = '') {
  return page.evaluate(([letter, suffix]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const axis = gd._fullLayout[`${letter}axis${suffix}`];
    const ticks = [...gd.querySelectorAll(`g.${letter}${suffix}tick > text`)].map((text) => {
      const [, tx, ty] = /translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)/.exec(text.getAttribute('transform'));
      return { label: text.textContent, position: Number(letter === 'x' ? tx : ty) };
    });
    // Screen order: left to right along x, bottom to top along y.
    ticks.sort((a, b) => (letter === 'x' ? a.position - b.position : b.position - a.position));
    const centres = ticks.map((_, i) => axis._offset + axis.l2p(i));
    return { labels: ticks.map((t) => t.label), positions: ticks.map((t) => t.position), centres };
  }, [axisLetter, axisSuffix]);
}

// Each cell text with the row and column whose centre it is drawn at, of
// the figure's heatmap or of one panel (trace `curve`, axes with `suffix`).
function readCellTexts(page, curve = 0, axisSuffix = '') {
  return page.evaluate(([curve, suffix]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const xaxis = gd._fullLayout[`xaxis${suffix}`];
    const yaxis = gd._fullLayout[`yaxis${suffix}`];
    const subplot = `x${suffix}y${suffix}`;
    const columns = gd.calcdata[curve][0].z[0].length;
    const rows = gd.calcdata[curve][0].z.length;
    const nearest = (value, count, axis) => {
      let best = 0;
      for (let i = 1; i < count; i++) {
        if (Math.abs(axis.l2p(i) - value) < Math.abs(axis.l2p(best) - value)) best = i;
      }
      return { index: best, offset: Math.abs(axis.l2p(best) - value), cell: Math.abs(axis.l2p(1) - axis.l2p(0)) };
    };
    return [...gd.querySelectorAll(`g.subplot.${subplot} g.hm g.heatmap-label text`)].map((text) => {
      const x = nearest(Number(text.getAttribute('x')), columns, xaxis);
      const y = nearest(Number(text.getAttribute('y')), rows, yaxis);
      return {
        text: text.textContent,
        row: y.index,
        column: x.index,
        inside: x.offset < x.cell / 2 && y.offset < y.cell / 2,
        fontSize: parseFloat(text.style.fontSize),
        width: text.getBBox().width,
        cellWidth: x.cell,
      };
    });
  }, [curve, axisSuffix]);
}

// Hovers the centre of one cell, as a mouse would, and reads the label: a
// cell of the figure's heatmap, or of one panel (trace `curve`, axes with
// `suffix`).
function hoverCell(page, row, column, settleMs, curve = 0, axisSuffix = '') {
  return page.evaluate(async ([row, column, settleMs, curve, suffix]) => {
    const gd = document.querySelector('.js-plotly-plot');
    Plotly.Fx.unhover(gd);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const brick = gd.calcdata[curve][0];
    const centre = (centres, edges, i) => (centres ? centres[i] : (edges[i] + edges[i + 1]) / 2);
    Plotly.Fx.hover(gd, [{
      curveNumber: curve,
      xval: centre(brick.xCenter, brick.x, column),
      yval: centre(brick.yCenter, brick.y, row),
    }], `x${suffix}y${suffix}`);
    const labels = [...gd.querySelectorAll('.hoverlayer g.hovertext')];
    const lines = labels.length === 0 ? [] : (() => {
      const text = labels[0].querySelector('text.nums');
      const tspans = [...text.querySelectorAll('tspan.line')];
      return tspans.length ? tspans.map((t) => t.textContent) : [text.textContent];
    })();
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    const name = labels.length === 0 ? '' : (labels[0].querySelector('text.name')?.textContent ?? '');
    return {
      labelCount: labels.length,
      lines,
      name,
      hovered: (gd._hoverdata ?? []).map((point) => point.pointNumber),
      hoveredCurves: (gd._hoverdata ?? []).map((point) => point.curveNumber),
    };
  }, [row, column, settleMs, curve, axisSuffix]);
}

function readFigureState(page) {
  return page.evaluate(() => {
    const gd = document.querySelector('.js-plotly-plot');
    const texts = (selector) => [...document.querySelectorAll(selector)].map((t) => t.textContent);
    return {
      plotDivs: document.querySelectorAll('.js-plotly-plot').length,
      divId: gd?.id ?? null,
      heatmapLayers: document.querySelectorAll('.heatmaplayer g.hm').length,
      fullDataTypes: gd?._fullData?.map((trace) => trace.type) ?? [],
      // The colour range plotly.js colours by, after its own defaults.
      fullDataRanges: gd?._fullData?.map((trace) => [trace.zmin ?? null, trace.zmax ?? null]) ?? [],
      plotted: window.trajplotPlotted ?? null,
      data: gd ? JSON.parse(JSON.stringify(gd.data)) : null,
      layout: gd ? { title: gd.layout.title, width: gd.layout.width, height: gd.layout.height } : null,
      fullHeight: gd?._fullLayout?.height ?? null,
      title: texts('.gtitle').join(''),
      documentTitle: document.title,
      xTitle: texts('.xtitle').join(''),
      yTitle: texts('.ytitle').join(''),
      colorbarTitle: texts('.cbtitle text').join(''),
      colorbarTicks: window.trajplotColorbarTicks(document),
    };
  });
}

// Defined in every figure page: the labelled ticks of the colour bars
// under `root`, top to bottom: each label as written (plotly.js keeps it in
// data-unformatted), where it is drawn along the bar, and whether a part of
// it is drawn raised (a superscript).
function colorbarTicksReader() {
  window.trajplotColorbarTicks = (root) => [...root.querySelectorAll('.colorbar text')]
    .filter((t) => !t.closest('.cbtitle'))
    .map((t) => {
      const [, , ty] = /translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)/.exec(t.getAttribute('transform')) ?? [];
      return {
        label: t.getAttribute('data-unformatted') ?? t.textContent,
        position: Number(ty ?? NaN),
        superscript: [...t.querySelectorAll('tspan')].some((span) => parseFloat(span.getAttribute('dy')) < 0),
      };
    })
    .sort((a, b) => a.position - b.position);
}

function readFullTraceValue(page, keyPath) {
  return page.evaluate((keys) => {
    let value = document.querySelector('.js-plotly-plot')._fullData[0];
    for (const key of keys) value = value?.[key];
    return value;
  }, keyPath);
}

// What a stacked figure draws, in the main SVG's pixels (y down): the
// plotting area, the panel titles with their boxes, and for each panel its
// vertical extent, heatmaps, axis texts and colour bar.
function readStackedState(page) {
  return page.evaluate(() => {
    const gd = document.querySelector('.js-plotly-plot');
    const svgBox = gd.querySelector('.main-svg').getBoundingClientRect();
    const box = (element) => {
      if (!element) return null;
      const r = element.getBoundingClientRect();
      return { left: r.left - svgBox.left, right: r.right - svgBox.left,
        top: r.top - svgBox.top, bottom: r.bottom - svgBox.top };
    };
    const texts = (root, selector) => [...root.querySelectorAll(selector)].map((t) => t.textContent);
    const layout = gd._fullLayout;
    const annotations = [...gd.querySelectorAll('.infolayer g.annotation')]
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    return {
      plotArea: { ...layout._size },
      annotations: annotations.map((a) => ({ text: a.textContent, box: box(a) })),
      heatmapsInFigure: gd.querySelectorAll('g.hm').length,
      panels: gd._fullData.map((trace, index) => {
        const suffix = index === 0 ? '' : String(index + 1);
        const yaxis = layout[`yaxis${suffix}`];
        const colorbar = gd.querySelector(`g.colorbar.cb${trace.uid}`);
        const heatmaps = [...gd.querySelectorAll(`g.subplot.x${suffix}y${suffix} .heatmaplayer g.hm`)];
        return {
          axes: [trace.xaxis, trace.yaxis],
          top: yaxis?._offset,
          bottom: yaxis ? yaxis._offset + yaxis._length : null,
          heatmaps: heatmaps.length,
          heatmapImageSizes: heatmaps.map((hm) => {
            const image = hm.querySelector('image');
            return image ? [Number(image.getAttribute('width')), Number(image.getAttribute('height'))] : null;
          }),
          xTickTexts: texts(gd, `g.x${suffix}tick > text`).filter((text) => text !== ''),
          xTickBoxes: [...gd.querySelectorAll(`g.x${suffix}tick > text`)].map(box),
          xTitle: texts(gd, `.x${suffix}title`).join(''),
          yTitle: texts(gd, `.y${suffix}title`).join(''),
          colorbarBox: box(colorbar),
          colorbarTitle: colorbar ? texts(colorbar, '.cbtitle text').join('') : null,
          colorbarTicks: colorbar ? window.trajplotColorbarTicks(colorbar) : null,
        };
      }),
    };
  });
}

const boxesOverlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

// ---------------------------------------------------------------------------
// PNG checks without a decoder dependency: the header, and the pixels
// inflated from the IDAT chunks to count distinct colours.

function pngSummary(buffer) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(buffer.subarray(0, 8).equals(signature), 'demo.png does not start with the PNG signature');
  let offset = 8;
  let header = null;
  const idat = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8], colourType: data[9] };
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  assert.ok(header, 'demo.png has no IHDR chunk');
  const channels = { 2: 3, 6: 4 }[header.colourType];
  assert.ok(header.bitDepth === 8 && channels, `unexpected PNG format ${JSON.stringify(header)}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = header.width * channels;
  const colours = new Set();
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0;
      const up = previous[i];
      const upLeft = i >= channels ? previous[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[i] = (line[i] + predictor) & 0xff;
    }
    for (let i = 0; i < stride; i += channels) colours.add(line.readUIntBE(i, 3));
    previous = line;
  }
  return { ...header, distinctColours: colours.size };
}

// ---------------------------------------------------------------------------
// Preparing the pages: rendering with the CLI and loading a page in
// Chromium are the slow part, so two workers prepare the cases ahead of the
// checks, which then only inspect the loaded pages.

const PREPARATION_WORKERS = 2;
const STAND_IN_PLOTLY_JS = path.join(OUT ?? '', 'stand-in-plotly.js');

function runPool(jobs) {
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  return Promise.all(Array.from({ length: PREPARATION_WORKERS }, worker));
}

// A promise settled later by the pool; marked as handled now so that a
// failure is reported by the check that awaits it, not as unhandled.
function deferred() {
  let settle;
  const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  promise.catch(() => {});
  return { promise, ...settle };
}

async function prepareCase(entry, casesDir) {
  const rendered = await renderCase({
    name: entry.name, demo: entry.demo, stack: entry.stack, specPaths: entry.specPaths, options: entry.options,
    outDir: casesDir,
  });
  rendered.figure = JSON.parse(fs.readFileSync(rendered.jsonPath, 'utf8'));
  const control = controlCase(entry.specs, entry.options);
  const controlSpecs = control.specs.map((spec, index) => {
    const controlSpec = path.join(casesDir, `${entry.name}-control-spec-${index + 1}.json`);
    fs.writeFileSync(controlSpec, JSON.stringify(spec));
    return controlSpec;
  });
  // The control page inlines a stand-in for plotly.js: only its markup is
  // compared, and the stand-in holds nothing that could shape it.
  const controlPage = await renderCase({
    name: `${entry.name}-control`, stack: entry.stack, specPaths: controlSpecs, options: control.options,
    outDir: casesDir, plotlyJs: STAND_IN_PLOTLY_JS,
  });
  rendered.markup = await parsedMarkup(rendered.htmlPath);
  rendered.controlMarkup = await parsedMarkup(controlPage.htmlPath);
  Object.assign(rendered, await openFigurePage(rendered.htmlPath));
  rendered.state = await readFigureState(rendered.page);
  if (entry.stack) rendered.stacked = await readStackedState(rendered.page);
  return rendered;
}

// The demo pages a user meets first: `trajplot demo --format html` with no
// option, and the page scripts/demo.sh writes (scripts/render-demo.sh, with
// this build's CLI).
async function prepareDemoPage() {
  const htmlPath = path.join(OUT, 'demo.html');
  await runCli(['demo', '--format', 'html', '--out', htmlPath]);
  return openFigurePage(htmlPath);
}

async function prepareDemoShPage() {
  const outDir = path.join(OUT, 'demo-sh');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await runCli([CLI, outDir], path.join(ROOT, 'scripts', 'render-demo.sh'));
  return openFigurePage(path.join(outDir, 'demo.html'));
}

// A demo page draws its four heatmaps from itself alone, with cell text
// of 9 px or more in every panel.
async function checkDemoPage({ page, problems }) {
  assert.deepEqual(problems, []);
  const heatmaps = await page.evaluate(() => document.querySelectorAll('.heatmaplayer g.hm image').length);
  assert.equal(heatmaps, 4, 'heatmaps drawn');
  for (let panel = 0; panel < 4; panel++) {
    const texts = await readCellTexts(page, panel, panel === 0 ? '' : String(panel + 1));
    assert.ok(texts.length > 0, `panel ${panel + 1} draws no cell text`);
    const sizes = [...new Set(texts.map((t) => t.fontSize))];
    assert.ok(sizes.every((size) => size >= 9), `panel ${panel + 1}'s cell text is drawn at ${sizes} px`);
  }
}

// Cell texts (of one heatmap) are drawn at one size: the caller's when
// --extra sets textfont.size, else between the floor and plotly.js's
// default, at least the case's min_cell_font, and small enough that each
// text fits its cell (unless the floor is reached).
function checkCellTextSize(texts, entry, options, where) {
  const sizes = [...new Set(texts.map((t) => t.fontSize))];
  assert.equal(sizes.length, 1, `${where}: cell texts drawn at several sizes: ${sizes}`);
  const [size] = sizes;
  const explicit = options.extra?.textfont?.size;
  if (explicit !== undefined) {
    assert.equal(size, explicit, `${where}: the caller's textfont.size`);
    return;
  }
  assert.ok(size >= MIN_CELL_FONT_PX && size <= MAX_CELL_FONT_PX,
    `${where}: cell text at ${size} px, outside [${MIN_CELL_FONT_PX}, ${MAX_CELL_FONT_PX}]`);
  if (entry.min_cell_font !== undefined) {
    assert.ok(size >= entry.min_cell_font, `${where}: cell text at ${size} px, below ${entry.min_cell_font} px`);
  }
  if (size > MIN_CELL_FONT_PX) {
    const overflowing = texts.filter((t) => t.width > t.cellWidth + 0.5);
    assert.deepEqual(overflowing.map((t) => `${JSON.stringify(t.text)}: ${t.width} px in ${t.cellWidth} px`), [],
      `${where}: cell texts wider than their cells at ${size} px`);
  }
}

// The checks of a figure of one statistic.
function defineSingleFigureChecks(entry, check, rendered) {
  const { expected, parsedOptions: options } = entry;
  const [spec] = entry.specs;

  check('exactly one heatmap is drawn, in the requested div', {}, () => {
    assert.equal(rendered.state.plotDivs, 1);
    assert.equal(rendered.state.divId, rendered.divId);
    assert.deepEqual(rendered.state.fullDataTypes, ['heatmap']);
    assert.equal(rendered.state.heatmapLayers, 1);
  });

  check('y tick labels are the layer labels, bottom to top, on their rows', {}, async () => {
    const ticks = await readTicks(rendered.page, 'y');
    assert.deepEqual(ticks.labels, expected.layerLabels);
    ticks.positions.forEach((position, i) => assert.ok(Math.abs(position - ticks.centres[i]) < 1,
      `y tick ${JSON.stringify(ticks.labels[i])} at ${position}, row ${i} is centred at ${ticks.centres[i]}`));
  });

  check('x tick labels are the sequence labels, left to right, on their columns', {}, async () => {
    const ticks = await readTicks(rendered.page, 'x');
    assert.deepEqual(ticks.labels, expected.sequenceLabels);
    ticks.positions.forEach((position, i) => assert.ok(Math.abs(position - ticks.centres[i]) < 1,
      `x tick ${JSON.stringify(ticks.labels[i])} at ${position}, column ${i} is centred at ${ticks.centres[i]}`));
  });

  check('cell texts are the trajectory labels, each in its own cell', {}, async () => {
    const texts = await readCellTexts(rendered.page);
    if (!expected.cellLabels) {
      assert.deepEqual(texts.map((t) => t.text), [], 'a figure without trajectory labels has no cell texts');
      return;
    }
    const outside = texts.filter((t) => !t.inside);
    assert.deepEqual(outside, [], 'cell texts drawn away from every cell centre');
    const grid = expected.cellLabels.map((row) => row.map(() => []));
    for (const t of texts) grid[t.row][t.column].push(t.text);
    const drawn = grid.map((row) => row.map((cell) => (cell.length === 1 ? cell[0] : cell)));
    assert.deepEqual(drawn, expected.cellLabels);
  });

  check('cell texts are sized to be read and to fit their cells', {
    skip: expected.cellLabels ? false : 'the case has no cell labels',
  }, async () => {
    checkCellTextSize(await readCellTexts(rendered.page), entry, options, 'the heatmap');
  });

  const hoverCells = entry.hover_cells ?? [];
  check('hovering a cell shows its hover table', {
    skip: expected.hover || options.hoverValue ? false : 'the case has no hover tables',
  }, async () => {
    assert.ok(hoverCells.length >= 2, 'cases.json must name at least two hover_cells for a case with hover tables');
    for (const [row, column] of hoverCells) {
      const shown = await hoverCell(rendered.page, row, column, HOVER_SETTLE_MS);
      assert.deepEqual(shown.hovered, [[row, column]], `hover at the centre of cell ${row},${column}`);
      assert.equal(shown.labelCount, 1, `one hover label for cell ${row},${column}`);
      assert.deepEqual(shown.lines, expectedHoverLines(expected, row, column, options),
        `hover table of cell ${row},${column}`);
      assert.equal(shown.name, '', `the hover label of cell ${row},${column} names no trace`);
    }
  });

  check('titles display exactly as given', {}, () => {
    assert.equal(rendered.state.title, options.title ?? '');
    if (options.title !== null) assert.equal(rendered.state.documentTitle, options.title);
    assert.equal(rendered.state.colorbarTitle, expected.colorbarTitle);
    assert.equal(rendered.state.xTitle, 'Input');
    assert.equal(rendered.state.yTitle, 'Layer');
  });

  check('log scale labels the colour bar with three or more ticks at their values', {
    skip: options.logScale ? false : 'the case is not log scale',
  }, () => {
    checkLogColorbarTicks(rendered.state.colorbarTicks, expectedLogRange(spec, options), 'the colour bar');
  });

  check('the extra patch reaches the drawn trace', {
    skip: options.extra ? false : 'the case has no extra patch',
  }, async () => {
    for (const [keyPath, value] of deepLeaves(options.extra)) {
      assert.deepEqual(await readFullTraceValue(rendered.page, keyPath), value, keyPath.join('.'));
    }
    if (options.extra.textfont?.size !== undefined && expected.cellLabels) {
      const sizes = await rendered.page.evaluate(() => [...document.querySelectorAll('g.hm g.heatmap-label text')]
        .map((t) => t.style.fontSize));
      assert.deepEqual([...new Set(sizes)], [`${options.extra.textfont.size}px`]);
    }
  });
}

// The checks of a stacked figure: one panel per spec, the first on top.
function defineStackedChecks(entry, check, rendered) {
  const { expected, parsedOptions: options } = entry;
  const { panels } = expected;
  const bottom = panels[panels.length - 1];
  // Colour bars and titles are placed by plotly.js in whole pixels and drawn
  // with an outline: a pixel either way is the same place.
  const PIXEL = 1.5;

  check('one heatmap is drawn in each panel, on its own axes, in the requested div', {}, () => {
    assert.equal(rendered.state.plotDivs, 1);
    assert.equal(rendered.state.divId, rendered.divId);
    assert.deepEqual(rendered.state.fullDataTypes, panels.map(() => 'heatmap'));
    assert.equal(rendered.stacked.heatmapsInFigure, panels.length);
    for (const panel of panels) {
      const drawn = rendered.stacked.panels[panel.number - 1];
      assert.deepEqual(drawn.axes, [`x${panel.axisSuffix}`, `y${panel.axisSuffix}`], `axes of panel ${panel.number}`);
      assert.equal(drawn.heatmaps, 1, `heatmaps drawn in panel ${panel.number}`);
      const [width, height] = drawn.heatmapImageSizes[0] ?? [0, 0];
      assert.ok(width > 0 && height > 0, `panel ${panel.number}'s heatmap image is ${width} x ${height}`);
    }
  });

  check("panels are stacked top to bottom, the spacing apart, heights following their rows", {}, () => {
    const area = rendered.stacked.plotArea;
    const gap = expected.verticalSpacing * area.h;
    const rows = panels.map((panel) => panel.layerLabels.length);
    const heights = expectedPanelHeights(rows, area.h - gap * (panels.length - 1), options.equalPanelHeights);
    let top = area.t;
    for (const panel of panels) {
      const drawn = rendered.stacked.panels[panel.number - 1];
      const height = heights[panel.number - 1];
      assert.ok(Math.abs(drawn.top - top) < 1 && Math.abs(drawn.bottom - (top + height)) < 1,
        `panel ${panel.number} spans ${drawn.top}..${drawn.bottom}, expected ${top}..${top + height}`);
      top += height + gap;
    }
    // Unless asked for equal panels, rows are as tall in every panel that
    // is above the minimum height.
    if (!options.equalPanelHeights) {
      const rowHeights = panels.filter((panel, i) => heights[i] > MIN_PANEL_HEIGHT_PX + 0.5)
        .map((panel) => { const d = rendered.stacked.panels[panel.number - 1]; return (d.bottom - d.top) / panel.layerLabels.length; });
      for (const rowHeight of rowHeights) {
        assert.ok(Math.abs(rowHeight - rowHeights[0]) < 0.5, `row heights differ between panels: ${rowHeights}`);
      }
    }
  });

  check('without a figure title, no empty band above the top panel', {
    skip: options.title === null ? false : 'the figure has a title',
  }, () => {
    const { annotations, plotArea: area } = rendered.stacked;
    // Room for the top panel's title, no more.
    assert.ok(area.t <= 50.5, `the plotting area starts ${area.t} px down`);
    assert.ok(annotations[0].box.top >= 0, `the top panel's title is cut off at ${annotations[0].box.top}`);
    assert.ok(annotations[0].box.top <= 30, `${annotations[0].box.top} px of nothing above the top panel's title`);
  });

  check("each panel's y tick labels are its layer labels, bottom to top, on its rows", {}, async () => {
    for (const panel of panels) {
      const ticks = await readTicks(rendered.page, 'y', panel.axisSuffix);
      assert.deepEqual(ticks.labels, panel.layerLabels, `y tick labels of panel ${panel.number}`);
      ticks.positions.forEach((position, i) => assert.ok(Math.abs(position - ticks.centres[i]) < 1,
        `panel ${panel.number}: y tick ${JSON.stringify(ticks.labels[i])} at ${position}, ` +
        `row ${i} is centred at ${ticks.centres[i]}`));
    }
  });

  check('x tick labels are the sequence labels, once, under the bottom panel', {}, async () => {
    for (const panel of panels.slice(0, -1)) {
      assert.deepEqual(rendered.stacked.panels[panel.number - 1].xTickTexts, [],
        `panel ${panel.number} (not the bottom one) shows x tick labels`);
    }
    const ticks = await readTicks(rendered.page, 'x', bottom.axisSuffix);
    assert.deepEqual(ticks.labels, expected.sequenceLabels);
    ticks.positions.forEach((position, i) => assert.ok(Math.abs(position - ticks.centres[i]) < 1,
      `x tick ${JSON.stringify(ticks.labels[i])} at ${position}, column ${i} is centred at ${ticks.centres[i]}`));
    const drawn = rendered.stacked.panels[bottom.number - 1];
    for (const tick of drawn.xTickBoxes) {
      assert.ok(tick.top >= drawn.bottom, `an x tick label at ${tick.top} is not under the bottom panel (${drawn.bottom})`);
    }
  });

  check("each panel's cell texts are its trajectory labels, each in its own cell", {}, async () => {
    for (const panel of panels) {
      const texts = await readCellTexts(rendered.page, panel.number - 1, panel.axisSuffix);
      if (!panel.cellLabels) {
        assert.deepEqual(texts.map((t) => t.text), [], `panel ${panel.number} has no trajectory labels`);
        continue;
      }
      assert.deepEqual(texts.filter((t) => !t.inside), [], `panel ${panel.number}: cell texts away from every cell`);
      const grid = panel.cellLabels.map((row) => row.map(() => []));
      for (const t of texts) grid[t.row][t.column].push(t.text);
      const drawn = grid.map((row) => row.map((cell) => (cell.length === 1 ? cell[0] : cell)));
      assert.deepEqual(drawn, panel.cellLabels, `cell texts of panel ${panel.number}`);
    }
  });

  check("each panel's cell texts are sized to be read and to fit their cells", {
    skip: panels.some((panel) => panel.cellLabels) ? false : 'no panel has cell labels',
  }, async () => {
    for (const panel of panels.filter((p) => p.cellLabels)) {
      checkCellTextSize(await readCellTexts(rendered.page, panel.number - 1, panel.axisSuffix), entry, options,
        `panel ${panel.number}`);
    }
  });

  check('colour bars do not overlap, and each lies beside its own panel', {}, () => {
    const area = rendered.stacked.plotArea;
    const boxes = panels.map((panel) => rendered.stacked.panels[panel.number - 1].colorbarBox);
    panels.forEach((panel, i) => {
      const drawn = rendered.stacked.panels[panel.number - 1];
      const box = boxes[i];
      assert.ok(box, `panel ${panel.number} has no colour bar`);
      assert.ok(box.top >= drawn.top - PIXEL && box.bottom <= drawn.bottom + PIXEL,
        `panel ${panel.number}'s colour bar spans ${box.top}..${box.bottom}, the panel ${drawn.top}..${drawn.bottom}`);
      assert.ok(box.left >= area.l + area.w - PIXEL,
        `panel ${panel.number}'s colour bar starts at x ${box.left}, inside the plotting area (to ${area.l + area.w})`);
      assert.equal(drawn.colorbarTitle, panel.colorbarTitle, `colour bar title of panel ${panel.number}`);
      for (let j = 0; j < i; j++) {
        assert.ok(!boxesOverlap(boxes[j], box), `the colour bars of panels ${j + 1} and ${panel.number} overlap: ` +
          `${JSON.stringify(boxes[j])} and ${JSON.stringify(box)}`);
      }
    });
  });

  const hoverCells = entry.hover_cells ?? [];
  const hoverPanels = panels.filter((panel) => panel.hover || options.hoverValue);
  check("hovering a cell of a panel shows that panel's hover table", {
    skip: hoverPanels.length ? false : 'no panel has hover tables',
  }, async () => {
    const hoveredPanels = new Set(hoverCells.map(([panel]) => panel));
    assert.ok(hoveredPanels.size >= Math.min(2, hoverPanels.length),
      'cases.json must name hover_cells ([panel, row, column]) in at least two panels with hover tables');
    for (const [number, row, column] of hoverCells) {
      const panel = panels[number - 1];
      assert.ok(panel?.hover || options.hoverValue, `cases.json: hover_cells names panel ${number}, which has nothing to hover`);
      const where = `cell ${row},${column} of panel ${number}`;
      const shown = await hoverCell(rendered.page, row, column, HOVER_SETTLE_MS, number - 1, panel.axisSuffix);
      assert.deepEqual(shown.hoveredCurves, [number - 1], `the trace hovered at ${where}`);
      assert.deepEqual(shown.hovered, [[row, column]], `hover at the centre of ${where}`);
      assert.equal(shown.labelCount, 1, `one hover label for ${where}`);
      assert.deepEqual(shown.lines, expectedHoverLines(panel, row, column, options), `hover table of ${where}`);
      assert.equal(shown.name, '', `the hover label of ${where} names no trace`);
    }
  });

  check('titles display exactly as given, each panel title over its panel', {}, () => {
    assert.equal(rendered.state.title, options.title ?? '');
    if (options.title !== null) assert.equal(rendered.state.documentTitle, options.title);
    const { annotations, plotArea: area } = rendered.stacked;
    assert.deepEqual(annotations.map((a) => a.text), panels.map((panel) => panel.title));
    panels.forEach((panel, i) => {
      const drawn = rendered.stacked.panels[i];
      const { box } = annotations[i];
      const above = i === 0 ? 0 : rendered.stacked.panels[i - 1].bottom;
      assert.ok(box.bottom <= drawn.top + PIXEL && box.top >= above - PIXEL,
        `panel ${panel.number}'s title spans ${box.top}..${box.bottom}, ` +
        `between the panel above (to ${above}) and its panel (from ${drawn.top})`);
      const centre = (box.left + box.right) / 2;
      assert.ok(Math.abs(centre - (area.l + area.w / 2)) < 2,
        `panel ${panel.number}'s title is centred at x ${centre}, the panel at ${area.l + area.w / 2}`);
      assert.equal(drawn.yTitle, 'Layer', `y axis title of panel ${panel.number}`);
      assert.equal(drawn.xTitle, panel === bottom ? 'Input' : '', `x axis title of panel ${panel.number}`);
    });
  });

  const logPanels = panels.filter((panel) => panel.logRange);
  check('log-scale panels label their colour bars with three or more ticks at their values', {
    skip: logPanels.length ? false : 'no panel is log scale',
  }, () => {
    for (const panel of logPanels) {
      checkLogColorbarTicks(rendered.stacked.panels[panel.number - 1].colorbarTicks, panel.logRange,
        `the colour bar of panel ${panel.number}`);
    }
  });
}

// ---------------------------------------------------------------------------
// The tests.

if (!CLI || !OUT || !PLOTLY_JS) {
  test('environment', () => {
    assert.fail('set TRAJPLOT_CLI to the trajplot binary, TRAJPLOT_BROWSER_OUT to an output directory and ' +
      'TRAJPLOT_BROWSER_PLOTLYJS to the plotly.min.js the build installs');
  });
} else {
  const casesDir = path.join(OUT, 'cases');
  fs.rmSync(casesDir, { recursive: true, force: true });
  fs.mkdirSync(casesDir, { recursive: true });
  fs.writeFileSync(STAND_IN_PLOTLY_JS, 'window.Plotly = null;\n');

  const entries = MANIFEST.cases.map((entry) => {
    // A case draws one spec, or with "stack" several as the panels of one
    // figure, the first on top.
    const specPaths = (entry.stack ? entry.specs : [entry.spec]).map((spec) => path.resolve(HERE, 'cases', spec));
    const specs = specPaths.map((specPath) => JSON.parse(fs.readFileSync(specPath, 'utf8')));
    const options = parseOptions(entry.options);
    const expected = entry.stack ? expectedStackedFigure(specs, options) : expectedFigure(specs[0], options);
    return { ...entry, specPaths, specs, parsedOptions: options, expected, prepared: deferred() };
  });
  const demoPage = deferred();
  const demoShPage = deferred();

  before(async () => {
    await launchBrowser();
    const jobs = entries.map((entry) => () => prepareCase(entry, casesDir)
      .then(entry.prepared.resolve, entry.prepared.reject));
    jobs.push(() => prepareDemoPage().then(demoPage.resolve, demoPage.reject));
    jobs.push(() => prepareDemoShPage().then(demoShPage.resolve, demoShPage.reject));
    // Not awaited: the checks of the first case start as soon as it is ready.
    runPool(jobs);
  }, { timeout: SETUP_TIMEOUT_MS });
  after(closeBrowser);

  for (const entry of entries) {
    const { expected, parsedOptions: options } = entry;

    describe(entry.name, () => {
      // Filled in when the case is ready; the checks read it when they run.
      const rendered = {};
      let preparationError = null;
      before(async () => {
        try {
          Object.assign(rendered, await entry.prepared.promise);
        } catch (error) {
          preparationError = error;
        }
      }, { timeout: SETUP_TIMEOUT_MS * 2 });
      after(() => rendered.page?.close());
      // Every check of a case that could not be rendered or loaded fails
      // with the reason, rather than being cancelled.
      const check = (name, testOptions, fn) => test(name, { timeout: CHECK_TIMEOUT_MS, ...testOptions }, async () => {
        if (preparationError) throw preparationError;
        await fn();
      });

      check('Plotly.validate reports nothing for the JSON figure', {}, async () => {
        const errors = await browser.validatePage.evaluate(
          (figure) => window.Plotly.validate(figure.data, figure.layout), rendered.figure);
        assert.ok(errors === undefined || errors.length === 0,
          `Plotly.validate: ${JSON.stringify(errors, null, 1)}`);
      });

      check('plotly.js colours by the colour range the figure sets', {}, () => {
        rendered.figure.data.forEach((trace, i) => {
          if (trace.zmin === undefined) return;
          assert.ok(trace.zmin < trace.zmax, `trace ${i}: zmin ${trace.zmin} is not below zmax ${trace.zmax}`);
          assert.deepEqual(rendered.state.fullDataRanges[i], [trace.zmin, trace.zmax],
            `trace ${i}: plotly.js set aside the range [${trace.zmin}, ${trace.zmax}]`);
        });
      });

      check('the page draws offline, without errors', {}, () => {
        assert.deepEqual(rendered.problems, []);
      });

      check('the page draws the figure of the JSON export', {}, () => {
        assert.deepEqual(rendered.state.plotted, { data: rendered.figure.data, layout: rendered.figure.layout });
        // plotly.js completes a colour bar's x when only its y is given (as
        // stacked panels give it), so only a single figure's trace is left
        // as it was.
        if (!entry.stack) assert.deepEqual(rendered.state.data, rendered.figure.data);
        assert.deepEqual(rendered.state.layout.title, rendered.figure.layout.title);
        assert.equal(rendered.state.layout.width, rendered.figure.layout.width);
        assert.equal(rendered.state.layout.height, rendered.figure.layout.height);
        const height = entry.stack ? expected.height : options.height;
        if (height !== null) assert.equal(rendered.state.fullHeight, height);
      });

      if (entry.stack) defineStackedChecks(entry, check, rendered);
      else defineSingleFigureChecks(entry, check, rendered);

      check('the page markup holds nothing from the data', {}, () => {
        assert.equal(rendered.markup.scripts, rendered.controlMarkup.scripts, 'number of <script> elements');
        assert.deepEqual(rendered.markup.nodes, rendered.controlMarkup.nodes);
      });
    });
  }

  test("scripts/demo.sh's page draws offline, its cell text 9 px or more", { timeout: SETUP_TIMEOUT_MS * 2 },
    async () => {
      const prepared = await demoShPage.promise;
      try {
        await checkDemoPage(prepared);
      } finally {
        await prepared.page.close();
      }
    });

  test('trajplot demo --format html draws offline, its cell text 9 px or more; its screenshot',
    { timeout: SETUP_TIMEOUT_MS * 2 }, async () => {
    const pngPath = path.join(OUT, 'demo.png');
    fs.rmSync(pngPath, { force: true });
    const prepared = await demoPage.promise;
    const { page } = prepared;
    try {
      await checkDemoPage(prepared);
      const figure = await page.evaluate(() => {
        const layout = document.querySelector('.js-plotly-plot')?._fullLayout;
        return layout ? { width: layout.width, height: layout.height } : null;
      });
      assert.ok(figure, 'the demo page has no figure');
      // The figure's own box, not the page-wide div around it.
      await page.locator('.js-plotly-plot .svg-container').screenshot({ path: pngPath });
      const png = pngSummary(fs.readFileSync(pngPath));
      assert.deepEqual({ width: png.width, height: png.height }, figure);
      assert.ok(png.width >= 400 && png.height >= 300, `demo.png is only ${png.width} x ${png.height}`);
      // A colourscale, cell texts and axes: far more than a blank or
      // single-colour image.
      assert.ok(png.distinctColours >= 200, `demo.png has only ${png.distinctColours} distinct colours`);
    } finally {
      await page.close();
    }
  });
}
