/**
 * A detection thread: runs one detection and reports progress and the result to the platform's
 * main thread. On Linux it first drops its own CPU priority to the lowest, so on a busy machine
 * a training job takes only the CPU that live scoring, HTTP and the broker leave over.
 */
import { platform, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { DetectionReply, DetectionRequest } from './detection-thread-messages.ts';
import { detect } from './index.ts';
import { ParamsError } from './params.ts';

const LOWEST_PRIORITY = 19;

function reply(message: DetectionReply): void {
  parentPort?.postMessage(message);
}

// Only Linux gives every thread its own nice value; elsewhere this call would slow the whole platform.
if (platform() === 'linux') {
  try {
    setPriority(LOWEST_PRIORITY);
  } catch {
    // A sandbox may forbid it; the job then simply competes at normal priority.
  }
}

const request = workerData as DetectionRequest;
try {
  const result = await detect(request.algorithm, {
    features: request.features,
    params: request.params,
    seed: request.seed,
    onProgress: (fraction) => reply({ kind: 'progress', fraction }),
  });
  reply({ kind: 'done', result });
} catch (caught) {
  const error = caught instanceof Error ? caught : new Error(String(caught));
  reply({
    kind: 'failed',
    error: {
      name: error.name,
      message: error.message,
      stack: error.stack,
      details: error instanceof ParamsError ? error.details : undefined,
    },
  });
}
