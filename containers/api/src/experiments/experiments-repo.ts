import type { Db } from '../db/pool.ts';
import type { AlgorithmName, Metrics } from '../detection/index.ts';
import type { JobKind, JobState } from '../jobs/job-queue.ts';

export interface Run {
  id: string;
  experimentId: string;
  algorithm: AlgorithmName;
  params: Record<string, number>;
  status: JobState;
  metrics: Metrics | null;
  /** Flagged rows; null until the run has completed. */
  anomalies: number | null;
  anomalyRate: number | null;
  threshold: number | null;
  error: string | null;
  createdAt: string;
}

export interface Experiment {
  id: string;
  datasetId: string;
  name: string;
  seed: number;
  status: JobState;
  jobId: string;
  progress: number;
  runs: Run[];
  createdAt: string;
}

export interface Job {
  id: string;
  kind: JobKind;
  state: JobState;
  progress: number;
  error?: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface RunRow {
  id: string;
  experiment_id: string;
  algorithm: AlgorithmName;
  params: Record<string, number>;
  status: JobState;
  metrics: Metrics | null;
  anomalies: number | null;
  anomaly_rate: number | null;
  threshold: number | null;
  error: string | null;
  created_at: Date;
}

interface ExperimentRow {
  id: string;
  dataset_id: string;
  name: string;
  seed: number;
  job_id: string;
  state: JobState;
  progress: number;
  created_at: Date;
}

const runColumns =
  'id, experiment_id, algorithm, params, status, metrics, anomalies, anomaly_rate, threshold, error, created_at';

const toRun = (row: RunRow): Run => ({
  id: row.id,
  experimentId: row.experiment_id,
  algorithm: row.algorithm,
  params: row.params,
  status: row.status,
  metrics: row.metrics,
  anomalies: row.anomalies,
  anomalyRate: row.anomaly_rate,
  threshold: row.threshold,
  error: row.error,
  createdAt: row.created_at.toISOString(),
});

// Progress is stored as real; rounding keeps 0.3 from reading as 0.30000001192092896.
const roundProgress = (value: number) => Math.round(value * 10_000) / 10_000;

const toExperiment = (row: ExperimentRow, runs: Run[]): Experiment => ({
  id: row.id,
  datasetId: row.dataset_id,
  name: row.name,
  seed: row.seed,
  status: row.state,
  jobId: row.job_id,
  progress: roundProgress(row.progress),
  runs,
  createdAt: row.created_at.toISOString(),
});

export async function insertJob(
  db: Db,
  tenantId: string,
  kind: JobKind,
  payload: Record<string, unknown>,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO jobs (tenant_id, kind, payload) VALUES ($1, $2, $3) RETURNING id',
    [tenantId, kind, payload],
  );
  return (rows[0] as { id: string }).id;
}

export async function insertExperiment(
  db: Db,
  tenantId: string,
  input: { id: string; datasetId: string; name: string; seed: number; jobId: string; createdBy: string },
): Promise<void> {
  await db.query(
    `INSERT INTO experiments (id, tenant_id, dataset_id, name, seed, job_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [input.id, tenantId, input.datasetId, input.name, input.seed, input.jobId, input.createdBy],
  );
}

export async function insertRun(
  db: Db,
  tenantId: string,
  input: {
    id: string;
    experimentId: string;
    jobId: string;
    algorithm: AlgorithmName;
    params: Record<string, number>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO runs (id, tenant_id, experiment_id, job_id, algorithm, params) VALUES ($1, $2, $3, $4, $5, $6)`,
    [input.id, tenantId, input.experimentId, input.jobId, input.algorithm, input.params],
  );
}

/** Points the experiment at its newest job: its status and progress are that job's. */
export async function setExperimentJob(
  db: Db,
  tenantId: string,
  experimentId: string,
  jobId: string,
): Promise<void> {
  await db.query('UPDATE experiments SET job_id = $3 WHERE tenant_id = $1 AND id = $2', [
    tenantId,
    experimentId,
    jobId,
  ]);
}

const experimentSelect = `SELECT e.id, e.dataset_id, e.name, e.seed, e.job_id, j.state, j.progress, e.created_at
  FROM experiments e JOIN jobs j ON j.id = e.job_id AND j.tenant_id = e.tenant_id`;

