import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the platform into dist/server.mjs and its detection thread into
 * dist/detection-worker.mjs (every dependency inside, so the container needs only Node), and
 * the browser scripts and stylesheet into dist/public.
 */
const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'public'), { recursive: true });

await Promise.all([
  build({
    // The server, and the detection thread it starts for each experiment run (same folder).
    entryPoints: {
      server: join(root, 'src/server.ts'),
      'detection-worker': join(root, 'src/detection/detection-worker.ts'),
    },
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: true,
    legalComments: 'none',
    // CommonJS dependencies call require(); ESM output needs one made for it.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  }),
  build({
    entryPoints: [
      join(root, 'src/public/experiment-progress.ts'),
      join(root, 'src/public/deployment-status.ts'),
      join(root, 'src/public/session-dashboard.ts'),
      join(root, 'src/public/alert-feed.ts'),
    ],
    outdir: join(dist, 'public'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  }),
  copyFile(join(root, 'src/public/app.css'), join(dist, 'public/app.css')),
  copyFile(join(root, 'src/public/favicon.svg'), join(dist, 'public/favicon.svg')),
]);

process.stdout.write(`built ${join('dist', 'server.mjs')} and ${join('dist', 'public')}\n`);
