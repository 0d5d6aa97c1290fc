/**
 * Static discovery against `playwright test --list`: the fixture workspace, and 500 generated
 * journey files in a temp folder. Medians of 5 runs each, printed as a table. Target: static
 * discovery of 500 files in at most 1 s.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { discoverJourneys } from '../src/discovery/journeyFiles.ts';

const extensionDir = path.resolve(import.meta.dirname, '..');
const fixtureWorkspace = path.join(extensionDir, 'test', 'fixture-workspace');
const runs = 5;
const generatedFiles = 500;
const targetMs = 1000;

async function median(measure: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await measure();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function listWithPlaywright(workspace: string): Promise<number> {
  const cli = createRequire(path.join(extensionDir, 'package.json')).resolve('@playwright/test/cli');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'test', '--list', '--reporter=json'], {
    cwd: workspace,
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { suites: unknown[] }).suites.length;
}

/** A journey file shaped like the suite's: a persona, tags, tasks and steps. */
function generatedJourney(index: number): string {
  return `import { expect, test } from '../../fixtures/index.ts';

test.describe('Generated story ${index}', () => {
  test('finds the best detector, variant ${index}', { tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist }) => {
    const dataset = await dataScientist.uploadDataset([{ value: ${index}, anomaly: false }]);
    await test.step('the profile shows every row', async () => {
      expect(dataset.rows).toBe(1);
    });
    const ranking = await dataScientist.compareAlgorithms(dataset, ['iqr']);
    await test.step('the leaderboard has one entry', async () => {
      expect(ranking).toHaveLength(1);
    });
  });

  test('keeps variant ${index} empty', { tag: '@data-scientist' }, async ({ dataScientist }) => {
    await dataScientist.uploadDataset([]);
  });
});
`;
}

async function generatedWorkspace(): Promise<string> {
  // Inside the extension folder so the copy resolves @playwright/test like the original.
  const dir = await mkdtemp(path.join(extensionDir, 'test-results', 'bench-'));
  await cp(fixtureWorkspace, dir, {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}journeys`),
  });
  const personaDir = path.join(dir, 'journeys', 'data-scientist');
  await mkdir(personaDir, { recursive: true });
  await Promise.all(
    Array.from({ length: generatedFiles }, (_, index) =>
      writeFile(
        path.join(personaDir, `story-${String(index).padStart(3, '0')}.journey.ts`),
        generatedJourney(index),
      ),
    ),
  );
  return dir;
}

await mkdir(path.join(extensionDir, 'test-results'), { recursive: true });
const generated = await generatedWorkspace();
try {
  const rows: [string, number, number][] = [];
  for (const [label, workspace] of [
    ['fixture workspace (7 journeys)', fixtureWorkspace],
    [`${generatedFiles} generated files (${generatedFiles * 2} journeys)`, generated],
  ] as const) {
    const journeysDir = path.join(workspace, 'journeys');
    const staticMs = await median(() => discoverJourneys(journeysDir));
    const listMs = await median(() => listWithPlaywright(workspace));
    rows.push([label, staticMs, listMs]);
  }
  const table = [
    '| workspace | static discovery (median of 5) | playwright test --list (median of 5) | speed-up |',
    '|---|---:|---:|---:|',
    ...rows.map(
      ([label, staticMs, listMs]) =>
        `| ${label} | ${staticMs.toFixed(0)} ms | ${listMs.toFixed(0)} ms | ${(listMs / staticMs).toFixed(1)}x |`,
    ),
  ];
  console.log(table.join('\n'));
  const largest = rows.at(-1)?.[1] ?? Number.POSITIVE_INFINITY;
  if (largest > targetMs) {
    console.error(
      `Static discovery of ${generatedFiles} files took ${largest.toFixed(0)} ms, over the ${targetMs} ms target.`,
    );
    process.exitCode = 1;
  }
} finally {
  await rm(generated, { recursive: true, force: true });
}
