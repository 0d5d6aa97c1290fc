import { expect, test } from '@playwright/test';
import { as, createModelWorld } from './support/model-world.ts';
import { reading, releaseToProduction } from './support/release.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * Sustained throughput of the stream worker into PostgreSQL: a producer publishes a burst of
 * QoS 1 events as fast as the broker takes them, and the clock runs until the database holds
 * every one of them, scored. The figure is recorded on the test; the floor is what a session
 * must sustain (thousands of events a second) even on a small machine.
 */
const events = 20_000;
const floorPerSecond = 1_000;

let platform: TestApp;
let broker: TestBroker;

test.afterAll(async () => {
  await platform?.stop();
  await broker?.stop();
});

test(`stores and scores ${events} streamed events at more than ${floorPerSecond} a second`, async () => {
  test.setTimeout(120_000);
  platform = await startTestApp();
  broker = await startTestBroker();
  const world = await createModelWorld(platform, 'burst');
  const production = await releaseToProduction(
    platform,
    world,
    await world.registerVersion({ name: 'flow' }),
  );
  const created = await platform.server.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: as(world.keys.deployer),
    payload: { name: 'Burst', deploymentId: production },
  });
  const session = created.json() as { id: string; topic: string };
  await platform.server.inject({
    method: 'POST',
    url: `/api/sessions/${session.id}/start`,
    headers: as(world.keys.deployer),
  });
  await platform.app.context.operations.start(broker.url);
  await expect.poll(() => platform.app.context.operations.streams.subscribed).toBe(true);
  const publisher = await broker.publisher();
  const payloads = Array.from({ length: events }, (_, i) =>
    JSON.stringify({ id: `e-${i}`, ts: Date.now(), values: reading(i, i % 100 === 42) }),
  );

  const started = performance.now();
  await Promise.all(payloads.map((payload) => publisher.publishAsync(session.topic, payload, { qos: 1 })));
  const published = performance.now();
  const stored = async () =>
    (
      await platform.server.inject({
        method: 'GET',
        url: `/api/sessions/${session.id}`,
        headers: as(world.keys.viewer),
      })
    ).json();
  await expect.poll(async () => (await stored()).scored, { timeout: 90_000, intervals: [100] }).toBe(events);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = Math.round(events / seconds);
  const metrics = (
    await platform.server.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/metrics`,
      headers: as(world.keys.viewer),
    })
  ).json();

  test.info().annotations.push({
    type: 'throughput',
    description: `${events} events stored and scored in ${seconds.toFixed(2)} s: ${perSecond} events/s (published in ${((published - started) / 1000).toFixed(2)} s); p95 end-to-end latency ${Math.round(metrics.p95LatencyMs)} ms`,
  });
  expect(await stored()).toMatchObject({
    received: events,
    scored: events,
    anomalies: events / 100,
    rejected: 0,
  });
  expect(perSecond).toBeGreaterThan(floorPerSecond);
});
