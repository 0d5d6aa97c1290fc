/**
 * Bundles the extension for VS Code (`dist/extension.cjs`) and the streaming reporter for
 * Playwright (`dist/reporter.cjs`). Both are CommonJS, named `.cjs` because this package is
 * `"type": "module"` and VS Code would otherwise load the entry point as an ES module.
 *
 * The TypeScript compiler, which discovery parses journeys with, is 3.5 MB of the extension: it
 * goes into `dist/typescript.cjs` of its own and is loaded when discovery first parses, not while
 * VS Code loads the extension, so activation does not wait for it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

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

/**
 * `import ts from 'typescript'` in the extension becomes a stand-in that requires
 * `./typescript.cjs` on the first property read (`ts.createSourceFile`, `ts.SyntaxKind`). It
 * answers `__esModule` itself, which esbuild's import helper reads as soon as the module loads.
 */
const lazyTypescript: Plugin = {
  name: 'lazy-typescript',
  setup(builder) {
    builder.onResolve({ filter: /^typescript$/ }, () => ({
      path: 'typescript',
      namespace: 'lazy-typescript',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-typescript' }, () => ({
      loader: 'js',
      contents: `let compiler;
module.exports = new Proxy({}, {
  get: (_, key) => key === '__esModule' ? undefined : (compiler ??= require('./typescript.cjs'))[key],
});`,
    }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: [path.join(extensionDir, 'src/extension.ts')],
    outfile: path.join(outDir, 'extension.cjs'),
    external: ['vscode', './typescript.cjs'],
    plugins: [lazyTypescript],
    minify: true,
    // The first statement of the bundle: activation reports how long loading the bundle took.
    banner: { js: 'var journeysBundleLoadStart=performance.now();' },
  }),
  build({
    ...common,
    entryPoints: [createRequire(import.meta.url).resolve('typescript')],
    outfile: path.join(outDir, 'typescript.cjs'),
    minify: true,
    sourcemap: false,
  }),
  build({
    ...common,
    entryPoints: [path.join(extensionDir, 'src/run/streamingReporter.ts')],
    outfile: path.join(outDir, 'reporter.cjs'),
    external: ['@playwright/test'],
  }),
]);

console.log(
  `built dist/extension.cjs, dist/typescript.cjs and dist/reporter.cjs in ${Math.round(performance.now() - started)} ms`,
);
