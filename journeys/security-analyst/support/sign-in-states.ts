import { createHash } from 'node:crypto';
import { withDatabase } from '../../../fixtures/stack/database-session.ts';
import type { Stack } from '../../../fixtures/stack/stack.ts';

/**
 * Ages one sign-in under way past its lifetime, in the platform's database: a journey cannot wait
 * the ten minutes a sign-in attempt lives. Needs the `database` capability. The platform keeps its
 * sign-in attempts in `sign_in_states`, each under the SHA-256 of its state (states travel in URLs).
 * Answers how many attempts it aged: one, or none when the state is unknown or already over.
 */
export async function expireSignIn(stack: Stack, state: string): Promise<number> {
  if (!stack.databaseUrl) throw new Error('This stack offers no database access: declare needs("database").');
  return withDatabase(stack.databaseUrl, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE sign_in_states SET expires_at = now() - interval '1 second'
          WHERE state_hash = $1 AND used_at IS NULL AND expires_at > now()`,
      [createHash('sha256').update(state).digest('hex')],
    );
    return rowCount ?? 0;
  });
}
