/** What the platform and a scoring thread say to each other (structured-clone safe). */
import type { FitInput } from '../detection/fitted-model.ts';

export interface ScoringTask {
  /** The request's number, echoed in the reply. */
  id: number;
  /** `tenant/modelVersionId`: the fitted model the thread keeps between requests. */
  model: string;
  /** Rows × the model's features, NaN for a missing reading. */
  matrix: number[][];
  /** The training data, sent only when the thread said it does not hold the model. */
  fit?: FitInput;
}

export type ScoringReply =
  | { id: number; kind: 'missing' }
  | { id: number; kind: 'scored'; scores: number[]; flags: boolean[]; threshold: number }
  | { id: number; kind: 'failed'; name: string; message: string };
