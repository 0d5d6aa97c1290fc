import { f1Of, precisionAndRecall } from '../../fixtures/expectations/detection.ts';
import { asShown, columnStatistics } from '../../fixtures/expectations/profile.ts';
import { expect, test } from '../../fixtures/index.ts';
import { algorithmLabels } from '../../fixtures/personas/data-scientist.ts';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';

test('finds the best detector for a new sensor dataset', {
  tag: ['@e2e', '@data-scientist', '@smoke'],
}, async ({ dataScientist, data }) => {
  const readings = data.sensorReadings({ rows: 1_000, features: 3, anomalyRate: 0.05 });

  await dataScientist.signInThroughSso();
  const dataset = await dataScientist.uploadDataset(readings);

  await test.step('the profile shows the rows, the columns and the label', async () => {
    const summary = dataScientist.page.getByRole('table', { name: 'Dataset summary' });
    await expect(summaryValue(summary, 'Rows')).toHaveText('1000');
    await expect(summaryValue(summary, 'Columns')).toHaveText(String(readings.columns.length));
    await expect(summaryValue(summary, 'Label column')).toHaveText('label');
    await expect(
      dataScientist.page.getByRole('table', { name: 'Column profile' }).getByRole('row'),
    ).toHaveCount(readings.columns.length + 1);
    for (const feature of readings.features) {
      const stats = columnStatistics(readings.records.map((record) => Number(record[feature])));
      const row = dataScientist.page
        .getByRole('table', { name: 'Column profile' })
        .getByRole('row')
        .filter({ has: dataScientist.page.getByRole('rowheader', { name: feature, exact: true }) });
      await expect(row.getByRole('cell')).toHaveText([
        'number',
        '0',
        asShown(stats.min),
        asShown(stats.max),
        asShown(stats.mean),
        asShown(stats.stddev),
      ]);
    }
    expect(dataset).toMatchObject({
      rows: 1_000,
      columns: readings.columns,
      labelColumn: 'label',
      labelled: true,
    });
  });

  // A little above the true 5%, as a cautious analyst sets it: precision and recall then differ,
  // so each metric (and F1 between them) is checked on its own.
  const experiment = await dataScientist.compareAlgorithms(
    dataset,
    ['isolation_forest', 'lof', 'robust_zscore'],
    {
      contamination: 0.06,
    },
  );

  await test.step('the experiment job completed all of its work', async () => {
    expect(await dataScientist.api.getJob(experiment.jobId)).toMatchObject({
      state: 'completed',
      progress: 1,
    });
    expect(experiment.runs.map((run) => run.status)).toEqual(['completed', 'completed', 'completed']);
  });

  const leaderboard = await test.step('the leaderboard ranks the runs by F1, as the API does', async () => {
    const ranked = await dataScientist.api.leaderboard(experiment.id, 'f1');
    expect(ranked.entries).toHaveLength(3);
    expect(ranked.entries, 'the API ranks best F1 first').toRankBestBy('f1');
    expect(ranked.entries[0]?.metrics.f1, 'the best detector reaches F1 0.8').toBeGreaterThanOrEqual(0.8);

    const rows = dataScientist.page.getByRole('table', { name: 'Leaderboard' }).getByRole('row');
    await expect(rows).toHaveCount(4);
    for (const [index, entry] of ranked.entries.entries()) {
      const row = rows.nth(index + 1);
      await expect(row).toContainText(String(entry.rank));
      await expect(row).toContainText(algorithmLabels[entry.algorithm]);
      await expect(row).toContainText(entry.metrics.f1.toFixed(3));
    }
    return ranked.entries;
  });

  await test.step("precision, recall and F1, recomputed from each run's exported flags, match the platform", async () => {
    const table = dataScientist.page.getByRole('table', { name: 'Leaderboard' });
    for (const [index, entry] of leaderboard.entries()) {
      const exported = await dataScientist.api.runResults(entry.runId);
      expect(exported).toHaveLength(1_000);
      const flagged = exported.filter((row) => row.anomaly).map((row) => row.row);
      const recomputed = precisionAndRecall(flagged, readings.anomalyRows);
      const f1 = f1Of(recomputed);
      expect(entry.metrics.precision.toFixed(3), `${entry.algorithm} precision`).toBe(
        recomputed.precision.toFixed(3),
      );
      expect(entry.metrics.recall.toFixed(3), `${entry.algorithm} recall`).toBe(recomputed.recall.toFixed(3));
      expect(entry.metrics.f1.toFixed(3), `${entry.algorithm} F1`).toBe(f1.toFixed(3));
      const row = table.getByRole('row').nth(index + 1);
      await expect(row).toContainText(recomputed.precision.toFixed(3));
      await expect(row).toContainText(recomputed.recall.toFixed(3));
      await expect(row).toContainText(f1.toFixed(3));
    }
  });

  const best = leaderboard[0];
  if (!best) throw new Error('the leaderboard has no entries');
  const version = await dataScientist.registerBestRun(
    experiment,
    `sensor-detector-${dataset.id.slice(0, 8)}`,
  );

  await test.step('the best run is registered as version 1 in development', async () => {
    expect(version).toMatchObject({
      version: 1,
      stage: 'development',
      sourceRunId: best.runId,
      algorithm: best.algorithm,
    });
    await expect(
      dataScientist.page
        .getByRole('table', { name: 'Model versions' })
        .getByRole('row', { name: version.name }),
    ).toContainText('development');
  });
});
