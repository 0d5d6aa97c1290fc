import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface AllureResult {
  name: string;
  labels: { name: string; value: string }[];
  parameters: { name: string; value: string }[];
}

// Runs a load journey's reporting for real through allure-playwright: the journey's labels and
// seed come from the reporting fixture, its figures from recordPerfFigures in the body. Allure
// once paired those messages wrongly, filing the load journey under "Suite self-tests" without its
// seed and listing every figure twice.
test('a load journey keeps its labels and seed, and lists each figure once', () => {
  test.setTimeout(90_000);
  mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, 'test-results', 'perf-parameters-sample-'));
  try {
    const results = path.join(dir, 'allure-results');
    const journeyDir = path.join(dir, 'journeys', 'production-deployer');
    mkdirSync(journeyDir, { recursive: true });
    const fixtures = JSON.stringify(path.join(repoRoot, 'fixtures/reporting/fixtures.ts'));
    const perfFigures = JSON.stringify(path.join(repoRoot, 'fixtures/reporting/perf-figures.ts'));
    writeFileSync(
      path.join(journeyDir, 'streams-under-load.journey.ts'),
      `import { test } from ${fixtures};
import { recordPerfFigures } from ${perfFigures};
test('streams under load', { tag: ['@load', '@perf'] }, async ({}, testInfo) => {
  await test.step('a neighbour streams first', async () => {
    await testInfo.attach('neighbour', { body: '{}', contentType: 'application/json' });
  });
  await recordPerfFigures(testInfo, [
    { name: 'stream.eventsPerSecond', value: 5500, unit: 'events/s', better: 'higher', budget: 5000 },
    { name: 'stream.p95LatencyMs', value: 90, unit: 'ms', better: 'lower', budget: 250 },
  ]);
});
`,
    );
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default {
  testDir: ${JSON.stringify(path.join(dir, 'journeys'))},
  testMatch: '**/*.journey.ts',
  projects: [{ name: 'load' }],
  outputDir: ${JSON.stringify(path.join(dir, 'test-results'))},
  reporter: [['allure-playwright', { resultsDir: ${JSON.stringify(results)}, detail: true }]],
};\n`,
    );
    const run = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/@playwright/test/cli.js'),
        'test',
        '--config',
        path.join(dir, 'sample.config.mjs'),
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);

    const [file] = readdirSync(results).filter((name) => name.endsWith('-result.json'));
    const result = JSON.parse(readFileSync(path.join(results, file ?? ''), 'utf8')) as AllureResult;
    const label = (name: string) => result.labels.find((candidate) => candidate.name === name)?.value;
    expect(label('epic')).toBe('Production deployer');
    expect(label('story')).toBe('streams under load');
    expect(result.parameters.map((parameter) => parameter.name).toSorted()).toEqual(
      ['Project', 'seed', 'stack mode', 'stream.eventsPerSecond', 'stream.p95LatencyMs'].toSorted(),
    );
    expect(result.parameters.find((parameter) => parameter.name === 'stream.p95LatencyMs')?.value).toBe(
      '90 ms (budget <= 250)',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
