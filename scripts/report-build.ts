import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { stripAnalyticsFromReport } from './report-analytics.ts';

export interface ReportBuild {
  /** Allure results directories, absolute. */
  resultsDirs: string[];
  /** The report directory, absolute; emptied first. */
  output: string;
  /** Where Allure runs: the history file (allurerc.mjs `historyPath`) is found from here. */
  cwd: string;
}

/**
 * Builds the Allure report offline with the suite's allurerc.mjs, its quality gate evaluated so the
 * report's Quality Gates tab lists the rules (scripts/report-generate.ts), then removes the analytics tag
 * Allure puts into every report page (scripts/report-analytics.ts). Returns Allure's exit status.
 *
 * The output directory is emptied first: Allure only lays a lone report out at the directory's
 * root when the directory starts empty, and a stale root index.html would hide the new report.
 */
export function buildReport({ resultsDirs, output, cwd }: ReportBuild): number {
  rmSync(output, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'report-generate.ts'), 'generate', ...resultsDirs, '--output', output],
    { stdio: 'inherit', cwd },
  );
  if (run.status !== 0) return run.status ?? 1;
  stripAnalyticsFromReport(output);
  return 0;
}

/**
 * What `npm run report` ends with: where the report is, and the one command that opens it. The
 * report fetches its data, which a browser refuses from a file:// page, so opening index.html from
 * disk spins forever: it has to be served.
 */
export function reportReadyMessage(output: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, output) || '.';
  const shown = relative.startsWith('..') ? output : relative;
  const open =
    path.resolve(cwd, 'allure-report') === output ? 'npm run report:open' : `npm run report:open -- ${shown}`;
  return `Allure report written to ${path.join(shown, 'index.html')}; open it with \`${open}\` (it has to be served: from disk it never finishes loading).`;
}
