import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { HeldAcks } from '../streaming/deferred-acks.ts';

/** A cache the platform keeps in memory, with the most entries it may hold. */
export interface CacheFigure {
  name: string;
  entries: number;
  capacity: number;
}

export interface ProcessFigureSources {
  acks: HeldAcks;
  caches: () => CacheFigure[];
}

/**
 * The heap right after the latest full (mark-sweep) collection: what the process really keeps.
 * A heap read at any other moment includes garbage not yet collected and swings by tens of
 * percent between two reads, which hides a slow leak; this figure grows only with one.
 */
class HeapAfterCollection {
  #bytes = 0;

  constructor() {
    // Observing collections costs next to nothing, and a figure read later must cover them all.
    new PerformanceObserver((list) => {
      const full = list
        .getEntries()
        .some(
          (entry) =>
            (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
        );
      if (full) this.#bytes = process.memoryUsage().heapUsed;
    }).observe({ entryTypes: ['gc'] });
  }

  get bytes(): number {
    return this.#bytes;
  }
}

const heapAfterCollection = new HeapAfterCollection();

const gauge = (name: string, help: string, samples: string[]): string[] => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} gauge`,
  ...samples,
];

/**
 * The process's own figures for operators (and the stress journeys): memory, the acknowledgements
 * held back from the broker, and every bounded cache's size beside its bound, in Prometheus text.
 */
export function processFigureLines(sources: ProcessFigureSources): string[] {
  const memory = process.memoryUsage();
  const caches = sources.caches();
  return [
    ...gauge('process_resident_memory_bytes', 'Resident set size of the platform process.', [
      `process_resident_memory_bytes ${memory.rss}`,
    ]),
    ...gauge('nodejs_heap_used_bytes', 'JavaScript heap in use now, garbage included.', [
      `nodejs_heap_used_bytes ${memory.heapUsed}`,
    ]),
    ...gauge(
      'nodejs_heap_after_full_gc_bytes',
      'JavaScript heap in use right after the latest full collection (0 before the first).',
      [`nodejs_heap_after_full_gc_bytes ${heapAfterCollection.bytes}`],
    ),
    ...gauge(
      'stream_acks_held',
      'Stream events taken from the broker and not yet acknowledged (not committed).',
      [`stream_acks_held ${sources.acks.held}`],
    ),
    ...gauge(
      'stream_acks_held_max',
      'The most stream acknowledgements held at once since the process started.',
      [`stream_acks_held_max ${sources.acks.most}`],
    ),
    ...gauge(
      'cache_entries',
      'Entries an in-memory cache holds now.',
      caches.map((cache) => `cache_entries{cache="${cache.name}"} ${cache.entries}`),
    ),
    ...gauge(
      'cache_capacity',
      'The most entries an in-memory cache keeps.',
      caches.map((cache) => `cache_capacity{cache="${cache.name}"} ${cache.capacity}`),
    ),
  ];
}
