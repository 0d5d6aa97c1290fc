import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { expect } from '@playwright/test';
import { extensionDir, startCodeServer } from './codeServer.ts';
import { expand, runAction, treeItem, workbenchTest } from './workbench.ts';

/** Two suites, one per folder of a multi-root workspace: copies of the fixture workspace. */
const suites = ['shop', 'billing'] as const;
const test = workbenchTest('multi-root', async (baseDir) => {
  const folders = [];
  for (const name of suites) {
    const dir = path.join(baseDir, name);
    await cp(path.join(extensionDir, 'test', 'fixture-workspace'), dir, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}test-results`),
    });
    folders.push(dir);
  }
  return startCodeServer(baseDir, { folders });
});

test('a multi-root workspace shows a tree per suite, and a journey of the second runs in its folder', async ({
  workbench: { page, workspace },
}) => {
  const shop = workspace;
  const billing = path.join(path.dirname(shop), 'billing');
  // VS Code shows each controller as a root of its own when there are several.
  const shopRoot = treeItem(page, /^Journeys: shop/);
  const billingRoot = treeItem(page, /^Journeys: billing/);
  await expect(shopRoot).toBeVisible();
  await expect(billingRoot).toBeVisible();
  for (const name of suites)
    await expect(
      page.getByRole('button', { name: new RegExp(`Stack \\(${name}\\): embedded · cold`) }),
    ).toBeVisible();

  // Only the second suite open, so its rows are the only ones with these names.
  if ((await shopRoot.getAttribute('aria-expanded')) === 'true') await shopRoot.click();
  await expect(shopRoot).toHaveAttribute('aria-expanded', 'false');
  await expand(billingRoot);
  await expand(treeItem(page, /^Data scientist/));
  await expand(treeItem(page, /^finds-best-detector\.journey\.ts/));
  const journey = treeItem(page, /^finds the best detector/);
  await runAction(journey, 'Run Test');
  await expect(journey).toHaveAccessibleName(/finds the best detector.*\(Passed\)/);
  // Playwright ran in the second folder: its last-run record is there, and not in the first.
  expect(existsSync(path.join(billing, 'test-results', '.last-run.json'))).toBe(true);
  expect(existsSync(path.join(shop, 'test-results', '.last-run.json'))).toBe(false);
  await page.screenshot({
    path: path.join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      'docs',
      'images',
      'journey-explorer-multi-root.png',
    ),
  });
});
