/**
 * `npm run bench`: the suite's speed, timed from outside and printed as a table. Sections, all by
 * default or only those named (`npm run bench -- e2e starts`):
 *   bundle     the platform bundle's freshness check on an up-to-date bundle, as a run's setup pays it
 *              (the first check in a new process; median of 5), and cold builds of a
 *              copy of the sources (median of 3);
 *   starts     five embedded cold starts (start until the platform is ready, then stop), and five
 *              containers cold starts with cached images when a Docker engine answers;
 *   e2e        `npx playwright test --grep @e2e` three times (BENCH_E2E_RUNS to change): median wall
 *              time from command start to exit, and the five slowest journeys by median;
 *   load       the @load journey three times (BENCH_LOAD_RUNS): each figure per run, median, budget;
 *   stress     the @stress journeys (spike, endurance) once (BENCH_STRESS_RUNS), the same way; the
 *              endurance run streams E2E_ENDURANCE_SECONDS (default 600), so this section is not
 *              in the default set: name it (`npm run bench -- stress`).
 *   discovery  the extension's static discovery against `playwright test --list`.
 *   coverage   coverage mode's cost and impact selection's saving (scripts/bench-coverage.ts):
 *              plain and E2E_COVERAGE=1 @e2e runs, `--runs N` of each (default 3), then five
 *              typical one-file changes' selections; figures to perf/coverage-bench.json. Only
 *              when named: it runs the journeys 2N times and more.
 * Timings on a shared machine are noisy: read medians and ratios, not single runs.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedStack } from '../fixtures/stack/embedded.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';
import { benchJourneys, e2eCommand } from './bench-journeys.ts';
import { benchPerf, median, perfTable } from './bench-perf.ts';

const sections = ['bundle', 'starts', 'e2e', 'load', 'stress', 'discovery', 'coverage'] as const;
type Section = (typeof sections)[number];
/** Sections run only when named: a run of everything must not take a quarter of an hour more. */
const onlyWhenNamed: readonly Section[] = ['stress', 'coverage'];
let parsed: ReturnType<typeof parseCommandLine>;
function parseCommandLine() {
  return parseArgs({ allowPositionals: true, options: { runs: { type: 'string' } } });
}
try {
  parsed = parseCommandLine();
} catch (error) {
  console.error(`${(error as Error).message}: give section names and at most --runs N.`);
  process.exit(2);
}
const asked = parsed.positionals;
const unknown = asked.filter((name) => !(sections as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(
    `Unknown bench section ${unknown.join(', ')}: use any of ${sections.join(', ')} (none means all).`,
  );
  process.exit(2);
}
const wanted = (section: Section) =>
  asked.includes(section) || (asked.length === 0 && !onlyWhenNamed.includes(section));

const COLD_STARTS = 5;
function runsOf(variable: string, unset: number): number {
  const runs = Number(process.env[variable] ?? unset);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`${variable}=${process.env[variable]} is not a whole number of runs: use 1 or more.`);
    process.exit(2);
  }
  return runs;
}
const e2eRuns = runsOf('BENCH_E2E_RUNS', 3);
const coverageRuns = Number(parsed.values.runs ?? 3);
if (!Number.isInteger(coverageRuns) || coverageRuns < 1) {
  console.error(`--runs ${parsed.values.runs} is not a whole number of runs: use 1 or more.`);
  process.exit(2);
}

const rows: [string, string][] = [];
const ms = (value: number) => `${Math.round(value)} ms`;
let failed = false;

console.log(
  `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);

if (wanted('bundle')) {
  const { buildPlatformBundle, ensurePlatformBundle } = await import('../containers/api/bundle.ts');
  await ensurePlatformBundle();
  const checks: number[] = [];
  for (let run = 1; run <= 5; run++) {
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { bundleState } = await import(${JSON.stringify(path.join(repoRoot, 'containers', 'api', 'bundle.ts'))});
         const began = performance.now();
         const state = bundleState();
         if (state.state !== 'fresh') throw new Error('the bundle is ' + state.state);
         console.log(performance.now() - began);`,
      ],
      { encoding: 'utf8' },
    );
    if (probe.status !== 0) throw new Error(`the freshness probe failed: ${probe.stderr}`);
    checks.push(Number(probe.stdout.trim()));
  }
  const { copyPlatformSources } = await import('./platform-copy.ts');
  const builds: number[] = [];
  for (let run = 1; run <= 3; run++) {
    const copy = copyPlatformSources();
    const began = performance.now();
    await buildPlatformBundle(copy);
    builds.push(performance.now() - began);
    rmSync(copy.dir, { recursive: true, force: true });
  }
  rows.push(['bundle freshness check (up to date), median of 5', `${ms(median(checks))} (goal <= 50 ms)`]);
  rows.push(['bundle cold build, median of 3', `${ms(median(builds))} (goal <= 3000 ms)`]);
}

