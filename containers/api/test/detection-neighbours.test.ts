import { expect, test } from '@playwright/test';
import { kthNearestSquared, kthSmallest, squaredDistances } from '../src/detection/distance-scan.ts';
import { detect } from '../src/detection/index.ts';
import { knnDistanceScores } from '../src/detection/knn.ts';
import { localOutlierFactors } from '../src/detection/lof.ts';
import { nearestNeighbours } from '../src/detection/neighbours.ts';
import { type Matrix, toImputedMatrix } from '../src/detection/preprocessing.ts';
import { createRandom } from '../src/detection/prng.ts';
import { createProgress } from '../src/detection/work-progress.ts';

/**
 * A unit square and one far point:
 *   A(0,0) B(0,1) C(1,0) D(1,1) E(3,3)
 * Distances: AB = AC = BD = CD = 1, AD = BC = √2, DE = √8 = 2√2, BE = CE = √13, AE = √18.
 */
const square: number[][] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [3, 3],
];
const matrixOf = (rows: number[][]): Matrix => toImputedMatrix(rows);

test.describe('k-nearest neighbours', () => {
  test('k-distances and neighbourhoods include every row tied at the k-distance', async () => {
    const found = await nearestNeighbours(matrixOf(square), 2, createProgress(), { neighbourhoods: true });
    // k = 2: each square corner has two neighbours at 1; E's 2nd nearest is B or C at √13.
    expect(Array.from(found.kDistance)).toEqual([1, 1, 1, 1, Math.sqrt(13)]);
    const neighbourhood = (row: number) =>
      Array.from(found.index.subarray(found.start[row], found.start[row + 1])).sort();
    expect(neighbourhood(0)).toEqual([1, 2]);
    expect(neighbourhood(1)).toEqual([0, 3]);
    expect(neighbourhood(3)).toEqual([1, 2]);
    // B and C tie at √13, so E's 2-distance neighbourhood holds three rows: D, B and C.
    expect(neighbourhood(4)).toEqual([1, 2, 3]);
  });

  test('k-NN distance is the distance to the k-th nearest row, duplicates counted', async () => {
    expect(Array.from(await knnDistanceScores(matrixOf(square), 1, createProgress()))).toEqual([
      1,
      1,
      1,
      1,
      Math.sqrt(8),
    ]);
    expect(Array.from(await knnDistanceScores(matrixOf(square), 3, createProgress()))).toEqual([
      Math.SQRT2,
      Math.SQRT2,
      Math.SQRT2,
      Math.SQRT2,
      Math.sqrt(13),
    ]);
    // Two identical rows are each other's nearest neighbour at distance 0.
    const duplicates = await knnDistanceScores(matrixOf([[0], [0], [5]]), 1, createProgress());
    expect(Array.from(duplicates)).toEqual([0, 0, 5]);
  });

  test('knn through detect sees robustly scaled features', async () => {
    // Both features are {0,0,1,1,3}: median 1, quartiles 0 and 1 (linear interpolation), so
    // IQR = 1 and each unit becomes 1.349 standard units; every distance grows by 1.349.
    const result = await detect('knn', { features: square, params: { k: 2, contamination: 0.2 }, seed: 1 });
    const expected = [1, 1, 1, 1, Math.sqrt(13)].map((distance) => distance * 1.349);
    for (const [i, score] of result.scores.entries()) expect(score).toBeCloseTo(expected[i] as number, 12);
    expect(result.flags).toEqual([false, false, false, false, true]);
    expect(result.threshold).toBeCloseTo(Math.sqrt(13) * 1.349, 12);
  });
});

