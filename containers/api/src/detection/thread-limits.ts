/**
 * The memory a detection or scoring thread may use. Without a limit a thread shares the
 * process's heap, so one detection that allocates without bound (an LOF whose neighbourhoods
 * hold every pair of rows) takes the whole platform down with it; with one, only the thread dies.
 */
import type { ResourceLimits } from 'node:worker_threads';

export function threadResourceLimits(heapMb: number): ResourceLimits {
  // The young generation and the stack keep Node's defaults; the old generation holds the data.
  return { maxOldGenerationSizeMb: heapMb };
}

/** Whether a thread's error means it ran into its memory limit. */
export function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/** The one sentence a person reads when a thread of theirs died. */
export function threadDeathReason(error: unknown, heapMb: number, what: string): string {
  if (isOutOfMemory(error)) {
    return `The ${what} ran out of memory (a thread may use ${heapMb} MB) and was stopped; use fewer rows, a smaller k, or another algorithm.`;
  }
  return `The ${what} stopped unexpectedly and was not retried; run it again, and report it if it stops again.`;
}
