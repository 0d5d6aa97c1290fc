import { z } from 'zod';
import {
  type Count,
  type CoverageSummary,
  moduleOf,
  percent,
} from '../fixtures/coverage/coverage-summary.ts';
import type { Check } from './quality-gate-rules.ts';

/**
 * The coverage rules of the quality gate: the journeys' line and branch coverage of
 * containers/api/src no more than a point below the committed baseline, and no platform module
 * (a folder of containers/api/src) under its floor. Both read the summary a coverage run writes
 * (fixtures/coverage/coverage-summary.ts); a run without coverage is not judged by them.
 */

const countSchema = z.object({ covered: z.number().int().min(0), total: z.number().int().min(0) });

export const coverageBaselineSchema = z.object({
  /** Where the numbers come from: the command and the commit, for whoever refreshes them. */
  measured: z.string(),
  lines: countSchema,
  branches: countSchema,
  modules: z.record(
    z.string(),
    z.object({
      lines: countSchema,
      branches: countSchema,
      /** The module's line coverage may not fall under this percentage. */
      floor: z.number().min(0).max(100),
    }),
  ),
  /** Covered lines per file at the baseline, to name the files that lost lines. */
  files: z.record(z.string(), z.number().int().min(0)),
});
export type CoverageBaseline = z.infer<typeof coverageBaselineSchema>;

/** How far under a module's measured line coverage its floor is set, in points (then rounded down). */
export const FLOOR_MARGIN = 2;
/**
 * And at least this many lines under it: in a small module 2 points is less than a line (the
 * integrations module has 45), and one line a journey reaches on some runs only would flap.
 */
export const FLOOR_MARGIN_LINES = 3;

/** The floor a module gets from a measurement: FLOOR_MARGIN points or FLOOR_MARGIN_LINES lines under it, whichever is lower, to a whole percent. */
export function floorFor(measured: Count): number {
  const byLines = measured.total === 0 ? 0 : ((measured.covered - FLOOR_MARGIN_LINES) / measured.total) * 100;
  return Math.max(0, Math.floor(Math.min(percent(measured) - FLOOR_MARGIN, byLines)));
}

/** A baseline from a coverage run's summary, each module's floor set from what it measured. */
export function baselineFromSummary(summary: CoverageSummary, measured: string): CoverageBaseline {
  return {
    measured,
    lines: summary.lines,
    branches: summary.branches,
    modules: Object.fromEntries(
      Object.entries(summary.modules).map(([module, counts]) => [
        module,
        { ...counts, floor: floorFor(counts.lines) },
      ]),
    ),
    files: Object.fromEntries(
      Object.entries(summary.files).map(([file, counts]) => [file, counts.lines.covered]),
    ),
  };
}

const pct = (count: Count) => `${percent(count)}%`;
const countText = (count: Count) => `${pct(count)} (${count.covered}/${count.total})`;
const points = (value: number) => `${Math.round(value * 100) / 100} point${Math.abs(value) === 1 ? '' : 's'}`;

/**
 * Which modules (and in them which files) cover fewer lines than at the baseline, most lost first:
 * "experiments −42 lines (experiments/leaderboard.ts −30, experiments/runner.ts −12)".
 */
