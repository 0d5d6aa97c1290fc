import pg from 'pg';
import type { Stack } from '../../../fixtures/stack/stack.ts';

/**
 * Ages every sign-in an organisation has under way past its lifetime, in the platform's
 * database: a journey cannot wait the ten minutes a sign-in attempt lives. Needs the `database`
 * capability; the platform keeps its sign-in attempts in `sign_in_states`.
 */
export async function expireSignInsUnderWay(stack: Stack, tenantId: string): Promise<number> {
  if (!stack.databaseUrl) throw new Error('This stack offers no database access: declare needs("database").');
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `UPDATE sign_in_states SET expires_at = now() - interval '1 second'
        WHERE tenant_id = $1 AND used_at IS NULL AND expires_at > now()`,
      [tenantId],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}
