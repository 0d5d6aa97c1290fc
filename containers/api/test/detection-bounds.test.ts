import { expect, test } from '@playwright/test';
import { detect, FeaturesError, ParamsError } from '../src/detection/index.ts';
import { checkParamsFitRows, largestK, MAX_NEIGHBOUR_PAIRS } from '../src/detection/params.ts';

test.describe('detection parameters are bounded by what the data allows', () => {
  test("LOF's and k-NN's k may hold at most the neighbour-pair bound in memory, and the refusal names it", () => {
    expect(MAX_NEIGHBOUR_PAIRS).toBe(2_000_000);
    expect(largestK(2_000)).toBe(1_000);
    expect(largestK(500)).toBe(499);
    expect(() => checkParamsFitRows('lof', { k: 1_000 }, 2_000)).not.toThrow();
    const refused = (() => {
      try {
        checkParamsFitRows('lof', { k: 1_999 }, 2_000);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ParamsError);
    expect((refused as ParamsError).message).toBe(
      'Invalid lof parameters for this dataset: k must be an integer between 1 and 1000 for 2000 rows, so that at most 2,000,000 neighbour pairs are held in memory (got 1999).',
    );
    // Fewer rows than k: the old bound, which is the tighter one there.
    expect(() => checkParamsFitRows('knn', { k: 600 }, 500)).toThrow(
      'k must be an integer between 1 and 499, one less than the 500 rows (got 600)',
    );
  });

  test('rows tied in such numbers that their neighbourhoods outgrow the bound are refused with the reason', async () => {
    // 1,500 identical rows at the default k: every row is every other's neighbour, 2,248,500 pairs.
    const features = Array.from({ length: 1_500 }, () => [1, 2, 3]);
    const refused = await detect('lof', { features, params: {}, seed: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FeaturesError);
    expect((refused as Error).message).toBe(
      "The rows' neighbourhoods hold more than 2,000,000 neighbour pairs because many rows tie at the same distance (row 1335 has 1499 neighbours within its k-distance, for k = 20); remove duplicate rows, or use isolation_forest or robust_zscore.",
    );
  });
});
