import type pg from 'pg';
import { withSystem } from '../db/pool.ts';
import { sha256 } from './tokens.ts';

/**
 * Sign-ins under way, kept server-side: each state is used at most once and only within its
 * lifetime, so a callback URL (with the browser's cookie) replayed later signs nobody in and is
 * told apart from a real failure. The database only sees the state's hash: states travel in URLs.
 * Lifetimes run on real time, like sessions: the platform clock is moved by retention tests, and
 * moving it must not expire sign-ins under way.
 */

/** How long a person has between leaving for the identity provider and coming back. */
export const signInLifetimeSeconds = 600;

/** Used and expired states are kept this long, so a late replay is still recognised as one. */
const keepForRecognitionSeconds = 24 * 3600;

export interface PendingSignIn {
  tenantId: string;
  nonce: string;
  codeVerifier: string;
}

export type ClaimedSignIn =
  | ({ outcome: 'claimed' } & PendingSignIn)
  | { outcome: 'used'; tenantId: string }
  | { outcome: 'expired'; tenantId: string }
  | { outcome: 'unknown' };

export async function saveSignInState(pool: pg.Pool, state: string, pending: PendingSignIn): Promise<void> {
  await withSystem(pool, async (db) => {
    await db.query(`DELETE FROM sign_in_states WHERE expires_at < now() - make_interval(secs => $1)`, [
      keepForRecognitionSeconds,
    ]);
    await db.query(
      `INSERT INTO sign_in_states (state_hash, tenant_id, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [sha256(state), pending.tenantId, pending.nonce, pending.codeVerifier, signInLifetimeSeconds],
    );
  });
}

/** Takes the state for this callback: the first caller within its lifetime gets it, nobody after. */
export async function claimSignInState(pool: pg.Pool, state: string): Promise<ClaimedSignIn> {
  return withSystem(pool, async (db) => {
    const claimed = await db.query<{ tenant_id: string; nonce: string; code_verifier: string }>(
      `UPDATE sign_in_states SET used_at = now()
        WHERE state_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING tenant_id, nonce, code_verifier`,
      [sha256(state)],
    );
    const row = claimed.rows[0];
    if (row) {
      return {
        outcome: 'claimed',
        tenantId: row.tenant_id,
        nonce: row.nonce,
        codeVerifier: row.code_verifier,
      };
    }
    const { rows } = await db.query<{ tenant_id: string; used_at: Date | null }>(
      'SELECT tenant_id, used_at FROM sign_in_states WHERE state_hash = $1',
      [sha256(state)],
    );
    const known = rows[0];
    if (!known) return { outcome: 'unknown' };
    return known.used_at
      ? { outcome: 'used', tenantId: known.tenant_id }
      : { outcome: 'expired', tenantId: known.tenant_id };
  });
}
