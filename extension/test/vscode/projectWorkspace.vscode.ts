import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { startCodeServer } from './codeServer.ts';
import { copyProject } from './projectCopy.ts';
import {
  expand,
  openFile,
  revealJourney,
  runAction,
  runCommand,
  traceViewerFrame,
  traceViewerUrlOrFrames,
  treeItem,
  workbenchTest,
} from './workbench.ts';

/**
 * Journey Explorer in the project's own workspace: the real journeys, the real embedded stack.
 * A copy of the project's tracked files is opened (inside the extension's test-results), so what
 * runs write stays out of the checkout and a warm stack of the checkout's is left alone.
 */
const test = workbenchTest('project', async (baseDir) => {
  const project = await copyProject(path.join(baseDir, 'project'));
  const server = await startCodeServer(baseDir, {
    folders: [project],
    // As if started from a terminal (`code .`): the extension host keeps this run's environment
    // instead of a login shell's, whose PATH may put an older node first than the project's
    // (stack:up runs .ts scripts, which needs Node >= 22.18).
    env: { VSCODE_CLI: '1' },
  });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      // A warm stack outlives the editor by design: one that a failed test left running goes here.
      if (existsSync(path.join(project, '.journeys', 'stack.json')))
        execFileSync('npm', ['run', 'stack:down'], { cwd: project, stdio: 'ignore' });
    },
  };
});

test.describe.configure({ mode: 'serial' });

test.afterEach(async ({ workbench: { page } }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await screenshot(page, testInfo, 'workbench');
});

const persona = 'Data scientist';
const journeyFile = 'exports-results-safely.journey.ts';
const journeyTitle = /^exports results safely/;

test('activation is timed in the output channel and does not load the TypeScript compiler', async ({
  workbench: { page, workspace },
}, testInfo) => {
  await expect(treeItem(page, new RegExp(`^${persona}`))).toBeVisible();
  await runCommand(page, 'Output: Show Output Channels...');
  await page.locator('.quick-input-widget input').fill('Journey Explorer');
  await page.keyboard.press('Enter');
  const output = page.locator('.part.panel .monaco-editor .view-lines');
  await expect(output).toContainText('[activation]');
  // The editor writes spaces as no-break spaces.
  const lines = (await output.locator('.view-line').allTextContents()).map((text) =>
    text.replace(/\u00a0/g, ' '),
  );
  const line = lines.find((text) => text.includes('[activation]'));
  testInfo.annotations.push({ type: 'activation', description: line ?? '' });
  // The 3.5 MB compiler waits for discovery: activation neither loads it nor waits for it.
  expect(line).toContain('TypeScript compiler not loaded yet');
  const discovered = lines.findIndex((text) => text.includes('[discovery]'));
  expect(discovered, 'activation returned before discovery ended').toBeGreaterThan(lines.indexOf(line ?? ''));
  // The bundle VS Code loads to activate is the extension without the compiler, which has its own.
  const installed = path.join(
    path.dirname(workspace),
    'extensions',
    'journeys.journey-explorer-0.1.0',
    'dist',
  );
  expect(statSync(path.join(installed, 'extension.cjs')).size).toBeLessThan(500_000);
  expect(statSync(path.join(installed, 'typescript.cjs')).size).toBeGreaterThan(3_000_000);
  await screenshot(page, testInfo, 'activation');
});

