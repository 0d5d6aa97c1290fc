import { expect, test } from '@playwright/test';
import { addTotals, noTests, readJunit, summaryLine } from '../../scripts/junit-totals.ts';

/** The shape Playwright's junit reporter writes, with PLAYWRIGHT_JUNIT_INCLUDE_RETRIES on. */
const report = `<testsuites id="" name="" tests="5" failures="1" skipped="1" errors="1" time="3.2">
<testsuite name="a.journey.ts" timestamp="2025-01-01T00:00:00.000Z" hostname="journeys" tests="3" failures="1" skipped="0" time="2" errors="0">
<testcase name="uploads a dataset" classname="a.journey.ts" time="1"></testcase>
<testcase name="recovers after a restart" classname="a.journey.ts" time="0.5">
<flakyFailure message="expected 200" type="FAILURE" time="0.4"><stackTrace>Error: expected 200</stackTrace></flakyFailure>
</testcase>
<testcase name="promotes a model" classname="a.journey.ts" time="0.5"><failure message="boom" type="FAILURE">boom</failure></testcase>
</testsuite>
<testsuite name="b.journey.ts" timestamp="2025-01-01T00:00:00.000Z" hostname="journeys" tests="2" failures="0" skipped="1" time="1" errors="1">
<testcase name="needs a managed stack" classname="b.journey.ts" time="0"><skipped/></testcase>
<testcase name="times out" classname="b.journey.ts" time="1"><error message="timeout" type="TimeoutError">timeout</error></testcase>
</testsuite>
</testsuites>`;

test.describe('JUnit totals', () => {
  test('count failures and errors as failed, and find the flaky tests', () => {
    expect(readJunit(report)).toEqual({
      tests: 5,
      failed: 2,
      skipped: 1,
      flaky: ['recovers after a restart'],
    });
  });

  test('sum across steps into the one summary line', () => {
    const totals = addTotals(readJunit(report), { tests: 10, failed: 0, skipped: 0, flaky: [] });
    expect(summaryLine(totals)).toBe('tests: 12 passed, 2 failed, 1 skipped');
    expect(summaryLine(noTests)).toBe('tests: 0 passed, 0 failed');
  });

  test('refuses a file that is not a JUnit report', () => {
    expect(() => readJunit('<html></html>')).toThrow('Not a JUnit report');
  });
});
