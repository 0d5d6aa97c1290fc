import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { BuildOptions, BuildResult, OutputFile, Plugin } from 'esbuild';

/**
 * The platform bundle: the server and its threads in dist/, the code they share and every
 * dependency in dist/chunks (all inside, so the container needs only Node), the browser scripts and
 * stylesheet in dist/public.
 *
 * `npm run build` builds it; a stack's setup calls `ensurePlatformBundle()`, which builds only when
 * the bundle is missing or older than what it is made from, so a fresh clone runs the journeys
 * without a build step and an up-to-date one pays a stat of each source file.
 */
export const apiRoot = import.meta.dirname;

/** Where the platform's sources and its bundle are; another root builds a copy (tests, bench). */
export interface BundleLayout {
  /** The platform's folder: src/, package.json, dist/. */
  root: string;
  /** The lock that pins the bundled dependencies. */
  lockFile: string;
}

export const platformLayout: BundleLayout = {
  root: apiRoot,
  lockFile: path.resolve(apiRoot, '..', '..', 'package-lock.json'),
};

/** Written last, so its presence and time mean every other output of that build is in place. */
export const bundleEntryOf = (layout: BundleLayout) => path.join(layout.root, 'dist', 'server.mjs');
export const bundleEntry = bundleEntryOf(platformLayout);

