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
  expect(args.slice(0, 4)).toEqual([
    'test',
    '--config',
    'playwright.config.ts',
    'journeys/production-deployer/ships-model.journey.ts:3',
  ]);
  expect(args).toEqual(expect.arrayContaining(['--workers=1', '--timeout=0', '--retries=0']));
});

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
  await writeFile(file, source.replace('nothing critical is left open', 'no critical alert is left open'));
  await expect.poll(() => runs.length).toBeGreaterThan(0);
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
