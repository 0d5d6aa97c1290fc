import { spawn } from 'node:child_process';
import type { CancellationToken } from '../vscodeApi.ts';
import { nodeExecutable } from './nodeExecutable.ts';
import type { PlaywrightInvocation } from './playwrightInvocation.ts';

export interface ProcessOutcome {
  exitCode: number | null;
  /** The last lines Playwright wrote to stderr, to explain a run that ended before any journey. */
  stderrTail: string;
}

/** Runs Playwright as a child process, forwarding its output, until it exits or is cancelled. */
export function runPlaywrightProcess(
  invocation: PlaywrightInvocation,
  onOutput: (text: string) => void,
  token: CancellationToken,
): Promise<ProcessOutcome> {
  const node = nodeExecutable();
  const child = spawn(node.command, [invocation.program, ...invocation.args], {
    cwd: invocation.cwd,
    env: { ...process.env, ...node.env, ...invocation.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', onOutput);
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-4000);
    onOutput(text);
  });
  const cancellation = token.onCancellationRequested(() => {
    // SIGINT lets Playwright stop its workers and still report what ran.
    if (child.exitCode === null) child.kill('SIGINT');
  });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      cancellation.dispose();
      resolve({ exitCode: null, stderrTail: `Could not start ${node.command}: ${error.message}` });
    });
    child.on('close', (exitCode) => {
      cancellation.dispose();
      resolve({ exitCode, stderrTail });
    });
  });
}
