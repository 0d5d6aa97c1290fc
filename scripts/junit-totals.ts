import { XMLParser } from 'fast-xml-parser';

/** What one Playwright JUnit report says about its tests. */
export interface JunitTotals {
  tests: number;
  failed: number;
  skipped: number;
  /** Tests that failed at first and passed on a retry (counted as passed). */
  flaky: string[];
}

interface TestCase {
  '@_name'?: string;
  flakyFailure?: unknown;
  flakyError?: unknown;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

/**
 * Reads the root `<testsuites>` totals, and the `flakyFailure`/`flakyError` entries Playwright adds
 * to a passing test case when PLAYWRIGHT_JUNIT_INCLUDE_RETRIES is on.
 */
export function readJunit(xml: string): JunitTotals {
  const document = parser.parse(xml) as {
    testsuites?: Record<string, string> & { testsuite?: { testcase?: TestCase[] }[] };
  };
  const root = document.testsuites;
  if (!root) throw new Error('Not a JUnit report: it has no <testsuites> element.');
  const count = (name: string) => Number(root[`@_${name}`] ?? 0);
  const flaky = (root.testsuite ?? [])
    .flatMap((suite) => suite.testcase ?? [])
    .filter((testCase) => testCase.flakyFailure !== undefined || testCase.flakyError !== undefined)
    .map((testCase) => testCase['@_name'] ?? '(unnamed test)');
  return {
    tests: count('tests'),
    failed: count('failures') + count('errors'),
    skipped: count('skipped'),
    flaky,
  };
}

export function addTotals(a: JunitTotals, b: JunitTotals): JunitTotals {
  return {
    tests: a.tests + b.tests,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    flaky: [...a.flaky, ...b.flaky],
  };
}

export const noTests: JunitTotals = { tests: 0, failed: 0, skipped: 0, flaky: [] };

/** The summary's last line: `tests: N passed, N failed` and `, N skipped` when there are any. */
export function summaryLine(totals: JunitTotals): string {
  const passed = totals.tests - totals.failed - totals.skipped;
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
  return `tests: ${passed} passed, ${totals.failed} failed${skipped}`;
}
