import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestItem } from '../src/vscodeApi.ts';
import { discovered, expect, runProfile, test } from './explorerFixtures.ts';
import { CancellationSource, type FakeTestController, type FakeTestRun } from './fake/testing.ts';

/**
 * A journey that waits for its cue file, so a test can act while it runs. With `child`, it first
 * starts a process that ignores SIGINT and SIGTERM (as a hung service would) and writes its pid.
 */
async function addWaitingJourney(workspace: string, options: { child?: boolean } = {}): Promise<string> {
  const file = path.join(workspace, 'journeys', 'security-analyst', 'waits.journey.ts');
  await writeFile(
    file,
    `import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from '../../fixtures/index.ts';

test('waits for its cue', async () => {
  const dir = path.dirname(test.info().file);
  if (${options.child === true}) {
    const child = spawn(process.execPath, ['-e', "process.on('SIGINT', () => {}); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'child.pid'), String(child.pid));
  }
  await test.step('the cue arrives', async () => {
    while (!existsSync(path.join(dir, 'cue'))) await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
`,
  );
  return file;
}

function startRun(
  controller: FakeTestController,
  label: string,
  include: TestItem[],
  cancel = new CancellationSource(),
): { done: Promise<unknown>; run: () => FakeTestRun | undefined } {
  const profile = controller.profiles.find((candidate) => candidate.label === label);
  if (!profile) throw new Error(`No profile ${label}`);
  const before = controller.runs.length;
  const done = Promise.resolve(
    profile.runHandler({ include, exclude: [], profile, continuous: false }, cancel.token),
  );
  return { done, run: () => controller.runs[before] };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('an edit saved during a run leaves every result as the run reported it', async ({
  controller,
  workspace,
  vscode,
}) => {
  const file = await addWaitingJourney(workspace);
  // A second journey in the file, which begins only after the edit (one worker, in file order).
  await writeFile(
    file,
    `${await readFile(file, 'utf8')}\ntest('carries on after its cue', async () => {});\n`,
  );
  vscode.setConfiguration('journeys.workers', 1);
  await expect.poll(() => controller.renderTree(workspace)).toContain('carries on after its cue');
  const fileItem = controller.find('Security analyst', 'waits.journey.ts');
  const { done, run } = startRun(controller, 'Run', [fileItem]);
  await expect.poll(() => run()?.entries.some((entry) => entry.kind === 'started')).toBe(true);

  await writeFile(file, (await readFile(file, 'utf8')).replace('the cue arrives', 'the cue comes'));
  await expect.poll(() => controller.renderTree(workspace)).toContain('the cue comes');
  await writeFile(path.join(path.dirname(file), 'cue'), '');
  await done;
  const carriesOn = controller.find('Security analyst', 'waits.journey.ts', 'carries on after its cue');
  expect(run()?.stateOf(carriesOn)?.kind).toBe('passed');
});

test('a second run waits for the first, and says so', async ({ controller, workspace, vscode }) => {
  const file = await addWaitingJourney(workspace);
  await expect.poll(() => controller.renderTree(workspace)).toContain('waits for its cue');
  const waiting = controller.find('Security analyst', 'waits.journey.ts', 'waits for its cue');
  const ships = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const first = startRun(controller, 'Run', [waiting]);
  await expect.poll(() => first.run()?.entries.some((entry) => entry.kind === 'started')).toBe(true);
  const second = startRun(controller, 'Run', [ships]);
  await expect
    .poll(() =>
      second
        .run()
        ?.output.map((chunk) => chunk.text)
        .join(''),
    )
    .toContain('Another journey run is in progress: this one starts when it ends');
  expect(vscode.informationMessages).toEqual([
    'Journey Explorer runs one run at a time: this one is queued and starts when the current run ends.',
  ]);

  await writeFile(path.join(path.dirname(file), 'cue'), '');
  await Promise.all([first.done, second.done]);
  const firstEnded = first.run()?.endedAt ?? Number.POSITIVE_INFINITY;
  const secondStarted = second.run()?.entries.find((entry) => entry.kind === 'started')?.at ?? 0;
  expect(secondStarted, 'the second run started after the first ended').toBeGreaterThan(firstEnded);
  expect(second.run()?.stateOf(ships)?.kind).toBe('passed');
});

test('cancelling a run stops what its journeys started, after a grace period', async ({
  controller,
  workspace,
}) => {
  const file = await addWaitingJourney(workspace, { child: true });
  await expect.poll(() => controller.renderTree(workspace)).toContain('waits for its cue');
  const journey = controller.find('Security analyst', 'waits.journey.ts', 'waits for its cue');
  const cancel = new CancellationSource();
  const { done } = startRun(controller, 'Run', [journey], cancel);
  const pidFile = path.join(path.dirname(file), 'child.pid');
  await expect.poll(() => existsSync(pidFile)).toBe(true);
  const pid = Number(await readFile(pidFile, 'utf8'));
  expect(isAlive(pid)).toBe(true);
  cancel.cancel();
  await done;
  try {
    await expect.poll(() => isAlive(pid), { message: 'the journey’s child still runs' }).toBe(false);
  } finally {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test("a journey's output reaches the run once", async ({ controller, workspace }) => {
  await writeFile(
    path.join(workspace, 'journeys', 'security-analyst', 'talks.journey.ts'),
    `import { test } from '../../fixtures/index.ts';\ntest('talks', async () => { console.log('seed 4242 in use'); });\n`,
  );
  const journey = await discovered(controller, 'Security analyst', 'talks.journey.ts', 'talks');
  const run = await runProfile(controller, 'Run', { include: [journey] });
  const everything = run.output.map((chunk) => chunk.text).join('');
  expect(everything.split('seed 4242 in use').length - 1).toBe(1);
});

test('a queued run cancelled while it waits ends at once', async ({ controller, workspace }) => {
  const file = await addWaitingJourney(workspace);
  await expect.poll(() => controller.renderTree(workspace)).toContain('waits for its cue');
  const waiting = controller.find('Security analyst', 'waits.journey.ts', 'waits for its cue');
  const ships = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const first = startRun(controller, 'Run', [waiting]);
  await expect.poll(() => first.run()?.entries.some((entry) => entry.kind === 'started')).toBe(true);
  const cancel = new CancellationSource();
  const second = startRun(controller, 'Run', [ships], cancel);
  cancel.cancel();
  await expect.poll(() => second.run()?.ended, { message: 'the cancelled queued run ended' }).toBe(true);
  expect(first.run()?.ended, 'the first run still goes').toBe(false);
  await writeFile(path.join(path.dirname(file), 'cue'), '');
  await Promise.all([first.done, second.done]);
  expect(second.run()?.entries).toEqual([]);
});
