import type { Db } from '../db/pool.ts';

/** One event as the stream worker stores it; `score` is null when it was kept without scoring. */
export interface EventToStore {
  sessionId: string;
  eventId: string;
  occurredAt: number;
  receivedAt: number;
  values: Record<string, number | null>;
  score: number | null;
  anomaly: boolean | null;
  deploymentId: string | null;
  modelVersionId: string | null;
  deviceId: string | null;
  ip: string | null;
}

export interface SessionTally {
  received: number;
  scored: number;
  anomalies: number;
  rejected: number;
}

/**
 * Stores a batch of events and adds them to their sessions' counters in one statement (one round
 * trip, one implicit snapshot): each event at most once per session, since the primary key
 * (session, event id) turns a redelivered event into a no-op, and only the rows actually inserted
 * are counted. `rejected` adds each session's refused events to its counters in the same go.
 * Returns the keys actually stored, so only those raise anomaly events.
 *
 * Columns travel as typed arrays (`unnest`) rather than one JSON document: Postgres reads them
 * without parsing a document of the whole batch first. `scored_at` is the row's own write time
 * (`clock_timestamp()`), not the transaction's start, so latency measured against it includes
 * the storing itself.
 */
export async function storeEvents(
  db: Db,
  tenantId: string,
  events: EventToStore[],
  rejected: ReadonlyMap<string, number> = new Map(),
): Promise<Set<string>> {
  if (events.length === 0 && rejected.size === 0) return new Set();
  const sessions = [...new Set([...events.map((event) => event.sessionId), ...rejected.keys()])];
  const { rows } = await db.query<{ session_id: string; event_id: string }>(
    `WITH stored AS (
       INSERT INTO stream_events (tenant_id, session_id, event_id, occurred_at, received_at, scored_at, readings,
                                  score, anomaly, deployment_id, model_version_id, device_id, source_ip)
       SELECT $1, x.session_id, x.event_id, to_timestamp(x.occurred_ms / 1000.0), to_timestamp(x.received_ms / 1000.0),
              CASE WHEN x.score IS NULL THEN NULL ELSE clock_timestamp() END, x.readings::jsonb, x.score, x.anomaly,
              x.deployment_id, x.model_version_id, x.device_id, x.source_ip
         FROM unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::float8[], $8::boolean[],
                     $9::uuid[], $10::uuid[], $11::text[], $12::text[])
              AS x(session_id, event_id, occurred_ms, received_ms, readings, score, anomaly, deployment_id,
                   model_version_id, device_id, source_ip)
       ON CONFLICT (session_id, event_id) DO NOTHING
       RETURNING session_id, event_id, score, anomaly
     ),
     tally AS (
       SELECT t.session_id, count(s.event_id)::int AS received, count(s.score)::int AS scored,
              (count(*) FILTER (WHERE s.anomaly))::int AS anomalies, max(t.rejected) AS rejected
         FROM unnest($13::uuid[], $14::int[]) AS t(session_id, rejected)
         LEFT JOIN stored s ON s.session_id = t.session_id
        GROUP BY t.session_id
     ),
     counted AS (
       UPDATE stream_sessions ss
          SET received = ss.received + c.received, scored = ss.scored + c.scored,
              anomalies = ss.anomalies + c.anomalies, rejected = ss.rejected + c.rejected,
              last_event_at = CASE WHEN c.received > 0 THEN now() ELSE ss.last_event_at END
         FROM tally c
        WHERE ss.tenant_id = $1 AND ss.id = c.session_id AND (c.received > 0 OR c.rejected > 0)
     )
     SELECT session_id, event_id FROM stored`,
    [
      tenantId,
      events.map((event) => event.sessionId),
      events.map((event) => event.eventId),
      events.map((event) => event.occurredAt),
      events.map((event) => event.receivedAt),
      events.map((event) => JSON.stringify(event.values)),
      events.map((event) => event.score),
      events.map((event) => event.anomaly),
      events.map((event) => event.deploymentId),
      events.map((event) => event.modelVersionId),
      events.map((event) => event.deviceId),
      events.map((event) => event.ip),
      sessions,
      sessions.map((session) => rejected.get(session) ?? 0),
    ],
  );
  return new Set(rows.map((row) => eventKey(row.session_id, row.event_id)));
}

