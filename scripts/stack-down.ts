/** `npm run stack:down`: stops the warm stack that `npm run stack:up` keeps running. */
import { isAlive } from '../fixtures/stack/leftovers.ts';
import { readWarmStack, removeWarmStack } from '../fixtures/stack/warm-stack.ts';

const STOP_TIMEOUT_MS = 30_000;

const warm = await readWarmStack();
if (!warm) {
  console.log('No warm stack is running.');
  process.exit(0);
}
if (!isAlive(warm.pid)) {
  await removeWarmStack();
  console.log(`The warm stack's process ${warm.pid} was already gone; removed its stale description.`);
  process.exit(0);
}

console.log(`Stopping the warm ${warm.mode} stack (pid ${warm.pid})...`);
process.kill(warm.pid, 'SIGTERM');
const deadline = Date.now() + STOP_TIMEOUT_MS;
while (isAlive(warm.pid)) {
  if (Date.now() > deadline) {
    console.error(
      `The stack process ${warm.pid} did not stop within ${STOP_TIMEOUT_MS / 1000} s: end it with kill -9 ${warm.pid}.`,
    );
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// stack:up removes it itself; this covers a process that died without doing so.
await removeWarmStack();
console.log('Stopped.');
