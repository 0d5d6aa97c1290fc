import { createHmac } from 'node:crypto';
import { sha256 } from '../auth/tokens.ts';
import type { Db } from '../db/pool.ts';

/**
 * Each tenant's erasure key: a random secret the database makes when the tenant is created
 * (migration 8), kept in a table only the schema owner may read, never logged, never answered.
 * It keys the hash that lets sign-in recognise an erased account, so whoever reads the users
 * table (a dump, a backup, the app role) cannot confirm a guessed email by hashing it.
 */
export async function erasureKeyOf(db: Db, tenantId: string): Promise<Buffer> {
  const { rows } = await db.query<{ secret: Buffer }>(
    'SELECT secret FROM tenant_erasure_keys WHERE tenant_id = $1',
    [tenantId],
  );
  const key = rows[0]?.secret;
  if (!key) throw new Error(`Tenant ${tenantId} has no erasure key; run the platform's migrations.`);
  return key;
}

/**
 * HMAC-SHA256 under the tenant's key of the digest earlier versions stored unkeyed; keying that
 * digest (rather than the email) let migration 8 upgrade the hashes already stored, in place.
 */
export function keyedEmailHash(key: Buffer, tenantId: string, email: string): string {
  const unkeyed = sha256(`erased:${tenantId}:${email.trim().toLowerCase()}`);
  return createHmac('sha256', key).update(unkeyed).digest('hex');
}

/** The keyed hash of a sign-in email in the tenant, read with the tenant's key. */
export async function erasedEmailHash(db: Db, tenantId: string, email: string): Promise<string> {
  return keyedEmailHash(await erasureKeyOf(db, tenantId), tenantId, email);
}
