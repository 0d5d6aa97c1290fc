/**
 * Bundles the extension for VS Code (`dist/extension.js`) and the streaming reporter for
 * Playwright (`dist/reporter.cjs`). Both are CommonJS: VS Code and Playwright load them with
 * `require`, from a folder whose own package.json says so.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const extensionDir = path.resolve(import.meta.dirname, '..');
const outDir = path.join(extensionDir, 'dist');
const started = performance.now();

await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
} as const;

await Promise.all([
  build({
    ...common,
    entryPoints: [path.join(extensionDir, 'src/extension.ts')],
    outfile: path.join(outDir, 'extension.js'),
    external: ['vscode'],
    minify: true,
  }),
  build({
    ...common,
    entryPoints: [path.join(extensionDir, 'src/run/streamingReporter.ts')],
    outfile: path.join(outDir, 'reporter.cjs'),
    external: ['@playwright/test'],
  }),
]);

console.log(`built dist/extension.js and dist/reporter.cjs in ${Math.round(performance.now() - started)} ms`);
