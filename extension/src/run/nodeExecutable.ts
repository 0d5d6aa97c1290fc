import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * The `node` to run Playwright with. Inside VS Code `process.execPath` is the editor's own
 * binary, so prefer the user's `node` on PATH (the one their terminal runs the journeys with);
 * fall back to the editor's binary in Node mode.
 */
export function nodeExecutable(): { command: string; env: Record<string, string> } {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    try {
      accessSync(candidate, constants.X_OK);
      return { command: candidate, env: {} };
    } catch {
      // Not in this folder.
    }
  }
  return { command: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
}
