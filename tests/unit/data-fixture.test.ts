import { expect } from '@playwright/test';
import { REFERENCE_DATE, seededFaker, seedFor, test } from '../../fixtures/data/index.ts';

test.describe('the faker fixture', () => {
  test('is seeded from the title path (or E2E_SEED) and records the seed as an annotation', async ({
    faker,
  }, testInfo) => {
    const seed = seedFor(testInfo.titlePath);
    expect(testInfo.annotations).toContainEqual({ type: 'seed', description: String(seed) });
    expect(faker.string.alphanumeric(16)).toBe(seededFaker(seed).string.alphanumeric(16));
    expect(faker.defaultRefDate().toISOString()).toBe(REFERENCE_DATE.toISOString());
  });

  test('gives each test its own sequence', async ({ faker, data }, testInfo) => {
    const seed = Number(testInfo.annotations.find((annotation) => annotation.type === 'seed')?.description);
    expect(seed).toBe(seedFor(testInfo.titlePath));
    expect(data.sensorReadings({ rows: 10, features: 1, anomalyRate: 0.1 }).records).toHaveLength(10);
    expect(faker.person.firstName()).toEqual(expect.any(String));
  });
});

test.describe('seedFor', () => {
  test('is stable for a title path and differs between title paths', () => {
    const path = ['journeys/data-scientist/finds-best-detector.journey.ts', 'finds the best detector'];
    expect(seedFor(path, {})).toBe(seedFor([...path], {}));
    expect(seedFor(path, {})).not.toBe(seedFor([path[0] ?? '', 'another title'], {}));
    expect(Number.isSafeInteger(seedFor(path, {}))).toBe(true);
  });

  test('takes E2E_SEED to replay a run, and explains a bad value', () => {
    expect(seedFor(['any'], { E2E_SEED: '12345' })).toBe(12345);
    expect(() => seedFor(['any'], { E2E_SEED: 'abc' })).toThrow(
      'Setting E2E_SEED="abc" is not a seed: set it to a whole number from 0 up, copied from a failed test\'s seed annotation or Allure parameter (for example E2E_SEED=1234567), or unset it for each test\'s own seed from its title.',
    );
  });
});
