import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, runProfile, test } from './explorerFixtures.ts';
import type { FakeTestRun } from './fake/testing.ts';

/** The labels of the journeys (not steps) that got a result in the run, sorted. */
function journeysThatRan(run: FakeTestRun): string[] {
  const labels = run.entries
    .filter((entry) => entry.kind !== 'enqueued' && entry.item.parent?.id.startsWith('file/'))
    .map((entry) => `${entry.item.label}: ${run.stateOf(entry.item)?.kind}`);
  return [...new Set(labels)].sort();
}

test('Run on one of three journeys a loop declares on one line runs that one only', async ({
  controller,
  workspace,
}) => {
  await writeFile(
    path.join(workspace, 'journeys', 'production-deployer', 'restarts.journey.ts'),
    `import { test } from '../../fixtures/index.ts';
for (const what of ['the platform', 'the broker', 'the database']) test(\`loses nothing when \${what} restarts\`, async () => {});
`,
  );
  await expect
    .poll(() => controller.renderTree(workspace))
    .toContain('loses nothing when the broker restarts');
  const broker = controller.find(
    'Production deployer',
    'restarts.journey.ts',
    'loses nothing when the broker restarts',
  );
  const run = await runProfile(controller, 'Run', { include: [broker] });
  expect(journeysThatRan(run)).toEqual(['loses nothing when the broker restarts: passed']);
});

test('a journey file whose name reads as a regular expression still runs', async ({
  controller,
  workspace,
}) => {
  await writeFile(
    path.join(workspace, 'journeys', 'security-analyst', 'rates+limits.journey.ts'),
    `import { test } from '../../fixtures/index.ts';\ntest('is held to its rate', async () => {});\n`,
  );
  await expect.poll(() => controller.renderTree(workspace)).toContain('rates+limits.journey.ts');
  const file = controller.find('Security analyst', 'rates+limits.journey.ts');
  const run = await runProfile(controller, 'Run', { include: [file] });
  expect(journeysThatRan(run)).toEqual(['is held to its rate: passed']);
});

test("a persona folder's profile runs the journeys of that folder, tagged or not", async ({
  controller,
  workspace,
}) => {
  await mkdir(path.join(workspace, 'journeys', 'platform'));
  await writeFile(
    path.join(workspace, 'journeys', 'platform', 'keeps-its-contract.journey.ts'),
    `import { test } from '../../fixtures/index.ts';\ntest('keeps its contract', async () => {});\n`,
  );
  await expect
    .poll(() => controller.profiles.map((profile) => profile.label))
    .toContain('Run platform journeys');
  const run = await runProfile(controller, 'Run platform journeys');
  expect(journeysThatRan(run)).toEqual(['keeps its contract: passed']);
});

test('"Journeys without a persona" runs the loose journeys only', async ({ controller, workspace }) => {
  await writeFile(
    path.join(workspace, 'journeys', 'answers-health.journey.ts'),
    `import { test } from '../fixtures/index.ts';\ntest('answers its health check', async () => {});\n`,
  );
  await expect.poll(() => controller.renderTree(workspace)).toContain('Journeys without a persona');
  const loose = controller.find('Journeys without a persona');
  const run = await runProfile(controller, 'Run', { include: [loose] });
  expect(journeysThatRan(run)).toEqual(['answers its health check: passed']);
});

test('test-list paths are relative to the config rootDir: its top-level testDir, else its folder', async () => {
  const { configRootDir, testListLine } = await import('../src/run/testList.ts');
  const dir = test.info().outputPath('configs');
  await mkdir(dir, { recursive: true });
  const write = async (name: string, text: string) => {
    await writeFile(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const withTestDir = await write(
    'a.config.ts',
    `export default defineConfig({ testDir: './journeys', projects: [] });`,
  );
  const withoutTestDir = await write(
    'b.config.ts',
    `export default defineConfig({ projects: [{ testDir: 'journeys' }] });`,
  );
  const computed = await write('c.config.ts', `export default defineConfig({ testDir: process.env.DIR });`);
  expect(configRootDir(withTestDir)).toBe(path.join(dir, 'journeys'));
  expect(configRootDir(withoutTestDir)).toBe(dir);
  expect(() => configRootDir(computed)).toThrow(
    'c.config.ts computes its top-level testDir, so Journey Explorer cannot tell which journeys a run names: write testDir as a string literal (or move it into the projects).',
  );
  const file = path.join(dir, 'journeys', 'deployer', 'ships.journey.ts');
  expect(testListLine(dir, file, ['Ships', 'to production'], 2)).toBe(
    'journeys/deployer/ships.journey.ts \u203a Ships \u203a to production',
  );
  // A computed title cannot be named: its describe is, so the journey still runs.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a computed title, as the source spells it.
  expect(testListLine(dir, file, ['Ships', 'to ${where}'], 1)).toBe(
    'journeys/deployer/ships.journey.ts \u203a Ships',
  );
});

test('journeys.project runs the journey in that project only', async ({ controller, vscode, workspace }) => {
  await writeFile(
    path.join(workspace, 'two-projects.config.ts'),
    `import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: './journeys',
  testMatch: '**/*.journey.ts',
  outputDir: './test-results',
  projects: [{ name: 'fast' }, { name: 'thorough' }],
});
`,
  );
  vscode.setConfiguration('journeys.configPath', 'two-projects.config.ts');
  const ships = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const starts = (run: FakeTestRun) =>
    run.entries.filter((entry) => entry.kind === 'started' && entry.item.id === ships.id).length;
  expect(starts(await runProfile(controller, 'Run', { include: [ships] })), 'once per project').toBe(2);
  vscode.setConfiguration('journeys.project', 'fast');
  expect(starts(await runProfile(controller, 'Run', { include: [ships] })), 'in "fast" only').toBe(1);
});
