/**
 * Long detections run on the platform's only thread; they must not freeze HTTP, MQTT and
 * WebSocket traffic. Detectors work in chunks and, between chunks, report progress and yield
 * to the event loop.
 */
import { setImmediate as nextTurnOfEventLoop } from 'node:timers/promises';

/** Roughly this many inner-loop operations between two yields: about a millisecond of work. */
const OPERATIONS_PER_CHUNK = 1 << 18;

/** How many units of work, each costing `operationsPerUnit`, make one chunk. */
export function unitsPerChunk(operationsPerUnit: number): number {
  return Math.max(1, Math.floor(OPERATIONS_PER_CHUNK / Math.max(1, operationsPerUnit)));
}

export interface Progress {
  /** Records that `fraction` (0..1) of this piece of work is done, then yields to the event loop. */
  advance(fraction: number): Promise<void>;
  /** A sub-task covering [from, to] of this one, reporting in its own 0..1 terms. */
  slice(from: number, to: number): Progress;
}

export function createProgress(onProgress?: (fraction: number) => void): Progress {
  let reported = 0;
  const emit = async (fraction: number): Promise<void> => {
    // Never move backwards, so a progress bar fed by this only ever fills up.
    const clamped = Math.min(1, Math.max(reported, fraction));
    if (onProgress && clamped > reported) onProgress(clamped);
    reported = clamped;
    await nextTurnOfEventLoop();
  };
  const within = (from: number, to: number): Progress => ({
    advance: (fraction) => emit(from + (to - from) * Math.min(1, Math.max(0, fraction))),
    slice: (start, end) => within(from + (to - from) * start, from + (to - from) * end),
  });
  return within(0, 1);
}
