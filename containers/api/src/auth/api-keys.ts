import type pg from 'pg';
import { type Db, withSystem } from '../db/pool.ts';
import { type Principal, type PrincipalRow, principalFromRow } from './principal.ts';
import { randomToken, sha256 } from './tokens.ts';

/** Keys look like `jk_<32 random bytes>` so leaked ones are easy to recognise and scan for. */
const keyPrefix = 'jk_';

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  key_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toSummary = (row: ApiKeyRow): ApiKeySummary => ({
  id: row.id,
  name: row.name,
  prefix: row.key_prefix,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/** Creates a key and returns it in clear exactly once; only its hash is stored. */
export async function createApiKey(
  db: Db,
  tenantId: string,
  userId: string,
  name: string,
): Promise<{ id: string; name: string; key: string }> {
  const key = `${keyPrefix}${randomToken()}`;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO api_keys (tenant_id, user_id, name, key_hash, key_prefix)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [tenantId, userId, name, sha256(key), key.slice(0, keyPrefix.length + 6)],
  );
  return { id: (rows[0] as { id: string }).id, name, key };
}

export async function listApiKeys(db: Db, tenantId: string, userId: string): Promise<ApiKeySummary[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT id, name, key_prefix, created_at, last_used_at, revoked_at FROM api_keys
      WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at`,
    [tenantId, userId],
  );
  return rows.map(toSummary);
}

/** Revokes a key of the given user; false when no such live key exists. */
export async function revokeApiKey(
  db: Db,
  tenantId: string,
  userId: string,
  keyId: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE api_keys SET revoked_at = now()
      WHERE id = $1 AND tenant_id = $2 AND user_id = $3 AND revoked_at IS NULL`,
    [keyId, tenantId, userId],
  );
  return rowCount === 1;
}

export async function findApiKey(pool: pg.Pool, key: string): Promise<Principal | null> {
  if (!key.startsWith(keyPrefix)) return null;
  return withSystem(pool, async (db) => {
    const { rows } = await db.query<PrincipalRow & { key_id: string }>(
      `SELECT k.id AS key_id, u.id AS user_id, u.email, u.name, u.role, t.id AS tenant_id,
              t.slug AS tenant_slug, t.name AS tenant_name
         FROM api_keys k
         JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id AND u.erased_at IS NULL
         JOIN tenants t ON t.id = k.tenant_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active'`,
      [sha256(key)],
    );
    const row = rows[0];
    if (!row) return null;
    // Coarse on purpose: one write a minute per key is enough to see which keys are alive.
    await db.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [row.key_id],
    );
    return principalFromRow(row, 'api_key', null, { id: row.key_id, expiresAt: null });
  });
}
