import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { compareFigure } from '../../scripts/quality-gate-rules.ts';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/quality-gate.ts');

interface Figure {
  name: string;
  value: number;
  unit: string;
  better: 'higher' | 'lower';
  budget?: number;
}

interface ResultSpec {
  name: string;
  status: 'passed' | 'failed' | 'broken' | 'skipped';
  tags: string[];
  /** Playwright's project, which allure-playwright records as the parent suite. */
  project?: string;
  /** Attached as perf-figures.json inside a step, where allure-playwright files attachments. */
  figures?: Figure[] | string;
  message?: string;
  stop?: number;
  historyId?: string;
  /** The run id label every run's results carry (fixtures/reporting/run-results.ts). */
  runId?: string;
}

/** A results directory shaped like allure-playwright's, and a baseline file beside it. */
class RunFixture {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'quality-gate-'));
  readonly results = path.join(this.dir, 'allure-results');
  readonly baseline = path.join(this.dir, 'baseline.json');
  #count = 0;

  constructor() {
    mkdirSync(this.results);
  }

  result(spec: ResultSpec): this {
    this.#count += 1;
    const uuid = `r${this.#count}`;
    const attachments = [];
    if (spec.figures !== undefined) {
      const source = `${uuid}-attachment.json`;
      writeFileSync(
        path.join(this.results, source),
        typeof spec.figures === 'string' ? spec.figures : JSON.stringify({ figures: spec.figures }),
      );
      attachments.push({ name: 'perf-figures.json', source, type: 'application/json' });
    }
    writeFileSync(
      path.join(this.results, `${uuid}-result.json`),
      JSON.stringify({
        uuid,
        name: spec.name,
        fullName: `journeys/${spec.name}`,
        historyId: spec.historyId ?? `history-${spec.name}`,
        status: spec.status,
        statusDetails: spec.message ? { message: spec.message } : {},
        stop: spec.stop ?? this.#count,
        labels: [
          ...spec.tags.map((tag) => ({ name: 'tag', value: tag.replace(/^@/, '') })),
          { name: 'parentSuite', value: spec.project ?? 'journeys' },
          ...(spec.runId ? [{ name: 'runId', value: spec.runId }] : []),
        ],
        steps: [{ name: 'measures the stream', steps: [], attachments }],
        attachments: [],
      }),
    );
    return this;
  }

  withBaseline(
    figures: Record<string, { value: number; unit: string; better: 'higher' | 'lower'; project?: 'stress' }>,
  ): this {
    writeFileSync(this.baseline, JSON.stringify({ figures }));
    return this;
  }

  gate(...extra: string[]) {
    const run = spawnSync(
      process.execPath,
      [
        script,
        '--results',
        this.results,
        '--baseline',
        this.baseline,
        // No coverage summary: the coverage rules are the subject of quality-gate-coverage.test.ts.
        '--coverage-summary',
        path.join(this.dir, 'no-coverage-summary.json'),
        ...extra,
      ],
      { encoding: 'utf8' },
    );
    return { status: run.status, output: run.stdout + run.stderr, lines: run.stdout.split('\n') };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let run: RunFixture;
test.beforeEach(() => {
  run = new RunFixture();
});
test.afterEach(() => run.remove());

const securityPassed = (name = 'probes the defences') => ({
  name,
  status: 'passed' as const,
  tags: ['@e2e', '@security-analyst', '@security'],
});
const throughput = (value: number): Figure => ({
  name: 'ingest throughput',
  value,
  unit: 'msg/s',
  better: 'higher',
  budget: 500,
});
const latency = (value: number): Figure => ({
  name: 'alert latency p95',
  value,
  unit: 'ms',
  better: 'lower',
});
const baselineOf = {
  'ingest throughput': { value: 1000, unit: 'msg/s', better: 'higher' as const },
  'alert latency p95': { value: 200, unit: 'ms', better: 'lower' as const },
};
const loadJourney = (figures: Figure[] | string | undefined, status: ResultSpec['status'] = 'passed') => ({
  name: 'streams a day of telemetry',
  status,
  tags: ['@load'],
  project: 'load',
  figures,
});

test.describe('quality gate', () => {
  test('passes a run whose security tests passed and whose figures hold, with a table of what it checked', () => {
    run
      .result(securityPassed())
      .result({ name: 'finds the best detector', status: 'passed', tags: ['@e2e', '@smoke'] })
      .result(loadJourney([throughput(950), latency(230)]))
      .withBaseline(baselineOf);
    const { status, output, lines } = run.gate('--require-perf');
    expect(status, output).toBe(0);
    expect(lines[0]).toMatch(/^Quality gate over .*: 3 tests, 2 journeys, 1 load\.$/);
    expect(lines[1]).toMatch(/^ {2}check\s+measured\s+expected$/);
    expect(output).toMatch(/@security tests\s+1 of 1 passed\s+all pass/);
    expect(output).toMatch(/perf ingest throughput\s+950 msg\/s\s+≥ 800 msg\/s \(baseline 1,000 msg\/s\)/);
    expect(output).toMatch(/perf alert latency p95\s+230 ms\s+≤ 240 ms \(baseline 200 ms\)/);
    expect(output).toContain('PASS  @security tests: All 1 @security tests passed.');
    expect(output).toContain('PASS  perf ingest throughput:');
    expect(output).toContain('PASS  one run: The results are of one run.');
    expect(output).toContain(
      'NOTE  coverage against baseline: Coverage rules not evaluated: this run recorded no coverage (run npm run coverage, then npm run quality-gate, to evaluate them).',
    );
    expect(output).toContain('quality gate: passed (6 checks in 5 Allure rules)');
  });

  test('fails when a security test did not pass, naming it and why', () => {
    run
      .result(securityPassed())
      .result({
        ...securityPassed('verifies tenant isolation'),
        status: 'failed',
        message: 'Error: expect(received).toBe(expected)\n\nExpected: 404\nReceived: 200',
      })
      .result({ ...securityPassed('gets 429 after bursts'), status: 'skipped' });
    const { status, output } = run.gate();
    expect(status, output).toBe(1);
    expect(output).toMatch(/@security tests\s+1 of 3 passed/);
    expect(output).toContain(
      'FAIL  @security tests: 2 @security tests did not pass, "verifies tenant isolation" (failed: Error: expect(received).toBe(expected)), "gets 429 after bursts" (skipped): open them in the Allure report',
    );
    expect(output).toContain(
      'quality gate: FAILED (1 of 5 checks; Allure rules failed: release/securityPassed)',
    );
  });

  test('judges a retried test by its last attempt', () => {
    run
      .result({ ...securityPassed(), status: 'failed', stop: 10 })
      .result({ ...securityPassed(), status: 'passed', stop: 20 });
    expect(run.gate().output).toContain('PASS  @security tests: All 1 @security tests passed.');
    run.result({ ...securityPassed(), status: 'broken', stop: 30 });
    const { status, output } = run.gate();
    expect(status).toBe(1);
    expect(output).toContain('"probes the defences" (broken)');
  });

  test('fails when journeys ran but no security test did', () => {
    run.result({ name: 'finds the best detector', status: 'passed', tags: ['@e2e', '@smoke'] });
    const { status, output } = run.gate();
    expect(status, output).toBe(1);
    expect(output).toContain('FAIL  @security tests: No @security test ran although 1 journeys did');
  });

  test('asks for a stress figure only when the stress journeys ran', () => {
    const recovery = {
      name: 'spike.recoveryMs',
      value: 7000,
      unit: 'ms',
      better: 'lower' as const,
      budget: 10000,
    };
    const withStress = {
      ...baselineOf,
      'spike.recoveryMs': { value: 6000, unit: 'ms', better: 'lower' as const, project: 'stress' as const },
    };
    run
      .result(securityPassed())
      .result(loadJourney([throughput(950), latency(230)]))
      .withBaseline(withStress);
    const loadOnly = run.gate('--require-perf');
    expect(loadOnly.status, loadOnly.output).toBe(0);
    expect(loadOnly.output).toContain(
      'NOTE  perf spike.recoveryMs: "spike.recoveryMs" is measured by the stress journeys, and none ran (npm run bench -- stress runs them).',
    );

    run.result({ name: 'absorbs a spike', status: 'failed', tags: ['@stress'], project: 'stress' });
    const stressFailed = run.gate('--require-perf');
    expect(stressFailed.status, stressFailed.output).toBe(1);
    expect(stressFailed.output).toContain(
      'FAIL  perf spike.recoveryMs: The load journey reported no figure "spike.recoveryMs"',
    );

    run.result({
      name: 'absorbs a spike',
      status: 'passed',
      tags: ['@stress'],
      project: 'stress',
      figures: [recovery],
      stop: 99,
    });
    const stressPassed = run.gate('--require-perf');
    expect(stressPassed.output).toContain(
      'PASS  perf spike.recoveryMs: "spike.recoveryMs" is 7,000 ms, within the limit of 7,200 ms',
    );
  });

  test('says perf was not measured without load results, and fails on it only with --require-perf', () => {
    run.result({ name: 'parses a CSV', status: 'passed', tags: [] }).withBaseline(baselineOf);
    const relaxed = run.gate();
    expect(relaxed.status, relaxed.output).toBe(0);
    expect(relaxed.output).toContain('NOTE  @security tests: Not checked');
    expect(relaxed.output).toContain('NOTE  perf figures: Perf was not measured');
    const strict = run.gate('--require-perf');
    expect(strict.status).toBe(1);
    expect(strict.output).toContain(
      'FAIL  perf figures: Perf was not measured, since no load journey is in the results: run npm run load before the gate.',
    );
  });

  test('fails a higher-better figure more than 20% below its baseline, and says by how much', () => {
    run
      .result(securityPassed())
      .result(loadJourney([throughput(790), latency(200)]))
      .withBaseline(baselineOf);
    const { status, output } = run.gate();
    expect(status, output).toBe(1);
    expect(output).toContain(
      'FAIL  perf ingest throughput: "ingest throughput" is 790 msg/s, 21% worse than the baseline 1,000 msg/s (the limit is 800 msg/s): find the change',
    );
    expect(output).toContain('PASS  perf alert latency p95');
  });

  test('fails a lower-better figure more than 20% above its baseline', () => {
    run
      .result(securityPassed())
      .result(loadJourney([throughput(1000), latency(241)]))
      .withBaseline(baselineOf);
    const { status, output } = run.gate();
    expect(status, output).toBe(1);
    expect(output).toContain('FAIL  perf alert latency p95: "alert latency p95" is 241 ms, 20.5% worse');
  });

  test('fails when a baseline figure is missing although the load journey ran', () => {
    run.result(securityPassed()).result(loadJourney(undefined, 'failed')).withBaseline(baselineOf);
    const { status, output } = run.gate();
    expect(status, output).toBe(1);
    expect(output).toMatch(/perf ingest throughput\s+missing/);
    expect(output).toContain(
      'FAIL  perf alert latency p95: The load journey reported no figure "alert latency p95", which',
    );
    expect(output).toContain(
      'quality gate: FAILED (2 of 6 checks; Allure rules failed: release/perfWithinBaseline)',
    );
  });

  test('notes a figure the baseline does not have yet, without failing on it', () => {
    run
      .result(securityPassed())
      .result(loadJourney([throughput(1000), latency(200), { ...latency(90), name: 'query p50' }]))
      .withBaseline(baselineOf);
    const { status, output } = run.gate();
    expect(status, output).toBe(0);
    expect(output).toContain('NOTE  perf query p50: "query p50" has no baseline yet: add it to');
  });

  test('fails with a plain sentence on a missing or malformed baseline and on unreadable figures', () => {
    run.result(securityPassed()).result(loadJourney([throughput(1000)]));
    let gate = run.gate();
    expect(gate.status).toBe(1);
    expect(gate.output).toContain('FAIL  perf baseline: There is no perf baseline at');

    writeFileSync(run.baseline, '{"figures": {"ingest throughput": {"value": "fast"}}}');
    gate = run.gate();
    expect(gate.status).toBe(1);
    expect(gate.output).toMatch(
      /FAIL {2}perf baseline: .*baseline\.json does not have the baseline's shape \(figures\.ingest throughput\.value: /,
    );

    run
      .withBaseline(baselineOf)
      .result({ ...loadJourney('{"figures": [{"name": 3}]}'), name: 'second load' });
    gate = run.gate();
    expect(gate.status).toBe(1);
    expect(gate.output).toContain(
      'FAIL  perf-figures.json of "second load": The perf-figures.json attached to "second load" could not be read',
    );
  });

  test('refuses an unknown option with what to type instead', () => {
    const { status, output } = run.gate('--baseline-file', 'x');
    expect(status).toBe(2);
    expect(output).toContain(
      'use npm run quality-gate -- [--results <dir>] [--baseline <file>] [--coverage-baseline <file>] [--coverage-summary <file>] [--require-perf] [--require-coverage]',
    );
  });
});

test.describe('comparing a figure with its baseline', () => {
  test('allows exactly 20% worse and no more, in either direction', () => {
    expect(compareFigure(800, { value: 1000, better: 'higher' })).toMatchObject({ passed: true, limit: 800 });
    expect(compareFigure(799.9, { value: 1000, better: 'higher' }).passed).toBe(false);
    expect(compareFigure(5000, { value: 1000, better: 'higher' }).passed).toBe(true);
    expect(compareFigure(240, { value: 200, better: 'lower' })).toMatchObject({ passed: true, limit: 240 });
    expect(compareFigure(240.1, { value: 200, better: 'lower' }).passed).toBe(false);
    expect(compareFigure(1, { value: 200, better: 'lower' }).passed).toBe(true);
  });

  test('a lower-better baseline of 0 fails on any value above 0', () => {
    expect(compareFigure(0, { value: 0, better: 'lower' }).passed).toBe(true);
    expect(compareFigure(0.001, { value: 0, better: 'lower' })).toMatchObject({
      passed: false,
      worseBy: Number.POSITIVE_INFINITY,
    });
  });
});

test('refuses to judge results of several runs mixed together, and says so', () => {
  // A person's earlier run left a failed and a skipped @security journey; the latest run passed.
  run
    .result({ ...securityPassed('verifies tenant isolation'), status: 'failed', runId: 'run-a', stop: 1 })
    .result({ ...securityPassed('probes the defences'), status: 'skipped', runId: 'run-a', stop: 2 })
    .result({ ...securityPassed('verifies tenant isolation'), runId: 'run-b', stop: 10 })
    .result({ name: 'a unit test', status: 'passed', tags: [], runId: 'run-b', stop: 11 })
    .withBaseline(baselineOf);
  const { status, lines } = run.gate();
  expect(status).toBe(1);
  expect(lines.filter((line) => /^(PASS|FAIL|NOTE) /.test(line))).toEqual([
    'FAIL  one run: The results hold 2 runs (run-a: 2 tests, run-b: 2 tests), and the gate judges one run at a time: run the tests again without E2E_KEEP_RESULTS=1 (a run starts allure-results empty), give runs that belong together one E2E_RUN_ID, or point --results at the folder of one run.',
  ]);
});

test('judges the results of one run, labelled with one run id, as before', () => {
  run
    .result({ ...securityPassed(), runId: 'npm-test-1' })
    .result({ name: 'a unit test', status: 'passed', tags: [], runId: 'npm-test-1' })
    .withBaseline(baselineOf);
  const { status, output } = run.gate();
  expect(status, output).toBe(0);
  expect(output).toContain('PASS  @security tests: All 1 @security tests passed.');
});
