import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { freePort } from '../../fixtures/stack/free-port.ts';
import { virtualDisplay } from '../../scripts/record/virtual-display.ts';
import {
  connectToPersonaPage,
  recordedByATest,
  runScript,
  untilRecorderListens,
} from '../support/recording-driver.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

test.describe.configure({ timeout: 240_000 });

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a test's fixtures from this pattern; it needs none.
test('recording as the data scientist writes a journey of theirs that then runs green', async ({}, testInfo) => {
  const display = await virtualDisplay();
  const journeyFile = recordedByATest('data-scientist');
  try {
    const debuggingPort = await freePort();
    const recording = runScript(
      'record.ts',
      [
        '--persona',
        'dataScientist',
        '--out',
        journeyFile,
        '--title',
        'opens the datasets',
        '--debugging-port',
        String(debuggingPort),
      ],
      { DISPLAY: display.display },
    );
    await recording.untilPrinted('close its window to write the journey', 120_000);

    const { browser, page } = await connectToPersonaPage(debuggingPort);
    // The recording starts inside the story's world: the persona is signed in to their own tenant.
    await expect(page.getByRole('heading', { name: /^Welcome, / })).toBeVisible();
    await untilRecorderListens(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await expect(page.getByRole('heading', { name: 'Datasets', level: 1 })).toBeVisible();
    await page.close();
    await browser.close();

    const { code, output } = await recording.exited;
    expect(code, output).toBe(0);
    const journey = await readFile(journeyFile, 'utf8');
    await testInfo.attach('recorded journey', { body: journey, contentType: 'text/plain' });
    expect(journey).toContain("import { test } from '../../fixtures/index.ts';");
    expect(journey).toContain(
      "test('opens the datasets', { tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist }) => {",
    );
    expect(journey).toContain("await page.getByRole('link', { name: 'Datasets', exact: true }).click();");

    const run = await promisify(execFile)(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'),
        'test',
        journeyFile,
        '--reporter=line',
      ],
      { cwd: repoRoot, timeout: 120_000 },
    ).catch((error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: error.stderr }));
    expect(`${run.stdout}${run.stderr}`).toMatch(/\b1 passed\b/);
  } finally {
    await rm(journeyFile, { force: true });
    await display.stop();
  }
});

test('picking a locator as the deployer prints the locator a journey writes for the clicked element', async () => {
  const debuggingPort = await freePort();
  // The picker needs no Inspector window, so it runs headless.
  const picking = runScript('pick-locator.ts', [
    '--persona',
    'deployer',
    '--path',
    '/deployments',
    '--headless',
    '--debugging-port',
    String(debuggingPort),
  ]);
  await picking.untilPrinted('Click the element to pick', 120_000);
  const { browser, page } = await connectToPersonaPage(debuggingPort);
  await untilRecorderListens(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await browser.close();
  const { code, output } = await picking.exited;
  expect(code, output).toBe(0);
  expect(output.split('\n')).toContain("Locator: page.getByRole('link', { name: 'Models' })");
});
