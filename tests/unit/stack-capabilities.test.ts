import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { capabilitiesOf, needsOf, skipReason } from '../../fixtures/stack/capabilities.ts';
import { repoRoot } from '../../fixtures/stack/paths.ts';
import {
  longestRunMs,
  newRunToken,
  runIsDead,
  runStartOf,
  runTokenOfSlug,
  sweepDeadRuns,
} from '../../fixtures/stack/run-tenants.ts';
import { tallyExternalRun } from '../../scripts/external-run-tally.ts';
import { runPlaywrightTest } from './playwright-cli.ts';

const external = { mode: 'external' as const, capabilities: [] };

test.describe('a journey’s needs', () => {
  test('are recorded as annotations, with a skip and its reason only where the stack lacks one', () => {
    const needs = [
      { type: 'needs', description: 'database' },
      { type: 'needs', description: 'clock' },
    ];
    expect(needsOf(['database', 'clock'], { mode: 'embedded', capabilities: ['database', 'clock'] })).toEqual(
      needs,
    );
    expect(needsOf(['database', 'clock'], { mode: 'external', capabilities: ['clock'] })).toEqual([
      ...needs,
      {
        type: 'skip',
        description:
          "The external stack does not offer database (it verifies in the platform's database, which an external stack offers when E2E_DATABASE_URL is set): run it on a stack that does, e.g. E2E_STACK=embedded.",
      },
    ]);
    // Outside a run (a listing without globalSetup) nothing is known, and nothing is skipped.
    expect(needsOf(['platformLog'], undefined)).toEqual([{ type: 'needs', description: 'platformLog' }]);
    expect(() => needsOf(['databse' as 'database'], external)).toThrow(
      '"databse" is not a capability: declare one of platformLog, database, clock, faultInjection, brokerRights, trustedProxy (fixtures/stack/capabilities.ts).',
    );
  });

  test('are met by what each stack offers', () => {
    const clockOn = { testClock: true, uploadMaxBytes: 1 };
    expect(
      capabilitiesOf(
        { mode: 'embedded', databaseUrl: 'postgres://x', platformLog: '/tmp/p.log', brokerRights: true },
        clockOn,
      ),
    ).toEqual(['platformLog', 'database', 'clock', 'faultInjection', 'brokerRights']);
    const proxy = { clients: [] };
    expect(capabilitiesOf({ mode: 'containers', databaseUrl: 'postgres://x', proxy }, clockOn)).toEqual([
      'database',
      'clock',
      'faultInjection',
      'trustedProxy',
    ]);
    expect(capabilitiesOf({ mode: 'external' }, clockOn)).toEqual(['clock']);
    // The bootstrap token alone gives no clock: the platform must run with TEST_CLOCK=true.
    expect(
      capabilitiesOf({ mode: 'external', databaseUrl: 'postgres://x' }, { ...clockOn, testClock: false }),
    ).toEqual(['database']);
  });

  test('skip a journey before anything of it runs, reported as skipped in Allure, not as a failed hook', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'needs-run-'));
    try {
      const needs = JSON.stringify(path.join(repoRoot, 'fixtures/stack/needs.ts'));
      const marker = path.join(dir, 'hook-ran-for-');
      writeFileSync(
        path.join(dir, 'sample.journey.ts'),
        `import { test } from ${JSON.stringify(path.join(repoRoot, 'node_modules/@playwright/test/index.mjs'))};
import { writeFileSync } from 'node:fs';
import { needs } from ${needs};
test.beforeEach(({}, testInfo) => writeFileSync(${JSON.stringify(marker)} + testInfo.title, 'hook'));
test('reads the platform log', { tag: '@e2e', annotation: needs('platformLog') }, async () => {});
test('moves the clock', { tag: '@e2e', annotation: needs('clock') }, async () => {});
`,
      );
      writeFileSync(
        path.join(dir, 'sample.config.mjs'),
        `export default {
  testDir: ${JSON.stringify(dir)},
  testMatch: '*.journey.ts',
  workers: 1,
  outputDir: ${JSON.stringify(path.join(dir, 'test-results'))},
  reporter: [[${JSON.stringify(path.join(repoRoot, 'node_modules/allure-playwright/dist/esm/index.js'))}, { resultsDir: ${JSON.stringify(path.join(dir, 'allure-results'))} }]],
};`,
      );
      const handover = { ...external, capabilities: ['clock' as const] };
      const run = runPlaywrightTest(['--config', path.join(dir, 'sample.config.mjs')], {
        cwd: repoRoot,
        env: { ...process.env, JOURNEYS_RUN_HANDOVER: JSON.stringify(handover) },
      });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      const results = readdirSync(path.join(dir, 'allure-results'))
        .filter((name) => name.endsWith('-result.json'))
        .map((name) => JSON.parse(readFileSync(path.join(dir, 'allure-results', name), 'utf8')));
      const skipped = results.find((result) => result.name === 'reads the platform log');
      expect(skipped.status).toBe('skipped');
      expect(JSON.stringify(skipped)).toContain(skipReason(['platformLog'], handover).slice(0, 60));
      // No hook ran, so none can show as failed.
      expect((skipped.steps ?? []).filter((step: { status: string }) => step.status !== 'passed')).toEqual(
        [],
      );
      expect(results.find((result) => result.name === 'moves the clock').status).toBe('passed');
      expect(readdirSync(dir).filter((name) => name.startsWith('hook-ran-for-'))).toEqual([
        'hook-ran-for-moves the clock',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test.describe('the external-mode check', () => {
  test('accepts only skips for a declared need', () => {
    const spec = (
      title: string,
      annotations: { type: string; description?: string }[],
      status = 'skipped',
    ) => ({
      title,
      file: 'a.journey.ts',
      tests: [{ status, annotations }],
    });
    const tally = tallyExternalRun({
      suites: [
        {
          title: 'a.journey.ts',
          specs: [
            spec('passes', [], 'expected'),
            spec('needs the log', [
              { type: 'needs', description: 'platformLog' },
              { type: 'skip', description: skipReason(['platformLog'], external) },
            ]),
            spec('skips by hand', [{ type: 'skip', description: 'not today' }]),
            spec('fails', [], 'unexpected'),
          ],
        },
      ],
      errors: [{ message: 'Error in global teardown\nstack' }],
    });
    expect(tally).toEqual({
      passed: 1,
      failed: 1,
      declaredSkips: [`a.journey.ts › needs the log: ${skipReason(['platformLog'], external)}`],
      otherSkips: ['a.journey.ts › skips by hand: not today'],
      errors: ['Error in global teardown'],
    });
  });
});

test.describe("a run's tenants", () => {
  test('carry a token that tells when their run started', () => {
    const now = Date.UTC(2031, 0, 2, 3, 4, 5);
    const token = newRunToken(now);
    expect(token).toMatch(/^e2e[0-9a-z]{7}[0-9a-f]{4}$/);
    expect(runStartOf(token)).toBe(now);
    expect(runTokenOfSlug(`${token}-w0-1x2y-r0-t0-b`)).toBe(token);
    expect(runTokenOfSlug('acme')).toBeUndefined();
    // A run this machine knows is dead when its process is; any other run once it is older than any run lasts.
    expect(runIsDead(token, false, now)).toBe(true);
    expect(runIsDead(token, true, now + 2 * longestRunMs)).toBe(false);
    expect(runIsDead(token, undefined, now + longestRunMs - 1)).toBe(false);
    expect(runIsDead(token, undefined, now + longestRunMs + 1)).toBe(true);
  });

  test('of dead runs are swept through the admin API; a live run’s, and tenants of no run, stay', async () => {
    const now = Date.now();
    const dead = newRunToken(now - longestRunMs - 60_000);
    const live = newRunToken(now - 60_000);
    const localDead = newRunToken(now - 60_000);
    let tenants = [
      { id: '1', slug: `${dead}-w0-a-r0-t0` },
      { id: '2', slug: `${dead}-w1-b-r0-t0-b` },
      { id: '3', slug: `${live}-w0-a-r0-t0` },
      { id: '4', slug: `${localDead}-w0-a-r0-t0` },
      { id: '5', slug: 'acme' },
    ];
    const platform = http.createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (request.method === 'GET' && url.pathname === '/api/admin/tenants') {
        const prefix = url.searchParams.get('slugPrefix') ?? '';
        response.end(JSON.stringify({ tenants: tenants.filter(({ slug }) => slug.startsWith(prefix)) }));
        return;
      }
      const id = /^\/api\/admin\/tenants\/(.+)$/.exec(url.pathname)?.[1];
      tenants = tenants.filter((tenant) => tenant.id !== id);
      response.writeHead(204).end();
    });
    platform.listen(0, '127.0.0.1');
    await once(platform, 'listening');
    const dir = mkdtempSync(path.join(tmpdir(), 'runs-'));
    try {
      // A run of this machine whose process is gone.
      writeFileSync(path.join(dir, `${localDead}.json`), JSON.stringify({ pid: 2 ** 22 + 1 }));
      const apiUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
      const swept = await sweepDeadRuns({ apiUrl, bootstrapToken: 't' }, { dir, now });
      expect(swept.sort()).toEqual([dead, localDead].sort());
      expect(tenants.map(({ id }) => id)).toEqual(['3', '5']);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      platform.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
