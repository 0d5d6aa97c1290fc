import { defineConfig } from '@playwright/test';

// The journeys here need no stack and no browser: they exercise the explorer, not a platform.
export default defineConfig({
  testDir: './journeys',
  testMatch: '**/*.journey.ts',
  fullyParallel: true,
  reporter: 'list',
  outputDir: './test-results',
  use: { trace: 'retain-on-failure' },
});
