/**
 * Robust (modified) z-score, Iglewicz & Hoaglin 1993: |x − median| / (1.4826 · MAD) per feature,
 * and a row's score is its largest feature score, so one wild sensor is enough to stand out.
 * With a seasonal period, each phase's own median (rows i ≡ phase mod period) is removed first,
 * so a value that is normal for the season but wrong for its phase still shows.
 */

import { meanAbsoluteDeviation, median, medianAbsoluteDeviation } from './order-statistics.ts';
import { column, type Matrix } from './preprocessing.ts';
import type { Progress } from './work-progress.ts';

const MAD_TO_SIGMA = 1.4826;
// When more than half the values are identical the MAD is 0; IBM's modified z-score then uses
// the mean absolute deviation scaled by sqrt(pi/2) ≈ 1.253314 instead.
const MEAN_AD_TO_SIGMA = 1.253314;

/** Subtracts from each value the median of its phase (index mod period). */
export function removeSeasonalMedians(values: Float64Array, period: number): Float64Array {
  const residuals = new Float64Array(values.length);
  for (let phase = 0; phase < period; phase++) {
    const members: number[] = [];
    for (let i = phase; i < values.length; i += period) members.push(values[i] as number);
    const centre = median(members);
    for (let i = phase; i < values.length; i += period) residuals[i] = (values[i] as number) - centre;
  }
  return residuals;
}

/** |x − median| / scale for one feature; all zeros for a constant feature. */
export function featureZScores(values: Float64Array): Float64Array {
  const centre = median(values);
  const mad = medianAbsoluteDeviation(values, centre);
  const scale = mad > 0 ? MAD_TO_SIGMA * mad : MEAN_AD_TO_SIGMA * meanAbsoluteDeviation(values, centre);
  const scores = new Float64Array(values.length);
  if (!(scale > 0)) return scores;
  for (let i = 0; i < values.length; i++) scores[i] = Math.abs((values[i] as number) - centre) / scale;
  return scores;
}

export async function robustZScores(
  matrix: Matrix,
  options: { period?: number },
  progress: Progress,
): Promise<Float64Array> {
  const scores = new Float64Array(matrix.rows);
  for (let f = 0; f < matrix.columns; f++) {
    const raw = column(matrix, f);
    const feature = featureZScores(options.period ? removeSeasonalMedians(raw, options.period) : raw);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.max(scores[i] as number, feature[i] as number);
    await progress.advance((f + 1) / matrix.columns);
  }
  return scores;
}
