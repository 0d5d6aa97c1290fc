import { expect, test } from '@playwright/test';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';

let platform: TestApp;
const admin = { authorization: `Bearer ${bootstrapToken}` };

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
});
test.afterAll(async () => {
  await platform?.stop();
});

const errorShape = (error: string) => ({ error, message: expect.any(String), details: expect.any(Array) });

test('the admin API refuses a missing or wrong bootstrap token with 401', async () => {
  for (const headers of [
    {},
    { authorization: 'Bearer not-the-token-at-all' },
    { authorization: bootstrapToken },
  ]) {
    const response = await platform.server.inject({
      method: 'POST',
      url: '/api/admin/tenants',
      headers,
      payload: {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(errorShape('unauthenticated'));
  }
});

test('tenants, users and API keys are created through the admin API', async () => {
  const tenant = await platform.createTenant('acme');
  expect(tenant).toEqual({ id: expect.any(String), slug: 'acme', name: 'Tenant acme', status: 'active' });

  const duplicate = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/tenants',
    headers: admin,
    payload: {
      slug: 'acme',
      name: 'Again',
      integrations: { oidc: { issuer: 'http://x.test', clientId: 'c', clientSecret: 's' } },
    },
  });
  expect(duplicate.statusCode).toBe(409);
  expect(duplicate.json()).toEqual(errorShape('conflict'));

  const user = await platform.createUser(tenant.id, 'Ada@Example.com', 'data_scientist');
  const sameEmail = await platform.server.inject({
    method: 'POST',
    url: `/api/admin/tenants/${tenant.id}/users`,
    headers: admin,
    payload: { email: 'ada@example.com', name: 'Ada', role: 'viewer' },
  });
  expect(sameEmail.statusCode).toBe(409);

  const key = await platform.createApiKey(tenant.id, user.id);
  expect(key).toMatch(/^jk_[A-Za-z0-9_-]{43}$/);
  const me = await platform.server.inject({
    method: 'GET',
    url: '/api/me',
    headers: { authorization: `Bearer ${key}` },
  });
  expect(me.json()).toEqual({
    id: user.id,
    email: 'Ada@Example.com',
    name: 'Ada',
    role: 'data_scientist',
    tenant: { id: tenant.id, slug: 'acme', name: 'Tenant acme' },
  });

  const stored = await platform.pool.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
  expect(stored.rows.map((row) => row.key_hash)).not.toContain(key);
});

test('an invalid admin request names each bad field', async () => {
  const response = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/tenants',
    headers: admin,
    payload: { slug: 'Not A Slug', name: '', integrations: { oidc: { issuer: 'not a url' } } },
  });
  expect(response.statusCode).toBe(400);
  const body = response.json();
  expect(body).toEqual(errorShape('validation_failed'));
  expect(body.details.map((detail: { field: string }) => detail.field).sort()).toEqual(
    [
      'integrations.oidc.clientId',
      'integrations.oidc.clientSecret',
      'integrations.oidc.issuer',
      'name',
      'slug',
    ].sort(),
  );
});

test('unknown tenants are 404, and a purge removes the tenant and its keys', async () => {
  const tenant = await platform.createTenant('doomed');
  const user = await platform.createUser(tenant.id, 'x@doomed.test', 'viewer');
  const key = await platform.createApiKey(tenant.id, user.id);
  expect(
    (
      await platform.server.inject({
        method: 'DELETE',
        url: `/api/admin/tenants/${tenant.id}`,
        headers: admin,
      })
    ).statusCode,
  ).toBe(204);
  expect(
    (
      await platform.server.inject({
        method: 'DELETE',
        url: `/api/admin/tenants/${tenant.id}`,
        headers: admin,
      })
    ).statusCode,
  ).toBe(404);
  const afterPurge = await platform.server.inject({
    method: 'GET',
    url: '/api/me',
    headers: { authorization: `Bearer ${key}` },
  });
  expect(afterPurge.statusCode).toBe(401);
  const missingUser = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/tenants/not-a-uuid/users',
    headers: admin,
    payload: { email: 'a@b.test', name: 'A', role: 'viewer' },
  });
  expect(missingUser.statusCode).toBe(404);
  expect(missingUser.json()).toEqual(errorShape('not_found'));
});

test('tenants are listed by slug prefix, so a test suite finds the ones its run created', async () => {
  const ours = [await platform.createTenant('run7-a'), await platform.createTenant('run7-b')];
  await platform.createTenant('run8-a');
  const list = (query: string) =>
    platform.server.inject({ method: 'GET', url: `/api/admin/tenants${query}`, headers: admin });
  const listed = await list('?slugPrefix=run7-');
  expect(listed.statusCode).toBe(200);
  expect(listed.json()).toEqual({ tenants: ours });
  expect((await list('')).json().tenants.map((tenant: { slug: string }) => tenant.slug)).toEqual(
    expect.arrayContaining(['run7-a', 'run7-b', 'run8-a']),
  );
  const bad = await list('?slugPrefix=Run%25');
  expect(bad.statusCode).toBe(400);
  expect(bad.json()).toEqual(errorShape('validation_failed'));
});

