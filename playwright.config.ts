import { defineConfig } from '@playwright/test';
import { readSetting, settingsOfRun } from './fixtures/settings.ts';
import { handedOverRunStack } from './fixtures/stack/handover.ts';
import { type StackOptions, stackOptionsOf } from './fixtures/stack/options.ts';
import { sharedRunSettings } from './playwright.shared.ts';

/**
 * The journeys (browser + stack) and the audit of what they left in reports. Unit tests have a
 * config of their own (playwright.unit.config.ts): Playwright loads every file of every project
 * before it filters by --grep, and loading the unit tests (the platform's modules among them) cost
 * each journey run over a second before its first test.
 *
 * The stack starts once per run in globalSetup (or a warm `npm run stack:up` stack is reused),
 * with the stack options of `use` below; workers receive it through the hand-over
 * (fixtures/stack/handover.ts), which also gives them the platform's URL as baseURL.
 */
// playwright.shared.ts has validated every setting by now.
const includeStress = readSetting('E2E_STRESS');
// Load and stress journeys measure the stack at full tilt: they run alone, in projects of their own.
const heavy = /@stress|@load|@perf/;
// The endurance journey streams for this long; its project allows that plus setting up and checking.
const enduranceSeconds = readSetting('E2E_ENDURANCE_SECONDS');

// The stack's settings as options (fixtures/stack/options.ts): the E2E_* variables override defaults.
const stackOptions: StackOptions = stackOptionsOf(settingsOfRun());

export default defineConfig<StackOptions>({
  globalSetup: './fixtures/stack/global-setup.ts',
  ...sharedRunSettings,
  outputDir: 'test-results/artifacts',
  expect: { timeout: 10_000 },
  use: {
    // DOM snapshots and network, no screencast: the viewer still shows the page at every action,
    // and the screencast alone cost a sixth of the run's wall time on 2 cores (77 s → 65 s).
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    baseURL: handedOverRunStack()?.apiUrl,
    ...stackOptions,
  },
  projects: [
    {
      // Every journey in one project, so both workers stay the same kind of worker all run long.
      // Journeys that restart services (`@resilience`) take a stack of their own per test
      // (`test.use({ ownStack: true })`) instead of a worker of their own.
      name: 'journeys',
      testDir: 'journeys',
      testMatch: '**/*.journey.ts',
      grepInvert: heavy,
      timeout: 90_000,
    },
    {
      // Sustained streams and many personas at once, with budgets; nothing else runs beside them
      // so the figures measure the platform, not the neighbours: in a plain `npx playwright test`
      // they start once every journey has finished (a run beside the journeys missed its
      // throughput budget by a third). `npm run load` runs them alone with --no-deps.
      name: 'load',
      testDir: 'journeys',
      testMatch: '**/*.journey.ts',
      grep: /@load|@perf/,
      dependencies: ['journeys'],
      workers: 1,
      timeout: 300_000,
    },
    // Spikes and hours-long streams, far beyond a pull request's budget: the project exists only with
    // E2E_STRESS=1 (`npm run bench -- stress` sets it), so neither `npm test` nor a plain
    // `npx playwright test` runs them. One at a time, after everything else, like the load project.
    ...(includeStress
      ? [
          {
            name: 'stress',
            testDir: 'journeys',
            testMatch: '**/*.journey.ts',
            grep: /@stress/,
            dependencies: ['journeys'],
            workers: 1,
            timeout: (enduranceSeconds + 300) * 1_000,
          },
        ]
      : []),
    {
      name: 'audit',
      testDir: 'tests/audit',
      testMatch: '**/*.audit.ts',
      dependencies: ['journeys'],
    },
  ],
});
