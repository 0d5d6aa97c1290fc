import { isDeepStrictEqual } from 'node:util';
import { recordAudit } from '../audit/audit-log.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Db } from '../db/pool.ts';
import { erasedEmailHash } from './erasure-keys.ts';
import { type IdentityScrubber, identityScrubber } from './identity-scrubber.ts';

/** Stable per user: erasing twice yields the same pseudonym, and entries stay attributable to one person. */
export const pseudonymFor = (tenantId: string, userId: string) =>
  `erased-user-${sha256(`${tenantId}:${userId}`).slice(0, 12)}`;

export interface ErasureResult {
  userId: string;
  pseudonym: string;
  /** True when the user had been erased before; nothing personal was left to change. */
  alreadyErased: boolean;
  sessions: number;
  apiKeys: number;
  /** Audit entries rewritten: the person's own, and those whose free text named them. */
  auditEntries: number;
  eventActivity: number;
  deploymentNotes: number;
}

export interface ErasureActor {
  id: string | null;
  email: string;
  ip?: string;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

interface Person {
  id: string;
  email: string;
  scrub: IdentityScrubber;
  likes: string[];
}

/** True when a row's structured actor fields point at the person: their id, or their sign-in email. */
const isActor = (person: Person, row: { actor_id: string | null; actor_email: string | null }) =>
  row.actor_id === person.id || row.actor_email?.toLowerCase() === person.email.toLowerCase();

/**
 * The person's own entries get the pseudonym as actor (by reference: their user id, or the email a
 * failed sign-in recorded); any entry's free text that names them as a whole word is scrubbed.
 * An entry is written only when it changes, so every other entry keeps its exact bytes.
 */
async function pseudonymiseAudit(
  db: Db,
  tenantId: string,
  person: Person,
  pseudonym: string,
): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    actor_id: string | null;
    actor_email: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT id, actor_id, actor_email, details FROM audit_log
      WHERE tenant_id = $1 AND (actor_id = $2 OR lower(actor_email) = lower($3) OR details::text ILIKE ANY($4::text[]))
      ORDER BY id`,
    [tenantId, person.id, person.email, person.likes],
  );
  let changed = 0;
  for (const entry of rows) {
    const actorEmail = isActor(person, entry) ? pseudonym : entry.actor_email;
    const details = person.scrub.deep(entry.details);
    if (actorEmail === entry.actor_email && isDeepStrictEqual(details, entry.details)) continue;
    await db.query('UPDATE audit_log SET actor_email = $2, details = $3 WHERE id = $1', [
      entry.id,
      actorEmail,
      JSON.stringify(details),
    ]);
    changed += 1;
  }
  return changed;
}

/** The same on event timelines: the person's own actions, and notes that name them. */
async function pseudonymiseTimelines(
  db: Db,
  tenantId: string,
  person: Person,
  pseudonym: string,
): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    actor_id: string | null;
    actor_email: string | null;
    note: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT id, actor_id, actor_email, note, details FROM anomaly_event_activity
      WHERE tenant_id = $1 AND (actor_id = $2 OR lower(actor_email) = lower($3)
        OR note ILIKE ANY($4::text[]) OR details::text ILIKE ANY($4::text[]))`,
    [tenantId, person.id, person.email, person.likes],
  );
  let changed = 0;
  for (const entry of rows) {
    const theirs = isActor(person, entry);
    const note = entry.note === null ? null : person.scrub.text(entry.note);
    const details = person.scrub.deep(entry.details);
    if (!theirs && note === entry.note && isDeepStrictEqual(details, entry.details)) continue;
    await db.query(
      `UPDATE anomaly_event_activity
          SET actor_name = CASE WHEN $2 THEN $3 ELSE actor_name END,
              actor_email = CASE WHEN $2 THEN $3 ELSE actor_email END,
              note = $4, details = $5
        WHERE id = $1`,
      [entry.id, theirs, pseudonym, note, JSON.stringify(details)],
    );
    changed += 1;
  }
  return changed;
}

/** Approval notes and rollback reasons that name the person. */
async function scrubDeploymentNotes(db: Db, tenantId: string, person: Person): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    approval_note: string | null;
    rollback_reason: string | null;
  }>(
    `SELECT id, approval_note, rollback_reason FROM deployments
      WHERE tenant_id = $1 AND (approval_note ILIKE ANY($2::text[]) OR rollback_reason ILIKE ANY($2::text[]))`,
    [tenantId, person.likes],
  );
  let changed = 0;
  for (const deployment of rows) {
    const approvalNote =
      deployment.approval_note === null ? null : person.scrub.text(deployment.approval_note);
    const rollbackReason =
      deployment.rollback_reason === null ? null : person.scrub.text(deployment.rollback_reason);
    if (approvalNote === deployment.approval_note && rollbackReason === deployment.rollback_reason) continue;
    await db.query('UPDATE deployments SET approval_note = $2, rollback_reason = $3 WHERE id = $1', [
      deployment.id,
      approvalNote,
      rollbackReason,
    ]);
    changed += 1;
  }
  return changed;
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
    await db.query(
      // The identity-provider subject names the person too: it goes with the email.
      `UPDATE users SET email = $3, name = $3, erased_at = now(), erased_email_hash = $4,
                        idp_issuer = NULL, idp_subject = NULL
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, userId, pseudonym, await erasedEmailHash(db, tenantId, user.email)],
    );
    const person: Person = {
      id: userId,
      email: user.email,
      scrub: identityScrubber([user.email, user.name], pseudonym),
      // A cheap first sieve in SQL (any-case substring); the scrubber then keeps whole words only.
      likes: [user.email, user.name]
        .map((value) => value.trim().split(/\s+/u).filter(Boolean).map(escapeLike))
        .filter((words) => words.length > 0)
        .map((words) => `%${words.join('%')}%`),
    };
    result.auditEntries = await pseudonymiseAudit(db, tenantId, person, pseudonym);
    result.eventActivity = await pseudonymiseTimelines(db, tenantId, person, pseudonym);
    result.deploymentNotes = await scrubDeploymentNotes(db, tenantId, person);
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
    [tenantId, await erasedEmailHash(db, tenantId, email)],
  );
  return rows.length > 0;
}
