import { expect, test } from '../../fixtures/index.ts';

const readings = [
  { value: 0.2, anomaly: false },
  { value: -0.4, anomaly: false },
  { value: 3.1, anomaly: true },
  { value: 0.9, anomaly: false },
  { value: -2.8, anomaly: true },
];

test('finds the best detector for a new sensor dataset', {
  tag: ['@e2e', '@data-scientist', '@smoke'],
}, async ({ dataScientist }) => {
  const dataset = await dataScientist.uploadDataset(readings);
  await test.step('the profile shows every row', async () => {
    expect(dataset.rows).toBe(5);
  });
  const ranking = await dataScientist.compareAlgorithms(dataset, ['naive', 'robust_zscore', 'iqr']);
  await test.step('the leaderboard ranks by F1', async () => {
    expect(ranking.map((entry) => entry.algorithm)).toEqual(['robust_zscore', 'iqr', 'naive']);
    expect(ranking[0]?.f1).toBe(1);
  });
});
