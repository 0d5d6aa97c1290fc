import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { buildApp } from '../src/app.ts';
import { dayMs, PlatformClock } from '../src/compliance/platform-clock.ts';
import { purgeTenantData } from '../src/compliance/retention-purge.ts';
import { RetentionScheduler } from '../src/compliance/retention-scheduler.ts';
import { loadConfig } from '../src/config.ts';
import { withSystem } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld, sensorCsv } from './support/model-world.ts';
import { type StoredStream, storedStream } from './support/stored-stream.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Retention: the policy API (tenant admins only, validated, audited), the purge's exact counts
 * and boundaries (exactly N days old stays), other tenants untouched, datasets aged by the
 * platform clock, and one audit entry per purge that deleted something, none for one that did not.
 */
let platform: TestApp;
let harbor: ModelWorld;
let rival: ModelWorld;
let adminKey: string;
let harborStream: StoredStream;
let rivalStream: StoredStream;

const admin = { authorization: `Bearer ${bootstrapToken}` };

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp({ RETENTION_PURGE_INTERVAL_SECONDS: '0', TEST_CLOCK: 'true' });
  harbor = await createModelWorld(platform, 'harbor');
  rival = await createModelWorld(platform, 'rival');
  const owner = await platform.createUser(harbor.tenantId, 'owner@harbor.test', 'tenant_admin');
  adminKey = await platform.createApiKey(harbor.tenantId, owner.id);
  harborStream = await storedStream(platform.pool, harbor.tenantId, 'gate');
  rivalStream = await storedStream(platform.pool, rival.tenantId, 'gate');
});
test.afterAll(async () => {
  await platform?.stop();
});

const call = (key: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
  platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });

async function count(tenantId: string, table: string): Promise<number> {
  const { rows } = await withSystem(platform.pool, (db) =>
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]),
  );
  return rows[0]?.n ?? -1;
}

const purgeEntries = async (tenantId: string) =>
  (
    await withSystem(platform.pool, (db) =>
      db.query<{ details: Record<string, unknown>; actor_email: string }>(
        `SELECT details, actor_email FROM audit_log WHERE tenant_id = $1 AND action = 'retention.purge' ORDER BY id`,
        [tenantId],
      ),
    )
  ).rows;

test('only a tenant admin reads and sets the policy; bad days are refused in the one error shape', async () => {
  expect((await call(harbor.keys.viewer, 'GET', '/api/retention')).statusCode).toBe(403);
  expect((await call(harbor.keys.analyst, 'PUT', '/api/retention', { eventsDays: 5 })).statusCode).toBe(403);

  const initial = await call(adminKey, 'GET', '/api/retention');
  expect(initial.json()).toEqual({ eventsDays: null, datasetsDays: null, updatedAt: null, updatedBy: null });

  const refused = await call(adminKey, 'PUT', '/api/retention', { eventsDays: 0, datasetsDays: 2.5 });
  expect(refused.statusCode).toBe(400);
  const body = refused.json();
  expect(body.error).toBe('validation_failed');
  expect(body.details.map((detail: { field: string }) => detail.field)).toEqual([
    'eventsDays',
    'datasetsDays',
  ]);
  const unknownField = await call(adminKey, 'PUT', '/api/retention', { eventDays: 3 });
  expect(unknownField.statusCode).toBe(400);

  const saved = await call(adminKey, 'PUT', '/api/retention', { eventsDays: 30 });
  expect(saved.statusCode).toBe(200);
  expect(saved.json()).toMatchObject({ eventsDays: 30, datasetsDays: null });
  const { rows } = await withSystem(platform.pool, (db) =>
    db.query(`SELECT details FROM audit_log WHERE tenant_id = $1 AND action = 'settings.retention'`, [
      harbor.tenantId,
    ]),
  );
  expect(rows.map((row) => row.details)).toEqual([
    { before: { eventsDays: null, datasetsDays: null }, after: { eventsDays: 30, datasetsDays: null } },
  ]);
});

