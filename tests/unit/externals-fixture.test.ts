import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect as baseExpect } from '@playwright/test';
import { HttpResponse, http, test } from '../../fixtures/externals/index.ts';
import { runPlaywrightTest } from './playwright-cli.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test.describe('externals.use overrides', () => {
  test.describe.configure({ mode: 'serial' });
  let firstServerUrl = '';

  test('apply to the test that sets them', async ({ externals }) => {
    firstServerUrl = externals.url;
    externals.use(http.get(`${externals.url}/idp/jwks`, () => HttpResponse.json({ keys: [] })));
    baseExpect(await (await fetch(`${externals.url}/idp/jwks`)).json()).toEqual({ keys: [] });
  });

  test('are gone in the next test on the same server', async ({ externals }) => {
    // Serial mode keeps both tests in one worker, so this is the same server the override was set on.
    baseExpect(externals.url).toBe(firstServerUrl);
    const jwks = (await (await fetch(`${externals.url}/idp/jwks`)).json()) as { keys: unknown[] };
    baseExpect(jwks.keys).toHaveLength(1);
    baseExpect(externals.journal.entries, 'the journal starts empty for each test').toHaveLength(1);
  });
});

interface JsonReport {
  suites: Array<{
    specs: Array<{
      title: string;
      tests: Array<{
        results: Array<{
          status: string;
          errors: Array<{ message?: string }>;
          attachments: Array<{ name: string; body?: string }>;
        }>;
      }>;
    }>;
  }>;
}

test('an unhandled external request fails the test that caused it, naming the request', async () => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'externals-fixture-'));
  try {
    const fixtures = path.join(repoRoot, 'fixtures/externals/index.ts');
    writeFileSync(
      path.join(dir, 'sample.test.ts'),
      `import { test } from ${JSON.stringify(fixtures)};
test('calls a service nobody mocked', async ({ externals }) => {
  await fetch(externals.url + '/x', {
    method: 'POST',
    headers: { authorization: ['Bearer', 'live-token-123456789'].join(' '), 'content-type': 'application/json' },
    body: JSON.stringify({ client_secret: externals.idp.clientSecret }),
  });
});
test('reaches the server only through the worker fixture', async ({ externalsServer }) => {
  await fetch(externalsServer.localUrl + '/y');
});
test('calls only mocked services', async ({ externals }) => {
  await fetch(externals.idp.issuer + '/jwks');
});
`,
    );
    writeFileSync(
      path.join(dir, 'sample.config.mjs'),
      `export default { testDir: ${JSON.stringify(dir)}, workers: 1, outputDir: ${JSON.stringify(path.join(dir, 'results'))} };`,
    );
    const run = runPlaywrightTest(['--config', path.join(dir, 'sample.config.mjs'), '--reporter=json'], {
      cwd: repoRoot,
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: '' },
    });
    const report = JSON.parse(run.stdout) as JsonReport;
    const results = Object.fromEntries(
      report.suites.flatMap((suite) => suite.specs.map((spec) => [spec.title, spec.tests[0]?.results[0]])),
    );

    const failed = results['calls a service nobody mocked'];
    baseExpect(failed?.status).toBe('failed');
    baseExpect(failed?.errors.map((error) => error.message).join('\n')).toContain(
      'unhandled external request: POST /x → 502 — add a handler with externals.use(...)',
    );
    baseExpect(results['calls only mocked services']?.status).toBe('passed');
    // The check is automatic: a test that never names `externals` is still held to it.
    const indirect = results['reaches the server only through the worker fixture'];
    baseExpect(indirect?.status).toBe('failed');
    baseExpect(indirect?.errors.map((error) => error.message).join('\n')).toContain(
      'unhandled external request: GET /y → 502',
    );

    // The journal is attached to the report, with the bearer token and client secret redacted.
    const journal = failed?.attachments.find((attachment) => attachment.name === 'external calls');
    const attached = Buffer.from(journal?.body ?? '', 'base64').toString('utf8');
    baseExpect(attached).toContain('"path": "/x"');
    baseExpect(attached).not.toContain('live-token-123456789');
    baseExpect(attached).toContain('"client_secret": "[REDACTED]"');
    baseExpect(run.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
