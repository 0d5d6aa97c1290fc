import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { withSystem, withTenant } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The audit log is append-only in two places: the API has no route that changes an entry (405),
 * and the database refuses UPDATE, DELETE and TRUNCATE on it whoever asks, the schema owner too.
 */
let platform: TestApp;
let world: ModelWorld;
let rival: ModelWorld;

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  world = await createModelWorld(platform, 'ledger');
  rival = await createModelWorld(platform, 'rival');
  const version = await world.registerVersion({ name: 'meter' });
  const deployed = await call(world.keys.deployer, 'POST', '/api/deployments', { modelVersionId: version });
  expect(deployed.statusCode).toBe(201);
  await platform.app.context.operations.deployments.idle();
});
test.afterAll(async () => {
  await platform?.stop();
});

function call(key: string, method: string, url: string, payload?: unknown) {
  return platform.server.inject({
    method: method as 'GET',
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

const entryCount = async () =>
  (
    await withTenant(platform.pool, world.tenantId, (db) =>
      db.query('SELECT count(*)::int AS n FROM audit_log'),
    )
  ).rows[0].n as number;

test('entries filter by actor, action and time', async () => {
  const all = (await call(world.keys.analyst, 'GET', '/api/audit?limit=1000')).json();
  expect(all.total).toBe(all.items.length);
  expect(all.items.map((item: { action: string }) => item.action).reverse()).toEqual([
    'api_key.create',
    'api_key.create',
    'api_key.create',
    'api_key.create',
    'dataset.upload',
    'experiment.create',
    'model.register',
    'deployment.deploy',
  ]);

  const byScientist = (await call(world.keys.analyst, 'GET', '/api/audit?actor=SCI@ledger.test')).json();
  expect(byScientist.items.map((item: { action: string }) => item.action).reverse()).toEqual([
    'dataset.upload',
    'experiment.create',
    'model.register',
  ]);
  const deploys = (
    await call(world.keys.analyst, 'GET', '/api/audit?action=deployment.deploy,model.register')
  ).json();
  expect(
    deploys.items.map((item: { action: string; actorEmail: string }) => [item.action, item.actorEmail]),
  ).toEqual([
    ['deployment.deploy', 'ops@ledger.test'],
    ['model.register', 'sci@ledger.test'],
  ]);
  const deploy = deploys.items[0];
  expect(deploy).toMatchObject({ outcome: 'success', targetType: 'deployment', ip: '127.0.0.1' });

  const at = Date.parse(deploy.at);
  const window = (from: number, to: number) =>
    `/api/audit?from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
  expect(
    (await call(world.keys.analyst, 'GET', window(at, at))).json().items.map((i: { id: number }) => i.id),
  ).toEqual([deploy.id]);
  expect((await call(world.keys.analyst, 'GET', window(at + 1, at + 60_000))).json().total).toBe(0);
  const bad = await call(world.keys.analyst, 'GET', '/api/audit?from=yesterday');
  expect(bad.statusCode).toBe(400);
  expect(bad.json().details[0].field).toBe('from');
});

test('roles without audit access are refused, and the refusal is itself recorded', async () => {
  const before = await entryCount();
  const refused = await call(world.keys.deployer, 'GET', '/api/audit');
  expect(refused.statusCode).toBe(403);
  expect(refused.json().message).toBe(
    'Your role (ml_engineer) cannot see the audit log; ask a tenant admin for a role that can.',
  );
  expect(await entryCount()).toBe(before + 1);
  const denial = (await call(world.keys.analyst, 'GET', '/api/audit?action=permission.denied')).json()
    .items[0];
  expect(denial).toMatchObject({ outcome: 'denied', actorEmail: 'ops@ledger.test', targetType: 'audit' });
});

test('the CSV export holds the same entries as the API, and is recorded', async () => {
  const listed = (await call(world.keys.analyst, 'GET', '/api/audit?actor=sci@ledger.test')).json().items;
  const response = await call(world.keys.analyst, 'GET', '/api/audit/export?actor=sci@ledger.test');
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(response.headers['content-disposition']).toBe('attachment; filename="audit-log.csv"');
  const rows = parse(response.body, { columns: true }) as Record<string, string>[];
  expect(Object.keys(rows[0] ?? {})).toEqual([
    'id',
    'at',
    'actor_email',
    'actor_id',
    'action',
    'target_type',
    'target_id',
    'ip',
    'outcome',
    'details',
  ]);
  expect(
    rows.map((row) => [Number(row.id), row.at, row.action, row.actor_email, JSON.parse(row.details ?? '')]),
  ).toEqual(
    listed.map((item: { id: number; at: string; action: string; actorEmail: string; details: unknown }) => [
      item.id,
      item.at,
      item.action,
      item.actorEmail,
      item.details,
    ]),
  );
  const exported = (await call(world.keys.analyst, 'GET', '/api/audit?action=audit.export')).json().items;
  expect(exported).toHaveLength(1);
  expect(exported[0]).toMatchObject({
    actorEmail: 'sec@ledger.test',
    details: { filter: { actor: 'sci@ledger.test' } },
  });
});

test('no API changes or removes an entry: 405 with the error body, and nothing changes', async () => {
  const [entry] = (await call(world.keys.analyst, 'GET', '/api/audit?limit=1')).json().items;
  const before = await entryCount();
  for (const url of ['/api/audit', `/api/audit/${entry.id}`, '/api/audit/export']) {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      const response = await call(world.keys.analyst, method, url, { outcome: 'success' });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        message: `${method} is not allowed here; use GET.`,
        details: [{ allowed: ['GET'] }],
      });
    }
  }
  expect(await entryCount()).toBe(before);
  expect((await call(world.keys.analyst, 'GET', `/api/audit/${entry.id}`)).json()).toEqual(entry);
});

test('the database refuses UPDATE, DELETE and TRUNCATE, as the app role and as the owner', async () => {
  const [entry] = (await call(world.keys.analyst, 'GET', '/api/audit?limit=1')).json().items;
  const before = await entryCount();
  const attempts = [
    `UPDATE audit_log SET outcome = 'failure' WHERE id = ${entry.id}`,
    `DELETE FROM audit_log WHERE id = ${entry.id}`,
  ];
  for (const sql of attempts) {
    await expect(
      withTenant(platform.pool, world.tenantId, (db) => db.query(sql)),
      sql,
    ).rejects.toThrow(/permission denied|append-only/);
    await expect(
      withSystem(platform.pool, (db) => db.query(sql)),
      `${sql} as owner`,
    ).rejects.toThrow('audit_log is append-only');
  }
  await expect(withSystem(platform.pool, (db) => db.query('TRUNCATE audit_log'))).rejects.toThrow(
    'audit_log is append-only: TRUNCATE is not allowed',
  );
  expect(await entryCount()).toBe(before);
  expect((await call(world.keys.analyst, 'GET', `/api/audit/${entry.id}`)).json()).toEqual(entry);
});

test("another tenant's entries are not found, and its log is its own", async () => {
  const [entry] = (await call(world.keys.analyst, 'GET', '/api/audit?limit=1')).json().items;
  expect((await call(rival.keys.analyst, 'GET', `/api/audit/${entry.id}`)).statusCode).toBe(404);
  const theirs = (await call(rival.keys.analyst, 'GET', '/api/audit?limit=1000')).json().items;
  expect(
    theirs.every((item: { actorEmail: string | null }) => !item.actorEmail?.endsWith('@ledger.test')),
  ).toBe(true);
  expect(theirs.length).toBeGreaterThan(0);
});
