import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { describeTallies, isUnstable, stabilityOf, tallyJourneys } from '../../scripts/flake-tally.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test.describe('flake tally', () => {
  const report = {
    suites: [
      {
        title: 'data-scientist/finds-best-detector.journey.ts',
        specs: [
          {
            title: 'finds the best detector',
            file: 'data-scientist/finds-best-detector.journey.ts',
            tests: [
              { projectName: 'journeys', status: 'expected' },
              { projectName: 'journeys', status: 'unexpected' },
              { projectName: 'journeys', status: 'expected' },
            ],
          },
        ],
        suites: [
          {
            title: 'when SSO is down',
            specs: [
              {
                title: 'keeps working',
                file: 'data-scientist/finds-best-detector.journey.ts',
                tests: [
                  { projectName: 'resilience', status: 'unexpected' },
                  { projectName: 'resilience', status: 'unexpected' },
                  { projectName: 'resilience', status: 'unexpected' },
                ],
              },
              {
                title: 'exports',
                file: 'data-scientist/finds-best-detector.journey.ts',
                tests: [
                  { projectName: 'journeys', status: 'expected' },
                  { projectName: 'journeys', status: 'expected' },
                  { projectName: 'journeys', status: 'expected' },
                ],
              },
            ],
          },
        ],
      },
    ],
  };

  test('counts each journey per project across repetitions and names the unstable ones first', () => {
    const tallies = tallyJourneys(report);
    expect(tallies.map((tally) => [tally.journey, tally.passed, tally.failed, stabilityOf(tally)])).toEqual([
      ['journeys › data-scientist/finds-best-detector.journey.ts › finds the best detector', 2, 1, 'flaky'],
      [
        'resilience › data-scientist/finds-best-detector.journey.ts › when SSO is down › keeps working',
        0,
        3,
        'failing',
      ],
      [
        'journeys › data-scientist/finds-best-detector.journey.ts › when SSO is down › exports',
        3,
        0,
        'stable',
      ],
    ]);
    expect(isUnstable(tallies)).toBe(true);
    const lines = describeTallies(tallies, 3);
    expect(lines[0]).toMatch(/^ {2}failing +0\/3 passed +resilience › .* › keeps working$/);
    expect(lines[1]).toMatch(/^ {2}flaky +2\/3 passed +journeys › .* › finds the best detector$/);
    expect(lines[2]).toMatch(/^ {2}stable +3\/3 passed +journeys › .* › exports$/);
    expect(lines[3]).toMatch(/^flake-check: 1 flaky and 1 failing of 3 journeys: /);
  });

  test('a stable run says how many journeys passed, leaving skipped ones out of the count', () => {
    const stable = {
      journey: 'journeys › a.journey.ts › steady',
      passed: 2,
      failed: 0,
      flakyRuns: 0,
      skipped: 0,
    };
    const skipped = {
      journey: 'resilience › a.journey.ts › needs containers',
      passed: 0,
      failed: 0,
      flakyRuns: 0,
      skipped: 2,
    };
    expect(isUnstable([stable, skipped])).toBe(false);
    expect(describeTallies([stable, skipped], 2).at(-1)).toBe(
      'flake-check: all 1 journeys passed 2 times out of 2 (1 skipped).',
    );
    expect(describeTallies([{ ...stable, passed: 1 }], 1).at(-1)).toBe(
      'flake-check: all 1 journeys passed their 1 run.',
    );
  });

  test('a run where nothing ran is not a pass', () => {
    expect(isUnstable([])).toBe(true);
    expect(describeTallies([], 5)).toEqual([
      'flake-check: no journey ran, so nothing was checked: look at the errors above.',
    ]);
  });
});

test.describe('npm run flake-check', () => {
  let dir: string;
  test.beforeEach(() => {
    // Inside the repository so the sample tests resolve @playwright/test from its node_modules.
    mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    dir = mkdtempSync(path.join(repoRoot, 'test-results', 'flake-check-sample-'));
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default { testDir: ${JSON.stringify(dir)}, testMatch: '**/*.journey.ts', workers: 2,
  projects: [{ name: 'journeys', grepInvert: /@load/ }, { name: 'load', grep: /@load/ }] };\n`,
    );
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const flakeCheck = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'scripts/flake-check.ts'),
        '--config',
        path.join(dir, 'sample.config.mjs'),
        '--output',
        path.join(dir, 'out'),
        ...args,
      ],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, FLAKE_CHECK_REPEAT: '' } },
    );

  test('fails on a journey that fails only on some repetitions, and names it', () => {
    test.setTimeout(120_000);
    writeFileSync(
      path.join(dir, 'sample.journey.ts'),
      `import { expect, test } from '@playwright/test';
test('steady', { tag: ['@e2e'] }, async () => { expect(1 + 1).toBe(2); });
// Fails on every other repetition: the shape of a race that loses half the time.
test('races', { tag: ['@e2e', '@resilience'] }, async ({}, testInfo) => {
  expect(testInfo.repeatEachIndex % 2).toBe(0);
});
test('not an e2e journey', async () => { expect(1).toBe(2); });
`,
    );
    const run = flakeCheck('--repeat-each', '2');
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(1);
    expect(output).toContain('flake-check: every @e2e journey 2 times, no retries.');
    expect(output).toMatch(/ {2}flaky +1\/2 passed +journeys › sample\.journey\.ts › races\n/);
    expect(output).toMatch(/ {2}stable +2\/2 passed +journeys › sample\.journey\.ts › steady\n/);
    expect(output).toContain(
      'flake-check: 1 flaky and 0 failing of 2 journeys: journeys › sample.journey.ts › races.',
    );
    // Only @e2e journeys are counted (the source excerpt of the failure may still show its title).
    expect(output).not.toMatch(/passed +\S+ › sample\.journey\.ts › not an e2e journey/);
    expect(output).toMatch(/flake-check: .* of 2 journeys/);
  });

  test('passes when every journey passed every time', () => {
    test.setTimeout(120_000);
    writeFileSync(
      path.join(dir, 'sample.journey.ts'),
      `import { expect, test } from '@playwright/test';
test('steady', { tag: ['@e2e'] }, async () => { expect(1 + 1).toBe(2); });
`,
    );
    const run = flakeCheck('--repeat-each', '3');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('flake-check: all 1 journeys passed 3 times out of 3.');
  });

  test('refuses a repeat count that is not a whole number', () => {
    const run = flakeCheck('--repeat-each', 'many');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('The repeat count must be a whole number of at least 1, not "many"');
  });
});
