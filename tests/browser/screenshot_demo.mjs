// Renders the demo figure (`trajplot demo --format html`, with the options
// scripts/demo.sh uses) in Debian's headless Chromium and saves a PNG of the
// figure: the README's screenshot, docs/demo.png.
//
//   node tests/browser/screenshot_demo.mjs [--cli build/trajplot] [--out docs/demo.png]
//                                          [-- DEMO OPTIONS...]
//
// Options after `--` replace the default demo options. Needs an `npm ci` in
// tests/browser (playwright-core and plotly.js); the page works offline.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PLOTLY_JS = path.join(HERE, 'node_modules', 'plotly.js-dist-min', 'plotly.min.js');
const CHROMIUM = process.env.TRAJPLOT_CHROMIUM || '/usr/bin/chromium';
// The page scripts/demo.sh writes, so that the screenshot is what a reader
// of the README gets from it.
const DEMO_OPTIONS = ['--title', "The lens's predictions, layer by layer (synthetic demo)",
  '--extra', '{"textfont": {"size": 10}}'];

function parseArguments(argv) {
  const parsed = { cli: path.join(ROOT, 'build', 'trajplot'), out: path.join(ROOT, 'docs', 'demo.png'),
    demoOptions: DEMO_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    if (argv[i] === '--cli') parsed.cli = path.resolve(value());
    else if (argv[i] === '--out') parsed.out = path.resolve(value());
    else if (argv[i] === '--') {
      parsed.demoOptions = argv.slice(i + 1);
      break;
    } else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; usage: ` +
      'screenshot_demo.mjs [--cli TRAJPLOT] [--out PNG] [-- DEMO OPTIONS...]');
  }
  return parsed;
}

async function main() {
  const { cli, out, demoOptions } = parseArguments(process.argv.slice(2));
  for (const [what, file] of [['the trajplot CLI', cli], ['plotly.js (run npm ci in tests/browser)', PLOTLY_JS],
    ['Chromium', CHROMIUM]]) {
    if (!fs.existsSync(file)) throw new Error(`${what} is not at ${file}`);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trajplot-screenshot-'));
  try {
    const htmlPath = path.join(workDir, 'demo.html');
    execFileSync(cli, ['demo', ...demoOptions, '--format', 'html', '--plotlyjs', `inline:${PLOTLY_JS}`,
      '--out', htmlPath], { stdio: ['ignore', 'inherit', 'inherit'] });

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1600 } });
      const problems = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      // The page must draw from the inlined plotly.js alone.
      await page.route(/^(https?|wss?|ftp):/i, (route) => route.abort('blockedbyclient'));
      await page.goto(pathToFileURL(htmlPath).href);
      await page.waitForSelector('.js-plotly-plot .main-svg', { state: 'attached', timeout: 15_000 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20))));
      if (problems.length) throw new Error(`the demo page did not draw cleanly:\n${problems.join('\n')}`);
      const size = await page.evaluate(() => {
        const { width, height } = document.querySelector('.js-plotly-plot')._fullLayout;
        return { width, height };
      });
      // Written beside the target and renamed, so a failed run keeps the
      // previous screenshot.
      const partial = `${out}.partial.png`;
      fs.mkdirSync(path.dirname(out), { recursive: true });
      try {
        await page.locator('.js-plotly-plot .svg-container').screenshot({ path: partial });
        fs.renameSync(partial, out);
      } finally {
        fs.rmSync(partial, { force: true });
      }
      console.log(`wrote ${path.relative(process.cwd(), out) || out} (${size.width} x ${size.height})`);
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`screenshot_demo: ${error.message}`);
  process.exitCode = 1;
});
