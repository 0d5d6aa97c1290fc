import type pg from 'pg';
import { migrations } from '../../src/db/schema.ts';

/**
 * Brings an empty database to the schema as it was at `version`, as an older platform left it,
 * so a test can store data the old way and then watch `migrate` upgrade it.
 */
export async function schemaAtVersion(pool: pg.Pool, version: number): Promise<void> {
  await pool.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const migration of migrations.filter((candidate) => candidate.version <= version)) {
    await pool.query(migration.sql);
    await pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
  }
}
