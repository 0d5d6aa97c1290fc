import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { noDisplayProblem } from '../src/run/journeyRunner.ts';
import { browserKeptContextKey } from '../src/run/keptBrowser.ts';
import { discovered, expect, extensionDir, runProfile, test } from './explorerFixtures.ts';
import type { FakeTestItem } from './fake/testing.ts';
import { startVirtualDisplay, type VirtualDisplay } from './virtualDisplay.ts';

const repoFixtures = path.resolve(extensionDir, '..', 'fixtures');

/** Runs `body` with DISPLAY set to `display` (or unset), as the editor's environment would have it. */
async function withDisplay<T>(display: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
  delete process.env.WAYLAND_DISPLAY;
  if (display === undefined) delete process.env.DISPLAY;
  else process.env.DISPLAY = display;
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A journey that says whether it runs headless, as its worker's project sees it. */
async function addHeadlessProbe(workspace: string): Promise<string> {
  const file = path.join(workspace, 'journeys', 'security-analyst', 'probe.journey.ts');
  await writeFile(
    file,
    `import { test } from '../../fixtures/index.ts';
test('reports how it runs', async () => {
  console.log(\`headless: \${test.info().project.use.headless ?? true}\`);
});
`,
  );
  return file;
}

async function probe(controller: import('./fake/testing.ts').FakeTestController, workspace: string) {
  await addHeadlessProbe(workspace);
  return discovered(controller, 'Security analyst', 'probe.journey.ts', 'reports how it runs');
}

test.describe('Show browser', () => {
  test('the toggle flips journeys.showBrowser, and the status bar says which it is', async ({ vscode }) => {
    const item = vscode.statusBarItems.find((candidate) => candidate.text.includes('Show browser'));
    expect(item?.text).toBe('$(eye-closed) Show browser: off');
    expect(item?.visible).toBe(true);
    expect(item?.command).toMatchObject({ command: 'journeys.toggleShowBrowser' });

    await vscode.runCommand('journeys.toggleShowBrowser');
    expect(vscode.workspace.getConfiguration('journeys').get('showBrowser')).toBe(true);
    expect(item?.text).toBe('$(eye) Show browser: on');

    await vscode.runCommand('journeys.hideBrowser');
    expect(item?.text).toBe('$(eye-closed) Show browser: off');
    // Set in the settings editor, it shows too.
    vscode.setConfiguration('journeys.showBrowser', true);
    expect(item?.text).toBe('$(eye) Show browser: on');
  });

  test('"Run headed" runs the journey headed; a plain Run headless', async ({ controller, workspace }) => {
    const journey = await probe(controller, workspace);
    const headed = await withDisplay(':99', () =>
      runProfile(controller, 'Run headed', { include: [journey] }),
    );
    expect(headed.stateOf(journey)?.kind).toBe('passed');
    expect(headed.outputOf(journey)).toContain('headless: false');
    const plain = await runProfile(controller, 'Run', { include: [journey] });
    expect(plain.outputOf(journey)).toContain('headless: true');
  });

  test('with the toggle on, Run runs headed', async ({ controller, workspace, vscode }) => {
    const journey = await probe(controller, workspace);
    vscode.setConfiguration('journeys.showBrowser', true);
    const run = await withDisplay(':99', () => runProfile(controller, 'Run', { include: [journey] }));
    expect(run.outputOf(journey)).toContain('headless: false');
  });

  test('without a display it says so in one sentence, and starts nothing', async ({
    controller,
    workspace,
    vscode,
  }) => {
    const journey = await probe(controller, workspace);
    const run = await withDisplay(undefined, () =>
      runProfile(controller, 'Run headed', { include: [journey] }),
    );
    const state = run.stateOf(journey);
    if (state?.kind !== 'errored') throw new Error(`the journey was ${state?.kind}, not errored`);
    expect(state.messages.map((message) => message.message)).toEqual([noDisplayProblem]);
    expect(vscode.errors).toContain('Show browser needs a display: set DISPLAY or run under xvfb-run.');
    expect(vscode.outputLines.filter((line) => line.startsWith('run: playwright'))).toEqual([]);
  });
});

test.describe('keeping the browser open', () => {
  let screen: VirtualDisplay;
  test.beforeAll(async () => {
    screen = await startVirtualDisplay();
  });
  test.afterAll(async () => {
    await screen?.stop();
  });

  /** A journey that shows a page in the suite's own browser fixture (the one that keeps it). */
  async function addPageJourney(workspace: string, title: string): Promise<void> {
    const fixture = path.relative(
      path.join(workspace, 'journeys', 'security-analyst'),
      path.join(repoFixtures, 'browser-fixture.ts'),
    );
    await writeFile(
      path.join(workspace, 'journeys', 'security-analyst', 'shows-page.journey.ts'),
      `import { expect } from '@playwright/test';
import { test } from '${fixture.split(path.sep).join('/')}';

test('shows its page', async ({ page }) => {
  await test.step('opens the page', async () => {
    await page.setContent('<title>${title}</title><h1>${title}</h1>');
  });
  await expect(page.getByRole('heading', { name: '${title}' })).toBeVisible();
});
`,
    );
  }

  async function pageJourney(controller: import('./fake/testing.ts').FakeTestController, workspace: string) {
    await addPageJourney(workspace, 'Kept page');
    await expect.poll(() => controller.renderTree(workspace)).toContain('shows-page.journey.ts');
    return controller.find('Security analyst', 'shows-page.journey.ts', 'shows its page') as FakeTestItem;
  }

  test('the last journey’s browser stays open after the run, until Close browser', async ({
    controller,
    workspace,
    vscode,
  }) => {
    const journey = await pageJourney(controller, workspace);
    const run = await withDisplay(screen.display, () =>
      runProfile(controller, 'Run headed', { include: [journey] }),
    );
    expect(run.stateOf(journey)?.kind).toBe('passed');
    // The run has ended, and its page is still on the screen.
    // The window's title follows the page's a moment later.
    await expect.poll(() => screen.windowTitles()).toContain('Kept page - Chromium');
    expect(vscode.contextKeys.get(browserKeptContextKey)).toBe(true);

    await vscode.runCommand('journeys.closeBrowser');
    expect(await screen.windowTitles()).not.toContain('Kept page - Chromium');
    expect(vscode.contextKeys.get(browserKeptContextKey)).toBe(false);
  });

  test('the next run closes the kept browser first', async ({ controller, workspace, vscode }) => {
    const journey = await pageJourney(controller, workspace);
    await withDisplay(screen.display, () => runProfile(controller, 'Run headed', { include: [journey] }));
    // The window's title follows the page's a moment later.
    await expect.poll(() => screen.windowTitles()).toContain('Kept page - Chromium');
    await runProfile(controller, 'Run', { include: [journey] });
    expect(await screen.windowTitles()).not.toContain('Kept page - Chromium');
    expect(vscode.contextKeys.get(browserKeptContextKey)).toBe(false);
  });

  test('with journeys.keepBrowserOpen off, the headed run closes its browser', async ({
    controller,
    workspace,
    vscode,
  }) => {
    vscode.setConfiguration('journeys.keepBrowserOpen', false);
    const journey = await pageJourney(controller, workspace);
    const run = await withDisplay(screen.display, () =>
      runProfile(controller, 'Run headed', { include: [journey] }),
    );
    expect(run.stateOf(journey)?.kind).toBe('passed');
    expect(await screen.windowTitles()).not.toContain('Kept page - Chromium');
    expect(vscode.contextKeys.get(browserKeptContextKey)).not.toBe(true);
  });
});
