import { recordAudit } from '../audit/audit-log.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Db } from '../db/pool.ts';

/** Stable per user: erasing twice yields the same pseudonym, and entries stay attributable to one person. */
export const pseudonymFor = (tenantId: string, userId: string) =>
  `erased-user-${sha256(`${tenantId}:${userId}`).slice(0, 12)}`;

/** Lets sign-in recognise an erased account without keeping its email. */
export const erasedEmailHash = (tenantId: string, email: string) =>
  sha256(`erased:${tenantId}:${email.trim().toLowerCase()}`);

export interface ErasureResult {
  userId: string;
  pseudonym: string;
  /** True when the user had been erased before; nothing personal was left to change. */
  alreadyErased: boolean;
  sessions: number;
  apiKeys: number;
  auditEntries: number;
  eventActivity: number;
  deploymentNotes: number;
}

export interface ErasureActor {
  id: string | null;
  email: string;
  ip?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** Replaces every occurrence of the person's email and name (any case) in free text and JSON. */
function scrubber(identities: string[], pseudonym: string) {
  const pattern = new RegExp(identities.map(escapeRegExp).join('|'), 'gi');
  const text = (value: string) => value.replace(pattern, pseudonym);
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [text(key), deep(field)]));
    }
    return value;
  };
  return { text, deep };
}

/**
 * Pseudonymises a person: their sign-in identity, email and name become `erased-user-<hash>`
 * wherever the platform kept them (their user record, audit entries, event timelines and notes,
 * deployment notes); their sessions end and API keys are revoked. Rows are changed, never
 * removed, so the audit log keeps every entry, its id and order. Runs as the schema owner
 * inside one transaction; the audit log accepts the identity change only within it.
 */
export async function eraseUser(
  db: Db,
  tenantId: string,
  userId: string,
  actor: ErasureActor,
): Promise<ErasureResult | null> {
  const { rows } = await db.query<{ email: string; name: string; erased_at: Date | null }>(
    'SELECT email, name, erased_at FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
    [tenantId, userId],
  );
  const user = rows[0];
  if (!user) return null;
  const pseudonym = pseudonymFor(tenantId, userId);
  const result: ErasureResult = {
    userId,
    pseudonym,
    alreadyErased: user.erased_at !== null,
    sessions: 0,
    apiKeys: 0,
    auditEntries: 0,
    eventActivity: 0,
    deploymentNotes: 0,
  };
  await db.query(`SELECT set_config('app.erasure_pseudonym', $1, true)`, [pseudonym]);

  result.sessions =
    (await db.query('DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]))
      .rowCount ?? 0;
  result.apiKeys =
    (
      await db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL',
        [tenantId, userId],
      )
    ).rowCount ?? 0;

  if (!result.alreadyErased) {
    // Longest first, so an email is replaced whole before a name inside it could be.
    const identities = [user.email, user.name.trim()]
      .filter((value) => value.length >= 3)
      .sort((a, b) => b.length - a.length);
    const scrub = scrubber(identities, pseudonym);
    const likes = identities.map((value) => `%${escapeLike(value)}%`);
    await db.query(
      `UPDATE users SET email = $3, name = $3, erased_at = now(), erased_email_hash = $4
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, userId, pseudonym, erasedEmailHash(tenantId, user.email)],
    );

    const audit = await db.query<{
      id: string;
      actor_id: string | null;
      actor_email: string | null;
      details: unknown;
    }>(
      `SELECT id, actor_id, actor_email, details FROM audit_log
        WHERE tenant_id = $1 AND (actor_id = $2 OR lower(actor_email) = lower($3) OR details::text ILIKE ANY($4::text[]))
        ORDER BY id`,
      [tenantId, userId, user.email, likes],
    );
    for (const entry of audit.rows) {
      const actorEmail =
        entry.actor_id === userId || entry.actor_email?.toLowerCase() === user.email.toLowerCase()
          ? pseudonym
          : entry.actor_email;
      await db.query('UPDATE audit_log SET actor_email = $2, details = $3 WHERE id = $1', [
        entry.id,
        actorEmail,
        JSON.stringify(scrub.deep(entry.details)),
      ]);
    }
    result.auditEntries = audit.rows.length;

    const activity = await db.query<{
      id: string;
      actor_id: string | null;
      actor_email: string | null;
      note: string | null;
      details: unknown;
    }>(
      `SELECT id, actor_id, actor_email, note, details FROM anomaly_event_activity
        WHERE tenant_id = $1 AND (actor_id = $2 OR lower(actor_email) = lower($3)
          OR note ILIKE ANY($4::text[]) OR details::text ILIKE ANY($4::text[]))`,
      [tenantId, userId, user.email, likes],
    );
    for (const entry of activity.rows) {
      const theirs =
        entry.actor_id === userId || entry.actor_email?.toLowerCase() === user.email.toLowerCase();
      await db.query(
        `UPDATE anomaly_event_activity
            SET actor_name = CASE WHEN $2 THEN $3 ELSE actor_name END,
                actor_email = CASE WHEN $2 THEN $3 ELSE actor_email END,
                note = $4, details = $5
          WHERE id = $1`,
        [
          entry.id,
          theirs,
          pseudonym,
          entry.note === null ? null : scrub.text(entry.note),
          JSON.stringify(scrub.deep(entry.details)),
        ],
      );
    }
    result.eventActivity = activity.rows.length;

    const notes = await db.query<{
      id: string;
      approval_note: string | null;
      rollback_reason: string | null;
    }>(
      `SELECT id, approval_note, rollback_reason FROM deployments
        WHERE tenant_id = $1 AND (approval_note ILIKE ANY($2::text[]) OR rollback_reason ILIKE ANY($2::text[]))`,
      [tenantId, likes],
    );
    for (const deployment of notes.rows) {
      await db.query('UPDATE deployments SET approval_note = $2, rollback_reason = $3 WHERE id = $1', [
        deployment.id,
        deployment.approval_note === null ? null : scrub.text(deployment.approval_note),
        deployment.rollback_reason === null ? null : scrub.text(deployment.rollback_reason),
      ]);
    }
    result.deploymentNotes = notes.rows.length;
  }

  await recordAudit(db, tenantId, {
    action: 'user.erase',
    outcome: 'success',
    actorId: actor.id,
    actorEmail: actor.email,
    targetType: 'user',
    targetId: userId,
    ...(actor.ip ? { ip: actor.ip } : {}),
    details: {
      pseudonym,
      alreadyErased: result.alreadyErased,
      sessions: result.sessions,
      apiKeys: result.apiKeys,
      auditEntries: result.auditEntries,
      eventActivity: result.eventActivity,
      deploymentNotes: result.deploymentNotes,
    },
  });
  return result;
}

/** True when an account with this sign-in email was erased in the tenant. */
export async function wasErased(db: Db, tenantId: string, email: string): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM users WHERE tenant_id = $1 AND erased_email_hash = $2 LIMIT 1',
    [tenantId, erasedEmailHash(tenantId, email)],
  );
  return rows.length > 0;
}
