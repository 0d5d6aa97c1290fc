import path from 'node:path';
import { traceMessageContext } from '../src/run/failureMessage.ts';
import { testsWithTraceContextKey } from '../src/trace/traceStore.ts';
import type { TestItem } from '../src/vscodeApi.ts';
import { discovered, expect, runProfile, test } from './explorerFixtures.ts';

test('runs one journey and shows it and each of its steps passed, live and in order', async ({
  controller,
}) => {
  const journey = controller.find(
    'Data scientist',
    'finds-best-detector.journey.ts',
    'finds the best detector for a new sensor dataset',
  );
  const run = await runProfile(controller, 'Run', { include: [journey] });
  expect(run.renderResults()).toBe(`finds the best detector for a new sensor dataset: passed
  upload dataset: passed
  the profile shows every row: passed
  compare algorithms: passed
  the leaderboard ranks by F1: passed`);
  const kinds = run.entries.filter((entry) => entry.item === journey).map((entry) => entry.kind);
  expect(kinds).toEqual(['enqueued', 'started', 'passed']);
  const passed = run.stateOf(journey);
  expect(passed?.duration).toBeGreaterThanOrEqual(0);
});

test('a failing journey fails at the assertion line, with the stack and an expected/actual diff', async ({
  controller,
  workspace,
  vscode,
}) => {
  const journey = controller.find(
    'Security analyst',
    'counts-alerts.journey.ts',
    'counts alerts by severity (deliberately broken)',
  );
  const run = await runProfile(controller, 'Run', { include: [journey] });
  expect(run.renderResults()).toBe(`counts alerts by severity (deliberately broken): failed
  open live feed: passed
  the summary counts each severity: failed`);
  const failure = run.stateOf(journey);
  if (failure?.kind !== 'failed') throw new Error('the journey did not fail');
  const [message] = failure.messages;
  const file = path.join(workspace, 'journeys', 'security-analyst', 'counts-alerts.journey.ts');
  expect(message?.location?.uri.fsPath).toBe(file);
  expect(message?.location?.range.start).toMatchObject({ line: 10, character: 20 });
  expect(message?.message).toContain('expect(received).toEqual(expected)');
  expect(message?.message).not.toContain('\u001b[');
  expect(message?.expectedOutput).toBe('Object {\n  "critical": 2,\n  "warning": 1,\n}');
  expect(message?.actualOutput).toBe('Object {\n  "critical": 3,\n  "warning": 1,\n}');
  expect(message?.stackTrace?.[0]).toMatchObject({
    uri: { fsPath: file },
    position: { line: 10, character: 20 },
  });
  expect(message?.contextValue, 'the message offers Open trace').toBe(traceMessageContext);
  expect(vscode.contextKeys.get(testsWithTraceContextKey)).toEqual([journey.id]);
});

test('a journey that passes on retry is shown passed and marked flaky, with the failed attempt in its output', async ({
  controller,
}) => {
  const journey = controller.find(
    'Production deployer',
    'flaky-promotion.journey.ts',
    'promotes on the second attempt (deliberately flaky)',
  );
  const run = await runProfile(controller, 'Run', { include: [journey] });
  expect(run.stateOf(journey)?.kind).toBe('passed');
  expect(journey.description).toBe('flaky');
  const output = run.outputOf(journey);
  expect(output).toContain('Attempt 1 failed; Playwright retries it.');
  expect(output).toContain('the first attempt fails on purpose');
  expect(output).toContain('Flaky: passed on retry #1 after failing.');
  expect(run.output.find((chunk) => chunk.test === journey)?.location?.range.start.line).toBe(5);
});

