import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolvePlaywrightCli } from '../src/run/playwrightCli.ts';
import { expect, runProfile, test } from './explorerFixtures.ts';
import { CancellationSource, type FakeTestRun } from './fake/testing.ts';

test('Debug launches the Playwright CLI with one worker, no timeout and no retries, and reports live', async ({
  controller,
  vscode,
  workspace,
}) => {
  const journey = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const run = await runProfile(controller, 'Debug', { include: [journey] });
  expect(run.renderResults()).toBe(`ships a model to production: passed
  deploy to staging: passed
  promote to production: passed
  production runs the promoted version: passed`);
  const [debug] = vscode.debugSessions;
  expect(debug?.session.configuration).toMatchObject({
    type: 'node',
    request: 'launch',
    program: resolvePlaywrightCli(workspace),
    cwd: workspace,
    autoAttachChildProcesses: true,
  });
  const args = debug?.session.configuration.args as string[];
  expect(args.slice(0, 4)).toEqual(['test', '--config', 'playwright.config.ts', '--test-list']);
  expect(args).toEqual(expect.arrayContaining(['--workers=1', '--timeout=0', '--retries=0']));
});

/**
 * Saves `text` into `file` until a run starts. The continuous run begins watching a moment after its
 * handler is called; a save before then is not one it could see, so the test saves again, as the
 * helper test below does.
 */
async function saveUntilARun(file: string, text: string, runs: readonly FakeTestRun[]): Promise<void> {
  await expect
    .poll(
      async () => {
        if (runs.length === 0) await writeFile(file, text);
        return runs.length;
      },
      { message: 'a save starts a run' },
    )
    .toBeGreaterThan(0);
}

test('continuous run re-runs the journeys of a file when it changes, until cancelled', async ({
  controller,
  workspace,
}) => {
  const persona = controller.find('Security analyst');
  const profile = controller.profiles.find((candidate) => candidate.label === 'Run');
  expect(profile?.supportsContinuousRun).toBe(true);
  const cancel = new CancellationSource();
  const runs: FakeTestRun[] = [];
  controller.onDidCreateRun((run) => runs.push(run));
  const watching = profile?.runHandler(
    { include: [persona], exclude: [], profile, continuous: true },
    cancel.token,
  );

  const file = path.join(workspace, 'journeys', 'security-analyst', 'triages-incident.journey.ts');
  const source = await readFile(file, 'utf8');
  await saveUntilARun(
    file,
    source.replace('nothing critical is left open', 'no critical alert is left open'),
    runs,
  );
  await runs[0]?.finished;
  const journey = controller.find(
    'Security analyst',
    'triages-incident.journey.ts',
    'triages a live incident',
  );
  expect(runs[0]?.stateOf(journey)?.kind).toBe('passed');
  expect(runs[0]?.renderResults()).toContain('  no critical alert is left open: passed');
  expect(
    runs[0]?.entries.some((entry) => entry.item.label.startsWith('counts alerts')),
    'only the changed file ran',
  ).toBe(false);

  cancel.cancel();
  await watching;
  const runsWhenCancelled = runs.length;
  await writeFile(file, source);
  await expect.poll(() => controller.renderTree(workspace)).toContain('nothing critical is left open');
  expect(runs.length, 'no run after cancelling').toBe(runsWhenCancelled);
});

test('continuous run on one file re-runs it when that file is saved', async ({ controller, workspace }) => {
  const fileItem = controller.find('Security analyst', 'triages-incident.journey.ts');
  const profile = controller.profiles.find((candidate) => candidate.label === 'Run');
  const cancel = new CancellationSource();
  const runs: FakeTestRun[] = [];
  controller.onDidCreateRun((run) => runs.push(run));
  const watching = profile?.runHandler(
    { include: [fileItem], exclude: [], profile, continuous: true },
    cancel.token,
  );
  const file = path.join(workspace, 'journeys', 'security-analyst', 'triages-incident.journey.ts');
  const source = await readFile(file, 'utf8');
  await saveUntilARun(
    file,
    source.replace('nothing critical is left open', 'no critical alert is left open'),
    runs,
  );
  await runs[0]?.finished;
  expect(runs[0]?.renderResults()).toContain('  no critical alert is left open: passed');
  cancel.cancel();
  await watching;
});

test('continuous run re-runs when a helper under journeys/<persona>/support/ changes', async ({
  controller,
  workspace,
}) => {
  const { mkdir } = await import('node:fs/promises');
  const support = path.join(workspace, 'journeys', 'security-analyst', 'support');
  await mkdir(support);
  await writeFile(path.join(support, 'severity.ts'), `export const critical = 'critical';\n`);
  const persona = controller.find('Security analyst');
  const profile = controller.profiles.find((candidate) => candidate.label === 'Run');
  const cancel = new CancellationSource();
  const runs: FakeTestRun[] = [];
  controller.onDidCreateRun((run) => runs.push(run));
  const watching = profile?.runHandler(
    { include: [persona], exclude: [], profile, continuous: true },
    cancel.token,
  );
  // The fake watches a new folder once it has seen it: save until a run answers.
  await expect
    .poll(
      async () => {
        await writeFile(
          path.join(support, 'severity.ts'),
          `export const critical = 'critical'; // ${Date.now()}\n`,
        );
        return runs.length;
      },
      { message: 'a helper change starts a run' },
    )
    .toBeGreaterThan(0);
  cancel.cancel();
  await watching;
});

test('a Debug whose Playwright ends before reporting errors the journey with what to do', async ({
  controller,
  vscode,
  workspace,
}) => {
  await writeFile(
    path.join(workspace, 'broken.config.ts'),
    `throw new Error('this config does not load');\n`,
  );
  vscode.setConfiguration('journeys.configPath', 'broken.config.ts');
  const journey = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const run = await runProfile(controller, 'Debug', { include: [journey] });
  const state = run.stateOf(journey);
  expect(state?.kind).toBe('errored');
  expect(state && 'messages' in state ? state.messages[0]?.message : undefined).toBe(
    'Playwright ended before reporting any journey: see the Debug Console for why, fix it, then debug again.',
  );
});
