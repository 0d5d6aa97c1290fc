import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/browser.ts';

/**
 * One runner for the whole repository: unit tests (no browser, no stack), the persona journeys
 * (browser + stack), and the audit of what the journeys left in reports.
 *
 * The stack starts once per run in globalSetup (or a warm `npm run stack:up` stack is reused);
 * workers receive its URLs through the environment.
 */
// For tests on Playwright's own `page` (unit tests of the IdP page, the trace scan); journeys get
// theirs per worker from fixtures/browser-fixture.ts, which also honours --headed. A missing
// browser must not stop the other unit tests: the journeys' fixture reports it.
const headlessLaunchOptions = (() => {
  try {
    return chromiumLaunchOptions();
  } catch {
    return undefined;
  }
})();
const includeStress = process.env.E2E_STRESS === '1';
// Load journeys measure the stack at full tilt: they run alone, in their own project.
const heavy = includeStress ? /@resilience|@load|@perf/ : /@resilience|@stress|@load|@perf/;

export default defineConfig({
  globalSetup: './fixtures/stack/global-setup.ts',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : 2,
  outputDir: 'test-results/artifacts',
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ['allure-playwright', { resultsDir: 'allure-results', detail: true }],
    ['junit', { outputFile: 'test-results/junit.xml' }],
  ],
  expect: { timeout: 10_000 },
  use: {
    // DOM snapshots and network, no screencast: the viewer still shows the page at every action,
    // and the screencast alone cost a sixth of the run's wall time on 2 cores (77 s → 65 s).
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    baseURL: process.env.E2E_API_URL,
    launchOptions: headlessLaunchOptions,
  },
  projects: [
    {
      name: 'unit',
      testDir: '.',
      testMatch: ['tests/unit/**/*.test.ts', 'containers/api/test/**/*.test.ts'],
      // These drive a real Docker engine; CI turns them on after provisioning one.
      testIgnore: process.env.E2E_CONTAINERS_TESTS === '1' ? [] : ['tests/unit/containers-stack.test.ts'],
      timeout: 60_000,
    },
    {
      // Fault injection: journeys that restart services run on a stack of their own worker
      // (`ownStack`), so they run in parallel with the others instead of after them.
      // Listed first: the longest journeys start first, and the run does not end on one of them.
      name: 'resilience',
      testDir: 'journeys',
      testMatch: '**/*.journey.ts',
      grep: /@resilience/,
      timeout: 120_000,
    },
    {
      name: 'journeys',
      testDir: 'journeys',
      testMatch: '**/*.journey.ts',
      grepInvert: heavy,
      timeout: 90_000,
    },
    {
      // Sustained streams and many personas at once, with budgets; nothing else runs beside them
      // so the figures measure the platform, not the neighbours.
      name: 'load',
      testDir: 'journeys',
      testMatch: '**/*.journey.ts',
      grep: /@load|@perf/,
      workers: 1,
      timeout: 300_000,
    },
    {
      name: 'audit',
      testDir: 'tests/audit',
      testMatch: '**/*.audit.ts',
      dependencies: ['journeys', 'resilience'],
    },
  ],
});
