import { expect, test } from '@playwright/test';
import { evaluate } from '../src/detection/index.ts';
import { averageRanks } from '../src/detection/metrics.ts';

test.describe('metrics against labels', () => {
  test('precision, recall, F1 and the confusion matrix of a small case', () => {
    //            row:   0      1      2      3      4      5      6      7
    const labels = [true, true, true, false, false, false, false, false];
    const flags = [true, true, false, true, false, false, false, false];
    const scores = [0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.4, 0.05];
    const metrics = evaluate(labels, scores, flags);
    // tp = rows 0, 1; fp = row 3; fn = row 2; tn = rows 4–7.
    expect(metrics.confusion).toEqual({ tp: 2, fp: 1, tn: 4, fn: 1 });
    expect(metrics.precision).toBeCloseTo(2 / 3, 15);
    expect(metrics.recall).toBeCloseTo(2 / 3, 15);
    expect(metrics.f1).toBeCloseTo(2 / 3, 15);
    // Pairs (anomaly, normal) = 3 × 5 = 15. Anomaly 0.9 and 0.8 beat all 5 normals (10 pairs);
    // 0.3 beats 0.2, 0.1 and 0.05 (3 pairs). AUC = 13 / 15.
    expect(metrics.rocAuc).toBeCloseTo(13 / 15, 15);
  });

  test('unequal precision and recall give their harmonic mean', () => {
    const labels = [true, true, true, true, false, false];
    const flags = [true, false, false, false, false, false];
    const metrics = evaluate(labels, [1, 0, 0, 0, 0, 0], flags);
    // precision 1/1, recall 1/4 → F1 = 2 · 1 · 0.25 / 1.25 = 0.4
    expect(metrics.precision).toBe(1);
    expect(metrics.recall).toBe(0.25);
    expect(metrics.f1).toBeCloseTo(0.4, 15);
  });

  test('ROC-AUC averages ranks over ties (Mann–Whitney U)', () => {
    // Scores [0.5, 0.5, 0.5, 0.9, 0.1]; ranks: 0.1 → 1, the three 0.5s share (2+3+4)/3 = 3, 0.9 → 5.
    expect(Array.from(averageRanks([0.5, 0.5, 0.5, 0.9, 0.1]))).toEqual([3, 3, 3, 5, 1]);
    // Anomalies: rows 0 (0.5) and 3 (0.9). Rank sum 3 + 5 = 8; U = 8 − 2·3/2 = 5; pairs 2 × 3 = 6.
    // By pairs: 0.9 beats all three normals (3); 0.5 ties two normals (2 × ½) and beats 0.1 (1).
    const metrics = evaluate(
      [true, false, false, true, false],
      [0.5, 0.5, 0.5, 0.9, 0.1],
      [false, false, false, true, false],
    );
    expect(metrics.rocAuc).toBeCloseTo(5 / 6, 15);
    // All scores equal: every pair is a tie, so the AUC is exactly one half.
    expect(evaluate([true, false, true, false], [2, 2, 2, 2], [false, false, false, false]).rocAuc).toBe(0.5);
    // A perfectly inverted ranking scores 0.
    expect(evaluate([true, false], [0, 1], [false, true]).rocAuc).toBe(0);
  });

  test('undefined ratios: 0 for precision/recall/F1, NaN for ROC-AUC with one class', () => {
    const nothingFlagged = evaluate([true, false, false], [0.3, 0.2, 0.1], [false, false, false]);
    expect(nothingFlagged.precision).toBe(0);
    expect(nothingFlagged.recall).toBe(0);
    expect(nothingFlagged.f1).toBe(0);
    expect(nothingFlagged.rocAuc).toBe(1);

    const noAnomalies = evaluate([false, false, false], [0.3, 0.2, 0.1], [true, false, false]);
    expect(noAnomalies.confusion).toEqual({ tp: 0, fp: 1, tn: 2, fn: 0 });
    expect(noAnomalies.precision).toBe(0);
    expect(noAnomalies.recall).toBe(0);
    expect(noAnomalies.f1).toBe(0);
    expect(noAnomalies.rocAuc).toBeNaN();
  });

  test('refuses mismatched lengths and missing scores with a clear error', () => {
    expect(() => evaluate([true, false], [1], [true, false])).toThrow(
      'Labels, scores and flags must have one entry per row (got 2, 1 and 2); evaluate the same rows that were scored.',
    );
    expect(() => evaluate([true, false], [1, Number.NaN], [true, false])).toThrow(
      'Row 2 has no numeric score (NaN); score every row before evaluating.',
    );
  });
});
