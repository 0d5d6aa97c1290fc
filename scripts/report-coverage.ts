import { existsSync } from 'node:fs';
import {
  type CoverageSummary,
  percent,
  readCoverageSummary,
  unreachedFile,
} from '../fixtures/coverage/coverage-summary.ts';
import { RUN_ID_LABEL } from '../fixtures/reporting/run-results.ts';
import { readAllureResults } from './allure-results.ts';

/**
 * What the Allure report shows of coverage: the journeys' coverage of the platform in its
 * environment, and what no journey reaches as a global attachment, both only when the coverage in
 * coverage/ was measured by the run the report is of (a plain run after a coverage run says so
 * instead of showing the older run's numbers).
 */

export const COVERAGE_VARIABLE = 'Platform coverage by journeys';

/** The coverage summary of the run in these results, if that run measured coverage. */
export function coverageOfRun(
  resultsDirs: readonly string[],
  summaryFile?: string,
): CoverageSummary | undefined {
  let summary: CoverageSummary | undefined;
  try {
    summary = readCoverageSummary(summaryFile);
  } catch {
    return undefined;
  }
  if (!summary?.runId) return undefined;
  const runIds = new Set(
    resultsDirs
      .flatMap((dir) => readAllureResults(dir))
      .map((result) => result.labels?.find((label) => label.name === RUN_ID_LABEL)?.value),
  );
  return runIds.size === 1 && runIds.has(summary.runId) ? summary : undefined;
}

export function coverageVariables(summary: CoverageSummary | undefined): Record<string, string> {
  return {
    [COVERAGE_VARIABLE]: summary
      ? `lines ${percent(summary.lines)}% (${summary.lines.covered}/${summary.lines.total}), branches ${percent(summary.branches)}% (${summary.branches.covered}/${summary.branches.total}); unreached-by-journeys.md lists what no journey reaches`
      : 'not measured in this run (npm run coverage measures it)',
  };
}

/** The report's global attachments: the list of what no journey reaches, when this run measured it. */
export function coverageAttachments(summary: CoverageSummary | undefined): string[] {
  return summary && existsSync(unreachedFile) ? [unreachedFile] : [];
}
