import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { apiRoot, sourcesOfScript } from '../../containers/api/bundle.ts';
import {
  bundleFileOf,
  platformLinesRan,
  platformModulesRan,
  platformNodeScripts,
} from '../../fixtures/coverage/attribution.ts';
import { PlatformCoverage } from '../../fixtures/coverage/platform-coverage.ts';
import type { V8ScriptCoverage } from '../../fixtures/coverage/v8-coverage.ts';
import { startStack } from '../../fixtures/stack/index.ts';
import type { Stack } from '../../fixtures/stack/stack.ts';
import { stackTempRoot } from '../../fixtures/stack/temp-root.ts';

/**
 * What coverage per journey rests on: a take returns what the platform ran since the previous one
 * and nothing from before, and killing the platform does not lose what the old process ran.
 */
test.describe.configure({ mode: 'serial' });

let stack: Stack;
let probe: PlatformCoverage;
let startUp: V8ScriptCoverage[];

test.beforeAll(async () => {
  probe = new PlatformCoverage(mkdtempSync(path.join(stackTempRoot(), 'journeys-coverage-test-')));
  stack = await startStack('embedded', { coverage: probe.hooks });
  probe.attach(stack);
  startUp = await probe.collect();
});

test.afterAll(async () => {
  await stack?.stop();
  rmSync(probe.dir, { recursive: true, force: true });
});

/** Runs for a tenant listing and not at start-up (routes are registered at start-up, so their files run then). */
const tenantQueries = 'containers/api/src/tenants/tenants.ts';

async function listTenants(): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/api/admin/tenants`, {
    headers: { authorization: `Bearer ${stack.bootstrapToken}` },
  });
  expect(response.status).toBe(200);
}

test("a take keeps the platform's scripts, the chunks of shared platform code among them, and no dependency's", () => {
  const files = startUp.map((script) => bundleFileOf(script.url));
  expect(files.filter((file) => !file || !platformNodeScripts().has(file))).toEqual([]);
  // The detection code the server shares with its threads lives in a chunk, and counts.
  expect(files.some((file) => file?.includes(`${path.sep}chunks${path.sep}`))).toBe(true);
  expect(platformLinesRan(startUp).get('containers/api/src/detection/params.ts')?.size).toBeGreaterThan(0);
  // The server ran its framework at start-up; the chunk holding it was left out of the take.
  const framework = chunkHolding(`node_modules${path.sep}fastify${path.sep}`);
  expect(files).not.toContain(framework);
});

/** The one chunk of the bundle whose source map names a source with this in its path. */
function chunkHolding(part: string): string {
  const chunks = path.join(apiRoot, 'dist', 'chunks');
  const holding = readdirSync(chunks)
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => path.join(chunks, name))
    .filter((file) => sourcesOfScript(file).some((source) => source.includes(part)));
  expect(holding, `the chunks holding ${part}`).toHaveLength(1);
  return holding[0] as string;
}

test('a take holds what ran since the previous one, and only that', async () => {
  await listTenants();
  expect(platformModulesRan(await probe.collect())).toContain(tenantQueries);
  // Nothing asked of the admin API since: the listing did not run again.
  expect(platformModulesRan(await probe.collect())).not.toContain(tenantQueries);
});

test('what a platform ran before it is killed is taken before it goes', async () => {
  await listTenants();
  // SIGKILL: the process writes nothing as it dies (a graceful stop would write its counts itself).
  await stack.kill('api');
  expect(platformModulesRan(await probe.collect())).toContain(tenantQueries);
});
