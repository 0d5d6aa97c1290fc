import { expect, test } from '@playwright/test';
import { dataFactories, seededFaker } from '../../fixtures/data/index.ts';
import { interleave, MAX_EVENT_BYTES, poisonEvents } from '../../fixtures/streaming/poison-events.ts';

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
