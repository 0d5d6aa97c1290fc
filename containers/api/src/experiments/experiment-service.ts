import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { findDataset } from '../datasets/datasets-repo.ts';
import { featureColumns } from '../datasets/features.ts';
import { withTenant } from '../db/pool.ts';
import { type AlgorithmName, algorithms } from '../detection/index.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { isUuid } from '../http/validation.ts';
import {
  type Experiment,
  findExperiment,
  findRun,
  insertExperiment,
  insertJob,
  insertRun,
  type Run,
  setExperimentJob,
} from './experiments-repo.ts';
import { validateRunParams } from './run-params.ts';

const algorithmSchema = z.enum(algorithms as [AlgorithmName, ...AlgorithmName[]], {
  error: `algorithm must be one of ${algorithms.join(', ')}`,
});

export const newExperimentSchema = z.object({
  datasetId: z.string().min(1),
  name: z.string().trim().min(1).max(200).optional(),
  seed: z.number().int().min(0).max(2_147_483_647).optional(),
  runs: z
    .array(z.object({ algorithm: algorithmSchema, params: z.record(z.string(), z.unknown()).default({}) }))
    .min(1, 'choose at least one algorithm')
    .max(20, 'at most 20 runs per experiment'),
});
export type NewExperiment = z.infer<typeof newExperimentSchema>;

export const rerunSchema = z.object({ params: z.record(z.string(), z.unknown()).default({}) });

/** Experiments run with this seed unless the request picks one, so results repeat by default. */
export const defaultSeed = 42;

/** Stores the experiment, its runs and its job in one transaction, then starts the job. */
export async function createExperiment(
  ctx: AppContext,
  principal: Principal,
  input: NewExperiment,
  ip: string,
): Promise<Experiment> {
  const tenantId = principal.tenant.id;
  if (!isUuid(input.datasetId)) throw notFound('dataset');
  const { experiment, jobId } = await withTenant(ctx.pool, tenantId, async (db) => {
    const dataset = await findDataset(db, tenantId, input.datasetId);
    if (!dataset) throw notFound('dataset');
    if (featureColumns(dataset.columnTypes, dataset.labelColumn).length === 0) {
      throw new ApiError(
        'validation_failed',
        'The dataset has no numeric columns to use as features; upload one with at least one numeric column.',
        [{ field: 'datasetId', problem: 'the dataset has no numeric feature columns' }],
      );
    }
    const params = validateRunParams(input.runs, dataset.rows);
    const experimentId = randomUUID();
    const runIds = input.runs.map(() => randomUUID());
    const jobId = await insertJob(db, tenantId, 'experiment', { experimentId, runIds });
    await insertExperiment(db, tenantId, {
      id: experimentId,
      datasetId: dataset.id,
      name: input.name ?? `Experiment on ${dataset.name}`,
      seed: input.seed ?? defaultSeed,
      jobId,
      createdBy: principal.userId,
    });
    for (const [index, run] of input.runs.entries()) {
      await insertRun(db, tenantId, {
        id: runIds[index] as string,
        experimentId,
        jobId,
        algorithm: run.algorithm,
        params: params[index] as Record<string, number>,
      });
    }
    await recordAudit(db, tenantId, {
      action: 'experiment.create',
      outcome: 'success',
      actorId: principal.userId,
      actorEmail: principal.email,
      targetType: 'experiment',
      targetId: experimentId,
      ip,
      details: { datasetId: dataset.id, algorithms: input.runs.map((run) => run.algorithm) },
    });
    return { experiment: (await findExperiment(db, tenantId, experimentId)) as Experiment, jobId };
  });
  ctx.jobs.enqueue({ id: jobId, tenantId });
  return experiment;
}

/** A new run in the same experiment: the old run's parameters with the given ones replacing them. */
export async function rerun(
  ctx: AppContext,
  principal: Principal,
  runId: string,
  overrides: Record<string, unknown>,
  ip: string,
): Promise<Run> {
  const tenantId = principal.tenant.id;
  if (!isUuid(runId)) throw notFound('run');
  const { run, jobId } = await withTenant(ctx.pool, tenantId, async (db) => {
    const source = await findRun(db, tenantId, runId);
    if (!source) throw notFound('run');
    const experiment = (await findExperiment(db, tenantId, source.experimentId)) as Experiment;
    const dataset = await findDataset(db, tenantId, experiment.datasetId);
    if (!dataset) throw notFound('dataset');
    const [params] = validateRunParams(
      [{ algorithm: source.algorithm, params: { ...source.params, ...overrides } }],
      dataset.rows,
      'params',
    );
    const newRunId = randomUUID();
    const jobId = await insertJob(db, tenantId, 'run', { experimentId: experiment.id, runIds: [newRunId] });
    await insertRun(db, tenantId, {
      id: newRunId,
      experimentId: experiment.id,
      jobId,
      algorithm: source.algorithm,
      params: params as Record<string, number>,
    });
    await setExperimentJob(db, tenantId, experiment.id, jobId);
    await recordAudit(db, tenantId, {
      action: 'run.create',
      outcome: 'success',
      actorId: principal.userId,
      actorEmail: principal.email,
      targetType: 'run',
      targetId: newRunId,
      ip,
      details: { experimentId: experiment.id, rerunOf: source.id },
    });
    return { run: (await findRun(db, tenantId, newRunId)) as Run, jobId };
  });
  ctx.jobs.enqueue({ id: jobId, tenantId });
  return run;
}
