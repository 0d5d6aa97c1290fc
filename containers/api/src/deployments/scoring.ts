import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { withTenant } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { parseInput } from '../http/validation.ts';
import type { DeploymentService } from './deployment-service.ts';
import { findServing, recordScoringRequest } from './deployments-repo.ts';
import type { ModelCache } from './model-cache.ts';
import type { ScoredRows } from './scored-rows.ts';
import { type ScoringPool, ScoringThreadError } from './scoring-pool.ts';
import { type ScoringQuota, ScoringQuotaError } from './scoring-quota.ts';

const isRow = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const scoreRequestSchema = z.object({
  rows: z
    .array(
      // A plain check rather than z.record: a batch holds up to 10,000 rows, and validating each
      // row's keys one by one cost tens of milliseconds of the event loop per request.
      z
        .custom<Record<string, unknown>>(isRow, {
          error: 'each row must be an object of feature name → number',
        })
        // The contract still says what a row is: an object of named values.
        .meta({ type: 'object', additionalProperties: {} }),
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

/**
 * A batch whose work (rows × training rows) is at most this is scored on the event loop: about a
 * millisecond, less than the hop to a scoring thread. Larger batches go to a scoring thread.
 */
const inlineWork = 200_000;

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

export interface ScoringServices {
  pool: pg.Pool;
  deployments: DeploymentService;
  models: ModelCache;
  maxRows: number;
  threads: ScoringPool;
  quota: ScoringQuota;
  scoredRows: ScoredRows;
}

/**
 * Scores a batch of rows with a serving deployment's model and records the request (its
 * latency, and whether it failed) as the traffic the health gate judges. Requests the caller
 * got wrong count as errors: in production they mean callers and model disagree on the data.
 * The rows are scored on a scoring thread, within the tenant's quota; a batch over the quota is
 * refused (429, audited) and does not count against the model's health.
 */
export async function scoreWithDeployment(
  services: ScoringServices,
  caller: { principal: Principal; ip: string },
  deploymentId: string,
  body: unknown,
  elapsedMs: () => number,
): Promise<ScoreResult> {
  const tenantId = caller.principal.tenant.id;
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
  const training = () => services.models.training(tenantId, deployment.modelVersionId);

  let rows: Record<string, unknown>[];
  let matrix: number[][];
  let trainingRows: number;
  try {
    ({ rows } = parseInput(scoreRequestSchema, body, 'scoring request'));
    if (rows.length > services.maxRows) {
      throw new ApiError(
        'validation_failed',
        `The batch has ${rows.length} rows and at most ${services.maxRows} are scored per request; split it into smaller batches.`,
        [{ field: 'rows', problem: `at most ${services.maxRows} rows` }],
      );
    }
    const fitInput = await training();
    trainingRows = fitInput.features.length;
    const converted = rowsToFeatures(fitInput.featureNames, rows);
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

  let release: () => void;
  try {
    release = await services.quota.admit(tenantId, rows.length);
  } catch (error) {
    if (error instanceof ScoringQuotaError) await auditThrottled(services.pool, caller, deployment.id, error);
    throw error;
  }
  let scored: Awaited<ReturnType<ScoringPool['score']>>;
  try {
    if (rows.length * trainingRows <= inlineWork) {
      const { model } = await services.models.load(tenantId, deployment.modelVersionId);
      scored = { ...model.score(matrix), threshold: model.threshold };
      services.scoredRows.onEventLoop += rows.length;
    } else {
      scored = await services.threads.score(`${tenantId}/${deployment.modelVersionId}`, matrix, training);
      services.scoredRows.onScoringThreads += rows.length;
    }
  } catch (error) {
    await record(rows.length, false, 'internal_error');
    if (error instanceof ScoringThreadError) throw new ApiError('service_unavailable', error.message);
    throw error;
  } finally {
    release();
  }
  const { scores, flags, threshold } = scored;
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

/** A refused batch is the tenant's business: its security analysts see who sent it, and how big. */
function auditThrottled(
  pool: pg.Pool,
  caller: { principal: Principal; ip: string },
  deploymentId: string,
  refusal: ScoringQuotaError,
): Promise<void> {
  const { principal } = caller;
  return withTenant(pool, principal.tenant.id, (db) =>
    recordAudit(db, principal.tenant.id, {
      action: 'deployment.score_throttled',
      outcome: 'denied',
      actorId: principal.userId,
      actorEmail: principal.email,
      targetType: 'deployment',
      targetId: deploymentId,
      ip: caller.ip,
      details: { rows: refusal.rows, limit: refusal.limit },
    }),
  );
}
