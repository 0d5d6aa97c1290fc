import { expect, test } from '@playwright/test';
import { flaggedCount, flagHighestScores } from '../src/detection/flagging.ts';
import { detect, FeaturesError } from '../src/detection/index.ts';
import { robustScale, toImputedMatrix } from '../src/detection/preprocessing.ts';

test.describe('feature preparation', () => {
  test('fills missing values with the column median', () => {
    const matrix = toImputedMatrix([
      [1, Number.NaN],
      [Number.NaN, 10],
      [3, 30],
      [100, Number.POSITIVE_INFINITY],
    ]);
    // Column 1 present {1, 3, 100} → median 3; column 2 present {10, 30} → median 20.
    expect(Array.from(matrix.values)).toEqual([1, 20, 3, 10, 3, 30, 100, 20]);
    expect(matrix.rows).toBe(4);
    expect(matrix.columns).toBe(2);
  });

  test('a column with no value at all becomes 0', () => {
    const matrix = toImputedMatrix([
      [1, Number.NaN],
      [2, Number.NaN],
    ]);
    expect(Array.from(matrix.values)).toEqual([1, 0, 2, 0]);
  });

  test('robust scaling centres on the median and divides by IQR / 1.349', () => {
    // [1, 2, 3, 4, 100]: median 3; quartiles 2 and 4 → IQR 2 → spread 2 / 1.349.
    const scaled = robustScale(toImputedMatrix([[1], [2], [3], [4], [100]]));
    const expected = [-2, -1, 0, 1, 97].map((d) => (d * 1.349) / 2);
    for (const [i, value] of scaled.values.entries()) expect(value).toBeCloseTo(expected[i] as number, 12);
    // A constant column carries no information and becomes zeros.
    expect(Array.from(robustScale(toImputedMatrix([[4], [4], [4]])).values)).toEqual([0, 0, 0]);
  });

  test('robust scaling falls back to the mean absolute deviation when IQR and MAD are 0', () => {
    // [5, 5, 5, 5, 5, 9]: quartiles 5 and 5 → IQR 0; MAD 0 too; mean |x − 5| = 4/6.
    const scaled = robustScale(toImputedMatrix([[5], [5], [5], [5], [5], [9]]));
    const spread = (4 / 6) * 1.2533;
    expect(scaled.values[5]).toBeCloseTo(4 / spread, 12);
    expect(scaled.values[0]).toBe(0);
  });

  test('bad rows are refused with a sentence that says what to fix', async () => {
    expect(() => toImputedMatrix([])).toThrow(
      'There are no rows to score; provide at least one row of numeric features.',
    );
    expect(() => toImputedMatrix([[], []])).toThrow(
      'The rows have no numeric feature columns; add at least one numeric column other than the label.',
    );
    expect(() => toImputedMatrix([[1, 2], [3]])).toThrow(
      'Row 2 has 1 features but the first row has 2; give every row the same columns.',
    );
    expect(() =>
      toImputedMatrix([
        [1, 2],
        [3, '4' as unknown as number],
      ]),
    ).toThrow('Row 2, feature 2 is "4", not a number; use NaN for a missing value.');
    await expect(detect('isolation_forest', { features: [[1]], params: {}, seed: 1 })).rejects.toBeInstanceOf(
      FeaturesError,
    );
  });
});

test.describe('flagging', () => {
  test('flags the top round(contamination × rows) scores, ties broken by row order', () => {
    expect(flaggedCount(0.05, 1000)).toBe(50);
    expect(flaggedCount(0.05, 10)).toBe(1); // 0.5 rounds up
    expect(flaggedCount(0.001, 100)).toBe(0);
    // Rows 1, 2 and 4 tie at 0.9; with two flags, the earlier rows 1 and 2 win.
    expect(flagHighestScores([0.1, 0.9, 0.9, 0.3, 0.9], 2)).toEqual([false, true, true, false, false]);
    expect(flagHighestScores([0.1, 0.9], 0)).toEqual([false, false]);
  });

  test('a contamination too small for the data flags nothing, with an infinite threshold', async () => {
    const result = await detect('knn', {
      features: [[1], [2], [3], [50]],
      params: { k: 1, contamination: 0.1 },
      seed: 1,
    });
    expect(result.flags).toEqual([false, false, false, false]);
    expect(result.threshold).toBe(Number.POSITIVE_INFINITY);
  });
});
