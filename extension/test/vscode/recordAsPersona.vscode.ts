import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { freePort } from '../../../fixtures/stack/free-port.ts';
import { virtualDisplay } from '../../../scripts/record/virtual-display.ts';
import { connectToPersonaPage } from '../../../tests/support/recording-driver.ts';
import { startCodeServer } from './codeServer.ts';
import { copyProject } from './projectCopy.ts';

/**
 * Record as a persona in a real VS Code, on a copy of this project: the command starts Playwright's
 * recorder signed in as the data scientist, the test acts in the recording's browser as a person
 * would (through its DevTools port), closes it, and the journey written opens in the editor and
 * runs green from the Testing view. The recorder's windows are headed: they need a display (an
 * Xvfb of the test's own when none is set).
 */
test('Record as a persona writes a journey that then runs green from the tree', async ({
  browser,
}, testInfo) => {
  test.setTimeout(360_000);
  const display = await virtualDisplay();
  const previousDisplay = process.env.DISPLAY;
  // code-server's extension host, and so the recorder it starts, inherit the display.
  process.env.DISPLAY = display.display;
  const debuggingPort = await freePort();
  const workspace = await copyProject(testInfo.outputPath('project'), {
    'journeys.env': {
      E2E_RECORD_DEBUGGING_PORT: String(debuggingPort),
      // The scripts are TypeScript run by Node (22.18 and later); the editor's environment comes from
      // a login shell, whose `node` may be older: this test's own Node goes first.
      PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    },
    // The copy's node_modules is a link to the checkout's: searching through it for the
    // activation's workspaceContains patterns times out, and the extension would not start.
    'search.followSymlinks': false,
    'files.exclude': { '**/node_modules': true },
  });
  const server = await startCodeServer(testInfo.outputPath('code-server'), { workspace });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.goto(server.url);
    await expect(page.locator('.monaco-workbench')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('tab', { name: /Testing/ }).click({ timeout: 60_000 });
    await expect(page.getByRole('treeitem', { name: /^Data scientist/ }).first()).toBeVisible({
      timeout: 60_000,
    });

    await runCommand(page, 'Journeys: Record as a persona');
    await page.getByRole('option', { name: /^dataScientist/ }).click();

    // The recorder's browser opens once the persona is signed in to a fresh tenant.
    let recording: Awaited<ReturnType<typeof connectToPersonaPage>> | undefined;
    await expect(async () => {
      recording = await connectToPersonaPage(debuggingPort);
    }, `the recorder's browser opens its DevTools port ${debuggingPort}`).toPass({ timeout: 120_000 });
    if (!recording) throw new Error('no recording to act in');
    const persona = recording.page;
    await expect(persona.getByRole('heading', { name: /^Welcome, / })).toBeVisible();
    await persona.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await expect(persona.getByRole('heading', { name: 'Datasets', level: 1 })).toBeVisible();
    const recorderShot = testInfo.outputPath('recording.png');
    await persona.screenshot({ path: recorderShot });
    await testInfo.attach('recording as the data scientist', {
      path: recorderShot,
      contentType: 'image/png',
    });
    await persona.close();
    await recording.browser.close();

    const written = path.join(workspace, 'journeys', 'data-scientist', 'recorded-journey.journey.ts');
    await expect(page.getByRole('tab', { name: /^recorded-journey\.journey\.ts/ })).toBeVisible({
      timeout: 60_000,
    });
    const journey = await readFile(written, 'utf8');
    expect(journey).toContain("tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist }) => {");
    expect(journey).toContain("await page.getByRole('link', { name: 'Datasets', exact: true }).click();");
    await expect(
      page.locator('.view-lines').filter({ hasText: 'const { page } = dataScientist;' }),
    ).toBeVisible();
    const editorShot = testInfo.outputPath('written-journey.png');
    await page.screenshot({ path: editorShot });
    await testInfo.attach('the written journey in the editor', {
      path: editorShot,
      contentType: 'image/png',
    });

    await expand(page.getByRole('treeitem', { name: /^Data scientist/ }).first());
    await expand(page.getByRole('treeitem', { name: /^recorded-journey\.journey\.ts/ }).first());
    const recorded = page.getByRole('treeitem', { name: /^recorded journey/ }).first();
    await recorded.hover();
    await recorded.getByRole('button', { name: 'Run Test', exact: true }).click();
    await expect(recorded).toHaveAccessibleName(/\(Passed\)/, { timeout: 120_000 });
  } finally {
    await testInfo.attach('workbench at the end', {
      body: await page.screenshot(),
      contentType: 'image/png',
    });
    await page.close();
    await server.stop();
    await display.stop();
    if (previousDisplay === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = previousDisplay;
  }
});

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  await page
    .getByRole('option', { name: new RegExp(title) })
    .first()
    .click();
}

async function expand(item: Locator): Promise<void> {
  await expect(item).toBeVisible();
  if ((await item.getAttribute('aria-expanded')) === 'false') await item.click();
  await expect(item).toHaveAttribute('aria-expanded', 'true');
}