export async function findExperiment(db: Db, tenantId: string, id: string): Promise<Experiment | null> {
  const { rows } = await db.query<ExperimentRow>(`${experimentSelect} WHERE e.tenant_id = $1 AND e.id = $2`, [
    tenantId,
    id,
  ]);
  const row = rows[0];
  if (!row) return null;
  const runs = await db.query<RunRow>(
    `SELECT ${runColumns} FROM runs WHERE tenant_id = $1 AND experiment_id = $2 ORDER BY seq`,
    [tenantId, id],
  );
  return toExperiment(row, runs.rows.map(toRun));
}

export async function listExperiments(
  db: Db,
  tenantId: string,
  page: { limit: number; offset: number; datasetId?: string | undefined },
): Promise<{ items: Experiment[]; total: number }> {
  const filter = page.datasetId ? 'AND e.dataset_id = $4' : '';
  const params: unknown[] = [tenantId, page.limit, page.offset, ...(page.datasetId ? [page.datasetId] : [])];
  const { rows } = await db.query<ExperimentRow>(
    `${experimentSelect} WHERE e.tenant_id = $1 ${filter} ORDER BY e.seq DESC LIMIT $2 OFFSET $3`,
    params,
  );
  const totalParams: unknown[] = [tenantId, ...(page.datasetId ? [page.datasetId] : [])];
  const total = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM experiments e WHERE e.tenant_id = $1 ${page.datasetId ? 'AND e.dataset_id = $2' : ''}`,
    totalParams,
  );
  const ids = rows.map((row) => row.id);
  const runs = await db.query<RunRow>(
    `SELECT ${runColumns} FROM runs WHERE tenant_id = $1 AND experiment_id = ANY($2::uuid[]) ORDER BY seq`,
    [tenantId, ids],
  );
  return {
    items: rows.map((row) =>
      toExperiment(row, runs.rows.filter((run) => run.experiment_id === row.id).map(toRun)),
    ),
    total: total.rows[0]?.total ?? 0,
  };
}

export async function findRun(db: Db, tenantId: string, id: string): Promise<Run | null> {
  const { rows } = await db.query<RunRow>(`SELECT ${runColumns} FROM runs WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toRun(rows[0]) : null;
}

export async function markRunRunning(db: Db, tenantId: string, runId: string): Promise<void> {
  await db.query(`UPDATE runs SET status = 'running', error = NULL WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    runId,
  ]);
}

export async function completeRun(
  db: Db,
  tenantId: string,
  runId: string,
  result: {
    params: Record<string, number>;
    metrics: Metrics | null;
    scores: number[];
    flags: boolean[];
    threshold: number;
  },
): Promise<void> {
  const anomalies = result.flags.filter(Boolean).length;
  const rate = result.flags.length === 0 ? 0 : anomalies / result.flags.length;
  await db.query(
    `INSERT INTO run_results (run_id, tenant_id, scores, flags) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id) DO UPDATE SET scores = EXCLUDED.scores, flags = EXCLUDED.flags`,
    [runId, tenantId, result.scores, result.flags],
  );
  await db.query(
    `UPDATE runs SET status = 'completed', params = $3, metrics = $4, anomalies = $5, anomaly_rate = $6,
            threshold = $7, error = NULL, finished_at = now()
      WHERE tenant_id = $1 AND id = $2`,
    [
      tenantId,
      runId,
      result.params,
      result.metrics === null ? null : JSON.stringify(result.metrics),
      anomalies,
      rate,
      Number.isFinite(result.threshold) ? result.threshold : null,
    ],
  );
}

export async function failRun(db: Db, tenantId: string, runId: string, error: string): Promise<void> {
  await db.query(
    `UPDATE runs SET status = 'failed', error = $3, finished_at = now() WHERE tenant_id = $1 AND id = $2`,
    [tenantId, runId, error],
  );
}

export async function loadRunResults(
  db: Db,
  tenantId: string,
  runId: string,
): Promise<{ scores: number[]; flags: boolean[] } | null> {
  const { rows } = await db.query<{ scores: number[]; flags: boolean[] }>(
    'SELECT scores, flags FROM run_results WHERE tenant_id = $1 AND run_id = $2',
    [tenantId, runId],
  );
  return rows[0] ?? null;
}

export async function findJob(db: Db, tenantId: string, id: string): Promise<Job | null> {
  const { rows } = await db.query<{
    id: string;
    kind: JobKind;
    state: JobState;
    progress: number;
    error: string | null;
    created_at: Date;
    started_at: Date | null;
    finished_at: Date | null;
  }>(
    'SELECT id, kind, state, progress, error, created_at, started_at, finished_at FROM jobs WHERE tenant_id = $1 AND id = $2',
    [tenantId, id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    progress: roundProgress(row.progress),
    ...(row.error ? { error: row.error } : {}),
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
