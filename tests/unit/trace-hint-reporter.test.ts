import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { traceCommand } from '../../fixtures/reporting/trace-hint-reporter.ts';
import { sharedRunSettings } from '../../playwright.shared.ts';
import { runPlaywrightTest } from './playwright-cli.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const reporterModule = path.join(repoRoot, 'fixtures/reporting/trace-hint-reporter.ts');

test('a run ends with one npm run trace line per failed test, after the list output', () => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'trace-hint-'));
  try {
    const playwrightTest = JSON.stringify(path.join(repoRoot, 'node_modules/@playwright/test/index.js'));
    writeFileSync(
      path.join(dir, 'sample.test.ts'),
      `import { expect, test } from ${playwrightTest};
test('passes', async () => {});
test('fails on its assertion', async () => { expect(1).toBe(2); });
test('fails once, then passes', async ({}, testInfo) => { expect(testInfo.retry).toBe(1); });
test('is skipped', async () => { test.skip(true, 'not this time'); });
`,
    );
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default {
  testDir: ${JSON.stringify(dir)},
  workers: 1,
  retries: 1,
  outputDir: ${JSON.stringify(path.join(dir, 'test-results'))},
  use: { trace: 'on' },
  reporter: [['list'], [${JSON.stringify(reporterModule)}]],
};`,
    );
    const run = runPlaywrightTest(['--config', path.join(dir, 'sample.config.mjs')], {
      cwd: dir,
      env: { ...process.env, CI: '', FORCE_COLOR: '0' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    const hints = lines.filter((line) => line.startsWith('Trace of '));
    expect(hints, run.stdout).toEqual([
      expect.stringMatching(
        /^Trace of "fails on its assertion": npm run trace -- test-results\/\S+\/trace\.zip$/,
      ),
    ]);
    // The line ends the run, after the list reporter's summary.
    expect(lines.at(-1)).toBe(hints[0]);
    const tracePath = hints[0]?.split('npm run trace -- ')[1] ?? '';
    expect(existsSync(path.join(dir, tracePath)), tracePath).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the journeys and the unit tests both run the trace hint reporter', () => {
  const reporters = sharedRunSettings.reporter.map(([name]) => name);
  expect(reporters).toContain('./fixtures/reporting/trace-hint-reporter.ts');
  expect(existsSync(path.join(repoRoot, 'fixtures/reporting/trace-hint-reporter.ts'))).toBe(true);
});

test('the trace command names the trace relative to the working directory, quoted when it must be', () => {
  expect(traceCommand('/repo/test-results/artifacts/a-b/trace.zip', '/repo')).toBe(
    'npm run trace -- test-results/artifacts/a-b/trace.zip',
  );
  expect(traceCommand('/elsewhere/trace.zip', '/repo')).toBe('npm run trace -- /elsewhere/trace.zip');
  expect(traceCommand('/repo/my results/trace.zip', '/repo')).toBe('npm run trace -- "my results/trace.zip"');
});