test('running a persona runs its journeys and honours excluded items', async ({ controller }) => {
  const persona = controller.find('Data scientist');
  const excluded = controller.find(
    'Data scientist',
    'broken-dataset.journey.ts',
    'keeps an empty upload empty',
  );
  const run = await runProfile(controller, 'Run', { include: [persona], exclude: [excluded] });
  const journeys = run.entries.filter((entry) => entry.kind === 'passed' && isJourney(entry.item));
  expect(journeys.map((entry) => entry.item.label).sort()).toEqual([
    'counts only the rows it was given',
    'finds the best detector for a new sensor dataset',
  ]);
  expect(run.entries.some((entry) => entry.item === excluded)).toBe(false);
});

test('the @smoke profile runs only smoke journeys, the persona profile only that persona', async ({
  controller,
}) => {
  const smoke = await runProfile(controller, 'Run @smoke journeys');
  const passedJourneys = (run: typeof smoke) =>
    run.entries
      .filter((entry) => entry.kind === 'passed' && isJourney(entry.item))
      .map((entry) => entry.item.label)
      .sort();
  expect(passedJourneys(smoke)).toEqual([
    'finds the best detector for a new sensor dataset',
    'ships a model to production',
    'triages a live incident',
  ]);
  const deployer = await runProfile(controller, 'Run production deployer journeys');
  expect(passedJourneys(deployer)).toEqual([
    'promotes on the second attempt (deliberately flaky)',
    'ships a model to production',
  ]);
});

test('output a journey prints goes to that journey', async ({ controller, workspace }) => {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    path.join(workspace, 'journeys', 'security-analyst', 'talks.journey.ts'),
    `import { test } from '../../fixtures/index.ts';\ntest('talks', async () => { console.log('seed 4242 in use'); });\n`,
  );
  const journey = await discovered(controller, 'Security analyst', 'talks.journey.ts', 'talks');
  const run = await runProfile(controller, 'Run', { include: [journey] });
  expect(run.outputOf(journey)).toContain('seed 4242 in use\r\n');
});

test('steps the run took that discovery could not see join the tree; computed placeholders give way', async ({
  controller,
  workspace,
}) => {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    path.join(workspace, 'journeys', 'security-analyst', 'loops.journey.ts'),
    `import { test } from '../../fixtures/index.ts';
test('checks each region', async () => {
  for (const region of ['eu', 'us']) {
    await test.step(\`region \${region} answers\`, async () => {});
  }
});
`,
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder shows the title as the source spells it.
  await expect.poll(() => controller.renderTree(workspace)).toContain('region ${region} answers');
  const journey = controller.find('Security analyst', 'loops.journey.ts', 'checks each region');
  await runProfile(controller, 'Run', { include: [journey] });
  expect(journey.children.sorted().map((step) => step.label)).toEqual([
    'region eu answers',
    'region us answers',
  ]);
});

test('a config that does not exist errors the journeys with what to do', async ({ controller, vscode }) => {
  vscode.setConfiguration('journeys.configPath', 'missing.config.ts');
  const journey = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const run = await runProfile(controller, 'Run', { include: [journey] });
  const state = run.stateOf(journey);
  if (state?.kind !== 'errored') throw new Error(`expected an error, got ${state?.kind}`);
  expect(state.messages[0]?.message).toBe(
    `The Playwright config missing.config.ts does not exist in ${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath}: set journeys.configPath to the config the journeys use.`,
  );
});

test('a bad setting is reported in one sentence and the default is used', async ({ controller, vscode }) => {
  vscode.setConfiguration('journeys.workers', 0);
  const journey = controller.find(
    'Production deployer',
    'ships-model.journey.ts',
    'ships a model to production',
  );
  const run = await runProfile(controller, 'Run', { include: [journey] });
  expect(run.stateOf(journey)?.kind).toBe('passed');
  expect(vscode.errors).toEqual([
    "journeys.workers is 0: set a whole number of at least 1, or clear it to use the config's.",
  ]);
});

/** A journey item: its parent is a file, not a journey or step. */
function isJourney(item: TestItem): boolean {
  return item.id.startsWith('journey/') && !item.parent?.id.startsWith('journey/');
}
