/**
 * Parameter validation for every detector. Requests arrive from JSON and from HTML forms, so
 * numeric strings are accepted and a blank field means "use the default". Every problem names
 * the parameter and the range it must be in.
 */
import { z } from 'zod';
import type { AlgorithmName } from './types.ts';

export const algorithms: readonly AlgorithmName[] = Object.freeze([
  'isolation_forest',
  'lof',
  'robust_zscore',
  'knn',
]);

export function isAlgorithmName(value: unknown): value is AlgorithmName {
  return typeof value === 'string' && (algorithms as readonly string[]).includes(value);
}

export interface ParamProblem {
  param: string;
  problem: string;
}

export class ParamsError extends Error {
  override name = 'ParamsError';
  readonly details: ParamProblem[];

  constructor(subject: string, details: ParamProblem[]) {
    super(`Invalid ${subject}: ${details.map((d) => `${d.param} ${d.problem}`).join('; ')}.`);
    this.details = details;
  }
}

interface NumberRule {
  integer: boolean;
  min: number;
  /** Whether `min` itself is allowed. */
  minInclusive: boolean;
  max?: number;
  default?: number;
}

function describe(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  if (rule.max !== undefined) {
    return rule.minInclusive
      ? `must be ${kind} between ${rule.min} and ${rule.max}`
      : `must be ${kind} greater than ${rule.min} and at most ${rule.max}`;
  }
  return rule.minInclusive
    ? `must be ${kind} of at least ${rule.min}`
    : `must be ${kind} greater than ${rule.min}`;
}

const blankOrNumeric = (value: unknown): unknown => {
  if (value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (typeof value === 'string') return Number(value);
  return value;
};

function numberParam(rule: NumberRule) {
  const error = describe(rule);
  let schema = z.number({ error });
  if (rule.integer) schema = schema.int({ error });
  schema = rule.minInclusive ? schema.min(rule.min, { error }) : schema.gt(rule.min, { error });
  if (rule.max !== undefined) schema = schema.max(rule.max, { error });
  const withDefault = rule.default === undefined ? schema.optional() : schema.default(rule.default);
  return z.preprocess(blankOrNumeric, withDefault);
}

const contamination: NumberRule = { integer: false, min: 0.001, minInclusive: true, max: 0.5, default: 0.05 };
// k's upper bound (rows − 1) depends on the data; `checkParamsFitRows` enforces it.
const neighbours = (fallback: number): NumberRule => ({
  integer: true,
  min: 1,
  minInclusive: true,
  default: fallback,
});

const rules: Record<AlgorithmName, Record<string, NumberRule>> = {
  isolation_forest: {
    trees: { integer: true, min: 1, minInclusive: true, max: 1000, default: 100 },
    // Subsamples larger than the data are capped at the number of rows, as in the original paper.
    sampleSize: { integer: true, min: 2, minInclusive: true, max: 100_000, default: 256 },
    contamination,
  },
  lof: { k: neighbours(20), contamination },
  // Without contamination, robust_zscore flags by threshold instead of by rank.
  robust_zscore: {
    contamination: { ...contamination, default: undefined },
    threshold: { integer: false, min: 0, minInclusive: false, max: 1_000_000, default: 3.5 },
    period: { integer: true, min: 2, minInclusive: true },
  },
  knn: { k: neighbours(5), contamination },
};

function objectSchema(params: Record<string, NumberRule>) {
  const shape: Record<string, ReturnType<typeof numberParam>> = {};
  for (const [param, rule] of Object.entries(params)) shape[param] = numberParam(rule);
  return z.strictObject(shape);
}

const schemas: Record<AlgorithmName, ReturnType<typeof objectSchema>> = {
  isolation_forest: objectSchema(rules.isolation_forest),
  lof: objectSchema(rules.lof),
  robust_zscore: objectSchema(rules.robust_zscore),
  knn: objectSchema(rules.knn),
};

/** The received value for an error message, cut short so a huge input cannot flood logs and pages. */
function shown(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Validates `raw` for `algorithm` and returns every parameter it will use, defaults filled in. */
export function parseParams(algorithm: AlgorithmName, raw: Record<string, unknown>): Record<string, number> {
  if (!isAlgorithmName(algorithm)) {
    throw new ParamsError('algorithm', [
      { param: 'algorithm', problem: `must be one of ${algorithms.join(', ')} (got ${shown(algorithm)})` },
    ]);
  }
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ParamsError(`${algorithm} parameters`, [
      { param: 'params', problem: 'must be an object of named numbers, such as {"contamination": 0.05}' },
    ]);
  }
  const result = schemas[algorithm].safeParse(input);
  if (result.success) {
    const params: Record<string, number> = {};
    for (const [param, value] of Object.entries(result.data)) if (value !== undefined) params[param] = value;
    return params;
  }
  const details: ParamProblem[] = [];
  const known = Object.keys(rules[algorithm]).join(', ');
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details.push({ param: key, problem: `is not a parameter of ${algorithm} (use ${known})` });
    } else {
      const param = String(issue.path[0] ?? 'params');
      if (details.some((d) => d.param === param)) continue;
      details.push({
        param,
        problem: `${issue.message} (got ${shown((input as Record<string, unknown>)[param])})`,
      });
    }
  }
  throw new ParamsError(`${algorithm} parameters`, details);
}

/**
 * LOF keeps every row's neighbourhood (k rows, more on ties) in memory: rows × k pairs. Bounding
 * the pairs keeps one experiment's memory to tens of megabytes whatever the data and k.
 */
export const MAX_NEIGHBOUR_PAIRS = 2_000_000;

/** The largest k the data allows: fewer than the rows, and within the neighbour-pair bound. */
export function largestK(rows: number): number {
  return Math.min(rows - 1, Math.floor(MAX_NEIGHBOUR_PAIRS / Math.max(rows, 1)));
}

/** The checks that need the number of rows: neighbour counts and seasonal periods must fit the data. */
export function checkParamsFitRows(
  algorithm: AlgorithmName,
  params: Record<string, number>,
  rows: number,
): void {
  const details: ParamProblem[] = [];
  const k = params.k;
  if (k !== undefined && k > rows - 1) {
    details.push({
      param: 'k',
      problem:
        rows < 2
          ? `needs at least 2 rows to compare (got ${rows})`
          : `must be an integer between 1 and ${rows - 1}, one less than the ${rows} rows (got ${k})`,
    });
  } else if (k !== undefined && k > largestK(rows)) {
    details.push({
      param: 'k',
      problem:
        largestK(rows) < 1
          ? `cannot be used on ${rows} rows: at most ${MAX_NEIGHBOUR_PAIRS.toLocaleString('en')} neighbour pairs are held in memory, so use isolation_forest or robust_zscore`
          : `must be an integer between 1 and ${largestK(rows)} for ${rows} rows, so that at most ${MAX_NEIGHBOUR_PAIRS.toLocaleString('en')} neighbour pairs are held in memory (got ${k})`,
    });
  }
  const period = params.period;
  if (period !== undefined && period > Math.floor(rows / 2)) {
    details.push({
      param: 'period',
      problem:
        rows < 4
          ? `needs at least 4 rows, two full cycles (got ${rows})`
          : `must be an integer between 2 and ${Math.floor(rows / 2)}, so each phase repeats at least twice in ${rows} rows (got ${period})`,
    });
  }
  if (details.length > 0) throw new ParamsError(`${algorithm} parameters for this dataset`, details);
}
