// Screenshots the demo page scripts/demo.sh writes (build/demo.html) in
// Debian's headless Chromium, with every network request refused: the
// README's screenshot, docs/demo.png.
//
//   scripts/demo.sh && node tests/browser/screenshot_demo.mjs [--page build/demo.html]
//                                                            [--out docs/demo.png]
//
// Needs an `npm ci` in tests/browser (playwright-core). The page draws from
// the plotly.js inlined in it, so the PNG is what a reader of the README
// sees, offline or not.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { refuseAllButThePage } from './self_contained_page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CHROMIUM = process.env.TRAJPLOT_CHROMIUM || '/usr/bin/chromium';

function parseArguments(argv) {
  const parsed = { page: path.join(ROOT, 'build', 'demo.html'), out: path.join(ROOT, 'docs', 'demo.png') };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    if (argv[i] === '--page') parsed.page = path.resolve(value());
    else if (argv[i] === '--out') parsed.out = path.resolve(value());
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; usage: ` +
      'screenshot_demo.mjs [--page HTML] [--out PNG]');
  }
  return parsed;
}

async function main() {
  const { page: htmlPath, out } = parseArguments(process.argv.slice(2));
  for (const [what, file] of [['the demo page (run scripts/demo.sh)', htmlPath], ['Chromium', CHROMIUM]]) {
    if (!fs.existsSync(file)) throw new Error(`${what} is not at ${file}`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trajplot-screenshot-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1600, height: 1600 },
  });
  try {
    const page = await browser.newPage();
    const { pageUrl, problems } = await refuseAllButThePage(page, htmlPath);
    await page.goto(pageUrl);
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
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`screenshot_demo: ${error.message}`);
  process.exitCode = 1;
});
