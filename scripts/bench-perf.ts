/**
 * The figures of a project of measuring journeys (`load`, or `stress`), measured several times:
 * runs `playwright test --project=<project> --no-deps` N times (one at a time, each on its own
 * stack), reads the `perf-figures.json` each run attached, and prints every figure per run with
 * its median and budget.
 *
 *   node scripts/bench-perf.ts [--project load|stress] [--runs 3] [--write-baseline]
 *
 * `--write-baseline` writes the medians to perf/baseline.json, the figures a quality gate
 * compares later runs with; the figures of the other project stay as they were. The platform
 * must be built first (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PerfFigure } from '../fixtures/reporting/perf-figures.ts';
import { PERF_FIGURES_ATTACHMENT } from '../fixtures/reporting/perf-figures.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';

export interface PerfRun {
  /** Playwright's exit code: 1 when a budget (or anything else) failed. */
  exitCode: number;
  /** The figures the run attached; empty when it failed before measuring. */
  figures: PerfFigure[];
}

export interface PerfBench {
  runs: PerfRun[];
  /** Per figure, the median over the runs that measured it, with the budget and direction of the last of them. */
  medians: PerfFigure[];
}

/** The projects whose journeys attach figures (playwright.config.ts). */
export const perfProjects = ['load', 'stress'] as const;
export type PerfProject = (typeof perfProjects)[number];

