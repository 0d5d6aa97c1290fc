/** What the platform and a detection thread say to each other (structured-clone safe). */
import type { ParamProblem } from './params.ts';
import type { AlgorithmName, DetectionResult } from './types.ts';

export interface DetectionRequest {
  algorithm: AlgorithmName;
  features: number[][];
  params: Record<string, unknown>;
  seed: number;
}

export type DetectionReply =
  | { kind: 'progress'; fraction: number }
  | { kind: 'done'; result: DetectionResult }
  | {
      kind: 'failed';
      error: { name: string; message: string; stack?: string; details?: ParamProblem[] };
    };
