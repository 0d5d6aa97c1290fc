import { expect, test } from '@playwright/test';
import { recoveryAfter } from '../../fixtures/streaming/recovery.ts';

/** Rows published at `second` (after an end at 0) with the given latencies. */
const rows = (second: number, latencies: number[]) =>
  latencies.map((latency, index) => {
    const publishedAtMs = second * 1_000 + 1 + index;
    return {
      eventId: `e-${second}-${index}`,
      publishedAtMs,
      receivedAtMs: publishedAtMs,
      storedAtMs: publishedAtMs + latency,
    };
  });

test('recovery starts at the first second from which every later second is under budget', () => {
  const timings = [
    ...rows(-1, [5_000]),
    ...rows(0, [900, 800]),
    ...rows(1, [100, 120]),
    ...rows(2, [400, 300]),
    ...rows(3, [100, 90]),
    ...rows(4, [80, 70]),
    ...rows(5, [60]),
  ];
  const recovery = recoveryAfter(timings, 0, 250);
  // Second 1 was under budget but second 2 was not: the recovery is the run from second 3.
  expect(recovery.recoveredAfterMs).toBe(3_000);
  expect(recovery.seconds.map((second) => second.second)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(recovery.seconds[0]).toEqual({ second: 0, events: 2, p95: 900 });
});

test('a recovery shorter than it must last is none', () => {
  const timings = [...rows(0, [900]), ...rows(1, [900]), ...rows(2, [100]), ...rows(3, [100])];
  expect(recoveryAfter(timings, 0, 250).recoveredAfterMs).toBeNull();
  expect(recoveryAfter(timings, 0, 250, 2).recoveredAfterMs).toBe(2_000);
});

test('a stream never back under budget has no recovery', () => {
  expect(recoveryAfter([...rows(0, [100]), ...rows(1, [300])], 0, 250).recoveredAfterMs).toBeNull();
});
