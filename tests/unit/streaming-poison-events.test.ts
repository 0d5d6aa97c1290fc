import { test as base, expect } from '@playwright/test';
import { dataFactories, seededFaker } from '../../fixtures/data/index.ts';
import { type RunningBroker, startBroker } from '../../fixtures/stack/broker.ts';
import { interleave, MAX_EVENT_BYTES, poisonEvents } from '../../fixtures/streaming/poison-events.ts';
import { StreamProducer } from '../../fixtures/streaming/producer.ts';
import { TopicSubscriber } from '../../fixtures/streaming/subscriber.ts';

const topic = 'tenants/acme/sessions/00000000-0000-4000-8000-000000000002/events';

const test = base.extend<{ broker: RunningBroker; producer: StreamProducer }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  broker: async ({}, use) => {
    const broker = await startBroker();
    await use(broker);
    await broker.stop();
  },
  producer: async ({ broker }, use, testInfo) => {
    const producer = await StreamProducer.connect(broker.url, { clientId: `producer-${testInfo.testId}` });
    await use(producer);
    await producer.close();
  },
});

const stream = dataFactories(seededFaker(7)).eventStream({ count: 12, anomalyRate: 0.25 });
const plain = stream.events.find((event) => !stream.anomalyIds.includes(event.id));
const flagged = stream.events.find((event) => stream.anomalyIds.includes(event.id));
if (!plain || !flagged) throw new Error('the stream has plain and anomalous events');
const poison = poisonEvents({ plain, flagged });
const byKind = (words: string) => {
  const found = poison.find((event) => event.kind.includes(words));
  if (!found) throw new Error(`no poison event of kind "${words}"`);
  return found;
};

test('each poison event carries its one fault, and only the NUL id is retained', () => {
  expect(JSON.parse(byKind('event id').payload).id).toBe(`${plain.id}-nul\u0000id`);
  expect(JSON.parse(byKind('device id').payload).source.deviceId).toBe('press\u0000');
  expect(Object.keys(JSON.parse(byKind('feature name').payload).values)).toContain('temperature\u0000');
  const farFuture = JSON.parse(byKind('no date can hold').payload);
  expect(farFuture).toMatchObject({ ts: 9_000_000_000_000_000, values: flagged.values });
  expect(Object.values(JSON.parse(byKind('Infinity').payload).values)).toContain(Number.POSITIVE_INFINITY);
  expect(Array.isArray(JSON.parse(byKind('as a list').payload).values)).toBe(true);
  expect(Buffer.byteLength(byKind('payload over').payload)).toBeGreaterThan(MAX_EVENT_BYTES);
  expect(() => JSON.parse(byKind('not JSON').payload)).toThrow();
  expect(poison.filter((event) => event.retain).map((event) => event.kind)).toEqual([
    'a NUL character in the event id',
  ]);
});

test('interleave puts one poison event after each of the first valid ones, and refuses too few valid ones', () => {
  const messages = interleave(stream.events, poison);
  expect(messages).toHaveLength(stream.events.length + poison.length);
  expect(messages.filter((_, index) => index % 2 === 1 && index < 2 * poison.length)).toEqual(poison);
  expect(JSON.parse(String(messages[0]?.payload)).id).toBe(stream.events[0]?.id);
  expect(() => interleave(stream.events.slice(0, poison.length), poison)).toThrow(
    `interleave needs more valid events (${poison.length}) than poison events (${poison.length}), so each poison event sits between valid ones.`,
  );
});

test('publishRaw sends the bytes as given, in order, and the broker keeps the retained one for later subscribers', async ({
  broker,
  producer,
}) => {
  const early = await TopicSubscriber.subscribe(broker.url, topic, { clientId: 'early-watcher' });
  await producer.publishRaw(topic, [{ payload: 'not json' }, { payload: '{"id":"r-1"}', retain: true }]);
  await expect
    .poll(() => early.messages.map((message) => message.payload))
    .toEqual(['not json', { id: 'r-1' }]);
  await early.close();
  const late = await TopicSubscriber.subscribe(broker.url, topic, { clientId: 'late-watcher' });
  await expect.poll(() => late.messages.map((message) => message.payload)).toEqual([{ id: 'r-1' }]);
  await late.close();
  await expect(producer.publishRaw(topic, [])).rejects.toThrow(
    'There is nothing to publish: pass at least one raw message.',
  );
});
