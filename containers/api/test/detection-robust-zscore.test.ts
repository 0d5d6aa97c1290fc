import { expect, test } from '@playwright/test';
import { detect } from '../src/detection/index.ts';
import { featureZScores, removeSeasonalMedians } from '../src/detection/robust-zscore.ts';

const column = (values: number[]) => values.map((value) => [value]);

test.describe('robust z-score', () => {
  test('scores [1, 2, 3, 4, 100] as |x − 3| / 1.4826', async () => {
    // median = 3; absolute deviations [2, 1, 0, 1, 97] → MAD = 1; scale = 1.4826 × 1.
    const result = await detect('robust_zscore', {
      features: column([1, 2, 3, 4, 100]),
      params: {},
      seed: 1,
    });
    const expected = [2 / 1.4826, 1 / 1.4826, 0, 1 / 1.4826, 97 / 1.4826];
    for (const [i, score] of result.scores.entries()) expect(score).toBeCloseTo(expected[i] as number, 12);
    expect(result.scores[4]).toBeCloseTo(65.42560366, 7);
    // Only 100 is at or above the default threshold of 3.5; the threshold reported is its score.
    expect(result.flags).toEqual([false, false, false, false, true]);
    expect(result.threshold).toBeCloseTo(97 / 1.4826, 12);
    expect(result.params).toEqual({ threshold: 3.5 });
  });

  test('takes the largest feature score of each row', async () => {
    // Feature 1 is [1,2,3,4,100] as above; feature 2 = [10, 10, 10, 10, 10] + one deviation of
    // 4 at row 2: median 10, deviations [0,0,4,0,0] → MAD 0, so the mean absolute deviation
    // (4/5) × 1.253314 is the scale: row 2 scores 4 / 1.0026512 = 3.98942...
    const result = await detect('robust_zscore', {
      features: [
        [1, 10],
        [2, 10],
        [3, 14],
        [4, 10],
        [100, 10],
      ],
      params: { threshold: '3.9' },
      seed: 1,
    });
    expect(result.scores[0]).toBeCloseTo(2 / 1.4826, 12);
    expect(result.scores[2]).toBeCloseTo(4 / (0.8 * 1.253314), 12);
    expect(result.scores[4]).toBeCloseTo(97 / 1.4826, 12);
    expect(result.flags).toEqual([false, false, true, false, true]);
    expect(result.threshold).toBeCloseTo(4 / (0.8 * 1.253314), 12);
  });

  test('a constant feature scores 0 everywhere and flags nothing', async () => {
    expect(Array.from(featureZScores(Float64Array.from([5, 5, 5, 5])))).toEqual([0, 0, 0, 0]);
    const result = await detect('robust_zscore', { features: column([5, 5, 5, 5]), params: {}, seed: 1 });
    expect(result.flags).toEqual([false, false, false, false]);
    expect(result.threshold).toBe(Number.POSITIVE_INFINITY);
  });

  test('with contamination, flags the top round(contamination × rows) instead of the threshold', async () => {
    // 0.4 × 5 = 2 rows: 100 (65.4) and then 1 (1.349), although 1.349 is far below 3.5.
    const result = await detect('robust_zscore', {
      features: column([1, 2, 3, 4, 100]),
      params: { contamination: 0.4 },
      seed: 1,
    });
    expect(result.flags).toEqual([true, false, false, false, true]);
    expect(result.threshold).toBeCloseTo(2 / 1.4826, 12);
    expect(result.params).toEqual({ contamination: 0.4, threshold: 3.5 });
  });

  test('with a period, removes each phase median first and finds a value wrong for its phase', async () => {
    // Period 3 with phase levels 0, 10, 20 plus small noise; row 8 (phase 2) reads 0 instead of ~20.
    const series = [-1, 10, 21, 0, 11, 20, 1, 10, 0, 0, 9, 20];
    // Phase medians: phase 0 {-1,0,1,0} → 0; phase 1 {10,11,10,9} → 10; phase 2 {21,20,0,20} → 20.
    expect(Array.from(removeSeasonalMedians(Float64Array.from(series), 3))).toEqual([
      -1, 0, 1, 0, 1, 0, 1, 0, -20, 0, -1, 0,
    ]);
    // Residual median 0; |residuals| sorted [0×6, 1×5, 20] → MAD = (0 + 1) / 2 = 0.5.
    const seasonal = await detect('robust_zscore', {
      features: column(series),
      params: { period: 3 },
      seed: 1,
    });
    expect(seasonal.scores[8]).toBeCloseTo(20 / (1.4826 * 0.5), 12);
    expect(seasonal.scores[0]).toBeCloseTo(1 / (1.4826 * 0.5), 12);
    expect(seasonal.flags.map((flag, i) => (flag ? i : -1)).filter((i) => i >= 0)).toEqual([8]);

    // Without the period the same 0 is an ordinary low reading: nothing reaches 3.5.
    const plain = await detect('robust_zscore', { features: column(series), params: {}, seed: 1 });
    expect(plain.flags.some(Boolean)).toBe(false);
  });
});
