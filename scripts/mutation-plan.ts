import { type CoverageMap, journeysThatRanLine, rangesHold } from '../fixtures/coverage/coverage-map.ts';
import type { Mutant } from './mutation-mutants.ts';

/**
 * Which mutants a run judges (all, or a seeded sample spread over the modules), and by which
 * journeys: the ones that ran the mutated lines, as the coverage map recorded them.
 */

/** A small seeded generator (mulberry32): the same seed picks the same sample on any machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `size` mutants, spread over the modules: the modules in a seeded order, one mutant (seeded) from
 * each in turn, round after round, until the sample is full; the sample in the mutants' order.
 */
export function sampleMutants(mutants: readonly Mutant[], size: number, seed: number): Mutant[] {
  if (size >= mutants.length) return [...mutants];
  const random = seededRandom(seed);
  const byModule = new Map<string, Mutant[]>();
  for (const mutant of mutants) byModule.set(mutant.file, [...(byModule.get(mutant.file) ?? []), mutant]);
  const modules = [...byModule.keys()].sort();
  for (let index = modules.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [modules[index], modules[other]] = [modules[other] as string, modules[index] as string];
  }
  const picked = new Set<Mutant>();
  while (picked.size < size) {
    for (const module of modules) {
      const pool = byModule.get(module) as Mutant[];
      if (pool.length === 0) continue;
      const [mutant] = pool.splice(Math.floor(random() * pool.length), 1);
      picked.add(mutant as Mutant);
      if (picked.size === size) break;
    }
  }
  return mutants.filter((mutant) => picked.has(mutant));
}

export interface Judges {
  /** The journeys (test-list lines) to run; empty: no journey ran the mutated code. */
  journeys: string[];
  /** Why these: which lines, or the module-level fallback for code only the start-up ran. */
  reason: string;
}

/**
 * The journeys that judge a mutant: those that ran any line it spans. Code the platform's start
 * runs (a module's top level, a route's table, the configuration) becomes data that any journey
 * may read, through other modules (a route's documented answers reach the OpenAPI document), so it
 * is judged by every journey, as Stryker judges its static mutants; a journey that restarts the
 * platform "ran" such a line too, but only as a start.
 */
export function judgesOf(mutant: Mutant, map: CoverageMap): Judges {
  const lines: number[] = [];
  for (let line = mutant.start.line; line <= mutant.end.line; line++) lines.push(line);
  const span =
    mutant.start.line === mutant.end.line
      ? `line ${mutant.start.line}`
      : `lines ${mutant.start.line}-${mutant.end.line}`;
  if (lines.some((line) => rangesHold(map.startUpLines?.[mutant.file], line)))
    return {
      journeys: [...map.journeys].sort(),
      reason: `${span} runs at start-up: every journey judges it`,
    };
  const journeys = [...new Set(lines.flatMap((line) => journeysThatRanLine(map, mutant.file, line)))].sort();
  return { journeys, reason: journeys.length > 0 ? `ran ${span}` : `no journey ran ${span}` };
}

/** The persona of a journey: its folder under journeys/. */
export function personaOf(journey: string): string {
  return /^journeys\/([^/]+)\//.exec(journey)?.[1] ?? '(other)';
}
