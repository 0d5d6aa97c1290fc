import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { platformModulesRan } from '../../fixtures/coverage/attribution.ts';
import { PlatformCoverage } from '../../fixtures/coverage/platform-coverage.ts';
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

test.beforeAll(async () => {
  probe = new PlatformCoverage(mkdtempSync(path.join(stackTempRoot(), 'journeys-coverage-test-')));
  stack = await startStack('embedded', { coverage: probe.hooks });
  probe.attach(stack);
  // The start-up's counts.
  await probe.collect();
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
