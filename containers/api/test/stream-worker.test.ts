import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type mqtt from 'mqtt';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { withTenant } from '../src/db/pool.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { reading, releaseToProduction } from './support/release.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * The stream worker against a real PostgreSQL and a real MQTT broker: events are scored and
 * stored once each, however often they are delivered; a restarted platform picks up what was
 * published while it was down; pausing keeps events for scoring on resume.
 */
let platform: TestApp;
let broker: TestBroker;
let world: ModelWorld;
let publisher: mqtt.MqttClient;
let session: { id: string; topic: string };

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp({ STREAM_FLUSH_MS: '10', STREAM_CLIENT_ID: 'stream-worker-under-test' });
  broker = await startTestBroker();
  world = await createModelWorld(platform, 'mill');
  const version = await world.registerVersion({ name: 'press' });
  const production = await releaseToProduction(platform, world, version);
  const created = await inject(world.keys.deployer, 'POST', '/api/sessions', {
    name: 'Press line 2',
    deploymentId: production,
  });
  expect(created.statusCode, created.body).toBe(201);
  session = created.json();
  await platform.app.context.operations.start(broker.url);
  await expect.poll(() => platform.app.context.operations.streams.subscribed).toBe(true);
  publisher = await broker.publisher();
});
test.afterAll(async () => {
  await platform?.stop();
  await broker?.stop();
});

