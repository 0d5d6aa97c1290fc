import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { discovered, expect, test } from './explorerFixtures.ts';
import { CancellationSource, type FakeTestRun } from './fake/testing.ts';

test('while a journey runs, its tasks and steps turn running and passed as they happen', async ({
  controller,
  workspace,
}) => {
  const dir = path.join(workspace, 'journeys', 'data-scientist');
  await writeFile(
    path.join(dir, 'waits-midway.journey.ts'),
    `import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from '../../fixtures/index.ts';

test('waits midway', async ({ dataScientist }) => {
  const dataset = await dataScientist.uploadDataset([{ value: 3.1, anomaly: true }]);
  await test.step('the cue arrives', async () => {
    const cue = path.join(path.dirname(test.info().file), 'cue');
    while (!existsSync(cue)) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  await dataScientist.compareAlgorithms(dataset, ['naive']);
});
`,
  );
  const journey = await discovered(controller, 'Data scientist', 'waits-midway.journey.ts', 'waits midway');
  const profile = controller.profiles.find((candidate) => candidate.label === 'Run');
  if (!profile) throw new Error('no Run profile');
  const before = controller.runs.length;
  const done = profile.runHandler(
    { include: [journey], exclude: [], profile, continuous: false },
    new CancellationSource().token,
  );
  const run = (): FakeTestRun | undefined => controller.runs[before];
  const states = () => {
    const current = run();
    return current ? current.renderResults() : '';
  };

  // Midway: the task that ran passed, the step it waits in is running, the next task has not begun.
  await expect.poll(states).toBe(`waits midway: started
  upload dataset: passed
  the cue arrives: started`);
  await writeFile(path.join(dir, 'cue'), '');
  await done;
  expect(states()).toBe(`waits midway: passed
  upload dataset: passed
  the cue arrives: passed
  compare algorithms: passed`);
});
