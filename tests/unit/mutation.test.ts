import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { repoRoot } from '../../fixtures/coverage/attribution.ts';
import {
  type CoverageMap,
  lineRangesOf,
  mergeCoverageMaps,
  rangesHold,
} from '../../fixtures/coverage/coverage-map.ts';
import { sourceMapIndex } from '../../fixtures/coverage/source-map-index.ts';
import { applyMutant, type Mutant, mutantsOf } from '../../scripts/mutation-mutants.ts';
import { judgesOf, personaOf, sampleMutants } from '../../scripts/mutation-plan.ts';
import { classify, summarize } from '../../scripts/mutation-verdicts.ts';
import { journeyResultsOf } from '../../scripts/mutation-workspace.ts';

const finds = 'journeys/data-scientist/finds-best-detector.journey.ts › finds the best detector';
const exportsSafely = 'journeys/data-scientist/exports-results-safely.journey.ts › exports results safely';
const audits = 'journeys/security-analyst/audits-who-did-what.journey.ts › audits who did what';

function mutant(file: string, line: number, endLine = line, mutator = 'EqualityOperator'): Mutant {
  return {
    id: `${file}:${line}:1#${mutator}`,
    file,
    mutator,
    start: { line, column: 0 },
    end: { line: endLine, column: 1 },
    original: '===',
    replacement: '!==',
  };
}

const leaderboard = 'containers/api/src/experiments/leaderboard.ts';
const map: CoverageMap = {
  builtFrom: { commit: null, uncommittedChanges: false, sourcesHash: 'x' },
  createdAt: '2026-12-02T00:00:00.000Z',
  sources: [leaderboard],
  journeys: [audits, exportsSafely, finds],
  files: { [leaderboard]: [exportsSafely, finds] },
  lines: { [leaderboard]: { [finds]: '28-37,40-51', [exportsSafely]: '28-35' } },
  startUpLines: { [leaderboard]: '4,7-12' },
};

test('line ranges are written compactly and read back', () => {
  expect(lineRangesOf([12, 3, 4, 5, 9, 4])).toBe('3-5,9,12');
  expect(rangesHold('3-5,9,12', 4)).toBe(true);
  expect(rangesHold('3-5,9,12', 6)).toBe(false);
  expect(rangesHold(undefined, 1)).toBe(false);
});

test('a mutant is judged by the journeys that ran its line, and only those', () => {
  expect(judgesOf(mutant(leaderboard, 35), map)).toEqual({
    journeys: [exportsSafely, finds],
    reason: 'ran line 35',
  });
  expect(judgesOf(mutant(leaderboard, 40), map).journeys).toEqual([finds]);
});

test('a mutant over several lines is judged by the journeys that ran any of them', () => {
  expect(judgesOf(mutant(leaderboard, 38, 40), map).journeys).toEqual([finds]);
});

test('code the start-up runs is judged by every journey, not only by those that restart the platform', () => {
  // The audit journey never ran the leaderboard, but the start's tables reach it through other modules.
  expect(judgesOf(mutant(leaderboard, 8), map)).toEqual({
    journeys: [exportsSafely, finds, audits],
    reason: 'line 8 runs at start-up: every journey judges it',
  });
});

test('a line no journey ran has no judges, and says so', () => {
  expect(judgesOf(mutant(leaderboard, 38), map)).toEqual({ journeys: [], reason: 'no journey ran line 38' });
});

test('a sample is the same for the same seed, spread over the modules', () => {
  const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];
  const all = files.flatMap((file) => Array.from({ length: 10 }, (_, index) => mutant(file, index + 1)));
  const first = sampleMutants(all, 4, 7);
  expect(sampleMutants(all, 4, 7)).toEqual(first);
  expect(new Set(first.map((picked) => picked.file)).size).toBe(4);
  expect(sampleMutants(all, 4, 8)).not.toEqual(first);
  const eight = sampleMutants(all, 8, 7);
  for (const file of files) expect(eight.filter((picked) => picked.file === file)).toHaveLength(2);
  expect(sampleMutants(all, 100, 7)).toEqual(all);
});

test('a failed journey kills a mutant; a timeout finds it; all passing is a survivor', () => {
  const results = (...statuses: ('passed' | 'failed' | 'timedOut' | 'skipped')[]) => ({
    kind: 'journeys' as const,
    overran: false,
    results: statuses.map((status, index) => ({ journey: [finds, exportsSafely][index] as string, status })),
  });
  expect(classify(results('passed', 'failed'))).toMatchObject({
    status: 'killed',
    killedBy: [exportsSafely],
  });
  expect(classify(results('timedOut', 'passed'))).toMatchObject({ status: 'timeout', killedBy: [finds] });
  expect(classify(results('passed', 'passed'))).toMatchObject({ status: 'survived', killedBy: [] });
  expect(classify(results('skipped'))).toMatchObject({ status: 'no-coverage' });
  expect(classify({ kind: 'journeys', results: [], overran: true })).toMatchObject({ status: 'timeout' });
  expect(classify({ kind: 'platform-did-not-start', message: 'exited with code 1' }).status).toBe('killed');
  expect(classify({ kind: 'build-failed', message: 'Expected ";"' }).status).toBe('not-built');
  expect(classify({ kind: 'not-run', reason: 'no journey ran line 3' }).status).toBe('no-coverage');
});

