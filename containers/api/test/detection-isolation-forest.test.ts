import { expect, test } from '@playwright/test';
import { detect } from '../src/detection/index.ts';
import { averagePathLength } from '../src/detection/isolation-forest.ts';
import { createRandom } from '../src/detection/prng.ts';

/** 100 readings on a 10 × 10 grid plus one far away at the end. */
function gridWithOutlier(): number[][] {
  const rows: number[][] = [];
  for (let x = 0; x < 10; x++) for (let y = 0; y < 10; y++) rows.push([x, y]);
  rows.push([40, 40]);
  return rows;
}

test.describe('isolation forest', () => {
  test('c(n), the average path length of an unsuccessful BST search, has the paper’s values', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(n) = 2(ln(n − 1) + γ) − 2(n − 1)/n with γ = 0.5772156649…
    // c(3) = 2(ln 2 + γ) − 4/3 = 2(0.693147 + 0.577216) − 1.333333 = 1.207392
    expect(averagePathLength(3)).toBeCloseTo(1.207392357589623, 12);
    // c(256) = 2(ln 255 + γ) − 510/256 = 2(5.541264 + 0.577216) − 1.992188 = 10.244771
    expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 12);
  });

  test('identical rows cannot be isolated: every score is 2^(−c(ψ)/c(ψ)) = 0.5', async () => {
    const features = Array.from({ length: 50 }, () => [7, 7, 7]);
    const result = await detect('isolation_forest', { features, params: { trees: 10 }, seed: 3 });
    // Each tree is one leaf of ψ = 50 rows, so every path length is c(50).
    expect(new Set(result.scores)).toEqual(new Set([0.5]));
  });

  test('two distinct rows are split at the root: path 1 = c(2), score 0.5', async () => {
    const result = await detect('isolation_forest', { features: [[0], [1]], params: { trees: 5 }, seed: 3 });
    expect(result.scores).toEqual([0.5, 0.5]);
  });

  test('scores a far point above every inlier', async () => {
    const features = gridWithOutlier();
    const result = await detect('isolation_forest', { features, params: { contamination: 0.01 }, seed: 42 });
    const outlier = result.scores[100] as number;
    const inliers = result.scores.slice(0, 100);
    expect(outlier).toBeGreaterThan(0.6);
    expect(outlier).toBeGreaterThan(Math.max(...inliers));
    // round(0.01 × 101) = 1 flag, on the far point.
    expect(result.flags.indexOf(true)).toBe(100);
    expect(result.flags.filter(Boolean)).toHaveLength(1);
    expect(result.threshold).toBe(outlier);
    // ψ is capped at the 101 rows; the requested parameters are reported with defaults.
    expect(result.params).toEqual({ trees: 100, sampleSize: 256, contamination: 0.01 });
  });

  test('is deterministic for a seed and changes with the seed', async () => {
    const features = gridWithOutlier();
    const run = (seed: number) =>
      detect('isolation_forest', { features, params: { trees: 20, sampleSize: 64 }, seed });
    const first = await run(42);
    const again = await run(42);
    const other = await run(43);
    expect(again.scores).toEqual(first.scores);
    expect(other.scores).not.toEqual(first.scores);
    // Seeds that differ only above 32 bits still give different forests.
    const high = await run(42 + 2 ** 32);
    expect(high.scores).not.toEqual(first.scores);
  });

  test('the seeded generator repeats its stream for a seed and differs between seeds', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const drawsA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(drawsA);
    for (const draw of drawsA) expect(draw >= 0 && draw < 1).toBe(true);
    expect(createRandom(8).next()).not.toBe(drawsA[0]);
    expect(() => createRandom(1.5)).toThrow(
      'The seed must be a whole number (got 1.5); pass an integer such as 42.',
    );
  });

  test('does not touch Math.random while detecting', async () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random must not be used by the detectors.');
    };
    try {
      const result = await detect('isolation_forest', {
        features: gridWithOutlier(),
        params: { trees: 5 },
        seed: 1,
      });
      expect(result.scores).toHaveLength(101);
    } finally {
      Math.random = original;
    }
  });
});
