/**
 * `npm test`: every check of the repository, in order, each step printed as it starts. Playwright
 * steps write their own JUnit file; the last line sums them: `tests: N passed, N failed`.
 * Exits non-zero if any step fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { addTotals, type JunitTotals, noTests, readJunit, summaryLine } from './junit-totals.ts';
import { runStep } from './run-step.ts';

interface Step {
  name: string;
  command: string[];
  /** Playwright steps: their JUnit report counts towards the summary. */
  playwright?: boolean;
  env?: Record<string, string>;
  /** A reason to skip, decided when the step is reached. */
  skip?: () => string | undefined;
  /** The step prints its own verdict on a line starting with this; the summary repeats it. */
  verdictPrefix?: string;
}

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const auditDir = path.join(repoRoot, 'tests', 'audit');
const codeServerEntry = path.join(
  process.env.CODE_SERVER_CACHE ?? path.join(repoRoot, 'node_modules', '.cache', 'code-server'),
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

// Steps the users' workflow (.github/workflows/e2e.yml) also runs call the same npm scripts, so
// each is defined once, in package.json.
const steps: Step[] = [
  // npm ci (CI, the users' workflow) refuses a lock that disagrees with a package.json: say so first.
  { name: 'lock', command: ['npm', 'run', 'lock-check'] },
  { name: 'lint', command: ['npm', 'run', 'lint'] },
  // actionlint on the users' workflow; tests/unit/workflow-commands.test.ts checks its commands.
  { name: 'lint:workflow', command: ['npm', 'run', 'lint:workflow'] },
  { name: 'typecheck', command: ['npm', 'run', 'typecheck'] },
  { name: 'build', command: ['npm', 'run', 'build'] },
  // Unit tests start what they need themselves, under a config without the run-wide stack.
  { name: 'unit', command: ['npm', 'run', 'unit'], playwright: true },
  // The @e2e journeys in coverage mode (npm run coverage): the same journeys on the same stack,
  // each platform process counting what ran, so the gate below can hold coverage to its baseline
  // on every run. Plain @e2e runs follow (containers, external, flake-check).
  { name: 'journeys', command: ['npm', 'run', 'coverage'], playwright: true },
  {
    // Reads what the journeys left in allure-results: every @security journey passed. The load
    // journey is not a step: its budgets hold as a median (README, Load), but a single run on a
    // shared 2-core machine can still miss the p95 budget when the host is busy, and a step that
    // fails for the machine's sake would make CI red for nothing. `npm run load`, then
    // `npm run quality-gate -- --require-perf`, holds its figures to perf/baseline.json. The
    // journeys measured coverage, so the coverage rules must be judged, not noted.
    name: 'quality gate',
    command: ['npm', 'run', 'quality-gate', '--', '--require-coverage'],
    verdictPrefix: 'quality gate: ',
  },
  {
    name: 'audit',
    // The script gives it its own output dir: Playwright empties a run's output dir first, and the
    // journeys' traces are what the audit reads.
    command: ['npm', 'run', 'report:audit'],
    playwright: true,
    skip: () =>
      existsSync(auditDir) &&
      readdirSync(auditDir, { recursive: true }).some((file) => String(file).endsWith('.audit.ts'))
        ? undefined
        : 'no report audit in tests/audit yet',
  },
  {
    name: 'extension',
    command: [bin('playwright'), 'test', '-c', 'extension/playwright.config.ts', '--reporter=list,junit'],
    playwright: true,
  },
  {
    // The same journeys on the containers stack. CI provisions an engine and images, so there it
    // is required; on a laptop without Docker the step says how to enable it.
    name: 'containers',
    command: ['npm', 'run', 'e2e', '--', '--output=test-results/containers-artifacts'],
    playwright: true,
    env: { E2E_STACK: 'containers' },
    skip: () =>
      process.env.CI || dockerAnswers()
        ? undefined
        : 'no Docker engine: start one and run npm run containers:offline (or have the official images) to include it',
  },
  {
    // External mode for real: a platform started as a process of its own (npm run stack:up), and
    // every @e2e journey run against it twice given only its URLs and bootstrap token; fails on a
    // failure, on a skip no journey declared, or on a tenant of either run left on the platform.
    // Like the flake check it reports only to the console and its own JSON files.
    name: 'external',
    command: ['npm', 'run', 'e2e:external'],
    verdictPrefix: 'external: ',
  },
  {
    // Every @e2e journey twice more without retries on the embedded stack: a journey that passed
    // above by luck shows up here. It reports only to the console and its own JSON, so it neither
    // adds to allure-results (the report stays one run) nor to the JUnit totals below.
    name: 'flake-check',
    command: [
      'npm',
      'run',
      'flake-check',
      '--',
      '--repeat-each=2',
      '--output=test-results/flake-check-artifacts',
    ],
    env: { E2E_STACK: 'embedded' },
    verdictPrefix: 'flake-check: ',
  },
  {
    // Journey Explorer in a real VS Code (code-server) driven by Chromium.
    name: 'vscode',
    command: [
      bin('playwright'),
      'test',
      '-c',
      'extension/playwright.vscode.config.ts',
      '--reporter=list,junit',
    ],
    playwright: true,
    skip: () =>
      process.env.CI || existsSync(codeServerEntry)
        ? undefined
        : 'code-server is not installed: run bash extension/scripts/provision-code-server.sh to include it',
  },
];

function dockerAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

// Results of earlier runs would let the report, and the audit of it, speak for tests that did not run now.
rmSync(path.join(repoRoot, 'allure-results'), { recursive: true, force: true });
// The Playwright steps add to that one allure-results as one run: each would otherwise start it
// empty, and label its results with a run id of its own (which the quality gate reads as mixed runs).
const oneRun = { E2E_KEEP_RESULTS: '1', E2E_RUN_ID: `npm-test-${Date.now()}` };

let totals: JunitTotals = noTests;
const outcomes: { name: string; outcome: string }[] = [];
for (const step of steps) {
  const skipReason = step.skip?.();
  if (skipReason) {
    console.log(`\n=== ${step.name}: skipped (${skipReason})`);
    outcomes.push({ name: step.name, outcome: 'skipped' });
    continue;
  }
  console.log(
    `\n=== ${step.name}: ${step.command.map((part) => (part === process.execPath ? 'node' : path.relative(repoRoot, part) || part)).join(' ')}`,
  );
  const junitFile = path.join(repoRoot, 'test-results', `junit-${step.name}.xml`);
  const env: Record<string, string> = { ...oneRun, ...step.env };
  if (step.playwright) {
    rmSync(junitFile, { force: true });
    Object.assign(env, {
      PLAYWRIGHT_JUNIT_OUTPUT_NAME: `test-results/junit-${step.name}.xml`,
      // The config names its own junit.xml; this variable wins over it, so steps do not overwrite each other.
      PLAYWRIGHT_JUNIT_OUTPUT_FILE: junitFile,
      PLAYWRIGHT_JUNIT_INCLUDE_RETRIES: '1',
    });
  }
  const started = performance.now();
  const { code, verdict } = await runStep(step.command, {
    cwd: repoRoot,
    env,
    verdictPrefix: step.verdictPrefix,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let outcome = code === 0 ? `passed in ${seconds} s` : `FAILED (exit ${code}) after ${seconds} s`;
  if (verdict) outcome += `: ${verdict}`;
  if (step.playwright) {
    if (existsSync(junitFile)) {
      const stepTotals = readJunit(readFileSync(junitFile, 'utf8'));
      totals = addTotals(totals, stepTotals);
      outcome += `: ${summaryLine(stepTotals).replace('tests: ', '')}`;
    } else {
      outcome += ': no test results (the run ended before reporting)';
    }
  }
  outcomes.push({ name: step.name, outcome });
}

console.log('\n=== summary');
const nameWidth = Math.max(...outcomes.map(({ name }) => name.length));
for (const { name, outcome } of outcomes) console.log(`${name.padEnd(nameWidth)}  ${outcome}`);
if (totals.flaky.length > 0) {
  console.log(`flaky (passed on retry, counted as passed): ${totals.flaky.length}`);
  for (const title of totals.flaky) console.log(`  ${title}`);
}
const failedStep = outcomes.some(({ outcome }) => outcome.startsWith('FAILED'));
console.log(summaryLine(totals));
process.exitCode = failedStep || totals.failed > 0 ? 1 : 0;
