import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  RUN_ID_LABEL,
  reportersOf,
  startRunResults,
  writesAllureResults,
} from '../../fixtures/reporting/run-results.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';

const cli = path.join(repoRoot, 'node_modules/@playwright/test/cli.js');

test.describe('which runs write Allure results', () => {
  const reporters: Array<[string, ...unknown[]]> = [
    ['list'],
    ['html', { open: 'never' }],
    ['allure-playwright', { resultsDir: 'allure-results' }],
    ['junit', { outputFile: 'test-results/junit.xml' }],
  ];

  test('--list prints the list and writes no report', () => {
    expect(reportersOf(['node', 'playwright', 'test', '--list'], reporters)).toEqual([['list']]);
    expect(reportersOf(['node', 'playwright', 'test'], reporters)).toEqual(reporters);
  });

  test('listing, the UI and a --reporter without allure-playwright write none', () => {
    expect(writesAllureResults(['node', 'playwright', 'test'])).toBe(true);
    expect(writesAllureResults(['node', 'playwright', 'test', '--list'])).toBe(false);
    expect(writesAllureResults(['node', 'playwright', 'test', '--ui'])).toBe(false);
    expect(writesAllureResults(['node', 'playwright', 'test', '--reporter=list'])).toBe(false);
    expect(writesAllureResults(['node', 'playwright', 'test', '--reporter', 'dot,json'])).toBe(false);
    expect(
      writesAllureResults(['node', 'playwright', 'test', '--reporter=blob,allure-playwright,list']),
    ).toBe(true);
  });

  test('a run empties the results folder unless told to keep it, and labels its results', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'run-results-'));
    try {
      const resultsDir = path.join(dir, 'allure-results');
      const earlier = () => {
        mkdirSync(resultsDir, { recursive: true });
        writeFileSync(path.join(resultsDir, 'old-result.json'), '{}');
      };
      const env: NodeJS.ProcessEnv = {};
      const argv = ['node', 'playwright', 'test'];

      earlier();
      const fresh = startRunResults({ resultsDir, argv, keep: false, env, now: new Date(0) });
      expect(existsSync(resultsDir)).toBe(false);
      expect(fresh).toEqual({ runId: `1970-01-01T00:00:00.000Z-${process.pid}`, cleared: true });
      expect(env[`ALLURE_LABEL_${RUN_ID_LABEL}`]).toBe(fresh.runId);

      earlier();
      expect(startRunResults({ resultsDir, argv, keep: true, runId: 'npm-test-1', env })).toEqual({
        runId: 'npm-test-1',
        cleared: false,
      });
      expect(existsSync(path.join(resultsDir, 'old-result.json'))).toBe(true);
      expect(env[`ALLURE_LABEL_${RUN_ID_LABEL}`]).toBe('npm-test-1');

      startRunResults({ resultsDir, argv: [...argv, '--list'], keep: false, env });
      expect(existsSync(path.join(resultsDir, 'old-result.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A Playwright project of its own, run with the suite's shared settings, in this test's output dir
 * (inside the repository, so the reporters resolve as they do for the suite's own configs).
 */
function sampleProject() {
  const dir = test.info().outputPath('sample');
  mkdirSync(dir, { recursive: true });
  const playwrightTest = JSON.stringify(path.join(repoRoot, 'node_modules/@playwright/test/index.mjs'));
  writeFileSync(
    path.join(dir, 'sample.test.ts'),
    `import { test } from ${playwrightTest};
test('one', () => {});
test('two', () => {});
`,
  );
  writeFileSync(
    path.join(dir, 'sample.config.ts'),
    `import path from 'node:path';
import { sharedRunSettings } from ${JSON.stringify(path.join(repoRoot, 'playwright.shared.ts'))};
// The suite's own reporters are named relative to the repository.
const reporter = sharedRunSettings.reporter.map(([name, ...options]) => [
  name.startsWith('./') ? path.join(${JSON.stringify(repoRoot)}, name) : name,
  ...options,
]);
export default { ...sharedRunSettings, reporter, testDir: ${JSON.stringify(dir)}, outputDir: ${JSON.stringify(path.join(dir, 'out'))} };
`,
  );
  const results = path.join(dir, 'allure-results');
  return {
    dir,
    results,
    run(extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
      // What npm test sets for its steps must not leak into the sample's run.
      const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
      for (const name of [
        'E2E_KEEP_RESULTS',
        'E2E_RUN_ID',
        'PLAYWRIGHT_JUNIT_OUTPUT_FILE',
        'PLAYWRIGHT_JUNIT_OUTPUT_NAME',
      ]) {
        if (!(name in extraEnv)) delete env[name];
      }
      const run = spawnSync(process.execPath, [cli, 'test', '-c', 'sample.config.ts', ...extraArgs], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env,
      });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    },
    earlierResult() {
      mkdirSync(results, { recursive: true });
      writeFileSync(
        path.join(results, 'earlier-result.json'),
        JSON.stringify({ uuid: 'earlier', name: 'probes the defences', status: 'skipped', labels: [] }),
      );
    },
    runIds(): string[] {
      return readdirSync(results)
        .filter((name) => name.endsWith('-result.json'))
        .map((name) => {
          const result = JSON.parse(readFileSync(path.join(results, name), 'utf8')) as {
            labels: Array<{ name: string; value: string }>;
          };
          return result.labels.find((label) => label.name === RUN_ID_LABEL)?.value ?? 'none';
        });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test.describe('a Playwright run with the suite settings', () => {
  test.describe.configure({ timeout: 120_000 });

  test('starts allure-results empty and labels its results with one run id', () => {
    const project = sampleProject();
    try {
      project.earlierResult();
      project.run();
      const ids = project.runIds();
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).not.toBe('none');
    } finally {
      project.remove();
    }
  });

  test('adds to allure-results with E2E_KEEP_RESULTS=1, under the E2E_RUN_ID it is given', () => {
    const project = sampleProject();
    try {
      project.earlierResult();
      project.run([], { E2E_KEEP_RESULTS: '1', E2E_RUN_ID: 'npm-test-7' });
      expect(project.runIds().sort()).toEqual(['none', 'npm-test-7', 'npm-test-7']);
    } finally {
      project.remove();
    }
  });

  test('--list writes nothing at all: no Allure results, no HTML report, no JUnit file', () => {
    const project = sampleProject();
    try {
      project.run(['--list']);
      // Before: a "skipped" result for every listed test, which the gate then read as a skipped run.
      expect(readdirSync(project.dir).sort()).toEqual(['sample.config.ts', 'sample.test.ts']);
    } finally {
      project.remove();
    }
  });
});
