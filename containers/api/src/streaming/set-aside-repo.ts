import { createHash } from 'node:crypto';
import type { Db } from '../db/pool.ts';
import { printable } from './stream-event.ts';

/** An event the worker will not store, and why. */
export interface EventToSetAside {
  sessionId: string;
  /** Printable (see `printable`), or null when the payload names no readable id. */
  eventId: string | null;
  reason: string;
  payload: Buffer;
}

/** One set-aside event as the API and the session page show it. */
export interface SetAsideEvent {
  id: string;
  eventId: string | null;
  reason: string;
  payloadBytes: number;
  /** The start of the payload as text, control characters written as `\uXXXX`. */
  payloadPreview: string;
  timesSeen: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Enough of a payload to see what was sent; the rest is counted, not kept. */
const keptBytes = 4_096;
const previewChars = 120;

/**
 * Records the events in the dead-letter table and adds each session's newly set-aside ones to its
 * `set_aside` counter, in one statement. A payload the session already set aside (the broker
 * redelivered it, or a retained message came back on a new subscription) is not listed or counted
 * again; its `times_seen` goes up. Returns how many were newly set aside per session.
 */
export async function setAsideEvents(
  db: Db,
  tenantId: string,
  events: readonly EventToSetAside[],
): Promise<Map<string, number>> {
  if (events.length === 0) return new Map();
  // One row per session and payload: a statement may not upsert the same row twice.
  const distinct = new Map<string, EventToSetAside & { sha: string; times: number }>();
  for (const event of events) {
    const sha = createHash('sha256').update(event.payload).digest('hex');
    const key = `${event.sessionId}:${sha}`;
    const seen = distinct.get(key);
    if (seen) seen.times++;
    else distinct.set(key, { ...event, sha, times: 1 });
  }
  const rows = [...distinct.values()];
  const { rows: added } = await db.query<{ session_id: string; added: number }>(
    `WITH upserted AS (
       INSERT INTO stream_set_aside_events
              (tenant_id, session_id, payload_sha256, event_id, reason, payload, payload_bytes, times_seen)
       SELECT $1, x.session_id, decode(x.sha, 'hex'), x.event_id, x.reason, decode(x.payload, 'hex'), x.bytes, x.times
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])
              AS x(session_id, sha, event_id, reason, payload, bytes, times)
       ON CONFLICT (session_id, payload_sha256) DO UPDATE
          SET times_seen = stream_set_aside_events.times_seen + EXCLUDED.times_seen, last_seen_at = now()
       RETURNING session_id, (xmax = 0) AS inserted
     ),
     tally AS (
       SELECT session_id, (count(*) FILTER (WHERE inserted))::int AS added FROM upserted GROUP BY session_id
     ),
     counted AS (
       UPDATE stream_sessions s SET set_aside = s.set_aside + t.added
         FROM tally t
        WHERE s.tenant_id = $1 AND s.id = t.session_id AND t.added > 0
     )
     SELECT session_id, added FROM tally`,
    [
      tenantId,
      rows.map((row) => row.sessionId),
      rows.map((row) => row.sha),
      rows.map((row) => (row.eventId === null ? null : printable(row.eventId))),
      rows.map((row) => printable(row.reason)),
      rows.map((row) => row.payload.subarray(0, keptBytes).toString('hex')),
      rows.map((row) => row.payload.length),
      rows.map((row) => row.times),
    ],
  );
  return new Map(added.map((row) => [row.session_id, row.added]));
}

/** A session's set-aside events, newest first, and how many there are. */
export async function listSetAside(
  db: Db,
  tenantId: string,
  sessionId: string,
  page: { limit: number; offset: number },
): Promise<{ items: SetAsideEvent[]; total: number }> {
  const { rows } = await db.query<{
    id: string;
    event_id: string | null;
    reason: string;
    payload: Buffer;
    payload_bytes: number;
    times_seen: number;
    first_seen_at: Date;
    last_seen_at: Date;
  }>(
    `SELECT id, event_id, reason, substring(payload FROM 1 FOR $5) AS payload, payload_bytes, times_seen,
            first_seen_at, last_seen_at
       FROM stream_set_aside_events WHERE tenant_id = $1 AND session_id = $2
      ORDER BY seq DESC LIMIT $3 OFFSET $4`,
    [tenantId, sessionId, page.limit, page.offset, previewChars * 4],
  );
  const total = await db.query<{ total: number }>(
    'SELECT count(*)::int AS total FROM stream_set_aside_events WHERE tenant_id = $1 AND session_id = $2',
    [tenantId, sessionId],
  );
  return {
    items: rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      reason: row.reason,
      payloadBytes: row.payload_bytes,
      payloadPreview: printable(row.payload.toString('utf8')).slice(0, previewChars),
      timesSeen: row.times_seen,
      firstSeenAt: row.first_seen_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
    })),
    total: total.rows[0]?.total ?? 0,
  };
}
