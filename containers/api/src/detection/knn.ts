/**
 * k-NN distance detector (Ramaswamy et al. 2000): a row's score is its distance to its k-th
 * nearest neighbour; isolated rows are far from even their closest peers.
 */
import { nearestNeighbours } from './neighbours.ts';
import type { Matrix } from './preprocessing.ts';
import type { Progress } from './work-progress.ts';

export async function knnDistanceScores(
  matrix: Matrix,
  k: number,
  progress: Progress,
): Promise<Float64Array> {
  const { kDistance } = await nearestNeighbours(matrix, k, progress, { neighbourhoods: false });
  return kDistance;
}
