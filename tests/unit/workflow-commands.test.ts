import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { repoRoot } from '../../fixtures/stack/paths.ts';
import { checkRunStep } from './workflow-check.ts';
import { type RunStep, runSteps } from './workflow-runs.ts';
import { splitCommands } from './workflow-shell.ts';

// The workflow users copy: nothing else runs it, so these tests are what keeps it from rotting.
const workflowFile = path.join(repoRoot, '.github', 'workflows', 'e2e.yml');
const workflowText = readFileSync(workflowFile, 'utf8');
const workflowSteps = runSteps(workflowText);

// One test per step, over all its matrix combinations, so a red test names the step in the report.
const stepsByTitle = new Map<string, RunStep[]>();
for (const run of workflowSteps) {
  const title = `${run.job} › ${run.step}`;
  stepsByTitle.set(title, [...(stepsByTitle.get(title) ?? []), run]);
}

test('every job of the workflow has run: steps to check', () => {
  const jobs = Object.keys((parse(workflowText) as { jobs: Record<string, unknown> }).jobs);
  expect(jobs.length).toBeGreaterThan(0);
  expect(new Set(workflowSteps.map((run) => run.job))).toEqual(new Set(jobs));
});

for (const [title, runs] of stepsByTitle) {
  test(`e2e.yml ${title}: every command it calls exists`, async () => {
    // The journeys step lists each of its six matrix combinations, each loading every journey.
    test.setTimeout(120_000);
    const problems = (await Promise.all(runs.map((run) => checkRunStep(run, repoRoot)))).flat();
    expect(problems, problems.join('\n')).toEqual([]);
  });
}

test('a step naming a missing script, project, program or tag fails, naming the job and the step', async () => {
  const steps = runSteps(`
jobs:
  checks:
    steps:
      - run: npm ci && npm run no-such-script
      - name: Unit tests
        run: npx playwright test -c playwright.unit.config.ts --project=no-such-project
      - name: Fetch a tool
        run: curl -sSf "$URL" --output tool.sh
      - name: Branch
        run: echo \${{ github.ref }}
  journeys:
    strategy:
      matrix:
        shard: [1, 2]
    env:
      # Checked as the config loads: the check must give it a value shaped like GitHub's.
      E2E_RUN_ID: gh-\${{ github.run_id }}-\${{ github.run_attempt }}
    steps:
      - name: Journeys
        run: npm run e2e -- --shard=\${{ matrix.shard }}/2 --grep @no-such-tag --reporter=blob,no-such-reporter
      - name: One journey in two shards
        run: npm run e2e -- --shard=\${{ matrix.shard }}/2 --grep "finds the best detector"
  secret:
    steps:
      - name: Signed
        run: npm run lint
        env:
          TOKEN: \${{ secrets.TOKEN }}
`);
  const problems = (await Promise.all(steps.map((run) => checkRunStep(run, repoRoot)))).flat();
  expect(problems).toEqual([
    expect.stringMatching(
      /^job "checks", step "Run npm ci && npm run no-such-script": npm run no-such-script: package\.json has no script "no-such-script" \(it has build, test, /,
    ),
    `job "checks", step "Unit tests": playwright test -c playwright.unit.config.ts --project=no-such-project lists no test: Error: Project(s) "no-such-project" not found. Available projects: "unit"`,
    expect.stringMatching(
      /^job "checks", step "Fetch a tool": "curl -sSf \$URL --output tool\.sh" calls curl, which is not npm, npx nor one of the allowed programs in tests\/unit\/workflow-check\.ts: fix the step, or add curl there if the runner has it$/,
    ),
    expect.stringMatching(/^job "checks", step "Branch": its script uses \$\{\{ github\.ref \}\}, which/),
    'job "journeys", step "Journeys" (shard=1): npm run e2e → playwright test --grep @e2e --shard=1/2 --grep @no-such-tag --reporter=blob,no-such-reporter: reporter no-such-reporter is neither built into Playwright nor installed',
    'job "journeys", step "Journeys" (shard=2): npm run e2e → playwright test --grep @e2e --shard=2/2 --grep @no-such-tag --reporter=blob,no-such-reporter: reporter no-such-reporter is neither built into Playwright nor installed',
    // Shard 1 of 2 has the journey; shard 2 has nothing to run.
    `job "journeys", step "One journey in two shards" (shard=2): npm run e2e → playwright test --grep @e2e --shard=2/2 --grep 'finds the best detector' lists no test: Playwright found 0 tests for these options`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub's expression syntax, quoted in the message
    'job "secret", step "Signed": its env uses ${{ secrets.TOKEN }}, for which the workflow check has no stand-in value: add one to contextStandIns in tests/unit/workflow-runs.ts',
  ]);
});

test('run: scripts split into the commands they call, those inside $(…) included', () => {
  const script = `for stack in embedded containers; do
  mkdir -p "merge/$stack"
  find all-blobs -name "*-$stack-*.zip" -exec cp {} "merge/$stack/" \\;
  if [ -n "$(ls -A "merge/$stack")" ]; then
    PLAYWRIGHT_HTML_OUTPUT_DIR="playwright-report/$stack" \\
      npx playwright merge-reports --reporter=html,list "merge/$stack" 2>&1 # one per mode
  fi
done`;
  expect(splitCommands(script)).toEqual([
    { assignments: {}, argv: ['mkdir', '-p', 'merge/$stack'] },
    {
      assignments: {},
      argv: ['find', 'all-blobs', '-name', '*-$stack-*.zip', '-exec', 'cp', '{}', 'merge/$stack/', ';'],
    },
    { assignments: {}, argv: ['ls', '-A', 'merge/$stack'] },
    { assignments: {}, argv: ['[', '-n', '$(ls -A "merge/$stack")', ']'] },
    {
      assignments: { PLAYWRIGHT_HTML_OUTPUT_DIR: 'playwright-report/$stack' },
      argv: ['npx', 'playwright', 'merge-reports', '--reporter=html,list', 'merge/$stack'],
    },
  ]);
});
