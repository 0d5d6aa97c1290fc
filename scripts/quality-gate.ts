/**
 * `npm run quality-gate`: judges a finished run with Allure's quality gate (the rules in
 * allurerc.mjs `qualityGate`, implemented in scripts/allure-gate-rules.ts) and exits 1 when Allure
 * says a rule failed: every @security test passed; perf no more than 20% worse than
 * perf/baseline.json; and, when the run measured coverage (npm run coverage), the journeys' line
 * and branch coverage no more than a point under perf/coverage-baseline.json and no platform module
 * under its floor there.
 *
 *   npm run quality-gate -- [--results <dir>] [--baseline <file>] [--coverage-baseline <file>]
 *                           [--coverage-summary <file>] [--require-perf] [--require-coverage]
 *   npm run quality-gate -- --write-coverage-baseline     (after npm run coverage)
 *
 * Prints what it checked as a table, then one PASS/FAIL/NOTE line per check with the reason.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { coverageSummaryFile, percent, readCoverageSummary } from '../fixtures/coverage/coverage-summary.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { gateReport, runAllureGate } from './allure-gate.ts';
import { hasTag, lastAttempts, readAllureResults } from './allure-results.ts';
import { baselineFromSummary } from './coverage-gate-rules.ts';

const usage =
  'use npm run quality-gate -- [--results <dir>] [--baseline <file>] [--coverage-baseline <file>] [--coverage-summary <file>] [--require-perf] [--require-coverage], or --write-coverage-baseline after npm run coverage';

function options() {
  try {
    return parseArgs({
      options: {
        results: { type: 'string', default: path.join(repoRoot, 'allure-results') },
        baseline: { type: 'string' },
        'coverage-baseline': { type: 'string' },
        'coverage-summary': { type: 'string' },
        'require-perf': { type: 'boolean', default: false },
        'require-coverage': { type: 'boolean', default: false },
        'write-coverage-baseline': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}: ${usage}.`);
    process.exit(2);
  }
}

const shown = (file: string) => path.relative(process.cwd(), file) || file;
const args = options();
const summaryFile = path.resolve(args['coverage-summary'] ?? coverageSummaryFile);

/** perf/coverage-baseline.json from the last coverage run, each module's floor set from what it measured. */
function writeCoverageBaseline(): void {
  const summary = readCoverageSummary(summaryFile);
  if (!summary) {
    console.error(`There is no ${shown(summaryFile)}: run npm run coverage first.`);
    process.exit(1);
  }
  const file = path.resolve(
    args['coverage-baseline'] ?? path.join(repoRoot, 'perf', 'coverage-baseline.json'),
  );
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  const baseline = baselineFromSummary(
    summary,
    `npm run coverage at ${commit} (${summary.runId ?? 'no run id'})`,
  );
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  console.log(
    `Wrote ${shown(file)}: lines ${percent(baseline.lines)}%, branches ${percent(baseline.branches)}%; module floors (line coverage measured → floor):`,
  );
  for (const [module, counts] of Object.entries(baseline.modules)) {
    console.log(`  ${module}: ${percent(counts.lines)}% → ${counts.floor}%`);
  }
}

if (args['write-coverage-baseline']) {
  writeCoverageBaseline();
} else {
  const resultsDir = path.resolve(args.results);
  const tests = lastAttempts(readAllureResults(resultsDir));
  const journeys = tests.filter((result) => hasTag(result, 'e2e')).length;
  const load = tests.filter(
    (result) => hasTag(result, 'load') || hasTag(result, 'stress') || hasTag(result, 'perf'),
  ).length;
  const results = await runAllureGate({
    resultsDirs: [resultsDir],
    gate: {
      requirePerf: args['require-perf'],
      requireCoverage: args['require-coverage'],
      coverageSummary: summaryFile,
    },
    perfBaseline: args.baseline && path.resolve(args.baseline),
    coverageBaseline: args['coverage-baseline'] && path.resolve(args['coverage-baseline']),
  });
  console.log(
    `Quality gate over ${shown(resultsDir)}: ${tests.length} tests, ${journeys} journeys, ${load} load.`,
  );
  const { lines, failed } = gateReport(results);
  for (const line of lines) console.log(line);
  process.exitCode = failed > 0 || results.some((result) => !result.success) ? 1 : 0;
}