function inject(key: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return platform.server.inject({
    method,
    url,
    headers: as(key),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

const sessionNow = async () => (await inject(world.keys.viewer, 'GET', `/api/sessions/${session.id}`)).json();

function event(id: string, index: number, anomalous: boolean) {
  return JSON.stringify({
    id,
    ts: new Date().toISOString(),
    values: reading(index, anomalous),
    source: { deviceId: `press-${index % 4}`, ip: anomalous ? '203.0.113.7' : '198.51.100.20' },
  });
}

async function publishAll(payloads: string[]) {
  await Promise.all(payloads.map((payload) => publisher.publishAsync(session.topic, payload, { qos: 1 })));
}

test('a pending session refuses events, and the topic names tenant and session', async () => {
  expect(session.topic).toBe(`tenants/mill/sessions/${session.id}/events`);
  await publishAll([event('early-1', 1, false)]);
  await expect.poll(async () => (await sessionNow()).rejected).toBe(1);
  expect(await sessionNow()).toMatchObject({ state: 'pending', received: 0 });
  const stopped = await inject(world.keys.deployer, 'POST', `/api/sessions/${session.id}/pause`);
  expect(stopped.statusCode).toBe(409);
  expect(stopped.json().message).toBe(
    'The session is pending, so it cannot pause; pause needs a session that is active.',
  );
});

test('an active session scores each event once and raises an anomaly event for each flagged one', async () => {
  const started = await inject(world.keys.deployer, 'POST', `/api/sessions/${session.id}/start`);
  expect(started.json().state).toBe('active');
  const anomalous = new Set([7, 19, 33]);
  const payloads = Array.from({ length: 40 }, (_, i) => event(`evt-${i}`, i, anomalous.has(i)));
  // The 5th event twice in the same burst, and a payload that is not an event (set aside, not refused).
  await publishAll([...payloads, payloads[5] as string, '{"values":{}}']);
  await expect.poll(async () => (await sessionNow()).received).toBe(40);
  await platform.app.context.operations.streams.drained();
  expect(await sessionNow()).toMatchObject({
    received: 40,
    scored: 40,
    anomalies: 3,
    rejected: 1,
    setAside: 1,
  });

  const stored = await withTenant(platform.pool, world.tenantId, (db) =>
    db.query<{ event_id: string; anomaly: boolean }>(
      'SELECT event_id, anomaly FROM stream_events WHERE session_id = $1 AND anomaly ORDER BY event_id',
      [session.id],
    ),
  );
  expect(stored.rows.map((row) => row.event_id)).toEqual(['evt-19', 'evt-33', 'evt-7']);
  const events = (await inject(world.keys.analyst, 'GET', `/api/events?sessionId=${session.id}`)).json();
  expect(events.total).toBe(3);
  expect(events.items.map((e: { streamEventId: string }) => e.streamEventId).sort()).toEqual([
    'evt-19',
    'evt-33',
    'evt-7',
  ]);
  for (const raised of events.items) {
    expect(raised).toMatchObject({ status: 'open', severity: 'critical', source: { ip: '203.0.113.7' } });
    expect(Object.keys(raised.contributions).sort()).toEqual(['pressure', 'temperature']);
  }
});

test('redelivered events are not counted again and raise nothing new', async () => {
  const anomalous = new Set([7, 19, 33]);
  await publishAll(Array.from({ length: 40 }, (_, i) => event(`evt-${i}`, i, anomalous.has(i))));
  // Events of one topic arrive in order: once this one is stored, the repeats were handled.
  await publishAll([event('after-repeats', 41, false)]);
  await expect.poll(async () => (await sessionNow()).received).toBe(41);
  expect(await sessionNow()).toMatchObject({ received: 41, scored: 41, anomalies: 3 });
  const total = await withTenant(platform.pool, world.tenantId, (db) =>
    db.query<{ events: number; anomalies: number }>(
      `SELECT (SELECT count(*)::int FROM stream_events WHERE session_id = $1) AS events,
              (SELECT count(*)::int FROM anomaly_events WHERE session_id = $1) AS anomalies`,
      [session.id],
    ),
  );
  expect(total.rows[0]).toEqual({ events: 41, anomalies: 3 });
});

test('each committed event is confirmed to its producers, a redelivered one again', async () => {
  const watcher = await broker.publisher();
  const confirmed: string[] = [];
  watcher.on('message', (_topic, payload) => confirmed.push(...JSON.parse(payload.toString()).ids));
  await watcher.subscribeAsync(`tenants/mill/sessions/${session.id}/confirmed`, { qos: 0 });
  // Both are stored already: a producer that sent them again must still hear they are committed;
  // an event set aside is committed too (the producer must not send it for ever).
  await publishAll([event('evt-0', 0, false), event('after-repeats', 41, false), '{"id":"no-values"}']);
  await expect.poll(() => confirmed.toSorted()).toEqual(['after-repeats', 'evt-0', 'no-values']);
  expect(await sessionNow()).toMatchObject({ received: 41 });
});

test('live metrics report throughput and end-to-end latency', async () => {
  const metrics = (await inject(world.keys.viewer, 'GET', `/api/sessions/${session.id}/metrics`)).json();
  expect(metrics).toMatchObject({
    sessionId: session.id,
    state: 'active',
    received: 41,
    scored: 41,
    anomalies: 3,
  });
  expect(metrics.p95LatencyMs).toBeGreaterThanOrEqual(0);
  expect(metrics.series.reduce((sum: number, point: { events: number }) => sum + point.events, 0)).toBe(41);
});

test('a paused session keeps events unscored and scores them when resumed', async () => {
  expect((await inject(world.keys.deployer, 'POST', `/api/sessions/${session.id}/pause`)).json().state).toBe(
    'paused',
  );
  await publishAll(Array.from({ length: 10 }, (_, i) => event(`paused-${i}`, i, i === 4)));
  await expect.poll(async () => (await sessionNow()).received).toBe(51);
  expect(await sessionNow()).toMatchObject({ scored: 41, anomalies: 3 });
  expect((await inject(world.keys.deployer, 'POST', `/api/sessions/${session.id}/resume`)).json().state).toBe(
    'active',
  );
  await expect.poll(async () => (await sessionNow()).scored).toBe(51);
  expect(await sessionNow()).toMatchObject({ received: 51, anomalies: 4 });
});

async function secondPlatform(): Promise<App> {
  // The same database and broker, a new process's worth of state: what a restart leaves behind.
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:9/unused',
    MQTT_URL: broker.url,
    BOOTSTRAP_TOKEN: bootstrapToken,
    LOG_LEVEL: 'silent',
    STREAM_FLUSH_MS: '10',
    STREAM_CLIENT_ID: 'stream-worker-under-test',
  });
  return buildApp({
    config,
    pool: platform.pool,
    broker: { connected: true },
    assetsDir: fileURLToPath(new URL('../src/public/', import.meta.url)),
  });
}

test('events published while the platform is down are scored exactly once after it restarts', async () => {
  await publishAll(Array.from({ length: 15 }, (_, i) => event(`before-${i}`, i, false)));
  await expect.poll(async () => (await sessionNow()).received).toBe(66);
  await platform.app.context.operations.stop();
  expect(platform.app.context.operations.streams.connected).toBe(false);

  // Published while no worker is connected: the broker keeps them for the persistent session.
  await publishAll(Array.from({ length: 30 }, (_, i) => event(`while-down-${i}`, i, i === 9)));
  // Some of them again, as a producer retrying would.
  await publishAll(Array.from({ length: 5 }, (_, i) => event(`while-down-${i}`, i, i === 9)));

  const restarted = await secondPlatform();
  try {
    await restarted.context.operations.start(broker.url);
    await expect.poll(async () => (await sessionNow()).received, { timeout: 15_000 }).toBe(96);
    await restarted.context.operations.streams.drained();
    expect(await sessionNow()).toMatchObject({ state: 'active', received: 96, scored: 96, anomalies: 5 });
  } finally {
    await restarted.server.close();
  }
});

test('a stopped session refuses further events', async () => {
  const restarted = await secondPlatform();
  try {
    await restarted.context.operations.start(broker.url);
    await expect.poll(() => restarted.context.operations.streams.subscribed).toBe(true);
    const stopped = await restarted.server.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/stop`,
      headers: as(world.keys.deployer),
    });
    expect(stopped.json().state).toBe('stopped');
    const before = await sessionNow();
    await publishAll([event('too-late', 1, false)]);
    await expect.poll(async () => (await sessionNow()).rejected).toBe(before.rejected + 1);
    expect((await sessionNow()).received).toBe(before.received);
    const resumed = await restarted.server.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/resume`,
      headers: as(world.keys.deployer),
    });
    expect(resumed.statusCode).toBe(409);
  } finally {
    await restarted.server.close();
  }
});
