/**
 * The platform's anomaly detectors: validate parameters, prepare the features, score every row,
 * flag the most anomalous, and measure the result against labels.
 */
import { flagAtOrAbove, flaggedCount, flagHighestScores, smallestFlaggedScore } from './flagging.ts';
import { isolationForestScores } from './isolation-forest.ts';
import { knnDistanceScores } from './knn.ts';
import { localOutlierFactors } from './lof.ts';
import { checkParamsFitRows, parseParams } from './params.ts';
import { FeaturesError, type Matrix, robustScale, toImputedMatrix } from './preprocessing.ts';
import { createRandom } from './prng.ts';
import { robustZScores } from './robust-zscore.ts';
import type { AlgorithmName, DetectionInput, DetectionResult } from './types.ts';
import { createProgress, type Progress } from './work-progress.ts';

export { evaluate } from './metrics.ts';
export { algorithms, isAlgorithmName, ParamsError, parseParams } from './params.ts';
export { FeaturesError } from './preprocessing.ts';
export type { AlgorithmName, DetectionInput, DetectionResult, Metrics } from './types.ts';

type Scorer = (
  matrix: Matrix,
  params: Record<string, number>,
  seed: number,
  progress: Progress,
) => Promise<Float64Array>;

// Isolation Forest and the robust z-score look at one feature at a time, so units do not matter
// to them; distances do, so LOF and k-NN see robustly scaled features.
const scorers: Record<AlgorithmName, Scorer> = {
  isolation_forest: (matrix, params, seed, progress) =>
    isolationForestScores(
      matrix,
      { trees: params.trees as number, sampleSize: params.sampleSize as number },
      createRandom(seed),
      progress,
    ),
  lof: (matrix, params, _seed, progress) =>
    localOutlierFactors(robustScale(matrix), params.k as number, progress),
  robust_zscore: (matrix, params, _seed, progress) =>
    robustZScores(matrix, { period: params.period }, progress),
  knn: (matrix, params, _seed, progress) =>
    knnDistanceScores(robustScale(matrix), params.k as number, progress),
};

/**
 * Scores every row (higher = more anomalous) and flags the top round(contamination × rows);
 * robust_zscore without contamination flags scores at or above its threshold instead.
 * Yields to the event loop between chunks of work and reports progress through `onProgress`.
 */
export async function detect(algorithm: AlgorithmName, input: DetectionInput): Promise<DetectionResult> {
  const params = parseParams(algorithm, input.params ?? {});
  const matrix = toImputedMatrix(input.features);
  checkParamsFitRows(algorithm, params, matrix.rows);
  if (algorithm === 'isolation_forest' && matrix.rows < 2) {
    throw new FeaturesError(
      `Isolation Forest needs at least 2 rows to isolate one from another (got ${matrix.rows}).`,
    );
  }
  const progress = createProgress(input.onProgress);
  const raw = await scorers[algorithm](matrix, params, input.seed, progress.slice(0, 0.99));
  const scores = Array.from(raw);

  const flags =
    params.contamination === undefined
      ? flagAtOrAbove(scores, params.threshold as number)
      : flagHighestScores(scores, flaggedCount(params.contamination, scores.length));
  await progress.advance(1);
  return { scores, flags, threshold: smallestFlaggedScore(scores, flags), params };
}
