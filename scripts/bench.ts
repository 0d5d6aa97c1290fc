/**
 * `npm run bench`: how long the suite's two waits take. Five embedded cold starts (start until the
 * platform is ready, then stop) and one full journeys run, timed from outside, printed as a table.
 */
import { spawn } from 'node:child_process';
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

console.log('\nrunning the journeys once (npx playwright test --project=journeys --grep @e2e)...');
const journeysBegan = performance.now();
const journeysCode = await new Promise<number>((resolve) => {
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'playwright'),
    ['test', '--project=journeys', '--grep', '@e2e'],
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
row(
  'journeys run (@e2e), wall time',
  `${(journeysMs / 1000).toFixed(1)} s${journeysCode === 0 ? '' : ' (FAILED)'}`,
);
process.exitCode = journeysCode === 0 ? 0 : 1;
