import { expect, test } from '@playwright/test';
import { ScoringQuota, ScoringQuotaError } from '../src/deployments/scoring-quota.ts';

test.describe("a tenant's scoring quota", () => {
  test('admits rows up to the minute in arrival order, then refuses with the wait until the minute ends', async () => {
    let now = 1_000_000;
    const quota = new ScoringQuota({ rowsPerMinute: 25_000, concurrent: 10 }, () => now);
    (await quota.admit('a', 10_000))();
    (await quota.admit('a', 10_000))();
    const refused = await quota.admit('a', 10_000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScoringQuotaError);
    expect((refused as ScoringQuotaError).statusCode).toBe(429);
    expect((refused as ScoringQuotaError).headers).toEqual({ 'retry-after': '60' });
    expect((refused as ScoringQuotaError).message).toBe(
      'Tenant scoring quota reached: at most 25,000 rows a minute are scored for this organisation; wait 60 seconds and send the rest.',
    );
    // What still fits is admitted; another tenant has its own minute.
    (await quota.admit('a', 5_000))();
    (await quota.admit('b', 25_000))();
    now += 59_500;
    const later = await quota.admit('a', 1).catch((error: unknown) => error);
    expect((later as ScoringQuotaError).headers).toEqual({ 'retry-after': '1' });
    now += 500;
    (await quota.admit('a', 25_000))();
  });

  test("scores at most so many of a tenant's batches at once; the others wait their turn, in order", async () => {
    const quota = new ScoringQuota({ rowsPerMinute: 1_000_000, concurrent: 2 });
    const order: string[] = [];
    const turn = (name: string) =>
      quota.admit('a', 1).then((release) => {
        order.push(name);
        return release;
      });
    const first = await turn('first');
    const second = await turn('second');
    const third = turn('third');
    const fourth = turn('fourth');
    const other = await quota.admit('b', 1);
    await Promise.resolve();
    expect(order).toEqual(['first', 'second']);
    first();
    (await third)();
    second();
    (await fourth)();
    other();
    expect(order).toEqual(['first', 'second', 'third', 'fourth']);
  });
});
