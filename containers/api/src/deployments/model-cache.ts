import type pg from 'pg';
import { findDataset, loadDatasetRows } from '../datasets/datasets-repo.ts';
import { featureColumns, toDetectionMatrix } from '../datasets/features.ts';
import { withTenant } from '../db/pool.ts';
import { type FittedModel, fitModel } from '../detection/fitted-model.ts';
import { findExperiment, findRun } from '../experiments/experiments-repo.ts';
import { findModelVersion } from '../models/model-versions.ts';

/** The version's training data is gone, so it cannot be fitted (the dataset or run was purged). */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

export interface LoadedModel {
  modelVersionId: string;
  model: FittedModel;
}

/** Fitted models kept at once; a tenant rarely serves more than a few versions. */
const capacity = 64;

/**
 * Fitted models by version, in memory: a version is trained once (its stored algorithm and
 * parameters, on its source run's dataset, with the experiment's seed, so deterministically) and
 * then scores every request and stream event. Concurrent first requests share one fit.
 */
export class ModelCache {
  readonly #pool: pg.Pool;
  readonly #models = new Map<string, Promise<LoadedModel>>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  get size(): number {
    return this.#models.size;
  }

  /** The most fitted models it keeps (the metrics endpoint reports it beside the size). */
  get capacity(): number {
    return capacity;
  }

  load(tenantId: string, modelVersionId: string): Promise<LoadedModel> {
    const key = `${tenantId}/${modelVersionId}`;
    const cached = this.#models.get(key);
    if (cached) {
      // Re-inserting keeps the map in least-recently-used order.
      this.#models.delete(key);
      this.#models.set(key, cached);
      return cached;
    }
    const loading = this.#fit(tenantId, modelVersionId);
    this.#models.set(key, loading);
    // A failure is not remembered: the next request tries again.
    loading.catch(() => this.#models.delete(key));
    while (this.#models.size > capacity) {
      const oldest = this.#models.keys().next().value as string;
      this.#models.delete(oldest);
    }
    return loading;
  }

  async #fit(tenantId: string, modelVersionId: string): Promise<LoadedModel> {
    const training = await withTenant(this.#pool, tenantId, async (db) => {
      const version = await findModelVersion(db, tenantId, modelVersionId);
      if (!version) throw new ModelUnavailableError('The model version no longer exists.');
      const run = version.sourceRunId ? await findRun(db, tenantId, version.sourceRunId) : null;
      const experiment = run ? await findExperiment(db, tenantId, run.experimentId) : null;
      const dataset = experiment ? await findDataset(db, tenantId, experiment.datasetId) : null;
      if (!run || !experiment || !dataset) {
        throw new ModelUnavailableError(
          `Version ${version.version} of ${version.name} cannot be trained: its source run or dataset no longer exists; register a new version.`,
        );
      }
      const rows = await loadDatasetRows(db, tenantId, dataset.id);
      return {
        version,
        seed: experiment.seed,
        columns: dataset.columnTypes,
        labelColumn: dataset.labelColumn,
        rows,
      };
    });
    const { features } = toDetectionMatrix(training.columns, training.labelColumn, training.rows);
    const model = await fitModel({
      algorithm: training.version.algorithm,
      params: training.version.params,
      seed: training.seed,
      featureNames: featureColumns(training.columns, training.labelColumn).map((column) => column.name),
      features,
    });
    return { modelVersionId, model };
  }
}
