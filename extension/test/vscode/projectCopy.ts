import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { extensionDir } from './codeServer.ts';

export const repoRoot = path.dirname(extensionDir);

/** What the journeys do not need to run: the extension itself (with its own workspaces) and the docs. */
const leftOut = ['extension/', 'docs/'];

/**
 * Copies the project's tracked files (its real journeys, fixtures, platform and scripts) into
 * `dir`, which must lie inside this repository (the extension's test-results): packages then
 * resolve from the repository's node_modules, and whatever the runs write (test-results,
 * .journeys/ with the warm stack's file and kept traces, the platform bundle) stays in the copy,
 * never in the checkout, and a warm stack of the checkout's is neither reused nor stopped.
 */
export async function copyProject(dir: string): Promise<string> {
  if (path.relative(repoRoot, dir).startsWith('..'))
    throw new Error(
      `${dir} is outside ${repoRoot}: the copy resolves packages from the repository's node_modules.`,
    );
  await rm(dir, { recursive: true, force: true });
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && !leftOut.some((prefix) => file.startsWith(prefix)));
  for (const file of files) {
    await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await cp(path.join(repoRoot, file), path.join(dir, file));
  }
  return dir;
}
