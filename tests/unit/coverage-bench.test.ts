import { expect, test } from '@playwright/test';
import { mergedByScript } from '../../fixtures/coverage/coverage-report.ts';
import { costsLine, workerCostsOf } from '../../fixtures/coverage/coverage-run.ts';
import type { Impact } from '../../fixtures/coverage/impact.ts';
import {
  benchFigures,
  type CoverageBench,
  coverageTable,
  overheadPct,
  selectionList,
} from '../../scripts/bench-coverage.ts';

const journey = { file: 'journeys/a.journey.ts', titles: ['a'] };

test("the workers' measuring costs add up over records, a start-up counting one measured stack", () => {
  const costs = workerCostsOf([
    { journey: null, costs: { stackStartMs: 900, platformTakeMs: 40 } },
    { journey, costs: { platformTakeMs: 120, browserTakeMs: 30, attributionMs: 50, recordMs: 5 } },
    { journey, costs: { platformTakeMs: 80, attributionMs: 10 } },
    // A record of a run before costs were recorded counts as a journey, with nothing spent.
    { journey },
  ]);
  expect(costs).toEqual({
    stackStartMs: 900,
    platformTakeMs: 240,
    browserTakeMs: 30,
    attributionMs: 60,
    recordMs: 5,
    measuredStacks: 1,
    journeys: 3,
  });
  expect(costsLine({ workers: costs, reportMs: 4_200, mapMs: 300 })).toBe(
    'Coverage costs: 1 measured stacks started (0.9 s), platform counts taken 0.2 s, browser counts 0.0 s, modules named 0.1 s, records 0.0 s (summed over the workers, 3 journeys); report 4.5 s after the last journey (map 0.3 s).',
  );
});

test("the report gets one entry per script: each script's takes merged, counts of the same ranges added", () => {
  const take = (count: number, inner: number) => ({
    scriptId: '7',
    url: 'file:///app/dist/server.mjs',
    source: 'the bundle',
    functions: [
      {
        functionName: 'score',
        isBlockCoverage: true,
        ranges: [
          { startOffset: 0, endOffset: 100, count },
          { startOffset: 40, endOffset: 60, count: inner },
        ],
      },
    ],
  });
  const app = { scriptId: '9', url: 'file:///app/dist/public/app.js', source: 'app', functions: [] };
  const merged = mergedByScript([take(2, 0), app, take(3, 1)]);
  expect(merged.map(({ url }) => url)).toEqual([take(0, 0).url, app.url]);
  expect(merged[0]?.source).toBe('the bundle');
  expect(merged[0]?.functions).toEqual([
    {
      functionName: 'score',
      isBlockCoverage: true,
      ranges: [
        { startOffset: 0, endOffset: 100, count: 5 },
        { startOffset: 40, endOffset: 60, count: 1 },
      ],
    },
  ]);
  expect(merged[1]).toBe(app);
});

test("coverage mode's overhead is its added wall time in percent of the plain run's", () => {
  expect(overheadPct(60_000, 72_000)).toBe(20);
  expect(overheadPct(60_000, 57_000)).toBe(-5);
  expect(() => overheadPct(0, 10)).toThrow('A plain run of 0 ms cannot be compared with: it must have run.');
});

test('a selection runs as a test list, and one that selects everything is the full run', () => {
  const some: Impact = {
    everything: [],
    journeys: new Map([
      ['journeys/b.journey.ts', ['its journey file changed']],
      ['journeys/a.journey.ts › a', ['runs x']],
    ]),
    notes: [],
  };
  expect(selectionList(some)).toBe('journeys/a.journey.ts › a\njourneys/b.journey.ts\n');
  expect(
    selectionList({ ...some, everything: ['playwright.config.ts is part of every run'] }),
  ).toBeUndefined();
});

const bench: CoverageBench = {
  runs: 1,
  plain: { medianMs: 60_000, eachMs: [60_000], journeys: 28 },
  coverage: { medianMs: 72_000, eachMs: [72_000], journeys: 28 },
  overheadPct: 20,
  summary: {
    lines: { covered: 85, total: 100, pct: 85 },
    branches: { covered: 66, total: 100, pct: 66 },
    functions: { covered: 9, total: 10, pct: 90 },
  },
  costs: {
    workers: {
      stackStartMs: 2_000,
      platformTakeMs: 3_000,
      browserTakeMs: 500,
      attributionMs: 1_000,
      recordMs: 100,
      measuredStacks: 2,
      journeys: 28,
    },
    reportMs: 4_000,
    mapMs: 250,
  },
  selections: [
    {
      kind: 'platform module',
      file: 'containers/api/src/x.ts',
      journeys: 3,
      selected: 3,
      medianMs: 15_000,
      shareOfFullPct: 25,
    },
    {
      kind: 'fixture file',
      file: 'fixtures/y.ts',
      journeys: 28,
      selected: null,
      medianMs: 60_000,
      shareOfFullPct: 100,
    },
  ],
  failed: false,
};

test("the figures file keeps perf/baseline.json's shape: value, unit and better direction per figure", () => {
  const written = benchFigures(bench, { loadAverage: [0.1] });
  expect(written.figures['coverage.overheadPct']).toEqual({ value: 20, unit: '%', better: 'lower' });
  expect(written.figures['coverage.branchesPct']).toEqual({ value: 66, unit: '%', better: 'higher' });
  expect(written.figures['coverage.reportSeconds']).toEqual({ value: 4.3, unit: 's', better: 'lower' });
  expect(written.figures['affected.platformModule.journeys']).toEqual({
    value: 3,
    unit: 'journeys',
    better: 'lower',
  });
  expect(written.figures['affected.fixtureFile.seconds']).toEqual({ value: 60, unit: 's', better: 'lower' });
  expect(written.machine).toEqual({ loadAverage: [0.1] });
  expect(written.failed).toBe(false);
});

test('the table gives the overhead against its goal and each selection against the full run', () => {
  const table = coverageTable(bench);
  expect(table).toContain('| coverage overhead');
  expect(table).toContain('20% (goal <= 25%)');
  expect(table).toContain('| coverage: branches');
  expect(table).toContain('66% (66/100)');
  expect(table).toContain('3 journeys, 15.0 s (25%)');
  expect(table).toContain('28 journeys (all), 60.0 s (100%)');
  expect(table).not.toContain('FAILED');
  expect(coverageTable({ ...bench, failed: true })).toContain('| a run FAILED (see above)');
});
