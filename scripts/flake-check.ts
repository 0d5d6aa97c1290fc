/**
 * `npm run flake-check`: runs every @e2e journey several times in a row, without retries, and
 * fails when any journey failed even once, naming the flaky and the failing ones.
 *
 *   npm run flake-check -- [--repeat-each <n>] [--output <dir>] [--config <file>]
 *
 * The count defaults to FLAKE_CHECK_REPEAT or 5. The run reports to the console and to a JSON
 * file in its output directory only, so it adds nothing to allure-results or to JUnit totals.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { describeTallies, isUnstable, type JsonReport, tallyJourneys } from './flake-tally.ts';

const usage = 'use npm run flake-check -- [--repeat-each <n>] [--output <dir>] [--config <file>]';

function options() {
  let values: { 'repeat-each'?: string; output: string; config: string };
  try {
    values = parseArgs({
      options: {
        'repeat-each': { type: 'string' },
        output: { type: 'string', default: path.join(repoRoot, 'test-results', 'flake-check-artifacts') },
        config: { type: 'string', default: path.join(repoRoot, 'playwright.config.ts') },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}: ${usage}.`);
    process.exit(2);
  }
  const given = values['repeat-each'] ?? (process.env.FLAKE_CHECK_REPEAT || '5');
  const repeatEach = Number(given);
  if (!Number.isInteger(repeatEach) || repeatEach < 1) {
    console.error(`The repeat count must be a whole number of at least 1, not "${given}": ${usage}.`);
    process.exit(2);
  }
  return { repeatEach, output: path.resolve(values.output), config: path.resolve(values.config) };
}

const { repeatEach, output, config } = options();
const jsonReport = path.join(output, '..', `${path.basename(output)}.json`);
mkdirSync(path.dirname(jsonReport), { recursive: true });
// A report left by an earlier run must not stand in for this one.
rmSync(jsonReport, { force: true });

const args = [
  path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'),
  'test',
  '--config',
  config,
  '--project=journeys',
  '--grep',
  '@e2e',
  `--repeat-each=${repeatEach}`,
  '--retries=0',
  // Replaces the configured reporters: a repeated run must not pile results into allure-results.
  '--reporter=list,json',
  `--output=${output}`,
];
console.log(`flake-check: every @e2e journey ${repeatEach} times, no retries.`);
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_FILE: jsonReport },
  });
  child.on('error', (error) => {
    console.error(`Could not start Playwright: ${error.message}`);
    resolve(127);
  });
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
});

if (!existsSync(jsonReport)) {
  console.error(
    `flake-check: Playwright exited with ${code} before writing ${path.relative(repoRoot, jsonReport)}: fix the error above and run it again.`,
  );
  process.exit(code || 1);
}
const report = JSON.parse(readFileSync(jsonReport, 'utf8')) as JsonReport;
const tallies = tallyJourneys(report);
console.log('');
for (const line of describeTallies(tallies, repeatEach)) console.log(line);
for (const error of report.errors ?? []) {
  console.log(`error outside any journey: ${(error.message ?? '').split('\n')[0]}`);
}
// Errors outside tests (global setup, a worker crash) fail the check even when every journey passed.
if (code !== 0 && !isUnstable(tallies)) {
  console.log(
    `flake-check: Playwright exited with ${code} although no journey failed: see the errors above.`,
  );
}
process.exitCode = isUnstable(tallies) || code !== 0 ? 1 : 0;
