import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  type BundleLayout,
  bundleEntryOf,
  bundleState,
  ensurePlatformBundle,
  sourcesOfScript,
} from '../../containers/api/bundle.ts';
import { copyPlatformSources } from '../../scripts/platform-copy.ts';
import { childrenOf } from './process-children.ts';

/** Every file of the copy's dist/, relative. */
const distFiles = (layout: BundleLayout) =>
  readdirSync(path.join(layout.root, 'dist'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(path.join(layout.root, 'dist'), path.join(entry.parentPath, entry.name)))
    .sort();

/** Sets every file of the copy (sources, manifest, lock, bundle) to `ms` ago. */
function backdate(layout: BundleLayout & { dir: string }, ms: number): void {
  const then = new Date(Date.now() - ms);
  for (const dir of [path.join(layout.root, 'src'), path.join(layout.root, 'dist')]) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) utimesSync(path.join(entry.parentPath, entry.name), then, then);
    }
  }
  for (const file of [path.join(layout.root, 'package.json'), layout.lockFile]) utimesSync(file, then, then);
}

/** The outputs named by the build; the chunks (dist/chunks) are named by their content. */
const namedOutputs = (layout: BundleLayout) =>
  distFiles(layout).filter((file) => !file.startsWith('chunks/'));

/** The sources (relative to the platform folder) a script of dist/ was made from. */
const sourcesOf = (layout: BundleLayout, script: string) =>
  sourcesOfScript(path.join(layout.root, 'dist', script)).map((source) => path.relative(layout.root, source));

const expectedOutputs = [
  'detection-worker.mjs',
  'detection-worker.mjs.map',
  'public/alert-feed.js',
  'public/alert-feed.js.map',
  'public/app.css',
  'public/deployment-status.js',
  'public/deployment-status.js.map',
  'public/experiment-progress.js',
  'public/experiment-progress.js.map',
  'public/favicon.svg',
  'public/session-dashboard.js',
  'public/session-dashboard.js.map',
  'scoring-thread.mjs',
  'scoring-thread.mjs.map',
  'server.mjs',
  'server.mjs.map',
];

