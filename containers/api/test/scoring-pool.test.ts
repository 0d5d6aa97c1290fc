import { expect, test } from '@playwright/test';
import { ScoringPool, ScoringThreadError } from '../src/deployments/scoring-pool.ts';
import { type FitInput, fitModel } from '../src/detection/fitted-model.ts';
import { createRandom } from '../src/detection/prng.ts';

function rows(count: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => [random.next(), random.next(), random.next()]);
}

const training: FitInput = {
  algorithm: 'knn',
  params: { contamination: 0.05 },
  seed: 1,
  featureNames: ['temperature', 'pressure', 'vibration'],
  features: rows(5_000, 2),
};

/** The longest the event loop went without running a timer while `work` ran, in milliseconds. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(tick, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  // A stall that ends with the work is measured here.
  tick();
  return longest;
}

test.describe('scoring threads', () => {
  let pool: ScoringPool;
  test.beforeEach(() => {
    pool = new ScoringPool({ threads: 2, heapMb: 512 });
  });
  test.afterEach(() => pool.close());

  test('score a large batch exactly as the main thread would, without holding the event loop', async () => {
    const batch = rows(10_000, 3);
    const model = await fitModel(training);
    let inline: ReturnType<typeof model.score> | undefined;
    const inlineStall = await longestStall(async () => {
      inline = model.score(batch);
    });
    // The thread fits its own copy first; the second batch is scoring alone.
    await pool.score('t/v1', batch, async () => training);
    let threaded: Awaited<ReturnType<ScoringPool['score']>> | undefined;
    const threadStall = await longestStall(async () => {
      threaded = await pool.score('t/v1', batch, async () => training);
    });
    expect(threaded).toEqual({ ...inline, threshold: model.threshold });
    expect(inlineStall, 'scoring 10,000 rows against 5,000 on the main thread holds it').toBeGreaterThan(100);
    expect(threadStall, `the loop was held ${threadStall} ms while a thread scored`).toBeLessThan(
      inlineStall / 4,
    );
  });

  test('a thread that outgrows its memory fails its batch with the reason, and the next batch gets a new thread', async () => {
    const small = new ScoringPool({ threads: 1, heapMb: 8 });
    try {
      const huge = { ...training, features: rows(300_000, 4) };
      const died = await small
        .score('t/huge', rows(10, 5), async () => huge)
        .catch((error: unknown) => error);
      expect(died).toBeInstanceOf(ScoringThreadError);
      expect((died as Error).message).toBe(
        'The scoring ran out of memory (a thread may use 8 MB) and was stopped; use fewer rows, a smaller k, or another algorithm.',
      );
    } finally {
      await small.close();
    }
    const scored = await pool.score('t/v1', rows(3, 6), async () => training);
    expect(scored.scores).toHaveLength(3);
  });
});
