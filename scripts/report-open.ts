/**
 * `npm run report:open`: serves a built Allure report and opens it in the default browser, with
 * Allure's own server (`allure open`, offline; it prints "Allure is running on http://localhost:N").
 *
 *   npm run report:open -- [report dir] [--port <n>]
 *
 * Why served and not a single file: the report fetches its data, which browsers refuse from a
 * file:// page. Allure's `singleFile: true` does open from disk, but it inlines every attachment
 * as base64 into that one page, and a failed journey's attachments include its Playwright trace
 * (megabytes each); Allure aborts such a page once it is too large to hold.
 *
 * The report must exist: given a directory without one, `allure open` would instead build a new
 * report from it, without this suite's history and with Allure's analytics tag back in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/stack/paths.ts';

function parse() {
  try {
    return parseArgs({ allowPositionals: true, options: { port: { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}: use npm run report:open -- [report dir] [--port <n>].`);
    process.exit(2);
  }
}

const { values, positionals } = parse();
if (positionals.length > 1) {
  console.error(`Give one report directory, not ${positionals.length}: npm run report:open -- [report dir].`);
  process.exit(2);
}
const dir = path.resolve(positionals[0] ?? 'allure-report');
if (!existsSync(path.join(dir, 'summary.json')) || !existsSync(path.join(dir, 'index.html'))) {
  console.error(`There is no Allure report in ${dir}: build one first with npm run report.`);
  process.exit(1);
}
const run = spawnSync(
  process.execPath,
  [
    path.join(repoRoot, 'node_modules', 'allure', 'cli.js'),
    'open',
    dir,
    ...(values.port ? ['--port', values.port] : []),
  ],
  { stdio: 'inherit', cwd: repoRoot },
);
process.exitCode = run.status ?? 1;
