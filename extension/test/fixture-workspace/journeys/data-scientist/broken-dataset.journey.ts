import { expect, test } from '../../fixtures/index.ts';

test.describe('Gets precise feedback on a broken dataset', () => {
  test('counts only the rows it was given', { tag: ['@e2e', '@data-scientist'] }, async ({
    dataScientist,
  }) => {
    const dataset = await dataScientist.uploadDataset([{ value: 1, anomaly: false }]);
    await test.step('the dataset has one row', async () => {
      expect(dataset.rows).toBe(1);
    });
  });

  test('keeps an empty upload empty', { tag: ['@e2e', '@data-scientist'] }, async ({
    dataScientist,
    platform,
  }) => {
    await dataScientist.uploadDataset([]);
    await test.step('the dataset list holds one empty dataset', async () => {
      expect(platform.datasets.map((dataset) => dataset.rows)).toEqual([0]);
    });
  });
});