if (wanted('starts')) {
  const starts: number[] = [];
  const stops: number[] = [];
  for (let run = 1; run <= COLD_STARTS; run++) {
    const began = performance.now();
    const stack = await startEmbeddedStack();
    const ready = performance.now();
    await stack.stop();
    starts.push(ready - began);
    stops.push(performance.now() - ready);
    console.log(`cold start ${run}/${COLD_STARTS}: ${Math.round(ready - began)} ms to ready`);
  }
  rows.push([`embedded cold start, median of ${COLD_STARTS}`, ms(median(starts))]);
  rows.push(['embedded cold start, min / max', `${ms(Math.min(...starts))} / ${ms(Math.max(...starts))}`]);
  rows.push(['embedded stop, median', ms(median(stops))]);

  // Containers: the first start may build the platform image; it is a warm-up, not a sample.
  const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  if (dockerAnswers) {
    const containerStarts: number[] = [];
    const { startContainersStack } = await import('../fixtures/stack/containers.ts');
    await (await startContainersStack()).stop();
    for (let run = 1; run <= COLD_STARTS; run++) {
      const began = performance.now();
      const stack = await startContainersStack();
      containerStarts.push(performance.now() - began);
      await stack.stop();
      console.log(
        `containers cold start ${run}/${COLD_STARTS}: ${Math.round(containerStarts.at(-1) ?? 0)} ms to ready`,
      );
    }
    rows.push([`containers cold start, median of ${COLD_STARTS}`, ms(median(containerStarts))]);
    rows.push([
      'containers cold start, min / max',
      `${ms(Math.min(...containerStarts))} / ${ms(Math.max(...containerStarts))}`,
    ]);
  } else {
    console.log('no Docker engine answers: containers cold start not measured (see npm run doctor)');
  }
}

if (wanted('e2e')) {
  console.log(
    `\n${e2eCommand.join(' ')}, ${e2eRuns} times (stack mode ${process.env.E2E_STACK ?? 'embedded'})...`,
  );
  const bench = await benchJourneys(e2eRuns);
  const walls = bench.runs.map((run) => run.wallMs / 1000);
  failed ||= bench.runs.some((run) => run.exitCode !== 0);
  rows.push([
    `@e2e wall time, median of ${e2eRuns}`,
    `${(bench.medianWallMs / 1000).toFixed(1)} s${failed ? ' (a run FAILED)' : ''}`,
  ]);
  rows.push(['@e2e wall time, each run', walls.map((wall) => `${wall.toFixed(1)} s`).join(' / ')]);
  rows.push(['@e2e journeys timed per run', bench.runs.map((run) => String(run.journeys.size)).join(' / ')]);
  for (const [rank, { journey, medianSeconds }] of bench.slowest.entries()) {
    rows.push([
      `slowest ${rank + 1}: ${journey.replace(/^.*journeys\//, '')}`,
      `${medianSeconds.toFixed(1)} s`,
    ]);
  }
}

if (rows.length > 0) {
  const width = Math.max(34, ...rows.map(([label]) => label.length));
  const line = (label: string, value: string) =>
    console.log(`| ${label.padEnd(width)} | ${value.padStart(22)} |`);
  console.log('');
  line('measure', 'value');
  console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(24)}|`);
  for (const [label, value] of rows) line(label, value);
}

for (const project of ['load', 'stress'] as const) {
  if (!wanted(project)) continue;
  const bench = await benchPerf({
    project,
    runs: project === 'load' ? runsOf('BENCH_LOAD_RUNS', 3) : runsOf('BENCH_STRESS_RUNS', 1),
  });
  failed ||= bench.runs.some((run) => run.exitCode !== 0);
  console.log(
    bench.medians.length > 0 ? `\n${perfTable(bench)}` : `\nno ${project} run measured anything: see above`,
  );
}

if (wanted('coverage')) {
  const { benchCoverage, benchFigures, coverageBenchFile, coverageTable, machineNow } = await import(
    './bench-coverage.ts'
  );
  const atStart = machineNow();
  console.log(
    `\ncoverage mode against plain @e2e, ${coverageRuns} run(s) each, then five typical changes...`,
  );
  const bench = await benchCoverage(coverageRuns);
  failed ||= bench.failed;
  const figures = benchFigures(bench, { atStart, atEnd: machineNow() });
  writeFileSync(coverageBenchFile, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\n${coverageTable(bench)}\n(figures in ${path.relative(repoRoot, coverageBenchFile)})`);
}

if (wanted('discovery')) {
  console.log('\nJourney Explorer: static discovery against playwright test --list');
  const discovery = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'extension', 'scripts', 'bench-discovery.ts')],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  failed ||= discovery.status !== 0;
}
process.exitCode = failed ? 1 : 0;
