/**
 * The robust z-score as a stored model: each feature's training median and scale, so a new row's
 * score is its largest |x − median| / scale, exactly as robust-zscore.ts scores training rows.
 */
import { meanAbsoluteDeviation, median, medianAbsoluteDeviation } from './order-statistics.ts';
import { column, type Matrix } from './preprocessing.ts';

const MAD_TO_SIGMA = 1.4826;
const MEAN_AD_TO_SIGMA = 1.253314;

export interface RobustZScoreModel {
  medians: Float64Array;
  /** 0 for a constant feature, which then never contributes to a score (as in training). */
  scales: Float64Array;
}

export function fitRobustZScore(matrix: Matrix): RobustZScoreModel {
  const medians = new Float64Array(matrix.columns);
  const scales = new Float64Array(matrix.columns);
  for (let f = 0; f < matrix.columns; f++) {
    const values = column(matrix, f);
    const centre = median(values);
    const mad = medianAbsoluteDeviation(values, centre);
    const scale = mad > 0 ? MAD_TO_SIGMA * mad : MEAN_AD_TO_SIGMA * meanAbsoluteDeviation(values, centre);
    medians[f] = centre;
    scales[f] = Number.isFinite(scale) && scale > 0 ? scale : 0;
  }
  return { medians, scales };
}

export function scoreRobustZScore(model: RobustZScoreModel, matrix: Matrix): Float64Array {
  const scores = new Float64Array(matrix.rows);
  for (let i = 0; i < matrix.rows; i++) {
    let worst = 0;
    for (let f = 0; f < matrix.columns; f++) {
      const scale = model.scales[f] as number;
      if (!(scale > 0)) continue;
      const z =
        Math.abs((matrix.values[i * matrix.columns + f] as number) - (model.medians[f] as number)) / scale;
      if (z > worst) worst = z;
    }
    scores[i] = worst;
  }
  return scores;
}
