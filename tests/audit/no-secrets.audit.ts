import path from 'node:path';
import { expect, type FullConfig, test } from '@playwright/test';
import {
  DEFAULT_SECRET_PATTERNS,
  describeFindings,
  liveSecretPatterns,
  scanRunArtifacts,
} from '../../fixtures/reporting/secret-scanner.ts';

/** Where allure-playwright writes, as configured (relative paths resolve from the config's folder). */
function allureResultsDir(config: FullConfig): string {
  const configDir = config.configFile ? path.dirname(config.configFile) : config.rootDir;
  const allure = config.reporter.find(
    ([name]) => name === 'allure-playwright' || name.includes('allure-playwright'),
  );
  const options = (allure?.[1] ?? {}) as { resultsDir?: string };
  return path.resolve(configDir, options.resultsDir ?? 'allure-results');
}

/**
 * Runs after the journeys: proves that no live credential reached the Allure results or the
 * Playwright traces the run produced. Redaction is the defence; this is the check that it held.
 */
// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
test('no live secret appears in the Allure results or Playwright traces of the run', async ({}, testInfo) => {
  const patterns = [
    ...DEFAULT_SECRET_PATTERNS,
    ...liveSecretPatterns({ 'bootstrap token': process.env.E2E_BOOTSTRAP_TOKEN }),
  ];
  const report = await scanRunArtifacts({
    allureResultsDir: allureResultsDir(testInfo.config),
    // Traces live in each project's output folder (which `--output` may move).
    traceDirs: testInfo.config.projects.map((project) => project.outputDir),
    patterns,
  });
  testInfo.annotations.push({
    type: 'scanned',
    description: `${report.allureFiles} Allure result files, ${report.archives} archives (${report.archiveEntries} entries)`,
  });

  // An empty scan would pass whatever leaked: the journeys must have written results first.
  expect(
    report.allureFiles,
    'Allure result files scanned (run the journeys before the audit)',
  ).toBeGreaterThan(0);
  expect(report.findings, `live secrets found:\n${describeFindings(report.findings)}`).toEqual([]);
});
