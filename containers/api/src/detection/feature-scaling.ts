/**
 * What a deployed model remembers about its training features, so rows it has never seen are
 * prepared exactly as the training rows were: missing values filled with the training median,
 * and (for the distance-based detectors) each feature put on the training data's robust scale.
 */
import { meanAbsoluteDeviation, median, quantileOfSorted, sortedCopy } from './order-statistics.ts';
import { column, type Matrix } from './preprocessing.ts';

// The same estimators as `robustScale` in preprocessing.ts: IQR / 1.349, else mean AD × 1.2533.
const IQR_TO_SIGMA = 1.349;
const MEAN_AD_TO_SIGMA = 1.2533;

/** Per-feature centre and spread; a spread of 0 marks a constant feature, which scales to 0. */
export interface FeatureScale {
  centres: Float64Array;
  spreads: Float64Array;
}

/** The median of each feature's present values (0 for a feature with none), used to fill gaps. */
export function fitImputation(features: readonly (readonly number[])[], columns: number): Float64Array {
  const fills = new Float64Array(columns);
  for (let f = 0; f < columns; f++) {
    const present: number[] = [];
    for (const row of features) {
      const value = row[f];
      if (typeof value === 'number' && Number.isFinite(value)) present.push(value);
    }
    fills[f] = present.length > 0 ? median(present) : 0;
  }
  return fills;
}

/** Rows into a matrix, missing or non-finite values replaced by the training fill of their feature. */
export function imputeRows(rows: readonly (readonly number[])[], fills: Float64Array): Matrix {
  const columns = fills.length;
  const values = new Float64Array(rows.length * columns);
  rows.forEach((row, i) => {
    for (let f = 0; f < columns; f++) {
      const value = row[f];
      values[i * columns + f] =
        typeof value === 'number' && Number.isFinite(value) ? value : (fills[f] as number);
    }
  });
  return { rows: rows.length, columns, values };
}

export function fitRobustScale(matrix: Matrix): FeatureScale {
  const centres = new Float64Array(matrix.columns);
  const spreads = new Float64Array(matrix.columns);
  for (let f = 0; f < matrix.columns; f++) {
    const feature = column(matrix, f);
    const centre = median(feature);
    const sorted = sortedCopy(feature);
    const iqr = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
    centres[f] = centre;
    spreads[f] = iqr > 0 ? iqr / IQR_TO_SIGMA : meanAbsoluteDeviation(feature, centre) * MEAN_AD_TO_SIGMA;
  }
  return { centres, spreads };
}

/** (x − centre) / spread per feature, into a new matrix. */
export function applyScale(scale: FeatureScale, matrix: Matrix): Matrix {
  const { rows, columns } = matrix;
  const values = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < columns; f++) {
      const spread = scale.spreads[f] as number;
      values[i * columns + f] =
        spread > 0 ? ((matrix.values[i * columns + f] as number) - (scale.centres[f] as number)) / spread : 0;
    }
  }
  return { rows, columns, values };
}

export interface Deviation {
  /** Euclidean length of the scaled row: how far it is from the training centre, in robust SDs. */
  distance: number;
  /** Each feature's share of the squared distance (they sum to 1; all 0 for a row at the centre). */
  shares: number[];
  /** Each feature's signed deviation in robust SDs. */
  deviations: number[];
}

/**
 * Why a row stands out, independent of the detector: how far each feature lies from its training
 * median in robust standard deviations. Analysts read it as "which sensors were off, and by how much".
 */
export function deviationOf(scale: FeatureScale, row: Float64Array | readonly number[]): Deviation {
  const deviations: number[] = [];
  let total = 0;
  for (let f = 0; f < scale.centres.length; f++) {
    const spread = scale.spreads[f] as number;
    const z = spread > 0 ? ((row[f] as number) - (scale.centres[f] as number)) / spread : 0;
    deviations.push(z);
    total += z * z;
  }
  return {
    distance: Math.sqrt(total),
    shares: deviations.map((z) => (total > 0 ? (z * z) / total : 0)),
    deviations,
  };
}
