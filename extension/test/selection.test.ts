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
