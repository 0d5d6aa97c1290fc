import { z } from 'zod';
import { type AllureResult, hasTag, runsIn } from './allure-results.ts';

/**
 * The release rules the quality gate applies to a finished run. Each check reports what it
 * measured, what it expected, and a verdict with one sentence a reader can act on.
 */

export type Verdict = 'PASS' | 'FAIL' | 'NOTE';

export interface Check {
  check: string;
  measured: string;
  expected: string;
  verdict: Verdict;
  /** One sentence: why, and what to do next when it failed. */
  sentence: string;
}

/** The attachment a load journey carries its measured figures in. */
export const PERF_ATTACHMENT = 'perf-figures.json';

/** How much worse than its baseline a figure may get before the gate fails. */
export const PERF_TOLERANCE = 0.2;

export const perfFiguresSchema = z.object({
  figures: z.array(
    z.object({
      name: z.string().min(1),
      value: z.number(),
      unit: z.string(),
      better: z.enum(['higher', 'lower']),
      budget: z.number().optional(),
    }),
  ),
});
export type PerfFigure = z.infer<typeof perfFiguresSchema>['figures'][number];

export const baselineSchema = z.object({
  figures: z.record(
    z.string(),
    z.object({
      value: z.number(),
      unit: z.string(),
      better: z.enum(['higher', 'lower']),
      /** The project whose journeys measure it; left out for load. */
      project: z.enum(['load', 'stress']).optional(),
    }),
  ),
});
export type Baseline = z.infer<typeof baselineSchema>;

const amount = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const withUnit = (value: number, unit: string) => `${amount.format(value)}${unit ? ` ${unit}` : ''}`;

function firstLine(text: string | undefined): string {
  return (
    (text ?? '')
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? ''
  );
}

function described(result: AllureResult): string {
  const why = firstLine(result.statusDetails?.message);
  return `"${result.name}" (${result.status ?? 'no status'}${why ? `: ${why.slice(0, 120)}` : ''})`;
}

// Enough names to start from; the report lists them all.
const NAMED_AT_MOST = 5;

function named(results: readonly AllureResult[]): string {
  const names = results.slice(0, NAMED_AT_MOST).map(described).join(', ');
  const more = results.length - NAMED_AT_MOST;
  return more > 0 ? `${names} and ${more} more` : names;
}

/**
 * The gate judges one run. allure-results holds several when a person kept earlier results
 * (E2E_KEEP_RESULTS=1) or copied some in; judging them together reads old failures, skips and
 * missing figures as this run's, so the gate says so and judges nothing else.
 */
export function checkOneRun(results: readonly AllureResult[]): Check {
  const runs = runsIn(results);
  const check = 'one run';
  if (runs.length <= 1) {
    return {
      check,
      measured: runs[0]?.runId ?? 'no run id',
      expected: 'one run',
      verdict: 'PASS',
      sentence: 'The results are of one run.',
    };
  }
  const listed = runs
    .map((run) => `${run.runId ?? 'no run id'}: ${run.results} test${run.results === 1 ? '' : 's'}`)
    .join(', ');
  return {
    check,
    measured: `${runs.length} runs`,
    expected: 'one run',
    verdict: 'FAIL',
    sentence: `The results hold ${runs.length} runs (${listed}), and the gate judges one run at a time: run the tests again without E2E_KEEP_RESULTS=1 (a run starts allure-results empty), give runs that belong together one E2E_RUN_ID, or point --results at the folder of one run.`,
  };
}

/** Rule (a): every `@security` test passed, and some ran whenever journeys ran. */
export function checkSecurity(tests: readonly AllureResult[]): Check {
  const security = tests.filter((result) => hasTag(result, 'security'));
  const journeys = tests.filter((result) => hasTag(result, 'e2e'));
  const check = '@security tests';
  const expected = 'all pass';
  if (security.length === 0) {
    return journeys.length > 0
      ? {
          check,
          measured: 'none ran',
          expected,
          verdict: 'FAIL',
          sentence: `No @security test ran although ${journeys.length} journeys did: run the journeys without a filter that leaves out @security (npx playwright test --project=journeys --grep @e2e).`,
        }
      : {
          check,
          measured: 'no journeys ran',
          expected,
          verdict: 'NOTE',
          sentence: 'Not checked: the results hold no journeys, so no @security test was due.',
        };
  }
  const failing = security.filter((result) => result.status !== 'passed');
  const measured = `${security.length - failing.length} of ${security.length} passed`;
  if (failing.length === 0) {
    return {
      check,
      measured,
      expected,
      verdict: 'PASS',
      sentence: `All ${security.length} @security tests passed.`,
    };
  }
  return {
    check,
    measured,
    expected,
    verdict: 'FAIL',
    sentence: `${failing.length} @security test${failing.length === 1 ? '' : 's'} did not pass, ${named(failing)}: open them in the Allure report (npm run report), fix the cause its category names, and run them again.`,
  };
}

/**
 * Which project of measuring journeys a result belongs to: stress (the spike and endurance runs,
 * only run when asked for) or load (everything else that measures).
 */
export function perfProjectOf(result: AllureResult): 'load' | 'stress' {
  const parent = (result.labels ?? []).find((label) => label.name === 'parentSuite')?.value;
  return parent === 'stress' || hasTag(result, 'stress') ? 'stress' : 'load';
}