test('the score counts found mutants of those a journey ran, by module and by persona', () => {
  const verdict = (line: number, status: 'killed' | 'survived' | 'no-coverage', journeys: string[]) => ({
    mutant: mutant(leaderboard, line),
    status,
    journeys,
    killedBy: [],
    reason: '',
    seconds: 1,
  });
  const summary = summarize([
    verdict(35, 'killed', [finds, audits]),
    verdict(40, 'survived', [finds]),
    verdict(38, 'no-coverage', []),
  ]);
  expect(summary.total).toMatchObject({ killed: 1, survived: 1, noCoverage: 1, score: 50 });
  expect(summary.scoreOfAll).toBe(33.3);
  expect(summary.byPersona['data-scientist']).toMatchObject({ killed: 1, survived: 1 });
  expect(summary.byPersona['security-analyst']).toMatchObject({ killed: 1, survived: 0 });
  expect(summary.byModule['experiments/leaderboard.ts']).toMatchObject({
    killed: 1,
    survived: 1,
    noCoverage: 1,
  });
  expect(summary.survivors).toEqual([`${leaderboard}:40 EqualityOperator: === → !==`]);
  expect(personaOf(audits)).toBe('security-analyst');
});

test("StrykerJS's mutants of a platform file apply to its text one at a time", async () => {
  const mutants = await mutantsOf([leaderboard], repoRoot);
  const completed = mutants.find((found) => found.start.line === 35 && found.mutator === 'EqualityOperator');
  expect(completed).toMatchObject({
    original: "run.status === 'completed'",
    replacement: "run.status !== 'completed'",
  });
  const text = readFileSync(path.join(repoRoot, leaderboard), 'utf8');
  const mutated = applyMutant(text, completed as Mutant);
  expect(mutated.split('\n')[34]).toBe("    .filter(({ run }) => run.status !== 'completed')");
  expect(mutated.length).toBe(text.length);
  expect(() => applyMutant(mutated, completed as Mutant)).toThrow(/changed since its mutants were made/);
});

test('lines ran: the innermost V8 range holding a line says whether it ran', () => {
  // Two generated lines mapped to original lines 1 and 2 of one source ("AAAA;AACA").
  const index = sourceMapIndex('a();\nb();\n', { sources: ['x.ts'], mappings: 'AAAA;AACA' }, '/src');
  const ran = index.linesRan([
    { startOffset: 0, endOffset: 10, count: 1 },
    { startOffset: 5, endOffset: 9, count: 0 },
  ]);
  expect([...(ran.get('/src/x.ts') ?? [])]).toEqual([1]);
  expect(index.linesRan([{ startOffset: 0, endOffset: 10, count: 2 }]).get('/src/x.ts')).toEqual(
    new Set([1, 2]),
  );
});

test('lines ran: only the sources asked for are named, while every offset still maps to its own source', () => {
  // Line 1 from the platform's x.ts, line 2 from a dependency ("AAAA;ACAA": the next source).
  const index = sourceMapIndex(
    'a();\nb();\n',
    { sources: ['x.ts', '../node_modules/dep/y.js'], mappings: 'AAAA;ACAA' },
    '/src',
    (source) => !source.includes('/node_modules/'),
  );
  const ran = index.linesRan([{ startOffset: 0, endOffset: 10, count: 1 }]);
  expect([...ran.keys()]).toEqual(['/src/x.ts']);
  expect(index.sourceAt(6)).toBe('/node_modules/dep/y.js');
  expect(index.sourceAt(1)).toBe('/src/x.ts');
});

test("a Playwright JSON report's results are named like the coverage map's journeys", () => {
  const report = {
    suites: [
      {
        title: 'data-scientist/finds-best-detector.journey.ts',
        specs: [
          {
            title: 'finds the best detector',
            file: 'data-scientist/finds-best-detector.journey.ts',
            tests: [
              {
                results: [
                  {
                    status: 'failed' as const,
                    errors: [
                      {
                        message: '\u001b[31mError: log lines\u001b[39m\n\nexpect(received).toEqual(expected)',
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  expect(journeyResultsOf(report)).toEqual([{ journey: finds, status: 'failed', error: 'Error: log lines' }]);
});

test("a coverage run of some journeys replaces their lines in the map and keeps the others'", () => {
  const next: CoverageMap = {
    ...map,
    journeys: [finds],
    files: { [leaderboard]: [finds] },
    lines: { [leaderboard]: { [finds]: '28-51' } },
    startUpLines: { [leaderboard]: '4,13' },
  };
  const merged = mergeCoverageMaps(map, next);
  expect(merged.lines).toEqual({ [leaderboard]: { [exportsSafely]: '28-35', [finds]: '28-51' } });
  expect(merged.startUpLines).toEqual({ [leaderboard]: '4,7-13' });
  expect(mergeCoverageMaps({ ...map, builtFrom: { ...map.builtFrom, sourcesHash: 'y' } }, next)).toBe(next);
});

test('every mutant has an id of its own, also two replacements at one place', async () => {
  const mutants = await mutantsOf([leaderboard], repoRoot);
  expect(new Set(mutants.map((found) => found.id)).size).toBe(mutants.length);
  expect(mutants.map((found) => found.id)).toContain(`${leaderboard}:37:11#ConditionalExpression~2`);
});
