import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.ts';
import { type Db, withSystem } from '../db/pool.ts';
import { dayMs } from './platform-clock.ts';
import { type RetentionSettings, readRetentionPolicy, tenantsWithRetention } from './retention-policy.ts';

export type PurgeTrigger = 'schedule' | 'tenant_admin' | 'admin_api';

/** Exactly what one purge deleted in one tenant. */
export interface PurgeCounts {
  /** Raw stream events. */
  events: number;
  /** Anomaly events raised from them (with their timelines). */
  anomalyEvents: number;
  datasets: number;
  /** Data rows of the purged datasets. */
  datasetRows: number;
  /** Experiments and runs built on the purged datasets, which go with them. */
  experiments: number;
  runs: number;
}

export interface PurgeResult {
  tenantId: string;
  /** Data older than these instants (by the platform clock) was deleted; null = no limit set. */
  eventsCutoff: string | null;
  datasetsCutoff: string | null;
  counts: PurgeCounts;
  /** Datasets past the cutoff kept because a serving deployment or an unfinished job needs them. */
  datasetsHeld: string[];
  /** False when nothing was deleted: only purges that deleted something are written to the audit log. */
  audited: boolean;
}

const emptyCounts = (): PurgeCounts => ({
  events: 0,
  anomalyEvents: 0,
  datasets: 0,
  datasetRows: 0,
  experiments: 0,
  runs: 0,
});

const cutoffOf = (now: Date, limitDays: number | null) =>
  limitDays === null ? null : new Date(now.getTime() - limitDays * dayMs);

/**
 * Anything strictly older than the limit goes: with 30 days, an event that occurred exactly
 * 30 days ago stays until the next purge. Events are aged by when they occurred, datasets by
 * when they were uploaded.
 */
async function purgeEvents(db: Db, tenantId: string, cutoff: Date, counts: PurgeCounts): Promise<void> {
  const anomalies = await db.query('DELETE FROM anomaly_events WHERE tenant_id = $1 AND occurred_at < $2', [
    tenantId,
    cutoff,
  ]);
  const events = await db.query('DELETE FROM stream_events WHERE tenant_id = $1 AND occurred_at < $2', [
    tenantId,
    cutoff,
  ]);
  counts.anomalyEvents = anomalies.rowCount ?? 0;
  counts.events = events.rowCount ?? 0;
}

/**
 * A dataset goes with its rows, profile, experiments, runs, per-row results and jobs. Model
 * versions registered from its runs stay as records (name, algorithm, parameters, metrics) with
 * no source run; they cannot be deployed again. A dataset behind a deployment that serves or is
 * being released, or with a job still running, is held until that ends.
 */
