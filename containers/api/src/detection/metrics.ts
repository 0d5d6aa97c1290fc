/**
 * How well flags and scores agree with ground-truth labels.
 *
 * Conventions where a ratio is undefined (documented because leaderboards sort on them):
 * - precision is 0 when nothing is flagged (no flag was right),
 * - recall is 0 when there are no labelled anomalies,
 * - F1 is 0 when precision + recall is 0,
 * - ROC-AUC is NaN when the labels hold only one class: ranking needs both, and no number
 *   would be honest. (JSON.stringify writes it as null.)
 */
import type { Metrics } from './types.ts';

/** Ranks 1..n of `values` in ascending order, tied values sharing the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const valueA = values[a] as number;
    const valueB = values[b] as number;
    return valueA < valueB ? -1 : valueA > valueB ? 1 : 0;
  });
  const ranks = new Float64Array(n);
  let first = 0;
  while (first < n) {
    let last = first;
    while (last + 1 < n && values[order[last + 1] as number] === values[order[first] as number]) last++;
    // Positions first..last (0-based) hold equal values: ranks first+1..last+1, mean below.
    const shared = (first + last + 2) / 2;
    for (let r = first; r <= last; r++) ranks[order[r] as number] = shared;
    first = last + 1;
  }
  return ranks;
}

/**
 * ROC-AUC as the Mann–Whitney U statistic over (anomaly, normal) pairs: the probability that a
 * random anomaly scores above a random normal row, ties counting one half.
 */
export function rocAuc(labels: readonly boolean[], scores: ArrayLike<number>): number {
  const ranks = averageRanks(scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) {
      positives++;
      positiveRankSum += ranks[i] as number;
    }
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

export function evaluate(labels: boolean[], scores: number[], flags: boolean[]): Metrics {
  if (labels.length !== scores.length || labels.length !== flags.length) {
    throw new RangeError(
      `Labels, scores and flags must have one entry per row (got ${labels.length}, ${scores.length} and ${flags.length}); evaluate the same rows that were scored.`,
    );
  }
  const badScore = scores.findIndex((score) => typeof score !== 'number' || Number.isNaN(score));
  if (badScore >= 0) {
    throw new RangeError(
      `Row ${badScore + 1} has no numeric score (${scores[badScore]}); score every row before evaluating.`,
    );
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (flags[i]) {
      if (labels[i]) tp++;
      else fp++;
    } else if (labels[i]) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, rocAuc: rocAuc(labels, scores), confusion: { tp, fp, tn, fn } };
}
