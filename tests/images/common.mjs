// What both halves of the image tests share: the figures (figures.json),
// running the CLI, and Chromium, driven by the playwright-core that the
// browser tests install (tests/browser/package.json): these tests add no
// package of their own.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const CLI = process.env.TRAJPLOT_CLI;
export const OUT = process.env.TRAJPLOT_IMAGES_OUT;
export const CHROMIUM = process.env.TRAJPLOT_CHROMIUM || '/usr/bin/chromium';

const { chromium } = createRequire(path.join(ROOT, 'tests', 'browser', 'package.json'))('playwright-core');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  // Screenshots in the colours the page asks for, as a PNG encoder would
  // write them, whatever the machine's display profile.
  '--force-color-profile=srgb',
];

// The figures of figures.json, or those TRAJPLOT_IMAGES_FIGURES names
// (comma-separated), to look at one figure at a time.
export function loadFigures() {
  const manifest = JSON.parse(fs.readFileSync(path.join(HERE, 'figures.json'), 'utf8'));
  const only = process.env.TRAJPLOT_IMAGES_FIGURES?.split(',').filter(Boolean);
  const unknown = only?.filter((name) => !manifest.figures.some((figure) => figure.name === name)) ?? [];
  if (unknown.length) throw new Error(`TRAJPLOT_IMAGES_FIGURES: no figure ${unknown.join(', ')} in figures.json`);
  return manifest.figures.filter((figure) => !only?.length || only.includes(figure.name)).map((figure) => ({
    ...figure,
    specPaths: (figure.specs ?? []).map((spec) => path.resolve(HERE, spec)),
    dir: OUT ? path.join(OUT, figure.name) : null,
  }));
}

// The CLI's arguments that draw `figure` in `format`, to `out`.
export function figureArguments(figure, format, out, extra = []) {
  const source = figure.demo ? ['demo'] : ['render', ...figure.specPaths, ...(figure.stack ? ['--stack'] : [])];
  return [...source, ...figure.options, '--format', format, ...extra, '--out', out];
}

// The CLI runs without TRAJPLOT_PLOTLYJS, so that its pages inline the copy
// the build installs, found by the library itself.
const CLI_ENVIRONMENT = Object.fromEntries(Object.entries(process.env)
  .filter(([name]) => name !== 'TRAJPLOT_PLOTLYJS'));

// Runs `command` (the CLI by default), with `env` added to its environment;
// resolves to { stdout, stderr } and rejects with the command line, the
// exit status and its standard error.
export function run(args, command = CLI, { allowStderr = false, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const environment = { ...CLI_ENVIRONMENT, ...env };
    execFile(command, args, { encoding: 'utf8', maxBuffer: 1 << 24, env: environment }, (error, stdout, stderr) => {
      const line = `${path.basename(command)} ${args.join(' ')}`;
      if (error) {
        const failure = new Error(`${line} failed (exit status ${error.code}): ${stderr.trim()}`);
        failure.exitCode = error.code;
        failure.stderr = stderr;
        reject(failure);
      } else if (stderr !== '' && !allowStderr) {
        // A note on standard error (no local plotly.js) would mean a page
        // that needs the network.
        reject(new Error(`${line} wrote to standard error: ${stderr.trim()}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// A browser context drawing at `scale` device pixels per CSS pixel, from
// which nothing reaches the network.
export async function newContext(browser, scale) {
  const context = await browser.newContext({ deviceScaleFactor: scale, viewport: { width: 1600, height: 1600 } });
  await context.route(/^(https?|wss?|ftp):/i, (route) => route.abort('blockedbyclient'));
  return context;
}

// Waits until the page has drawn the frame it is on.
export function settle(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20))));
}

// Texts as they are compared: plotly.js puts zero-width spaces around a
// superscript's tspan, which draw nothing.
export const shownText = (text) => text.replace(/\u200b/g, '');
