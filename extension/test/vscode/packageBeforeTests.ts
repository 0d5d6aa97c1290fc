import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Builds and packages the extension: the tests install the very .vsix a user would. */
export default function packageBeforeTests(): void {
  const extensionDir = path.resolve(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [path.join(extensionDir, 'scripts', 'build.ts')], { stdio: 'inherit' });
  const vscePackage = createRequire(path.join(extensionDir, 'package.json')).resolve(
    '@vscode/vsce/package.json',
  );
  const vsce = path.join(path.dirname(vscePackage), 'vsce');
  execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--out',
      'dist/journey-explorer.vsix',
    ],
    { cwd: extensionDir, stdio: 'inherit' },
  );
}
