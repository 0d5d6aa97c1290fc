import type pg from 'pg';
import { withSystem } from './pool.ts';
import { migrations } from './schema.ts';

/** An arbitrary constant: every instance migrating the same database queues on this lock. */
const migrationLock = 0x4a_6f_75_72;

/**
 * Applies the migrations this database has not seen, all in one transaction, so a crash
 * half-way leaves the schema as it was. Cheap when there is nothing to do (one round trip).
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const versions = migrations.map((migration) => migration.version);
  const duplicate = versions.find((version, index) => versions.indexOf(version) !== index);
  if (duplicate !== undefined) {
    throw new Error(`Two migrations share version ${duplicate}: give the newer one the next free number.`);
  }
  // withSystem: one transaction on a client that is discarded if the connection drops.
  return withSystem(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    return pending.map((migration) => migration.version);
  });
}
