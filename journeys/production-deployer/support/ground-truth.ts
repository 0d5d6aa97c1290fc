import type { SensorReadings } from '../../../fixtures/data/index.ts';
import type { Metrics } from '../../../fixtures/personas/platform-types.ts';
import type { ScoreRow } from '../../../fixtures/streaming/operations-types.ts';

/** Rows of the training readings to score, with whether each is a known anomaly. */
export interface LabelledRows {
  rows: ScoreRow[];
  anomalous: boolean[];
}

/** The first `inliers` normal rows and the first `anomalies` anomalous rows, features only, in file order. */
export function sampleRows(
  readings: SensorReadings,
  counts: { inliers: number; anomalies: number },
): LabelledRows {
  const picked: { row: ScoreRow; anomalous: boolean }[] = [];
  let inliers = 0;
  let anomalies = 0;
  readings.records.forEach((record, index) => {
    const anomalous = readings.labels[index] === 1;
    if (anomalous ? anomalies >= counts.anomalies : inliers >= counts.inliers) return;
    if (anomalous) anomalies++;
    else inliers++;
    const row: ScoreRow = {};
    for (const feature of readings.features) row[feature] = Number(record[feature]);
    picked.push({ row, anomalous });
  });
  if (inliers < counts.inliers || anomalies < counts.anomalies) {
    throw new Error(
      `the readings hold ${inliers} normal and ${anomalies} anomalous rows, fewer than the ${counts.inliers} and ${counts.anomalies} asked for; generate more rows.`,
    );
  }
  return { rows: picked.map((item) => item.row), anomalous: picked.map((item) => item.anomalous) };
}

/** How flagged ids compare with the ground truth. */
export interface Agreement {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  mistakes: number;
}

export function agreement(flagged: readonly string[], truth: readonly string[]): Agreement {
  const actual = new Set(truth);
  const predicted = new Set(flagged);
  const truePositives = [...predicted].filter((id) => actual.has(id)).length;
  const falsePositives = predicted.size - truePositives;
  const falseNegatives = actual.size - truePositives;
  return { truePositives, falsePositives, falseNegatives, mistakes: falsePositives + falseNegatives };
}

/**
 * The most mistakes a model may make on `count` new events and still be as good as its training
 * run measured: its error rate (false positives and negatives over all rows) times the count, plus
 * three binomial standard deviations for the luck of a finite sample. A model that was perfect on
 * its training data may make none.
 */
export function mistakesAllowed(metrics: Metrics, count: number): number {
  const { tp, fp, tn, fn } = metrics.confusion;
  const errorRate = (fp + fn) / (tp + fp + tn + fn);
  return Math.ceil(errorRate * count + 3 * Math.sqrt(count * errorRate * (1 - errorRate)));
}
