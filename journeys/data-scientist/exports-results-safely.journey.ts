import { parse } from 'csv-parse/sync';
import { expect, test } from '../../fixtures/index.ts';

test('exports results safely', { tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist, data }) => {
  const readings = data.sensorReadings({ rows: 200, features: 2, anomalyRate: 0.05, textColumn: true });
  const dataset = await dataScientist.uploadDataset(readings);
  const experiment = await dataScientist.compareAlgorithms(dataset, ['knn'], { contamination: 0.05 });
  const [run] = experiment.runs;
  if (!run) throw new Error('the experiment has no run');

  const fromApi = await dataScientist.api.runResults(run.id);
  const csvDownload = await dataScientist.exportResults(run, 'CSV');
  const jsonDownload = await dataScientist.exportResults(run, 'JSON');

  await test.step('the JSON download is exactly what the API returns', async () => {
    expect(JSON.parse(jsonDownload)).toEqual({ runId: run.id, rows: fromApi });
  });

  await test.step('the CSV download has the same scores and flags as the API', async () => {
    const records = parse(csvDownload, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0] ?? {})).toEqual(['row', ...dataset.columns, 'score', 'anomaly']);
    expect(records).toHaveLength(fromApi.length);
    expect(records.map((record) => [Number(record.row), Number(record.score), record.anomaly])).toEqual(
      fromApi.map((row) => [row.row, row.score, String(row.anomaly)]),
    );
  });

  await test.step('cells that a spreadsheet would run as formulas are neutralised in the CSV', async () => {
    const records = parse(csvDownload, { columns: true }) as Record<string, string>[];
    const risky = fromApi.filter((row) => /^[=+\-@]/.test(String(row.values.site)));
    expect(risky.length, 'the dataset holds formula-like text to neutralise').toBeGreaterThan(0);
    for (const row of risky) {
      const exported = records[row.row - 1];
      expect(exported?.site).toBe(`'${row.values.site}`);
    }
    const safe = fromApi.find((row) => !/^[=+\-@]/.test(String(row.values.site)));
    expect(records[(safe?.row ?? 0) - 1]?.site).toBe(String(safe?.values.site));
  });
});
