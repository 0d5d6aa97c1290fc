import { precisionAndRecall } from '../../fixtures/expectations/detection.ts';
import { expect, test } from '../../fixtures/index.ts';

test('tunes a detector on a seasonal time series', { tag: ['@e2e', '@data-scientist'] }, async ({
  dataScientist,
  data,
}) => {
  const pointsPerDay = 24;
  const series = data.seasonalSeries({ days: 21, pointsPerDay, spikes: 12 });
  const rows = series.records.length;
  const dataset = await dataScientist.uploadDataset(series);

  const experiment = await dataScientist.compareAlgorithms(dataset, ['robust_zscore'], {
    contamination: 0.03,
    seasonalPeriod: pointsPerDay,
  });
  const [firstRun] = experiment.runs;
  if (!firstRun) throw new Error('the experiment has no run');

  await test.step('the detector finds at least 80% of the injected spikes', async () => {
    const flagged = (await dataScientist.api.runResults(firstRun.id))
      .filter((row) => row.anomaly)
      .map((row) => row.row);
    expect(flagged).toHaveLength(Math.round(0.03 * rows));
    expect(precisionAndRecall(flagged, series.anomalyRows).recall).toBeGreaterThanOrEqual(0.8);
  });

  await dataScientist.openRun(firstRun);

  await test.step('the chart marks exactly the flagged points', async () => {
    const chart = dataScientist.page.getByRole('img', { name: 'Anomaly scores' });
    await expect(chart.locator('[data-anomaly="true"]')).toHaveCount(firstRun.anomalies);
    expect(firstRun.anomalies).toBe(Math.round(0.03 * rows));
  });

  const stricter = await dataScientist.rerunWith(firstRun, { contamination: 0.01 });

  await test.step('a lower contamination flags fewer points, and the chart follows', async () => {
    expect(stricter.anomalies).toBe(Math.round(0.01 * rows));
    expect(stricter.anomalies).toBeLessThan(firstRun.anomalies);
    await dataScientist.openRun(stricter);
    const chart = dataScientist.page.getByRole('img', { name: 'Anomaly scores' });
    await expect(chart.locator('[data-anomaly="true"]')).toHaveCount(stricter.anomalies);
    await expect(
      dataScientist.page.getByRole('table', { name: 'Run metrics' }).getByRole('row', { name: 'Anomalies' }),
    ).toContainText(String(stricter.anomalies));
  });
});
