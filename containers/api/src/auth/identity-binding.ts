import type { Db } from '../db/pool.ts';

/**
 * Ties a member to one account at the identity provider. The first sign-in binds the member to
 * the (issuer, subject) that signed in; every later sign-in must come from that same account. An
 * email alone is not enough: a provider may let a second account claim an address already in use.
 * Answers whether this account may sign in as the member.
 */
export async function matchesBoundIdentity(
  db: Db,
  tenantId: string,
  userId: string,
  account: { issuer: string; subject: string },
): Promise<boolean> {
  // Binds only an unbound member, and only to an account no other member of the tenant holds.
  const bound = await db.query(
    `UPDATE users SET idp_issuer = $3, idp_subject = $4
      WHERE tenant_id = $1 AND id = $2 AND idp_subject IS NULL
        AND NOT EXISTS (SELECT 1 FROM users other
                         WHERE other.tenant_id = $1 AND other.idp_issuer = $3 AND other.idp_subject = $4)`,
    [tenantId, userId, account.issuer, account.subject],
  );
  if (bound.rowCount === 1) return true;
  const { rows } = await db.query<{ idp_issuer: string | null; idp_subject: string | null }>(
    'SELECT idp_issuer, idp_subject FROM users WHERE tenant_id = $1 AND id = $2',
    [tenantId, userId],
  );
  const member = rows[0];
  return member?.idp_issuer === account.issuer && member.idp_subject === account.subject;
}
