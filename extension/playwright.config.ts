import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixtures/browser.ts';

/**
 * Unit tests of Journey Explorer: a fake `vscode` over the real Playwright runner and a fixture
 * workspace. Only the trace viewer tests open a browser, to see the served viewer load a trace. The
 * real-editor tests have their own config (playwright.vscode.config.ts).
 */
export default defineConfig({
  testDir: './test',
  testMatch: '*.test.ts',
  outputDir: './test-results/unit',
  globalSetup: './test/buildBeforeTests.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI
    ? [['list'], ['junit', { outputFile: 'test-results/extension-unit.xml' }]]
    : 'list',
  use: { launchOptions: chromiumLaunchOptions() },
  projects: [{ name: 'extension-unit' }],
});
