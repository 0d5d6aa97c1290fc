import type { defineConfig } from '@playwright/test';
import { reportersOf, startRunResults } from './fixtures/reporting/run-results.ts';
import { isPlaywrightWorker, settingsOfRun } from './fixtures/settings.ts';

/**
 * What the journeys' config (playwright.config.ts) and the unit tests' config
 * (playwright.unit.config.ts) share: how a run is scheduled, and the reporters, so a run of either
 * writes the same Allure results and its own JUnit file where `npm test` reads it.
 */
// Every E2E_* setting is checked here, as the config loads: a bad value ends the run before it starts.
const settings = settingsOfRun();
// Each run starts with an empty allure-results unless E2E_KEEP_RESULTS=1 (npm test and CI add
// several runs to one); workers load this config too, and must not touch it.
if (!isPlaywrightWorker()) {
  startRunResults({
    resultsDir: 'allure-results',
    argv: process.argv,
    keep: settings.E2E_KEEP_RESULTS,
    runId: settings.E2E_RUN_ID,
  });
}

export const sharedRunSettings = {
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: settings.E2E_WORKERS,
  reporter: reportersOf(process.argv, [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ['allure-playwright', { resultsDir: 'allure-results', detail: true }],
    ['junit', { outputFile: 'test-results/junit.xml' }],
    // Coverage mode: the report, the journeys' coverage map and a summary line (fixtures/coverage/).
    ...(settings.E2E_COVERAGE ? ([['./fixtures/coverage/coverage-reporter.ts']] as const) : []),
    // Last, so its lines end the run: the command that opens each failed test's trace.
    ['./fixtures/reporting/trace-hint-reporter.ts'],
  ]),
} satisfies Parameters<typeof defineConfig>[0];
