/**
 * Whether package-lock.json installs as it is: `npm ci` refuses a lock that disagrees with a
 * package.json (a dependency added by hand, another platform's optional binary missing), so this
 * asks npm itself, with `npm ci --dry-run`, which resolves the same tree and installs nothing.
 *
 *   node scripts/lock-check.ts     exits 1 with the fix when the lock and package.json disagree
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../fixtures/stack/paths.ts';

export type LockState = { inSync: true } | { inSync: false; detail: string };

export const lockFix = 'run npm install and commit the package-lock.json it writes.';

export function lockState(cwd: string = repoRoot): LockState {
  const run = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status === 0) return { inSync: true };
  // npm's own reason, e.g. "Missing: @biomejs/cli-darwin-x64@2.6.8 from lock file".
  const reasons = `${run.stderr}`
    .split('\n')
    .map((line) => line.replace(/^npm error\s*/, '').trim())
    .filter((line) => /^(Missing|Invalid):/.test(line));
  const detail =
    reasons.length > 0
      ? `${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` and ${reasons.length - 3} more` : ''}`
      : (run.error?.message ?? `npm ci --dry-run exited with ${run.status}`);
  return { inSync: false, detail };
}

if (import.meta.main) {
  const state = lockState();
  if (state.inSync) {
    console.log('package-lock.json agrees with every package.json.');
  } else {
    console.error(`package-lock.json disagrees with package.json (${state.detail}): ${lockFix}`);
    process.exitCode = 1;
  }
}
