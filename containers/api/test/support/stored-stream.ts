import type pg from 'pg';
import { withSystem } from '../../src/db/pool.ts';

/**
 * Rows a stream leaves behind, written straight into the database: a session bound to a
 * (record-only) production deployment, raw events at chosen times, and anomaly events raised
 * from some of them. Retention and erasure only read these rows, so no broker is needed.
 */
export interface StoredStream {
  sessionId: string;
  /** Adds raw events (and an anomaly event for each flagged one) that occurred at `at`. */
  addEvents(
    at: Date,
    count: number,
    options?: { anomalies?: number; prefix?: string },
  ): Promise<{ eventIds: string[]; anomalyIds: string[] }>;
}

export async function storedStream(pool: pg.Pool, tenantId: string, name: string): Promise<StoredStream> {
  const sessionId = await withSystem(pool, async (db) => {
    const version = await db.query<{ id: string }>(
      `INSERT INTO model_versions (tenant_id, name, version, algorithm, params)
       VALUES ($1, $2, 1, 'robust_zscore', '{}') RETURNING id`,
      [tenantId, name],
    );
    const deployment = await db.query<{ id: string }>(
      `INSERT INTO deployments (tenant_id, environment, model_version_id, model_name, kind, state)
       VALUES ($1, 'production', $2, $3, 'deploy', 'superseded') RETURNING id`,
      [tenantId, version.rows[0]?.id, name],
    );
    const session = await db.query<{ id: string }>(
      `INSERT INTO stream_sessions (tenant_id, name, deployment_id, model_name, state)
       VALUES ($1, $2, $3, $4, 'stopped') RETURNING id`,
      [tenantId, `${name} stream`, deployment.rows[0]?.id, name],
    );
    return session.rows[0]?.id as string;
  });
  let serial = 0;
  return {
    sessionId,
    async addEvents(at, count, { anomalies = 0, prefix = 'evt' } = {}) {
      return withSystem(pool, async (db) => {
        const eventIds: string[] = [];
        const anomalyIds: string[] = [];
        for (let index = 0; index < count; index++) {
          const eventId = `${prefix}-${serial++}`;
          eventIds.push(eventId);
          await db.query(
            `INSERT INTO stream_events (tenant_id, session_id, event_id, occurred_at, received_at, readings, score, anomaly)
             VALUES ($1, $2, $3, $4, $4, '{"t": 1}', 0.5, $5)`,
            [tenantId, sessionId, eventId, at, index < anomalies],
          );
          if (index < anomalies) {
            const raised = await db.query<{ id: string }>(
              `INSERT INTO anomaly_events (tenant_id, session_id, stream_event_id, severity, score, threshold, distance,
                                           contributions, readings, occurred_at, source_ip)
               VALUES ($1, $2, $3, 'high', 0.9, 0.5, 8, '{"t": 1}', '{"t": 1}', $4, '198.51.100.23') RETURNING id`,
              [tenantId, sessionId, eventId, at],
            );
            anomalyIds.push(raised.rows[0]?.id as string);
          }
        }
        return { eventIds, anomalyIds };
      });
    },
  };
}
