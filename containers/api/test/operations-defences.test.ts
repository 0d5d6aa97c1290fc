import { expect, test } from '@playwright/test';
import { createSession } from '../src/auth/sessions.ts';
import { operationsTables } from '../src/db/operations-schema.ts';
import { withSystem, withTenant } from '../src/db/pool.ts';
import { insertAnomalies } from '../src/events/anomaly-events-repo.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { releaseToProduction } from './support/release.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Defences of the operational routes: write rate limits (429 with Retry-After and the error
 * body), 404 for every resource of another tenant through the API and the pages, and the
 * routes described in the OpenAPI document.
 */
let platform: TestApp;
let owner: ModelWorld;
let rival: ModelWorld;
const ids = { production: '', session: '', rule: '', event: '' };

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp({ RATE_LIMIT_WRITE_PER_MINUTE: '40' });
  owner = await createModelWorld(platform, 'owner');
  rival = await createModelWorld(platform, 'rival');
  ids.production = await releaseToProduction(platform, owner, await owner.registerVersion({ name: 'valve' }));
  ids.session = (
    await call(owner.keys.deployer, 'POST', '/api/sessions', { name: 'Valves', deploymentId: ids.production })
  ).json().id;
  ids.rule = (
    await call(owner.keys.deployer, 'POST', `/api/sessions/${ids.session}/alert-rules`, {
      name: 'r',
      threshold: 0.5,
    })
  ).json().id;
  // An anomaly event of the owner's session, as the stream worker would raise it.
  const [raised] = await withTenant(platform.pool, owner.tenantId, (db) =>
    insertAnomalies(db, owner.tenantId, [
      {
        sessionId: ids.session,
        streamEventId: 'owner-1',
        severity: 'critical',
        score: 0.9,
        threshold: 0.6,
        distance: 14,
        contributions: { temperature: 0.9, pressure: 0.1 },
        values: { temperature: 99, pressure: 101 },
        deviceId: 'valve-1',
        ip: null,
        occurredAt: Date.now(),
        deploymentId: ids.production,
        modelVersionId: ids.production,
      },
    ]),
  );
  ids.event = raised?.id as string;
});
test.afterAll(async () => {
  await platform?.stop();
});

