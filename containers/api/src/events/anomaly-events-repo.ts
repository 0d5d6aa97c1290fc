import type { Db } from '../db/pool.ts';
import type { EventStatus } from './event-states.ts';
import type { Severity } from './severity.ts';

export interface AnomalyEvent {
  id: string;
  sessionId: string;
  /** The producer's event id within its session. */
  streamEventId: string;
  severity: Severity;
  status: EventStatus;
  score: number;
  threshold: number;
  /** Distance from the training centre in robust standard deviations. */
  distance: number;
  /** Feature → share of that distance (sums to 1). */
  contributions: Record<string, number>;
  values: Record<string, number | null>;
  source: { deviceId: string | null; ip: string | null };
  occurredAt: string;
  createdAt: string;
  updatedAt: string;
  escalatedAt: string | null;
  deploymentId: string | null;
  modelVersionId: string | null;
}

interface EventRow {
  id: string;
  session_id: string;
  stream_event_id: string;
  severity: Severity;
  status: EventStatus;
  score: number;
  threshold: number;
  distance: number;
  contributions: Record<string, number>;
  readings: Record<string, number | null>;
  device_id: string | null;
  source_ip: string | null;
  occurred_at: Date;
  created_at: Date;
  updated_at: Date;
  escalated_at: Date | null;
  deployment_id: string | null;
  model_version_id: string | null;
}

const columns = `id, session_id, stream_event_id, severity, status, score, threshold, distance, contributions,
  readings, device_id, source_ip, occurred_at, created_at, updated_at, escalated_at, deployment_id, model_version_id`;

export const toAnomalyEvent = (row: EventRow): AnomalyEvent => ({
  id: row.id,
  sessionId: row.session_id,
  streamEventId: row.stream_event_id,
  severity: row.severity,
  status: row.status,
  score: row.score,
  threshold: row.threshold,
  distance: row.distance,
  contributions: row.contributions,
  values: row.readings,
  source: { deviceId: row.device_id, ip: row.source_ip },
  occurredAt: row.occurred_at.toISOString(),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  escalatedAt: row.escalated_at?.toISOString() ?? null,
  deploymentId: row.deployment_id,
  modelVersionId: row.model_version_id,
});

export interface NewAnomaly {
  sessionId: string;
  streamEventId: string;
  severity: Severity;
  score: number;
  threshold: number;
  distance: number;
  contributions: Record<string, number>;
  values: Record<string, number | null>;
  deviceId: string | null;
  ip: string | null;
  occurredAt: number;
  deploymentId: string;
  modelVersionId: string;
}

/** Raises an anomaly event per flagged stream event, once (a redelivered event raises nothing). */
export async function insertAnomalies(
  db: Db,
  tenantId: string,
  anomalies: NewAnomaly[],
): Promise<AnomalyEvent[]> {
  if (anomalies.length === 0) return [];
  const { rows } = await db.query<EventRow>(
    `INSERT INTO anomaly_events (tenant_id, session_id, stream_event_id, severity, score, threshold, distance,
                                 contributions, readings, device_id, source_ip, occurred_at, deployment_id, model_version_id)
     SELECT $1, x.session_id, x.stream_event_id, x.severity, x.score, x.threshold, x.distance, x.contributions,
            x.readings, x.device_id, x.source_ip, to_timestamp(x.occurred_ms / 1000.0), x.deployment_id, x.model_version_id
       FROM jsonb_to_recordset($2::jsonb) AS x(session_id uuid, stream_event_id text, severity text, score float8,
            threshold float8, distance float8, contributions jsonb, readings jsonb, device_id text, source_ip text,
            occurred_ms float8, deployment_id uuid, model_version_id uuid)
     ON CONFLICT (session_id, stream_event_id) DO NOTHING
     RETURNING ${columns}`,
    [
      tenantId,
      JSON.stringify(
        anomalies.map((a) => ({
          session_id: a.sessionId,
          stream_event_id: a.streamEventId,
          severity: a.severity,
          score: a.score,
          // JSON has no infinity; a threshold that flags nothing never raises an event anyway.
          threshold: Number.isFinite(a.threshold) ? a.threshold : null,
          distance: a.distance,
          contributions: a.contributions,
          readings: a.values,
          device_id: a.deviceId,
          source_ip: a.ip,
          occurred_ms: a.occurredAt,
          deployment_id: a.deploymentId,
          model_version_id: a.modelVersionId,
        })),
      ),
    ],
  );
  return rows.map(toAnomalyEvent);
}

export async function findAnomalyEvent(db: Db, tenantId: string, id: string): Promise<AnomalyEvent | null> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${columns} FROM anomaly_events WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toAnomalyEvent(rows[0]) : null;
}

export interface EventFilter {
  status?: EventStatus | undefined;
  severity?: Severity | undefined;
  sessionId?: string | undefined;
  limit: number;
  offset: number;
}

export async function listAnomalyEvents(
  db: Db,
  tenantId: string,
  filter: EventFilter,
): Promise<{ items: AnomalyEvent[]; total: number }> {
  const conditions = ['tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (column: string, value: unknown) => {
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  };
  if (filter.status) add('status', filter.status);
  if (filter.severity) add('severity', filter.severity);
  if (filter.sessionId) add('session_id', filter.sessionId);
  const where = conditions.join(' AND ');
  const [items, total] = await Promise.all([
    db.query<EventRow>(
      `SELECT ${columns} FROM anomaly_events WHERE ${where} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM anomaly_events WHERE ${where}`, params),
  ]);
  return { items: items.rows.map(toAnomalyEvent), total: total.rows[0]?.total ?? 0 };
}

/** Changes the status only from the expected one, so two analysts cannot both resolve an event. */
export async function moveAnomalyEvent(
  db: Db,
  tenantId: string,
  id: string,
  from: EventStatus,
  to: EventStatus,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE anomaly_events SET status = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status = $3`,
    [tenantId, id, from, to],
  );
  return rowCount === 1;
}

/** Marks the event escalated; false when it already was (an incident is opened once). */
export async function markEscalated(db: Db, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE anomaly_events SET escalated_at = now(), updated_at = now()
      WHERE tenant_id = $1 AND id = $2 AND escalated_at IS NULL`,
    [tenantId, id],
  );
  return rowCount === 1;
}

export async function saveEnrichment(
  db: Db,
  tenantId: string,
  id: string,
  enrichment: unknown,
): Promise<void> {
  await db.query(
    `UPDATE anomaly_events SET enrichment = $3, enriched_at = now() WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, JSON.stringify(enrichment)],
  );
}

export async function loadEnrichment(db: Db, tenantId: string, id: string): Promise<unknown | null> {
  const { rows } = await db.query<{ enrichment: unknown | null }>(
    'SELECT enrichment FROM anomaly_events WHERE tenant_id = $1 AND id = $2',
    [tenantId, id],
  );
  return rows[0]?.enrichment ?? null;
}
