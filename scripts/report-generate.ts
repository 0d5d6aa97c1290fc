/**
 * `node scripts/report-generate.ts generate <results dir …> --output <dir>`: what
 * `allure generate` does with allurerc.mjs, and also what `allure run` does at its end: Allure's
 * quality gate judges the run, and its results go into the report's Quality Gates tab
 * (scripts/allure-gate.ts). The command line is `allure generate`'s, so allurerc.mjs finds the
 * results directories in it as it does there. Exits 0 when the report was written, whatever the
 * gate says: `npm run quality-gate` is what fails on it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gateReport, runAllureGate } from './allure-gate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { output: { type: 'string', short: 'o' } },
});
const [command, ...dirs] = positionals;
if (command !== 'generate' || !values.output || dirs.length === 0) {
  console.error('use node scripts/report-generate.ts generate <results dir …> --output <dir>.');
  process.exit(2);
}
const missing = dirs.filter((dir) => !existsSync(dir));
if (missing.length > 0) {
  console.error(
    `There are no test results at ${missing.join(', ')}: run the tests first (npx playwright test), or name the folder that holds their allure-results.`,
  );
  process.exit(1);
}
const results = await runAllureGate({
  resultsDirs: dirs.map((dir) => path.resolve(dir)),
  output: path.resolve(values.output),
  gate: {},
});
const { lines } = gateReport(results);
console.log(`Report's quality gate (its Quality Gates tab): ${lines.at(-1)}`);