function call(key: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

test("every session route answers 404 for another tenant's session, as the API and as pages", async () => {
  for (const [method, url, payload] of [
    ['GET', `/api/sessions/${ids.session}`, undefined],
    ['GET', `/api/sessions/${ids.session}/metrics`, undefined],
    ['GET', `/api/sessions/${ids.session}/alert-rules`, undefined],
    ['POST', `/api/sessions/${ids.session}/alert-rules`, { name: 'x', threshold: 0.1 }],
    ['POST', `/api/sessions/${ids.session}/start`, undefined],
    ['POST', `/api/sessions/${ids.session}/stop`, undefined],
    ['POST', '/api/sessions', { name: 'steal', deploymentId: ids.production }],
    ['GET', `/api/alerts?sessionId=${ids.session}`, undefined],
    ['GET', `/api/events/${ids.event}`, undefined],
  ] as const) {
    const response = await call(rival.keys.deployer, method, url, payload);
    if (url.startsWith('/api/alerts')) {
      // The list is filtered by tenant: the other tenant's session simply has no alerts here.
      expect(response.json()).toEqual({ items: [] });
      continue;
    }
    expect(response.statusCode, `${method} ${url}`).toBe(404);
    expect(response.json().error).toBe('not_found');
  }
  expect((await call(owner.keys.viewer, 'GET', `/api/sessions/${ids.session}`)).json().state).toBe('pending');
  expect((await call(owner.keys.viewer, 'GET', `/api/events/${ids.event}`)).json().streamEventId).toBe(
    'owner-1',
  );

  const rivalUser = await withTenant(platform.pool, rival.tenantId, (db) =>
    db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'ml_engineer'`),
  );
  const { sid } = await withTenant(platform.pool, rival.tenantId, (db) =>
    createSession(db, rival.tenantId, rivalUser.rows[0]?.id as string, 10),
  );
  for (const url of [`/sessions/${ids.session}`, `/deployments/${ids.production}`, `/alerts/${ids.event}`]) {
    const page = await platform.server.inject({
      method: 'GET',
      url,
      headers: { cookie: `sid=${sid}`, accept: 'text/html' },
    });
    expect(page.statusCode, url).toBe(404);
    expect(page.body).toContain('<h1>Page not found</h1>');
  }
});

test('writes are rate limited per user: 429 with Retry-After and the error body', async () => {
  const statuses: number[] = [];
  let limited: Awaited<ReturnType<typeof call>> | undefined;
  for (let attempt = 0; attempt < 45 && !limited; attempt++) {
    const response = await call(owner.keys.deployer, 'POST', `/api/sessions/${ids.session}/pause`);
    statuses.push(response.statusCode);
    if (response.statusCode === 429) limited = response;
  }
  // The pauses are refused (the session is pending) until the budget of writes is spent.
  expect(new Set(statuses.slice(0, -1))).toEqual(new Set([409]));
  expect(limited?.statusCode).toBe(429);
  expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited?.json()).toMatchObject({ error: 'rate_limited', details: [{ limit: 40 }] });
  // Another user's budget is untouched.
  expect(
    (
      await call(
        owner.keys.analyst,
        'POST',
        '/api/events/00000000-0000-4000-8000-000000000000/acknowledge',
        {},
      )
    ).statusCode,
  ).toBe(404);
});

test('the OpenAPI document describes the operational routes', async () => {
  const document = (await platform.server.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const path of [
    '/api/deployments',
    '/api/deployments/{id}/promote',
    '/api/deployments/{id}/rollback',
    '/api/deployments/{id}/score',
    '/api/sessions/{id}/metrics',
    '/api/events/live',
    '/api/events/{id}/escalate',
    '/api/audit/export',
  ]) {
    expect(Object.keys(document.paths), path).toContain(path);
  }
  expect(
    document.paths['/api/deployments/{id}/promote'].post.requestBody.content['application/json'].schema
      .required,
  ).toEqual(['note']);
});

test("row-level security hides another tenant's operational rows even from a raw SELECT", async () => {
  const flags = await withSystem(platform.pool, (db) =>
    db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relname = ANY($1::text[]) AND relkind = 'r' ORDER BY relname`,
      [[...operationsTables]],
    ),
  );
  expect(flags.rows.map((row) => [row.relname, row.relrowsecurity, row.relforcerowsecurity])).toEqual(
    [...operationsTables].sort().map((table) => [table, true, true]),
  );
  const countAs = (tenantId: string, table: string) =>
    withTenant(platform.pool, tenantId, async (db) => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]?.n ?? 0;
    });
  for (const table of [
    'deployments',
    'deployment_requests',
    'stream_sessions',
    'anomaly_events',
    'alert_rules',
  ]) {
    expect(await countAs(owner.tenantId, table), table).toBeGreaterThan(0);
    expect(await countAs(rival.tenantId, table), table).toBe(0);
  }
  await expect(
    withTenant(platform.pool, rival.tenantId, (db) =>
      db.query(`UPDATE stream_sessions SET name = 'taken' WHERE id = $1`, [ids.session]),
    ),
  ).resolves.toMatchObject({ rowCount: 0 });
});

test('purging a tenant removes its deployments, sessions, events and alert rules, and keeps its audit trail', async () => {
  const purged = await platform.server.inject({
    method: 'DELETE',
    url: `/api/admin/tenants/${owner.tenantId}`,
    headers: { authorization: `Bearer ${bootstrapToken}` },
  });
  expect(purged.statusCode).toBe(204);
  const left = await withSystem(platform.pool, (db) =>
    db.query<{ deployments: number; sessions: number; events: number; rules: number; audit: number }>(
      `SELECT (SELECT count(*)::int FROM deployments WHERE tenant_id = $1) AS deployments,
              (SELECT count(*)::int FROM stream_sessions WHERE tenant_id = $1) AS sessions,
              (SELECT count(*)::int FROM anomaly_events WHERE tenant_id = $1) AS events,
              (SELECT count(*)::int FROM alert_rules WHERE tenant_id = $1) AS rules,
              (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audit`,
      [owner.tenantId],
    ),
  );
  expect(left.rows[0]).toMatchObject({ deployments: 0, sessions: 0, events: 0, rules: 0 });
  expect(left.rows[0]?.audit).toBeGreaterThan(0);
});
