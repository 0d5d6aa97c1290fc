import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../fixtures/coverage/attribution.ts';
import {
  coverageMapFile,
  platformSourceFiles,
  platformSourcesHash,
  readCoverageMap,
} from '../fixtures/coverage/coverage-map.ts';
import { applyMutant, describeMutant, mutantsOf } from './mutation-mutants.ts';
import { judgesOf, sampleMutants } from './mutation-plan.ts';
import {
  classify,
  type MutantRun,
  type MutantVerdict,
  markdownReport,
  summarize,
} from './mutation-verdicts.ts';
import { MutationWorkspace } from './mutation-workspace.ts';

/**
 * `npm run mutation [-- --sample N] [--seed S] [--only text] [--mutant id ...] [--journey text]`: how much the journeys would notice.
 * StrykerJS's mutators make mutants of containers/api/src/**\/*.ts; each is put into a copy of the
 * platform's sources, the bundle rebuilt, the platform restarted, and judged by the journeys that
 * ran its lines in the last coverage run (.journeys/coverage-map.json, `npm run coverage`).
 * Reports killed / survived by module and by persona, and lists the survivors: the journeys' blind
 * spots (reports/mutation/*.md and *.json, and printed).
 */
const { values } = parseArgs({
  options: {
    sample: { type: 'string' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    // A survivor again, by its id (`file:line:column#Mutator`, in the JSON report), after a journey changed.
    mutant: { type: 'string', multiple: true },
    // Only the judges whose name holds this text: a strengthened journey tried on its survivor alone.
    journey: { type: 'string' },
    'limit-seconds': { type: 'string', default: '300' },
  },
});

function fail(sentence: string): never {
  console.error(sentence);
  process.exit(2);
}

const wholeNumber = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0)
    fail(`--${name} takes a whole number above 0, e.g. --${name} 40.`);
  return Number(text);
};
const sampleSize = wholeNumber('sample', values.sample);
const seed = wholeNumber('seed', values.seed) as number;
const limitMs = (wholeNumber('limit-seconds', values['limit-seconds']) as number) * 1000;

const map = readCoverageMap();
if (!map?.lines)
  fail(
    `There is no coverage map with lines (${path.relative(repoRoot, coverageMapFile)}): run npm run coverage first, then npm run mutation.`,
  );
const sources = platformSourceFiles();
if (map.builtFrom.sourcesHash !== platformSourcesHash(sources))
  fail('The coverage map was made from other platform sources than these: run npm run coverage again first.');

const began = performance.now();
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
const files = sources.filter(
  (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && (!values.only || file.includes(values.only)),
);
if (files.length === 0) fail(`No platform TypeScript file matches --only "${values.only}".`);
const mutants = await mutantsOf(files, repoRoot);
const named = values.mutant ? mutants.filter((mutant) => values.mutant?.includes(mutant.id)) : mutants;
for (const id of values.mutant ?? [])
  if (!named.some((mutant) => mutant.id === id))
    fail(
      `No mutant is called ${id}: take the id from reports/mutation/*.json, e.g. --mutant ${mutants[0]?.id}.`,
    );
const chosen = sampleSize ? sampleMutants(named, sampleSize, seed) : named;
console.log(
  `mutation: ${mutants.length} mutants in ${files.length} files (StrykerJS's mutators); judging ${chosen.length}${sampleSize ? ` (sample, seed ${seed})` : ''}, each by the journeys that ran its lines.`,
);

const plans = chosen.map((mutant) => {
  const judges = judgesOf(mutant, map);
  const only = values.journey;
  if (!only) return { mutant, judges };
  const kept = judges.journeys.filter((journey) => journey.includes(only));
  return {
    mutant,
    judges: { journeys: kept, reason: `${judges.reason} (${kept.length} of them hold "${only}")` },
  };
});
const verdicts: MutantVerdict[] = [];
let workspace: MutationWorkspace | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the mutation run; the checkout's sources were never changed.`);
    await workspace?.dispose();
    process.exit(130);
  });

const record = (verdict: MutantVerdict) => {
  verdicts.push(verdict);
  console.log(
    `  [${verdicts.length}/${plans.length}] ${verdict.status.padEnd(11)} ${describeMutant(verdict.mutant)} (${verdict.journeys.length} journey(s), ${verdict.seconds} s)`,
  );
};

try {
  const toRun = plans.filter((plan) => plan.judges.journeys.length > 0);
  if (toRun.length > 0) {
    const setUp = performance.now();
    workspace = MutationWorkspace.create(repoRoot);
    await workspace.start();
    console.log(`mutation: a copy of the repository with its own stack is ready (${seconds(setUp)} s).`);
  }
  for (const { mutant, judges } of plans) {
    const started = performance.now();
    let run: MutantRun;
    if (judges.journeys.length === 0 || !workspace) run = { kind: 'not-run', reason: judges.reason };
    else {
      const original = workspace.read(mutant.file);
      workspace.write(mutant.file, applyMutant(original, mutant));
      try {
        run = await tryMutant(workspace, judges.journeys);
      } finally {
        workspace.write(mutant.file, original);
      }
    }
    const verdict = classify(run);
    record({
      mutant,
      journeys: judges.journeys,
      ...verdict,
      reason: run.kind === 'not-run' ? verdict.reason : `${judges.reason}; ${verdict.reason}`,
      seconds: seconds(started),
    });
  }
} finally {
  await workspace?.dispose();
}

async function tryMutant(space: MutationWorkspace, journeys: string[]): Promise<MutantRun> {
  try {
    await space.build();
  } catch (error) {
    return { kind: 'build-failed', message: (error as Error).message.split('\n')[0] ?? '' };
  }
  try {
    await space.restartPlatform();
  } catch (error) {
    return { kind: 'platform-did-not-start', message: (error as Error).message.split('\n')[0] ?? '' };
  }
  return space.runJourneys(journeys, limitMs);
}

const summary = summarize(verdicts);
const wallSeconds = seconds(began);
const name = values.mutant
  ? 'chosen'
  : `${sampleSize ? `sample-${sampleSize}-seed-${seed}` : 'full'}${values.only ? '-only' : ''}`;
const heading = `Mutation run (${sampleSize ? `sample of ${sampleSize}, seed ${seed}` : 'every mutant'}${values.only ? `, files matching "${values.only}"` : ''}): ${wallSeconds} s`;
const markdown = markdownReport(verdicts, summary, heading);
const reportsDir = path.join(repoRoot, 'reports', 'mutation');
mkdirSync(reportsDir, { recursive: true });
writeFileSync(
  path.join(reportsDir, `${name}.json`),
  `${JSON.stringify(
    {
      createdAt: new Date().toISOString(),
      coverageMapMadeAt: map.createdAt,
      sample: sampleSize ?? null,
      seed,
      wallSeconds,
      summary,
      verdicts,
    },
    null,
    2,
  )}\n`,
);
writeFileSync(path.join(reportsDir, `${name}.md`), markdown);
console.log(`\n${markdown.split('\n## By module')[0]}`);
console.log(
  `mutation: reports/mutation/${name}.md and .json (every mutant, by module); ${wallSeconds} s of wall time.`,
);
