import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { dataFactories, type SensorReadings, seededFaker } from '../../fixtures/data/index.ts';

function parsed(csv: string | Buffer): Record<string, string>[] {
  return parse(csv, { columns: true }) as Record<string, string>[];
}

/**
 * An independent detector (k-nearest-neighbour distance on robustly scaled features) to check
 * that the ground truth is learnable: if anomalies were not well separated, its F1 would drop.
 */
function knnF1(readings: SensorReadings, k = 5): number {
  const columns = readings.features.map((feature) =>
    readings.records.map((record) => Number(record[feature])),
  );
  const scaled = columns.map((values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const deviations = values.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
    const mad = deviations[Math.floor(deviations.length / 2)] || 1;
    return values.map((v) => (v - median) / mad);
  });
  const points = readings.records.map((_, row) => scaled.map((column) => column[row] ?? 0));
  const scores = points.map((point, i) => {
    const distances = points
      .filter((_, j) => j !== i)
      .map((other) => Math.hypot(...point.map((x, d) => x - (other[d] ?? 0))));
    return distances.sort((a, b) => a - b)[k - 1] ?? 0;
  });
  const flagged = new Set(
    scores
      .map((score, index) => ({ score, row: index + 1 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, readings.anomalyRows.length)
      .map((entry) => entry.row),
  );
  const truePositives = readings.anomalyRows.filter((row) => flagged.has(row)).length;
  const precision = truePositives / flagged.size;
  const recall = truePositives / readings.anomalyRows.length;
  return (2 * precision * recall) / (precision + recall);
}

test.describe('sensorReadings', () => {
  test('is the same for the same seed and differs for another seed', () => {
    const options = { rows: 200, features: 3, anomalyRate: 0.05, textColumn: true };
    const first = dataFactories(seededFaker(7)).sensorReadings(options);
    const again = dataFactories(seededFaker(7)).sensorReadings(options);
    const other = dataFactories(seededFaker(8)).sensorReadings(options);
    expect(again.csv).toBe(first.csv);
    expect(again.name).toBe(first.name);
    expect(other.csv).not.toBe(first.csv);
  });

  for (const { rows, anomalyRate, anomalies } of [
    { rows: 1000, anomalyRate: 0.05, anomalies: 50 },
    { rows: 333, anomalyRate: 0.07, anomalies: 23 },
    { rows: 10, anomalyRate: 0.05, anomalies: 1 },
    { rows: 50, anomalyRate: 0, anomalies: 0 },
  ]) {
    test(`has exactly ${anomalies} anomalies in ${rows} rows at rate ${anomalyRate}, consistent everywhere`, () => {
      const readings = dataFactories(seededFaker(rows)).sensorReadings({ rows, features: 2, anomalyRate });
      expect(readings.records).toHaveLength(rows);
      expect(readings.labels).toHaveLength(rows);
      expect(readings.anomalyRows).toHaveLength(anomalies);
      expect(new Set(readings.anomalyRows).size).toBe(anomalies);
      expect([...readings.anomalyRows].sort((a, b) => a - b)).toEqual(readings.anomalyRows);
      const fromLabels = readings.labels.flatMap((label, index) => (label === 1 ? [index + 1] : []));
      expect(fromLabels).toEqual(readings.anomalyRows);

      const rowsInFile = parsed(readings.content);
      expect(rowsInFile).toHaveLength(rows);
      expect(Object.keys(rowsInFile[0] ?? {})).toEqual(readings.columns);
      expect(rowsInFile.map((row) => Number(row.label))).toEqual(readings.labels);
      expect(rowsInFile.map((row) => Number(row.temperature))).toEqual(
        readings.records.map((record) => record.temperature),
      );
    });
  }

  test('names its columns: features in order, then the label', () => {
    const readings = dataFactories(seededFaker(1)).sensorReadings({
      rows: 20,
      features: 3,
      anomalyRate: 0.1,
    });
    expect(readings.columns).toEqual(['temperature', 'vibration', 'pressure', 'label']);
    expect(readings.features).toEqual(['temperature', 'vibration', 'pressure']);
    expect(readings.labelColumn).toBe('label');
    expect(readings.fileName).toBe(`${readings.name}.csv`);
    expect(readings.mimeType).toBe('text/csv');
    expect(readings.name).toMatch(/^[a-z0-9-]+$/);
  });

  for (const { features, clusters } of [
    { features: 3, clusters: 1 },
    { features: 3, clusters: 3 },
    { features: 1, clusters: 1 },
    { features: 5, clusters: 2 },
  ]) {
    test(`separates anomalies well enough for an independent k-NN detector (${features} features, ${clusters} clusters)`, () => {
      const readings = dataFactories(seededFaker(features * 10 + clusters)).sensorReadings({
        rows: 1000,
        features,
        anomalyRate: 0.05,
        clusters,
      });
      expect(knnF1(readings)).toBeGreaterThanOrEqual(0.9);
    });
  }

  test('keeps every generated value physically positive', () => {
    const readings = dataFactories(seededFaker(3)).sensorReadings({
      rows: 2000,
      features: 8,
      anomalyRate: 0.2,
    });
    for (const feature of readings.features) {
      const smallest = Math.min(...readings.records.map((record) => Number(record[feature])));
      expect(smallest, feature).toBeGreaterThan(0);
    }
  });

  test('adds a site column with formula-like text that upload accepts (nothing starting with "=")', () => {
    const readings = dataFactories(seededFaker(11)).sensorReadings({
      rows: 400,
      features: 2,
      anomalyRate: 0.05,
      textColumn: true,
    });
    expect(readings.columns).toEqual(['temperature', 'vibration', 'site', 'label']);
    const sites = parsed(readings.csv).map((row) => row.site ?? '');
    expect(sites.some((site) => /^[@+-]/.test(site))).toBe(true);
    expect(sites.filter((site) => site.startsWith('='))).toEqual([]);
    expect(sites).toContain('harbour, dock 2');
    expect(sites).toContain('depot "B"');
  });

  test('refuses impossible requests with a sentence saying what to change', () => {
    const data = dataFactories(seededFaker(1));
    expect(() => data.sensorReadings({ rows: 100, features: 9, anomalyRate: 0.05 })).toThrow(
      'sensorReadings supports 1 to 8 features (got 9); pick a count in that range.',
    );
    expect(() => data.sensorReadings({ rows: 100, features: 2, anomalyRate: 0.7 })).toThrow(
      /anomalyRate between 0 and 0.5/,
    );
    expect(() => data.sensorReadings({ rows: 1, features: 2, anomalyRate: 0.1 })).toThrow(/rows >= 2/);
  });
});

test.describe('seasonalSeries', () => {
  const days = 14;
  const pointsPerDay = 24;
  const series = dataFactories(seededFaker(5)).seasonalSeries({ days, pointsPerDay, spikes: 10 });
  const values = series.records.map((record) => Number(record.value));

  test('has one row per point, evenly spaced, ending before the pinned reference date', () => {
    const rows = parsed(series.csv);
    expect(rows).toHaveLength(days * pointsPerDay);
    expect(Object.keys(rows[0] ?? {})).toEqual(['timestamp', 'value', 'label']);
    const times = rows.map((row) => Date.parse(row.timestamp ?? ''));
    const steps = new Set(times.slice(1).map((time, i) => time - (times[i] ?? 0)));
    expect([...steps]).toEqual([3_600_000]);
    expect(rows[0]?.timestamp).toBe('2025-05-19T00:00:00.000Z');
    expect(series.period).toBe(pointsPerDay);
  });

  test('marks exactly the injected spikes as anomalies', () => {
    expect(series.anomalyRows).toHaveLength(10);
    expect(series.labels.flatMap((label, index) => (label === 1 ? [index + 1] : []))).toEqual(
      series.anomalyRows,
    );
    expect(parsed(series.csv).filter((row) => row.label === '1')).toHaveLength(10);
  });

  test('has a daily season much larger than its noise', () => {
    const normal = values
      .map((value, index) => ({ value, phase: index % pointsPerDay, spike: series.labels[index] === 1 }))
      .filter((point) => !point.spike);
    const medianByPhase = Array.from({ length: pointsPerDay }, (_, phase) => {
      const sorted = normal
        .filter((point) => point.phase === phase)
        .map((point) => point.value)
        .sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    });
    const seasonalRange = Math.max(...medianByPhase) - Math.min(...medianByPhase);
    const residuals = normal.map((point) => point.value - (medianByPhase[point.phase] ?? 0));
    const residualSd = Math.sqrt(residuals.reduce((sum, r) => sum + r * r, 0) / residuals.length);
    expect(seasonalRange).toBeGreaterThan(10 * residualSd);
  });

  test('puts every spike above every normal point, whatever the phase', () => {
    const spikes = values.filter((_, index) => series.labels[index] === 1);
    const normal = values.filter((_, index) => series.labels[index] === 0);
    expect(Math.min(...spikes)).toBeGreaterThan(Math.max(...normal));
  });

  test('is the same for the same seed', () => {
    expect(dataFactories(seededFaker(5)).seasonalSeries({ days, pointsPerDay, spikes: 10 }).csv).toBe(
      series.csv,
    );
  });

  test('refuses more spikes than a tenth of the points', () => {
    expect(() =>
      dataFactories(seededFaker(5)).seasonalSeries({ days: 2, pointsPerDay: 10, spikes: 3 }),
    ).toThrow(
      'seasonalSeries allows 0 to 2 spikes for 20 points (got 3); ask for fewer spikes or more days.',
    );
  });
});
