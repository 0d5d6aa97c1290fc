import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import {
  type CoverageSummary,
  moduleOf,
  type ReportedFile,
  summarizeCoverage,
  unreachedMarkdown,
} from '../../fixtures/coverage/coverage-summary.ts';
import {
  baselineFromSummary,
  checkCoverageBaseline,
  checkModuleFloors,
  coverageNotEvaluated,
  floorFor,
} from '../../scripts/coverage-gate-rules.ts';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/quality-gate.ts');

/** A file as monocart-coverage-reports reports it: `covered` of `total` lines, the rest hit 0 times. */
function reported(
  name: string,
  lines: [number, number],
  branches: [number, number] = [0, 0],
  missedFrom = lines[0] + 1,
): ReportedFile {
  const [covered, total] = lines;
  const hits: Record<string, number> = {};
  for (let line = 1; line <= total; line += 1) {
    hits[String(line)] = line >= missedFrom && line < missedFrom + (total - covered) ? 0 : 3;
  }
  return {
    sourcePath: `containers/api/src/${name}`,
    summary: {
      lines: { covered, total },
      branches: { covered: branches[0], total: branches[1] },
    },
    data: { lines: hits },
  };
}

// The platform as measured: four modules, one of them the file at the top level.
const measured = (): ReportedFile[] => [
  reported('auth/sign-in.ts', [90, 100], [9, 10]),
  reported('auth/tokens.ts', [50, 50], [5, 5]),
  reported('exports/csv.ts', [40, 50], [4, 10]),
  reported('exports/pdf.ts', [0, 10], [0, 2]),
  reported('server.ts', [20, 20]),
  reported('routes/api.ts', [800, 1000]),
  // Not the platform's own source: left out.
  {
    sourcePath: 'node_modules/zod/index.js',
    summary: { lines: { covered: 0, total: 999 }, branches: { covered: 0, total: 99 } },
  },
];

test.describe('the coverage summary', () => {
  test('counts the platform by module, a module being a folder of containers/api/src', () => {
    const summary = summarizeCoverage(measured(), 'run-1');
    expect(summary.runId).toBe('run-1');
    expect(summary.lines).toEqual({ covered: 1000, total: 1230 });
    expect(summary.branches).toEqual({ covered: 18, total: 27 });
    expect(summary.modules).toEqual({
      '(top level)': { lines: { covered: 20, total: 20 }, branches: { covered: 0, total: 0 } },
      auth: { lines: { covered: 140, total: 150 }, branches: { covered: 14, total: 15 } },
      exports: { lines: { covered: 40, total: 60 }, branches: { covered: 4, total: 12 } },
      routes: { lines: { covered: 800, total: 1000 }, branches: { covered: 0, total: 0 } },
    });
    expect(summary.files['containers/api/src/auth/sign-in.ts']?.unreached).toEqual(['91-100']);
    expect(moduleOf('containers/api/src/streaming/event-store.ts')).toBe('streaming');
  });

  test('lists what no journey reaches by module, most lines first, files never run named as such', () => {
    const text = unreachedMarkdown(summarizeCoverage(measured(), 'run-1'));
    expect(text).toContain(
      '## exports: 20 lines never run, 0 run in part, of 60 (lines 66.67%, branches 33.33%)\n\n- exports/pdf.ts: never run\n- exports/csv.ts: lines 41-50\n',
    );
    expect(text.indexOf('## exports')).toBeLessThan(text.indexOf('## auth'));
    expect(text).toContain('## auth: 10 lines never run, 0 run in part, of 150');
    expect(text).toContain('All of containers/api/src: lines 81.3% (1000/1230), branches 66.67% (18/27).');
    expect(text.indexOf('## routes: 200 lines never run')).toBeLessThan(text.indexOf('## exports'));
    expect(text).not.toContain('(top level)');
  });
});

