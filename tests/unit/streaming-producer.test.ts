import { test as base, expect } from '@playwright/test';
import mqtt from 'mqtt';
import { dataFactories, seededFaker } from '../../fixtures/data/index.ts';
import { type RunningBroker, startBroker } from '../../fixtures/stack/broker.ts';
import { StreamProducer } from '../../fixtures/streaming/producer.ts';
import { TopicSubscriber } from '../../fixtures/streaming/subscriber.ts';

const topic = 'tenants/acme/sessions/00000000-0000-4000-8000-000000000001/events';

const test = base.extend<{ broker: RunningBroker; producer: StreamProducer; watcher: TopicSubscriber }>({
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
  watcher: async ({ broker }, use, testInfo) => {
    const watcher = await TopicSubscriber.subscribe(broker.url, 'tenants/+/sessions/+/events', {
      clientId: `watcher-${testInfo.testId}`,
    });
    await use(watcher);
    await watcher.close();
  },
});

const stream = (count: number) => dataFactories(seededFaker(count)).eventStream({ count, anomalyRate: 0.05 });

test.describe('StreamProducer', () => {
  test('publishes every event once, in order, and reports what the broker acknowledged', async ({
    producer,
    watcher,
  }) => {
    const { events } = stream(300);
    const report = await producer.publish({ topic, events });
    expect(report.ids).toEqual(events.map((event) => event.id));
    expect(report.sent).toHaveLength(300);
    expect(report.topic).toBe(topic);
    await expect.poll(() => watcher.eventIds().length).toBe(300);
    expect(watcher.eventIds()).toEqual(report.ids);
    expect(watcher.messages.map((message) => message.topic)).toEqual(Array(300).fill(topic));
    // The payload is the event as sent, readings and source untouched.
    expect(watcher.messages[7]?.payload).toEqual(report.sent[7]);
    expect(report.sent[7]?.values).toEqual(events[7]?.values);
    expect(report.sent[7]?.source).toEqual(events[7]?.source);
    expect(producer.reports).toEqual([report]);
  });

  test('stamps each event with the time it left, unless asked to keep the factory times', async ({
    producer,
  }) => {
    const { events } = stream(20);
    const before = Date.now();
    const stamped = await producer.publish({ topic, events });
    const after = Date.now();
    const times = stamped.sent.map((event) => Date.parse(event.ts));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(before);
    expect(Math.max(...times)).toBeLessThanOrEqual(after);

    const kept = await producer.publish({ topic, events, stampTime: false });
    expect(kept.sent.map((event) => event.ts)).toEqual(events.map((event) => event.ts));
  });

  test('holds the requested rate', async ({ producer, watcher }) => {
    const { events } = stream(40);
    const report = await producer.publish({ topic, events, ratePerSecond: 200 });
    // 40 events at 200/s: the last leaves 195 ms after the first; never faster than asked.
    expect(report.durationMs).toBeGreaterThanOrEqual(195);
    expect(report.ratePerSecond).toBeLessThanOrEqual(205);
    // Not much slower either (a loaded machine may stall a little).
    expect(report.ratePerSecond).toBeGreaterThan(50);
    await expect.poll(() => watcher.eventIds().length).toBe(40);
  });

  test('holds after the asked number of events until resumed, then sends the rest', async ({
    producer,
    watcher,
  }) => {
    const { events } = stream(60);
    const publication = producer.start({ topic, events, ratePerSecond: 1_000, holdAfter: 25 });
    await publication.held;
    expect(publication.acknowledged).toBe(25);
    // Held: nothing more leaves while the journey acts, however long that takes.
    await expect.poll(() => watcher.eventIds().length).toBe(25);
    expect(publication.acknowledged).toBe(25);
    publication.resume();
    const report = await publication.done;
    expect(report.ids).toEqual(events.map((event) => event.id));
    await expect.poll(() => watcher.eventIds()).toEqual(report.ids);
  });

  test('refuses a hold point outside the stream', async ({ producer }) => {
    const { events } = stream(10);
    expect(() => producer.start({ topic, events, holdAfter: 10 })).toThrow(
      'holdAfter must be a whole number of events between 1 and 9 (got 10), so some are sent before the hold and some after.',
    );
  });

  test('shows its progress while publishing and finishes with every event', async ({ producer }) => {
    const { events } = stream(100);
    const publication = producer.start({ topic, events, ratePerSecond: 250 });
    await expect.poll(() => publication.acknowledged).toBeGreaterThan(0);
    expect(publication.acknowledged).toBeLessThan(100);
    const report = await publication.done;
    expect(publication.acknowledged).toBe(100);
    expect(report.ids).toHaveLength(100);
  });

  test('loses nothing when the broker restarts mid-stream', async ({ broker, producer }) => {
    // A persistent subscriber, like the platform's stream worker: what it misses while
    // disconnected waits in the broker for it.
    const worker = await TopicSubscriber.subscribe(broker.url, 'tenants/+/sessions/+/events', {
      clientId: 'persistent-worker',
      clean: false,
    });
    try {
      const { events } = stream(400);
      const publication = producer.start({ topic, events, ratePerSecond: 1_000, timeoutMs: 20_000 });
      await expect.poll(() => publication.acknowledged).toBeGreaterThan(50);
      await broker.restart();
      const report = await publication.done;
      expect(report.ids).toEqual(events.map((event) => event.id));
      await expect.poll(() => new Set(worker.eventIds()).size, { timeout: 15_000 }).toBe(400);
      expect([...new Set(worker.eventIds())].sort()).toEqual([...report.ids].sort());
    } finally {
      await worker.close();
    }
  });

  test('gives up after its time bound, saying how far it got', async ({ producer }) => {
    const { events } = stream(50);
    await expect(producer.publish({ topic, events, ratePerSecond: 10, timeoutMs: 300 })).rejects.toThrow(
      /^Publishing 50 events to tenants\/acme\/sessions\/.+\/events took longer than 300 ms: the broker acknowledged [1-4]\. Raise timeoutMs or the rate, or check the broker\.$/,
    );
  });

  test('refuses a publication it cannot make, saying what to pass', async ({ producer }) => {
    expect(() => producer.start({ topic, events: [] })).toThrow(
      'There is nothing to publish: pass at least one event (data.eventStream builds them).',
    );
    expect(() => producer.start({ topic, events: stream(2).events, ratePerSecond: 0 })).toThrow(
      'ratePerSecond must be above 0 (got 0); leave it out to publish at full speed.',
    );
  });

  test('says which broker it could not reach', async () => {
    const broker = await startBroker();
    const url = broker.url;
    await broker.stop();
    await expect(
      StreamProducer.connect(url, { clientId: 'nobody', connectTimeoutMs: 1_000 }),
    ).rejects.toThrow(`The event producer could not connect to the MQTT broker at ${url}`);
  });
});

test.describe('TopicSubscriber', () => {
  test('sees only its topic, and keeps payloads that are not JSON as text', async ({ broker, producer }) => {
    const other = 'tenants/other/sessions/00000000-0000-4000-8000-000000000002/events';
    const watcher = await TopicSubscriber.subscribe(broker.url, topic, { clientId: 'narrow-watcher' });
    const sensor = await mqtt.connectAsync(broker.url, { clientId: 'broken-sensor' });
    try {
      await producer.publish({ topic: other, events: stream(3).events });
      const mine = await producer.publish({ topic, events: stream(4).events });
      await sensor.publishAsync(topic, 'temperature=65', { qos: 1 });
      await expect.poll(() => watcher.messages.length).toBe(5);
      expect(watcher.eventIds()).toEqual(mine.ids);
      expect(watcher.messages.at(-1)?.payload).toBe('temperature=65');
      expect(watcher.messages.map((message) => message.topic)).toEqual(Array(5).fill(topic));
    } finally {
      await sensor.endAsync();
      await watcher.close();
    }
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
});
