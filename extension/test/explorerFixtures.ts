import { cp } from 'node:fs/promises';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { ServedSuites } from '../src/activation.ts';
import type { JourneyExplorer } from '../src/journeyExplorer.ts';
import type { TestItem } from '../src/vscodeApi.ts';
import { FakeVSCode } from './fake/fakeVscode.ts';
import { CancellationSource, type FakeTestController, type FakeTestRun } from './fake/testing.ts';

export const extensionDir = path.resolve(import.meta.dirname, '..');
export const fixtureWorkspace = path.join(extensionDir, 'test', 'fixture-workspace');

const activeExplorers = new WeakMap<FakeVSCode, JourneyExplorer>();

interface ExplorerFixtures {
  /** A fresh copy of the fixture workspace: runs write test results and traces into it. */
  workspace: string;
  /** Settings (`journeys.*`) the fake editor starts with. */
  settings: Record<string, unknown>;
  vscode: FakeVSCode;
  explorer: JourneyExplorer;
  controller: FakeTestController;
}

export const test = base.extend<ExplorerFixtures>({
  settings: [{}, { option: true }],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name their dependencies by destructuring.
  workspace: async ({}, use, testInfo) => {
    // Inside the extension's own test-results, so the copy resolves @playwright/test like the original.
    const dir = testInfo.outputPath('workspace');
    await cp(fixtureWorkspace, dir, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}test-results`),
    });
    await use(dir);
  },
  vscode: async ({ workspace, settings }, use) => {
    const vscode = new FakeVSCode([workspace], settings);
    // Activated on opening, as VS Code does for a workspace with journeys.
    const served = new ServedSuites(vscode, extensionDir);
    const explorer = served.explorers[0];
    if (!explorer)
      throw new Error(`The explorer serves no suite in ${workspace}: ${vscode.errors.join(' ')}`);
    await served.ready;
    activeExplorers.set(vscode, explorer);
    await use(vscode);
    served.dispose();
    vscode.dispose();
  },
  explorer: async ({ vscode }, use) => {
    const explorer = activeExplorers.get(vscode);
    if (!explorer) throw new Error('The explorer did not start');
    await use(explorer);
  },
  controller: async ({ vscode }, use) => {
    await use(vscode.controller);
  },
});

export { expect };

/**
 * The item at `labels` once discovery has put it in the tree. A new journey file's node can appear
 * before its tests do (the file is listed, then read), so waiting for the file alone is not enough.
 */
export async function discovered(controller: FakeTestController, ...labels: string[]): Promise<TestItem> {
  let item: TestItem | undefined;
  await expect
    .poll(
      () => {
        try {
          item = controller.find(...labels);
          return true;
        } catch {
          return false;
        }
      },
      { message: `the tree shows ${labels.join(' › ')}` },
    )
    .toBe(true);
  return item as TestItem;
}

/** Runs a profile as the Testing view does and resolves with the finished run. */
export async function runProfile(
  controller: FakeTestController,
  label: string,
  options: { include?: TestItem[]; exclude?: TestItem[]; cancel?: CancellationSource } = {},
): Promise<FakeTestRun> {
  const profile = controller.profiles.find((candidate) => candidate.label === label);
  if (!profile)
    throw new Error(`No profile "${label}": ${controller.profiles.map((p) => p.label).join(', ')}`);
  const runsBefore = controller.runs.length;
  const cancel = options.cancel ?? new CancellationSource();
  await profile.runHandler(
    { include: options.include, exclude: options.exclude, profile, continuous: false },
    cancel.token,
  );
  const run = controller.runs[runsBefore];
  if (!run) throw new Error(`The "${label}" profile created no run`);
  expect(run.ended, 'the run ended').toBe(true);
  return run;
}
