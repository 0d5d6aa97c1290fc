import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixtures/browser.ts';

/**
 * Journey Explorer in a real VS Code: code-server serves the fixture workspace with the packaged
 * extension installed, and Chromium drives its workbench. Provision code-server first with
 * `bash extension/scripts/provision-code-server.sh`.
 */
export default defineConfig({
  testDir: './test/vscode',
  testMatch: '*.vscode.ts',
  outputDir: './test-results/vscode',
  globalSetup: ['./test/vscode/packageBeforeTests.ts', './test/vscode/virtualDisplaySetup.ts'],
  forbidOnly: !!process.env.CI,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI
    ? [['list'], ['junit', { outputFile: 'test-results/extension-vscode.xml' }]]
    : 'list',
  use: {
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'extension-vscode' }],
});