test.describe('coverage rules', () => {
  const baseline = () => baselineFromSummary(summarizeCoverage(measured(), 'run-0'), 'a test');

  test('a module floor is its measured line coverage less 2 points or 3 lines, whichever is lower, to a whole percent', () => {
    expect(floorFor({ covered: 140, total: 150 })).toBe(91); // 93.33% measured: 2 points, or 3 lines (91.33%)
    expect(floorFor({ covered: 800, total: 1000 })).toBe(78); // 80%: 2 points (3 lines would be 79.7%)
    expect(floorFor({ covered: 30, total: 45 })).toBe(60); // 66.67%: 3 lines (2 points would be 64.67%)
    expect(floorFor({ covered: 1, total: 100 })).toBe(0);
    expect(baseline().modules.auth?.floor).toBe(91);
    expect(baseline().modules.exports?.floor).toBe(61);
  });

  test('allows a point under the baseline and no more, and names the module and files that lost lines', () => {
    // 1,230 lines at 81.3%: 988 covered is 80.33% (0.97 under), 987 is 80.24% (1.06 under).
    const lose = (lines: number) =>
      summarizeCoverage(
        measured().map((file) =>
          file.sourcePath.endsWith('auth/sign-in.ts')
            ? reported('auth/sign-in.ts', [90 - lines, 100], [9, 10])
            : file,
        ),
        'run-1',
      );
    const [linesWithin] = checkCoverageBaseline(lose(12), baseline(), 1, 'perf/coverage-baseline.json');
    expect(linesWithin?.verdict).toBe('PASS');
    const [linesOver, branches] = checkCoverageBaseline(
      lose(13),
      baseline(),
      1,
      'perf/coverage-baseline.json',
    );
    expect(linesOver).toMatchObject({
      check: 'coverage lines',
      verdict: 'FAIL',
      measured: '80.24% (987/1230)',
      expected: '≥ 80.3% (baseline 81.3%)',
    });
    expect(linesOver?.sentence).toContain(
      '1.06 points under the baseline 81.3% (1 point allowed); lines lost in auth −13 lines (auth/sign-in.ts −13): find the journey step',
    );
    expect(branches?.verdict).toBe('PASS');
  });

  test('fails on branches as on lines', () => {
    const fewerBranches = summarizeCoverage(
      measured().map((file) =>
        file.sourcePath.endsWith('auth/sign-in.ts') ? reported('auth/sign-in.ts', [90, 100], [8, 10]) : file,
      ),
      'run-1',
    );
    const [lines, branches] = checkCoverageBaseline(fewerBranches, baseline(), 1, 'b.json');
    expect(lines?.verdict).toBe('PASS');
    expect(branches).toMatchObject({
      check: 'coverage branches',
      verdict: 'FAIL',
      measured: '62.96% (17/27)',
    });
  });

  test('fails a module under its floor, naming it and the lines it lost, while the whole stays within a point', () => {
    // exports loses 4 lines: 60% < its floor of 61%; the platform loses under a point.
    const summary = summarizeCoverage(
      measured().map((file) =>
        file.sourcePath.endsWith('exports/csv.ts') ? reported('exports/csv.ts', [36, 50], [4, 10]) : file,
      ),
      'run-1',
    );
    expect(checkCoverageBaseline(summary, baseline(), 1, 'b.json').map((check) => check.verdict)).toEqual([
      'PASS',
      'PASS',
    ]);
    const [floors] = checkModuleFloors(summary, baseline(), 'perf/coverage-baseline.json');
    expect(floors).toMatchObject({
      check: 'coverage module floors',
      verdict: 'FAIL',
      measured: '1 of 4 under',
    });
    expect(floors?.sentence).toBe(
      'exports covers 60% (36/60) of its lines, under its floor of 61% (baseline 66.67%), exports −4 lines (exports/csv.ts −4): find the journey step that stopped reaching it, or, if the code is gone for good, refresh perf/coverage-baseline.json (npm run quality-gate -- --write-coverage-baseline) in the same commit.',
    );
  });

  test('passes modules at their floor, notes a module without one, and fails one that is gone', () => {
    const [passing] = checkModuleFloors(summarizeCoverage(measured(), 'run-1'), baseline(), 'b.json');
    expect(passing).toMatchObject({ verdict: 'PASS', measured: '4 modules at or above' });
    expect(passing?.sentence).toContain('the closest is routes, 2 points above its floor');

    const withNew = summarizeCoverage([...measured(), reported('billing/invoices.ts', [5, 10])], 'run-1');
    const checks = checkModuleFloors(withNew, baseline(), 'b.json');
    expect(checks.map((check) => check.verdict)).toEqual(['PASS', 'NOTE']);
    expect(checks[1]?.sentence).toContain('billing 50% has no floor yet');

    const without = summarizeCoverage(
      measured().filter((file) => !file.sourcePath.includes('/exports/')),
      'run-1',
    );
    const [gone] = checkModuleFloors(without, baseline(), 'b.json');
    expect(gone?.verdict).toBe('FAIL');
    expect(gone?.sentence).toContain('exports is gone from the coverage report');
  });

  test('judge only a run that measured coverage itself', () => {
    const summary = summarizeCoverage(measured(), 'run-1');
    expect(coverageNotEvaluated(summary, 'run-1')).toBeUndefined();
    expect(coverageNotEvaluated(undefined, 'run-1')).toBe(
      'Coverage rules not evaluated: this run recorded no coverage (run npm run coverage, then npm run quality-gate, to evaluate them).',
    );
    expect(coverageNotEvaluated(summary, 'run-2')).toContain(
      'coverage/coverage-summary.json is of another run (run-1, this one is run-2)',
    );
    expect(coverageNotEvaluated(summary, undefined)).toContain('is of another run');
  });
});

