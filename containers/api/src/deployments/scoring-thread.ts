/**
 * A scoring thread: scores request batches with fitted models it keeps, so a batch of thousands
 * of rows against thousands of training rows never holds the platform's event loop. It fits a
 * model the first time it is asked to score with it (from the training data the platform sends).
 */
import { platform, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type FittedModel, fitModel } from '../detection/fitted-model.ts';
import type { ScoringReply, ScoringTask } from './scoring-thread-messages.ts';

// Like a detection thread, it takes only the CPU that HTTP, live streams and the broker leave
// over: a tenant's bulk batches wait, the platform does not. Only Linux has per-thread priorities.
if (platform() === 'linux') {
  try {
    setPriority(19);
  } catch {
    // A sandbox may forbid it; the thread then competes at normal priority.
  }
}

/** Models kept per thread; a tenant rarely serves more than a few versions. */
const capacity = 16;
const models = new Map<string, Promise<FittedModel>>();

function modelFor(task: ScoringTask): Promise<FittedModel> | null {
  const kept = models.get(task.model);
  if (kept) {
    // Re-inserting keeps the map in least-recently-used order.
    models.delete(task.model);
    models.set(task.model, kept);
    return kept;
  }
  if (!task.fit) return null;
  const fitting = fitModel(task.fit);
  models.set(task.model, fitting);
  fitting.catch(() => models.delete(task.model));
  while (models.size > capacity) models.delete(models.keys().next().value as string);
  return fitting;
}

const reply = (message: ScoringReply) => parentPort?.postMessage(message);

parentPort?.on('message', async (task: ScoringTask) => {
  try {
    const model = modelFor(task);
    if (!model) return reply({ id: task.id, kind: 'missing' });
    const { scores, flags } = (await model).score(task.matrix);
    reply({ id: task.id, kind: 'scored', scores, flags, threshold: (await model).threshold });
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    reply({ id: task.id, kind: 'failed', name: error.name, message: error.message });
  }
});
