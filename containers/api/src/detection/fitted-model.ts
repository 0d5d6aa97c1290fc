/**
 * A detector fitted once on its training rows and kept in memory, so a deployment scores new
 * rows without retraining: Isolation Forest keeps its trees, LOF and k-NN their (scaled)
 * training rows, the robust z-score its medians and scales. Rows are flagged against the
 * threshold the training run drew: the smallest flagged training score under contamination, or
 * the z-score threshold itself.
 */
import {
  applyScale,
  deviationOf,
  type FeatureScale,
  fitImputation,
  fitRobustScale,
  imputeRows,
} from './feature-scaling.ts';
import { flagAtOrAbove, flaggedCount, flagHighestScores, smallestFlaggedScore } from './flagging.ts';
import { fitIsolationForest, scoreIsolationForest } from './isolation-forest-model.ts';
import {
  fitKnnDistance,
  fitLocalOutlierFactor,
  scoreKnnDistance,
  scoreLocalOutlierFactor,
} from './neighbour-models.ts';
import { checkParamsFitRows, parseParams } from './params.ts';
import { FeaturesError, type Matrix } from './preprocessing.ts';
import { createRandom } from './prng.ts';
import { fitRobustZScore, scoreRobustZScore } from './robust-zscore-model.ts';
import type { AlgorithmName } from './types.ts';

/** The model cannot be fitted for serving (as opposed to a bad request). */
export class ModelFitError extends Error {
  override name = 'ModelFitError';
}

export interface ScoredRows {
  scores: number[];
  flags: boolean[];
}

export interface Explanation {
  /** Distance from the training centre in robust standard deviations (see feature-scaling.ts). */
  distance: number;
  /** Feature name → share of that distance (sums to 1). */
  contributions: Record<string, number>;
}

export interface FittedModel {
  algorithm: AlgorithmName;
  /** Feature names in the order rows must give them. */
  features: string[];
  params: Record<string, number>;
  /** Rows scoring at or above this are flagged; +Infinity when nothing can be. */
  threshold: number;
  trainingRows: number;
  /** Scores rows of features (NaN = missing, filled with the training median). */
  score(rows: readonly (readonly number[])[]): ScoredRows;
  /** Per-feature deviation of one row (same feature order), for contributions and severity. */
  explain(row: readonly number[]): Explanation;
}

export interface FitInput {
  algorithm: AlgorithmName;
  params: Record<string, unknown>;
  seed: number;
  featureNames: string[];
  /** Training rows × features, NaN for a missing value. */
  features: number[][];
}

type Scorer = (matrix: Matrix) => Float64Array;

function thresholdFor(params: Record<string, number>, trainingScores: Float64Array): number {
  if (params.contamination === undefined) return params.threshold as number;
  const flags = flagHighestScores(trainingScores, flaggedCount(params.contamination, trainingScores.length));
  return smallestFlaggedScore(trainingScores, flags);
}

async function fitScorer(
  algorithm: AlgorithmName,
  params: Record<string, number>,
  seed: number,
  training: Matrix,
  scale: FeatureScale,
): Promise<{ scorer: Scorer; trainingScores: Float64Array }> {
  switch (algorithm) {
    case 'isolation_forest': {
      const forest = fitIsolationForest(
        training,
        { trees: params.trees as number, sampleSize: params.sampleSize as number },
        createRandom(seed),
      );
      return {
        scorer: (matrix) => scoreIsolationForest(forest, matrix),
        trainingScores: scoreIsolationForest(forest, training),
      };
    }
    case 'lof': {
      const model = await fitLocalOutlierFactor(applyScale(scale, training), params.k as number);
      return {
        scorer: (matrix) => scoreLocalOutlierFactor(model, applyScale(scale, matrix)),
        trainingScores: model.trainingScores,
      };
    }
    case 'knn': {
      const model = await fitKnnDistance(applyScale(scale, training), params.k as number);
      return {
        scorer: (matrix) => scoreKnnDistance(model, applyScale(scale, matrix)),
        trainingScores: model.trainingScores,
      };
    }
    case 'robust_zscore': {
      if (params.period !== undefined) {
        throw new ModelFitError(
          'A seasonal robust z-score scores positions in one series, not independent rows; register a run without a seasonal period to deploy it.',
        );
      }
      const model = fitRobustZScore(training);
      return {
        scorer: (matrix) => scoreRobustZScore(model, matrix),
        trainingScores: scoreRobustZScore(model, training),
      };
    }
  }
}

export async function fitModel(input: FitInput): Promise<FittedModel> {
  const params = parseParams(input.algorithm, input.params);
  const columns = input.featureNames.length;
  if (columns === 0) {
    throw new FeaturesError(
      'The training data has no numeric feature columns; the model has nothing to score.',
    );
  }
  if (input.features.length === 0)
    throw new FeaturesError('The training data has no rows; the model cannot be fitted.');
  checkParamsFitRows(input.algorithm, params, input.features.length);
  const fills = fitImputation(input.features, columns);
  const training = imputeRows(input.features, fills);
  const scale = fitRobustScale(training);
  const { scorer, trainingScores } = await fitScorer(input.algorithm, params, input.seed, training, scale);
  const threshold = thresholdFor(params, trainingScores);

  return {
    algorithm: input.algorithm,
    features: [...input.featureNames],
    params,
    threshold,
    trainingRows: input.features.length,
    score(rows) {
      if (rows.length === 0) return { scores: [], flags: [] };
      const scores = Array.from(scorer(imputeRows(rows, fills)));
      return { scores, flags: flagAtOrAbove(scores, threshold) };
    },
    explain(row) {
      const filled = imputeRows([row], fills).values;
      const deviation = deviationOf(scale, filled);
      const contributions: Record<string, number> = {};
      input.featureNames.forEach((name, f) => {
        contributions[name] = deviation.shares[f] as number;
      });
      return { distance: deviation.distance, contributions };
    },
  };
}
