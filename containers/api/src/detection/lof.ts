/**
 * Local Outlier Factor (Breunig et al. 2000). A row's local reachability density is the inverse
 * of its mean reachability distance to its k-distance neighbourhood; its LOF is the mean density
 * of its neighbours divided by its own. About 1 inside a cluster, well above 1 for an outlier.
 */
import { nearestNeighbours } from './neighbours.ts';
import type { Matrix } from './preprocessing.ts';
import type { Progress } from './work-progress.ts';

/**
 * Added to every mean reachability distance (the same guard scikit-learn uses): more than k
 * identical rows have a mean of 0, whose density would otherwise be infinite and whose
 * neighbours' LOF would be NaN. Such duplicates get LOF 1 among themselves.
 */
const DUPLICATE_GUARD = 1e-10;

export async function localOutlierFactors(
  matrix: Matrix,
  k: number,
  progress: Progress,
): Promise<Float64Array> {
  const n = matrix.rows;
  const { kDistance, start, index, distance } = await nearestNeighbours(matrix, k, progress.slice(0, 0.95), {
    neighbourhoods: true,
  });

  const density = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const from = start[p] as number;
    const to = start[p + 1] as number;
    let reach = 0;
    for (let e = from; e < to; e++) {
      // reach-dist_k(p, o) = max(k-distance(o), d(p, o))
      reach += Math.max(kDistance[index[e] as number] as number, distance[e] as number);
    }
    density[p] = 1 / (reach / (to - from) + DUPLICATE_GUARD);
  }

  const scores = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const from = start[p] as number;
    const to = start[p + 1] as number;
    let neighbourDensity = 0;
    for (let e = from; e < to; e++) neighbourDensity += density[index[e] as number] as number;
    scores[p] = neighbourDensity / (to - from) / (density[p] as number);
  }
  await progress.advance(1);
  return scores;
}
