/**
 * `npm run quality-gate`: judges a finished run from its Allure results and exits 1 when a release
 * rule is broken (every @security test passed; perf no more than 20% worse than perf/baseline.json).
 *
 *   npm run quality-gate -- [--results <dir>] [--baseline <file>] [--require-perf]
 *
 * Prints what it checked as a table, then one PASS/FAIL/NOTE line per check with the reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/stack/paths.ts';
import {
  type AllureResult,
  attachmentsOf,
  hasTag,
  lastAttempts,
  readAllureResults,
} from './allure-results.ts';
import {
  type Baseline,
  baselineSchema,
  type Check,
  checkOneRun,
  checkPerf,
  checkSecurity,
  PERF_ATTACHMENT,
  type PerfFigure,
  perfFiguresSchema,
} from './quality-gate-rules.ts';

function options() {
  try {
    return parseArgs({
      options: {
        results: { type: 'string', default: path.join(repoRoot, 'allure-results') },
        baseline: { type: 'string', default: path.join(repoRoot, 'perf', 'baseline.json') },
        'require-perf': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(
      `${(error as Error).message}: use npm run quality-gate -- [--results <dir>] [--baseline <file>] [--require-perf].`,
    );
    process.exit(2);
  }
}

const shown = (file: string) => path.relative(process.cwd(), file) || file;

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readBaseline(file: string): Baseline | { problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return {
      problem: `There is no perf baseline at ${shown(file)}: commit one from a run you trust, shaped {"figures":{"<name>":{"value":1,"unit":"ms","better":"lower"}}}.`,
    };
  }
  try {
    const parsed = baselineSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    return {
      problem: `${shown(file)} does not have the baseline's shape (${issuesText(parsed.error.issues)}): fix it to {"figures":{"<name>":{"value":1,"unit":"ms","better":"lower"}}}.`,
    };
  } catch (error) {
    return {
      problem: `${shown(file)} is not valid JSON (${problemOf(error)}): fix it, or restore it from git.`,
    };
  }
}

function issuesText(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'top level'}: ${issue.message}`)
    .join('; ');
}

/** The figures the load tests attached, later runs overriding earlier ones; and unreadable attachments. */
function readFigures(
  resultsDir: string,
  loadTests: readonly AllureResult[],
): { figures: Map<string, PerfFigure>; problems: Check[] } {
  const figures = new Map<string, PerfFigure>();
  const problems: Check[] = [];
  const byTime = [...loadTests].sort((a, b) => (a.stop ?? 0) - (b.stop ?? 0));
  for (const result of byTime) {
    for (const attachment of attachmentsOf(result).filter((item) => item.name === PERF_ATTACHMENT)) {
      const file = path.join(resultsDir, attachment.source);
      try {
        const parsed = perfFiguresSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        if (!parsed.success) throw new Error(issuesText(parsed.error.issues));
        for (const figure of parsed.data.figures) figures.set(figure.name, figure);
      } catch (error) {
        problems.push({
          check: `${PERF_ATTACHMENT} of "${result.name}"`,
          measured: 'unreadable',
          expected: '{"figures":[…]}',
          verdict: 'FAIL',
          sentence: `The ${PERF_ATTACHMENT} attached to "${result.name}" could not be read (${problemOf(error)}): fix what the load journey attaches and run it again.`,
        });
      }
    }
  }
  return { figures, problems };
}

function isLoadTest(result: AllureResult): boolean {
  return (
    hasTag(result, 'load') ||
    hasTag(result, 'perf') ||
    hasTag(result, 'stress') ||
    (result.labels ?? []).some(
      (label) => label.name === 'parentSuite' && (label.value === 'load' || label.value === 'stress'),
    ) ||
    attachmentsOf(result).some((attachment) => attachment.name === PERF_ATTACHMENT)
  );
}

function table(checks: readonly Check[]): string[] {
  const header = { check: 'check', measured: 'measured', expected: 'expected' };
  const rows = [header, ...checks];
  const width = (key: keyof typeof header) => Math.max(...rows.map((row) => row[key].length));
  const [a, b] = [width('check'), width('measured')];
  return rows.map((row) => `  ${row.check.padEnd(a)}  ${row.measured.padEnd(b)}  ${row.expected}`.trimEnd());
}

const args = options();
const resultsDir = path.resolve(args.results);
const baselineFile = path.resolve(args.baseline);
const allResults = readAllureResults(resultsDir);
const tests = lastAttempts(allResults);
const loadTests = tests.filter(isLoadTest);

/** The release rules, over the results of one run. */
function judgeRun(): Check[] {
  const { figures, problems } = readFigures(resultsDir, loadTests);
  return [
    checkSecurity(tests),
    ...problems,
    ...checkPerf({
      loadTests,
      figures,
      baselinePath: shown(baselineFile),
      baseline: loadTests.length > 0 ? readBaseline(baselineFile) : { figures: {} },
      requirePerf: args['require-perf'],
    }),
  ];
}

// Results of several runs mixed: the rules would read old results as this run's, so none applies.
const oneRun = checkOneRun(allResults);
const checks: Check[] = oneRun.verdict === 'FAIL' ? [oneRun] : judgeRun();

const journeys = tests.filter((result) => hasTag(result, 'e2e')).length;
console.log(
  `Quality gate over ${shown(resultsDir)}: ${tests.length} tests, ${journeys} journeys, ${loadTests.length} load.`,
);
for (const line of table(checks)) console.log(line);
console.log('');
for (const check of checks) console.log(`${check.verdict}  ${check.check}: ${check.sentence}`);
const failed = checks.filter((check) => check.verdict === 'FAIL').length;
console.log(
  failed > 0
    ? `quality gate: FAILED (${failed} of ${checks.length} checks)`
    : `quality gate: passed (${checks.length} checks)`,
);
process.exitCode = failed > 0 ? 1 : 0;
