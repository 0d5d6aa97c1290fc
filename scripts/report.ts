/**
 * `npm run report`: builds the Allure report from allure-results into allure-report, with the
 * trends of earlier builds (allurerc.mjs `historyPath`), without Allure's analytics tag, and says
 * where it is and how to open it.
 *
 *   npm run report -- [results dir …] [--output <dir>]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { buildReport, reportReadyMessage } from './report-build.ts';

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { output: { type: 'string', short: 'o', default: 'allure-report' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}: use npm run report -- [results dir …] [--output <dir>].`);
    process.exit(2);
  }
}

const { values, positionals } = parse();
const output = path.resolve(values.output);
const resultsDirs = (positionals.length > 0 ? positionals : ['allure-results']).map((dir) =>
  path.resolve(dir),
);
// The history file (allurerc.mjs) is found from the working directory: always the repository's.
const status = buildReport({ resultsDirs, output, cwd: repoRoot });
if (status === 0) console.log(reportReadyMessage(output));
process.exitCode = status;
