import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { windowTitles } from '../virtualDisplay.ts';
import { extensionDir, startCodeServer } from './codeServer.ts';
import {
  expand,
  openFile,
  revealJourney,
  runAction,
  traceViewerFrame,
  traceViewerUrlOrFrames,
  treeItem,
  workbenchTest,
} from './workbench.ts';

const test = workbenchTest('code-server', (baseDir) => startCodeServer(baseDir));

test.describe.configure({ mode: 'serial' });

// Every scene leaves what the person saw at its end in the report, passed or failed.
test.afterEach(async ({ workbench: { page } }, testInfo) => {
  const screenshot = testInfo.outputPath('workbench.png');
  await page.screenshot({ path: screenshot });
  await testInfo.attach('workbench', { path: screenshot, contentType: 'image/png' });
});

/** Asserts that an editor overlay sits on the given (1-based) line of the visible editor. */
async function expectOnLine(page: Page, overlay: Locator, line: number): Promise<void> {
  const lineNumber = page
    .locator('.margin-view-overlays .line-numbers')
    .getByText(String(line), { exact: true });
  await expect
    .poll(async () => {
      const [overlayBox, lineBox] = await Promise.all([overlay.boundingBox(), lineNumber.boundingBox()]);
      return overlayBox && lineBox
        ? Math.abs(overlayBox.y + overlayBox.height / 2 - (lineBox.y + lineBox.height / 2))
        : Infinity;
    })
    .toBeLessThan(10);
}

test('the Testing view lists the three personas and their journeys', async ({ workbench: { page } }) => {
  for (const persona of ['Data scientist', 'Production deployer', 'Security analyst']) {
    await expand(treeItem(page, new RegExp(`^${persona}`)));
  }
  for (const file of [
    'finds-best-detector.journey.ts',
    'ships-model.journey.ts',
    'counts-alerts.journey.ts',
    'triages-incident.journey.ts',
  ]) {
    await expand(treeItem(page, new RegExp(`^${file.replace('.', '\\.')}`)));
  }
  for (const journey of [
    'finds the best detector for a new sensor dataset',
    'ships a model to production',
    'counts alerts by severity \\(deliberately broken\\)',
    'triages a live incident',
  ]) {
    await expect(treeItem(page, new RegExp(`^${journey}`))).toBeVisible();
  }
  await expect(page.getByRole('button', { name: /Stack: embedded · cold/ })).toBeVisible();
});

test('running a journey shows it passed, with its steps', async ({ workbench: { page } }) => {
  const journey = await revealJourney(
    page,
    'Production deployer',
    'ships-model.journey.ts',
    /^ships a model to production/,
  );
  await runAction(journey, 'Run Test');
  await expect(journey).toHaveAccessibleName(/ships a model to production.*\(Passed\)/);
  await expand(journey);
  for (const step of ['deploy to staging', 'promote to production', 'production runs the promoted version']) {
    await expect(treeItem(page, new RegExp(`^${step}.*\\(Passed\\)`))).toBeVisible();
  }
});

