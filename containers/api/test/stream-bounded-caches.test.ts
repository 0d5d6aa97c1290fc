import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from '@playwright/test';
import type mqtt from 'mqtt';
import { directoryCacheSize } from '../src/streaming/session-directory.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * Session ids in topics come from whoever publishes. A producer (buggy or hostile) that sends
 * each event to a new random session id must not grow the platform's memory: what the stream
 * path remembers about unknown sessions is bounded, and the heap stays flat.
 */
let platform: TestApp;
let broker: TestBroker;
let publisher: mqtt.MqttClient;

test.beforeAll(async () => {
  platform = await startTestApp({ STREAM_FLUSH_MS: '10' });
  broker = await startTestBroker();
  await platform.app.context.operations.start(broker.url);
  await expect.poll(() => platform.app.context.operations.streams.subscribed).toBe(true);
  publisher = await broker.publisher();
});
test.afterAll(async () => {
  await platform?.stop();
  await broker?.stop();
});

/** The heap after a full collection: what is retained, not what awaits collection. */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function publishToRandomSessions(count: number): Promise<void> {
  const { streams } = platform.app.context.operations;
  const droppedBefore = streams.dropped;
  const payload = JSON.stringify({ id: 'e-1', ts: new Date().toISOString(), values: { load: 1 } });
  for (let sent = 0; sent < count; sent++) {
    publisher.publish(`tenants/nobody/sessions/${randomUUID()}/events`, payload, { qos: 0 });
    // Let the socket drain now and then, so the publisher's own buffer stays small.
    if (sent % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  await expect
    .poll(() => streams.dropped - droppedBefore, { timeout: 90_000, message: 'every event was looked at' })
    .toBe(count);
}

test('100,000 events to random session ids leave the stream path’s memory flat', async () => {
  test.setTimeout(180_000);
  const { directory } = platform.app.context.operations;
  // A first round fills the caches to their bound; what follows must not add to the heap.
  await publishToRandomSessions(20_000);
  const heapAfterFirstRound = retainedHeap();

  await publishToRandomSessions(100_000);
  const heapAfterAll = retainedHeap();

  expect
    .soft(directory.cachedAnswers, 'answers about sessions held in memory')
    .toBeLessThanOrEqual(directoryCacheSize);
  const grewBy = heapAfterAll - heapAfterFirstRound;
  test.info().annotations.push({
    type: 'heap',
    description: `retained heap ${(heapAfterFirstRound / 2 ** 20).toFixed(1)} MiB after 20,000 events, ${(heapAfterAll / 2 ** 20).toFixed(1)} MiB after 100,000 more`,
  });
  // 100,000 remembered ids would take well over 10 MiB; the bound leaves room for noise only.
  expect(grewBy, 'retained heap growth over 100,000 random session ids, bytes').toBeLessThan(4 * 2 ** 20);
});
