/**
 * `npm run e2e:external`: proves the external mode end to end. It starts a platform as a separate
 * process (`npm run stack:up`, described in a file of its own so no other run takes it for its
 * warm stack), then runs every @e2e journey against it with E2E_STACK=external, given only the
 * URLs and the bootstrap token, twice in a row. It fails when a journey fails, when one is
 * skipped for anything but a need it declared (fixtures/stack/capabilities.ts), or when the
 * platform still holds a tenant of either run afterwards (read through the admin API).
 *
 *   npm run e2e:external -- [--runs <n>] [--output <dir>]
 *
 * The runs report to the console and to a JSON file each, so they add nothing to allure-results.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive } from '../fixtures/stack/leftovers.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { listTenants } from '../fixtures/stack/run-tenants.ts';
import { readWarmStack } from '../fixtures/stack/warm-stack.ts';
import { type ExternalRunTally, tallyExternalRun } from './external-run-tally.ts';

const usage = 'use npm run e2e:external -- [--runs <n>] [--output <dir>]';
const { values } = (() => {
  try {
    return parseArgs({
      options: {
        runs: { type: 'string', default: '2' },
        output: { type: 'string', default: path.join(repoRoot, 'test-results', 'external-artifacts') },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}: ${usage}.`);
    process.exit(2);
  }
})();
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`The number of runs must be a whole number of at least 1, not "${values.runs}": ${usage}.`);
  process.exit(2);
}
const output = path.resolve(values.output);
mkdirSync(output, { recursive: true });
const stackFile = path.join(output, 'platform.json');
rmSync(stackFile, { force: true });

/** The environment of this run without any E2E_ setting of the caller's (a database URL would add a capability). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('E2E_') || name === 'JOURNEYS_RUN_HANDOVER') delete env[name];
  // npm test's one Allure run id: these runs report elsewhere, but keep the value valid.
  if (process.env.E2E_RUN_ID) env.E2E_RUN_ID = process.env.E2E_RUN_ID;
  return env;
}

async function startPlatform(): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'stack-up.ts'), '--file', stackFile],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...cleanEnv(), E2E_STACK: 'embedded' },
    },
  );
  const exited = once(child, 'exit');
  const deadline = Date.now() + 120_000;
  while (!existsSync(stackFile)) {
    if (child.exitCode !== null)
      throw new Error(
        `npm run stack:up ended with ${child.exitCode} before the platform was up: see its output above.`,
      );
    if (Date.now() > deadline)
      throw new Error('npm run stack:up did not bring the platform up within 120 s: see its output above.');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, exited };
}

async function runJourneys(run: number, env: NodeJS.ProcessEnv): Promise<ExternalRunTally> {
  const jsonReport = path.join(output, `run-${run}.json`);
  rmSync(jsonReport, { force: true });
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'),
        'test',
        '--project=journeys',
        '--grep',
        '@e2e',
        // Replaces the configured reporters: these runs must not pile results into allure-results.
        '--reporter=list,json',
        `--output=${path.join(output, `run-${run}`)}`,
      ],
      { cwd: repoRoot, stdio: 'inherit', env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: jsonReport } },
    );
    child.on('error', () => resolve(127));
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  if (!existsSync(jsonReport)) {
    return {
      code,
      passed: 0,
      failed: 0,
      declaredSkips: [],
      otherSkips: [],
      errors: ['no report: the run ended before reporting'],
    };
  }
  return { ...tallyExternalRun(JSON.parse(readFileSync(jsonReport, 'utf8'))), code };
}

const started = performance.now();
const platform = await startPlatform().catch((error: Error) => {
  console.error(`external: ${error.message}`);
  process.exit(1);
});
const problems: string[] = [];
const verdicts: string[] = [];
try {
  const described = await readWarmStack(stackFile);
  if (!described) throw new Error(`${stackFile} does not describe the platform npm run stack:up started.`);
  const access = { apiUrl: described.apiUrl, bootstrapToken: described.bootstrapToken };
  console.log(
    `external: the platform runs at ${access.apiUrl} as pid ${described.pid}; the journeys get only its URLs and bootstrap token.`,
  );
  const env = {
    ...cleanEnv(),
    E2E_STACK: 'external',
    E2E_BASE_URL: described.apiUrl,
    E2E_MQTT_URL: described.mqttUrl,
    E2E_BOOTSTRAP_TOKEN: described.bootstrapToken,
    // The platform reaches the mocks by the URL it is given, as a remote one would.
    E2E_EXTERNALS_HOST: '127.0.0.1',
    E2E_EXTERNALS_URL: 'http://127.0.0.1',
  };
  for (let run = 1; run <= runs; run++) {
    console.log(`\nexternal: run ${run} of ${runs}, every @e2e journey against ${access.apiUrl}`);
    const tally = await runJourneys(run, env);
    const left = await listTenants(access, '');
    const skips = tally.declaredSkips.length;
    verdicts.push(
      `run ${run}: ${tally.passed} passed, ${tally.failed} failed, ${skips} skipped for a declared need`,
    );
    if (tally.code !== 0) problems.push(`run ${run}: Playwright exited with ${tally.code}`);
    for (const skip of tally.otherSkips)
      problems.push(`run ${run}: skipped without a declared need: ${skip}`);
    for (const error of tally.errors) problems.push(`run ${run}: ${error}`);
    if (tally.passed === 0) problems.push(`run ${run}: no journey passed`);
    if (left.length > 0) {
      problems.push(
        `run ${run}: the platform still holds ${left.length} tenant(s) afterwards: ${left.map(({ slug }) => slug).join(', ')}`,
      );
    }
    for (const skip of tally.declaredSkips) console.log(`external: skipped as declared: ${skip}`);
  }
} catch (error) {
  problems.push((error as Error).message);
} finally {
  if (isAlive(platform.child.pid ?? 0)) platform.child.kill('SIGTERM');
  await platform.exited;
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
for (const problem of problems) console.log(`external: FAILED ${problem}`);
console.log(
  `external: ${problems.length === 0 ? 'passed' : 'FAILED'} in ${seconds} s; ${verdicts.join('; ')}; ${problems.length === 0 ? 'no tenant left' : `${problems.length} problem(s)`}`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
