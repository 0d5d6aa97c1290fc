import type { Db } from '../db/pool.ts';
import type { Person } from '../deployments/deployments-repo.ts';
import type { SessionState } from './session-states.ts';
import { sessionTopic } from './stream-topics.ts';

export interface StreamSession {
  id: string;
  name: string;
  state: SessionState;
  /** Why the session is in `error`; null otherwise. */
  error: string | null;
  topic: string;
  /** The production deployment chosen at creation; events are scored by whichever deployment serves its model now. */
  deploymentId: string;
  modelName: string;
  received: number;
  scored: number;
  anomalies: number;
  /** Events refused because of the session's state (before start, after stop). */
  rejected: number;
  /** Distinct events set aside because nothing could store or score them (listed with their reasons). */
  setAside: number;
  createdBy: Person | null;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  lastEventAt: string | null;
}

interface SessionRow {
  id: string;
  name: string;
  state: SessionState;
  error: string | null;
  tenant_slug: string;
  deployment_id: string;
  model_name: string;
  received: string;
  scored: string;
  anomalies: string;
  rejected: string;
  set_aside: string;
  created_by: Person | null;
  created_at: Date;
  started_at: Date | null;
  stopped_at: Date | null;
  last_event_at: Date | null;
}

const select = `
SELECT s.id, s.name, s.state, s.error, t.slug AS tenant_slug, s.deployment_id, s.model_name,
       s.received, s.scored, s.anomalies, s.rejected, s.set_aside,
       CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'name', u.name, 'email', u.email) END AS created_by,
       s.created_at, s.started_at, s.stopped_at, s.last_event_at
  FROM stream_sessions s
  JOIN tenants t ON t.id = s.tenant_id
  LEFT JOIN users u ON u.id = s.created_by AND u.tenant_id = s.tenant_id`;

const toSession = (row: SessionRow): StreamSession => ({
  id: row.id,
  name: row.name,
  state: row.state,
  error: row.error,
  topic: sessionTopic(row.tenant_slug, row.id),
  deploymentId: row.deployment_id,
  modelName: row.model_name,
  received: Number(row.received),
  scored: Number(row.scored),
  anomalies: Number(row.anomalies),
  rejected: Number(row.rejected),
  setAside: Number(row.set_aside),
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  startedAt: row.started_at?.toISOString() ?? null,
  stoppedAt: row.stopped_at?.toISOString() ?? null,
  lastEventAt: row.last_event_at?.toISOString() ?? null,
});

export async function insertSession(
  db: Db,
  tenantId: string,
  input: { name: string; deploymentId: string; modelName: string; createdBy: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO stream_sessions (tenant_id, name, deployment_id, model_name, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [tenantId, input.name, input.deploymentId, input.modelName, input.createdBy],
  );
  return (rows[0] as { id: string }).id;
}

export async function findSession(db: Db, tenantId: string, id: string): Promise<StreamSession | null> {
  const { rows } = await db.query<SessionRow>(`${select} WHERE s.tenant_id = $1 AND s.id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toSession(rows[0]) : null;
}

export async function listSessions(db: Db, tenantId: string, limit = 200): Promise<StreamSession[]> {
  const { rows } = await db.query<SessionRow>(
    `${select} WHERE s.tenant_id = $1 ORDER BY s.seq DESC LIMIT $2`,
    [tenantId, limit],
  );
  return rows.map(toSession);
}

/** Moves the session only if it is still in `from`, so concurrent actions cannot both apply. */
export async function moveSession(
  db: Db,
  tenantId: string,
  id: string,
  from: SessionState,
  to: SessionState,
  error: string | null = null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE stream_sessions
        SET state = $4, error = $5,
            started_at = CASE WHEN $4 = 'active' AND started_at IS NULL THEN now() ELSE started_at END,
            stopped_at = CASE WHEN $4 = 'stopped' THEN now() ELSE stopped_at END
      WHERE tenant_id = $1 AND id = $2 AND state = $3`,
    [tenantId, id, from, to, error],
  );
  return rowCount === 1;
}

/** What the stream worker needs to route an event: looked up across tenants by session id. */
export interface SessionRoute {
  id: string;
  tenantId: string;
  tenantSlug: string;
  state: SessionState;
  modelName: string;
}

export async function findRoutes(db: Db, ids: readonly string[]): Promise<SessionRoute[]> {
  const { rows } = await db.query<{
    id: string;
    tenant_id: string;
    slug: string;
    state: SessionState;
    model_name: string;
  }>(
    `SELECT s.id, s.tenant_id, t.slug, s.state, s.model_name
       FROM stream_sessions s JOIN tenants t ON t.id = s.tenant_id
      WHERE s.id = ANY($1::uuid[]) AND t.status = 'active'`,
    [ids],
  );
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    tenantSlug: row.slug,
    state: row.state,
    modelName: row.model_name,
  }));
}