test('events strictly older than the limit go with their anomaly events; exactly N days old stays', async () => {
  const now = new Date('2030-06-01T12:00:00.000Z');
  const limit = new Date(now.getTime() - 30 * dayMs);
  await harborStream.addEvents(new Date(limit.getTime() - 1), 12, { anomalies: 3, prefix: 'old' });
  await harborStream.addEvents(limit, 5, { anomalies: 1, prefix: 'edge' });
  await harborStream.addEvents(new Date(now.getTime() - dayMs), 7, { anomalies: 2, prefix: 'new' });
  await rivalStream.addEvents(new Date(limit.getTime() - 10 * dayMs), 9, { anomalies: 4, prefix: 'rival' });

  const result = await withSystem(platform.pool, (db) =>
    purgeTenantData(db, harbor.tenantId, { eventsDays: 30, datasetsDays: null }, now, 'schedule'),
  );
  expect(result.counts).toEqual({
    events: 12,
    anomalyEvents: 3,
    datasets: 0,
    datasetRows: 0,
    experiments: 0,
    runs: 0,
  });
  expect(result.eventsCutoff).toBe(limit.toISOString());
  expect(await count(harbor.tenantId, 'stream_events')).toBe(12);
  expect(await count(harbor.tenantId, 'anomaly_events')).toBe(3);
  expect(await count(rival.tenantId, 'stream_events')).toBe(9);
  expect(await count(rival.tenantId, 'anomaly_events')).toBe(4);

  const entries = await purgeEntries(harbor.tenantId);
  expect(entries).toHaveLength(1);
  expect(entries[0]?.actor_email).toBe('system');
  expect(entries[0]?.details).toEqual({
    events: 12,
    anomalyEvents: 3,
    datasets: 0,
    datasetRows: 0,
    experiments: 0,
    runs: 0,
    eventsCutoff: limit.toISOString(),
    datasetsCutoff: null,
    datasetsHeld: 0,
    trigger: 'schedule',
  });

  const again = await withSystem(platform.pool, (db) =>
    purgeTenantData(db, harbor.tenantId, { eventsDays: 30, datasetsDays: null }, now, 'schedule'),
  );
  expect(again.counts.events).toBe(0);
  expect(again.audited).toBe(false);
  expect(await purgeEntries(harbor.tenantId), 'a purge that deleted nothing is not audited').toHaveLength(1);
  expect(await purgeEntries(rival.tenantId)).toHaveLength(0);
});

test('datasets are aged by the platform clock and go with their experiments, runs and rows', async () => {
  const upload = async (name: string) => {
    const form = new FormData();
    form.set('file', new Blob([sensorCsv()], { type: 'text/csv' }), `${name}.csv`);
    const response = await call(harbor.keys.scientist, 'POST', '/api/datasets', form);
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; createdAt: string };
  };
  const before = await upload('winter');
  const experiment = await call(harbor.keys.scientist, 'POST', '/api/experiments', {
    datasetId: before.id,
    runs: [
      { algorithm: 'robust_zscore', params: {} },
      { algorithm: 'knn', params: {} },
    ],
  });
  expect(experiment.statusCode).toBe(201);
  await platform.app.context.jobs.idle();

  const moved = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/clock/advance',
    headers: admin,
    payload: { days: 10 },
  });
  expect(moved.statusCode).toBe(200);
  expect(moved.json().offsetMs).toBe(10 * dayMs);
  const after = await upload('spring');
  expect(Date.parse(after.createdAt) - Date.parse(before.createdAt)).toBeGreaterThanOrEqual(10 * dayMs);

  expect((await call(adminKey, 'PUT', '/api/retention', { datasetsDays: 5 })).statusCode).toBe(200);
  const purge = await call(adminKey, 'POST', '/api/retention/purge');
  expect(purge.statusCode).toBe(200);
  expect(purge.json().counts).toEqual({
    events: 0,
    anomalyEvents: 0,
    datasets: 1,
    datasetRows: 300,
    experiments: 1,
    runs: 2,
  });
  expect((await call(harbor.keys.viewer, 'GET', `/api/datasets/${before.id}`)).statusCode).toBe(404);
  expect((await call(harbor.keys.viewer, 'GET', `/api/datasets/${after.id}`)).statusCode).toBe(200);
  expect((await call(harbor.keys.viewer, 'GET', `/api/experiments/${experiment.json().id}`)).statusCode).toBe(
    404,
  );
  const leftovers = await withSystem(platform.pool, (db) =>
    db.query<{ chunks: number; jobs: number }>(
      `SELECT (SELECT count(*)::int FROM dataset_chunks WHERE dataset_id = $1) AS chunks,
              (SELECT count(*)::int FROM jobs WHERE id = $2) AS jobs`,
      [before.id, experiment.json().jobId],
    ),
  );
  expect(leftovers.rows[0]).toEqual({ chunks: 0, jobs: 0 });
  const entries = await purgeEntries(harbor.tenantId);
  expect(entries).toHaveLength(2);
  expect(entries[1]?.actor_email).toBe('owner@harbor.test');
  expect(entries[1]?.details).toMatchObject({
    datasets: 1,
    datasetRows: 300,
    runs: 2,
    trigger: 'tenant_admin',
  });
});

