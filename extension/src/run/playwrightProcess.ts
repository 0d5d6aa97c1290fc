import { spawn } from 'node:child_process';
import type { CancellationToken } from '../vscodeApi.ts';
import { nodeExecutable } from './nodeExecutable.ts';
import type { PlaywrightInvocation } from './playwrightInvocation.ts';
import { killProcessTree } from './processTree.ts';

export interface ProcessOutcome {
  exitCode: number | null;
  /** The last lines Playwright wrote to stderr, to explain a run that ended before any journey. */
  stderrTail: string;
  /** Set when the run was handed over before Playwright exited (it keeps a browser open). */
  handedOver?: RunningProcess;
}

/** A Playwright process that outlived its TestRun. */
export interface RunningProcess {
  pid: number;
  /** Resolves when it has exited. */
  exited: Promise<void>;
}

/** How long a cancelled run may take to stop its workers and report before its whole tree is killed. */
export const cancelGraceMs = 3000;

/**
 * Runs Playwright as a child process, forwarding its output, until it exits or is cancelled.
 * Cancelling asks Playwright to stop (SIGINT: it stops its workers and still reports what ran),
 * then kills the whole process tree after a grace period: a journey's own children (a browser, a
 * service it started) must not outlive the run.
 */
export function runPlaywrightProcess(
  invocation: PlaywrightInvocation,
  onOutput: (text: string) => void,
  token: CancellationToken,
  /** When this resolves first, the run stops waiting and gets the still running process instead. */
  handOver?: Promise<void>,
): Promise<ProcessOutcome> {
  const node = nodeExecutable();
  const child = spawn(node.command, [invocation.program, ...invocation.args], {
    cwd: invocation.cwd,
    env: { ...process.env, ...node.env, ...invocation.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group on POSIX, so the tree can be signalled as one.
    detached: process.platform !== 'win32',
  });
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', onOutput);
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-4000);
    onOutput(text);
  });
  let grace: ReturnType<typeof setTimeout> | undefined;
  let exited = false;
  const cancellation = token.onCancellationRequested(() => {
    if (exited || child.pid === undefined) return;
    const pid = child.pid;
    killProcessTree(pid, 'SIGINT');
    grace = setTimeout(() => killProcessTree(pid, 'SIGKILL'), cancelGraceMs);
  });
  const whenExited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve) => {
    void handOver?.then(() => {
      if (exited || child.pid === undefined) return;
      cancellation.dispose();
      resolve({ exitCode: null, stderrTail, handedOver: { pid: child.pid, exited: whenExited } });
    });
    child.on('error', (error) => {
      cancellation.dispose();
      resolve({ exitCode: null, stderrTail: `Could not start ${node.command}: ${error.message}` });
    });
    child.on('close', (exitCode) => {
      exited = true;
      cancellation.dispose();
      // Playwright exited; what it left behind in its group (a journey's child) goes with it.
      if (grace !== undefined && child.pid !== undefined) {
        clearTimeout(grace);
        killProcessTree(child.pid, 'SIGKILL');
      }
      resolve({ exitCode, stderrTail });
    });
  });
}
