// A page that must draw from itself alone, as trajplot's pages do by
// default: every request but the page's own, local files included, is
// refused and reported, with the page's errors.

import { pathToFileURL } from 'node:url';

// Sets `page` up to load `htmlPath` with nothing else: returns the page's
// URL and the list `problems` fills in (refused requests, page and console
// errors) while the page lives.
export async function refuseAllButThePage(page, htmlPath) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  const pageUrl = pathToFileURL(htmlPath).href;
  await page.route(() => true, (route) => {
    const url = route.request().url();
    if (url === pageUrl || /^(data|blob|about):/i.test(url)) return route.continue();
    problems.push(`request refused: ${url}`);
    return route.abort('blockedbyclient');
  });
  return { pageUrl, problems };
}
