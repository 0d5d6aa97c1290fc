import { expect, test } from '@playwright/test';
import { createSession } from '../src/auth/sessions.ts';
import { withTenant } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The deployer's and analyst's pages as a browser gets them: the forms each role may use (and
 * only those), CSRF on every form post, refusals shown in words next to the form, and user text
 * escaped. The live parts (scripts) are exercised by the journeys in a real browser.
 */
let platform: TestApp;
let world: ModelWorld;
const people: Record<'deployer' | 'scientist' | 'analyst' | 'viewer', { cookie: string; csrf: string }> = {
  deployer: { cookie: '', csrf: '' },
  scientist: { cookie: '', csrf: '' },
  analyst: { cookie: '', csrf: '' },
  viewer: { cookie: '', csrf: '' },
};
let versionId = '';

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  world = await createModelWorld(platform, 'works');
  versionId = await world.registerVersion({ name: 'kiln' });
  const users = await withTenant(platform.pool, world.tenantId, (db) =>
    db.query<{ id: string; role: string }>('SELECT id, role FROM users'),
  );
  const roleOf = {
    deployer: 'ml_engineer',
    scientist: 'data_scientist',
    analyst: 'security_analyst',
    viewer: 'viewer',
  };
  for (const [person, role] of Object.entries(roleOf) as [keyof typeof people, string][]) {
    const user = users.rows.find((row) => row.role === role) as { id: string };
    const session = await withTenant(platform.pool, world.tenantId, (db) =>
      createSession(db, world.tenantId, user.id, 30),
    );
    people[person] = { cookie: `sid=${session.sid}`, csrf: session.csrfToken };
  }
});
test.afterAll(async () => {
  await platform?.stop();
});

const get = (person: keyof typeof people, url: string) =>
  platform.server.inject({
    method: 'GET',
    url,
    headers: { cookie: people[person].cookie, accept: 'text/html' },
  });