test('a broken journey shows failed, with its message and diff at the failing line', async ({
  workbench: { page },
}) => {
  await openFile(page, 'counts-alerts.journey.ts');
  const journey = await revealJourney(
    page,
    'Security analyst',
    'counts-alerts.journey.ts',
    /^counts alerts by severity/,
  );
  await runAction(journey, 'Run Test');
  await expect(journey).toHaveAccessibleName(/\(Failed\)/);
  // VS Code shows "actual != expected" beside the failing line when the message carries a diff.
  const failure = page.locator('.test-error-content-widget');
  await expect(failure).toHaveText(/Object \{ "crit.* != Object \{ "crit/);
  await expectOnLine(page, failure, 11);
  // The README's picture: personas, journeys and steps with their results beside the failure.
  await page.screenshot({
    path: path.join(import.meta.dirname, '..', '..', '..', 'docs', 'images', 'journey-explorer.png'),
  });
});

test('Open trace on the failed journey loads the trace viewer', async ({ workbench: { page } }) => {
  const journey = await revealJourney(
    page,
    'Security analyst',
    'counts-alerts.journey.ts',
    /^counts alerts by severity/,
  );
  await journey.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open trace' }).click();
  // The Simple Browser shows the viewer in a frame inside its webview.
  await expect.poll(() => traceViewerUrlOrFrames(page)).toContain('trace.zip');
  const viewer = await traceViewerFrame(page);
  if (!viewer) throw new Error('the trace viewer frame went away');
  // The trace shows the journey's steps once it has loaded.
  await expect(viewer.getByText('the summary counts each severity').first()).toBeVisible();
  // It loaded under its own service worker, not code-server's, which would have left it loading.
  expect(await viewer.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(
    /\/trace\/sw\.bundle\.js$/,
  );
});

test('Debug stops at a breakpoint in the journey, then completes', async ({ workbench: { page } }) => {
  await openFile(page, 'ships-model.journey.ts');
  await page.keyboard.press('Control+G');
  await page.keyboard.type('10');
  await page.keyboard.press('Enter');
  await page.keyboard.press('F9');
  await expect(page.locator('.codicon-debug-breakpoint').first()).toBeVisible();

  const journey = await revealJourney(
    page,
    'Production deployer',
    'ships-model.journey.ts',
    /^ships a model to production/,
  );
  await runAction(journey, 'Debug Test');
  const stoppedAt = page.locator('.debug-top-stack-frame-line');
  await expect(stoppedAt).toBeVisible({ timeout: 60_000 });
  await expectOnLine(page, stoppedAt, 10);

  await page
    .locator('.debug-toolbar')
    .getByRole('button', { name: /^Continue/ })
    .click();
  await expect(page.locator('.debug-toolbar')).toBeHidden();
  await expect(journey).toHaveAccessibleName(/\(Passed\)/);
});

test('Show browser runs a journey headed and keeps its browser open until Close browser', async ({
  workbench: { page, workspace },
}, testInfo) => {
  const display = process.env.DISPLAY;
  if (!display)
    throw new Error('No DISPLAY: the config starts Xvfb for these tests (virtualDisplaySetup.ts).');
  // A journey showing a page in the suite's own browser fixture, the one that keeps it open.
  const dir = path.join(workspace, 'journeys', 'security-analyst');
  const fixture = path.relative(dir, path.join(extensionDir, '..', 'fixtures', 'browser-fixture.ts'));
  await writeFile(
    path.join(dir, 'shows-page.journey.ts'),
    `import { expect } from '@playwright/test';
import { test } from '${fixture.split(path.sep).join('/')}';

test('shows its page', async ({ page }) => {
  await test.step('opens the page', async () => {
    await page.setContent('<title>Shown page</title><h1>Shown in a headed Chromium</h1>');
  });
  await expect(page.getByRole('heading', { name: 'Shown in a headed Chromium' })).toBeVisible();
});
`,
  );
  await page.getByRole('button', { name: 'Show browser', exact: true }).click();
  await expect(page.getByRole('button', { name: /Show browser: on/ })).toBeVisible();

  const journey = await revealJourney(page, 'Security analyst', 'shows-page.journey.ts', /^shows its page/);
  await runAction(journey, 'Run Test');
  await expect(journey).toHaveAccessibleName(/shows its page.*\(Passed\)/);
  // The run is over, and its page is still on the screen, in the full Chromium's window.
  // (The window's title follows the page's a moment later.)
  await expect.poll(() => windowTitles(display)).toContain('Shown page - Chromium');
  const editor = testInfo.outputPath('show-browser-editor.png');
  await page.screenshot({ path: editor });
  await testInfo.attach('editor with the browser kept', { path: editor, contentType: 'image/png' });

  await page.getByRole('button', { name: 'Close browser', exact: true }).click();
  await expect.poll(() => windowTitles(display)).not.toContain('Shown page - Chromium');
  await page.getByRole('button', { name: 'Stop showing the browser', exact: true }).click();
  await expect(page.getByRole('button', { name: /Show browser: off/ })).toBeVisible();
});
