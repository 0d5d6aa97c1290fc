import type { ModelCache } from '../deployments/model-cache.ts';
import { rowsToFeatures } from '../deployments/scoring.ts';
import { type Severity, severityOf } from '../events/severity.ts';
import type { ServingModel, SessionDirectory } from './session-directory.ts';

export type EventScore =
  | {
      ok: true;
      score: number;
      anomaly: boolean;
      /** Only for anomalies: how serious, and which features made it stand out. */
      severity: Severity;
      distance: number;
      contributions: Record<string, number>;
      threshold: number;
    }
  | { ok: false; problem: string };

const unscorable =
  'the model cannot score these readings (its score is not a finite number); send readings in the range the model was trained on.';

export class NoServingDeploymentError extends Error {
  override name = 'NoServingDeploymentError';
}

/**
 * Scores a session's events with the deployment serving its model in production right now, so
 * a promotion or a rollback takes effect on the very next batch. Events that lack a feature the
 * model needs cannot be scored and come back with the problem.
 */
export async function scoreSessionEvents(
  services: { models: ModelCache; directory: SessionDirectory },
  tenantId: string,
  modelName: string,
  values: readonly Record<string, number | null>[],
): Promise<{ serving: ServingModel; scores: EventScore[] }> {
  const serving = await services.directory.servingModel(tenantId, modelName);
  if (!serving) {
    throw new NoServingDeploymentError(
      `No deployment of ${modelName} serves production; promote one, then resume the session.`,
    );
  }
  const { model } = await services.models.load(tenantId, serving.modelVersionId);
  const { matrix, problems } = rowsToFeatures(model.features, values);
  const broken = new Map(
    problems.map((problem) => [problem.row - 1, `values.${problem.feature} ${problem.problem}.`]),
  );
  const usable = matrix.filter((_, index) => !broken.has(index));
  const { scores, flags } = model.score(usable);
  let next = 0;
  const results = matrix.map((row, index): EventScore => {
    const problem = broken.get(index);
    if (problem) return { ok: false, problem };
    const score = scores[next] as number;
    const anomaly = flags[next] as boolean;
    next++;
    // Finite readings far beyond anything the model saw can still overflow its arithmetic.
    if (!Number.isFinite(score)) return { ok: false, problem: unscorable };
    if (!anomaly)
      return {
        ok: true,
        score,
        anomaly,
        severity: 'info',
        distance: 0,
        contributions: {},
        threshold: model.threshold,
      };
    const explained = model.explain(row);
    return {
      ok: true,
      score,
      anomaly,
      severity: severityOf(true, explained.distance),
      distance: explained.distance,
      contributions: explained.contributions,
      threshold: model.threshold,
    };
  });
  return { serving, scores: results };
}
