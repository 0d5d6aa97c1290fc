/**
 * LOF and k-NN distance for rows that arrive after training ("novelty" scoring): a new row is
 * compared with the training rows only, never with the other new rows, so a batch of anomalies
 * cannot make itself look normal by crowding together.
 */
import { kthNearestSquared, kthSmallest, squaredDistances } from './distance-scan.ts';
import { nearestNeighbours } from './neighbours.ts';
import type { Matrix } from './preprocessing.ts';
import { createProgress } from './work-progress.ts';

/** The same guard as lof.ts: duplicates would otherwise have an infinite density. */
const DUPLICATE_GUARD = 1e-10;

export interface NeighbourModel {
  /** The training rows, already on the model's scale, feature-major for fast scans. */
  columns: Float64Array[];
  rows: number;
  k: number;
  /** k-distance of every training row. */
  kDistance: Float64Array;
  /** Local reachability density of every training row (LOF only; empty for k-NN). */
  density: Float64Array;
  /** In-sample scores of the training rows, as the experiment's run computed them. */
  trainingScores: Float64Array;
}

function featureMajor(matrix: Matrix): Float64Array[] {
  return Array.from({ length: matrix.columns }, (_, f) => {
    const values = new Float64Array(matrix.rows);
    for (let j = 0; j < matrix.rows; j++) values[j] = matrix.values[j * matrix.columns + f] as number;
    return values;
  });
}

/** Fits LOF on scaled training rows; its training scores equal lof.ts's for the same input. */
export async function fitLocalOutlierFactor(matrix: Matrix, k: number): Promise<NeighbourModel> {
  const n = matrix.rows;
  const { kDistance, start, index, distance } = await nearestNeighbours(matrix, k, createProgress(), {
    neighbourhoods: true,
  });
  const density = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const from = start[p] as number;
    const to = start[p + 1] as number;
    let reach = 0;
    for (let e = from; e < to; e++) {
      reach += Math.max(kDistance[index[e] as number] as number, distance[e] as number);
    }
    density[p] = 1 / (reach / (to - from) + DUPLICATE_GUARD);
  }
  const trainingScores = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const from = start[p] as number;
    const to = start[p + 1] as number;
    let neighbourDensity = 0;
    for (let e = from; e < to; e++) neighbourDensity += density[index[e] as number] as number;
    trainingScores[p] = neighbourDensity / (to - from) / (density[p] as number);
  }
  return { columns: featureMajor(matrix), rows: n, k, kDistance, density, trainingScores };
}

export async function fitKnnDistance(matrix: Matrix, k: number): Promise<NeighbourModel> {
  const { kDistance } = await nearestNeighbours(matrix, k, createProgress(), { neighbourhoods: false });
  return {
    columns: featureMajor(matrix),
    rows: matrix.rows,
    k,
    kDistance,
    density: new Float64Array(0),
    trainingScores: kDistance,
  };
}

function rowOf(matrix: Matrix, i: number): Float64Array {
  return matrix.values.subarray(i * matrix.columns, (i + 1) * matrix.columns);
}

/** Distance from each new row to its k-th nearest training row. */
export function scoreKnnDistance(model: NeighbourModel, matrix: Matrix): Float64Array {
  const squared = new Float64Array(model.rows);
  const heap = new Float64Array(model.k);
  const scores = new Float64Array(matrix.rows);
  for (let i = 0; i < matrix.rows; i++) {
    scores[i] = Math.sqrt(kthNearestSquared(model.columns, rowOf(matrix, i), model.k, heap, squared));
  }
  return scores;
}

/**
 * LOF of each new row against the training rows: its neighbourhood is the training rows within
 * its k-distance, reachability uses their k-distances, and the ratio is their mean density over
 * its own (Breunig et al. 2000, applied to a point outside the fitted set).
 */
export function scoreLocalOutlierFactor(model: NeighbourModel, matrix: Matrix): Float64Array {
  const squared = new Float64Array(model.rows);
  const heap = new Float64Array(model.k);
  const scores = new Float64Array(matrix.rows);
  for (let i = 0; i < matrix.rows; i++) {
    squaredDistances(model.columns, rowOf(matrix, i), squared);
    const kthSquared = kthSmallest(squared, model.k, heap);
    let reach = 0;
    let neighbourDensity = 0;
    let members = 0;
    for (let j = 0; j < model.rows; j++) {
      const d2 = squared[j] as number;
      if (d2 > kthSquared) continue;
      reach += Math.max(model.kDistance[j] as number, Math.sqrt(d2));
      neighbourDensity += model.density[j] as number;
      members++;
    }
    const density = 1 / (reach / members + DUPLICATE_GUARD);
    scores[i] = neighbourDensity / members / density;
  }
  return scores;
}