test.describe('local outlier factor', () => {
  test('matches the values derived by hand on the square and far point', async () => {
    // k = 2. k-distances: A..D = 1, E = √13 (neighbourhood D, B, C).
    // reach-dist(p, o) = max(k-distance(o), d(p, o)):
    //   corners reach their two neighbours at max(1, 1) = 1 → lrd = 1 / 1 = 1;
    //   E reaches D at max(1, 2√2), B and C at max(1, √13) → lrd(E) = 3 / (2√2 + 2√13).
    // LOF(corner) = mean lrd of two corners / 1 = 1.
    // LOF(E) = mean(lrd D, B, C) / lrd(E) = (2√2 + 2√13) / 3 ≈ 3.34651.
    const scores = await localOutlierFactors(matrixOf(square), 2, createProgress());
    for (const corner of [0, 1, 2, 3]) expect(scores[corner]).toBeCloseTo(1, 9);
    expect(scores[4]).toBeCloseTo((2 * Math.SQRT2 + 2 * Math.sqrt(13)) / 3, 9);
    expect(scores[4]).toBeCloseTo(3.34651, 5);
  });

  test('is unchanged by detect’s scaling when both features share one spread', async () => {
    // Scaling multiplies every distance by 1.349; LOF is a ratio of densities, so it is unchanged.
    const result = await detect('lof', { features: square, params: { k: 2, contamination: 0.2 }, seed: 1 });
    expect(result.scores[4]).toBeCloseTo((2 * Math.SQRT2 + 2 * Math.sqrt(13)) / 3, 9);
    expect(result.flags).toEqual([false, false, false, false, true]);
  });

  test('duplicated rows stay finite: LOF 1 among themselves', async () => {
    const scores = await localOutlierFactors(matrixOf([[0], [0], [0], [0], [4]]), 2, createProgress());
    for (const row of [0, 1, 2, 3]) expect(scores[row]).toBeCloseTo(1, 9);
    expect(Number.isFinite(scores[4])).toBe(true);
    expect(scores[4]).toBeGreaterThan(1e9);
  });
});

test.describe('the distance scan', () => {
  test('gives the distances of a loop per feature bit for bit, for one to nine features', () => {
    const random = createRandom(7);
    const rows = 37;
    for (let features = 1; features <= 9; features++) {
      const columns = Array.from({ length: features }, () =>
        Float64Array.from({ length: rows }, () => random.next() * 1e3 - 500),
      );
      const own = columns.map((column) => column[11] as number);
      const expected = new Float64Array(rows);
      for (const [f, column] of columns.entries())
        for (let j = 0; j < rows; j++) {
          const delta = (column[j] as number) - (own[f] as number);
          expected[j] = (expected[j] as number) + delta * delta;
        }
      const scanned = new Float64Array(rows).fill(Number.NaN);
      squaredDistances(columns, own, scanned);
      expect(Array.from(scanned), `${features} features`).toEqual(Array.from(expected));
    }
  });

  test('finds the k-th smallest for every k, with duplicates and an excluded row anywhere', () => {
    const values = Float64Array.from([5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
    const heap = new Float64Array(values.length);
    for (const excluded of [0, 3, values.length - 1]) {
      const others = [...values].filter((_, j) => j !== excluded).sort((a, b) => a - b);
      for (let k = 1; k <= others.length; k++) {
        const scanned = Float64Array.from(values);
        scanned[excluded] = Number.POSITIVE_INFINITY;
        expect(kthSmallest(scanned, k, heap), `k = ${k}, row ${excluded} excluded`).toBe(others[k - 1]);
      }
    }
  });

  test('the one-pass k-th nearest matches sorting every distance, for one to six features, self included or not', () => {
    const random = createRandom(11);
    const rows = 41;
    const heap = new Float64Array(rows);
    const scratch = new Float64Array(rows);
    for (let features = 1; features <= 6; features++) {
      // Whole numbers on a small grid: many rows tie, and some duplicate the scanned row.
      const columns = Array.from({ length: features }, () =>
        Float64Array.from({ length: rows }, () => random.below(4)),
      );
      const distances = new Float64Array(rows);
      for (const [label, own] of [
        ['a training row', columns.map((column) => column[5] as number)],
        ['a new row', columns.map(() => 1.5)],
      ] as const) {
        squaredDistances(columns, own, distances);
        const sorted = [...distances].sort((x, y) => x - y);
        for (const rank of [1, 2, 7, rows]) {
          expect(
            kthNearestSquared(columns, own, rank, heap, scratch),
            `${features} features, ${label}, rank ${rank}`,
          ).toBe(sorted[rank - 1]);
        }
      }
    }
  });
});
