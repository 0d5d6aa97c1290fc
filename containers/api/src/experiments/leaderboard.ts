import type { AlgorithmName, Metrics } from '../detection/index.ts';
import type { Run } from './experiments-repo.ts';

export const rankingMetrics = ['f1', 'precision', 'recall', 'rocAuc'] as const;
export type RankingMetric = (typeof rankingMetrics)[number];

export const metricLabels: Record<RankingMetric, string> = {
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
  rocAuc: 'ROC-AUC',
};

export interface LeaderboardEntry {
  rank: number;
  runId: string;
  algorithm: AlgorithmName;
  params: Record<string, number>;
  value: number | null;
  metrics: Metrics | null;
  anomalies: number | null;
}

/**
 * Completed runs, best first by the chosen metric. Runs without a value (unlabelled data) come
 * last; ties keep the order the runs were created in, so the ranking is stable.
 */
export function rankRuns(runs: readonly Run[], metric: RankingMetric): LeaderboardEntry[] {
  const metricValue = (run: Run) => {
    const value = run.metrics?.[metric];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  return runs
    .map((run, order) => ({ run, order, value: metricValue(run) }))
    .filter(({ run }) => run.status === 'completed')
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? a.order - b.order : a.value === null ? 1 : -1;
      }
      return b.value - a.value || a.order - b.order;
    })
    .map(({ run, value }, index) => ({
      rank: index + 1,
      runId: run.id,
      algorithm: run.algorithm,
      params: run.params,
      value,
      metrics: run.metrics,
      anomalies: run.anomalies,
    }));
}
