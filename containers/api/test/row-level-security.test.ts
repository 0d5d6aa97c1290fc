import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { createPool, withSystem, withTenant } from '../src/db/pool.ts';
import { migrations, tenantTables } from '../src/db/schema.ts';
import { startTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * Tenant isolation is enforced by PostgreSQL itself, not only by the queries: these tests talk
 * to a real server as the application role and check what it can and cannot see or write.
 */
let database: TestDatabase;
let pool: pg.Pool;
const tenants = { a: '', b: '' };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  database = await startTestDatabase();
  pool = createPool(database.url);
  await migrate(pool);
  await withSystem(pool, async (db) => {
    for (const key of ['a', 'b'] as const) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO tenants (slug, name, integrations) VALUES ($1, $2, '{}') RETURNING id`,
        [`tenant-${key}`, `Tenant ${key.toUpperCase()}`],
      );
      tenants[key] = (rows[0] as { id: string }).id;
      const user = await db.query<{ id: string }>(
        `INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, 'U', 'data_scientist') RETURNING id`,
        [tenants[key], `user@${key}.example`],
      );
      const dataset = await db.query<{ id: string }>(
        `INSERT INTO datasets (tenant_id, name, columns, row_count, profile, created_by)
         VALUES ($1, $2, '[]', 1, '{}', $3) RETURNING id`,
        [tenants[key], `secret data of ${key}`, (user.rows[0] as { id: string }).id],
      );
      await db.query(
        `INSERT INTO dataset_chunks (dataset_id, tenant_id, chunk_no, first_row, cells) VALUES ($1, $2, 0, 1, '[[1]]')`,
        [(dataset.rows[0] as { id: string }).id, tenants[key]],
      );
      await db.query(
        `INSERT INTO audit_log (tenant_id, action, outcome) VALUES ($1, 'dataset.upload', 'success')`,
        [tenants[key]],
      );
    }
  });
});

test.afterAll(async () => {
  await pool?.end();
  await database?.stop();
});

test('every table with tenant data has row-level security enabled and forced', async () => {
  const { rows } = await pool.query<{
    relname: string;
    relrowsecurity: boolean;
    relforcerowsecurity: boolean;
  }>(
    `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND (c.relname = 'tenants' OR EXISTS (
          SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
      ORDER BY c.relname`,
  );
  const current = [...tenantTables.filter((table) => table !== 'dataset_rows'), 'dataset_chunks'];
  expect(rows.map((row) => row.relname)).toEqual(expect.arrayContaining(['tenants', ...current]));
  for (const row of rows)
    expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
});

test("tenant A cannot read tenant B's rows, even with a raw SELECT * as platform_app", async () => {
  const seen = await withTenant(pool, tenants.a, async (db) => {
    const current = await db.query<{ role: string }>('SELECT current_user AS role');
    const datasets = await db.query<{ name: string; tenant_id: string }>('SELECT * FROM datasets');
    const rows = await db.query<{ tenant_id: string }>('SELECT * FROM dataset_chunks');
    const users = await db.query<{ email: string }>('SELECT * FROM users');
    const visibleTenants = await db.query<{ slug: string }>('SELECT * FROM tenants');
    const audit = await db.query<{ tenant_id: string }>('SELECT * FROM audit_log');
    return {
      role: current.rows[0]?.role,
      datasets: datasets.rows.map((row) => row.name),
      rowTenants: rows.rows.map((row) => row.tenant_id),
      users: users.rows.map((row) => row.email),
      tenants: visibleTenants.rows.map((row) => row.slug),
      auditTenants: audit.rows.map((row) => row.tenant_id),
    };
  });
  expect(seen).toEqual({
    role: 'platform_app',
    datasets: ['secret data of a'],
    rowTenants: [tenants.a],
    users: ['user@a.example'],
    tenants: ['tenant-a'],
    auditTenants: [tenants.a],
  });
});

test("a query that names tenant B's id explicitly still gets nothing", async () => {
  const count = await withTenant(pool, tenants.a, async (db) => {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM datasets WHERE tenant_id = $1',
      [tenants.b],
    );
    return rows[0]?.n;
  });
  expect(count).toBe(0);
});

test('tenant A cannot write rows into tenant B', async () => {
  const attempt = withTenant(pool, tenants.a, (db) =>
    db.query(
      `INSERT INTO datasets (tenant_id, name, columns, row_count, profile) VALUES ($1, 'planted', '[]', 0, '{}')`,
      [tenants.b],
    ),
  );
  await expect(attempt).rejects.toThrow(/row-level security/);
  const updated = await withTenant(pool, tenants.a, (db) =>
    db.query(`UPDATE datasets SET name = 'defaced' WHERE tenant_id = $1`, [tenants.b]),
  );
  expect(updated.rowCount).toBe(0);
});

test('without a tenant setting the application role sees nothing', async () => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL ROLE platform_app');
    const { rows } = await client.query('SELECT * FROM datasets');
    expect(rows).toEqual([]);
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
});

test('the audit log refuses updates, deletes and truncation, even from the owner', async () => {
  await expect(pool.query(`UPDATE audit_log SET action = 'rewritten'`)).rejects.toThrow(/append-only/);
  await expect(pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  await expect(pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  await expect(
    withTenant(pool, tenants.a, (db) => db.query('DELETE FROM audit_log WHERE tenant_id = $1', [tenants.a])),
  ).rejects.toThrow(/permission denied|append-only/);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
  expect(rows[0]?.n).toBe(2);
});

test('migrations are idempotent: a second run applies nothing and changes nothing', async () => {
  expect(await migrate(pool)).toEqual([]);
  const { rows } = await pool.query<{ version: number }>(
    'SELECT version FROM schema_migrations ORDER BY version',
  );
  expect(rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
});

test('purging a tenant removes its data but keeps its audit trail', async () => {
  await withSystem(pool, (db) => db.query('DELETE FROM tenants WHERE id = $1', [tenants.b]));
  const left = await pool.query<{ datasets: number; rows: number; audit: number }>(
    `SELECT (SELECT count(*)::int FROM datasets WHERE tenant_id = $1) AS datasets,
            (SELECT count(*)::int FROM dataset_chunks WHERE tenant_id = $1) AS rows,
            (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audit`,
    [tenants.b],
  );
  expect(left.rows[0]).toEqual({ datasets: 0, rows: 0, audit: 1 });
});