test('the test clock stays real time unless the platform is started with TEST_CLOCK=true', async () => {
  const capabilities = await platform.server.inject({
    method: 'GET',
    url: '/api/admin/capabilities',
    headers: admin,
  });
  expect(capabilities.json()).toEqual({ testClock: false, uploadMaxBytes: 10 * 1024 * 1024 });
  const moved = await platform.server.inject({
    method: 'POST',
    url: '/api/admin/clock/advance',
    headers: admin,
    payload: { days: 31 },
  });
  expect(moved.statusCode).toBe(404);
  const clock = await platform.server.inject({ method: 'GET', url: '/api/admin/clock', headers: admin });
  expect(clock.json().offsetMs).toBe(0);
});

test('every API error has the same { error, message, details } shape', async () => {
  const cases = [
    { request: { method: 'GET' as const, url: '/api/nothing-here' }, status: 404, error: 'not_found' },
    { request: { method: 'GET' as const, url: '/api/me' }, status: 401, error: 'unauthenticated' },
    {
      request: { method: 'GET' as const, url: '/api/me', headers: { authorization: 'Basic abc' } },
      status: 401,
      error: 'unauthenticated',
    },
    {
      request: { method: 'DELETE' as const, url: '/api/datasets' },
      status: 405,
      error: 'method_not_allowed',
    },
    {
      request: {
        method: 'POST' as const,
        url: '/api/admin/tenants',
        headers: { ...admin, 'content-type': 'application/json' },
        payload: '{"slug":',
      },
      status: 400,
      error: 'validation_failed',
    },
    {
      request: {
        method: 'POST' as const,
        url: '/api/admin/tenants',
        headers: { ...admin, 'content-type': 'application/xml' },
        payload: '<a/>',
      },
      status: 415,
      error: 'unsupported_media_type',
    },
  ];
  for (const { request, status, error } of cases) {
    const response = await platform.server.inject(request);
    expect({ url: request.url, status: response.statusCode }).toEqual({ url: request.url, status });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(errorShape(error));
  }
  const wrongMethod = await platform.server.inject({ method: 'PUT', url: '/api/datasets' });
  expect(wrongMethod.headers.allow).toBe('POST, GET, HEAD');
});

test('security headers are on every answer', async () => {
  const response = await platform.server.inject({ method: 'GET', url: '/health/live' });
  const csp = String(response.headers['content-security-policy']);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['referrer-policy']).toBe('same-origin');
  expect(response.headers['x-frame-options']).toBe('DENY');
});

test('readiness reports each dependency, and the OpenAPI document lists every route', async () => {
  const ready = await platform.server.inject({ method: 'GET', url: '/health/ready' });
  expect(ready.statusCode).toBe(503);
  expect(ready.json()).toEqual({
    status: 'not_ready',
    checks: { database: 'up', broker: 'down', stream: 'flowing' },
  });

  const document = (await platform.server.inject({ method: 'GET', url: '/openapi.json' })).json();
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  const registered = platform.app.context.catalog.entries.map((entry) => `${entry.method} ${entry.url}`);
  expect(documented.sort()).toEqual([...new Set(registered)].sort());
  expect(documented).toEqual(
    expect.arrayContaining(['POST /api/datasets', 'GET /api/runs/:id/results', 'GET /login/:tenantSlug']),
  );
});

test('metrics count requests by route pattern and status', async () => {
  const metrics = await platform.server.inject({ method: 'GET', url: '/metrics' });
  expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
  expect(metrics.body).toMatch(/http_requests_total\{method="GET",route="\/api\/me",status="401"\} [1-9]/);
  expect(metrics.body).toContain('jobs{state="queued"} 0');
});

test('metrics report the process memory, the acknowledgements held and each cache beside its bound', async () => {
  const { body } = await platform.server.inject({ method: 'GET', url: '/metrics' });
  expect(body).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
  expect(body).toMatch(/^nodejs_heap_used_bytes [1-9]\d*$/m);
  expect(body).toMatch(/^nodejs_heap_after_full_gc_bytes \d+$/m);
  expect(body).toMatch(/^stream_acks_held \d+$/m);
  expect(body).toMatch(/^stream_acks_held_max \d+$/m);
  expect(body).toContain('cache_capacity{cache="fitted_models"} 64');
  expect(body).toContain('cache_capacity{cache="session_routes"} 10000');
  expect(body).toContain('cache_capacity{cache="serving_models"} 10000');
  expect(body).toMatch(/^cache_entries\{cache="session_routes"\} \d+$/m);
});
