/**
 * An Isolation Forest that keeps its trees, so rows that arrive after training (a deployed
 * model's traffic) can be scored against them. Trees are grown exactly as in
 * isolation-forest.ts, drawing from the seeded generator in the same order, so for the same data
 * and seed the forest scores the training rows exactly as the experiment's run did.
 */
import { averagePathLength } from './isolation-forest.ts';
import type { Matrix } from './preprocessing.ts';
import type { Random } from './prng.ts';

interface Tree {
  /** Split feature per node; −1 marks a leaf. */
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Training rows that reached each leaf. */
  size: Int32Array;
}

export interface IsolationForestModel {
  trees: Tree[];
  /** c(ψ) of the subsample size used: the path length that maps to a score of 0.5. */
  normaliser: number;
}

/** Draws `size` distinct rows (a partial Fisher–Yates shuffle), consuming `random` as training did. */
function subsample(rows: number, size: number, random: Random): Uint32Array {
  const pool = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.below(rows - i);
    const chosen = pool[j] as number;
    pool[j] = pool[i] as number;
    pool[i] = chosen;
  }
  return pool.slice(0, size);
}

function growTree(matrix: Matrix, sample: Uint32Array, heightLimit: number, random: Random): Tree {
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
  // Only the nodes actually grown are kept: a deployed model may live in memory for a long time.
  return {
    feature: tree.feature.slice(0, nodes),
    split: tree.split.slice(0, nodes),
    left: tree.left.slice(0, nodes),
    right: tree.right.slice(0, nodes),
    size: tree.size.slice(0, nodes),
  };
}

export function fitIsolationForest(
  matrix: Matrix,
  options: { trees: number; sampleSize: number },
  random: Random,
): IsolationForestModel {
  if (matrix.rows < 2) throw new RangeError(`Isolation Forest needs at least 2 rows (got ${matrix.rows}).`);
  const sampleSize = Math.min(options.sampleSize, matrix.rows);
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  const trees: Tree[] = [];
  for (let t = 0; t < options.trees; t++) {
    trees.push(growTree(matrix, subsample(matrix.rows, sampleSize, random), heightLimit, random));
  }
  return { trees, normaliser: averagePathLength(sampleSize) };
}

/** 2^(−E[h(x)] / c(ψ)) for every row of `matrix`, whether or not the forest saw it in training. */
export function scoreIsolationForest(model: IsolationForestModel, matrix: Matrix): Float64Array {
  const { rows, columns, values } = matrix;
  const pathSums = new Float64Array(rows);
  for (const tree of model.trees) {
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
  const scores = new Float64Array(rows);
  const trees = model.trees.length;
  for (let i = 0; i < rows; i++) scores[i] = 2 ** -((pathSums[i] as number) / trees / model.normaliser);
  return scores;
}
