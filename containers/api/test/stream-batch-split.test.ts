import { expect, test } from '@playwright/test';
import { isPoisonFailure, storeSplitting } from '../src/streaming/batch-split.ts';

/**
 * A batch that fails because of one event in it is split until that event is found: the events
 * around it are stored, the bad one is set aside with the failure, and a failure that is not
 * about the batch (the database is away) goes back to be retried whole, unsplit.
 */
class PgError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** A store that refuses, as PostgreSQL does, any batch holding a poison item, and records what it kept. */
function fakeStore(poison: (item: string) => Error | null) {
  const stored: string[] = [];
  const calls: string[][] = [];
  return {
    stored,
    calls,
    async store(items: readonly string[]) {
      calls.push([...items]);
      const failure = items.map(poison).find((error) => error !== null);
      if (failure) throw failure;
      stored.push(...items);
    },
  };
}

const nul = () => new PgError('invalid byte sequence for encoding "UTF8": 0x00', '22021');

test('stores every event around the bad one and sets aside only that one, with the failure as the reason', async () => {
  const batch = Array.from({ length: 16 }, (_, i) => `evt-${i}`);
  const db = fakeStore((item) => (item === 'evt-11' ? nul() : null));
  const setAside: [string, string][] = [];
  await storeSplitting(batch, db.store, async (item, reason) => {
    setAside.push([item, reason]);
  });
  expect(db.stored.sort()).toEqual(batch.filter((item) => item !== 'evt-11').sort());
  expect(setAside).toEqual([
    [
      'evt-11',
      'the platform could not store it (invalid byte sequence for encoding "UTF8": 0x00); check the event against the documented format.',
    ],
  ]);
  // Halving finds one bad event among 16 in 1 + 2 × log2(16) attempts, not one per event.
  expect(db.calls).toHaveLength(9);
});

test('finds several bad events in one batch, including a date JavaScript cannot hold', async () => {
  const batch = ['a', 'b', 'bad-date', 'c', 'd', 'bad-nul', 'e'];
  const db = fakeStore((item) =>
    item === 'bad-nul' ? nul() : item === 'bad-date' ? new RangeError('Invalid time value') : null,
  );
  const setAside: string[] = [];
  await storeSplitting(batch, db.store, async (item) => {
    setAside.push(item);
  });
  expect(db.stored.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(setAside).toEqual(['bad-date', 'bad-nul']);
});

test('a database that is away is not a bad event: the failure goes back unsplit, nothing is set aside', async () => {
  const away = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  for (const failure of [
    away,
    new PgError('terminating connection due to administrator command', '57P01'),
    new PgError('could not serialize access', '40001'),
    new Error('Connection terminated unexpectedly'),
  ]) {
    const db = fakeStore(() => failure);
    const setAside: string[] = [];
    await expect(
      storeSplitting(['a', 'b', 'c'], db.store, async (item) => {
        setAside.push(item);
      }),
    ).rejects.toBe(failure);
    expect(db.calls, failure.message).toEqual([['a', 'b', 'c']]);
    expect(setAside).toEqual([]);
  }
});

test('poison failures are data exceptions, integrity violations, program limits and range errors', () => {
  expect(isPoisonFailure(new PgError('unsupported Unicode escape sequence', '22P05'))).toBe(true);
  expect(isPoisonFailure(new PgError('duplicate key', '23505'))).toBe(true);
  expect(isPoisonFailure(new PgError('row is too big', '54000'))).toBe(true);
  expect(isPoisonFailure(new RangeError('Invalid time value'))).toBe(true);
  expect(isPoisonFailure(new PgError('relation does not exist', '42P01'))).toBe(false);
  expect(isPoisonFailure(new TypeError('x is undefined'))).toBe(false);
  expect(isPoisonFailure(null)).toBe(false);
});
