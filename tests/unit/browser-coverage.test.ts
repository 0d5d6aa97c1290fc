import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, expect, test } from '@playwright/test';
import { BrowserCoverage, coverageLaunchOptions } from '../../fixtures/coverage/browser-coverage.ts';

/**
 * Two pages of platform-like scripts under /assets/: the experiment page links to the models page,
 * as the data scientist's "register best run" leaves one for the other. Each script takes one of
 * its two branches, so the counts say which code ran, not only that the file loaded.
 */
const site: Record<string, string> = {
  '/experiment':
    '<title>Experiment</title><script src="/assets/experiment-progress.js" defer></script><a href="/models">Models</a>',
  '/models': '<title>Models</title><script src="/assets/models.js" defer></script><p>Models</p>',
  '/assets/experiment-progress.js':
    'function show(done) { if (done) { document.body.dataset.shown = "done"; } else { document.body.dataset.shown = "running"; } } show(true);',
  '/assets/models.js':
    'function list(empty) { if (empty) { document.body.dataset.listed = "none"; } else { document.body.dataset.listed = "some"; } } list(false);',
};

let server: Server;
let origin: string;
let browser: Browser;

test.beforeAll(async ({ launchOptions }) => {
  server = createServer((request, response) => {
    const body = site[request.url ?? ''];
    response.writeHead(body === undefined ? 404 : 200, {
      'content-type': request.url?.endsWith('.js') ? 'text/javascript' : 'text/html',
    });
    response.end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A browser of its own, closed after: the worker's would outlive the file as a child process.
  browser = await chromium.launch(coverageLaunchOptions(launchOptions));
});

test.afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
});

/** The source of a script's blocks that never ran, and how often its function ran. */
function counted(entries: Awaited<ReturnType<BrowserCoverage['collect']>>, script: string) {
  const entry = entries.find((candidate) => candidate.url === `${origin}/assets/${script}`);
  const source = site[`/assets/${script}`] ?? '';
  const named = entry?.functions.find((fn) => fn.functionName !== '');
  return {
    calls: named?.ranges[0]?.count ?? 0,
    neverRan: (named?.ranges ?? [])
      .filter((range) => range.count === 0)
      .map((range) => source.slice(range.startOffset, range.endOffset).trim()),
  };
}

test('the scripts of a page the journey navigated away from keep their counts', async () => {
  const coverage = new BrowserCoverage();
  coverage.instrument(browser);
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto('/experiment');
  await expect(page.locator('body')).toHaveAttribute('data-shown', 'done');
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.locator('body')).toHaveAttribute('data-listed', 'some');

  const entries = await coverage.collect();
  // Each function ran once, and the branch it did not take is the one block that never ran.
  expect(counted(entries, 'experiment-progress.js')).toEqual({
    calls: 1,
    neverRan: ['else { document.body.dataset.shown = "running"; }'],
  });
  expect(counted(entries, 'models.js')).toEqual({
    calls: 1,
    neverRan: ['{ document.body.dataset.listed = "none"; }'],
  });
  await context.close();
});
