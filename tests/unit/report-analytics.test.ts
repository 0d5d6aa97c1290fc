import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect, test } from '@playwright/test';
import { stripAnalytics } from '../../scripts/report-analytics.ts';
import { buildReport, reportReadyMessage } from '../../scripts/report-build.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Serves a directory read-only on a loopback port, as `npm run report:open` does. */
async function serve(root: string) {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    try {
      if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file');
    } catch {
      response.writeHead(404).end();
      return;
    }
    const types: Record<string, string> = {
      '.html': 'text/html',
      '.js': 'text/javascript',
      '.json': 'application/json',
    };
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

// A browser of its own, closed at the end: the worker's shared browser would outlive the test as a
// child process of the worker, which the stack's clean-up tests rightly count.
test('npm run report builds a report that loads nothing from third parties and still renders', async ({
  launchOptions,
}) => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'report-analytics-'));
  try {
    const results = path.join(dir, 'allure-results');
    mkdirSync(results);
    writeFileSync(
      path.join(results, 'r1-result.json'),
      JSON.stringify({
        uuid: 'r1',
        historyId: 'h1',
        name: 'finds the best detector for a new sensor dataset',
        fullName: 'finds-best-detector.journey.ts#finds the best detector',
        status: 'passed',
        stage: 'finished',
        start: 1,
        stop: 2,
        labels: [
          { name: 'epic', value: 'Data scientist' },
          { name: 'feature', value: 'Finds best detector' },
        ],
        steps: [],
      }),
    );
    const output = path.join(dir, 'allure-report');
    // The history file is found from the working directory: keep it in the sample's.
    expect(buildReport({ resultsDirs: [results], output, cwd: dir })).toBe(0);

    const html = readFileSync(path.join(output, 'index.html'), 'utf8');
    // XML namespace names (the report's inline SVG icons) are identifiers, never fetched.
    const namespaces = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);
    const thirdParty = [...html.matchAll(/https?:\/\/[^\s"'`<>)]+/g)]
      .map(([url]) => url)
      .filter((url) => !namespaces.has(url));
    expect(thirdParty).toEqual([]);
    expect(html).not.toMatch(/gtag|dataLayer/);

    const served = await serve(output);
    const browser = await chromium.launch(launchOptions);
    try {
      const page = await browser.newPage();
      const offHost: string[] = [];
      await page.route('**', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        offHost.push(url.href);
        return route.abort();
      });
      await page.goto(served.url);
      await expect(page).toHaveTitle('Journeys');
      await expect(page.getByText('Data scientist', { exact: true })).toBeVisible();
      expect(offHost).toEqual([]);
    } finally {
      await browser.close();
      served.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stripping the analytics removes the tag manager and its set-up, and nothing else', () => {
  const page = `<head><title>Journeys</title></head><body>
    <div id="app"></div>
    <script src="app-1.js"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
    </script>
    <script>window.allure = {};</script>
</body>`;
  const stripped = stripAnalytics(page);
  expect(stripped).not.toMatch(/googletagmanager|gtag|dataLayer/);
  expect(stripped).toContain('<script src="app-1.js"></script>');
  expect(stripped).toContain('<script>window.allure = {};</script>');
  expect(() => stripAnalytics('<img src="https://www.googletagmanager.com/ns.html">')).toThrow(
    'index.html still loads Google Tag Manager after its analytics tags were removed (Allure changed its report template): update scripts/report-analytics.ts to the new tags.',
  );
});

test('npm run report ends with where the report is and the command that serves it', () => {
  expect(reportReadyMessage('/repo/allure-report', '/repo')).toBe(
    'Allure report written to allure-report/index.html; open it with `npm run report:open` (it has to be served: from disk it never finishes loading).',
  );
  expect(reportReadyMessage('/repo/out/report', '/repo')).toContain('`npm run report:open -- out/report`');
});

test('npm run report:open without a built report says so and how to build one', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'report-open-'));
  try {
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/report-open.ts'), dir], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      `There is no Allure report in ${dir}: build one first with npm run report.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
