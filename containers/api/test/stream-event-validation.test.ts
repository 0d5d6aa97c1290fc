import { expect, test } from '@playwright/test';
import { maxEventBytes, parseStreamEvent, printable } from '../src/streaming/stream-event.ts';

/**
 * What the stream worker refuses before anything reaches the database or a detector: every value
 * PostgreSQL or the scorer cannot take, each with the one sentence the session page shows.
 */
const receivedAt = Date.UTC(2025, 0, 1);
const valid = { id: 'evt-1', ts: '2025-01-01T00:00:00Z', values: { temperature: 61.5, pressure: null } };

const parse = (payload: unknown) =>
  parseStreamEvent(Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), receivedAt);

const refusals: [string, unknown, string, string | null][] = [
  [
    'NUL in the id',
    { ...valid, id: 'evt\u0000' },
    'id contains a control character (U+0000); use printable text.',
    'evt\\u0000',
  ],
  [
    'another control character in the id',
    { ...valid, id: 'evt\u001b[31m' },
    'id contains a control character (U+001B); use printable text.',
    'evt\\u001b[31m',
  ],
  [
    'a lone surrogate in the id',
    { ...valid, id: 'evt\ud800' },
    'id contains a lone surrogate, which is not valid Unicode; use printable text.',
    'evt\\ud800',
  ],
  ['an empty id', { ...valid, id: '  ' }, 'id must not be empty.', null],
  [
    'an id over 200 characters',
    { ...valid, id: 'x'.repeat(201) },
    'id must be at most 200 characters.',
    'x'.repeat(200),
  ],
  [
    'an id that is an object',
    { ...valid, id: { n: 1 } },
    'id must be text or a whole number that names the event.',
    null,
  ],
  ['no id', { values: valid.values }, 'id must be text or a whole number that names the event.', null],
  [
    'NUL in the device id',
    { ...valid, source: { deviceId: 'press\u0000' } },
    'source.deviceId contains a control character (U+0000); use printable text.',
    'evt-1',
  ],
  [
    'a source address that is not one',
    { ...valid, source: { ip: '300.1.1.1' } },
    'source.ip must be an IPv4 or IPv6 address.',
    'evt-1',
  ],
  [
    'NUL in a feature name',
    { ...valid, values: { 'temperature\u0000': 1 } },
    'values has a feature name with a control character (U+0000); use printable names.',
    'evt-1',
  ],
  [
    'a lone surrogate in a feature name',
    { ...valid, values: { '\udc00': 1 } },
    'values has a feature name with a lone surrogate, which is not valid Unicode; use printable names.',
    'evt-1',
  ],
  [
    'an empty feature name',
    { ...valid, values: { '': 1 } },
    'values has an empty feature name; name every feature.',
    'evt-1',
  ],
  [
    'too many features',
    { ...valid, values: Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`f${i}`, i])) },
    'values may name at most 1000 features.',
    'evt-1',
  ],
  [
    'readings as a list',
    { ...valid, values: [1, 2] },
    'values must be an object of feature names to numbers or null.',
    'evt-1',
  ],
  [
    'a reading that is text',
    { ...valid, values: { temperature: '61.5' } },
    'values.temperature must be a finite number or null.',
    'evt-1',
  ],
  [
    'a time past what a date can hold',
    { ...valid, ts: 9_000_000_000_000_000 },
    'ts must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; 9000000000000000 is not.',
    'evt-1',
  ],
  [
    'a time before 1970',
    { ...valid, ts: -1 },
    'ts must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; -1 is not.',
    'evt-1',
  ],
  [
    'a time with a fraction of a millisecond',
    { ...valid, ts: 1.5 },
    'ts must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; 1.5 is not.',
    'evt-1',
  ],
  [
    'a time without an offset',
    { ...valid, ts: '2025-01-01T00:00:00' },
    'ts must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; "2025-01-01T00:00:00" is not.',
    'evt-1',
  ],
  ['an event that is not an object', [valid], 'the event must be a JSON object with an id and values.', null],
];

for (const [what, event, reason, eventId] of refusals) {
  test(`refuses ${what}, saying why`, () => {
    expect(parse(event)).toEqual({ ok: false, problem: reason, eventId });
  });
}

test('refuses a reading JSON reads as Infinity', () => {
  expect(parse('{"id":"evt-1","values":{"temperature":1e999}}')).toEqual({
    ok: false,
    problem: 'values.temperature must be a finite number or null.',
    eventId: 'evt-1',
  });
});

test('refuses bytes that are not JSON, and payloads over the limit unread', () => {
  expect(parse('{"id":"evt-1","values":')).toEqual({
    ok: false,
    problem: 'the payload is not JSON; publish one JSON object per event.',
    eventId: null,
  });
  const padded = (bytes: number) => {
    const bare = JSON.stringify({ ...valid, note: '' });
    return JSON.stringify({ ...valid, note: 'x'.repeat(bytes - Buffer.byteLength(bare)) });
  };
  expect(Buffer.byteLength(padded(maxEventBytes))).toBe(maxEventBytes);
  expect(parse(padded(maxEventBytes)).ok).toBe(true);
  expect(parse(padded(maxEventBytes + 1))).toEqual({
    ok: false,
    problem: `the payload is ${maxEventBytes + 1} bytes; an event may be at most ${maxEventBytes} bytes.`,
    eventId: null,
  });
});

test('takes the whole range a date and PostgreSQL share, numeric ids, and missing readings', () => {
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  expect(parse({ ...valid, ts: last })).toMatchObject({ ok: true, event: { occurredAt: last } });
  expect(parse({ ...valid, ts: last + 1 }).ok).toBe(false);
  expect(parse({ ...valid, ts: 0 })).toMatchObject({ ok: true, event: { occurredAt: 0 } });
  expect(parse({ id: 42, values: { temperature: null } })).toEqual({
    ok: true,
    event: { id: '42', occurredAt: receivedAt, values: { temperature: null }, deviceId: null, ip: null },
  });
  expect(
    parse({
      ...valid,
      ts: '2025-06-01T12:00:00+02:00',
      source: { deviceId: 'Presse 2 – Halle Ö', ip: '2001:db8::1' },
    }),
  ).toEqual({
    ok: true,
    event: {
      id: 'evt-1',
      occurredAt: Date.UTC(2025, 5, 1, 10),
      values: valid.values,
      deviceId: 'Presse 2 – Halle Ö',
      ip: '2001:db8::1',
    },
  });
});

test('printable writes control characters and lone surrogates as escapes, and keeps the rest', () => {
  expect(printable('a\u0000b\u007f\ud800c 😀 Ö')).toBe('a\\u0000b\\u007f\\ud800c 😀 Ö');
});
