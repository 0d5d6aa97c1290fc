import {
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
  spawnSync,
} from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../fixtures/stack/paths.ts';

/** The repository's Playwright command line, run by this Node (not whatever `npx` finds on PATH). */
export const playwrightCli = path.join(repoRoot, 'node_modules/@playwright/test/cli.js');

/** `playwright test <args>` in a child process, for tests that check what a whole run does. */
export function runPlaywrightTest(
  args: readonly string[],
  options: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [playwrightCli, 'test', ...args], { encoding: 'utf8', ...options });
}
