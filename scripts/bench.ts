/**
 * `npm run bench`: how long the suite's waits take, timed from outside and printed as a table:
 * five embedded cold starts (start until the platform is ready, then stop), five containers cold
 * starts with cached images (when a Docker engine answers), one full journeys run, and the
 * extension's static discovery against `playwright test --list`.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedStack } from '../fixtures/stack/embedded.ts';
import { repoRoot } from '../fixtures/stack/paths.ts';

const COLD_STARTS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

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

// Containers: the first start may build the platform image; it is a warm-up, not a sample.
const containerStarts: number[] = [];
const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
if (dockerAnswers) {
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
} else {
  console.log('no Docker engine answers: containers cold start not measured (see npm run doctor)');
}

console.log(
  '\nrunning the journeys once (npx playwright test --project=journeys --project=resilience --grep @e2e)...',
);
const journeysBegan = performance.now();
const journeysCode = await new Promise<number>((resolve) => {
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'playwright'),
    ['test', '--project=journeys', '--project=resilience', '--grep', '@e2e'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  child.on('exit', (code) => resolve(code ?? 1));
});
const journeysMs = performance.now() - journeysBegan;

const row = (label: string, value: string) => console.log(`| ${label.padEnd(34)} | ${value.padStart(22)} |`);
const ms = (value: number) => `${Math.round(value)} ms`;
console.log('');
row('measure', 'value');
console.log(`|${'-'.repeat(36)}|${'-'.repeat(24)}|`);
row(`embedded cold start, median of ${COLD_STARTS}`, ms(median(starts)));
row('embedded cold start, min / max', `${ms(Math.min(...starts))} / ${ms(Math.max(...starts))}`);
row('embedded stop, median', ms(median(stops)));
if (containerStarts.length > 0) {
  row(`containers cold start, median of ${COLD_STARTS}`, ms(median(containerStarts)));
  row(
    'containers cold start, min / max',
    `${ms(Math.min(...containerStarts))} / ${ms(Math.max(...containerStarts))}`,
  );
}
row(
  'journeys run (@e2e), wall time',
  `${(journeysMs / 1000).toFixed(1)} s${journeysCode === 0 ? '' : ' (FAILED)'}`,
);

console.log('\nJourney Explorer: static discovery against playwright test --list');
const discovery = spawnSync(
  process.execPath,
  [path.join(repoRoot, 'extension', 'scripts', 'bench-discovery.ts')],
  {
    cwd: repoRoot,
    stdio: 'inherit',
  },
);
process.exitCode = journeysCode === 0 && discovery.status === 0 ? 0 : 1;
