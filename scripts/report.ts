/**
 * `npm run report`: builds the Allure report from allure-results into allure-report, with the
 * trends of earlier builds (allurerc.mjs `historyPath`).
 *
 *   npm run report -- [results dir …] [--output <dir>]
 *
 * The output directory is emptied first: Allure only lays a lone report out at the directory's
 * root when the directory starts empty, and a stale root index.html would hide the new report.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/stack/paths.ts';

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
rmSync(output, { recursive: true, force: true });
const run = spawnSync(
  process.execPath,
  [
    path.join(repoRoot, 'node_modules', 'allure', 'cli.js'),
    'generate',
    ...resultsDirs,
    '--output',
    output,
    '--config',
    path.join(repoRoot, 'allurerc.mjs'),
  ],
  // The history file (allurerc.mjs) is found from the working directory: always the repository's.
  { stdio: 'inherit', cwd: repoRoot },
);
process.exitCode = run.status ?? 1;
