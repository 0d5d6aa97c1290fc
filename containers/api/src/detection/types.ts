/**
 * The contract between the detection algorithms and the rest of the platform.
 * Algorithms are pure: same input and seed, same scores, on every machine.
 */
export type AlgorithmName = 'isolation_forest' | 'lof' | 'robust_zscore' | 'knn';

export interface DetectionInput {
  /** rows × features; missing values are NaN and are imputed by the column median. */
  features: number[][];
  /** Raw parameters from the request; validated by `parseParams`. */
  params: Record<string, unknown>;
  seed: number;
  /** Called with 0..1 as work advances, so a job can show live progress. */
  onProgress?: (fraction: number) => void;
}

export interface DetectionResult {
  /** One score per row; higher means more anomalous. */
  scores: number[];
  /** One flag per row: the top round(contamination × rows) scores, or above the threshold. */
  flags: boolean[];
  /** The score at or above which a row is flagged. */
  threshold: number;
  /** The parameters actually used, defaults filled in. */
  params: Record<string, number>;
}

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
}
