// The browser's route to a picture of a figure, timed: headless Chromium
// loads trajplot's HTML page (plotly.js inlined), waits until plotly.js has
// drawn, and screenshots the figure as PNG. This is what Kaleido-style
// exporters do; bench/images.py sets it beside trajplot's own renderer.
//
//   node bench/browser_screenshot.mjs NODE_MODULES CHROMIUM RUNS SCALE NAME=PAGE.html...
//
// NODE_MODULES holds playwright-core (tests/browser/node_modules). Prints,
// per page, the benchmark's line format:
//   case=NAME path=chromium op=png ms=MEDIAN first_ms=FIRST bytes=N runs=RUNS
// where first_ms includes starting Chromium, as a one-off export pays it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, chromiumPath, runsText, scaleText, ...pages] = process.argv.slice(2);
if (!nodeModules || !chromiumPath || !runsText || !scaleText || pages.length === 0) {
  console.error('usage: browser_screenshot.mjs NODE_MODULES CHROMIUM RUNS SCALE NAME=PAGE.html...');
  process.exit(2);
}
const { chromium } = await import(pathToFileURL(path.join(nodeModules, 'playwright-core', 'index.mjs')).href);
const runs = Number(runsText);
const scale = Number(scaleText);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
              '--disable-component-update', '--no-first-run'];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// One screenshot of a page in a browser already running.
async function screenshot(context, url, out) {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForSelector('.js-plotly-plot .main-svg', { state: 'attached', timeout: 30_000 });
    // plotly.js draws asynchronously; the heatmap's image is the last part.
    await page.waitForFunction(() => document.querySelector('.js-plotly-plot .hm image') !== null);
    return await page.locator('.js-plotly-plot .svg-container').screenshot({ path: out });
  } finally {
    await page.close();
  }
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trajplot-bench-chromium-'));
try {
  for (const spec of pages) {
    const [name, htmlPath] = spec.split('=');
    const url = pathToFileURL(path.resolve(htmlPath)).href;
    const out = path.join(profile, `${name}.png`);
    const launchStart = performance.now();
    const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(profile, 'p')), {
      executablePath: chromiumPath, headless: true, args: ARGS,
      viewport: { width: 1600, height: 1200 }, deviceScaleFactor: scale,
    });
    await context.route(/^(https?|wss?|ftp):/i, (route) => route.abort('blockedbyclient'));
    let bytes = 0;
    try {
      bytes = (await screenshot(context, url, out)).length;
      const first = performance.now() - launchStart;
      const times = [];
      for (let run = 0; run < runs; ++run) {
        const start = performance.now();
        await screenshot(context, url, out);
        times.push(performance.now() - start);
      }
      console.log(`case=${name} path=chromium op=png ms=${median(times).toFixed(3)} ` +
                  `first_ms=${first.toFixed(3)} bytes=${bytes} runs=${runs}`);
    } finally {
      await context.close();
    }
  }
} finally {
  fs.rmSync(profile, { recursive: true, force: true });
}
