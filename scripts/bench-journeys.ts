/**
 * The @e2e journeys timed the way a person runs them: `npx playwright test --grep @e2e`, from
 * command start to exit, several times. Each run's JUnit report (written to a temp file, so the
 * work tree's reports stay as they were) gives every journey's own duration.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { median } from './bench-perf.ts';

export interface JourneysRun {
  wallMs: number;
  exitCode: number;
  /** Seconds per journey, by "file › title"; skipped journeys are left out. */
  journeys: Map<string, number>;
  /** Journeys that failed, by "file › title". */
  failures: string[];
  /** What the run printed (its reporters' lines), for figures a reporter prints at the end. */
  output: string;
}

export interface JourneysRunOptions {
  /** What the progress line calls the run, e.g. "@e2e run 1/3". */
  label: string;
  /** The arguments after `npx playwright test`; the @e2e selection when unset. */
  args?: readonly string[];
  /** Variables to set for the run, on top of this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface JourneysBench {
  runs: JourneysRun[];
  medianWallMs: number;
  /** The slowest journeys by their median duration over the runs, slowest first. */
  slowest: { journey: string; medianSeconds: number }[];
}

export const e2eCommand = ['npx', 'playwright', 'test', '--grep', '@e2e'];

interface JunitCase {
  '@_name': string;
  '@_classname'?: string;
  '@_time'?: string;
  skipped?: unknown;
  failure?: JunitProblem;
  error?: JunitProblem;
}

type JunitProblem = string | { '@_message'?: string; '#text'?: string };

/** The first lines of what a failure said, so a benchmark run that went red says why without a rerun. */
function firstLinesOf(problem: JunitProblem): string {
  const text = typeof problem === 'string' ? problem : (problem['#text'] ?? problem['@_message'] ?? '');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('at '))
    .slice(0, 4)
    .join(' | ');
}

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

/** Journey durations (seconds) and failures from a Playwright JUnit report; skipped journeys are not timed. */
export function readJourneysReport(xml: string): Pick<JourneysRun, 'journeys' | 'failures'> {
  const document = parser.parse(xml) as { testsuites?: { testsuite?: { testcase?: JunitCase[] }[] } };
  const journeys = new Map<string, number>();
  const failures: string[] = [];
  for (const suite of document.testsuites?.testsuite ?? []) {
    for (const testCase of suite.testcase ?? []) {
      if (testCase.skipped !== undefined) continue;
      const name = `${testCase['@_classname'] ?? ''} › ${testCase['@_name']}`;
      journeys.set(name, Number(testCase['@_time'] ?? 0));
      const problem = testCase.failure ?? testCase.error;
      if (problem !== undefined) {
        const said = firstLinesOf(problem);
        failures.push(said ? `${name}: ${said}` : name);
      }
    }
  }
  return { journeys, failures };
}

export function slowestJourneys(runs: JourneysRun[], count: number): JourneysBench['slowest'] {
  const samples = new Map<string, number[]>();
  for (const run of runs) {
    for (const [journey, seconds] of run.journeys)
      samples.set(journey, [...(samples.get(journey) ?? []), seconds]);
  }
  return [...samples]
    .map(([journey, seconds]) => ({ journey, medianSeconds: median(seconds) }))
    .sort((a, b) => b.medianSeconds - a.medianSeconds)
    .slice(0, count);
}

/** One Playwright run, timed from command start to exit, with its journeys' durations. */
export async function runJourneys(options: JourneysRunOptions): Promise<JourneysRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'journeys-bench-'));
  const junitFile = path.join(dir, 'junit.xml');
  const chunks: Buffer[] = [];
  const began = performance.now();
  const exitCode = await new Promise<number>((resolve) => {
    const [program = 'npx', ...e2eArgs] = e2eCommand;
    const args = options.args ? ['playwright', 'test', ...options.args] : e2eArgs;
    const child = spawn(program, [...args, `--output=${path.join(dir, 'artifacts')}`], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...options.env, PLAYWRIGHT_JUNIT_OUTPUT_FILE: junitFile },
    });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
  const wallMs = performance.now() - began;
  let report: Pick<JourneysRun, 'journeys' | 'failures'> = { journeys: new Map(), failures: [] };
  try {
    report = readJourneysReport(readFileSync(junitFile, 'utf8'));
  } catch {
    // A run that could not start leaves no report; its exit code says so below.
  }
  const { journeys, failures } = report;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${options.label}: ${(wallMs / 1000).toFixed(1)} s, ${journeys.size} journeys${exitCode === 0 ? '' : `, FAILED (exit ${exitCode})`}`,
  );
  for (const failure of failures) console.log(`  failed: ${failure}`);
  return { wallMs, exitCode, journeys, failures, output: Buffer.concat(chunks).toString('utf8') };
}

/** Runs the @e2e set `times` times, one after another. */
export async function benchJourneys(times: number): Promise<JourneysBench> {
  const runs: JourneysRun[] = [];
  for (let index = 1; index <= times; index++)
    runs.push(await runJourneys({ label: `@e2e run ${index}/${times}` }));
  return {
    runs,
    medianWallMs: median(runs.map((run) => run.wallMs)),
    slowest: slowestJourneys(runs, 5),
  };
}
