import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PlatformCoverage } from '../../fixtures/coverage/platform-coverage.ts';
import type { V8ScriptCoverage } from '../../fixtures/coverage/v8-coverage.ts';
import type { Stack } from '../../fixtures/stack/stack.ts';
import { stackTempRoot } from '../../fixtures/stack/temp-root.ts';

/**
 * The coverage agent (fixtures/coverage/platform-agent.mjs) on a process shaped like the platform:
 * a server whose long-lived thread scores requests, as the platform's scoring threads do. Such a
 * thread lives as long as the server, so what it ran must come with each take, not at its end.
 */
const server = `
import { Worker } from 'node:worker_threads';
import { createInterface } from 'node:readline';
const thread = new Worker(new URL('./scoring-thread.mjs', import.meta.url));
thread.on('message', (score) => console.log('scored ' + score));
await new Promise((resolve) => thread.once('online', resolve));
console.log('ready');
createInterface({ input: process.stdin }).on('line', (line) => thread.postMessage(Number(line)));
`;
const scoringThread = `
import { parentPort } from 'node:worker_threads';
function score(rows) {
  if (rows > 100) return 'refused';
  return 'scored';
}
parentPort.on('message', (rows) => parentPort.postMessage(score(rows)));
`;

let dir: string;
let platform: ChildProcess;
let probe: PlatformCoverage;
const lines: string[] = [];

/** Waits for the server to print `line`. */
async function printed(line: string): Promise<void> {
  await expect.poll(() => lines.includes(line), { message: `the server printed "${line}"` }).toBe(true);
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(stackTempRoot(), 'journeys-coverage-agent-'));
  const dist = path.join(dir, 'dist');
  mkdirSync(dist);
  writeFileSync(path.join(dist, 'server.mjs'), server);
  writeFileSync(path.join(dist, 'scoring-thread.mjs'), scoringThread);
  probe = new PlatformCoverage(path.join(dir, 'counts'));
  platform = spawn(process.execPath, [`--import=${probe.hooks.agent}`, path.join(dist, 'server.mjs')], {
    env: { ...process.env, NODE_V8_COVERAGE: probe.hooks.dir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  platform.stdout?.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.trim().split('\n')));
  await printed('ready');
  probe.attach({
    askPlatformForCoverage: async () => {
      platform.kill('SIGUSR2');
    },
  } as Stack);
  await probe.collect();
});

test.afterAll(async () => {
  if (platform.exitCode === null) {
    platform.kill();
    await once(platform, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
});

/** How often the scoring thread's `score` ran, and its refusal branch, in a take's counts. */
function scoreCounts(taken: V8ScriptCoverage[]): { calls: number; refusals: number } {
  const runs = taken
    .filter((script) => script.url.endsWith('/dist/scoring-thread.mjs'))
    .flatMap((script) => script.functions.filter((fn) => fn.functionName === 'score'));
  return {
    calls: runs.reduce((sum, fn) => sum + (fn.ranges[0]?.count ?? 0), 0),
    refusals: runs.reduce((sum, fn) => sum + (fn.ranges[1]?.count ?? 0), 0),
  };
}

test('a take holds what a long-lived thread ran since the previous take, and only that', async () => {
  platform.stdin?.write('5\n5\n500\n');
  await expect.poll(() => lines.filter((line) => line.startsWith('scored ')).length).toBe(3);
  // Three batches scored, one of them refused for its size.
  expect(scoreCounts(await probe.collect())).toEqual({ calls: 3, refusals: 1 });
  // Nothing scored since: the next take has none of it.
  expect(scoreCounts(await probe.collect())).toEqual({ calls: 0, refusals: 0 });
});
