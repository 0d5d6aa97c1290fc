import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { runPlaywrightTest } from './playwright-cli.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface AllureResult {
  name: string;
  status: string;
  labels: Array<{ name: string; value: string }>;
  parameters: Array<{ name: string; value: string; excluded?: boolean }>;
}

test('journeys get Allure labels from their folder and file, plus seed, stack mode and perf figures once; other tests do not', async () => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'allure-labels-'));
  try {
    const journeyDir = path.join(dir, 'journeys', 'data-scientist');
    mkdirSync(journeyDir, { recursive: true });
    const reporting = JSON.stringify(path.join(repoRoot, 'fixtures/reporting/index.ts'));
    writeFileSync(
      path.join(journeyDir, 'finds-best-detector.journey.ts'),
      `import { test } from ${reporting};
test('finds the best detector for a new sensor dataset', { tag: ['@e2e', '@data-scientist', '@smoke'] }, async () => {});
`,
    );
    // A load journey also sends its figures from its body: allure-playwright once paired those
    // messages with the fixture's wrongly, dropping the labels and seed and listing figures twice.
    const loadDir = path.join(dir, 'journeys', 'production-deployer');
    mkdirSync(loadDir, { recursive: true });
    const perfFigures = JSON.stringify(path.join(repoRoot, 'fixtures/reporting/perf-figures.ts'));
    writeFileSync(
      path.join(loadDir, 'streams-under-load.journey.ts'),
      `import { test } from ${reporting};
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
      path.join(dir, 'plain.test.ts'),
      `import { test } from ${reporting};\ntest('a unit test', async () => {});\n`,
    );
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default {
  testDir: ${JSON.stringify(dir)},
  testMatch: ['**/*.journey.ts', '**/*.test.ts'],
  workers: 1,
  outputDir: ${JSON.stringify(path.join(dir, 'test-results'))},
  reporter: [[${JSON.stringify(path.join(repoRoot, 'node_modules/allure-playwright/dist/esm/index.js'))}, { resultsDir: ${JSON.stringify(path.join(dir, 'allure-results'))} }]],
};`,
    );
    const run = runPlaywrightTest(['--config', path.join(dir, 'sample.config.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, JOURNEYS_RUN_HANDOVER: JSON.stringify({ mode: 'containers' }), E2E_SEED: '' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);

    const results = readdirSync(path.join(dir, 'allure-results'))
      .filter((name) => name.endsWith('-result.json'))
      .map(
        (name) => JSON.parse(readFileSync(path.join(dir, 'allure-results', name), 'utf8')) as AllureResult,
      );
    const journey = results.find(
      (result) => result.name === 'finds the best detector for a new sensor dataset',
    );
    const label = (result: AllureResult | undefined, name: string) =>
      result?.labels.filter((l) => l.name === name).map((l) => l.value);
    expect(label(journey, 'epic')).toEqual(['Data scientist']);
    expect(label(journey, 'feature')).toEqual(['Finds best detector']);
    expect(label(journey, 'story')).toEqual(['finds the best detector for a new sensor dataset']);
    expect(label(journey, 'severity')).toEqual(['critical']);
    expect(label(journey, 'owner')).toEqual(['Data scientist']);
    expect(label(journey, 'tag')?.sort()).toEqual(['data-scientist', 'e2e', 'smoke']);
    expect(journey?.parameters).toEqual(
      expect.arrayContaining([
        { name: 'stack mode', value: 'containers' },
        { name: 'seed', value: expect.stringMatching(/^\d+$/), excluded: true },
      ]),
    );

    const load = results.find((result) => result.name === 'streams under load');
    expect(label(load, 'epic')).toEqual(['Production deployer']);
    expect(label(load, 'story')).toEqual(['streams under load']);
    expect(load?.parameters.map((parameter) => parameter.name).toSorted()).toEqual(
      ['seed', 'stack mode', 'stream.eventsPerSecond', 'stream.p95LatencyMs'].toSorted(),
    );
    expect(load?.parameters.find((parameter) => parameter.name === 'stream.p95LatencyMs')?.value).toBe(
      '90 ms (budget <= 250)',
    );

    const plain = results.find((result) => result.name === 'a unit test');
    expect(plain?.status).toBe('passed');
    expect(label(plain, 'epic')).toEqual([]);
    expect(plain?.parameters.map((parameter) => parameter.name)).not.toContain('seed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
