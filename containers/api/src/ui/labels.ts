import type { AlgorithmName } from '../detection/index.ts';

/** What people call each algorithm; the API speaks in the names on the left. */
export const algorithmLabels: Record<AlgorithmName, string> = {
  isolation_forest: 'Isolation Forest',
  lof: 'Local Outlier Factor',
  robust_zscore: 'Robust z-score',
  knn: 'k-NN distance',
};

export const statusLabels = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
} as const;

export function formatDate(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatParams(params: Record<string, number>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}
