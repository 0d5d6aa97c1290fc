import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The tests load the bundled reporter (`dist/reporter.cjs`): build it from the current source first. */
export default function buildBeforeTests(): void {
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'scripts', 'build.ts')], {
    stdio: 'inherit',
  });
}
