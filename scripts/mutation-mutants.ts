import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';

/**
 * The mutants of the platform's TypeScript, as StrykerJS's mutators make them: its instrumenter is
 * used as a library for the list of mutants only (where, which mutator, the replacement code); the
 * mutation run applies one at a time to a copy of the sources and rebuilds the bundle, rather than
 * Stryker's mutation switching, so the platform that runs is the platform's own code with one change.
 */
export interface Mutant {
  /** `file:line:column#mutator` (then `~2` for a second at that place), stable while the file is unchanged. */
  id: string;
  /** Repository-relative, e.g. containers/api/src/experiments/leaderboard.ts */
  file: string;
  mutator: string;
  /** 1-based lines, inclusive; columns 0-based, as in an editor's status bar minus one. */
  start: { line: number; column: number };
  end: { line: number; column: number };
  /** The code the mutant replaces, and what it puts there. */
  original: string;
  replacement: string;
}

// The instrumenter logs through Stryker's logger; the run says what matters itself.
const quiet = {
  isTraceEnabled: () => false,
  isDebugEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => false,
  isErrorEnabled: () => true,
  isFatalEnabled: () => true,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: (...args: unknown[]) => console.error(...args),
  fatal: (...args: unknown[]) => console.error(...args),
};

/** Offset of a 1-based line and 0-based column in the text. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let at = 1; at < line; at++) offset = text.indexOf('\n', offset) + 1;
  return offset + column;
}

/** Every mutant StrykerJS's mutators make of the files (repository-relative paths under `root`). */
export async function mutantsOf(files: readonly string[], root: string): Promise<Mutant[]> {
  const instrumenter = new Instrumenter(quiet);
  const mutants: Mutant[] = [];
  const placesSeen = new Map<string, number>();
  for (const file of files) {
    const content = readFileSync(path.join(root, file), 'utf8');
    const result = await instrumenter.instrument([{ name: file, content, mutate: true }], {
      plugins: null,
      excludedMutations: [],
      ignorers: [],
      noHeader: true,
    });
    for (const found of result.mutants) {
      if (found.status === 'Ignored') continue;
      // Stryker's lines are 0-based here; ours, like the coverage map's, are 1-based.
      const start = { line: found.location.start.line + 1, column: found.location.start.column };
      const end = { line: found.location.end.line + 1, column: found.location.end.column };
      const original = content.slice(
        offsetOf(content, start.line, start.column),
        offsetOf(content, end.line, end.column),
      );
      // One mutator can put two replacements at one place (a condition made true, and false).
      const place = `${file}:${start.line}:${start.column + 1}#${found.mutatorName}`;
      const seen = (placesSeen.get(place) ?? 0) + 1;
      placesSeen.set(place, seen);
      mutants.push({
        id: seen === 1 ? place : `${place}~${seen}`,
        file,
        mutator: found.mutatorName,
        start,
        end,
        original,
        replacement: found.replacement,
      });
    }
  }
  return mutants;
}

/** The file's text with the mutant in place of the code it replaces. */
export function applyMutant(content: string, mutant: Mutant): string {
  const from = offsetOf(content, mutant.start.line, mutant.start.column);
  const to = offsetOf(content, mutant.end.line, mutant.end.column);
  if (content.slice(from, to) !== mutant.original)
    throw new Error(
      `${mutant.file} changed since its mutants were made (${mutant.id} no longer finds its code): run the mutation again.`,
    );
  return `${content.slice(0, from)}${mutant.replacement}${content.slice(to)}`;
}

/** One line for a report: `file:line mutator: original → replacement`, long code shortened. */
export function describeMutant(mutant: Mutant): string {
  const short = (code: string) => {
    const flat = code.replace(/\s+/g, ' ').trim();
    return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
  };
  return `${mutant.file}:${mutant.start.line} ${mutant.mutator}: ${short(mutant.original)} → ${short(mutant.replacement)}`;
}