async function purgeDatasets(db: Db, tenantId: string, cutoff: Date, counts: PurgeCounts): Promise<string[]> {
  const { rows } = await db.query<{ id: string; row_count: number; held: boolean }>(
    `SELECT d.id, d.row_count,
            EXISTS (
              SELECT 1 FROM experiments e
                JOIN runs r ON r.experiment_id = e.id
                JOIN model_versions mv ON mv.source_run_id = r.id
                JOIN deployments dp ON dp.model_version_id = mv.id
               WHERE e.dataset_id = d.id AND dp.state IN ('pending', 'deploying', 'deployed', 'rolling_back')
            ) OR EXISTS (
              SELECT 1 FROM jobs j
               WHERE j.state IN ('queued', 'running')
                 AND (j.id IN (SELECT e.job_id FROM experiments e WHERE e.dataset_id = d.id)
                   OR j.id IN (SELECT r.job_id FROM runs r JOIN experiments e ON e.id = r.experiment_id
                                WHERE e.dataset_id = d.id))
            ) AS held
       FROM datasets d WHERE d.tenant_id = $1 AND d.created_at < $2 ORDER BY d.seq`,
    [tenantId, cutoff],
  );
  const purgeable = rows.filter((row) => !row.held);
  if (purgeable.length > 0) {
    const ids = purgeable.map((row) => row.id);
    const { rows: built } = await db.query<{ experiments: number; runs: number }>(
      `SELECT count(DISTINCT e.id)::int AS experiments, count(r.id)::int AS runs
         FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
        WHERE e.tenant_id = $1 AND e.dataset_id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    const { rows: jobs } = await db.query<{ id: string }>(
      `SELECT e.job_id AS id FROM experiments e WHERE e.tenant_id = $1 AND e.dataset_id = ANY($2::uuid[])
       UNION
       SELECT r.job_id FROM runs r JOIN experiments e ON e.id = r.experiment_id
        WHERE e.tenant_id = $1 AND e.dataset_id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    const deleted = await db.query('DELETE FROM datasets WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [
      tenantId,
      ids,
    ]);
    const jobIds = jobs.map((job) => job.id);
    if (jobIds.length > 0) {
      await db.query('DELETE FROM jobs WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [tenantId, jobIds]);
    }
    counts.datasets = deleted.rowCount ?? 0;
    counts.datasetRows = purgeable.reduce((sum, row) => sum + row.row_count, 0);
    counts.experiments = built[0]?.experiments ?? 0;
    counts.runs = built[0]?.runs ?? 0;
  }
  return rows.filter((row) => row.held).map((row) => row.id);
}

/** Purges one tenant by its policy, in one transaction, and audits it when it deleted anything. */
export async function purgeTenantData(
  db: Db,
  tenantId: string,
  settings: RetentionSettings,
  now: Date,
  trigger: PurgeTrigger,
  actor: { id: string | null; email: string; ip?: string } = { id: null, email: 'system' },
): Promise<PurgeResult> {
  const counts = emptyCounts();
  const eventsCutoff = cutoffOf(now, settings.eventsDays);
  const datasetsCutoff = cutoffOf(now, settings.datasetsDays);
  if (eventsCutoff) await purgeEvents(db, tenantId, eventsCutoff, counts);
  const datasetsHeld = datasetsCutoff ? await purgeDatasets(db, tenantId, datasetsCutoff, counts) : [];
  const deletedSomething = Object.values(counts).some((count) => count > 0);
  if (deletedSomething) {
    await recordAudit(db, tenantId, {
      action: 'retention.purge',
      outcome: 'success',
      actorId: actor.id,
      actorEmail: actor.email,
      targetType: 'retention_policy',
      targetId: tenantId,
      ...(actor.ip ? { ip: actor.ip } : {}),
      details: {
        ...counts,
        eventsCutoff: eventsCutoff?.toISOString() ?? null,
        datasetsCutoff: datasetsCutoff?.toISOString() ?? null,
        datasetsHeld: datasetsHeld.length,
        trigger,
      },
    });
  }
  return {
    tenantId,
    eventsCutoff: eventsCutoff?.toISOString() ?? null,
    datasetsCutoff: datasetsCutoff?.toISOString() ?? null,
    counts,
    datasetsHeld,
    audited: deletedSomething,
  };
}

/**
 * One tenant on demand. Runs as the schema owner (the application role may not delete stream
 * events), with every statement filtered by the tenant.
 */
export function purgeOneTenant(
  pool: pg.Pool,
  tenantId: string,
  now: Date,
  trigger: PurgeTrigger,
  actor?: { id: string | null; email: string; ip?: string },
): Promise<PurgeResult> {
  return withSystem(pool, async (db) => {
    const policy = await readRetentionPolicy(db, tenantId);
    return purgeTenantData(db, tenantId, policy, now, trigger, actor);
  });
}

/** Every tenant with a policy, each in its own transaction so one failure does not undo the others. */
export async function purgeAllTenants(
  pool: pg.Pool,
  now: Date,
  trigger: PurgeTrigger,
): Promise<PurgeResult[]> {
  const tenants = await withSystem(pool, (db) => tenantsWithRetention(db));
  const results: PurgeResult[] = [];
  for (const { tenantId, settings } of tenants) {
    results.push(await withSystem(pool, (db) => purgeTenantData(db, tenantId, settings, now, trigger)));
  }
  return results;
}
