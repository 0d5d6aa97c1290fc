import { expect, test } from '@playwright/test';
import { type AlgorithmName, algorithms, detect, ParamsError, parseParams } from '../src/detection/index.ts';

function problemsOf(action: () => unknown): { message: string; details: ParamsError['details'] } {
  try {
    action();
  } catch (error) {
    if (error instanceof ParamsError) return { message: error.message, details: error.details };
    throw error;
  }
  throw new Error('Expected a ParamsError, but the parameters were accepted.');
}

test.describe('parameter validation', () => {
  test('lists the four algorithms', () => {
    expect([...algorithms]).toEqual(['isolation_forest', 'lof', 'robust_zscore', 'knn']);
  });

  test('fills the documented defaults', () => {
    expect(parseParams('isolation_forest', {})).toEqual({ trees: 100, sampleSize: 256, contamination: 0.05 });
    expect(parseParams('lof', {})).toEqual({ k: 20, contamination: 0.05 });
    expect(parseParams('knn', {})).toEqual({ k: 5, contamination: 0.05 });
    // robust_zscore flags by threshold unless contamination is given, so it has no default there.
    expect(parseParams('robust_zscore', {})).toEqual({ threshold: 3.5 });
  });

  test('accepts form values: numeric strings, and blanks meaning the default', () => {
    expect(parseParams('lof', { k: '7', contamination: '' })).toEqual({ k: 7, contamination: 0.05 });
    expect(parseParams('robust_zscore', { contamination: ' 0.1 ', period: '24', threshold: null })).toEqual({
      contamination: 0.1,
      period: 24,
      threshold: 3.5,
    });
  });

  test('contamination must lie in 0.001–0.5', () => {
    for (const algorithm of algorithms) {
      expect(parseParams(algorithm, { contamination: 0.001 }).contamination).toBe(0.001);
      expect(parseParams(algorithm, { contamination: 0.5 }).contamination).toBe(0.5);
      for (const bad of [0, 0.0009, 0.51, -1, 'lots']) {
        expect(problemsOf(() => parseParams(algorithm, { contamination: bad })).details).toEqual([
          {
            param: 'contamination',
            problem: `must be a number between 0.001 and 0.5 (got ${typeof bad === 'string' ? `"${bad}"` : bad})`,
          },
        ]);
      }
    }
  });

  test('names each bad parameter, its allowed range and the value received, in one message', () => {
    const { message, details } = problemsOf(() =>
      parseParams('isolation_forest', { trees: 0, sampleSize: 2.5, contamination: 0.9 }),
    );
    expect(details).toEqual([
      { param: 'trees', problem: 'must be an integer between 1 and 1000 (got 0)' },
      { param: 'sampleSize', problem: 'must be an integer between 2 and 100000 (got 2.5)' },
      { param: 'contamination', problem: 'must be a number between 0.001 and 0.5 (got 0.9)' },
    ]);
    expect(message).toBe(
      'Invalid isolation_forest parameters: trees must be an integer between 1 and 1000 (got 0); ' +
        'sampleSize must be an integer between 2 and 100000 (got 2.5); ' +
        'contamination must be a number between 0.001 and 0.5 (got 0.9).',
    );
    expect(problemsOf(() => parseParams('isolation_forest', { trees: 1001 })).details[0]?.problem).toBe(
      'must be an integer between 1 and 1000 (got 1001)',
    );
    expect(problemsOf(() => parseParams('robust_zscore', { threshold: 0, period: 1 })).details).toEqual([
      { param: 'threshold', problem: 'must be a number greater than 0 and at most 1000000 (got 0)' },
      { param: 'period', problem: 'must be an integer of at least 2 (got 1)' },
    ]);
    expect(problemsOf(() => parseParams('knn', { k: true })).details).toEqual([
      { param: 'k', problem: 'must be an integer of at least 1 (got true)' },
    ]);
  });

  test('quotes a received value only in part when it is long', () => {
    expect(problemsOf(() => parseParams('knn', { k: 'x'.repeat(1000) })).details[0]?.problem).toBe(
      `must be an integer of at least 1 (got "${'x'.repeat(39)}…)`,
    );
  });

  test('refuses parameters the algorithm does not have, saying which it has', () => {
    expect(problemsOf(() => parseParams('lof', { k: 3, neighbors: 3 })).details).toEqual([
      { param: 'neighbors', problem: 'is not a parameter of lof (use k, contamination)' },
    ]);
  });

  test('refuses an unknown algorithm by listing the known ones', () => {
    expect(problemsOf(() => parseParams('hbos' as AlgorithmName, {})).message).toBe(
      'Invalid algorithm: algorithm must be one of isolation_forest, lof, robust_zscore, knn (got "hbos").',
    );
  });

  test('k must be between 1 and rows − 1, checked against the data', async () => {
    const features = [[1], [2], [3], [4], [5]];
    await expect(detect('lof', { features, params: { k: 5 }, seed: 1 })).rejects.toThrow(
      'Invalid lof parameters for this dataset: k must be an integer between 1 and 4, one less than the 5 rows (got 5).',
    );
    await expect(detect('knn', { features, params: { k: 0 }, seed: 1 })).rejects.toThrow(
      'k must be an integer of at least 1 (got 0)',
    );
    // Defaults too: LOF's k = 20 needs at least 21 rows.
    await expect(detect('lof', { features, params: {}, seed: 1 })).rejects.toBeInstanceOf(ParamsError);
    const fits = await detect('knn', { features, params: { k: 4 }, seed: 1 });
    expect(fits.params.k).toBe(4);
  });

  test('a seasonal period must repeat at least twice in the data', async () => {
    await expect(
      detect('robust_zscore', { features: [[1], [2], [3], [4], [5]], params: { period: 3 }, seed: 1 }),
    ).rejects.toThrow(
      'period must be an integer between 2 and 2, so each phase repeats at least twice in 5 rows (got 3)',
    );
  });
});
