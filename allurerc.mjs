import os from 'node:os';
import { defineConfig } from 'allure';

/**
 * Allure 3 report for the journeys: `npm run report` builds it offline from allure-results.
 * Journeys carry epic = persona and feature = journey (fixtures/reporting), so the tree reads
 * persona → journey → story; failures are sorted into who has to act on them.
 */

// allure-playwright marks every error "failed", so categories tell them apart by message.
// Infrastructure first: a refused connection is the stack's fault wherever it surfaces
// ("fetch failed" is how Node's fetch reports a connection that never happened).
const infrastructure =
  /ECONNREFUSED|ECONNRESET|EADDRINUSE|ENOTFOUND|EAI_AGAIN|socket hang up|getaddrinfo|TypeError: fetch failed|Docker is not reachable|container engine|stack did not (?:start|become ready)|(?:starting|start) the stack|Timed out waiting for .*(?:ready|listening)|browserType\.launch/i;
// A programming error in the suite itself.
const testCode = /^(?:TypeError|ReferenceError|SyntaxError|RangeError)\b/;
// What the platform did differs from what a journey asserts.
const assertion = /expect\(|\bExpected\b|Received:|toHave|toBe|toEqual|toMatch|toContain/;

export default defineConfig({
  name: 'Journeys',
  output: 'allure-report',
  // Kept out of the work tree's tracked files; lets the report show trends across local runs.
  historyPath: '.journeys/allure-history.jsonl',
  defaultLabels: { epic: 'Suite self-tests' },
  variables: {
    'Stack mode': process.env.E2E_STACK_MODE ?? process.env.E2E_STACK ?? 'embedded',
    Node: process.version,
    Platform: `${os.platform()} ${os.arch()}`,
  },
  categories: [
    {
      name: 'Stack or infrastructure failure',
      matchers: [
        { statuses: ['failed', 'broken'], message: infrastructure },
        { statuses: ['failed', 'broken'], trace: infrastructure },
      ],
    },
    {
      name: 'Test defect',
      matchers: { statuses: ['failed', 'broken'], message: testCode },
    },
    {
      name: 'Product defect',
      matchers: { statuses: ['failed', 'broken'], message: assertion },
    },
  ],
  plugins: {
    awesome: {
      options: {
        reportName: 'Journeys',
        singleFile: false,
        reportLanguage: 'en',
        groupBy: ['epic', 'feature'],
      },
    },
  },
});
