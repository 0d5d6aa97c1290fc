import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/browser.ts';
import { readSetting } from './fixtures/settings.ts';
import { sharedRunSettings } from './playwright.shared.ts';

/**
 * Unit tests of the suite's fixtures, tools and extension logic, and of the platform's modules
 * (`npm run unit`). No run-wide stack: a test that needs a stack or a server starts its own.
 * Apart from the journeys' config so that a journey run never loads these files.
 */
// For the few tests on Playwright's own `page` (the IdP's sign-in page, the trace scan). A missing
// browser must not stop the other unit tests; those two then report it themselves.
const headlessLaunchOptions = (() => {
  try {
    return chromiumLaunchOptions();
  } catch {
    return undefined;
  }
})();

export default defineConfig({
  ...sharedRunSettings,
  outputDir: 'test-results/unit-artifacts',
  timeout: 60_000,
  use: { launchOptions: headlessLaunchOptions },
  projects: [
    {
      name: 'unit',
      testDir: '.',
      testMatch: ['tests/unit/**/*.test.ts', 'containers/api/test/**/*.test.ts'],
      // These drive a real Docker engine; CI turns them on after provisioning one.
      testIgnore: readSetting('E2E_CONTAINERS_TESTS') ? [] : ['tests/unit/containers-stack.test.ts'],
    },
  ],
});
