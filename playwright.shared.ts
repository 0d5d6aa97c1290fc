import type { defineConfig } from '@playwright/test';

/**
 * What the journeys' config (playwright.config.ts) and the unit tests' config
 * (playwright.unit.config.ts) share: how a run is scheduled, and the reporters, so a run of either
 * adds to the same Allure results and writes its own JUnit file where `npm test` reads it.
 */
export const sharedRunSettings = {
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : 2,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ['allure-playwright', { resultsDir: 'allure-results', detail: true }],
    ['junit', { outputFile: 'test-results/junit.xml' }],
    // Last, so its lines end the run: the command that opens each failed test's trace.
    ['./fixtures/reporting/trace-hint-reporter.ts'],
  ],
} satisfies Parameters<typeof defineConfig>[0];