test.describe('the quality gate with coverage', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quality-gate-coverage-'));
    mkdirSync(path.join(dir, 'allure-results'));
    // One passing @security journey of run-1.
    writeFileSync(
      path.join(dir, 'allure-results', 'a-result.json'),
      JSON.stringify({
        uuid: 'a',
        name: 'verifies tenant isolation',
        historyId: 'h-a',
        status: 'passed',
        stop: 1,
        labels: [
          { name: 'tag', value: 'e2e' },
          { name: 'tag', value: 'security' },
          { name: 'runId', value: 'run-1' },
        ],
        steps: [],
      }),
    );
    writeFileSync(
      path.join(dir, 'coverage-baseline.json'),
      JSON.stringify(baselineFromSummary(summarizeCoverage(measured(), 'run-0'), 'a test')),
    );
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeSummary = (summary: CoverageSummary) =>
    writeFileSync(path.join(dir, 'coverage-summary.json'), JSON.stringify(summary));
  const gate = (...extra: string[]) => {
    const run = spawnSync(
      process.execPath,
      [
        script,
        '--results',
        path.join(dir, 'allure-results'),
        '--coverage-baseline',
        path.join(dir, 'coverage-baseline.json'),
        '--coverage-summary',
        path.join(dir, 'coverage-summary.json'),
        ...extra,
      ],
      { encoding: 'utf8' },
    );
    return { status: run.status, output: run.stdout + run.stderr };
  };

  test('fails through Allure when this run lost a module its lines, naming the rule and the module', () => {
    writeSummary(
      summarizeCoverage(
        measured().map((file) =>
          file.sourcePath.endsWith('exports/csv.ts') ? reported('exports/csv.ts', [30, 50], [4, 10]) : file,
        ),
        'run-1',
      ),
    );
    const { status, output } = gate();
    expect(status, output).toBe(1);
    expect(output).toContain(
      'FAIL  coverage module floors: exports covers 50% (30/60) of its lines, under its floor of 61% (baseline 66.67%), exports −10 lines (exports/csv.ts −10)',
    );
    expect(output).toContain(
      "PASS  coverage lines: The journeys cover 80.49% of the platform's lines, 0.81 points under the baseline 81.3%",
    );
    expect(output).toContain(
      'quality gate: FAILED (1 of 6 checks; Allure rules failed: coverage/moduleCoverageFloors)',
    );
  });

  test('passes a run that covers what the baseline did', () => {
    writeSummary(summarizeCoverage(measured(), 'run-1'));
    const { status, output } = gate();
    expect(status, output).toBe(0);
    expect(output).toContain('PASS  coverage lines: The journeys cover 81.3%');
    expect(output).toContain('PASS  coverage module floors: Every platform module covers at least its floor');
  });

  test("does not judge another run's coverage: says so, and fails on it only with --require-coverage", () => {
    writeSummary(summarizeCoverage([reported('exports/csv.ts', [0, 50])], 'run-0'));
    const relaxed = gate();
    expect(relaxed.status, relaxed.output).toBe(0);
    expect(relaxed.output).toContain(
      'NOTE  coverage against baseline: Coverage rules not evaluated: coverage/coverage-summary.json is of another run (run-0, this one is run-1)',
    );
    const strict = gate('--require-coverage');
    expect(strict.status).toBe(1);
    expect(strict.output).toContain('FAIL  coverage module floors: Coverage rules not evaluated');
  });
});
