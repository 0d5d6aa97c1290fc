/**
 * Isolation Forest (Liu, Ting & Zhou 2008). Anomalies are few and different, so random
 * axis-parallel splits isolate them in fewer steps than normal rows. Each tree is grown on a
 * random subsample; a row's score is 2^(−E[h(x)] / c(ψ)), where h is its path length (plus c of
 * the leaf's size for the unbuilt part of the tree) and c(ψ) the average path length of an
 * unsuccessful search in a binary search tree of ψ points. Near 1: anomaly; well below 0.5: normal.
 */
import type { Matrix } from './preprocessing.ts';
import type { Random } from './prng.ts';
import { type Progress, unitsPerChunk } from './work-progress.ts';

const EULER_MASCHERONI = 0.5772156649015329;

/**
 * c(n) = 2·H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + γ, as in the paper; c(2) = 1 exactly
 * (a two-point tree always isolates in one step) and c(n ≤ 1) = 0.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_MASCHERONI) - (2 * (n - 1)) / n;
}

export interface Tree {
  /** Split feature per node; −1 marks a leaf. */
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Training rows that reached each leaf. */
  size: Int32Array;
}

/** Draws `size` distinct rows (a partial Fisher–Yates shuffle). */
export function subsample(rows: number, size: number, random: Random): Uint32Array {
  const pool = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.below(rows - i);
    const chosen = pool[j] as number;
    pool[j] = pool[i] as number;
    pool[i] = chosen;
  }
  return pool.slice(0, size);
}

export function growTree(matrix: Matrix, sample: Uint32Array, heightLimit: number, random: Random): Tree {
  const { columns, values } = matrix;
  const capacity = 2 * sample.length - 1;
  const tree: Tree = {
    feature: new Int32Array(capacity).fill(-1),
    split: new Float64Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    size: new Int32Array(capacity),
  };
  const low = new Float64Array(columns);
  const high = new Float64Array(columns);
  const splittable = new Int32Array(columns);
  let nodes = 1;
  // Each pending node owns sample[from, to); partitioning in place keeps memory flat.
  const pending: { node: number; from: number; to: number; depth: number }[] = [
    { node: 0, from: 0, to: sample.length, depth: 0 },
  ];
  while (pending.length > 0) {
    const { node, from, to, depth } = pending.pop() as (typeof pending)[number];
    tree.size[node] = to - from;
    if (depth >= heightLimit || to - from <= 1) continue;

    low.fill(Number.POSITIVE_INFINITY);
    high.fill(Number.NEGATIVE_INFINITY);
    for (let s = from; s < to; s++) {
      const rowStart = (sample[s] as number) * columns;
      for (let f = 0; f < columns; f++) {
        const value = values[rowStart + f] as number;
        if (value < (low[f] as number)) low[f] = value;
        if (value > (high[f] as number)) high[f] = value;
      }
    }
    // Only a feature that varies here can separate these rows; identical rows stay a leaf.
    let candidates = 0;
    for (let f = 0; f < columns; f++)
      if ((high[f] as number) > (low[f] as number)) splittable[candidates++] = f;
    if (candidates === 0) continue;

    const feature = splittable[random.below(candidates)] as number;
    const min = low[feature] as number;
    const max = high[feature] as number;
    const split = min + random.next() * (max - min);

    let boundary = from;
    for (let s = from; s < to; s++) {
      const row = sample[s] as number;
      if ((values[row * columns + feature] as number) < split) {
        sample[s] = sample[boundary] as number;
        sample[boundary++] = row;
      }
    }
    tree.feature[node] = feature;
    tree.split[node] = split;
    tree.left[node] = nodes++;
    tree.right[node] = nodes++;
    pending.push({ node: tree.left[node] as number, from, to: boundary, depth: depth + 1 });
    pending.push({ node: tree.right[node] as number, from: boundary, to, depth: depth + 1 });
  }
  return tree;
}

/** Adds each row's path length through `tree` to `pathSums`. */
function addPathLengths(tree: Tree, matrix: Matrix, pathSums: Float64Array): void {
  const { rows, columns, values } = matrix;
  for (let i = 0; i < rows; i++) {
    let node = 0;
    let depth = 0;
    let feature = tree.feature[0] as number;
    while (feature >= 0) {
      node =
        (values[i * columns + feature] as number) < (tree.split[node] as number)
          ? (tree.left[node] as number)
          : (tree.right[node] as number);
      feature = tree.feature[node] as number;
      depth++;
    }
    pathSums[i] = (pathSums[i] as number) + depth + averagePathLength(tree.size[node] as number);
  }
}

export async function isolationForestScores(
  matrix: Matrix,
  options: { trees: number; sampleSize: number },
  random: Random,
  progress: Progress,
): Promise<Float64Array> {
  const { rows } = matrix;
  if (rows < 2) throw new RangeError(`Isolation Forest needs at least 2 rows (got ${rows}).`);
  const sampleSize = Math.min(options.sampleSize, rows);
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  const pathSums = new Float64Array(rows);
  const treesPerChunk = unitsPerChunk(rows * (heightLimit + 1) + sampleSize * matrix.columns * heightLimit);

  for (let t = 0; t < options.trees; t++) {
    const tree = growTree(matrix, subsample(rows, sampleSize, random), heightLimit, random);
    addPathLengths(tree, matrix, pathSums);
    if ((t + 1) % treesPerChunk === 0) await progress.advance((t + 1) / options.trees);
  }

  const normaliser = averagePathLength(sampleSize);
  const scores = new Float64Array(rows);
  for (let i = 0; i < rows; i++) scores[i] = 2 ** -((pathSums[i] as number) / options.trees / normaliser);
  await progress.advance(1);
  return scores;
}
