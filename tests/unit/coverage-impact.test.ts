import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { repoRoot } from '../../fixtures/coverage/attribution.ts';
import type { CoverageMap } from '../../fixtures/coverage/coverage-map.ts';
import {
  type ChangedFile,
  filesLoadedBy,
  type Impact,
  selectJourneys,
} from '../../fixtures/coverage/impact.ts';
import { sourceMapIndexOfFile } from '../../fixtures/coverage/source-map-index.ts';

/**
 * Impact selection on a recorded map: coverage-map.recorded.json is the map `npm run coverage`
 * wrote for every @e2e journey (its sources and journeys whole, its files trimmed to a few), so the
 * attribution below is what the platform really ran, not made up for the test.
 */
const recorded = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'coverage-map.recorded.json'), 'utf8'),
) as CoverageMap;

const findsBestDetector =
  'journeys/data-scientist/finds-best-detector.journey.ts › finds the best detector for a new sensor dataset';
const verifiesTenantIsolation =
  'journeys/security-analyst/verifies-tenant-isolation.journey.ts › verifies tenant isolation';

const journeyFiles = readdirSync(path.join(repoRoot, 'journeys'), { recursive: true })
  .map((name) => `journeys/${String(name).split(path.sep).join('/')}`)
  .filter((file) => file.endsWith('.journey.ts'));
const loadedBy = new Map(journeyFiles.map((file) => [file, filesLoadedBy(file, repoRoot)]));
const runFiles = filesLoadedBy('playwright.config.ts', repoRoot);

const select = (...changed: ChangedFile[]): Impact =>
  selectJourneys({ changed, map: recorded, journeyFiles, loadedBy, runFiles });

test('the recorded map knows both journeys', () => {
  expect(recorded.journeys).toEqual(expect.arrayContaining([findsBestDetector, verifiesTenantIsolation]));
});

test("a change to the leaderboard selects the data scientist's journey, not the isolation probes", () => {
  const impact = select({ status: 'modified', file: 'containers/api/src/experiments/leaderboard.ts' });
  expect(impact.everything).toEqual([]);
  expect(impact.journeys.get(findsBestDetector)).toEqual([
    'runs containers/api/src/experiments/leaderboard.ts',
  ]);
  expect(impact.journeys.has(verifiesTenantIsolation)).toBe(false);
});

test('a change to a journey file selects that journey', () => {
  const file = 'journeys/security-analyst/verifies-tenant-isolation.journey.ts';
  const impact = select({ status: 'modified', file });
  expect(impact.everything).toEqual([]);
  expect([...impact.journeys]).toEqual([[file, ['its journey file changed']]]);
});

test('a change to a journey support file selects the journeys that load it', () => {
  const file = 'journeys/security-analyst/support/isolation-probes.ts';
  const impact = select({ status: 'modified', file });
  expect(impact.journeys.get('journeys/security-analyst/verifies-tenant-isolation.journey.ts')).toEqual([
    `loads ${file}`,
  ]);
  expect(impact.journeys.has('journeys/data-scientist/finds-best-detector.journey.ts')).toBe(false);
});

test('an unknown file selects every journey, saying why', () => {
  expect(
    select({ status: 'added', file: 'containers/api/src/experiments/new-ranking.ts' }).everything,
  ).toEqual(['containers/api/src/experiments/new-ranking.ts is new: no coverage map knows what runs it']);
  expect(select({ status: 'added', file: 'Makefile' }).everything).toEqual([
    'Makefile is not a file impact selection can place',
  ]);
});

test('documentation selects nothing, and says so', () => {
  const impact = select({ status: 'modified', file: 'README.md' });
  expect(impact.everything).toEqual([]);
  expect(impact.journeys.size).toBe(0);
  expect(impact.notes).toEqual(['README.md: not part of a journey run']);
});

test('a function is attributed to the module it is written in, through the source map', async () => {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'journeys-source-map-'));
  try {
    writeFileSync(
      path.join(dir, 'ranking.ts'),
      'export function rank(xs: number[]) {\n  return xs.sort();\n}\n',
    );
    writeFileSync(
      path.join(dir, 'entry.ts'),
      "import { rank } from './ranking.ts';\nexport function main() {\n  return rank([3, 1]);\n}\n",
    );
    await build({
      entryPoints: [path.join(dir, 'entry.ts')],
      outfile: path.join(dir, 'out.mjs'),
      bundle: true,
      format: 'esm',
      sourcemap: true,
      logLevel: 'silent',
    });
    const code = readFileSync(path.join(dir, 'out.mjs'), 'utf8');
    const index = sourceMapIndexOfFile(path.join(dir, 'out.mjs'));
    expect(index.sourceAt(code.indexOf('function rank'))).toBe(path.join(dir, 'ranking.ts'));
    expect(index.sourceAt(code.indexOf('function main'))).toBe(path.join(dir, 'entry.ts'));
    expect(index.sourceAt(code.indexOf('xs.sort'))).toBe(path.join(dir, 'ranking.ts'));
    expect(index.sourceAt(code.indexOf('rank([3'))).toBe(path.join(dir, 'entry.ts'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
