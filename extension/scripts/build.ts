/**
 * Bundles the extension for VS Code (`dist/extension.cjs`) and the streaming reporter for
 * Playwright (`dist/reporter.cjs`). Both are CommonJS, named `.cjs` because this package is
 * `"type": "module"` and VS Code would otherwise load the entry point as an ES module.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const extensionDir = path.resolve(import.meta.dirname, '..');
const outDir = path.join(extensionDir, 'dist');
const started = performance.now();

await rm(path.join(outDir, 'extension.js'), { force: true });
await mkdir(outDir, { recursive: true });

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
    outfile: path.join(outDir, 'extension.cjs'),
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

console.log(
  `built dist/extension.cjs and dist/reporter.cjs in ${Math.round(performance.now() - started)} ms`,
);
