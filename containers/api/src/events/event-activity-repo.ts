import type { Db } from '../db/pool.ts';
import type { Person } from '../deployments/deployments-repo.ts';

export type ActivityAction = 'acknowledged' | 'escalated' | 'enriched' | 'resolved' | 'ignored' | 'noted';

export interface TimelineEntry {
  at: string;
  /** `raised` is the event's own creation; the rest are what people did. */
  action: ActivityAction | 'raised';
  /** Null for the platform itself (raising the event). */
  actor: Person | null;
  note: string | null;
  details: Record<string, unknown>;
}

export async function recordActivity(
  db: Db,
  tenantId: string,
  eventId: string,
  entry: { action: ActivityAction; actor: Person; note?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `INSERT INTO anomaly_event_activity (tenant_id, event_id, actor_id, actor_name, actor_email, action, note, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      tenantId,
      eventId,
      entry.actor.id,
      entry.actor.name,
      entry.actor.email,
      entry.action,
      entry.note ?? null,
      entry.details ?? {},
    ],
  );
}

/** The event's history, oldest first, starting with its being raised. */
export async function loadTimeline(
  db: Db,
  tenantId: string,
  event: { id: string; createdAt: string; severity: string },
): Promise<TimelineEntry[]> {
  const { rows } = await db.query<{
    at: Date;
    action: ActivityAction;
    actor_id: string | null;
    actor_name: string | null;
    actor_email: string | null;
    note: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT at, action, actor_id, actor_name, actor_email, note, details FROM anomaly_event_activity
      WHERE tenant_id = $1 AND event_id = $2 ORDER BY at, id`,
    [tenantId, event.id],
  );
  return [
    { at: event.createdAt, action: 'raised', actor: null, note: null, details: { severity: event.severity } },
    ...rows.map((row) => ({
      at: row.at.toISOString(),
      action: row.action,
      // Names are kept as they were at the time, so the timeline survives a user's removal.
      actor:
        row.actor_email === null
          ? null
          : { id: row.actor_id ?? '', name: row.actor_name ?? row.actor_email, email: row.actor_email },
      note: row.note,
      details: row.details,
    })),
  ];
}
