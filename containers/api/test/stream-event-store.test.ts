import { expect, test } from '@playwright/test';
import { withTenant } from '../src/db/pool.ts';
import { type EventToStore, eventKey, storeEvents } from '../src/streaming/event-store.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { releaseToProduction } from './support/release.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The stream worker's one write per batch: events and the session's counters in a single
 * statement. Counters must follow exactly what was inserted (a redelivered event counts nothing),
 * refused events are added in the same statement, and an event's `scored_at` is the moment its
 * row was written, not the start of the transaction.
 */
let platform: TestApp;
let world: ModelWorld;
let session: { id: string };
let deploymentId: string;

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  platform = await startTestApp();
  world = await createModelWorld(platform, 'store');
  deploymentId = await releaseToProduction(platform, world, await world.registerVersion({ name: 'store' }));
  const created = await platform.server.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: as(world.keys.deployer),
    payload: { name: 'Store line', deploymentId },
  });
  expect(created.statusCode, created.body).toBe(201);
  session = created.json();
});
test.afterAll(async () => {
  await platform?.stop();
});

function events(ids: string[], scored: boolean): EventToStore[] {
  const now = Date.now();
  return ids.map((id, index) => ({
    sessionId: session.id,
    eventId: id,
    occurredAt: now - 5,
    receivedAt: now,
    values: { temperature: 60 + index, pressure: null },
    score: scored ? 0.5 + index / 100 : null,
    anomaly: scored ? index === 0 : null,
    deploymentId: scored ? deploymentId : null,
    modelVersionId: null,
    deviceId: `press-${index}`,
    ip: index === 0 ? '198.51.100.20' : null,
  }));
}

const counters = async () =>
  (
    await platform.pool.query<{ received: number; scored: number; anomalies: number; rejected: number }>(
      'SELECT received::int, scored::int, anomalies::int, rejected::int FROM stream_sessions WHERE id = $1',
      [session.id],
    )
  ).rows[0];

test('stores a batch once and counts exactly what it inserted, refusals included', async () => {
  const batch = events(['a-1', 'a-2', 'a-3'], true);
  const stored = await withTenant(platform.pool, world.tenantId, (db) =>
    storeEvents(db, world.tenantId, batch, new Map([[session.id, 2]])),
  );
  expect([...stored].sort()).toEqual(['a-1', 'a-2', 'a-3'].map((id) => eventKey(session.id, id)));
  expect(await counters()).toEqual({ received: 3, scored: 3, anomalies: 1, rejected: 2 });

  // Redelivered with one new event: only the new one is stored and counted.
  const again = await withTenant(platform.pool, world.tenantId, (db) =>
    storeEvents(db, world.tenantId, [...batch, ...events(['a-4'], false)]),
  );
  expect([...again]).toEqual([eventKey(session.id, 'a-4')]);
  expect(await counters()).toEqual({ received: 4, scored: 3, anomalies: 1, rejected: 2 });

  // Nothing but refusals still reaches the counters.
  const refusedOnly = await withTenant(platform.pool, world.tenantId, (db) =>
    storeEvents(db, world.tenantId, [], new Map([[session.id, 1]])),
  );
  expect(refusedOnly.size).toBe(0);
  expect(await counters()).toEqual({ received: 4, scored: 3, anomalies: 1, rejected: 3 });
});

test('keeps readings, sources and times as sent; scored_at is the write time, unscored rows have none', async () => {
  const { rows } = await platform.pool.query<{
    event_id: string;
    readings: Record<string, number | null>;
    device_id: string;
    source_ip: string | null;
    scored_at: Date | null;
  }>(
    `SELECT event_id, readings, device_id, source_ip, scored_at
       FROM stream_events WHERE session_id = $1 ORDER BY event_id`,
    [session.id],
  );
  expect(rows.map((row) => [row.event_id, row.readings, row.device_id, row.source_ip])).toEqual([
    ['a-1', { temperature: 60, pressure: null }, 'press-0', '198.51.100.20'],
    ['a-2', { temperature: 61, pressure: null }, 'press-1', null],
    ['a-3', { temperature: 62, pressure: null }, 'press-2', null],
    ['a-4', { temperature: 60, pressure: null }, 'press-0', '198.51.100.20'],
  ]);
  expect(rows.map((row) => row.scored_at === null)).toEqual([false, false, false, true]);

  // Within one transaction now() stays at its start; the row carries its own, later write time.
  const laterThanStart = await withTenant(platform.pool, world.tenantId, async (db) => {
    await storeEvents(db, world.tenantId, events(['b-1'], true));
    const { rows } = await db.query<{ later: boolean }>(
      'SELECT scored_at > now() AS later FROM stream_events WHERE session_id = $1 AND event_id = $2',
      [session.id, 'b-1'],
    );
    return rows[0]?.later;
  });
  expect(laterThanStart).toBe(true);
});
