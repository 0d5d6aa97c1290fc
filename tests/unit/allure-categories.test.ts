import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Failures as allure-playwright recorded them when each kind was provoked for real (status and
 * message verbatim, ports and paths shortened): the report must file each under who acts on it.
 */
const failures: Array<{ name: string; status: 'failed' | 'broken'; message: string; category: string }> = [
  {
    name: 'platform answer differs from the assertion',
    status: 'failed',
    message:
      'Error: expect(received).toEqual(expected) // deep equality\n\n- Expected  - 1\n+ Received  + 3\n\n  Object {\n-   "status": "ok",',
    category: 'Product defect',
  },
  {
    name: 'page does not show what the journey expects',
    status: 'failed',
    message:
      "Error: expect(locator).toContainText(expected) failed\n\nLocator: locator('body')\nTimeout: 2000ms\n- Expected substring  - 1",
    category: 'Product defect',
  },
  {
    name: 'platform answers another status',
    status: 'failed',
    message:
      'Error: GET /api/datasets answered 401 (unauthenticated: Sign in, or send a valid API key as "Authorization: Bearer <key>".)',
    category: 'Product defect',
  },
  {
    name: 'unexplained failure',
    status: 'failed',
    message: 'Error: expected to be on a /datasets/<id> page, but the browser is at /login',
    category: 'Product defect',
  },
  {
    name: 'TypeError in test code',
    status: 'failed',
    message: "TypeError: Cannot read properties of undefined (reading 'mode')",
    category: 'Test defect',
  },
  {
    name: 'ReferenceError in test code',
    status: 'failed',
    message: 'ReferenceError: notDefinedAnywhere is not defined',
    category: 'Test defect',
  },
  {
    name: 'test outlives its time budget',
    status: 'broken',
    message: 'Test timeout of 2000ms exceeded.',
    category: 'Test defect',
  },
  {
    // Was filed under "Product defect" (as "Error: E2E_SEED must be a non-negative integer …").
    name: 'a bad setting reaches a test',
    status: 'failed',
    message:
      'SettingError: Setting E2E_SEED="abc" is not a seed: set it to a whole number from 0 up, copied from a failed test\'s seed annotation or Allure parameter (for example E2E_SEED=1234567), or unset it for each test\'s own seed from its title.',
    category: 'Setup problem',
  },
  {
    name: 'API refuses connections',
    status: 'failed',
    message: 'TypeError: fetch failed',
    category: 'Stack or infrastructure failure',
  },
  {
    name: 'browser cannot reach the platform',
    status: 'failed',
    message:
      'Error: page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:42931/\nCall log:\n  - navigating to "http://127.0.0.1:42931/", waiting until "load"',
    category: 'Stack or infrastructure failure',
  },
  {
    name: 'broker refuses connections',
    status: 'failed',
    message: 'Error: connect ECONNREFUSED 127.0.0.1:1883',
    category: 'Stack or infrastructure failure',
  },
];

test('the Allure report files each kind of failure under setup, product, test or stack', () => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'allure-categories-'));
  try {
    const results = path.join(dir, 'allure-results');
    mkdirSync(results);
    failures.forEach((failure, index) => {
      writeFileSync(
        path.join(results, `r${index}-result.json`),
        JSON.stringify({
          uuid: `r${index}`,
          historyId: `h${index}`,
          name: failure.name,
          fullName: `sample.journey.ts#${failure.name}`,
          status: failure.status,
          statusDetails: { message: failure.message, trace: failure.message },
          stage: 'finished',
          start: 1,
          stop: 2,
          labels: [],
          steps: [],
        }),
      );
    });
    const run = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/allure/cli.js'),
        'generate',
        results,
        '--output',
        path.join(dir, 'report'),
        '--config',
        path.join(repoRoot, 'allurerc.mjs'),
      ],
      // The history file is found from the working directory: keep it in the sample's.
      { cwd: dir, encoding: 'utf8' },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);

    const widget = JSON.parse(readFileSync(path.join(dir, 'report/widgets/categories.json'), 'utf8')) as {
      roots: string[];
      nodes: Record<string, { type: string; name: string; childrenIds?: string[] }>;
    };
    const filed = new Map<string, string>();
    const collect = (id: string, category: string) => {
      const node = widget.nodes[id];
      if (!node) return;
      if (node.type === 'tr') filed.set(node.name, category);
      for (const child of node.childrenIds ?? []) collect(child, category);
    };
    for (const root of widget.roots) collect(root, widget.nodes[root]?.name ?? '');
    expect(Object.fromEntries(filed)).toEqual(
      Object.fromEntries(failures.map((failure) => [failure.name, failure.category])),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
