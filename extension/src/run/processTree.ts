import { spawn } from 'node:child_process';

/**
 * Signals a process and everything it started. On POSIX the process leads its own group (it was
 * spawned detached), so the group gets the signal; on Windows `taskkill /T` walks the tree (it has
 * no gentle signal, so it always forces).
 */
export function killProcessTree(pid: number, signal: 'SIGINT' | 'SIGKILL'): void {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' }).on('error', () => {});
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