function buildOptions(root: string): BuildOptions[] {
  const dist = path.join(root, 'dist');
  const server: BuildOptions = {
    // The server, the detection thread it starts for each experiment run, and its scoring threads (same folder).
    entryPoints: {
      server: path.join(root, 'src/server.ts'),
      'detection-worker': path.join(root, 'src/detection/detection-worker.ts'),
      'scoring-thread': path.join(root, 'src/deployments/scoring-thread.ts'),
      [dependenciesEntry]: dependenciesEntry,
    },
    // Shared code (the dependencies, and the detection code both threads and the server run) goes
    // into dist/chunks, imported by the files that need it; see dependenciesEntryPlugin.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [dependenciesEntryPlugin(root)],
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
    write: false,
  };
  const browser: BuildOptions = {
    entryPoints: ['experiment-progress', 'deployment-status', 'session-dashboard', 'alert-feed'].map((name) =>
      path.join(root, 'src/public', `${name}.ts`),
    ),
    outdir: path.join(dist, 'public'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // Maps beside the scripts for the coverage report (fixtures/coverage/), without the comment that
    // would point a browser at them: the asset route serves only .js, .css and .svg, never a map.
    sourcemap: 'external',
    logLevel: 'warning',
    write: false,
  };
  return [server, browser];
}

/**
 * The dependencies' entry: it re-exports every package the platform's manifest depends on, and is
 * never run. Splitting puts code that two entries share into chunks of its own (dist/chunks), so
 * this entry sends the dependencies there and leaves the server's and the threads' files holding
 * the platform's own code: the coverage report (fixtures/coverage/) then reads and maps 0.5 MB of
 * the platform instead of 5.8 MB of bundles, nine tenths of them dependencies, and the threads
 * share the one copy of zod.
 */
const dependenciesEntry = 'platform-dependencies';

function dependenciesEntryPlugin(root: string): Plugin {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const contents = Object.keys(manifest.dependencies ?? {})
    .map((name, index) => `export * as dependency${index} from ${JSON.stringify(name)};`)
    .join('\n');
  return {
    name: dependenciesEntry,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${dependenciesEntry}$`) }, () => ({
        path: dependenciesEntry,
        namespace: dependenciesEntry,
      }));
      build.onLoad({ filter: /.*/, namespace: dependenciesEntry }, () => ({
        contents,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/**
 * The files (absolute paths) a built script was made from, as its source map names them; none for
 * a script without a map (esbuild writes one beside every script it makes).
 */
export function sourcesOfScript(script: string): string[] {
  if (!existsSync(`${script}.map`)) return [];
  const map = JSON.parse(readFileSync(`${script}.map`, 'utf8')) as { sources: string[]; sourceRoot?: string };
  return map.sources.map((source) => path.resolve(path.dirname(script), map.sourceRoot ?? '', source));
}

/** Files served as they are. */
const staticFiles = (root: string) =>
  ['app.css', 'favicon.svg'].map((name) => ({
    from: path.join(root, 'src/public', name),
    to: path.join(root, 'dist', 'public', name),
  }));

/**
 * What the bundle is made from: the sources, this build definition, the platform's manifest and
 * the lock that pins the bundled dependencies.
 */
function bundleInputs(layout: BundleLayout): string[] {
  const sources = readdirSync(path.join(layout.root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
  return [...sources, import.meta.filename, path.join(layout.root, 'package.json'), layout.lockFile];
}

export type BundleState = { state: 'fresh' } | { state: 'missing' } | { state: 'stale'; newerInput: string };

/** Whether the bundle can run as it is: present, and not older than any of its inputs. */
export function bundleState(layout: BundleLayout = platformLayout): BundleState {
  const entry = bundleEntryOf(layout);
  if (!existsSync(entry)) return { state: 'missing' };
  const builtAt = statSync(entry).mtimeMs;
  for (const input of bundleInputs(layout)) {
    if (existsSync(input) && statSync(input).mtimeMs > builtAt) {
      return { state: 'stale', newerInput: path.relative(path.dirname(layout.lockFile), input) };
    }
  }
  return { state: 'fresh' };
}

let buildsRunning = 0;

/**
 * Builds the bundle in this process with esbuild's API. Safe when two runs build at once: each
 * writes into a folder of its own beside dist/ and renames every file into place (a rename replaces
 * a file whole, so nobody reads half a file), the entry last; both builds write the same bytes.
 */
export async function buildPlatformBundle(layout: BundleLayout = platformLayout): Promise<void> {
  // Loaded here, not at the top: a freshness check must not pay for loading esbuild.
  const esbuild = await import('esbuild');
  buildsRunning++;
  let results: BuildResult[];
  try {
    results = await Promise.all(buildOptions(layout.root).map((options) => esbuild.build(options)));
  } finally {
    // esbuild's API keeps a service process running for the next build; a run's setup builds
    // once, and that process would outlive every stack as a stray child of the test runner.
    if (--buildsRunning === 0) await esbuild.stop();
  }
  // The dependencies' entry only sorts code into chunks; nothing loads it, so it is not shipped.
  const outputs: OutputFile[] = results
    .flatMap((result) => result.outputFiles ?? [])
    .filter((file) => !path.basename(file.path).startsWith(`${dependenciesEntry}.`));
  const dist = path.join(layout.root, 'dist');
  const entry = bundleEntryOf(layout);
  const building = path.join(layout.root, `.dist-building-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const placed: { temp: string; final: string }[] = [];
    const stage = (final: string, write: (temp: string) => void) => {
      const temp = path.join(building, path.relative(dist, final));
      mkdirSync(path.dirname(temp), { recursive: true });
      write(temp);
      placed.push({ temp, final });
    };
    for (const file of outputs) stage(file.path, (temp) => writeFileSync(temp, file.contents));
    for (const file of staticFiles(layout.root)) stage(file.to, (temp) => copyFileSync(file.from, temp));
    // The entry goes last: see bundleEntryOf.
    placed.sort((a, b) => Number(a.final === entry) - Number(b.final === entry));
    for (const { temp, final } of placed) {
      mkdirSync(path.dirname(final), { recursive: true });
      renameSync(temp, final);
    }
    removeStrayOutputs(dist, new Set(placed.map(({ final }) => final)));
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Files an earlier build left that this one did not make (a renamed script), which the image would carry. */
function removeStrayOutputs(dist: string, keep: Set<string>): void {
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !keep.has(file)) rmSync(file, { force: true });
  }
}

let ensuring: Promise<BundleState> | undefined;

/**
 * Builds the bundle when it is missing or stale, saying so in one line; does nothing when fresh.
 * Resolves to the state it found. Calls made while a build runs wait for that build.
 */
export function ensurePlatformBundle(
  log: (line: string) => void = console.log,
  layout: BundleLayout = platformLayout,
): Promise<BundleState> {
  if (layout !== platformLayout) return ensureBundle(layout, log);
  ensuring ??= ensureBundle(layout, log).finally(() => {
    ensuring = undefined;
  });
  return ensuring;
}

async function ensureBundle(layout: BundleLayout, log: (line: string) => void): Promise<BundleState> {
  const found = bundleState(layout);
  if (found.state === 'fresh') return found;
  const began = performance.now();
  await buildPlatformBundle(layout);
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  const why = found.state === 'missing' ? 'it was missing' : `${found.newerInput} is newer than the bundle`;
  const dist = path.relative(process.cwd(), path.join(layout.root, 'dist')) || 'dist';
  log(`Built the platform bundle (${dist}) in ${seconds} s: ${why}.`);
  return found;
}
