import path from 'node:path';
import { test as base, expect, type Frame, type Locator, type Page } from '@playwright/test';
import type { RunningCodeServer } from './codeServer.ts';

/** Ways to reach what Journey Explorer shows in code-server's workbench, as a person would. */

export interface Workbench {
  page: Page;
  workspace: string;
}

/**
 * A test with one code-server per worker (`start` gets a folder of its own for it) and one
 * workbench page on it for the whole file: the steps build on each other as a person's session would.
 */
export function workbenchTest(name: string, start: (baseDir: string) => Promise<RunningCodeServer>) {
  return base.extend<object, { codeServer: RunningCodeServer; workbench: Workbench }>({
    codeServer: [
      // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name their dependencies by destructuring.
      async ({}, use, workerInfo) => {
        const server = await start(
          path.join(workerInfo.project.outputDir, `${name}-${workerInfo.workerIndex}`),
        );
        await use(server);
        await server.stop();
      },
      { scope: 'worker' },
    ],
    workbench: [
      async ({ browser, codeServer }, use) => {
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        await page.goto(codeServer.url);
        await expect(page.locator('.monaco-workbench')).toBeVisible({ timeout: 60_000 });
        await page.getByRole('tab', { name: /Testing/ }).click();
        await use({ page, workspace: codeServer.workspace });
        await page.close();
      },
      { scope: 'worker' },
    ],
  });
}

export function treeItem(page: Page, name: RegExp): Locator {
  return page.getByRole('treeitem', { name }).first();
}

export async function expand(item: Locator): Promise<void> {
  await expect(item).toBeVisible();
  if ((await item.getAttribute('aria-expanded')) === 'false') await item.click();
  await expect(item).toHaveAttribute('aria-expanded', 'true');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Expands a persona and a journey file and returns the journey's row. */
export async function revealJourney(
  page: Page,
  persona: string,
  file: string,
  journey: RegExp,
): Promise<Locator> {
  await expand(treeItem(page, new RegExp(`^${persona}`)));
  await expand(treeItem(page, new RegExp(`^${escapeRegExp(file)}`)));
  return treeItem(page, journey);
}

export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(name);
  await page
    .getByRole('option', { name: new RegExp(escapeRegExp(name)) })
    .first()
    .click();
  await expect(page.getByRole('tab', { name: new RegExp(`^${escapeRegExp(name)}`) })).toBeVisible();
}

export async function runAction(item: Locator, action: 'Run Test' | 'Debug Test'): Promise<void> {
  await item.hover();
  await item.getByRole('button', { name: action, exact: true }).click();
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await expect(input).toBeVisible();
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list')
    .getByRole('option', { name: new RegExp(escapeRegExp(title)) })
    .first()
    .click();
}

/** The Simple Browser's frame showing Playwright's trace viewer, once it has one (the newest). */
export async function traceViewerFrame(page: Page): Promise<Frame | undefined> {
  let viewer: Frame | undefined;
  for (const { frame, title } of await titledFrames(page)) {
    if (title === 'Playwright Trace Viewer') viewer = frame;
  }
  return viewer;
}

/**
 * The trace viewer's URL once it shows, else what the page's frames show: a poll's "received" then
 * says where opening the trace stopped (the opening page's status, an error page, no frame at all).
 */
export async function traceViewerUrlOrFrames(page: Page): Promise<string> {
  const viewer = await traceViewerFrame(page);
  if (viewer) return viewer.url();
  const frames = await titledFrames(page);
  return `no trace viewer yet; frames: ${frames.map(({ frame, title }) => `"${title}" ${frame.url()}`).join(', ')}`;
}

/**
 * Every frame with its title. A frame in the middle of a navigation (the opening page replacing
 * itself with the viewer) answers once its new document exists, or never if it is torn down: a
 * second's wait, then it counts as untitled, so one such frame cannot hold up a whole poll.
 */
async function titledFrames(page: Page): Promise<{ frame: Frame; title: string }[]> {
  return Promise.all(
    page.frames().map(async (frame) => ({
      frame,
      title: await Promise.race([
        frame.title().catch(() => ''),
        new Promise<string>((resolve) => setTimeout(() => resolve('(no answer)'), 1_000)),
      ]),
    })),
  );
}
