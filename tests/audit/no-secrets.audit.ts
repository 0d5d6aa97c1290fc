import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import {
  DEFAULT_SECRET_PATTERNS,
  describeFindings,
  liveSecretPatterns,
  scanRunArtifacts,
} from '../../fixtures/reporting/secret-scanner.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs after the journeys: proves that no live credential reached the Allure results or the
 * Playwright traces the run produced. Redaction is the defence; this is the check that it held.
 */
// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
test('no live secret appears in the Allure results or Playwright traces of the run', async ({}, testInfo) => {
  const report = await scanRunArtifacts({
    allureResultsDir: path.join(repoRoot, 'allure-results'),
    testResultsDir: path.join(repoRoot, 'test-results'),
    patterns: [
      ...DEFAULT_SECRET_PATTERNS,
      ...liveSecretPatterns({ 'bootstrap token': process.env.E2E_BOOTSTRAP_TOKEN }),
    ],
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
