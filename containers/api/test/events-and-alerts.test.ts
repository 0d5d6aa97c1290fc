import { expect, test } from '@playwright/test';
import type mqtt from 'mqtt';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import type WebSocket from 'ws';
import { createSession } from '../src/auth/sessions.ts';
import { withTenant } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { reading, releaseToProduction } from './support/release.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * The security analyst's side end to end inside the platform: anomaly events from a real stream
 * reach the tenant's live feed (and no other tenant's), an alert rule fires into Slack, and the
 * event is enriched, acknowledged, escalated to PagerDuty, noted and resolved, each step on its
 * timeline and in the audit log. Slack, PagerDuty and the threat-intel service are MSW handlers.
 */
interface Received {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
}
const received: Received[] = [];
const record = async ({ request }: { request: Request }) => {
  const text = await request.clone().text();
  received.push({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: text ? JSON.parse(text) : null,
  });
};
const externals = setupServer(
  http.post('http://hooks.slack.test/services/T1/B1/secret', async (info) => {
    await record(info);
    return new HttpResponse('ok');
  }),
  http.post('http://pagerduty.test/v2/enqueue', async (info) => {
    await record(info);
    return HttpResponse.json({ status: 'success', message: 'Event processed' }, { status: 202 });
  }),
  http.get('http://intel.test/api/ip/:ip', async (info) => {
    await record(info);
    return HttpResponse.json({
      ip: info.params.ip,
      reputation: 'malicious',
      score: 92,
      categories: ['botnet', 'scanner'],
      country: 'NL',
      lastSeen: '2025-02-27T10:00:00Z',
    });
  }),
);
const calls = (prefix: string) => received.filter((call) => call.url.startsWith(prefix));

let platform: TestApp;
let broker: TestBroker;
let harbor: ModelWorld;
let rival: ModelWorld;
let publisher: mqtt.MqttClient;
let session: { id: string; topic: string };
const feeds: { harbor: unknown[]; rival: unknown[] } = { harbor: [], rival: [] };
const sockets: WebSocket[] = [];

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  externals.listen({ onUnhandledFrame: 'error' });
  platform = await startTestApp({ STREAM_FLUSH_MS: '10', STREAM_CLIENT_ID: 'events-test-worker' });
  broker = await startTestBroker();
  harbor = await createModelWorld(platform, 'harbor', {
    slackWebhookUrl: 'http://hooks.slack.test/services/T1/B1/secret',
    pagerduty: { routingKey: 'R0UT1NGKEY', eventsUrl: 'http://pagerduty.test/v2/enqueue' },
    threatIntel: { baseUrl: 'http://intel.test/api', apiKey: 'intel-key-harbor' },
  });
  rival = await createModelWorld(platform, 'rival');
  const version = await harbor.registerVersion({ name: 'gate' });
  const production = await releaseToProduction(platform, harbor, version);
  session = (
    await call(harbor.keys.deployer, 'POST', '/api/sessions', {
      name: 'Gate sensors',
      deploymentId: production,
    })
  ).json();
  await platform.app.context.operations.start(broker.url);
  await expect.poll(() => platform.app.context.operations.streams.subscribed).toBe(true);
  publisher = await broker.publisher();
});
test.afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await platform?.stop();
  await broker?.stop();
  externals.close();
});

