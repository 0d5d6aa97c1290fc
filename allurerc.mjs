// From Allure's plugin API, not the 'allure' package: importing that one runs Allure's command line.
import { defineConfig } from '@allurereport/plugin-api';
import { settingErrorPattern } from './fixtures/settings.ts';
import { journeyGateRules } from './scripts/allure-gate-rules.ts';
import { coverageAttachments, coverageOfRun, coverageVariables } from './scripts/report-coverage.ts';
import { reportVariables, resultsDirsFromArgv } from './scripts/report-environment.ts';

/**
 * Allure 3 report for the journeys: `npm run report` builds it offline from allure-results.
 * Journeys carry epic = persona and feature = journey (fixtures/reporting), so the tree reads
 * persona → journey → story; failures are sorted into who has to act on them.
 */

// allure-playwright marks every error "failed" (a test timeout "broken"), so categories tell them
// apart by message. Checked in order, first match wins; each pattern was checked against real
// failures (see README "Reports").
// A bad E2E_* setting first: whoever runs the suite fixes it, not the platform's or the suite's
// authors. fixtures/settings.ts starts every such message with "Setting E2E_<NAME>=".
const setup = settingErrorPattern;
// Infrastructure first: a refused connection is the stack's fault wherever it surfaces. Node's
// fetch reports one as "TypeError: fetch failed" (its cause, ECONNREFUSED, does not reach the
// result), Chromium as net::ERR_CONNECTION_REFUSED.
const infrastructure =
  /ECONNREFUSED|ECONNRESET|EADDRINUSE|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up|getaddrinfo|TypeError: fetch failed|net::ERR_(?:CONNECTION_(?:REFUSED|RESET|CLOSED|FAILED)|EMPTY_RESPONSE|NAME_NOT_RESOLVED|ADDRESS_UNREACHABLE)|Docker is not reachable|container engine|stack did not (?:start|become ready)|(?:starting|start) the stack|Timed out waiting for .*(?:ready|listening)|browserType\.launch|(?:setting up|Fixture) "stack"/i;
// A programming error in the suite itself.
const testCode = /^(?:TypeError|ReferenceError|SyntaxError|RangeError)\b/;
// What the platform did differs from what a journey asserts: an expect() failure, or an API call
// that answered another status than the journey needed (PlatformHttpError: "POST /x answered 500").
const assertion = /expect\(|\bExpected\b|Received:|toHave|toBe|toEqual|toMatch|toContain|\banswered \d{3}\b/;

// Allure appends its own "Product errors" (every failed) and "Test errors" (every broken) rules;
// sharing their ids merges those catch-alls into ours, so nothing lands outside the three. A
// failure nothing else explains counts against the product; a test timeout counts against the
// test, since a journey's waits are bounded expect()s that fail on their own first.
const productDefectId = '_product_errors_default_category';
const testDefectId = '_test_errors_default_category';

// The results this report (or gate) is of: the directories `allure generate` is given.
const resultsDirs = resultsDirsFromArgv(process.argv);
const runCoverage = coverageOfRun(resultsDirs.length > 0 ? resultsDirs : ['allure-results']);

export default defineConfig({
  name: 'Journeys',
  output: 'allure-report',
  // Kept out of the work tree's tracked files; lets the report show trends across local runs.
  historyPath: '.journeys/allure-history.jsonl',
  historyLimit: 100,
  defaultLabels: { epic: 'Suite self-tests' },
  variables: { ...reportVariables(), ...coverageVariables(runCoverage) },
  globalAttachments: coverageAttachments(runCoverage),
  // The release rules (README, Quality gate). Allure evaluates them when npm run quality-gate judges
  // a run and when npm run report builds the report (scripts/allure-gate.ts), so the report's
  // Quality Gates tab lists them; the rules themselves are in scripts/allure-gate-rules.ts.
  qualityGate: {
    rules: [
      // Results of several runs mixed would be judged as one: nothing else is checked then.
      { id: 'run', oneRun: true, fastFail: true },
      {
        id: 'release',
        securityPassed: true,
        perfWithinBaseline: { baseline: 'perf/baseline.json', tolerance: 0.2 },
      },
      {
        // Only judged when the run measured coverage (npm run coverage); a plain run notes them.
        id: 'coverage',
        coverageNotBelowBaseline: { baseline: 'perf/coverage-baseline.json', points: 1 },
        moduleCoverageFloors: { baseline: 'perf/coverage-baseline.json' },
      },
    ],
    use: journeyGateRules({ resultsDirs }),
  },
  categories: [
    {
      name: 'Setup problem',
      matchers: [
        { statuses: ['failed', 'broken'], message: setup },
        { statuses: ['failed', 'broken'], trace: setup },
      ],
    },
    {
      name: 'Stack or infrastructure failure',
      matchers: [
        { statuses: ['failed', 'broken'], message: infrastructure },
        { statuses: ['failed', 'broken'], trace: infrastructure },
      ],
    },
    {
      id: testDefectId,
      name: 'Test defect',
      matchers: { statuses: ['failed', 'broken'], message: testCode },
    },
    {
      id: productDefectId,
      name: 'Product defect',
      matchers: { statuses: ['failed', 'broken'], message: assertion },
    },
  ],
  plugins: {
    awesome: {
      options: {
        reportName: 'Journeys',
        // Served (npm run report:open), not one page that opens from disk: a single page inlines
        // every attachment, failed journeys' traces among them (scripts/report-open.ts says more).
        singleFile: false,
        reportLanguage: 'en',
        groupBy: ['epic', 'feature'],
      },
    },
  },
});
