import { expect, test } from '@playwright/test';
import { rankingExpect } from '../../fixtures/expectations/ranking.ts';
import { failureMessage } from './failure-message.ts';

const entry = (algorithm: string, f1: number, latencyMs = 1) => ({ algorithm, metrics: { f1, latencyMs } });

test.describe('toRankBestBy', () => {
  test('passes for best-first order, ties in either order, and for lower-is-better figures', () => {
    rankingExpect([
      entry('lof', 0.9),
      entry('robust_zscore', 0.8),
      entry('isolation_forest', 0.8),
    ]).toRankBestBy('f1');
    rankingExpect([entry('lof', 0.9, 5), entry('robust_zscore', 0.8, 7)]).toRankBestBy('latencyMs', {
      better: 'lower',
    });
    rankingExpect([entry('lof', 0.7), entry('robust_zscore', 0.8)]).not.toRankBestBy('f1');
  });

  test('fails naming the first place out of order, with both figures', () => {
    const message = failureMessage(() =>
      rankingExpect([
        entry('lof', 0.9),
        entry('robust_zscore', 0.75),
        entry('isolation_forest', 0.8),
      ]).toRankBestBy('f1'),
    );
    expect(message).toBe(
      'Expected the 3 entries ranked best (higher) f1 first, but place 3 (isolation_forest) has f1 0.8, higher than place 2 (robust_zscore) above it with 0.75.',
    );
  });

  test('fails naming a place without the figure, and an empty ranking', () => {
    const unmeasured = [entry('lof', 0.9), { algorithm: 'robust_zscore', metrics: null }];
    expect(failureMessage(() => rankingExpect(unmeasured).toRankBestBy('f1'))).toBe(
      'Expected the 2 entries ranked best (higher) f1 first, but place 2 (robust_zscore) has no f1.',
    );
    expect(failureMessage(() => rankingExpect([]).toRankBestBy('f1'))).toBe(
      'Expected the 0 entries ranked best (higher) f1 first, but the ranking is empty.',
    );
  });
});