function call(key: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

async function listen(key: string, into: unknown[]): Promise<void> {
  const socket = await platform.server.injectWS(
    '/api/events/live',
    { headers: as(key) },
    {
      onInit: (ws) => ws.on('message', (data) => into.push(JSON.parse(String(data)))),
    },
  );
  sockets.push(socket);
  await expect.poll(() => into.length).toBe(1);
  expect(into[0]).toEqual({ type: 'ready' });
}

const anomaliesIn = (feed: unknown[]) =>
  feed.filter((message) => (message as { type: string }).type === 'anomaly');

test('an alert rule with a bad threshold is refused with the field named', async () => {
  const response = await call(harbor.keys.deployer, 'POST', `/api/sessions/${session.id}/alert-rules`, {
    name: 'spike',
    threshold: 1.5,
  });
  expect(response.statusCode).toBe(400);
  expect(response.json().details).toEqual([
    { field: 'threshold', problem: 'threshold must be an anomaly rate between 0 and 1, such as 0.2 for 20%' },
  ]);
});

test("anomalies reach the tenant's live feed only, and the rate spike fires one alert into Slack", async () => {
  const rule = await call(harbor.keys.deployer, 'POST', `/api/sessions/${session.id}/alert-rules`, {
    name: 'Anomaly spike',
    threshold: 0.2,
    windowSeconds: 60,
    minEvents: 10,
  });
  expect(rule.statusCode, rule.body).toBe(201);
  await listen(harbor.keys.analyst, feeds.harbor);
  await listen(rival.keys.analyst, feeds.rival);
  await call(harbor.keys.deployer, 'POST', `/api/sessions/${session.id}/start`);

  const anomalous = new Set([2, 5, 8, 11, 14, 17, 18, 19]);
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      publisher.publishAsync(
        session.topic,
        JSON.stringify({
          id: `gate-${i}`,
          values: reading(i, anomalous.has(i)),
          source: { deviceId: `gate-${i % 3}`, ip: anomalous.has(i) ? '203.0.113.50' : '198.51.100.9' },
        }),
        { qos: 1 },
      ),
    ),
  );
  await expect.poll(() => anomaliesIn(feeds.harbor).length).toBe(8);
  await expect
    .poll(async () => (await call(harbor.keys.viewer, 'GET', '/api/alerts')).json().items.length)
    .toBe(1);
  const [alert] = (await call(harbor.keys.viewer, 'GET', '/api/alerts')).json().items;
  expect(alert).toMatchObject({
    ruleName: 'Anomaly spike',
    sessionId: session.id,
    events: 20,
    anomalies: 8,
    anomalyRate: 0.4,
  });
  await expect
    .poll(async () => (await call(harbor.keys.viewer, 'GET', '/api/alerts')).json().items[0].notification)
    .toBe('sent');
  const slack = calls('http://hooks.slack.test');
  expect(slack).toHaveLength(1);
  expect((slack[0]?.body as { text?: string } | undefined)?.text).toBe(
    'Alert "Anomaly spike": the anomaly rate of session "Gate sensors" is 40.0% (8 of 20 events in the last 60 s), above 20.0%.',
  );
  expect(feeds.harbor.filter((message) => (message as { type: string }).type === 'alert')).toHaveLength(1);
  // The rival tenant's analyst was listening the whole time and heard nothing but the greeting.
  expect(feeds.rival).toEqual([{ type: 'ready' }]);
});

