import type { Locator } from '@playwright/test';
import { precisionAndRecall } from '../../fixtures/expectations/detection.ts';
import { expect, test } from '../../fixtures/index.ts';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';

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

  /** The 1-based rows a run flagged, as its results in the API say, in row order. */
  const flaggedRows = async (runId: string) =>
    (await dataScientist.api.runResults(runId))
      .filter((row) => row.anomaly)
      .map((row) => row.row)
      .toSorted((a, b) => a - b);
  const chartPoints = (anomaly: boolean) =>
    dataScientist.page
      .getByRole('img', { name: 'Anomaly scores' })
      .locator(`[data-anomaly="${String(anomaly)}"]`);
  const rowsOf = async (points: Locator) =>
    (
      await points.evaluateAll((elements) =>
        elements.map((element) => Number(element.getAttribute('data-row'))),
      )
    ).toSorted((a, b) => a - b);

  const flagged = await test.step('the detector finds at least 80% of the injected spikes', async () => {
    const flagged = await flaggedRows(firstRun.id);
    expect(flagged).toHaveLength(Math.round(0.03 * rows));
    expect(precisionAndRecall(flagged, series.anomalyRows).recall).toBeGreaterThanOrEqual(0.8);
    return flagged;
  });

  await dataScientist.openRun(firstRun);

  await test.step('the chart marks exactly the flagged points', async () => {
    expect(firstRun.anomalies).toBe(Math.round(0.03 * rows));
    // Every row is drawn (under the chart's thinning limit), flagged or not, so marking the wrong
    // rows changes the set even where the count stays right.
    await expect(chartPoints(false)).toHaveCount(rows - flagged.length);
    await expect(chartPoints(true)).toHaveCount(flagged.length);
    expect(await rowsOf(chartPoints(true)), 'rows marked on the chart (1-based)').toEqual(flagged);
  });

  const stricter = await dataScientist.rerunWith(firstRun, { contamination: 0.01 });

  await test.step('a lower contamination flags fewer points, and the chart follows', async () => {
    const flagged = Math.round(0.01 * rows);
    expect(stricter.anomalies).toBe(flagged);
    expect(flagged, 'fewer than the first run flagged').toBeLessThan(Math.round(0.03 * rows));
    await dataScientist.openRun(stricter);
    const stricterFlagged = await flaggedRows(stricter.id);
    expect(stricterFlagged).toHaveLength(flagged);
    await expect(chartPoints(true)).toHaveCount(flagged);
    expect(await rowsOf(chartPoints(true)), 'rows marked on the chart (1-based)').toEqual(stricterFlagged);
    await expect(
      summaryValue(dataScientist.page.getByRole('table', { name: 'Run metrics' }), 'Anomalies'),
    ).toHaveText(String(flagged));
  });
});
