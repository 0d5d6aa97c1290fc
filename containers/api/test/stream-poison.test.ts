import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type mqtt from 'mqtt';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { reading, releaseToProduction } from './support/release.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * Poison events through the real worker, database and broker: each is set aside with its reason
 * while the valid events around it are stored; a retained one that comes back after a restart is
 * listed and counted once; and readiness says so when events stop being stored.
 */
let platform: TestApp;
let broker: TestBroker;
let world: ModelWorld;
let publisher: mqtt.MqttClient;
let session: { id: string; topic: string };
/** The process consuming the stream (a restart replaces it); readiness sees the broker as up. */
let worker: App;

const clientId = 'poison-worker-under-test';

function workerApp(): Promise<App> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:9/unused',
    MQTT_URL: broker.url,
    BOOTSTRAP_TOKEN: bootstrapToken,
    LOG_LEVEL: 'silent',
    STREAM_FLUSH_MS: '10',
    STREAM_CLIENT_ID: clientId,
    STREAM_STUCK_AFTER_MS: '300',
  });
  return buildApp({
    config,
    pool: platform.pool,
    broker: { connected: true },
    assetsDir: fileURLToPath(new URL('../src/public/', import.meta.url)),
  });
}

async function startWorker(): Promise<void> {
  worker = await workerApp();
  await worker.context.operations.start(broker.url);
  await expect.poll(() => worker.context.operations.streams.subscribed).toBe(true);
}

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  broker = await startTestBroker();
  world = await createModelWorld(platform, 'poison');
  const production = await releaseToProduction(
    platform,
    world,
    await world.registerVersion({ name: 'press' }),
  );
  const created = await inject('POST', '/api/sessions', { name: 'Press line 3', deploymentId: production });
  expect(created.statusCode, created.body).toBe(201);
  session = created.json();
  expect((await inject('POST', `/api/sessions/${session.id}/start`)).statusCode).toBe(200);
  await startWorker();
  publisher = await broker.publisher();
});
test.afterAll(async () => {
  await worker?.server.close();
  await platform?.stop();
  await broker?.stop();
});

function inject(method: 'GET' | 'POST', url: string, payload?: unknown) {
  return platform.server.inject({
    method,
    url,
    headers: as(world.keys.deployer),
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

const sessionNow = async () => (await inject('GET', `/api/sessions/${session.id}`)).json();
const setAsideNow = async () => (await inject('GET', `/api/sessions/${session.id}/set-aside-events`)).json();

const event = (id: string, index: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, ts: new Date().toISOString(), values: reading(index, false), ...extra });

async function publishInOrder(payloads: string[], retain = false) {
  for (const payload of payloads) await publisher.publishAsync(session.topic, payload, { qos: 1, retain });
}

test('poison events between valid ones are set aside with their reasons; the valid ones are stored', async () => {
  await publishInOrder([
    event('ok-1', 1),
    event('bad\u0000id', 2),
    event('ok-2', 3),
    // Flagged readings with a time no date can hold: the failure that used to come from the anomaly event.
    JSON.stringify({ id: 'far-future', ts: 9_000_000_000_000_000, values: reading(4, true) }),
    event('ok-3', 5),
    event('missing-pressure', 6, { values: { temperature: 60 } }),
    event('ok-4', 7),
  ]);
  await expect.poll(async () => (await sessionNow()).received).toBe(4);
  await worker.context.operations.streams.drained();
  expect(await sessionNow()).toMatchObject({ received: 4, scored: 4, rejected: 0, setAside: 3 });
  const listed = await setAsideNow();
  expect(listed.total).toBe(3);
  expect(
    listed.items.map((item: { eventId: string; reason: string }) => [item.eventId, item.reason]),
  ).toEqual([
    [
      'missing-pressure',
      'values.pressure is missing; send every feature the model uses (temperature, pressure), with null for a missing reading.',
    ],
    [
      'far-future',
      'ts must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; 9000000000000000 is not.',
    ],
    ['bad\\u0000id', 'id contains a control character (U+0000); use printable text.'],
  ]);
  expect(listed.items[2]).toMatchObject({
    timesSeen: 1,
    payloadPreview: expect.stringContaining('bad\\u0000id'),
  });
});

test('a retained poison event is listed and counted once, however often it comes back', async () => {
  const before = await sessionNow();
  await publishInOrder([event('retained\u0000', 8)], true);
  await expect.poll(async () => (await sessionNow()).setAside).toBe(before.setAside + 1);

  // A restart subscribes again, and the broker sends the retained message again.
  await worker.server.close();
  await startWorker();
  const retained = async () =>
    (await setAsideNow()).items.find((item: { eventId: string }) => item.eventId === 'retained\\u0000');
  await expect.poll(async () => (await retained())?.timesSeen).toBe(2);
  expect(await sessionNow()).toMatchObject({ received: before.received, setAside: before.setAside + 1 });
  expect((await setAsideNow()).total).toBe(before.setAside + 1);
});

test('an event that passes validation but still fails to store is found by splitting and set aside alone', async () => {
  const before = await sessionNow();
  // Stands in for whatever validation may miss: the database refuses this one event, and only it.
  await platform.pool.query(
    `ALTER TABLE stream_events ADD CONSTRAINT refuses_boom CHECK (event_id <> 'boom') NOT VALID`,
  );
  try {
    // Published together so they share a batch: the batch fails as a whole first.
    await Promise.all(
      [event('split-1', 10), event('split-2', 11), event('boom', 12), event('split-3', 13)].map((payload) =>
        publisher.publishAsync(session.topic, payload, { qos: 1 }),
      ),
    );
    await expect.poll(async () => (await sessionNow()).setAside).toBe(before.setAside + 1);
  } finally {
    await platform.pool.query('ALTER TABLE stream_events DROP CONSTRAINT refuses_boom');
  }
  await worker.context.operations.streams.drained();
  expect(await sessionNow()).toMatchObject({ received: before.received + 3, scored: before.scored + 3 });
  const [newest] = (await setAsideNow()).items;
  expect(newest).toMatchObject({
    eventId: 'boom',
    reason:
      'the platform could not store it (new row for relation "stream_events" violates check constraint "refuses_boom"); check the event against the documented format.',
    timesSeen: 1,
  });
});

test('readiness reports a stream whose events stop being stored, and recovers when they are', async () => {
  const ready = async () => {
    const answer = await worker.server.inject({ method: 'GET', url: '/health/ready' });
    return { status: answer.statusCode, body: answer.json() };
  };
  const before = await sessionNow();
  expect(await ready()).toMatchObject({ status: 200, body: { checks: { stream: 'flowing' } } });
  // Not a bad event but a broken database: every batch fails and is retried, unsplit.
  await platform.pool.query('ALTER TABLE stream_events RENAME TO stream_events_away');
  try {
    await publishInOrder([event('waits', 9)]);
    await expect.poll(ready).toMatchObject({
      status: 503,
      body: {
        status: 'not_ready',
        checks: { database: 'up', broker: 'up', stream: 'stuck' },
        problems: [
          expect.stringMatching(
            /^The oldest streamed event has waited \d+ s to be stored; read the platform log/,
          ),
        ],
      },
    });
  } finally {
    await platform.pool.query('ALTER TABLE stream_events_away RENAME TO stream_events');
  }
  await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(200);
  expect(await sessionNow()).toMatchObject({ received: before.received + 1, setAside: before.setAside });
});