test('an analyst enriches, acknowledges, escalates, notes and resolves an event; each step is on record', async () => {
  const events = (
    await call(harbor.keys.analyst, 'GET', `/api/events?sessionId=${session.id}&severity=critical`)
  ).json();
  expect(events.total).toBe(8);
  const event = events.items.find((item: { streamEventId: string }) => item.streamEventId === 'gate-5');
  expect(event).toMatchObject({ status: 'open', source: { deviceId: 'gate-2', ip: '203.0.113.50' } });

  // Reading asks no one: the address is checked only when the analyst asks for it.
  const unchecked = await call(harbor.keys.analyst, 'GET', `/api/events/${event.id}/enrichment`);
  expect(unchecked.statusCode).toBe(409);
  expect(unchecked.json()).toEqual({
    error: 'conflict',
    message: 'The source IP has not been checked yet; POST to this address to check it.',
    details: [{ reason: 'not_checked' }],
  });
  expect(calls('http://intel.test')).toEqual([]);
  const enrichment = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/enrichment`, {});
  expect(enrichment.json()).toMatchObject({
    ip: '203.0.113.50',
    status: 'found',
    reputation: 'malicious',
    score: 92,
  });
  // Asked again within minutes, and read: the kept answer, no second lookup.
  await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/enrichment`, {});
  expect((await call(harbor.keys.analyst, 'GET', `/api/events/${event.id}/enrichment`)).json()).toEqual(
    enrichment.json(),
  );
  const lookups = calls('http://intel.test');
  expect(lookups.map((lookup) => lookup.url)).toEqual(['http://intel.test/api/ip/203.0.113.50']);
  expect(lookups[0]?.headers.get('x-api-key')).toBe('intel-key-harbor');

  expect(
    (await call(harbor.keys.scientist, 'POST', `/api/events/${event.id}/acknowledge`, {})).statusCode,
  ).toBe(403);
  const early = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/resolve`, {});
  expect(early.statusCode).toBe(409);
  expect(early.json().message).toBe(
    'The event is open, so it cannot be resolved; that needs an event that is acknowledged.',
  );

  const acknowledged = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/acknowledge`, {
    note: 'on it',
  });
  expect(acknowledged.json().status).toBe('acknowledged');
  await expect
    .poll(() =>
      feeds.harbor.some(
        (m) => (m as { type: string; event?: { id: string; status: string } }).type === 'event.updated',
      ),
    )
    .toBe(true);

  const escalated = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/escalate`, {});
  expect(escalated.statusCode, escalated.body).toBe(200);
  expect(escalated.json().escalatedAt).not.toBeNull();
  const [trigger] = calls('http://pagerduty.test');
  expect(trigger?.body).toMatchObject({
    routing_key: 'R0UT1NGKEY',
    event_action: 'trigger',
    dedup_key: event.id,
    payload: {
      severity: 'critical',
      source: 'gate-2',
      component: 'Gate sensors',
      custom_details: { streamEventId: 'gate-5' },
    },
  });
  expect((trigger?.body as { payload?: { summary?: string } } | undefined)?.payload?.summary).toMatch(
    /^Critical anomaly on device gate-2 \(score /,
  );
  const again = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/escalate`, {});
  expect(again.statusCode).toBe(409);
  expect(again.json().details).toEqual([{ reason: 'already_escalated' }]);

  const noted = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/notes`, {
    text: 'Blocked 203.0.113.50 at the edge',
  });
  expect(noted.statusCode).toBe(201);
  const resolved = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/resolve`, {
    note: 'contained',
  });
  expect(resolved.json().status).toBe('resolved');
  const pagerduty = calls('http://pagerduty.test');
  expect(pagerduty.map((c) => c.body)).toEqual([
    expect.objectContaining({ event_action: 'trigger', dedup_key: event.id }),
    { routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: event.id },
  ]);

  const timeline = (await call(harbor.keys.viewer, 'GET', `/api/events/${event.id}/timeline`)).json().items;
  expect(
    timeline.map((entry: { action: string; actor: { email: string } | null; note: string | null }) => [
      entry.action,
      entry.actor?.email ?? null,
      entry.note,
    ]),
  ).toEqual([
    ['raised', null, null],
    ['enriched', 'sec@harbor.test', null],
    ['acknowledged', 'sec@harbor.test', 'on it'],
    ['escalated', 'sec@harbor.test', null],
    ['noted', 'sec@harbor.test', 'Blocked 203.0.113.50 at the edge'],
    ['resolved', 'sec@harbor.test', 'contained'],
  ]);
  const audit = await withTenant(platform.pool, harbor.tenantId, (db) =>
    db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'event.%' ORDER BY id`,
      [event.id],
    ),
  );
  expect(audit.rows.map((row) => row.action)).toEqual([
    'event.enrich',
    'event.acknowledge',
    'event.escalate',
    'event.note',
    'event.resolve',
  ]);
});

test('a PagerDuty failure leaves the event unescalated and says so', async () => {
  externals.use(
    http.post('http://pagerduty.test/v2/enqueue', () =>
      HttpResponse.json({ message: 'Invalid routing key' }, { status: 400 }),
    ),
  );
  const events = (await call(harbor.keys.analyst, 'GET', `/api/events?status=open`)).json();
  const event = events.items[0];
  const response = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/escalate`, {});
  expect(response.statusCode).toBe(502);
  expect(response.json()).toMatchObject({
    error: 'bad_gateway',
    message:
      'PagerDuty refused the event (HTTP 400: Invalid routing key); the event was not escalated. Try again shortly.',
  });
  const after = (await call(harbor.keys.analyst, 'GET', `/api/events/${event.id}`)).json();
  expect(after.escalatedAt).toBeNull();
  expect(after.timeline.map((entry: { action: string }) => entry.action)).toEqual(['raised']);
  externals.resetHandlers();
});

