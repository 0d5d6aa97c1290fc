import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestResult, TestStepResult } from '@allurereport/core-api';
import type { QualityGateRule } from '@allurereport/plugin-api';
import { readCoverageSummary } from '../fixtures/coverage/coverage-summary.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { RUN_ID_LABEL } from '../fixtures/reporting/run-results.ts';
import { type AllureResult, attachmentsOf, hasTag, lastAttempts, readAllureResults } from './allure-results.ts';
import {
  checkCoverageBaseline,
  checkModuleFloors,
  type CoverageBaseline,
  coverageBaselineSchema,
  coverageNotEvaluated,
} from './coverage-gate-rules.ts';
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

/**
 * The journeys' release rules as Allure quality-gate rules (allurerc.mjs `qualityGate.use`), so
 * Allure evaluates them, its report's Quality Gates tab lists them, and `npm run quality-gate`'s
 * exit code is Allure's verdict. Each rule returns the checks it made (scripts/quality-gate-rules.ts,
 * scripts/coverage-gate-rules.ts) as its `actual`; its message is their sentences.
 */

export interface JourneyGateOptions {
  /** The results directories the run is read from (allure-results by default). */
  resultsDirs?: readonly string[];
  /** The coverage summary a coverage run writes. */
  coverageSummary?: string;
  /** Fail, instead of noting, when no load journey ran. */
  requirePerf?: boolean;
  /** Fail, instead of noting, when the run recorded no coverage. */
  requireCoverage?: boolean;
}

/** What a rule reports: every check it made. */
export interface RuleChecks {
  checks: Check[];
}

export interface PerfRuleExpected {
  /** The committed baseline, from the repository root. */
  baseline: string;
  /** How much worse a figure may get, e.g. 0.2 for 20%. */
  tolerance: number;
}

export interface CoverageRuleExpected {
  /** The committed coverage baseline, from the repository root. */
  baseline: string;
  /** How many points line and branch coverage may fall under the baseline. */
  points?: number;
}

const shown = (file: string) => path.relative(repoRoot, path.resolve(repoRoot, file)) || file;

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function issuesText(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'top level'}: ${issue.message}`)
    .join('; ');
}

/** A committed baseline file read with its schema, or a sentence saying what is wrong with it. */
function readJson<T>(
  file: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } },
  missing: string,
  shape: string,
): T | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path.resolve(repoRoot, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { problem: missing };
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    return {
      problem: `${shown(file)} does not have the baseline's shape (${issuesText(parsed.error.issues)}): fix it to ${shape}.`,
    };
  } catch (error) {
    return { problem: `${shown(file)} is not valid JSON (${problemOf(error)}): fix it, or restore it from git.` };
  }
}

const PERF_SHAPE = '{"figures":{"<name>":{"value":1,"unit":"ms","better":"lower"}}}';

function readPerfBaseline(file: string): Baseline | { problem: string } {
  return readJson(
    file,
    baselineSchema,
    `There is no perf baseline at ${shown(file)}: commit one from a run you trust, shaped ${PERF_SHAPE}.`,
    PERF_SHAPE,
  );
}

function readCoverageBaseline(file: string): CoverageBaseline | { problem: string } {
  return readJson(
    file,
    coverageBaselineSchema,
    `There is no coverage baseline at ${shown(file)}: run npm run coverage, then npm run quality-gate -- --write-coverage-baseline, and commit it.`,
    'what npm run quality-gate -- --write-coverage-baseline writes',
  );
}

