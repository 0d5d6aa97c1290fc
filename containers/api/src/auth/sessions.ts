import type pg from 'pg';
import { type Db, withSystem } from '../db/pool.ts';
import { type Principal, type PrincipalRow, principalFromRow } from './principal.ts';
import { randomToken, sha256 } from './tokens.ts';

export interface NewSession {
  sid: string;
  csrfToken: string;
  expiresAt: Date;
}

/** How a session is named everywhere but the cookie: its live feeds are revoked by this too. */
export const sessionIdHash = (sid: string) => sha256(sid);

/** The cookie carries the session id; the database only ever sees its hash. */
export async function createSession(
  db: Db,
  tenantId: string,
  userId: string,
  ttlMinutes: number,
): Promise<NewSession> {
  const sid = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await db.query(
    'INSERT INTO sessions (id_hash, tenant_id, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [sha256(sid), tenantId, userId, csrfToken, expiresAt],
  );
  return { sid, csrfToken, expiresAt };
}

export async function findSession(pool: pg.Pool, sid: string): Promise<Principal | null> {
  return withSystem(pool, async (db) => {
    const { rows } = await db.query<PrincipalRow & { csrf_token: string; expires_at: Date }>(
      `SELECT u.id AS user_id, u.email, u.name, u.role, t.id AS tenant_id, t.slug AS tenant_slug,
              t.name AS tenant_name, s.csrf_token, s.expires_at
         FROM sessions s
         JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id AND u.erased_at IS NULL
         JOIN tenants t ON t.id = s.tenant_id
        WHERE s.id_hash = $1 AND s.expires_at > now() AND t.status = 'active'`,
      [sessionIdHash(sid)],
    );
    const row = rows[0];
    return row
      ? principalFromRow(row, 'session', row.csrf_token, {
          id: sessionIdHash(sid),
          expiresAt: row.expires_at,
        })
      : null;
  });
}

export async function deleteSession(pool: pg.Pool, sid: string): Promise<void> {
  await withSystem(pool, (db) => db.query('DELETE FROM sessions WHERE id_hash = $1', [sha256(sid)]));
}
