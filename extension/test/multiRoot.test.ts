import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ServedSuites } from '../src/activation.ts';
import { findJourneySuites } from '../src/journeySuites.ts';
import { extensionDir, fixtureWorkspace, runProfile } from './explorerFixtures.ts';
import { FakeVSCode } from './fake/fakeVscode.ts';
import type { FakeTestController } from './fake/testing.ts';

/** A copy of the fixture suite at `relative` in this test's output (inside the extension, so it resolves @playwright/test). */
async function suiteAt(relative: string): Promise<string> {
  const dir = test.info().outputPath(relative);
  await cp(fixtureWorkspace, dir, { recursive: true, filter: (source) => !source.includes('test-results') });
  return dir;
}

const brokenJourney = [
  'Security analyst',
  'counts-alerts.journey.ts',
  'counts alerts by severity (deliberately broken)',
];
const passingJourney = [
  'Data scientist',
  'finds-best-detector.journey.ts',
  'finds the best detector for a new sensor dataset',
];

let editor: FakeVSCode | undefined;
let served: ServedSuites | undefined;

/** Activates the extension in `workspace` and returns the labels of the trees it shows once served. */
async function serveTrees(workspace: FakeVSCode): Promise<string[]> {
  editor = workspace;
  served = new ServedSuites(workspace, extensionDir);
  await served.ready;
  return workspace.controllers.map((controller) => controller.label);
}
test.afterEach(() => {
  served?.dispose();
  editor?.dispose();
  served = undefined;
});

/** Runs the broken journey in that tree and returns the file its failure points at. */
async function failureFileOf(controller: FakeTestController): Promise<string | undefined> {
  const journey = controller.find(...brokenJourney);
  const run = await runProfile(controller, 'Run', { include: [journey] });
  const failure = run.stateOf(journey);
  if (failure?.kind !== 'failed') throw new Error(`the broken journey was ${failure?.kind}, not failed`);
  return failure.messages[0]?.location?.uri.fsPath;
}

test('a multi-root workspace gets a tree per suite, and runs, traces and the stack item of each stay in its folder', async () => {
  const shop = await suiteAt('shop');
  const billing = await suiteAt('billing');
  const workspace = new FakeVSCode([shop, billing]);
  expect(await serveTrees(workspace)).toEqual(['Journeys: shop', 'Journeys: billing']);
  const second = workspace.controllers[1] as FakeTestController;
  await expect.poll(() => second.renderTree(billing)).toContain('finds-best-detector.journey.ts');

  // The second tree's journeys run in the second folder: the failure points at its file.
  expect(await failureFileOf(second)).toBe(
    path.join(billing, 'journeys', 'security-analyst', 'counts-alerts.journey.ts'),
  );
  const passing = second.find(...passingJourney);
  expect((await runProfile(second, 'Run', { include: [passing] })).stateOf(passing)?.kind).toBe('passed');

  // Open trace on the second tree's failure is served by the second folder's explorer, which has it.
  const url = await workspace.runCommand('journeys.openTrace', second.find(...brokenJourney));
  expect(workspace.errors).toEqual([]);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

  // Each folder's status bar items say whose they are.
  const texts = workspace.statusBarItems.filter((item) => item.visible).map((item) => item.text);
  expect(texts.filter((text) => text.includes('Stack')).sort()).toEqual([
    '$(server) Stack (billing): embedded · cold',
    '$(server) Stack (shop): embedded · cold',
  ]);
});

test('journeys.configPath set for one folder serves the suite in its subfolder: discovered, run and reported from there', async () => {
  const shop = await suiteAt('shop');
  const monorepo = test.info().outputPath('monorepo');
  await mkdir(path.join(monorepo, 'docs'), { recursive: true });
  const e2e = await suiteAt(path.join('monorepo', 'e2e'));
  const workspace = new FakeVSCode(
    [shop, monorepo],
    {},
    { [monorepo]: { 'journeys.configPath': 'e2e/playwright.config.ts' } },
  );
  expect(await serveTrees(workspace)).toEqual(['Journeys: shop', 'Journeys: monorepo']);
  const tree = workspace.controllers[1] as FakeTestController;
  await expect
    .poll(() => tree.renderTree(monorepo))
    .toContain('e2e/journeys/data-scientist/finds-best-detector.journey.ts');
  expect(await failureFileOf(tree)).toBe(
    path.join(e2e, 'journeys', 'security-analyst', 'counts-alerts.journey.ts'),
  );
});

test('a folder whose journeys.configPath names no file is not served, and the other folders still are', async () => {
  const shop = await suiteAt('shop');
  const billing = await suiteAt('billing');
  const workspace = new FakeVSCode(
    [shop, billing],
    {},
    { [billing]: { 'journeys.configPath': 'e2e/playwright.config.ts' } },
  );
  expect(await serveTrees(workspace)).toEqual(['Journeys']);
  expect(workspace.errors).toEqual([
    "journeys.configPath in billing names e2e/playwright.config.ts, which does not exist there: set it to the suite's Playwright config, relative to the folder.",
  ]);
  expect(workspace.controller.renderTree(shop)).toContain('finds-best-detector.journey.ts');
});

test('discovery finds the suite beside the config journeys.configPath names, whichever folder holds it', async () => {
  const repository = test.info().outputPath('repository');
  await suiteAt(path.join('repository', 'e2e'));
  const notes = test.info().outputPath('notes');
  await mkdir(notes, { recursive: true });
  editor = new FakeVSCode([notes, repository], { 'journeys.configPath': 'e2e/playwright.config.ts' });
  const { suites, problems } = findJourneySuites(editor);
  expect(suites.map((suite) => [suite.folder.name, suite.root, suite.journeysDir, suite.title])).toEqual([
    ['repository', path.join(repository, 'e2e'), path.join(repository, 'e2e', 'journeys'), undefined],
  ]);
  expect(problems).toEqual([
    "journeys.configPath in notes names e2e/playwright.config.ts, which does not exist there: set it to the suite's Playwright config, relative to the folder.",
  ]);
});

test('a change of journeys.configPath serves the suite it now names', async () => {
  const repository = test.info().outputPath('repository');
  const e2e = await suiteAt(path.join('repository', 'e2e'));
  editor = new FakeVSCode([repository]);
  served = new ServedSuites(editor, extensionDir);
  expect(served.explorers).toEqual([]);
  editor.setConfiguration('journeys.configPath', 'e2e/playwright.config.ts');
  expect(served.explorers.map((explorer) => explorer.suite.root)).toEqual([e2e]);
  await served.ready;
  expect(editor.controller.renderTree(repository)).toContain(
    'e2e/journeys/data-scientist/finds-best-detector.journey.ts',
  );
});

test('a folder added to the workspace with a suite is served beside the first', async () => {
  const shop = await suiteAt('shop');
  const billing = await suiteAt('billing');
  editor = new FakeVSCode([shop]);
  served = new ServedSuites(editor, extensionDir);
  expect(editor.controllers.map((controller) => controller.label)).toEqual(['Journeys']);
  editor.addWorkspaceFolder(billing);
  await served.ready;
  const live = editor.controllers.filter((controller) => !controller.disposed);
  expect(live.map((controller) => controller.label)).toEqual(['Journeys: shop', 'Journeys: billing']);
  await expect.poll(() => live[1]?.renderTree(billing)).toContain('finds-best-detector.journey.ts');
});
