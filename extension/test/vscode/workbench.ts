import { expect, type Frame, type Locator, type Page } from '@playwright/test';

/** Ways to reach what Journey Explorer shows in code-server's workbench, as a person would. */

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
  for (const frame of page.frames()) {
    if ((await frame.title().catch(() => '')) === 'Playwright Trace Viewer') viewer = frame;
  }
  return viewer;
}
