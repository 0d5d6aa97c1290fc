/**
 * Exact k-nearest-neighbour search by brute force over a typed matrix. O(n²·d) is the honest
 * choice at the platform's sizes (thousands of rows, a handful of features): no index to build,
 * no approximation, and the same answer on every machine.
 */
import { kthNearestSquared, kthSmallest, squaredDistances } from './distance-scan.ts';
import { MAX_NEIGHBOUR_PAIRS } from './params.ts';
import { FeaturesError, type Matrix } from './preprocessing.ts';
import { type Progress, unitsPerChunk } from './work-progress.ts';

export interface Neighbourhoods {
  /** Euclidean distance from each row to its k-th nearest other row (duplicates count). */
  kDistance: Float64Array;
  /**
   * The k-distance neighbourhood of row i, every other row no farther than its k-distance
   * (so ties at the k-distance are all included, as in Breunig et al. 2000):
   * rows `index[start[i] .. start[i + 1])` at distances `distance[start[i] .. start[i + 1])`.
   * Empty unless requested.
   */
  start: Uint32Array;
  index: Uint32Array;
  distance: Float64Array;
}

/** Rows other than `skip` no farther than `bound` (squared). */
function countWithin(squared: Float64Array, skip: number, bound: number): number {
  let count = 0;
  for (let j = 0; j < squared.length; j++) if (j !== skip && (squared[j] as number) <= bound) count++;
  return count;
}

export async function nearestNeighbours(
  matrix: Matrix,
  k: number,
  progress: Progress,
  options: { neighbourhoods: boolean },
): Promise<Neighbourhoods> {
  const { rows: n, columns: d, values } = matrix;
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new RangeError(`k must be between 1 and ${n - 1} for ${n} rows (got ${k}).`);
  }
  const kDistance = new Float64Array(n);
  const start = new Uint32Array(options.neighbourhoods ? n + 1 : 0);
  let index = new Uint32Array(options.neighbourhoods ? n * k : 0);
  let distance = new Float64Array(options.neighbourhoods ? n * k : 0);
  let used = 0;
  // Squared distances order rows exactly as distances do; the square root is taken only for
  // values that are kept.
  const squared = new Float64Array(n);
  // Each row meets itself at distance 0 (its duplicates count as neighbours, itself does not):
  // its k-th nearest other row is the (k + 1)-th smallest distance.
  const rank = k + 1;
  const heap = new Float64Array(rank);
  const chunk = unitsPerChunk(n * d);

  // Feature-major copies make the inner loop a straight walk over one array per feature.
  const featureColumns = Array.from({ length: d }, (_, f) => {
    const columnValues = new Float64Array(n);
    for (let j = 0; j < n; j++) columnValues[j] = values[j * d + f] as number;
    return columnValues;
  });

  for (let i = 0; i < n; i++) {
    const own = values.subarray(i * d, (i + 1) * d);
    let kthSquared: number;
    if (options.neighbourhoods) {
      squaredDistances(featureColumns, own, squared);
      kthSquared = kthSmallest(squared, rank, heap);
    } else {
      kthSquared = kthNearestSquared(featureColumns, own, rank, heap, squared);
    }
    kDistance[i] = Math.sqrt(kthSquared);

    if (options.neighbourhoods) {
      start[i] = used;
      for (let j = 0; j < n; j++) {
        if (j === i || (squared[j] as number) > kthSquared) continue;
        if (used === MAX_NEIGHBOUR_PAIRS) {
          // Ties at the k-distance all join a neighbourhood; thousands of identical rows would
          // make every pair of them neighbours, and the memory grow with rows².
          throw new FeaturesError(
            `The rows' neighbourhoods hold more than ${MAX_NEIGHBOUR_PAIRS.toLocaleString('en')} neighbour pairs because many rows tie at the same distance (row ${i + 1} has ${countWithin(squared, i, kthSquared)} neighbours within its k-distance, for k = ${k}); remove duplicate rows, or use isolation_forest or robust_zscore.`,
          );
        }
        if (used === index.length) {
          const grownIndex = new Uint32Array(index.length * 2);
          grownIndex.set(index);
          index = grownIndex;
          const grownDistance = new Float64Array(distance.length * 2);
          grownDistance.set(distance);
          distance = grownDistance;
        }
        index[used] = j;
        distance[used] = Math.sqrt(squared[j] as number);
        used++;
      }
    }
    if ((i + 1) % chunk === 0) await progress.advance((i + 1) / n);
  }
  if (options.neighbourhoods) start[n] = used;
  await progress.advance(1);
  return { kDistance, start, index: index.subarray(0, used), distance: distance.subarray(0, used) };
}
