import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * A copy of this project (the files git knows, as they are now, and the built platform) to open
 * in the editor, so what a test records lands in the copy's journeys and never in the checkout.
 * Dependencies are the checkout's own, linked rather than copied.
 */
export async function copyProject(target: string, settings: Record<string, unknown>): Promise<string> {
  await rm(target, { recursive: true, force: true });
  const { stdout } = await promisify(execFile)(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const files = stdout.split('\0').filter((file) => file && !file.startsWith('extension/'));
  for (const file of files) {
    const source = path.join(repoRoot, file);
    if (!existsSync(source)) continue;
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await cp(source, path.join(target, file));
  }
  for (const built of ['containers/api/dist']) {
    if (existsSync(path.join(repoRoot, built)))
      await cp(path.join(repoRoot, built), path.join(target, built), { recursive: true });
  }
  for (const modules of ['node_modules', 'containers/api/node_modules']) {
    if (existsSync(path.join(repoRoot, modules)))
      await symlink(path.join(repoRoot, modules), path.join(target, modules), 'dir');
  }
  await mkdir(path.join(target, '.vscode'), { recursive: true });
  await writeFile(path.join(target, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return target;
}
