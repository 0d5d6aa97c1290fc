/**
 * Turns the platform's rows × features into a dense typed matrix the detectors can scan fast:
 * validates the shape, fills missing values, and (for the distance-based detectors) puts every
 * feature on a comparable scale so no single unit dominates the distances.
 */
import { meanAbsoluteDeviation, median, quantileOfSorted, sortedCopy } from './order-statistics.ts';

/** Row-major matrix: the value of row i, feature f is `values[i * columns + f]`. */
export interface Matrix {
  rows: number;
  columns: number;
  values: Float64Array;
}

/** The feature rows themselves cannot be scored (as opposed to a bad parameter). */
export class FeaturesError extends Error {
  override name = 'FeaturesError';
}

/**
 * Copies the rows into a matrix, replacing missing values (NaN, and ±Infinity, which no sensor
 * reports honestly) by their column's median. A column with no value at all becomes 0: it
 * carries no information, and a constant column cannot change any detector's ranking.
 */
export function toImputedMatrix(features: readonly (readonly number[])[]): Matrix {
  if (!Array.isArray(features) || features.length === 0) {
    throw new FeaturesError('There are no rows to score; provide at least one row of numeric features.');
  }
  const first = features[0];
  const columns = Array.isArray(first) ? first.length : 0;
  if (columns === 0) {
    throw new FeaturesError(
      'The rows have no numeric feature columns; add at least one numeric column other than the label.',
    );
  }
  const rows = features.length;
  const values = new Float64Array(rows * columns);
  const missing: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = features[i];
    if (!Array.isArray(row) || row.length !== columns) {
      throw new FeaturesError(
        `Row ${i + 1} has ${Array.isArray(row) ? row.length : 0} features but the first row has ${columns}; give every row the same columns.`,
      );
    }
    for (let f = 0; f < columns; f++) {
      const value = row[f];
      if (typeof value !== 'number') {
        throw new FeaturesError(
          `Row ${i + 1}, feature ${f + 1} is ${JSON.stringify(value)}, not a number; use NaN for a missing value.`,
        );
      }
      if (Number.isFinite(value)) {
        values[i * columns + f] = value;
      } else {
        missing.push(i * columns + f);
      }
    }
  }
  if (missing.length > 0) imputeByColumnMedian(values, rows, columns, missing);
  return { rows, columns, values };
}

function imputeByColumnMedian(values: Float64Array, rows: number, columns: number, missing: number[]): void {
  const isMissing = new Uint8Array(values.length);
  for (const index of missing) isMissing[index] = 1;
  for (let f = 0; f < columns; f++) {
    const present: number[] = [];
    for (let i = 0; i < rows; i++) {
      const index = i * columns + f;
      if (!isMissing[index]) present.push(values[index] as number);
    }
    if (present.length === rows) continue;
    const fill = present.length > 0 ? median(present) : 0;
    for (let i = 0; i < rows; i++) {
      const index = i * columns + f;
      if (isMissing[index]) values[index] = fill;
    }
  }
}

export function column(matrix: Matrix, f: number): Float64Array {
  const out = new Float64Array(matrix.rows);
  for (let i = 0; i < matrix.rows; i++) out[i] = matrix.values[i * matrix.columns + f] as number;
  return out;
}

// IQR / 1.349 and mean absolute deviation × 1.2533 both estimate the standard deviation of
// normal data, so the fallback keeps a feature on the same "one sigma = 1" footing.
const IQR_TO_SIGMA = 1.349;
const MEAN_AD_TO_SIGMA = 1.2533;

/**
 * A robust spread of one feature. The interquartile range ignores the very anomalies we look
 * for; when half the values are equal it is 0 (and so is the MAD), so fall back to the mean
 * absolute deviation, which is non-zero whenever the column is not constant.
 */
function robustSpread(values: Float64Array, centre: number): number {
  const sorted = sortedCopy(values);
  const iqr = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
  if (iqr > 0) return iqr / IQR_TO_SIGMA;
  return meanAbsoluteDeviation(values, centre) * MEAN_AD_TO_SIGMA;
}

/**
 * Robust standardisation, (x − median) / spread per feature, into a new matrix.
 * A constant feature becomes all zeros.
 */
export function robustScale(matrix: Matrix): Matrix {
  const { rows, columns } = matrix;
  const values = new Float64Array(rows * columns);
  for (let f = 0; f < columns; f++) {
    const feature = column(matrix, f);
    const centre = median(feature);
    const spread = robustSpread(feature, centre);
    for (let i = 0; i < rows; i++) {
      values[i * columns + f] = spread > 0 ? ((feature[i] as number) - centre) / spread : 0;
    }
  }
  return { rows, columns, values };
}
