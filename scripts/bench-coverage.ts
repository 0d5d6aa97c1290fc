/**
 * `npm run bench -- coverage [--runs N]`: what coverage mode costs and what impact selection saves.
 *   - `npx playwright test --grep @e2e` plain and with E2E_COVERAGE=1, N times each (default 3),
 *     alternating, so a change in the machine's load falls on both: median wall times, overhead %
 *     (goal: at most 25%);
 *   - the last coverage run's summary (lines, branches, functions) and where its measuring time
 *     went (.journeys/coverage-run.json, which its reporter writes);
 *   - for five typical one-file changes, the journeys `npm run affected` selects (its selection
 *     code, given the changed file, on the map the coverage runs just made) and the time of running
 *     that selection, N times, against the plain full run.
 * Figures go to perf/coverage-bench.json and a table.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCoverageMap } from '../fixtures/coverage/coverage-map.ts';
import { type CoverageRun, readCoverageRun } from '../fixtures/coverage/coverage-run.ts';
import { type Impact, selectJourneysHere, testListOf } from '../fixtures/coverage/impact.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { type JourneysRun, runJourneys } from './bench-journeys.ts';
import { median } from './bench-perf.ts';

/** The changes measured: one file each, of the kinds a pull request most often touches. */
export const typicalChanges = [
  { kind: 'platform module', file: 'containers/api/src/experiments/leaderboard.ts' },
  { kind: 'streaming module', file: 'containers/api/src/streaming/event-store.ts' },
  { kind: 'auth module', file: 'containers/api/src/auth/sessions.ts' },
  { kind: 'journey file', file: 'journeys/data-scientist/finds-best-detector.journey.ts' },
  { kind: 'fixture file', file: 'fixtures/personas/attempts.ts' },
] as const;

export const coverageBenchFile = path.join(repoRoot, 'perf', 'coverage-bench.json');
/** The goal for coverage mode's added wall time over a plain @e2e run. */
export const overheadGoalPct = 25;

export interface SelectionFigure {
  kind: string;
  file: string;
  /** Journeys (tests) the selection ran; every journey of the full run when it selects everything. */
  journeys: number;
  /** Lines of the `--test-list` (a journey file's line stands for all its tests); null: everything. */
  selected: number | null;
  /** Median wall time of running the selection; the full run's when it selects everything. */
  medianMs: number;
  /** Its share of the plain full run's median wall time. */
  shareOfFullPct: number;
}

export interface CoverageBench {
  runs: number;
  plain: { medianMs: number; eachMs: number[]; journeys: number };
  coverage: { medianMs: number; eachMs: number[]; journeys: number };
  overheadPct: number;
  summary: CoverageRun['summary'] | undefined;
  costs: Pick<CoverageRun, 'workers' | 'reportMs' | 'mapMs'> | undefined;
  selections: SelectionFigure[];
  failed: boolean;
}

/** Coverage mode's added wall time, in percent of the plain run's. */
export function overheadPct(plainMs: number, coverageMs: number): number {
  if (!(plainMs > 0))
    throw new Error(`A plain run of ${plainMs} ms cannot be compared with: it must have run.`);
  return ((coverageMs - plainMs) / plainMs) * 100;
}