export interface PerfInput {
  /** Results of load and stress journeys (tagged @load, @perf or @stress, or run by their projects). */
  loadTests: readonly AllureResult[];
  /** Figures the load journeys attached, the latest per name. */
  figures: ReadonlyMap<string, PerfFigure>;
  /** Where the baseline lives, as the reader should see it (for sentences). */
  baselinePath: string;
  /** The committed baseline, or why it could not be read. */
  baseline: Baseline | { problem: string };
  /** Without load results, fail instead of noting that perf was not measured. */
  requirePerf: boolean;
  /** How much worse than its baseline a figure may get (allurerc.mjs says; PERF_TOLERANCE otherwise). */
  tolerance?: number;
}

/** Whether a measured value stays within PERF_TOLERANCE of its baseline, and the limit it had to meet. */
export function compareFigure(
  value: number,
  baseline: { value: number; better: 'higher' | 'lower' },
  tolerance = PERF_TOLERANCE,
): { passed: boolean; limit: number; worseBy: number } {
  if (baseline.better === 'higher') {
    const limit = baseline.value * (1 - tolerance);
    return {
      passed: value >= limit,
      limit,
      worseBy: baseline.value === 0 ? 0 : (baseline.value - value) / baseline.value,
    };
  }
  const limit = baseline.value * (1 + tolerance);
  return {
    passed: value <= limit,
    limit,
    worseBy: baseline.value === 0 ? Number.POSITIVE_INFINITY : (value - baseline.value) / baseline.value,
  };
}

/** Rule (b): the load journey's figures are no more than 20% (the tolerance) worse than the committed baseline. */
export function checkPerf(input: PerfInput): Check[] {
  const tolerance = input.tolerance ?? PERF_TOLERANCE;
  if (input.loadTests.length === 0) {
    return [
      {
        check: 'perf figures',
        measured: 'not measured',
        expected: `within ${tolerance * 100}% of ${input.baselinePath}`,
        verdict: input.requirePerf ? 'FAIL' : 'NOTE',
        sentence: input.requirePerf
          ? 'Perf was not measured, since no load journey is in the results: run npm run load before the gate.'
          : 'Perf was not measured, since no load journey is in the results (pass --require-perf to make that a failure).',
      },
    ];
  }
  const { baseline } = input;
  if ('problem' in baseline) {
    return [
      {
        check: 'perf baseline',
        measured: 'not usable',
        expected: input.baselinePath,
        verdict: 'FAIL',
        sentence: baseline.problem,
      },
    ];
  }
  const checks: Check[] = [];
  const projectsRun = new Set(input.loadTests.map(perfProjectOf));
  for (const [name, base] of Object.entries(baseline.figures)) {
    const check = `perf ${name}`;
    const figure = input.figures.get(name);
    const project = base.project ?? 'load';
    if (!figure && !projectsRun.has(project)) {
      // The stress journeys run only when asked for: a run without them has nothing to compare.
      checks.push({
        check,
        measured: 'not measured',
        expected: `the ${project} project`,
        verdict: 'NOTE',
        sentence: `"${name}" is measured by the ${project} journeys, and none ran (npm run bench -- ${project} runs them).`,
      });
      continue;
    }
    const sign = base.better === 'higher' ? '≥' : '≤';
    const limitText = (limit: number) =>
      `${sign} ${withUnit(limit, base.unit)} (baseline ${withUnit(base.value, base.unit)})`;
    if (!figure) {
      checks.push({
        check,
        measured: 'missing',
        expected: limitText(compareFigure(0, base, tolerance).limit),
        verdict: 'FAIL',
        sentence: `The load journey reported no figure "${name}", which ${input.baselinePath} has: see whether the load journey failed before measuring it (npm run report), or remove the figure from the baseline if it is gone for good.`,
      });
      continue;
    }
    const measured = withUnit(figure.value, figure.unit);
    if (figure.unit !== base.unit || figure.better !== base.better) {
      checks.push({
        check,
        measured,
        expected: limitText(compareFigure(0, base, tolerance).limit),
        verdict: 'FAIL',
        sentence: `"${name}" is measured in ${figure.unit || 'no unit'} with ${figure.better} better, but ${input.baselinePath} has ${base.unit || 'no unit'} with ${base.better} better: make the baseline and the load journey agree.`,
      });
      continue;
    }
    const { passed, limit, worseBy } = compareFigure(figure.value, base, tolerance);
    const howMuch = Number.isFinite(worseBy)
      ? `${amount.format(worseBy * 100)}% worse than the baseline ${withUnit(base.value, base.unit)}`
      : `above the baseline ${withUnit(base.value, base.unit)}`;
    checks.push({
      check,
      measured,
      expected: limitText(limit),
      verdict: passed ? 'PASS' : 'FAIL',
      sentence: passed
        ? `"${name}" is ${measured}, within the limit of ${withUnit(limit, base.unit)} (baseline ${withUnit(base.value, base.unit)}).`
        : `"${name}" is ${measured}, ${howMuch} (the limit is ${withUnit(limit, base.unit)}): find the change that slowed it by comparing with the last passing run, or, if the change is intended, update ${input.baselinePath} in the same commit.`,
    });
  }
  for (const figure of input.figures.values()) {
    if (Object.hasOwn(baseline.figures, figure.name)) continue;
    checks.push({
      check: `perf ${figure.name}`,
      measured: withUnit(figure.value, figure.unit),
      expected: 'not in the baseline',
      verdict: 'NOTE',
      sentence: `"${figure.name}" has no baseline yet: add it to ${input.baselinePath} from a run you trust so the gate guards it.`,
    });
  }
  return checks;
}
