/**
 * Counts, per journey, how often it passed and failed across the repetitions of one Playwright
 * run (`--repeat-each`), from Playwright's JSON report.
 */

interface JsonTest {
  projectName: string;
  /** expected, unexpected, flaky (passed on a retry) or skipped. */
  status: string;
}

interface JsonSpec {
  title: string;
  file: string;
  line?: number;
  tests: JsonTest[];
}

export interface JsonSuite {
  title: string;
  file?: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

export interface JsonReport {
  suites?: JsonSuite[];
  errors?: Array<{ message?: string }>;
}

export interface JourneyTally {
  /** "project › file › describe › title", as Playwright's list reporter names a test. */
  journey: string;
  passed: number;
  failed: number;
  /** Runs that failed first and passed on a retry (none with --retries=0, but counted if retries are on). */
  flakyRuns: number;
  skipped: number;
}

export type Stability = 'stable' | 'flaky' | 'failing' | 'skipped';

export function stabilityOf(tally: JourneyTally): Stability {
  const passedSomewhere = tally.passed + tally.flakyRuns > 0;
  if (tally.failed > 0) return passedSomewhere ? 'flaky' : 'failing';
  if (tally.flakyRuns > 0) return 'flaky';
  return passedSomewhere ? 'stable' : 'skipped';
}

/** One tally per journey and project, in the report's order. */
export function tallyJourneys(report: JsonReport): JourneyTally[] {
  const tallies = new Map<string, JourneyTally>();
  const visit = (suite: JsonSuite, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      for (const run of spec.tests) {
        const journey = [run.projectName, spec.file, ...titles, spec.title].filter(Boolean).join(' › ');
        const tally = tallies.get(journey) ?? { journey, passed: 0, failed: 0, flakyRuns: 0, skipped: 0 };
        if (run.status === 'expected') tally.passed += 1;
        else if (run.status === 'flaky') tally.flakyRuns += 1;
        else if (run.status === 'skipped') tally.skipped += 1;
        else tally.failed += 1;
        tallies.set(journey, tally);
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...titles, child.title]);
  };
  // Top-level suites are files; their specs already carry the file.
  for (const file of report.suites ?? []) visit(file, []);
  return [...tallies.values()];
}

/** The printed result: one line per journey, unstable ones first, then the verdict. */
export function describeTallies(tallies: readonly JourneyTally[], repeatEach: number): string[] {
  const order: Record<Stability, number> = { failing: 0, flaky: 1, stable: 2, skipped: 3 };
  const sorted = [...tallies].sort((a, b) => order[stabilityOf(a)] - order[stabilityOf(b)]);
  const lines = sorted.map((tally) => {
    const runs = tally.passed + tally.failed + tally.flakyRuns;
    const counts = `${tally.passed + tally.flakyRuns}/${runs} passed`;
    return `  ${stabilityOf(tally).padEnd(8)} ${counts.padEnd(12)} ${tally.journey}`;
  });
  const unstable = sorted.filter((tally) => ['failing', 'flaky'].includes(stabilityOf(tally)));
  if (tallies.length === 0) {
    lines.push('flake-check: no journey ran, so nothing was checked: look at the errors above.');
  } else if (unstable.length === 0) {
    const skipped = tallies.filter((tally) => stabilityOf(tally) === 'skipped').length;
    const ran = tallies.length - skipped;
    lines.push(
      `flake-check: all ${ran} journeys passed ${repeatEach === 1 ? 'their 1 run' : `${repeatEach} times out of ${repeatEach}`}${skipped > 0 ? ` (${skipped} skipped)` : ''}.`,
    );
  } else {
    const count = (stability: Stability) =>
      unstable.filter((tally) => stabilityOf(tally) === stability).length;
    lines.push(
      `flake-check: ${count('flaky')} flaky and ${count('failing')} failing of ${tallies.length} journeys: ${unstable.map((tally) => tally.journey).join('; ')}. Open their traces under the output directory, and fix the race or the failure before trusting a green run.`,
    );
  }
  return lines;
}

export function isUnstable(tallies: readonly JourneyTally[]): boolean {
  return tallies.length === 0 || tallies.some((tally) => ['failing', 'flaky'].includes(stabilityOf(tally)));
}
