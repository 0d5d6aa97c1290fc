import type { Browser, BrowserContext, Page } from '@playwright/test';

/**
 * Resolves once the person is done with the browser: its last page of this context closed (the
 * window's close button), or the browser gone altogether. No timeout: a recording takes as long
 * as the person needs.
 */
export function untilTheBrowserIsClosed(context: BrowserContext, browser: Browser): Promise<void> {
  return new Promise<void>((resolve) => {
    browser.once('disconnected', () => resolve());
    context.once('close', () => resolve());
    const watch = (page: Page) =>
      page.once('close', () => {
        if (context.pages().length === 0) resolve();
      });
    for (const page of context.pages()) watch(page);
    context.on('page', watch);
  });
}
