import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { runPlaywrightTest } from './playwright-cli.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The gate reads what the load journey's recordPerfFigures leaves in allure-results once
// allure-playwright has written it: this runs both for real instead of imitating the result files.
test('the gate reads the figures a load journey records through allure-playwright', () => {
  test.setTimeout(90_000);
  // Inside the repository, so the sample resolves @playwright/test and the fixtures as journeys do.
  mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, 'test-results', 'quality-gate-sample-'));
  try {
    const results = path.join(dir, 'allure-results');
    const perfFigures = JSON.stringify(path.join(repoRoot, 'fixtures/reporting/perf-figures.ts'));
    writeFileSync(
      path.join(dir, 'load.journey.ts'),
      `import { test } from '@playwright/test';
import { recordPerfFigures } from ${perfFigures};
test('streams under load', { tag: ['@load', '@perf'] }, async ({}, testInfo) => {
  await test.step('measures the stream', async () => {
    await recordPerfFigures(testInfo, [
      { name: 'stream.eventsPerSecond', value: 4500, unit: 'events/s', better: 'higher', budget: 4000 },
      { name: 'stream.p95LatencyMs', value: 130, unit: 'ms', better: 'lower', budget: 250 },
    ]);
  });
});
`,
    );
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default {
  testDir: ${JSON.stringify(dir)},
  testMatch: '*.journey.ts',
  projects: [{ name: 'load' }],
  outputDir: ${JSON.stringify(path.join(dir, 'test-results'))},
  reporter: [['allure-playwright', { resultsDir: ${JSON.stringify(results)} }]],
};\n`,
    );
    const load = runPlaywrightTest(['--config', path.join(dir, 'sample.config.mjs')], {
      cwd: repoRoot,
    });
    expect(load.status, load.stdout + load.stderr).toBe(0);

    writeFileSync(
      path.join(dir, 'baseline.json'),
      JSON.stringify({
        figures: {
          'stream.eventsPerSecond': { value: 6000, unit: 'events/s', better: 'higher' },
          'stream.p95LatencyMs': { value: 120, unit: 'ms', better: 'lower' },
        },
      }),
    );
    const gate = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'scripts/quality-gate.ts'),
        '--results',
        results,
        '--baseline',
        path.join(dir, 'baseline.json'),
        '--require-perf',
      ],
      { encoding: 'utf8' },
    );
    const output = gate.stdout + gate.stderr;
    expect(gate.status, output).toBe(1);
    expect(output).toContain(': 1 tests, 0 journeys, 1 load.');
    expect(output).toContain(
      'FAIL  perf stream.eventsPerSecond: "stream.eventsPerSecond" is 4,500 events/s, 25% worse than the baseline 6,000 events/s',
    );
    expect(output).toContain(
      'PASS  perf stream.p95LatencyMs: "stream.p95LatencyMs" is 130 ms, within the limit of 144 ms',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
