import type { defineConfig } from '@playwright/test';

/**
 * What the journeys' config (playwright.config.ts) and the unit tests' config
 * (playwright.unit.config.ts) share: the reporters, so a run of either adds to the same Allure
 * results and writes its own JUnit file where `npm test` reads it.
 */
export const reporters = [
  ['list'],
  ['html', { open: 'never', outputFolder: 'playwright-report' }],
  ['allure-playwright', { resultsDir: 'allure-results', detail: true }],
  ['junit', { outputFile: 'test-results/junit.xml' }],
] as const satisfies NonNullable<Parameters<typeof defineConfig>[0]['reporter']>;