export function linesLost(summary: CoverageSummary, baseline: CoverageBaseline): string[] {
  const byModule = new Map<string, { lost: number; files: Array<[string, number]> }>();
  for (const [file, before] of Object.entries(baseline.files)) {
    const now = summary.files[file]?.lines.covered ?? 0;
    if (now >= before) continue;
    const module = moduleOf(file);
    const entry = byModule.get(module) ?? { lost: 0, files: [] };
    entry.lost += before - now;
    entry.files.push([file.replace(/^containers\/api\/src\//, ''), before - now]);
    byModule.set(module, entry);
  }
  return [...byModule]
    .sort(([, a], [, b]) => b.lost - a.lost)
    .map(([module, { lost, files }]) => {
      const named = files
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([file, count]) => `${file} −${count}`)
        .join(', ');
      return `${module} −${lost} lines (${named}${files.length > 3 ? `, ${files.length - 3} more files` : ''})`;
    });
}

/** Line and branch coverage of containers/api/src, each no more than `allowed` points under the baseline. */
export function checkCoverageBaseline(
  summary: CoverageSummary,
  baseline: CoverageBaseline,
  allowed: number,
  baselinePath: string,
): Check[] {
  const lost = linesLost(summary, baseline);
  return (['lines', 'branches'] as const).map((metric) => {
    const now = summary[metric];
    const before = baseline[metric];
    const drop = percent(before) - percent(now);
    const check = `coverage ${metric}`;
    const expected = `≥ ${Math.round((percent(before) - allowed) * 100) / 100}% (baseline ${pct(before)})`;
    if (drop <= allowed + 1e-9) {
      return {
        check,
        measured: countText(now),
        expected,
        verdict: 'PASS' as const,
        sentence: `The journeys cover ${pct(now)} of the platform's ${metric}, ${drop > 0 ? `${points(drop)} under` : 'not under'} the baseline ${pct(before)} (${points(allowed)} allowed).`,
      };
    }
    return {
      check,
      measured: countText(now),
      expected,
      verdict: 'FAIL' as const,
      sentence: `The journeys cover ${pct(now)} of the platform's ${metric}, ${points(drop)} under the baseline ${pct(before)} (${points(allowed)} allowed)${lost.length > 0 ? `; lines lost in ${lost.join('; ')}` : ''}: find the journey step that stopped reaching them, or, if the code is gone for good, refresh ${baselinePath} (npm run quality-gate -- --write-coverage-baseline) in the same commit.`,
    };
  });
}

/** No module of the platform under the floor the baseline sets for it; a new module is noted. */
export function checkModuleFloors(
  summary: CoverageSummary,
  baseline: CoverageBaseline,
  baselinePath: string,
): Check[] {
  const lost = new Map(linesLost(summary, baseline).map((line) => [line.split(' ')[0], line]));
  const under: string[] = [];
  const fresh: string[] = [];
  let lowest: { module: string; margin: number } | undefined;
  for (const [module, counts] of Object.entries(summary.modules)) {
    const floor = baseline.modules[module]?.floor;
    if (floor === undefined) {
      fresh.push(`${module} ${pct(counts.lines)}`);
      continue;
    }
    const margin = percent(counts.lines) - floor;
    if (margin < 0) {
      under.push(
        `${module} covers ${countText(counts.lines)} of its lines, under its floor of ${floor}% (baseline ${pct(baseline.modules[module]?.lines as Count)})${lost.has(module) ? `, ${lost.get(module)}` : ''}`,
      );
    }
    if (!lowest || margin < lowest.margin) lowest = { module, margin };
  }
  for (const module of Object.keys(baseline.modules)) {
    if (!summary.modules[module]) under.push(`${module} is gone from the coverage report`);
  }
  const modules = Object.keys(summary.modules).length;
  const check = 'coverage module floors';
  const expected = `each module ≥ its floor in ${baselinePath}`;
  const checks: Check[] = [];
  if (under.length > 0) {
    checks.push({
      check,
      measured: `${under.length} of ${modules} under`,
      expected,
      verdict: 'FAIL',
      sentence: `${under.join('; ')}: find the journey step that stopped reaching it, or, if the code is gone for good, refresh ${baselinePath} (npm run quality-gate -- --write-coverage-baseline) in the same commit.`,
    });
  } else {
    checks.push({
      check,
      measured: `${modules} modules at or above`,
      expected,
      verdict: 'PASS',
      sentence: `Every platform module covers at least its floor${lowest ? `; the closest is ${lowest.module}, ${points(lowest.margin)} above its floor` : ''}.`,
    });
  }
  if (fresh.length > 0) {
    checks.push({
      check: 'coverage new modules',
      measured: `${fresh.length} without a floor`,
      expected: `a floor in ${baselinePath}`,
      verdict: 'NOTE',
      sentence: `${fresh.join(', ')} ha${fresh.length === 1 ? 's' : 've'} no floor yet: refresh ${baselinePath} (npm run quality-gate -- --write-coverage-baseline) so the gate guards ${fresh.length === 1 ? 'it' : 'them'}.`,
    });
  }
  return checks;
}

/**
 * Why the coverage rules judge nothing in this run, or undefined when they can: the run recorded no
 * coverage (a plain run), or the summary in coverage/ is of another run.
 */
export function coverageNotEvaluated(
  summary: CoverageSummary | undefined,
  runId: string | undefined,
): string | undefined {
  const how = 'run npm run coverage, then npm run quality-gate, to evaluate them';
  if (!summary) return `Coverage rules not evaluated: this run recorded no coverage (${how}).`;
  if (summary.runId !== runId) {
    return `Coverage rules not evaluated: coverage/coverage-summary.json is of another run (${summary.runId ?? 'no run id'}, this one is ${runId ?? 'without a run id'}); ${how}.`;
  }
  return undefined;
}
