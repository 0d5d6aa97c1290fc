import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './run-command.ts';

/**
 * Every image this folder builds carries the hash of what it was built from in this label, so a
 * rerun can tell "already built from these inputs" (skip) from "inputs changed" (rebuild).
 */
export const inputsLabel = 'journeys.inputs';

/** A stable hash over labelled parts; the labels keep ("a","bc") and ("ab","c") apart. */
export function hashParts(parts: Record<string, string | Buffer>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(parts).sort()) {
    const value = parts[key] ?? '';
    hash.update(`${key}\0${Buffer.byteLength(value)}\0`);
    hash.update(value);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Every file below `dir` (relative path → content), for hashing a build context. */
export async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, absolute).split(path.sep).join('/')] = await readFile(absolute);
  }
  return files;
}

/** The image's ID, or undefined when the engine has no image of that name. */
export async function imageId(tag: string): Promise<string | undefined> {
  try {
    return (await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).trim();
  } catch {
    return undefined;
  }
}

/** The inputs hash an existing image was built from; undefined when the image is absent or unlabelled. */
export async function builtInputs(tag: string): Promise<string | undefined> {
  try {
    const format = `{{ index .Config.Labels "${inputsLabel}" }}`;
    const value = (await runCommand('docker', ['image', 'inspect', '--format', format, tag])).trim();
    return value && value !== '<no value>' ? value : undefined;
  } catch {
    return undefined;
  }
}
