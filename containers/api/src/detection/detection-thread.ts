/**
 * Runs a detection on a thread of its own. Detectors are CPU-bound for seconds on large
 * datasets; on the main thread they would share one event loop with live scoring, HTTP and the
 * broker, and a stream's latency would climb while an experiment runs.
 */
import { Worker } from 'node:worker_threads';
import type { DetectionReply, DetectionRequest } from './detection-thread-messages.ts';
import { ParamsError } from './params.ts';
import { FeaturesError } from './preprocessing.ts';
import { threadDeathReason, threadResourceLimits } from './thread-limits.ts';
import type { AlgorithmName, DetectionInput, DetectionResult } from './types.ts';

// The bundle ships the thread as dist/detection-worker.mjs beside dist/server.mjs; from source
// (the platform's own tests) Node runs the TypeScript file directly.
const workerUrl = import.meta.url.endsWith('.ts')
  ? new URL('./detection-worker.ts', import.meta.url)
  : new URL('./detection-worker.mjs', import.meta.url);

/** The detection thread died (out of memory, or a crash) before it answered; the message says why. */
export class DetectionThreadDied extends Error {
  override name = 'DetectionThreadDied';
}

/** The detection's own error type again, so callers tell the person's mistake from a defect. */
function rebuild(error: Extract<DetectionReply, { kind: 'failed' }>['error']): Error {
  let rebuilt: Error;
  if (error.name === 'ParamsError') rebuilt = new ParamsError('parameters', error.details ?? []);
  else if (error.name === 'FeaturesError') rebuilt = new FeaturesError(error.message);
  else rebuilt = new Error(error.message);
  rebuilt.message = error.message;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

/**
 * Same contract as `detect`, off the main thread, on a thread that may use `heapMb` of memory:
 * one that needs more is stopped, and the promise fails with DetectionThreadDied and the reason.
 */
export function detectInThread(
  algorithm: AlgorithmName,
  input: DetectionInput,
  heapMb: number,
): Promise<DetectionResult> {
  const request: DetectionRequest = {
    algorithm,
    features: input.features,
    params: input.params,
    seed: input.seed,
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    const worker = new Worker(workerUrl, {
      workerData: request,
      resourceLimits: threadResourceLimits(heapMb),
    });
    const died = (cause: unknown) =>
      new DetectionThreadDied(threadDeathReason(cause, heapMb, 'detection'), { cause });
    worker.on('message', (message: DetectionReply) => {
      if (message.kind === 'progress') input.onProgress?.(message.fraction);
      else if (message.kind === 'done') settle(() => resolve(message.result));
      else settle(() => reject(rebuild(message.error)));
    });
    worker.on('error', (error) => settle(() => reject(died(error))));
    worker.on('exit', (code) =>
      settle(() => reject(died(new Error(`the detection thread exited (code ${code}) without a result`)))),
    );
  });
}