/** The titles a journey's source gives its steps: `test.step('…')` in it, `task('…')` in the persona classes. */
function stepTitlesInSource(workspace: string): { steps: string[]; tasks: Set<string> } {
  const source = readFileSync(path.join(workspace, 'journeys', 'data-scientist', journeyFile), 'utf8');
  const steps = [...source.matchAll(/test\.step\(\s*'([^']+)'/g)].map((match) => match[1] ?? '');
  const tasks = new Set<string>();
  for (const file of readdirSync(path.join(workspace, 'fixtures', 'personas'))) {
    const persona = readFileSync(path.join(workspace, 'fixtures', 'personas', file), 'utf8');
    for (const match of persona.matchAll(/\btask\(\s*'([^']+)'/g)) tasks.add(match[1] ?? '');
  }
  return { steps, tasks };
}

/** The labels of the rows one level below `parent` in the Testing tree. */
async function childLabels(page: Page, parentLevel: number): Promise<string[]> {
  const rows = page.locator(`.test-explorer [role="treeitem"][aria-level="${parentLevel + 1}"]`);
  return (await rows.locator('.label').allInnerTexts()).map((label) => label.trim());
}

test('the tree shows the journey steps its source declares: tasks and test.step, nothing else', async ({
  workbench: { page, workspace },
}) => {
  const journey = await revealJourney(page, persona, journeyFile, journeyTitle);
  await expand(journey);
  const level = Number(await journey.getAttribute('aria-level'));
  const shown = await childLabels(page, level);
  const { steps, tasks } = stepTitlesInSource(workspace);
  expect(shown.filter((label) => !steps.includes(label) && !tasks.has(label))).toEqual([]);
  // Every test.step of the source is there, in order, after the persona's tasks it follows.
  expect(shown.filter((label) => steps.includes(label))).toEqual(steps);
  expect(shown).toEqual([
    'upload dataset',
    'compare algorithms',
    'export results',
    'export results',
    ...steps,
  ]);
});

/**
 * The second channel for "it ran, and where": the platform logs every request, one log per stack
 * start (`.journeys/logs/platform-<n>.log`), and the journey uploads exactly one dataset.
 */
function uploadsPerStack(workspace: string): Map<string, number> {
  const dir = path.join(workspace, '.journeys', 'logs');
  const uploads = new Map<string, number>();
  if (!existsSync(dir)) return uploads;
  for (const log of readdirSync(dir).filter((name) => /^platform-\d+\.log$/.test(name))) {
    const text = readFileSync(path.join(dir, log), 'utf8');
    uploads.set(
      log,
      text.split('\n').filter((line) => line.includes('"method":"POST","url":"/datasets"')).length,
    );
  }
  return uploads;
}

/**
 * The journey's last result as the run's Allure reporter wrote it (the project's config writes
 * one per journey per run): a channel beside the tree, which shows a result without saying which run.
 */
function lastResult(workspace: string): { start: number; stop: number; status: string } | undefined {
  const dir = path.join(workspace, 'allure-results');
  if (!existsSync(dir)) return undefined;
  const results = readdirSync(dir)
    .filter((name) => name.endsWith('-result.json'))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')))
    .filter((result) => journeyTitle.test(result.name));
  return results.sort((a, b) => b.start - a.start)[0];
}

/** Runs the journey from its row and waits for this run's result; returns the wall time in seconds. */
async function runToPass(
  workspace: string,
  journey: Locator,
  start: (journey: Locator) => Promise<void>,
): Promise<number> {
  const clicked = Date.now();
  await start(journey);
  await expect
    .poll(() => lastResult(workspace)?.start ?? 0, {
      timeout: 180_000,
      message: 'the run never started the journey',
    })
    .toBeGreaterThan(clicked);
  await expect(journey).toHaveAccessibleName(/\(Passed\)/);
  expect(lastResult(workspace)?.status).toBe('passed');
  return Math.round((Date.now() - clicked) / 100) / 10;
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

const runSeconds: Record<string, number> = {};

test('one journey runs alone from the tree, on an embedded stack the run starts', async ({
  workbench: { page, workspace },
}, testInfo) => {
  const journey = await revealJourney(page, persona, journeyFile, journeyTitle);
  const before = uploadsPerStack(workspace);
  runSeconds.cold = await runToPass(workspace, journey, (row) => runAction(row, 'Run Test'));
  testInfo.annotations.push({ type: 'cold run', description: `${runSeconds.cold} s from Run to Passed` });
  // Its neighbours did not run: the other files of the persona have no result.
  await expect(treeItem(page, /^finds-best-detector\.journey\.ts/)).toHaveAccessibleName(/\(Not yet run\)/);
  await expect(treeItem(page, /^Production deployer/)).toHaveAccessibleName(/\(Not yet run\)/);
  // One new platform (a stack started for this run, no warm one), which got this journey's one upload.
  const after = uploadsPerStack(workspace);
  const started = [...after].filter(([log]) => !before.has(log));
  expect(started.map(([, uploads]) => uploads)).toEqual([1]);
  expect(existsSync(path.join(workspace, '.journeys', 'stack.json')), 'no warm stack was started').toBe(
    false,
  );
  await screenshot(page, testInfo, 'cold-run');
});

/** The log of the warm stack's platform, as its file records it. */
function warmStackLog(workspace: string): string {
  const { platformLog } = JSON.parse(readFileSync(path.join(workspace, '.journeys', 'stack.json'), 'utf8'));
  return path.basename(platformLog);
}

test('the warm stack starts from the status bar and the next run reuses it', async ({
  workbench: { page, workspace },
}, testInfo) => {
  await page.getByRole('button', { name: /Stack: embedded · cold/ }).click();
  await expect(page.getByRole('button', { name: /Stack: embedded · warm/ })).toBeVisible({
    timeout: 120_000,
  });
  const warmLog = warmStackLog(workspace);
  await screenshot(page, testInfo, 'warm-stack');

  const journey = await revealJourney(page, persona, journeyFile, journeyTitle);
  const before = uploadsPerStack(workspace);
  runSeconds.warm = await runToPass(workspace, journey, (row) => runAction(row, 'Run Test'));
  testInfo.annotations.push({
    type: 'warm run',
    description: `${runSeconds.warm} s from Run to Passed (cold: ${runSeconds.cold} s); warm platform log ${warmLog}`,
  });
  // No stack was started for the run: the upload went to a platform that was already running.
  const after = uploadsPerStack(workspace);
  expect([...after.keys()]).toEqual([...before.keys()]);
  const grown = [...after].filter(([log, uploads]) => uploads !== before.get(log));
  expect(grown.map(([log, uploads]) => [log, uploads - (before.get(log) ?? 0)])).toEqual([[warmLog, 1]]);
});

/**
 * What the trace viewer's Metadata tab gives as the trace's start time, as a date, and the
 * viewer's address. Each Open trace serves the trace afresh, so `previous` tells the new viewer.
 */
async function traceStartTime(page: Page, previous?: string): Promise<{ url: string; start: Date }> {
  await expect
    .poll(async () => {
      const seen = await traceViewerUrlOrFrames(page);
      return seen === previous ? `still the previous viewer: ${seen}` : seen;
    })
    .toMatch(/^https?:\/\/.*trace\.zip/);
  const viewer = await traceViewerFrame(page);
  if (!viewer) throw new Error('the trace viewer frame went away');
  // The tab stays chosen from one trace to the next; its start time shows once the trace is loaded.
  await viewer.getByRole('tab', { name: 'Metadata' }).click();
  // The viewer writes it with the time zone's short name, e.g. "12/2/2026, 8:52:52 PM UTC".
  const startTime = viewer.locator('.call-line', { hasText: 'start time:' }).locator('.call-value');
  await expect(startTime).toBeVisible();
  const shown = (await startTime.textContent())?.trim() ?? '';
  const date = new Date(shown);
  if (Number.isNaN(date.getTime())) throw new Error(`the Metadata tab's start time "${shown}" is not a date`);
  return { url: viewer.url(), start: date };
}

/**
 * Chooses an entry of a tree item's context menu. A click that lands while the menu is still
 * opening leaves it open on a loaded machine: then the menu is opened again and the click retried.
 */
async function chooseFromItemMenu(page: Page, item: Locator, entry: string | RegExp): Promise<void> {
  const menuItem = page.getByRole('menuitem', { name: entry });
  await expect(async () => {
    if (!(await menuItem.isVisible())) await item.click({ button: 'right' });
    await menuItem.click({ timeout: 2_000 });
    await expect(menuItem).toBeHidden({ timeout: 2_000 });
  }).toPass();
}

async function runWithTrace(page: Page, journey: Locator): Promise<void> {
  await chooseFromItemMenu(page, journey, /Execute Using Profile/);
  await page
    .locator('.quick-input-list')
    .getByRole('option', { name: /Run with trace/ })
    .click();
}

async function openTrace(page: Page, journey: Locator): Promise<void> {
  await chooseFromItemMenu(page, journey, 'Open trace');
}

test('Open trace after a second run shows the second run', async ({
  workbench: { page, workspace },
}, testInfo) => {
  test.setTimeout(240_000);
  const journey = await revealJourney(page, persona, journeyFile, journeyTitle);
  await runToPass(workspace, journey, (row) => runWithTrace(page, row));
  await openTrace(page, journey);
  const { url, start: first } = await traceStartTime(page);
  const firstRun = lastResult(workspace);

  await runToPass(workspace, journey, (row) => runWithTrace(page, row));
  const secondRun = lastResult(workspace);
  await openTrace(page, journey);
  const { start: second } = await traceStartTime(page, url);
  testInfo.annotations.push({
    type: 'trace start times',
    description: `${first.toISOString()} then ${second.toISOString()}`,
  });
  await screenshot(page, testInfo, 'second-trace');
  // The viewer shows the trace of the run that just ended, not the first one's, by the clock.
  expect(second.getTime()).toBeGreaterThan(first.getTime());
  expect(second.getTime()).toBeGreaterThanOrEqual(Math.floor((secondRun?.start ?? 0) / 1000) * 1000 - 1000);
  expect(first.getTime()).toBeLessThanOrEqual(firstRun?.stop ?? 0);
});

test('continuous run on the journey re-runs it when its file is saved', async ({
  workbench: { page, workspace },
}, testInfo) => {
  const journey = await revealJourney(page, persona, journeyFile, journeyTitle);
  await journey.hover();
  test.setTimeout(240_000);
  await journey.getByRole('button', { name: /Continuous Run/ }).click();
  const before = lastResult(workspace)?.start ?? 0;
  // Keys go where the focus is: the tree, not the trace viewer's frame the last test left focused.
  await journey.click();
  await openFile(page, journeyFile);
  // An edit that changes nothing the journey does: a blank line at the end, saved.
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  const saved = Date.now();
  await page.keyboard.press('Control+S');
  await expect
    .poll(() => lastResult(workspace)?.start ?? 0, { timeout: 180_000, message: 'saving started no run' })
    .toBeGreaterThan(Math.max(before, saved));
  await expect(journey).toHaveAccessibleName(/\(Passed\)/);
  testInfo.annotations.push({
    type: 'continuous run',
    description: `the journey started ${((lastResult(workspace)?.start ?? 0) - saved) / 1000} s after the save`,
  });
  await screenshot(page, testInfo, 'continuous-run');
  await journey.hover();
  await journey.getByRole('button', { name: /Continuous Run/ }).click();
});

test('the warm stack stops from the status bar', async ({ workbench: { page, workspace } }) => {
  const stackFile = path.join(workspace, '.journeys', 'stack.json');
  const { pid } = JSON.parse(readFileSync(stackFile, 'utf8'));
  await page.getByRole('button', { name: /Stack: embedded · warm/ }).click();
  await expect(page.getByRole('button', { name: /Stack: embedded · cold/ })).toBeVisible({ timeout: 60_000 });
  expect(existsSync(stackFile)).toBe(false);
  // The stack:up process is gone, and with it the platform it kept running.
  expect(() => process.kill(pid, 0)).toThrow();
});