export interface PerfBenchOptions {
  /** Which project's journeys to run (default load). */
  project?: PerfProject;
  runs?: number;
  /** Where progress lines go (default: the console). */
  log?: (line: string) => void;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('A median needs at least one value; measure something first.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface JsonReport {
  suites?: JsonSuite[];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { tests: { results: { attachments: { name: string; body?: string }[] }[] }[] }[];
}

/** Every `perf-figures.json` attached anywhere in a Playwright JSON report. */
function figuresIn(report: JsonReport): PerfFigure[] {
  const figures: PerfFigure[] = [];
  const visit = (suite: JsonSuite) => {
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests)
        for (const result of test.results)
          for (const attachment of result.attachments)
            if (attachment.name === PERF_FIGURES_ATTACHMENT && attachment.body) {
              const body = JSON.parse(Buffer.from(attachment.body, 'base64').toString('utf8'));
              figures.push(...(body as { figures: PerfFigure[] }).figures);
            }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
  return figures;
}

async function runProjectOnce(project: PerfProject, workDir: string, index: number): Promise<PerfRun> {
  const reportFile = path.join(workDir, `${project}-${index}.json`);
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      path.join(repoRoot, 'node_modules', '.bin', 'playwright'),
      [
        'test',
        `--project=${project}`,
        '--no-deps',
        '--reporter=json',
        `--output=${path.join(workDir, `artifacts-${index}`)}`,
      ],
      {
        cwd: repoRoot,
        // Only this run's JSON report: the shared Allure and HTML results are left alone. The
        // stress project exists only with E2E_STRESS=1.
        env: {
          ...process.env,
          PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile,
          ...(project === 'stress' ? { E2E_STRESS: '1' } : {}),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  const report = await readFile(reportFile, 'utf8').then(
    (text) => JSON.parse(text) as JsonReport,
    () => ({}) as JsonReport,
  );
  return { exitCode, figures: figuresIn(report) };
}

function mediansOf(runs: readonly PerfRun[]): PerfFigure[] {
  const byName = new Map<string, PerfFigure[]>();
  for (const run of runs)
    for (const figure of run.figures) byName.set(figure.name, [...(byName.get(figure.name) ?? []), figure]);
  return [...byName].map(([name, measured]) => {
    const last = measured.at(-1) as PerfFigure;
    return { ...last, name, value: median(measured.map((figure) => figure.value)) };
  });
}

/** Runs the project (default load) `runs` times in a row and returns every run's figures and their medians. */
export async function benchPerf(options: PerfBenchOptions = {}): Promise<PerfBench> {
  const project = options.project ?? 'load';
  const count = options.runs ?? 3;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`benchPerf needs a whole number of runs (got ${count}); pass 3 for a median.`);
  }
  const log = options.log ?? ((line: string) => console.log(line));
  const workDir = await mkdtemp(path.join(tmpdir(), `journeys-bench-${project}-`));
  try {
    const runs: PerfRun[] = [];
    for (let index = 1; index <= count; index++) {
      log(`${project} run ${index}/${count} (playwright test --project=${project})...`);
      const run = await runProjectOnce(project, workDir, index);
      runs.push(run);
      const shown = run.figures.map((figure) => `${figure.name}=${figure.value}`).join(' ');
      log(
        `  ${run.exitCode === 0 ? 'passed' : 'FAILED'}: ${shown || 'no figures (failed before measuring)'}`,
      );
    }
    return { runs, medians: mediansOf(runs) };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The figures as a table: one row per figure, one column per run, then the median and the budget. */
export function perfTable(bench: PerfBench): string {
  const header = ['figure', ...bench.runs.map((_, index) => `run ${index + 1}`), 'median', 'budget'];
  const rows = bench.medians.map((figure) => [
    `${figure.name} (${figure.unit})`,
    ...bench.runs.map((run) => String(run.figures.find((f) => f.name === figure.name)?.value ?? '–')),
    String(figure.value),
    `${figure.better === 'higher' ? '>=' : '<='} ${figure.budget}`,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
}

type BaselineFigures = Record<
  string,
  { value: number; unit: string; better: 'higher' | 'lower'; project?: PerfProject }
>;

/**
 * perf/baseline.json: `{ "figures": { name: { value, unit, better, project? } } }`, the project's
 * medians over what the file held: the other project's figures stay, and the gate asks for a
 * figure only when its project ran (`project` is left out for load, the first project).
 */
export function baselineOf(
  medians: readonly PerfFigure[],
  project: PerfProject = 'load',
  existing: { figures: BaselineFigures } = { figures: {} },
): string {
  const kept = Object.entries(existing.figures).filter(
    ([, figure]) => (figure.project ?? 'load') !== project,
  );
  const measured = medians.map((figure) => [
    figure.name,
    {
      value: figure.value,
      unit: figure.unit,
      better: figure.better,
      ...(project === 'load' ? {} : { project }),
    },
  ]);
  return `${JSON.stringify({ figures: Object.fromEntries([...kept, ...measured]) }, null, 2)}\n`;
}

/** Writes the project's medians into perf/baseline.json and returns the file's path. */
export async function writeBaseline(medians: readonly PerfFigure[], project: PerfProject): Promise<string> {
  const file = path.join(repoRoot, 'perf', 'baseline.json');
  const existing = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as { figures: BaselineFigures },
    () => ({ figures: {} }),
  );
  await writeFile(file, baselineOf(medians, project, existing));
  return file;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      project: { type: 'string', default: 'load' },
      runs: { type: 'string', default: '3' },
      'write-baseline': { type: 'boolean', default: false },
    },
  });
  const project = values.project as PerfProject;
  if (!perfProjects.includes(project)) {
    console.error(`--project ${values.project} has no figures: use one of ${perfProjects.join(', ')}.`);
    process.exit(2);
  }
  const bench = await benchPerf({ project, runs: Number(values.runs) });
  if (bench.medians.length === 0) {
    console.error('No run measured anything: see the failures above (is the platform built? npm run build).');
    process.exit(1);
  }
  console.log(`\n${perfTable(bench)}`);
  if (values['write-baseline']) {
    const file = await writeBaseline(bench.medians, project);
    console.log(`\nwrote the medians to ${path.relative(repoRoot, file)}`);
  }
  process.exitCode = bench.runs.every((run) => run.exitCode === 0) ? 0 : 1;
}
