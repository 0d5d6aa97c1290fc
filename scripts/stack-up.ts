/**
 * `npm run stack:up`: starts a stack and keeps it running in the foreground, described in
 * `.journeys/stack.json` so test runs and the VS Code extension reuse it instead of cold-starting.
 *
 * `npm run stack:up -- --file <path>` describes it in that file instead: a platform for another
 * process to reach as an external stack (scripts/external-run.ts), which test runs of this
 * checkout then do not pick up as their warm stack.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startControlServer } from '../fixtures/stack/control-server.ts';
import { endpointsOf } from '../fixtures/stack/handover.ts';
import { selectedStackMode, startStack } from '../fixtures/stack/index.ts';
import { warmStackFile as defaultFile } from '../fixtures/stack/paths.ts';
import { inspectWarmStack, removeWarmStack, writeWarmStack } from '../fixtures/stack/warm-stack.ts';

const { values } = parseArgs({ options: { file: { type: 'string' } } });
const warmStackFile = values.file ? path.resolve(values.file) : defaultFile;
const mode = selectedStackMode();
if (mode === 'external') {
  console.error(
    'E2E_STACK=external points at a deployed environment, so there is nothing to start: unset E2E_STACK.',
  );
  process.exit(1);
}
const existing = await inspectWarmStack(warmStackFile);
if (existing.state === 'live') {
  console.error(
    `A warm stack already runs (pid ${existing.stack.pid}, ${existing.stack.apiUrl}): use it, or stop it with npm run stack:down.`,
  );
  process.exit(1);
}

const started = performance.now();
const stack = await startStack(mode).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const control = await startControlServer(stack);
const endpoints = { ...endpointsOf(stack), controlUrl: control.url };
await writeWarmStack({ ...endpoints, pid: process.pid, startedAt: new Date().toISOString() }, warmStackFile);

let stopping = false;
async function shutDown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the ${mode} stack...`);
  let code = 0;
  try {
    await control.close();
    await stack.stop();
    console.log('Stopped.');
  } catch (error) {
    console.error(`Stopping the stack failed: ${(error as Error).message}`);
    code = 1;
  } finally {
    await removeWarmStack(warmStackFile);
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutDown);

console.log(`The ${mode} stack is up (${Math.round(performance.now() - started)} ms):`);
console.log(`  platform   ${endpoints.apiUrl}`);
console.log(`  mqtt       ${endpoints.mqttUrl}`);
if (endpoints.databaseUrl) console.log(`  database   ${endpoints.databaseUrl}`);
if (endpoints.platformLog) console.log(`  log        ${endpoints.platformLog}`);
console.log(`  offers     ${endpoints.capabilities.join(', ')}`);
console.log(
  `  described  ${warmStackFile}${warmStackFile === defaultFile ? ' (test runs reuse this stack)' : ''}`,
);
console.log('Stop with Ctrl-C or npm run stack:down.');