const post = (person: keyof typeof people, url: string, fields: Record<string, string>, withCsrf = true) =>
  platform.server.inject({
    method: 'POST',
    url,
    headers: {
      cookie: people[person].cookie,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({
      ...fields,
      ...(withCsrf ? { _csrf: people[person].csrf } : {}),
    }).toString(),
  });

let stagingId = '';
let productionId = '';

test('the deployments page offers the deploy form to a deployer only, and form posts need the CSRF token', async () => {
  const page = await get('deployer', '/deployments');
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('<h1>Deployments</h1>');
  expect(page.body).toContain('<label for="deploy-version">Model version</label>');
  expect(page.body).toContain('<button type="submit" class="primary">Deploy</button>');
  expect(page.body).toContain('<a href="/deployments">Deployments</a>');
  expect((await get('scientist', '/deployments')).body).not.toContain('deploy-version');

  const forged = await post('deployer', '/deployments', { modelVersionId: versionId }, false);
  expect(forged.statusCode).toBe(403);
  expect(forged.body).toContain('This form has expired or did not come from this site');
  expect((await call('GET', '/api/deployments')).json().items).toEqual([]);

  const deployed = await post('deployer', '/deployments', { modelVersionId: versionId });
  expect(deployed.statusCode).toBe(303);
  stagingId = String(deployed.headers.location).split('/').at(-1) as string;
  await platform.app.context.operations.deployments.idle();
});

function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  return platform.server.inject({
    method,
    url,
    headers: as(world.keys.deployer),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

test('a staging deployment page shows health, and refusals next to the promotion form', async () => {
  const page = await get('deployer', `/deployments/${stagingId}`);
  expect(page.body).toContain('<h1>kiln v1 · Staging</h1>');
  expect(page.body).toMatch(/role="status" aria-label="Deployment state"[^>]*>Deployed</);
  expect(page.body).toContain('<tr><th scope="row">Verdict</th><td class="num">Not healthy</td></tr>');
  expect(page.body).toContain('<label for="promote-note">Approval note</label>');
  expect((await get('scientist', `/deployments/${stagingId}`)).body).not.toContain('promote-note');

  const empty = await post('deployer', `/deployments/${stagingId}/promote`, { note: ' ' });
  expect(empty.statusCode).toBe(400);
  expect(empty.body).toContain('Approval note is required: say why this version may serve production.');
  const unhealthy = await post('deployer', `/deployments/${stagingId}/promote`, { note: 'ship it' });
  expect(unhealthy.statusCode).toBe(409);
  expect(unhealthy.body).toContain('<div role="alert" class="alert"><p>The deployment was not promoted:</p>');
  expect(unhealthy.body).toContain('needs at least 1; send it scoring traffic first.');
  // The note typed stays in the form.
  expect(unhealthy.body).toContain('>ship it</textarea>');

  await call('POST', `/api/deployments/${stagingId}/score`, { rows: [{ temperature: 60, pressure: 100 }] });
  const promoted = await post('deployer', `/deployments/${stagingId}/promote`, { note: 'smoke test passed' });
  expect(promoted.statusCode).toBe(303);
  productionId = String(promoted.headers.location).split('/').at(-1) as string;
  await platform.app.context.operations.deployments.idle();
  const production = await get('viewer', `/deployments/${productionId}`);
  expect(production.body).toContain('<tr><th scope="row">Approval note</th><td>smoke test passed</td></tr>');
  // Nothing to roll back to: version 1 is the first in production, so no rollback form.
  expect((await get('deployer', `/deployments/${productionId}`)).body).not.toContain('rollback-reason');
});

test('sessions: create with an escaped name, start, and add an alert rule with its problems in words', async () => {
  const list = await get('deployer', '/sessions');
  expect(list.body).toContain('<label for="session-deployment">Production deployment</label>');
  const created = await post('deployer', '/sessions', {
    name: '<script>alert(1)</script> line',
    deploymentId: productionId,
  });
  expect(created.statusCode).toBe(303);
  const sessionUrl = String(created.headers.location);
  const page = await get('deployer', sessionUrl);
  expect(page.body).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; line</h1>');
  expect(page.body).not.toContain('<script>alert(1)</script>');
  expect(page.body).toContain('role="group" aria-label="Session controls"');
  expect(page.body).toContain('>Start</button>');
  expect(page.body).toContain(`/events</code>`);
  expect((await get('viewer', sessionUrl)).body).not.toContain('Session controls');

  expect((await post('deployer', `${sessionUrl}/start`, {})).statusCode).toBe(303);
  const active = await get('deployer', sessionUrl);
  expect(active.body).toMatch(/aria-label="Session state"[^>]*>Active</);
  expect(active.body).toContain('>Pause</button>');
  expect(active.body).not.toContain('>Start</button>');
  const illegal = await post('deployer', `${sessionUrl}/start`, {});
  expect(illegal.statusCode).toBe(409);
  expect(illegal.body).toContain(
    'The session is active, so it cannot start; start needs a session that is pending.',
  );

  const badRule = await post('deployer', `${sessionUrl}/alert-rules`, {
    name: 'spike',
    threshold: '150',
    windowSeconds: '60',
    minEvents: '10',
  });
  expect(badRule.statusCode).toBe(400);
  expect(badRule.body).toContain(
    'Anomaly rate threshold must be a percentage from 0 up to (not including) 100.',
  );
  expect(
    (
      await post('deployer', `${sessionUrl}/alert-rules`, {
        name: 'spike',
        threshold: '25',
        windowSeconds: '60',
        minEvents: '10',
      })
    ).statusCode,
  ).toBe(303);
  const withRule = await get('deployer', sessionUrl);
  expect(withRule.body).toContain(
    '<tr><td>spike</td><td class="num">25.0%</td><td class="num">60 s</td><td class="num">10</td><td>Quiet</td></tr>',
  );
});

test('the alerts page has the live feed region and the events table', async () => {
  const page = await get('analyst', '/alerts');
  expect(page.body).toContain(
    '<span role="status" aria-label="Live feed" id="feed-status">Connecting…</span>',
  );
  expect(page.body).toContain('<table aria-label="Anomaly events"');
  expect(page.body).toContain('<script src="/assets/alert-feed.js" defer></script>');
});

test('the audit page filters, links the same filter to the export, and is for analysts and admins', async () => {
  const page = await get('analyst', '/audit?action=deployment.deploy');
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('<a href="/audit">Audit log</a>');
  expect(page.body).toContain('href="/api/audit/export?action=deployment.deploy"');
  const rows = [...page.body.matchAll(/<td>(deployment\.[a-z_]+|session\.[a-z_]+|model\.[a-z]+)<\/td>/g)].map(
    (m) => m[1],
  );
  expect(rows).toEqual(['deployment.deploy']);
  const bad = await get('analyst', '/audit?from=not-a-date');
  expect(bad.statusCode).toBe(400);
  expect(bad.body).toContain(
    'From: use an ISO date or date-time such as 2025-03-01 or 2025-03-01T08:00:00Z.',
  );
  const local = await get(
    'analyst',
    `/audit?from=${encodeURIComponent('2000-01-01T00:00')}&action=deployment.promote`,
  );
  expect(local.statusCode).toBe(200);
  // The refused attempt and the promotion itself.
  expect(local.body).toContain('2 entries.');
  expect((await get('deployer', '/audit')).statusCode).toBe(403);
  expect((await get('deployer', '/deployments')).body).not.toContain('<a href="/audit">Audit log</a>');
});
