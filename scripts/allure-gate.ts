import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AllureReport, readConfig } from '@allurereport/core';
import type { QualityGateValidationResult } from '@allurereport/plugin-api';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { type JourneyGateOptions, journeyGateRules, type RuleChecks } from './allure-gate-rules.ts';
import type { Check } from './quality-gate-rules.ts';

/**
 * Runs Allure over a run's results with the quality gate of allurerc.mjs, the way `allure run` does
 * at its end: Allure reads the results, its quality gate validates them with the configured rules,
 * and the results are handed to the store before the report is written, so the report's Quality
 * Gates tab lists them. (`allure generate` evaluates no gate, and `allure quality-gate` writes no
 * report and prints only the failures.)
 */

export const allurerc = path.join(repoRoot, 'allurerc.mjs');

export interface GateRun {
  resultsDirs: string[];
  /** Write the report here (with the allurerc.mjs plugins and history); without it, only judge. */
  output?: string;
  gate: Omit<JourneyGateOptions, 'resultsDirs'>;
  /** Another perf baseline than allurerc.mjs names (the unit tests'). */
  perfBaseline?: string;
  /** Another coverage baseline than allurerc.mjs names (the unit tests'). */
  coverageBaseline?: string;
}

type Rules = NonNullable<NonNullable<Awaited<ReturnType<typeof readConfig>>['qualityGate']>['rules']>;

function withBaselines(rules: Rules, run: GateRun): Rules {
  return rules.map((ruleset) => {
    const next = { ...ruleset };
    if (run.perfBaseline && next.perfWithinBaseline) {
      next.perfWithinBaseline = { ...next.perfWithinBaseline, baseline: run.perfBaseline };
    }
    for (const rule of ['coverageNotBelowBaseline', 'moduleCoverageFloors']) {
      if (run.coverageBaseline && next[rule]) next[rule] = { ...next[rule], baseline: run.coverageBaseline };
    }
    return next;
  });
}

export async function runAllureGate(run: GateRun): Promise<QualityGateValidationResult[]> {
  const scratch = run.output ? undefined : mkdtempSync(path.join(tmpdir(), 'quality-gate-'));
  try {
    // From the working directory, as `allure generate` does: allurerc.mjs's history file is found from it.
    const config = await readConfig(process.cwd(), allurerc, { output: run.output ?? scratch });
    if (!config.qualityGate?.rules?.length) {
      throw new Error(`${allurerc} names no qualityGate rules: restore them from git.`);
    }
    config.qualityGate = {
      rules: withBaselines(config.qualityGate.rules, run),
      use: journeyGateRules({ ...run.gate, resultsDirs: run.resultsDirs }),
    };
    if (!run.output) {
      // Only judging: no report, and no point in the report's history for a run that made none.
      config.plugins = [];
      config.historyPath = undefined;
    }
    const report = new AllureReport(config);
    await report.start();
    for (const dir of run.resultsDirs) await report.readDirectory(dir);
    const trs = await report.store.allTestResults({ includeRetries: false });
    const { results } = await report.validate({ trs });
    // What `allure run` does with its gate's results: the store keeps them for the report.
    report.realtimeDispatcher.sendQualityGateResults(results);
    await report.done();
    return results;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The checks behind Allure's results; a rule of Allure's own (no checks) becomes one check. */
export function checksOf(results: readonly QualityGateValidationResult[]): Array<Check & { rule: string }> {
  return results.flatMap((result) => {
    const actual = result.actual as Partial<RuleChecks> | undefined;
    if (Array.isArray(actual?.checks)) return actual.checks.map((check) => ({ ...check, rule: result.rule }));
    return [
      {
        rule: result.rule,
        check: result.rule,
        measured: String(result.actual),
        expected: String(result.expected),
        verdict: result.success ? 'PASS' : 'FAIL',
        sentence: result.message,
      } satisfies Check & { rule: string },
    ];
  });
}

/** What the gate prints: a table of the checks, one line per check, and the verdict. */
export function gateReport(results: readonly QualityGateValidationResult[]): { lines: string[]; failed: number } {
  const checks = checksOf(results);
  const header = { check: 'check', measured: 'measured', expected: 'expected' };
  const rows = [header, ...checks];
  const width = (key: keyof typeof header) => Math.max(...rows.map((row) => row[key].length));
  const [a, b] = [width('check'), width('measured')];
  const table = rows.map((row) =>
    `  ${row.check.padEnd(a)}  ${row.measured.padEnd(b)}  ${row.expected}`.trimEnd(),
  );
  const failedRules = results.filter((result) => !result.success).length;
  const failed = checks.filter((check) => check.verdict === 'FAIL').length;
  return {
    failed,
    lines: [
      ...table,
      '',
      ...checks.map((check) => `${check.verdict}  ${check.check}: ${check.sentence}`),
      failedRules > 0
        ? `quality gate: FAILED (${failed} of ${checks.length} checks; Allure rules failed: ${results
            .filter((result) => !result.success)
            .map((result) => result.rule)
            .join(', ')})`
        : `quality gate: passed (${checks.length} checks in ${results.length} Allure rules)`,
    ],
  };
}
