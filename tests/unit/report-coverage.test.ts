import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { summarizeCoverage } from '../../fixtures/coverage/coverage-summary.ts';
import {
  COVERAGE_VARIABLE,
  coverageAttachments,
  coverageOfRun,
  coverageVariables,
} from '../../scripts/report-coverage.ts';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'report-coverage-'));
  mkdirSync(path.join(dir, 'allure-results'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

const resultOfRun = (runId: string, uuid = 'a') =>
  writeFileSync(
    path.join(dir, 'allure-results', `${uuid}-result.json`),
    JSON.stringify({ uuid, name: 'a journey', status: 'passed', labels: [{ name: 'runId', value: runId }] }),
  );
const summaryOfRun = (runId: string) => {
  const file = path.join(dir, 'coverage-summary.json');
  const summary = summarizeCoverage(
    [
      {
        sourcePath: 'containers/api/src/auth/sign-in.ts',
        summary: { lines: { covered: 9, total: 12 }, branches: { covered: 1, total: 4 } },
      },
    ],
    runId,
  );
  writeFileSync(file, JSON.stringify(summary));
  return file;
};

test("the report shows the coverage of its own run, and says a plain run's was not measured", () => {
  resultOfRun('run-1');
  const file = summaryOfRun('run-1');
  const summary = coverageOfRun([path.join(dir, 'allure-results')], file);
  expect(coverageVariables(summary)).toEqual({
    [COVERAGE_VARIABLE]:
      'lines 75% (9/12), branches 25% (1/4); unreached-by-journeys.md lists what no journey reaches',
  });

  // A plain run after the coverage run: its results carry another run id.
  rmSync(path.join(dir, 'allure-results', 'a-result.json'));
  resultOfRun('run-2');
  const plain = coverageOfRun([path.join(dir, 'allure-results')], file);
  expect(plain).toBeUndefined();
  expect(coverageVariables(plain)).toEqual({
    [COVERAGE_VARIABLE]: 'not measured in this run (npm run coverage measures it)',
  });
  expect(coverageAttachments(plain)).toEqual([]);
});

test('results of several runs, or no summary at all, show no coverage', () => {
  resultOfRun('run-1', 'a');
  resultOfRun('run-2', 'b');
  expect(coverageOfRun([path.join(dir, 'allure-results')], summaryOfRun('run-1'))).toBeUndefined();
  expect(coverageOfRun([path.join(dir, 'allure-results')], path.join(dir, 'none.json'))).toBeUndefined();
});