test('a failed threat-intelligence lookup is given again for a minute without asking, and viewing writes nothing', async () => {
  let failures = 0;
  externals.use(
    http.get('http://intel.test/api/ip/:ip', () => {
      failures += 1;
      return HttpResponse.json({ message: 'upstream down' }, { status: 503 });
    }),
  );
  const events = (await call(harbor.keys.analyst, 'GET', '/api/events?status=open')).json();
  // The last of them: the page test below takes the first.
  const event = events.items.findLast((item: { source: { ip: string | null } }) => item.source.ip !== null);
  const auditBefore = (await call(harbor.keys.analyst, 'GET', '/api/audit?limit=1000')).json().total;
  const first = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/enrichment`, {});
  const again = await call(harbor.keys.analyst, 'POST', `/api/events/${event.id}/enrichment`, {});
  expect(first.statusCode).toBe(502);
  expect(again.json()).toEqual(first.json());
  expect(failures).toBe(1);
  const read = await call(harbor.keys.analyst, 'GET', `/api/events/${event.id}/enrichment`);
  expect(read.json().message).toBe(
    `The source IP has not been checked yet (the last check failed: ${first.json().message}); POST to this address to check it.`,
  );
  expect(failures).toBe(1);
  expect((await call(harbor.keys.analyst, 'GET', '/api/audit?limit=1000')).json().total).toBe(auditBefore);
  externals.resetHandlers();
});

test("another tenant's events are 404, and its key opens no feed of ours", async () => {
  const [event] = (await call(harbor.keys.analyst, 'GET', '/api/events')).json().items;
  for (const [method, url] of [
    ['GET', `/api/events/${event.id}`],
    ['GET', `/api/events/${event.id}/timeline`],
    ['GET', `/api/events/${event.id}/enrichment`],
    ['POST', `/api/events/${event.id}/enrichment`],
    ['POST', `/api/events/${event.id}/acknowledge`],
    ['POST', `/api/events/${event.id}/escalate`],
  ] as const) {
    const response = await call(rival.keys.analyst, method, url, method === 'POST' ? {} : undefined);
    expect(response.statusCode, url).toBe(404);
  }
  expect((await call(rival.keys.analyst, 'GET', '/api/events')).json()).toEqual({ items: [], total: 0 });
});

test('the live feed refuses anonymous callers and pages of other sites', async () => {
  await expect(platform.server.injectWS('/api/events/live', {})).rejects.toThrow(
    'Unexpected server response: 401',
  );
  const { sid } = await withTenant(platform.pool, harbor.tenantId, (db) =>
    createSession(db, harbor.tenantId, harbor.users.analyst.id, 10),
  );
  await expect(
    platform.server.injectWS('/api/events/live', {
      headers: { cookie: `sid=${sid}`, origin: 'https://evil.example' },
    }),
  ).rejects.toThrow('Unexpected server response: 403');
  const sameSite = await platform.server.injectWS('/api/events/live', {
    headers: { cookie: `sid=${sid}`, origin: 'http://localhost:80', host: 'localhost:80' },
  });
  sockets.push(sameSite);
});

test('the event page shows contributions, threat intelligence and the timeline, and its forms act', async () => {
  const { sid, csrfToken } = await withTenant(platform.pool, harbor.tenantId, (db) =>
    createSession(db, harbor.tenantId, harbor.users.analyst.id, 10),
  );
  const event = (await call(harbor.keys.analyst, 'GET', '/api/events?status=open'))
    .json()
    .items.find((item: { source: { ip: string | null } }) => item.source.ip !== null);
  const page = await platform.server.inject({
    method: 'GET',
    url: `/alerts/${event.id}`,
    headers: { cookie: `sid=${sid}`, accept: 'text/html' },
  });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain(`<h1>Critical anomaly ${event.streamEventId}</h1>`);
  expect(page.body).toContain('<table aria-label="Feature contributions">');
  // Viewing asks threat intelligence nothing: the analyst presses the button.
  expect(page.body).toContain(`<p>${event.source.ip} has not been checked yet.</p>`);
  expect(page.body).not.toContain('<strong>Checked the source IP</strong> by');
  expect(page.body).toContain('>Acknowledge</button>');
  expect(page.body).toContain('>Escalate to PagerDuty</button>');
  const lookupsBefore = calls('http://intel.test').length;
  const checked = await platform.server.inject({
    method: 'POST',
    url: `/alerts/${event.id}/enrich`,
    headers: {
      cookie: `sid=${sid}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    payload: new URLSearchParams({ _csrf: csrfToken }).toString(),
  });
  expect(checked.statusCode).toBe(303);
  expect(calls('http://intel.test')).toHaveLength(lookupsBefore + 1);
  const shown = await platform.server.inject({
    method: 'GET',
    url: `/alerts/${event.id}`,
    headers: { cookie: `sid=${sid}`, accept: 'text/html' },
  });
  expect(shown.body).toContain('<tr><th scope="row">Reputation</th><td>malicious</td></tr>');
  expect(shown.body).toContain('<strong>Checked the source IP</strong> by');
  expect(calls('http://intel.test')).toHaveLength(lookupsBefore + 1);

  const acknowledged = await platform.server.inject({
    method: 'POST',
    url: `/alerts/${event.id}/acknowledge`,
    headers: {
      cookie: `sid=${sid}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    payload: new URLSearchParams({ _csrf: csrfToken }).toString(),
  });
  expect(acknowledged.statusCode).toBe(303);
  expect((await call(harbor.keys.viewer, 'GET', `/api/events/${event.id}`)).json().status).toBe(
    'acknowledged',
  );
  const after = await platform.server.inject({
    method: 'GET',
    url: `/alerts/${event.id}`,
    headers: { cookie: `sid=${sid}`, accept: 'text/html' },
  });
  expect(after.body).toContain('<label for="resolve-note">Resolution note</label>');
  expect(after.body).not.toContain('>Acknowledge</button>');
});
