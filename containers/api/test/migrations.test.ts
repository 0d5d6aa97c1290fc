import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { loadDatasetRows } from '../src/datasets/datasets-repo.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, withTenant } from '../src/db/pool.ts';
import { migrations } from '../src/db/schema.ts';
import { schemaAtVersion } from './support/schema-at-version.ts';
import { startTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
let pool: pg.Pool;

test.beforeAll(async () => {
  database = await startTestDatabase();
  pool = createPool(database.url);
});
test.afterAll(async () => {
  await pool?.end();
  await database?.stop();
});

test('a database from before chunked rows keeps every row, in order, after upgrading', async () => {
  // The schema as it was at version 3, with a dataset stored one row per database row.
  await schemaAtVersion(pool, 3);
  const tenant = await pool.query<{ id: string }>(
    `INSERT INTO tenants (slug, name) VALUES ('old', 'Old') RETURNING id`,
  );
  const tenantId = tenant.rows[0]?.id as string;
  const dataset = await pool.query<{ id: string }>(
    `INSERT INTO datasets (tenant_id, name, columns, row_count, profile)
     VALUES ($1, 'old data', '[{"name":"v","type":"number"}]', 7001, '{}') RETURNING id`,
    [tenantId],
  );
  const datasetId = dataset.rows[0]?.id as string;
  await pool.query(
    `INSERT INTO dataset_rows (dataset_id, tenant_id, row_no, cells)
     SELECT $1, $2, n, jsonb_build_array(n * 10) FROM generate_series(7001, 1, -1) AS n`,
    [datasetId, tenantId],
  );

  const applied = await migrate(pool);
  expect(applied).toEqual(
    migrations.filter((migration) => migration.version > 3).map((migration) => migration.version),
  );
  const rows = await withTenant(pool, tenantId, (db) => loadDatasetRows(db, tenantId, datasetId));
  expect(rows).toHaveLength(7001);
  expect(rows.slice(0, 2)).toEqual([[10], [20]]);
  expect(rows.at(-1)).toEqual([70010]);
  const leftover = await pool.query(`SELECT to_regclass('dataset_rows') AS table`);
  expect(leftover.rows[0]?.table).toBeNull();
});
