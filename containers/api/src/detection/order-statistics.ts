/**
 * Medians and quantiles of finite samples. Inputs are copied before sorting so callers can
 * keep their arrays in row order.
 */

/** Linear-interpolation quantile (the "type 7" definition used by R and NumPy) of sorted values. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const below = sorted[lower] as number;
  const above = sorted[upper] as number;
  return below + (above - below) * (position - lower);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: ArrayLike<number>): number {
  return quantileOfSorted(sortedCopy(values), 0.5);
}

/** Median absolute deviation around `centre` (unscaled). */
export function medianAbsoluteDeviation(values: ArrayLike<number>, centre: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs((values[i] as number) - centre);
  return median(deviations);
}

/** Mean absolute deviation around `centre`. */
export function meanAbsoluteDeviation(values: ArrayLike<number>, centre: number): number {
  if (values.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs((values[i] as number) - centre);
  return total / values.length;
}