/** The `--test-list` of a selection, or undefined when it selects every journey (the full run). */
export function selectionList(impact: Impact): string | undefined {
  if (impact.everything.length > 0) return undefined;
  return testListOf(impact);
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/** perf/baseline.json's style: one figure a key, with its unit and which direction is better. */
export function benchFigures(bench: CoverageBench, machine: Record<string, unknown>) {
  const figure = (value: number, unit: string, better: 'lower' | 'higher') => ({ value, unit, better });
  const figures: Record<string, ReturnType<typeof figure>> = {
    'e2e.plain.medianSeconds': figure(round(bench.plain.medianMs / 1000), 's', 'lower'),
    'e2e.coverage.medianSeconds': figure(round(bench.coverage.medianMs / 1000), 's', 'lower'),
    'coverage.overheadPct': figure(round(bench.overheadPct), '%', 'lower'),
  };
  if (bench.summary) {
    for (const metric of ['lines', 'branches', 'functions'] as const)
      figures[`coverage.${metric}Pct`] = figure(bench.summary[metric].pct, '%', 'higher');
  }
  if (bench.costs) {
    const { workers, reportMs, mapMs } = bench.costs;
    figures['coverage.reportSeconds'] = figure(round((reportMs + mapMs) / 1000), 's', 'lower');
    figures['coverage.workers.stackStartSeconds'] = figure(round(workers.stackStartMs / 1000), 's', 'lower');
    figures['coverage.workers.platformTakeSeconds'] = figure(
      round(workers.platformTakeMs / 1000),
      's',
      'lower',
    );
    figures['coverage.workers.browserTakeSeconds'] = figure(
      round(workers.browserTakeMs / 1000),
      's',
      'lower',
    );
    figures['coverage.workers.attributionSeconds'] = figure(
      round(workers.attributionMs / 1000),
      's',
      'lower',
    );
  }
  for (const selection of bench.selections) {
    const key = `affected.${selection.kind.replace(/\s+(\w)/g, (_, letter: string) => letter.toUpperCase())}`;
    figures[`${key}.journeys`] = figure(selection.journeys, 'journeys', 'lower');
    figures[`${key}.seconds`] = figure(round(selection.medianMs / 1000), 's', 'lower');
  }
  return {
    measuredAt: new Date().toISOString(),
    machine,
    runs: bench.runs,
    /** A failed journey changes what a run times and covers: such figures are not to be compared. */
    failed: bench.failed,
    coverageSummary: bench.summary,
    selections: bench.selections.map(({ kind, file, journeys, selected }) => ({
      kind,
      file,
      journeys,
      selected,
    })),
    figures,
  };
}

/** The table `npm run bench -- coverage` prints. */
export function coverageTable(bench: CoverageBench): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows: [string, string][] = [
    [`plain @e2e, median of ${bench.runs}`, `${s(bench.plain.medianMs)} (${bench.plain.journeys} journeys)`],
    [`E2E_COVERAGE=1 @e2e, median of ${bench.runs}`, s(bench.coverage.medianMs)],
    ['coverage overhead', `${bench.overheadPct.toFixed(0)}% (goal <= ${overheadGoalPct}%)`],
  ];
  if (bench.failed) rows.push(['a run FAILED (see above)', 'figures not comparable']);
  if (bench.summary) {
    const pct = (metric: keyof CoverageRun['summary']) => {
      const { pct, covered, total } = (bench.summary as CoverageRun['summary'])[metric];
      return `${pct}% (${covered}/${total})`;
    };
    rows.push(['coverage: lines', pct('lines')], ['coverage: branches', pct('branches')]);
    rows.push(['coverage: functions', pct('functions')]);
  }
  if (bench.costs) {
    const { workers: w, reportMs, mapMs } = bench.costs;
    rows.push([`measured stacks started (${w.measuredStacks}), summed`, s(w.stackStartMs)]);
    rows.push(['platform counts taken, summed', s(w.platformTakeMs)]);
    rows.push(['browser counts taken, summed', s(w.browserTakeMs)]);
    rows.push(['modules named (source maps), summed', s(w.attributionMs)]);
    rows.push(['report and map after the last journey', s(reportMs + mapMs)]);
  }
  for (const selection of bench.selections) {
    rows.push([
      `affected, ${selection.kind}: ${path.basename(selection.file)}`,
      `${selection.journeys} ${selection.journeys === 1 ? 'journey' : 'journeys'}${selection.selected === null ? ' (all)' : ''}, ${s(selection.medianMs)} (${selection.shareOfFullPct.toFixed(0)}%)`,
    ]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return [
    `| ${'measure'.padEnd(width)} | ${'value'.padStart(valueWidth)} |`,
    `|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|`,
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value.padStart(valueWidth)} |`),
  ].join('\n');
}

export function machineNow(): Record<string, unknown> {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    // One string, as `npm run bench` prints it (and the formatter keeps it as written).
    loadAverage: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' '),
  };
}

const wallsOf = (runs: JourneysRun[]) => runs.map((run) => run.wallMs);

export async function benchCoverage(runs: number): Promise<CoverageBench> {
  const missing = typicalChanges.filter(({ file }) => !existsSync(path.join(repoRoot, file)));
  if (missing.length > 0)
    throw new Error(
      `The coverage bench's typical changes name files that are gone (${missing.map(({ file }) => file).join(', ')}): name files there are now in scripts/bench-coverage.ts.`,
    );
  const plain: JourneysRun[] = [];
  const coverage: JourneysRun[] = [];
  for (let run = 1; run <= runs; run++) {
    plain.push(await runJourneys({ label: `plain @e2e run ${run}/${runs}` }));
    coverage.push(
      await runJourneys({ label: `E2E_COVERAGE=1 @e2e run ${run}/${runs}`, env: { E2E_COVERAGE: '1' } }),
    );
  }
  let failed = [...plain, ...coverage].some((run) => run.exitCode !== 0);
  const plainMs = median(wallsOf(plain));
  const coverageMs = median(wallsOf(coverage));
  const coverageRun = readCoverageRun();
  const map = readCoverageMap();
  if (!map) throw new Error('The coverage runs wrote no coverage map: read their errors above.');

  const selections: SelectionFigure[] = [];
  const listFile = path.join(repoRoot, '.journeys', 'bench-affected-journeys.txt');
  for (const change of typicalChanges) {
    const impact = selectJourneysHere([{ status: 'modified', file: change.file }], map, repoRoot);
    const list = selectionList(impact);
    if (list === undefined) {
      selections.push({
        ...change,
        journeys: plain[0]?.journeys.size ?? 0,
        selected: null,
        medianMs: plainMs,
        shareOfFullPct: 100,
      });
      continue;
    }
    writeFileSync(listFile, list);
    const timed: JourneysRun[] = [];
    for (let run = 1; run <= runs; run++) {
      timed.push(
        await runJourneys({
          label: `affected by ${change.file}, run ${run}/${runs}`,
          args: ['--project=journeys', `--test-list=${path.relative(repoRoot, listFile)}`],
        }),
      );
    }
    const medianMs = median(wallsOf(timed));
    selections.push({
      ...change,
      journeys: timed.at(-1)?.journeys.size ?? 0,
      selected: impact.journeys.size,
      medianMs,
      shareOfFullPct: (medianMs / plainMs) * 100,
    });
    failed ||= timed.some((run) => run.exitCode !== 0);
  }
  return {
    runs,
    plain: { medianMs: plainMs, eachMs: wallsOf(plain), journeys: plain[0]?.journeys.size ?? 0 },
    coverage: { medianMs: coverageMs, eachMs: wallsOf(coverage), journeys: coverage[0]?.journeys.size ?? 0 },
    overheadPct: overheadPct(plainMs, coverageMs),
    summary: coverageRun?.summary,
    costs: coverageRun && {
      workers: coverageRun.workers,
      reportMs: coverageRun.reportMs,
      mapMs: coverageRun.mapMs,
    },
    selections,
    failed,
  };
}
