import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { freePort } from '../../../fixtures/stack/free-port.ts';
import { virtualDisplay } from '../../../scripts/record/virtual-display.ts';
import { connectToPersonaPage, untilRecorderListens } from '../../../tests/support/recording-driver.ts';
import { startCodeServer } from './codeServer.ts';
import { copyProject } from './recordingProjectCopy.ts';

/**
 * Record as a persona and Pick locator in a real VS Code, on a copy of this project: each command
 * starts Playwright's recorder or locator picker signed in as the data scientist of a fresh
 * tenant, and the test acts in that browser as a person would (through its DevTools port). The
 * browser and Playwright's Inspector are headed: they need a display (an Xvfb of the test's own
 * when none is set), which code-server's extension host, and so the scripts it starts, inherit.
 */
interface Editor {
  page: Page;
  workspace: string;
  debuggingPort: number;
}

const test = base.extend<object, { editor: Editor }>({
  editor: [
    async ({ browser }, use, workerInfo) => {
      const display = await virtualDisplay();
      const previousDisplay = process.env.DISPLAY;
      process.env.DISPLAY = display.display;
      const debuggingPort = await freePort();
      // Outside the checkout: a copy inside it would be one more suite for the checkout's runners
      // to find (its tests/unit, its journeys).
      const baseDir = await mkdtemp(path.join(tmpdir(), `journeys-record-${workerInfo.workerIndex}-`));
      const workspace = await copyProject(path.join(baseDir, 'project'), {
        'journeys.env': {
          E2E_RECORD_DEBUGGING_PORT: String(debuggingPort),
          // The scripts are TypeScript run by Node (22.18 and later); the editor's environment comes
          // from a login shell, whose `node` may be older: this test's own Node goes first.
          PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        },
        // The copy's node_modules is a link to the checkout's: searching through it for the
        // activation's workspaceContains patterns times out, and the extension would not start.
        'search.followSymlinks': false,
        'files.exclude': { '**/node_modules': true },
      });
      const server = await startCodeServer(path.join(baseDir, 'code-server'), { folders: [workspace] });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      try {
        await page.goto(server.url);
        await expect(page.locator('.monaco-workbench')).toBeVisible({ timeout: 60_000 });
        await page.getByRole('tab', { name: /Testing/ }).click({ timeout: 60_000 });
        await expect(treeItem(page, /^Data scientist/)).toBeVisible({ timeout: 60_000 });
        await use({ page, workspace, debuggingPort });
      } finally {
        await page.close();
        await server.stop();
        await display.stop();
        await rm(baseDir, { recursive: true, force: true });
        if (previousDisplay === undefined) delete process.env.DISPLAY;
        else process.env.DISPLAY = previousDisplay;
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test.afterEach(async ({ editor: { page } }, testInfo) => {
  const shot = testInfo.outputPath('workbench.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('workbench', { path: shot, contentType: 'image/png' });
});

test('Record as a persona writes a journey that then runs green from the tree', async ({
  editor: { page, workspace, debuggingPort },
}, testInfo) => {
  await runCommand(page, 'Journeys: Record as a persona');
  await page.getByRole('option', { name: /^dataScientist/ }).click();

  const { browser, page: persona } = await personaPage(debuggingPort);
  // The recording starts inside the story's world: the persona is signed in to their own tenant.
  await expect(persona.getByRole('heading', { name: /^Welcome, / })).toBeVisible();
  await untilRecorderListens(persona);
  await persona.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await expect(persona.getByRole('heading', { name: 'Datasets', level: 1 })).toBeVisible();
  const recorderShot = testInfo.outputPath('recording.png');
  await persona.screenshot({ path: recorderShot });
  await testInfo.attach('recording as the data scientist', { path: recorderShot, contentType: 'image/png' });
  await persona.close();
  await browser.close();

  await expect(page.getByRole('tab', { name: /^recorded-journey\.journey\.ts/ })).toBeVisible({
    timeout: 60_000,
  });
  const journey = await readFile(
    path.join(workspace, 'journeys', 'data-scientist', 'recorded-journey.journey.ts'),
    'utf8',
  );
  expect(journey).toContain("tag: ['@e2e', '@data-scientist'] }, async ({ dataScientist }) => {");
  expect(journey).toContain("await page.getByRole('link', { name: 'Datasets', exact: true }).click();");
  await expect(
    page.locator('.view-lines').filter({ hasText: 'const { page } = dataScientist;' }),
  ).toBeVisible();
  const editorShot = testInfo.outputPath('written-journey.png');
  await page.screenshot({ path: editorShot });
  await testInfo.attach('the written journey in the editor', { path: editorShot, contentType: 'image/png' });

  await expand(treeItem(page, /^Data scientist/));
  await expand(treeItem(page, /^recorded-journey\.journey\.ts/));
  const recorded = treeItem(page, /^recorded journey/);
  await recorded.hover();
  await recorded.getByRole('button', { name: 'Run Test', exact: true }).click();
  await expect(recorded).toHaveAccessibleName(/\(Passed\)/, { timeout: 120_000 });
});

test('Pick locator types the picked element’s locator at the cursor', async ({
  editor: { page, debuggingPort },
}) => {
  // The recorded journey is open; the locator goes on its last, empty line.
  await page.locator('.view-lines').filter({ hasText: 'const { page } = dataScientist;' }).click();
  await page.keyboard.press('Control+End');
  await runCommand(page, 'Journeys: Pick locator');
  await page.getByRole('option', { name: /^dataScientist/ }).click();

  const { browser, page: persona } = await personaPage(debuggingPort);
  await untilRecorderListens(persona);
  await persona.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await browser.close();

  const locator = "page.getByRole('link', { name: 'Models' })";
  await expect(page.getByText(`Copied ${locator}`, { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.view-lines').filter({ hasText: locator })).toBeVisible();
});

/** The platform's page in the browser the command started, once it is open. */
async function personaPage(debuggingPort: number): Promise<Awaited<ReturnType<typeof connectToPersonaPage>>> {
  let opened: Awaited<ReturnType<typeof connectToPersonaPage>> | undefined;
  await expect(async () => {
    opened = await connectToPersonaPage(debuggingPort);
  }, `the persona's browser opens its DevTools port ${debuggingPort}`).toPass({ timeout: 120_000 });
  if (!opened) throw new Error(`no browser on port ${debuggingPort}`);
  return opened;
}

function treeItem(page: Page, name: RegExp): Locator {
  return page.getByRole('treeitem', { name }).first();
}

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
