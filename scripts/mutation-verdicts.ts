import { describeMutant, type Mutant } from './mutation-mutants.ts';
import { personaOf } from './mutation-plan.ts';

/**
 * What became of each mutant, the score, and the tallies by module and by persona.
 *
 * killed: a journey that ran the mutated code failed (or the mutated platform did not start);
 * timeout: a journey ran out of time and none failed otherwise (counted as found, as Stryker does);
 * survived: every journey that ran the mutated code passed: a blind spot of those journeys;
 * no-coverage: no journey ran the mutated code; not-built: esbuild refused the mutant (not counted).
 */
export type MutantStatus = 'killed' | 'timeout' | 'survived' | 'no-coverage' | 'not-built';

/** One journey's result in a mutant's run, as Playwright reports it. */
export interface JourneyResult {
  journey: string;
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  /** The first line of its first error, when it failed. */
  error?: string;
}

/** What happened when a mutant was tried. */
export type MutantRun =
  | { kind: 'not-run'; reason: string }
  | { kind: 'build-failed'; message: string }
  | { kind: 'platform-did-not-start'; message: string }
  | { kind: 'journeys'; results: JourneyResult[]; overran: boolean };

export interface MutantVerdict {
  mutant: Mutant;
  status: MutantStatus;
  /** The journeys that judged it (ran its code). */
  journeys: string[];
  /** Those that failed on it (killed), timed out (timeout). */
  killedBy: string[];
  reason: string;
  seconds: number;
}

export function classify(run: MutantRun): { status: MutantStatus; killedBy: string[]; reason: string } {
  switch (run.kind) {
    case 'not-run':
      return { status: 'no-coverage', killedBy: [], reason: run.reason };
    case 'build-failed':
      return { status: 'not-built', killedBy: [], reason: `esbuild refused it: ${run.message}` };
    case 'platform-did-not-start':
      return { status: 'killed', killedBy: [], reason: `the platform did not start: ${run.message}` };
    case 'journeys': {
      const failed = run.results.filter((result) => result.status === 'failed');
      if (failed.length > 0)
        return {
          status: 'killed',
          killedBy: failed.map((result) => result.journey),
          reason: `failed: ${failed.map((result) => `${result.journey}${result.error ? ` (${result.error})` : ''}`).join('; ')}`,
        };
      const timedOut = run.results.filter((result) => result.status === 'timedOut').map((r) => r.journey);
      if (timedOut.length > 0 || run.overran)
        return {
          status: 'timeout',
          killedBy: timedOut,
          reason:
            timedOut.length > 0 ? `timed out: ${timedOut.join('; ')}` : 'the run overran its time limit',
        };
      const passed = run.results.filter((result) => result.status === 'passed');
      if (passed.length === 0)
        return { status: 'no-coverage', killedBy: [], reason: 'none of its journeys ran here (skipped)' };
      return { status: 'survived', killedBy: [], reason: `passed: ${passed.length} journey(s)` };
    }
  }
}

export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  notBuilt: number;
  /** Found (killed + timeout) of the mutants some journey ran, in percent; null with none. */
  score: number | null;
}

function tallyOf(verdicts: readonly MutantVerdict[]): Tally {
  const count = (status: MutantStatus) => verdicts.filter((verdict) => verdict.status === status).length;
  const found = count('killed') + count('timeout');
  const judged = found + count('survived');
  return {
    killed: count('killed'),
    timeout: count('timeout'),
    survived: count('survived'),
    noCoverage: count('no-coverage'),
    notBuilt: count('not-built'),
    score: judged === 0 ? null : Math.round((1000 * found) / judged) / 10,
  };
}

export interface MutationSummary {
  total: Tally;
  /** Found of every mutant that was built (no coverage counting as not found), in percent. */
  scoreOfAll: number | null;
  byModule: Record<string, Tally>;
  /** A mutant counts for each persona with a journey that ran its code. */
  byPersona: Record<string, Tally>;
  survivors: string[];
}

export function summarize(verdicts: readonly MutantVerdict[]): MutationSummary {
  const total = tallyOf(verdicts);
  const built = verdicts.length - total.notBuilt;
  const group = (keysOf: (verdict: MutantVerdict) => string[]) => {
    const groups = new Map<string, MutantVerdict[]>();
    for (const verdict of verdicts)
      for (const key of keysOf(verdict)) groups.set(key, [...(groups.get(key) ?? []), verdict]);
    return Object.fromEntries(
      [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => [key, tallyOf(group)]),
    );
  };
  return {
    total,
    scoreOfAll: built === 0 ? null : Math.round((1000 * (total.killed + total.timeout)) / built) / 10,
    byModule: group((verdict) => [verdict.mutant.file.replace('containers/api/src/', '')]),
    byPersona: group((verdict) => [...new Set(verdict.journeys.map(personaOf))]),
    survivors: verdicts
      .filter((verdict) => verdict.status === 'survived')
      .map((v) => describeMutant(v.mutant)),
  };
}

const percent = (score: number | null) => (score === null ? '–' : `${score}%`);

function tallyTable(title: string, rows: Record<string, Tally>): string[] {
  return [
    `| ${title} | killed | timeout | survived | no coverage | score |`,
    '|---|---:|---:|---:|---:|---:|',
    ...Object.entries(rows).map(
      ([name, t]) =>
        `| ${name} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${percent(t.score)} |`,
    ),
  ];
}

/** The report as Markdown: score, the tallies, and the survivors with the journeys that missed them. */
export function markdownReport(
  verdicts: readonly MutantVerdict[],
  summary: MutationSummary,
  heading: string,
): string {
  const { total } = summary;
  const survivors = verdicts.filter((verdict) => verdict.status === 'survived');
  return [
    `# ${heading}`,
    '',
    `Score: **${percent(total.score)}** of the mutants some journey ran were found (${total.killed} killed, ${total.timeout} timed out, ${total.survived} survived); ${percent(summary.scoreOfAll)} of all ${verdicts.length - total.notBuilt} built mutants, with ${total.noCoverage} that no journey ran${total.notBuilt > 0 ? `; ${total.notBuilt} did not build` : ''}.`,
    '',
    "## Survivors: the journeys' blind spots",
    '',
    ...(survivors.length === 0
      ? ['None.']
      : survivors.flatMap((verdict) => [
          `- \`${describeMutant(verdict.mutant)}\``,
          `  - ran by: ${verdict.journeys.map((journey) => journey.replace(/^journeys\//, '')).join('; ')}`,
        ])),
    '',
    '## By persona (a mutant counts for each persona whose journeys ran its code)',
    '',
    ...tallyTable('persona', summary.byPersona),
    '',
    '## By module',
    '',
    ...tallyTable('module', summary.byModule),
    '',
    '## Every mutant',
    '',
    ...verdicts.map(
      (verdict) =>
        `- ${verdict.status}: \`${describeMutant(verdict.mutant)}\` (${verdict.reason}; ${verdict.seconds} s)`,
    ),
    '',
  ].join('\n');
}
