import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { findDataset, loadDatasetRows } from '../datasets/datasets-repo.ts';
import { toDetectionMatrix } from '../datasets/features.ts';
import { withTenant } from '../db/pool.ts';
import { DetectionThreadDied, detectInThread } from '../detection/detection-thread.ts';
import { evaluate, FeaturesError, ParamsError } from '../detection/index.ts';
import {
  completeRun,
  failRun,
  findExperiment,
  findRun,
  markRunRunning,
} from '../experiments/experiments-repo.ts';
import { JobFailure, type JobHandler } from './job-queue.ts';

interface RunsPayload {
  experimentId: string;
  runIds: string[];
}

function readPayload(payload: Record<string, unknown>): RunsPayload {
  const { experimentId, runIds } = payload;
  if (
    typeof experimentId !== 'string' ||
    !Array.isArray(runIds) ||
    !runIds.every((id) => typeof id === 'string')
  ) {
    throw new Error('job payload lacks experimentId/runIds');
  }
  return { experimentId, runIds };
}

/** A failure the person can act on (bad parameters for this data, a thread out of memory) versus a defect of ours. */
function explain(error: unknown): string {
  if (
    error instanceof ParamsError ||
    error instanceof FeaturesError ||
    error instanceof DetectionThreadDied
  ) {
    return error.message;
  }
  return 'The detector failed unexpectedly; try again, and report it if it keeps failing.';
}

/**
 * Executes the runs of an experiment (or one re-run): loads the dataset once, scores it with
 * each detector in turn, measures against the labels, and stores per-row results. A run that
 * fails is recorded as failed and the others go on; the job fails only if every run did.
 */
export function runDetectionJob(pool: pg.Pool, log: FastifyBaseLogger, threadHeapMb: number): JobHandler {
  return async (job, reportProgress) => {
    const { experimentId, runIds } = readPayload(job.payload);
    const loaded = await withTenant(pool, job.tenantId, async (db) => {
      const experiment = await findExperiment(db, job.tenantId, experimentId);
      if (!experiment) return null;
      const dataset = await findDataset(db, job.tenantId, experiment.datasetId);
      if (!dataset) return null;
      const rows = await loadDatasetRows(db, job.tenantId, dataset.id);
      return { experiment, matrix: toDetectionMatrix(dataset.columnTypes, dataset.labelColumn, rows) };
    });
    if (!loaded) throw new JobFailure('The experiment or its dataset no longer exists.');
    const { experiment, matrix } = loaded;

    const failures: string[] = [];
    for (const [index, runId] of runIds.entries()) {
      const run = await withTenant(pool, job.tenantId, async (db) => {
        const found = await findRun(db, job.tenantId, runId);
        if (found) await markRunRunning(db, job.tenantId, runId);
        return found;
      });
      if (!run) continue;
      try {
        // On a thread of its own, so live scoring keeps its latency while an experiment runs.
        const result = await detectInThread(
          run.algorithm,
          {
            features: matrix.features,
            params: run.params,
            seed: experiment.seed,
            onProgress: (fraction) => {
              reportProgress((index + fraction) / runIds.length).catch((error) =>
                log.warn({ err: error, jobId: job.id }, 'progress not recorded'),
              );
            },
          },
          threadHeapMb,
        );
        const metrics = matrix.labels ? evaluate(matrix.labels, result.scores, result.flags) : null;
        await withTenant(pool, job.tenantId, (db) =>
          completeRun(db, job.tenantId, runId, {
            params: result.params,
            metrics,
            scores: result.scores,
            flags: result.flags,
            threshold: result.threshold,
          }),
        );
      } catch (error) {
        if (!(error instanceof ParamsError || error instanceof FeaturesError)) {
          log.error({ err: error, jobId: job.id, runId }, 'detection failed');
        }
        failures.push(explain(error));
        await withTenant(pool, job.tenantId, (db) => failRun(db, job.tenantId, runId, explain(error)));
      }
      await reportProgress((index + 1) / runIds.length);
    }
    if (failures.length > 0 && failures.length === runIds.length) {
      throw new JobFailure(failures[0] as string);
    }
  };
}
