import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEFAULT_SECRET_PATTERNS, scanRunArtifacts } from '../../fixtures/reporting/secret-scanner.ts';

// The suite's own trace recording would already hold the contexts this test traces itself.
test.use({ trace: 'off' });

// Built at run time: Playwright traces embed test sources, so a literal token here would leak into every trace.
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ sub: 'user-1' })}.${Buffer.from('signature-signature').toString('base64url')}`;

test('finds a secret inside a real Playwright trace, and nothing in a clean one', async ({
  browser,
}, testInfo) => {
  const tracesDir = testInfo.outputPath('test-results');
  const emptyAllure = testInfo.outputPath('allure-results');
  const record = async (name: string, body: string) => {
    // A context per trace: a trace starts with a snapshot of whatever its context already shows.
    const context = await browser.newContext();
    await context.tracing.start({ snapshots: true });
    const page = await context.newPage();
    await page.setContent(`<main><h1>Trace</h1><p>${body}</p></main>`);
    await context.tracing.stop({ path: path.join(tracesDir, name, 'trace.zip') });
    await context.close();
  };
  await record('leaky', `session token ${JWT}`);
  await record('clean', 'session token [REDACTED]');
  const report = await scanRunArtifacts({
    allureResultsDir: emptyAllure,
    traceDirs: [tracesDir],
    patterns: DEFAULT_SECRET_PATTERNS,
  });
  expect(report.archives).toBe(2);
  expect(report.archiveEntries).toBeGreaterThan(2);
  expect(report.findings.length).toBeGreaterThan(0);
  for (const finding of report.findings) {
    expect(finding).toMatchObject({ file: path.join('test-results', 'leaky', 'trace.zip'), kind: 'JWT' });
  }
});
