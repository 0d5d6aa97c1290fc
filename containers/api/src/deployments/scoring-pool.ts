/**
 * A few threads that score request batches off the event loop (see scoring-thread.ts). Each task
 * goes to the thread with the fewest tasks waiting; a thread that does not yet hold the model is
 * sent the training data once and fits it. Threads run with a memory limit; one that dies fails
 * its tasks with the reason and is replaced on the next request.
 */
import { Worker } from 'node:worker_threads';
import type { FitInput } from '../detection/fitted-model.ts';
import { threadDeathReason, threadResourceLimits } from '../detection/thread-limits.ts';
import type { ScoringReply, ScoringTask } from './scoring-thread-messages.ts';

// The bundle ships the thread as dist/scoring-thread.mjs beside dist/server.mjs; from source
// (the platform's own tests) Node runs the TypeScript file directly.
const threadUrl = import.meta.url.endsWith('.ts')
  ? new URL('./scoring-thread.ts', import.meta.url)
  : new URL('./scoring-thread.mjs', import.meta.url);

export interface Scored {
  scores: number[];
  flags: boolean[];
  threshold: number;
}

/** Scoring failed in the thread: the model could not be fitted or the thread died. */
export class ScoringThreadError extends Error {
  override name = 'ScoringThreadError';
}

interface Pending {
  resolve: (reply: ScoringReply) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class ScoringPool {
  readonly #size: number;
  readonly #heapMb: number;
  readonly #threads: (Thread | null)[];
  #nextId = 1;
  #closed = false;

  constructor(options: { threads: number; heapMb: number }) {
    this.#size = options.threads;
    this.#heapMb = options.heapMb;
    this.#threads = Array.from({ length: this.#size }, () => null);
  }

  /** Scores `matrix` with the model `model` names; `training` is asked for only when a thread lacks it. */
  async score(model: string, matrix: number[][], training: () => Promise<FitInput>): Promise<Scored> {
    if (this.#closed) throw new ScoringThreadError('The platform is stopping; score again shortly.');
    const thread = this.#leastBusy();
    let reply = await this.#ask(thread, { id: this.#nextId++, model, matrix });
    if (reply.kind === 'missing') {
      reply = await this.#ask(thread, { id: this.#nextId++, model, matrix, fit: await training() });
    }
    if (reply.kind === 'scored')
      return { scores: reply.scores, flags: reply.flags, threshold: reply.threshold };
    if (reply.kind === 'failed') {
      const error = new ScoringThreadError(reply.message);
      error.name = reply.name;
      throw error;
    }
    throw new ScoringThreadError('The scoring thread lost the model while fitting it; score again.');
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread?.worker.terminate()));
  }

  #leastBusy(): Thread {
    let best = 0;
    for (let i = 0; i < this.#size; i++) {
      const pending = this.#threads[i]?.pending.size ?? 0;
      if (pending < (this.#threads[best]?.pending.size ?? 0)) best = i;
    }
    return this.#threads[best] ?? this.#start(best);
  }

  #start(slot: number): Thread {
    const worker = new Worker(threadUrl, { resourceLimits: threadResourceLimits(this.#heapMb) });
    // An idle pool must not keep a stopping process alive.
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    this.#threads[slot] = thread;
    worker.on('message', (reply: ScoringReply) => {
      const waiting = thread.pending.get(reply.id);
      thread.pending.delete(reply.id);
      waiting?.resolve(reply);
    });
    const die = (error: unknown) => {
      if (this.#threads[slot] === thread) this.#threads[slot] = null;
      const reason = new ScoringThreadError(threadDeathReason(error, this.#heapMb, 'scoring'));
      for (const waiting of thread.pending.values()) waiting.reject(reason);
      thread.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`exit code ${code}`)));
    return thread;
  }

  #ask(thread: Thread, task: ScoringTask): Promise<ScoringReply> {
    return new Promise((resolve, reject) => {
      thread.pending.set(task.id, { resolve, reject });
      thread.worker.postMessage(task);
    });
  }
}