test.describe('the platform bundle, built by the stack when needed', () => {
  let copy: ReturnType<typeof copyPlatformSources>;
  test.beforeEach(() => {
    copy = copyPlatformSources();
  });
  test.afterEach(() => rmSync(copy.dir, { recursive: true, force: true }));

  test('is built when missing, says so in one line, and runs', async () => {
    expect(bundleState(copy)).toEqual({ state: 'missing' });
    const lines: string[] = [];
    await expect(ensurePlatformBundle((line) => lines.push(line), copy)).resolves.toEqual({
      state: 'missing',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Built the platform bundle \(.*dist\) in \d+\.\d s: it was missing\.$/);
    expect(namedOutputs(copy)).toEqual(expectedOutputs);
    expect(bundleState(copy)).toEqual({ state: 'fresh' });
    // esbuild's service process ends with the build: a run's setup leaves no stray child behind.
    await expect.poll(() => childrenOf(process.pid)).toEqual([]);
    const check = spawn(process.execPath, ['--check', bundleEntryOf(copy)], { stdio: 'inherit' });
    expect((await once(check, 'exit'))[0]).toBe(0);
  });

  test("keeps the dependencies in chunks of their own, so the server's and threads' files are the platform's code", async () => {
    await ensurePlatformBundle(() => {}, copy);
    for (const entry of ['server.mjs', 'detection-worker.mjs', 'scoring-thread.mjs']) {
      const sources = sourcesOf(copy, entry);
      expect(sources.length, `${entry} maps to some source`).toBeGreaterThan(0);
      expect(
        sources.filter((source) => !source.startsWith(`src${path.sep}`)),
        `${entry}: not the platform's`,
      ).toEqual([]);
    }
    const chunks = new Map(
      distFiles(copy)
        .filter((file) => file.startsWith('chunks/') && file.endsWith('.mjs'))
        .map((chunk) => [chunk, sourcesOf(copy, chunk)]),
    );
    // The server's framework and the validation library both threads share: each in one chunk.
    for (const dependency of ['fastify', 'zod'])
      expect(
        [...chunks].filter(([, sources]) =>
          sources.some((source) => source.includes(`node_modules${path.sep}${dependency}${path.sep}`)),
        ),
        `the chunks holding ${dependency}`,
      ).toHaveLength(1);
    expect(
      [...chunks.values()].flat().some((source) => source.startsWith(`src${path.sep}detection${path.sep}`)),
    ).toBe(true);
    // The dependencies' entry only sorts code into chunks and is not shipped.
    expect(distFiles(copy).filter((file) => file.includes('platform-dependencies'))).toEqual([]);
  });

  test('is left alone when fresh, and rebuilt when a source is newer, naming it', async () => {
    await ensurePlatformBundle(() => {}, copy);
    const builtAt = statSync(bundleEntryOf(copy)).mtimeMs;
    const lines: string[] = [];
    await expect(ensurePlatformBundle((line) => lines.push(line), copy)).resolves.toEqual({ state: 'fresh' });
    expect(lines).toEqual([]);
    expect(statSync(bundleEntryOf(copy)).mtimeMs).toBe(builtAt);

    // Everything as of a minute ago, then one edit now.
    backdate(copy, 60_000);
    const edited = path.join(copy.root, 'src', 'routes', 'assets.ts');
    utimesSync(edited, new Date(), new Date());
    expect(bundleState(copy)).toEqual({
      state: 'stale',
      newerInput: path.join('api', 'src', 'routes', 'assets.ts'),
    });
    await ensurePlatformBundle((line) => lines.push(line), copy);
    expect(lines).toEqual([
      expect.stringMatching(/: api\/src\/routes\/assets\.ts is newer than the bundle\.$/),
    ]);
    expect(bundleState(copy)).toEqual({ state: 'fresh' });
  });

  test('a build drops what an earlier build left that the sources no longer make', async () => {
    await ensurePlatformBundle(() => {}, copy);
    const built = distFiles(copy);
    writeFileSync(path.join(copy.root, 'dist', 'public', 'renamed-away.js'), '');
    // A chunk of code that has changed since: its name was its old content's.
    writeFileSync(path.join(copy.root, 'dist', 'chunks', 'chunk-OLDCONTENT.mjs'), '');
    // The lock changed since (an upgraded dependency).
    backdate(copy, 60_000);
    utimesSync(copy.lockFile, new Date(), new Date());
    await ensurePlatformBundle(() => {}, copy);
    expect(distFiles(copy)).toEqual(built);
  });

  test('runs building at once never leave the bundle missing or half written for a reader', async () => {
    await ensurePlatformBundle(() => {}, copy);
    const complete = new Map(
      distFiles(copy).map((file) => [file, readFileSync(path.join(copy.root, 'dist', file))]),
    );
    const build = () =>
      spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { buildPlatformBundle } = await import(${JSON.stringify(path.resolve('containers/api/bundle.ts'))});
           await buildPlatformBundle(${JSON.stringify({ root: copy.root, lockFile: copy.lockFile })});`,
        ],
        { stdio: 'inherit' },
      );
    const builders = [build(), build(), build()];
    const exits = Promise.all(builders.map(async (child) => (await once(child, 'exit'))[0]));
    // A platform starting meanwhile (another run's stack) reads these files: each must be there, whole.
    let running = true;
    void exits.then(() => {
      running = false;
    });
    const seen: string[] = [];
    while (running) {
      for (const [file, bytes] of complete) {
        const now = existsSync(path.join(copy.root, 'dist', file))
          ? readFileSync(path.join(copy.root, 'dist', file))
          : undefined;
        if (!now) seen.push(`${file} missing`);
        else if (!now.equals(bytes)) seen.push(`${file} differs (${now.length} of ${bytes.length} bytes)`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await exits).toEqual([0, 0, 0]);
    expect([...new Set(seen)]).toEqual([]);
    expect(distFiles(copy)).toEqual([...complete.keys()]);
    // No build's scratch folder is left beside dist/.
    expect(readdirSync(copy.root).filter((name) => name.startsWith('.dist-building-'))).toEqual([]);
  });
});
