import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/coverage/attribution.ts';
import {
  type CoverageMap,
  coverageMapFile,
  platformSourcesHash,
  readCoverageMap,
} from '../fixtures/coverage/coverage-map.ts';
import { type ChangedFile, selectJourneysHere, testListOf } from '../fixtures/coverage/impact.ts';

/**
 * `npm run affected -- [git ref] [--dry-run]`: runs the journeys a change can affect. The change is
 * `git diff` against the ref (default: the merge base with main), uncommitted and untracked files
 * included; platform files select the journeys that ran them in the last coverage run
 * (.journeys/coverage-map.json, rebuilt first by a coverage run of every journey when missing or
 * made from other platform sources than the base's); journey files select themselves, fixtures the journeys that load them; anything
 * else selects every journey. Prints each selected journey with its reasons, then runs them.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'dry-run': { type: 'boolean', default: false } },
});
if (positionals.length > 1) fail('Give at most one git ref: npm run affected -- [ref] [--dry-run].');

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function fail(sentence: string): never {
  console.error(sentence);
  process.exit(2);
}

function tryGit(args: string[]): string | undefined {
  try {
    return git(args);
  } catch {
    return undefined;
  }
}

const ref = positionals[0];
const base = ref
  ? (tryGit(['rev-parse', '--verify', `${ref}^{commit}`]) ??
    fail(`"${ref}" names no commit here: give a branch, tag or commit (default: the merge base with main).`))
  : (tryGit(['merge-base', 'HEAD', 'main']) ??
    fail('No merge base with main: give the ref to compare with, e.g. npm run affected -- origin/main.'));
const baseName = ref ?? `the merge base with main (${base.slice(0, 10)})`;

function changedFiles(): ChangedFile[] {
  const changes: ChangedFile[] = [];
  const statusOf = { A: 'added', M: 'modified', D: 'deleted', T: 'modified' } as const;
  for (const line of git(['diff', '--name-status', '--no-renames', base]).split('\n').filter(Boolean)) {
    const [code, file] = line.split('\t');
    const status = statusOf[(code ?? 'M').charAt(0) as keyof typeof statusOf] ?? 'modified';
    if (file) changes.push({ status, file });
  }
  for (const file of git(['ls-files', '--others', '--exclude-standard']).split('\n').filter(Boolean))
    changes.push({ status: 'added', file });
  return changes;
}

/**
 * Why the map cannot describe the code the change is made against, or undefined when it can: it
 * must have been made from the platform sources at the base (or from exactly the sources here now).
 */
function staleness(map: CoverageMap | undefined): string | undefined {
  if (!map) return `there is no coverage map (${path.relative(repoRoot, coverageMapFile)})`;
  if (map.builtFrom.sourcesHash === platformSourcesHash()) return undefined;
  const made = map.builtFrom.commit;
  if (!made || tryGit(['cat-file', '-e', `${made}^{commit}`]) === undefined)
    return 'the coverage map was made from a commit this clone does not have';
  if (map.builtFrom.uncommittedChanges)
    return `the coverage map was made from uncommitted platform sources (on ${made.slice(0, 10)})`;
  if (tryGit(['diff', '--quiet', made, base, '--', 'containers/api/src']) === undefined)
    return `the platform sources changed between the coverage map's commit (${made.slice(0, 10)}) and ${baseName}`;
  return undefined;
}

function runPlaywright(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const cli = path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'test', ...args], { cwd: repoRoot, stdio: 'inherit', env });
    child.on('error', (error) => {
      console.error(`Could not start Playwright: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

let map = readCoverageMap();
const stale = staleness(map);
if (stale) {
  console.log(
    `affected: ${stale}; making one with a coverage run of every journey first (npm run coverage).`,
  );
  const code = await runPlaywright(['--project=journeys', '--grep', '@e2e'], {
    ...process.env,
    E2E_COVERAGE: '1',
  });
  map = readCoverageMap();
  if (!map)
    fail(
      `affected: the coverage run (exit ${code}) wrote no coverage map: fix the errors above and run it again.`,
    );
}
const coverageMap = map as CoverageMap;

const changed = changedFiles();
const impact = selectJourneysHere(changed, coverageMap, repoRoot);

console.log(
  `affected: ${changed.length} changed file(s) against ${baseName}; coverage map of ${coverageMap.journeys.length} journeys made at ${coverageMap.builtFrom.commit?.slice(0, 10)} (${coverageMap.createdAt}).`,
);
for (const note of impact.notes) console.log(`  not selecting: ${note}`);
const testList = path.join(repoRoot, '.journeys', 'affected-journeys.txt');
mkdirSync(path.dirname(testList), { recursive: true });
let args: string[];
if (impact.everything.length > 0) {
  for (const reason of impact.everything) console.log(`  every journey: ${reason}`);
  args = ['--project=journeys'];
} else if (impact.journeys.size === 0) {
  console.log('affected: no journey is affected by this change; nothing to run.');
  process.exit(0);
} else {
  for (const [journey, reasons] of [...impact.journeys].sort(([a], [b]) => a.localeCompare(b)))
    console.log(`  ${journey}\n      ← ${reasons.join('; ')}`);
  writeFileSync(testList, testListOf(impact));
  args = ['--project=journeys', `--test-list=${path.relative(repoRoot, testList)}`];
}
if (values['dry-run']) {
  console.log(`affected: --dry-run, so not running: npx playwright test ${args.join(' ')}`);
  process.exit(0);
}
process.exit(await runPlaywright(args));
