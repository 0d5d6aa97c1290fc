import { expect, test } from '@playwright/test';
import mqtt from 'mqtt';
import { type Ack, takeMessagesAckingLater } from '../src/streaming/deferred-acks.ts';
import { startTestBroker, type TestBroker } from './support/test-broker.ts';

/**
 * A subscriber that acknowledges late: it reads every message at once, and the broker keeps each
 * one it has no PUBACK for, to send again on the next connection of the persistent session.
 */
let broker: TestBroker;

test.beforeEach(async () => {
  broker = await startTestBroker();
});
test.afterEach(async () => {
  await broker.stop();
});

const session = { clientId: 'late-acknowledger', clean: false, reconnectPeriod: 0 } as const;

/** Connects the persistent session; every message it takes waits for its `ack` in `taken`. */
async function subscriber() {
  const client = mqtt.connect(broker.url, session);
  const taken = new Map<string, Ack>();
  const acks = takeMessagesAckingLater(client, (packet, ack, next) => {
    taken.set(packet.payload.toString(), ack);
    next();
  });
  await new Promise((resolve) => client.once('connect', resolve));
  await client.subscribeAsync('late/#', { qos: 1 });
  return { client, taken, acks };
}

test('reads on without acknowledging, and gets again only what it did not acknowledge', async () => {
  const first = await subscriber();
  const publisher = await broker.publisher();
  const sent = ['a', 'b', 'c', 'd'];
  for (const payload of sent) await publisher.publishAsync('late/x', payload, { qos: 1 });
  // All four arrive although none is acknowledged yet: reading does not wait for the PUBACK.
  await expect.poll(() => [...first.taken.keys()].sort()).toEqual(sent);
  first.taken.get('a')?.();
  first.taken.get('c')?.();
  // The PUBACKs are on their way once the client has written them; a clean disconnect flushes them.
  await first.client.endAsync();

  const second = await subscriber();
  try {
    await expect.poll(() => [...second.taken.keys()].sort()).toEqual(['b', 'd']);
  } finally {
    second.client.end(true);
  }
});

test('an acknowledgement due on a closed connection is dropped, and the broker sends the message again', async () => {
  const first = await subscriber();
  const publisher = await broker.publisher();
  await publisher.publishAsync('late/x', 'kept', { qos: 1 });
  await expect.poll(() => [...first.taken.keys()]).toEqual(['kept']);
  await first.client.endAsync(true);
  // Acknowledged too late: the connection it came on is gone.
  first.taken.get('kept')?.();

  const second = await subscriber();
  try {
    await expect.poll(() => [...second.taken.keys()]).toEqual(['kept']);
  } finally {
    second.client.end(true);
  }
});

test('counts the acknowledgements it holds, and the most it held at once', async () => {
  const first = await subscriber();
  const publisher = await broker.publisher();
  for (const payload of ['a', 'b', 'c']) await publisher.publishAsync('late/x', payload, { qos: 1 });
  await expect.poll(() => first.taken.size).toBe(3);
  expect(first.acks).toMatchObject({ held: 3, most: 3 });
  first.taken.get('a')?.();
  first.taken.get('a')?.();
  expect(first.acks, 'an acknowledgement counts once').toMatchObject({ held: 2, most: 3 });
  first.taken.get('b')?.();
  first.taken.get('c')?.();
  expect(first.acks).toMatchObject({ held: 0, most: 3 });
  first.client.end(true);
});
