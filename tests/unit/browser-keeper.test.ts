import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, test as base, expect } from '@playwright/test';
import { BrowserKeeper } from '../../fixtures/browser-keeper.ts';

// A browser per test: the keeper wraps the browser it is given for good, as a worker's is.
const test = base.extend<{ ownBrowser: Browser }>({
  ownBrowser: async ({ playwright }, use) => {
    const browser = await playwright.chromium.launch();
    await use(browser);
    await browser.close();
  },
});

test.describe('keeping the last journey’s browser (E2E_KEEP_BROWSER)', () => {
  test('a journey’s context stays open after it closes it, until the next journey opens one', async ({
    ownBrowser: browser,
  }) => {
    const keeper = new BrowserKeeper(browser);
    const first = await browser.newContext();
    await first.newPage();
    await first.close();
    expect(keeper.keepsAny).toBe(true);
    expect(browser.contexts()).toContain(first);

    const second = await browser.newContext();
    expect(browser.contexts()).not.toContain(first);
    await second.close();
    await keeper.closeKept();
    expect(browser.contexts()).toEqual([]);
  });

  test('a worker ends at once without the hold file, and holds while it exists', async ({
    ownBrowser: browser,
  }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'keeper-'));
    const holdFile = path.join(dir, 'hold');
    try {
      const keeper = new BrowserKeeper(browser);
      const context = await browser.newContext();
      await context.close();
      // No hold file: a worker restarting mid-run closes what it kept and goes.
      await keeper.holdWhile(holdFile);
      expect(browser.contexts()).toEqual([]);

      const kept = await browser.newContext();
      await kept.close();
      await writeFile(holdFile, '');
      let released = false;
      const holding = keeper.holdWhile(holdFile).then(() => {
        released = true;
      });
      // Still holding after the watcher had every chance to see a change.
      await new Promise((resolve) => setImmediate(resolve));
      expect(released).toBe(false);
      expect(browser.contexts()).toContain(kept);
      await rm(holdFile);
      await holding;
      expect(browser.contexts()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the hold ends at its limit even if the file stays', async ({ ownBrowser: browser }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'keeper-'));
    try {
      const keeper = new BrowserKeeper(browser);
      await (await browser.newContext()).close();
      await writeFile(path.join(dir, 'hold'), '');
      await keeper.holdWhile(path.join(dir, 'hold'), 200);
      expect(browser.contexts()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
