import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { randomToken, secretsMatch, sha256 } from '../auth/tokens.ts';
import { type Db, withSystem } from '../db/pool.ts';
import type { BrokerUsers } from './broker-users.ts';

/**
 * A producer's broker user names its tenant and its credential: `tenant:<slug>:<credential id>`.
 * The broker grants it what the name says (publish to its own tenant's session topics, nothing
 * else), and it connects only with that same string as its client id, so no producer can take
 * over another client's session (the platform's least of all).
 */
const usernamePattern = /^tenant:([a-z0-9-]{1,63}):([0-9a-f-]{36})$/;
const secretPrefix = 'jp_';

export const newProducerCredentialSchema = z.strictObject({
  name: z.string().trim().min(1, 'name is missing: say which line or device uses the credential').max(100),
});

export interface ProducerCredential {
  id: string;
  name: string;
  username: string;
  /** The topics it may publish to (MQTT filter). */
  publishTopic: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface IssuedProducerCredential extends ProducerCredential {
  /** Shown once; only its digest is kept. */
  password: string;
}

interface CredentialRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

export const producerUsername = (tenantSlug: string, id: string) => `tenant:${tenantSlug}:${id}`;
/** The MQTT filter a tenant's producers may publish to; the same filter the broker's rule holds. */
export const producerPublishTopic = (tenantSlug: string) => `tenants/${tenantSlug}/sessions/+/events`;

/** What a tenant's producers may read: the platform's confirmations of their tenant's sessions' events. */
export const producerConfirmationFilter = (tenantSlug: string) =>
  `tenants/${tenantSlug}/sessions/+/confirmed`;

const toCredential = (tenantSlug: string, row: CredentialRow): ProducerCredential => ({
  id: row.id,
  name: row.name,
  username: producerUsername(tenantSlug, row.id),
  publishTopic: producerPublishTopic(tenantSlug),
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/** Who issues a credential, as the audit log records them: a member, or the admin API. */
export interface Issuer {
  id?: string;
  email: string;
  ip: string;
}

/**
 * Issues a credential, provisions it into the broker and records it in the tenant's audit log,
 * whoever issued it. Called inside a transaction: a broker that refuses it leaves no credential.
 */
export async function issueProducerCredential(
  db: Db,
  broker: BrokerUsers,
  tenant: { id: string; slug: string },
  name: string,
  issuer: Issuer,
): Promise<IssuedProducerCredential> {
  const password = `${secretPrefix}${randomToken()}`;
  const { rows } = await db.query<CredentialRow>(
    `INSERT INTO producer_credentials (tenant_id, name, secret_hash, created_by) VALUES ($1, $2, $3, $4)
     RETURNING id, name, created_by, created_at, revoked_at`,
    [tenant.id, name, sha256(password), issuer.email],
  );
  const credential = { ...toCredential(tenant.slug, rows[0] as CredentialRow), password };
  await broker.grant({ username: credential.username, password, tenantSlug: tenant.slug });
  await recordAudit(db, tenant.id, {
    action: 'producer_credential.issue',
    outcome: 'success',
    actorId: issuer.id ?? null,
    actorEmail: issuer.email,
    targetType: 'producer_credential',
    targetId: credential.id,
    ip: issuer.ip,
    details: { name, username: credential.username },
  });
  return credential;
}

export async function listProducerCredentials(
  db: Db,
  tenant: { id: string; slug: string },
): Promise<ProducerCredential[]> {
  const { rows } = await db.query<CredentialRow>(
    `SELECT id, name, created_by, created_at, revoked_at FROM producer_credentials
      WHERE tenant_id = $1 ORDER BY created_at, id`,
    [tenant.id],
  );
  return rows.map((row) => toCredential(tenant.slug, row));
}

/**
 * Revokes a live credential and removes it from the broker; false when the tenant has no such live
 * credential. Called inside a transaction: a broker that cannot be told keeps the credential live.
 */
export async function revokeProducerCredential(
  db: Db,
  broker: BrokerUsers,
  tenant: { id: string; slug: string },
  id: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE producer_credentials SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL`,
    [id, tenant.id],
  );
  if (rowCount !== 1) return false;
  await broker.revoke(producerUsername(tenant.slug, id));
  return true;
}

export interface ProducerIdentity {
  credentialId: string;
  tenantId: string;
  tenantSlug: string;
  username: string;
}

/** Which live credential a broker user and password are, or null (unknown, revoked, wrong secret). */
export async function verifyProducerCredential(
  pool: pg.Pool,
  username: string,
  password: string,
): Promise<ProducerIdentity | null> {
  const match = usernamePattern.exec(username);
  if (!match) return null;
  const [, tenantSlug, credentialId] = match as unknown as [string, string, string];
  const row = await withSystem(pool, async (db) => {
    const { rows } = await db.query<{ tenant_id: string; secret_hash: string }>(
      `SELECT c.tenant_id, c.secret_hash FROM producer_credentials c JOIN tenants t ON t.id = c.tenant_id
        WHERE c.id = $1 AND t.slug = $2 AND c.revoked_at IS NULL`,
      [credentialId, tenantSlug],
    );
    return rows[0];
  });
  if (!row || !secretsMatch(sha256(password), row.secret_hash)) return null;
  return { credentialId, tenantId: row.tenant_id, tenantSlug, username };
}

/** Only the owner of a producer user, by its name alone (a refusal report names no password). */
export function producerOwner(username: string): { tenantSlug: string; credentialId: string } | null {
  const match = usernamePattern.exec(username);
  return match ? { tenantSlug: match[1] as string, credentialId: match[2] as string } : null;
}