test('a dataset behind a serving deployment is held, not purged', async () => {
  const version = await rival.registerVersion({ name: 'meter' });
  const deployed = await call(rival.keys.deployer, 'POST', '/api/deployments', { modelVersionId: version });
  expect(deployed.statusCode).toBe(201);
  await platform.app.context.operations.deployments.idle();
  const datasets = await withSystem(platform.pool, (db) =>
    db.query<{ id: string }>('SELECT id FROM datasets WHERE tenant_id = $1', [rival.tenantId]),
  );
  expect(datasets.rows).toHaveLength(1);

  const result = await withSystem(platform.pool, (db) =>
    purgeTenantData(
      db,
      rival.tenantId,
      { eventsDays: null, datasetsDays: 1 },
      new Date(Date.now() + 400 * dayMs),
      'schedule',
    ),
  );
  expect(result.counts.datasets).toBe(0);
  expect(result.datasetsHeld).toEqual([datasets.rows[0]?.id]);
  expect(result.audited).toBe(false);
  expect(await count(rival.tenantId, 'datasets')).toBe(1);
});

test('the admin purge covers every tenant with a policy; the clock only moves forward', async () => {
  const backwards = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/clock/advance',
    headers: admin,
    payload: { days: -1 },
  });
  expect(backwards.statusCode).toBe(400);
  expect(backwards.json().error).toBe('validation_failed');
  const all = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/retention/purge',
    headers: admin,
  });
  expect(all.statusCode).toBe(200);
  expect(all.json().results.map((result: { tenantId: string }) => result.tenantId)).toEqual([
    harbor.tenantId,
  ]);
});

test('the scheduled purge runs by itself every interval', async () => {
  const clock = new PlatformClock();
  await rivalStream.addEvents(new Date(clock.now().getTime() - 3 * dayMs), 4, { prefix: 'scheduled' });
  await withSystem(platform.pool, (db) =>
    db.query(
      'INSERT INTO retention_policies (tenant_id, events_days) VALUES ($1, 2) ON CONFLICT (tenant_id) DO UPDATE SET events_days = 2',
      [rival.tenantId],
    ),
  );
  const scheduler = new RetentionScheduler(platform.pool, clock, platform.server.log, 1);
  scheduler.start();
  try {
    await expect
      .poll(async () => (await purgeEntries(rival.tenantId)).map((entry) => entry.details), {
        timeout: 10_000,
      })
      .toEqual([expect.objectContaining({ events: 4, anomalyEvents: 0, trigger: 'schedule' })]);
  } finally {
    await scheduler.stop();
  }
  // The rival's earlier events occurred in 2030, by this clock still in the future: they stay.
  expect(await count(rival.tenantId, 'stream_events')).toBe(9);
});

test('without a bootstrap token the clock and purge routes do not exist', async () => {
  // The same database, no BOOTSTRAP_TOKEN: how a production platform runs.
  const bare = await buildApp({
    config: loadConfig({
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      MQTT_URL: 'mqtt://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    }),
    pool: platform.pool,
    broker: { connected: false },
    assetsDir: fileURLToPath(new URL('../src/public/', import.meta.url)),
  });
  try {
    const clock = await bare.server.inject({
      method: 'POST',
      url: '/api/admin/clock/advance',
      payload: { days: 1 },
    });
    expect(clock.statusCode).toBe(404);
    expect((await bare.server.inject({ method: 'GET', url: '/api/admin/clock' })).statusCode).toBe(404);
    expect((await bare.server.inject({ method: 'POST', url: '/api/admin/retention/purge' })).statusCode).toBe(
      404,
    );
  } finally {
    await bare.server.close();
  }
});
