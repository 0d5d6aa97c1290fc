/**
 * An Isolation Forest that keeps its trees, so rows that arrive after training (a deployed
 * model's traffic) can be scored against them. Trees are grown exactly as in
 * isolation-forest.ts, drawing from the seeded generator in the same order, so for the same data
 * and seed the forest scores the training rows exactly as the experiment's run did.
 */
import { averagePathLength, growTree, subsample, type Tree } from './isolation-forest.ts';
import type { Matrix } from './preprocessing.ts';
import type { Random } from './prng.ts';

export interface IsolationForestModel {
  trees: Tree[];
  /** c(ψ) of the subsample size used: the path length that maps to a score of 0.5. */
  normaliser: number;
}

/**
 * Only the nodes actually grown are kept: a deployed model may live in memory for a long time.
 * Nodes are numbered as they are made, two children per split, so 1 + 2 × splits were grown.
 */
function trimmed(tree: Tree): Tree {
  let splits = 0;
  for (const feature of tree.feature) if (feature >= 0) splits++;
  const nodes = 1 + 2 * splits;
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
    trees.push(trimmed(growTree(matrix, subsample(matrix.rows, sampleSize, random), heightLimit, random)));
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