export const eventKey = (sessionId: string, eventId: string) => `${sessionId}\u0000${eventId}`;

/** Adds what one batch stored to each session's counters. */
export async function addToSessionCounters(
  db: Db,
  tenantId: string,
  tallies: Map<string, SessionTally>,
): Promise<void> {
  if (tallies.size === 0) return;
  await db.query(
    `UPDATE stream_sessions s
        SET received = s.received + c.received, scored = s.scored + c.scored,
            anomalies = s.anomalies + c.anomalies, rejected = s.rejected + c.rejected,
            last_event_at = CASE WHEN c.received > 0 THEN now() ELSE s.last_event_at END
       FROM jsonb_to_recordset($2::jsonb) AS c(session_id uuid, received int, scored int, anomalies int, rejected int)
      WHERE s.tenant_id = $1 AND s.id = c.session_id`,
    [
      tenantId,
      JSON.stringify([...tallies].map(([sessionId, tally]) => ({ session_id: sessionId, ...tally }))),
    ],
  );
}

export interface UnscoredEvent {
  seq: number;
  eventId: string;
  occurredAt: number;
  values: Record<string, number | null>;
  deviceId: string | null;
  ip: string | null;
}

/** Events a session kept without scoring (while paused), oldest first after `afterSeq`, to score on resume. */
export async function loadUnscored(
  db: Db,
  tenantId: string,
  sessionId: string,
  afterSeq: number,
  limit: number,
): Promise<UnscoredEvent[]> {
  const { rows } = await db.query<{
    seq: string;
    event_id: string;
    occurred_at: Date;
    readings: Record<string, number | null>;
    device_id: string | null;
    source_ip: string | null;
  }>(
    `SELECT seq, event_id, occurred_at, readings, device_id, source_ip FROM stream_events
      WHERE tenant_id = $1 AND session_id = $2 AND scored_at IS NULL AND seq > $3 ORDER BY seq LIMIT $4`,
    [tenantId, sessionId, afterSeq, limit],
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    eventId: row.event_id,
    occurredAt: row.occurred_at.getTime(),
    values: row.readings,
    deviceId: row.device_id,
    ip: row.source_ip,
  }));
}

/** Records scores for events stored unscored; returns the ids that were still unscored. */
export async function saveLateScores(
  db: Db,
  tenantId: string,
  sessionId: string,
  scored: {
    eventId: string;
    score: number;
    anomaly: boolean;
    deploymentId: string;
    modelVersionId: string;
  }[],
): Promise<Set<string>> {
  if (scored.length === 0) return new Set();
  const { rows } = await db.query<{ event_id: string }>(
    `UPDATE stream_events e
        SET score = x.score, anomaly = x.anomaly, scored_at = now(), deployment_id = x.deployment_id,
            model_version_id = x.model_version_id
       FROM jsonb_to_recordset($3::jsonb) AS x(event_id text, score float8, anomaly boolean, deployment_id uuid,
            model_version_id uuid)
      WHERE e.tenant_id = $1 AND e.session_id = $2 AND e.event_id = x.event_id AND e.scored_at IS NULL
      RETURNING e.event_id`,
    [
      tenantId,
      sessionId,
      JSON.stringify(
        scored.map((s) => ({
          event_id: s.eventId,
          score: s.score,
          anomaly: s.anomaly,
          deployment_id: s.deploymentId,
          model_version_id: s.modelVersionId,
        })),
      ),
    ],
  );
  return new Set(rows.map((row) => row.event_id));
}