/** Allure's test result in the shape of the result file the check functions read. */
export function asResultFile(tr: TestResult): AllureResult {
  const steps = (list: readonly TestStepResult[]): AllureResult['steps'] =>
    list.map((step) =>
      step.type === 'attachment'
        ? {
            attachments: step.link.originalFileName
              ? [{ name: step.link.name, source: step.link.originalFileName, type: step.link.contentType }]
              : [],
          }
        : { steps: steps(step.steps) },
    );
  return {
    uuid: tr.id,
    name: tr.name,
    fullName: tr.fullName,
    historyId: tr.historyId,
    status: tr.status,
    statusDetails: tr.error ? { message: tr.error.message, trace: tr.error.trace } : {},
    labels: tr.labels.map((label) => ({ name: label.name, value: label.value ?? '' })),
    start: tr.start,
    stop: tr.stop,
    steps: steps(tr.steps),
  };
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

/** The figures the load tests attached, later runs overriding earlier ones; and unreadable attachments. */
function readFigures(
  resultsDirs: readonly string[],
  loadTests: readonly AllureResult[],
): { figures: Map<string, PerfFigure>; problems: Check[] } {
  const figures = new Map<string, PerfFigure>();
  const problems: Check[] = [];
  const byTime = [...loadTests].sort((a, b) => (a.stop ?? 0) - (b.stop ?? 0));
  for (const result of byTime) {
    for (const attachment of attachmentsOf(result).filter((item) => item.name === PERF_ATTACHMENT)) {
      try {
        const file = resultsDirs
          .map((dir) => path.join(dir, attachment.source))
          .find((candidate) => {
            try {
              readFileSync(candidate);
              return true;
            } catch {
              return false;
            }
          });
        if (!file) throw new Error(`${attachment.source} is not in ${resultsDirs.map(shown).join(', ')}`);
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

/** The one run id the results carry, if they carry exactly one. */
function runIdOf(results: readonly AllureResult[]): string | undefined {
  const ids = new Set(
    results.map((result) => result.labels?.find((label) => label.name === RUN_ID_LABEL)?.value),
  );
  return ids.size === 1 ? [...ids][0] : undefined;
}

const failing = (checks: readonly Check[]) => checks.filter((check) => check.verdict === 'FAIL');
const sentences = (checks: readonly Check[]) =>
  // One line each: the report's Quality Gates tab shows a message as preformatted text.
  checks.map((check) => `${check.verdict} ${check.check}: ${check.sentence}`).join('\n');

/** An Allure rule made of checks: it fails when one of them does, and says what each found. */
function ruleOf<T>(
  rule: string,
  judge: (input: { trs: readonly TestResult[]; results: AllureResult[]; expected: T }) => Check[],
  failingIds: (results: readonly AllureResult[]) => string[] = () => [],
): QualityGateRule<T, RuleChecks> {
  return {
    rule,
    message: ({ actual }) => sentences(failing(actual.checks)),
    successMessage: ({ actual }) => sentences(actual.checks),
    validate: async ({ trs, expected }) => {
      // In the order the tests ended, as the run saw them (Allure's store has an order of its own).
      const results = trs.map(asResultFile).sort((a, b) => (a.stop ?? 0) - (b.stop ?? 0));
      const checks = judge({ trs, results, expected });
      const success = failing(checks).length === 0;
      return { success, actual: { checks }, testResults: success ? [] : failingIds(results) };
    },
  };
}

/** The rules allurerc.mjs names, reading the run from `resultsDirs`. */
export function journeyGateRules(options: JourneyGateOptions = {}): QualityGateRule[] {
  const resultsDirs = (options.resultsDirs?.length ? options.resultsDirs : ['allure-results']).map((dir) =>
    path.resolve(repoRoot, dir),
  );
  const rules = [
    // Allure's store files the results of several runs as retries of one test and hands a rule the
    // last; whether the folder holds one run is read from the files themselves.
    ruleOf<boolean>('oneRun', () => [checkOneRun(resultsDirs.flatMap((dir) => readAllureResults(dir)))]),
    ruleOf<boolean>(
      'securityPassed',
      ({ results }) => [checkSecurity(lastAttempts(results))],
      (results) =>
        results.filter((result) => hasTag(result, 'security') && result.status !== 'passed').map((r) => r.uuid),
    ),
    ruleOf<PerfRuleExpected>('perfWithinBaseline', ({ results, expected }) => {
      const loadTests = results.filter(isLoadTest);
      const { figures, problems } = readFigures(resultsDirs, loadTests);
      return [
        ...problems,
        ...checkPerf({
          loadTests,
          figures,
          baselinePath: shown(expected.baseline),
          baseline: loadTests.length > 0 ? readPerfBaseline(expected.baseline) : { figures: {} },
          requirePerf: options.requirePerf ?? false,
          tolerance: expected.tolerance,
        }),
      ];
    }),
    ruleOf<CoverageRuleExpected>('coverageNotBelowBaseline', ({ results, expected }) =>
      coverageChecks(results, expected, options, (summary, baseline) =>
        checkCoverageBaseline(summary, baseline, expected.points ?? 1, shown(expected.baseline)),
        'coverage against baseline',
      ),
    ),
    ruleOf<CoverageRuleExpected>('moduleCoverageFloors', ({ results, expected }) =>
      coverageChecks(results, expected, options, (summary, baseline) =>
        checkModuleFloors(summary, baseline, shown(expected.baseline)),
        'coverage module floors',
      ),
    ),
  ];
  return rules as QualityGateRule[];
}

/** The coverage checks when this run measured coverage; otherwise one check saying they were not evaluated. */
function coverageChecks(
  results: readonly AllureResult[],
  expected: CoverageRuleExpected,
  options: JourneyGateOptions,
  judge: (summary: NonNullable<ReturnType<typeof readCoverageSummary>>, baseline: CoverageBaseline) => Check[],
  check: string,
): Check[] {
  let summary: ReturnType<typeof readCoverageSummary>;
  try {
    summary = readCoverageSummary(options.coverageSummary);
  } catch (error) {
    return [
      { check, measured: 'unreadable', expected: 'a summary', verdict: 'FAIL', sentence: problemOf(error) },
    ];
  }
  const why = coverageNotEvaluated(summary, runIdOf(results));
  if (why || !summary) {
    return [
      {
        check,
        measured: 'not measured',
        expected: `against ${shown(expected.baseline)}`,
        verdict: options.requireCoverage ? 'FAIL' : 'NOTE',
        sentence: why ?? '',
      },
    ];
  }
  const baseline = readCoverageBaseline(expected.baseline);
  if ('problem' in baseline) {
    return [
      {
        check: 'coverage baseline',
        measured: 'not usable',
        expected: shown(expected.baseline),
        verdict: 'FAIL',
        sentence: baseline.problem,
      },
    ];
  }
  return judge(summary, baseline);
}
