import type pg from 'pg';
import { z } from 'zod';
import { withTenant } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { parseInput } from '../http/validation.ts';
import type { DeploymentService } from './deployment-service.ts';
import { findServing, recordScoringRequest } from './deployments-repo.ts';
import type { ModelCache } from './model-cache.ts';

export const scoreRequestSchema = z.object({
  rows: z
    .array(
      z.record(z.string(), z.unknown(), { error: 'each row must be an object of feature name → number' }),
      {
        error: 'rows must be an array of objects, one per reading, such as [{"temperature": 64.2}]',
      },
    )
    .min(1, 'send at least one row'),
});

export interface RowProblem {
  row: number;
  feature: string;
  problem: string;
}

export interface ScoreResult {
  deploymentId: string;
  modelVersionId: string;
  modelName: string;
  version: number;
  algorithm: string;
  /** Rows scoring at or above it are flagged; null when the model flags nothing. */
  threshold: number | null;
  scores: number[];
  flags: boolean[];
  anomalies: number;
}

/** At most this many row problems are listed; the rest are counted. */
const listedProblems = 20;

/**
 * Picks each of the model's features out of each row: a number, or null for a missing reading
 * (filled with the training median). Other keys (labels, timestamps, text) are ignored.
 */
export function rowsToFeatures(
  features: readonly string[],
  rows: readonly Record<string, unknown>[],
): { matrix: number[][]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const matrix = rows.map((row, index) =>
    features.map((feature) => {
      const value = row[feature];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (value === null) return Number.NaN;
      problems.push({
        row: index + 1,
        feature,
        problem:
          value === undefined
            ? `is missing; send every feature the model uses (${features.join(', ')}), with null for a missing reading`
            : `must be a number or null (got ${JSON.stringify(value)?.slice(0, 40)})`,
      });
      return Number.NaN;
    }),
  );
  return { matrix, problems };
}

function rowsRefused(problems: RowProblem[]): ApiError {
  const first = problems[0] as RowProblem;
  const more =
    problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ApiError(
    'validation_failed',
    `Row ${first.row}, feature ${first.feature} ${first.problem}${more}; fix the rows listed in details and retry.`,
    problems.slice(0, listedProblems),
  );
}

/**
 * Scores a batch of rows with a serving deployment's model and records the request (its
 * latency, and whether it failed) as the traffic the health gate judges. Requests the caller
 * got wrong count as errors: in production they mean callers and model disagree on the data.
 */
export async function scoreWithDeployment(
  services: { pool: pg.Pool; deployments: DeploymentService; models: ModelCache; maxRows: number },
  tenantId: string,
  deploymentId: string,
  body: unknown,
  elapsedMs: () => number,
): Promise<ScoreResult> {
  const deployment = await services.deployments.find(tenantId, deploymentId);
  if (!deployment.serving) {
    const serving = await withTenant(services.pool, tenantId, (db) =>
      findServing(db, tenantId, deployment.modelName, deployment.environment),
    );
    const instead = serving
      ? `; score with deployment ${serving.id}, which serves ${deployment.environment} now`
      : '';
    throw new ApiError(
      'conflict',
      `This deployment is ${deployment.state} and does not score${instead || '; wait until it is deployed, or deploy a version'}.`,
      [{ reason: 'not_serving', state: deployment.state, servingDeploymentId: serving?.id ?? null }],
    );
  }

  const record = (rows: number, ok: boolean, error?: string) =>
    withTenant(services.pool, tenantId, (db) =>
      recordScoringRequest(db, tenantId, deployment.id, {
        rows,
        latencyMs: elapsedMs(),
        ok,
        ...(error ? { error } : {}),
      }),
    );

  let rows: Record<string, unknown>[];
  let matrix: number[][];
  let loaded: Awaited<ReturnType<ModelCache['load']>>;
  try {
    ({ rows } = parseInput(scoreRequestSchema, body, 'scoring request'));
    if (rows.length > services.maxRows) {
      throw new ApiError(
        'validation_failed',
        `The batch has ${rows.length} rows and at most ${services.maxRows} are scored per request; split it into smaller batches.`,
        [{ field: 'rows', problem: `at most ${services.maxRows} rows` }],
      );
    }
    loaded = await services.models.load(tenantId, deployment.modelVersionId);
    const converted = rowsToFeatures(loaded.model.features, rows);
    if (converted.problems.length > 0) throw rowsRefused(converted.problems);
    matrix = converted.matrix;
  } catch (error) {
    const code = error instanceof ApiError ? error.code : 'internal_error';
    await record(
      Array.isArray((body as { rows?: unknown })?.rows) ? (body as { rows: unknown[] }).rows.length : 0,
      false,
      code,
    );
    throw error;
  }

  const { scores, flags } = loaded.model.score(matrix);
  const threshold = loaded.model.threshold;
  await record(rows.length, true);
  return {
    deploymentId: deployment.id,
    modelVersionId: deployment.modelVersionId,
    modelName: deployment.modelName,
    version: deployment.version,
    algorithm: deployment.algorithm,
    threshold: Number.isFinite(threshold) ? threshold : null,
    scores,
    flags,
    anomalies: flags.filter(Boolean).length,
  };
}
