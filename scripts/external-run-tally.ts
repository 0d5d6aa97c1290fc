/**
 * What one run of the external-mode check (scripts/external-run.ts) came to, from Playwright's
 * JSON report: a skip counts as declared only when the journey declared a need
 * (fixtures/stack/capabilities.ts) and was skipped for a missing one.
 */
import { declaredNeeds } from '../fixtures/stack/capabilities.ts';

interface JsonAnnotation {
  type: string;
  description?: string;
}

interface JsonTest {
  /** expected, unexpected, flaky (passed on a retry) or skipped. */
  status: string;
  annotations?: JsonAnnotation[];
}

interface JsonSuite {
  title: string;
  specs?: { title: string; file: string; tests: JsonTest[] }[];
  suites?: JsonSuite[];
}

export interface ExternalRunTally {
  code: number;
  passed: number;
  failed: number;
  /** "file › title: reason" of each journey skipped for a need it declared. */
  declaredSkips: string[];
  /** The same for any other skip, which the check refuses. */
  otherSkips: string[];
  /** Errors outside any journey (global setup or teardown, a worker crash). */
  errors: string[];
}

export function tallyExternalRun(report: {
  suites?: JsonSuite[];
  errors?: { message?: string }[];
}): Omit<ExternalRunTally, 'code'> {
  const tally: Omit<ExternalRunTally, 'code'> = {
    passed: 0,
    failed: 0,
    declaredSkips: [],
    otherSkips: [],
    errors: (report.errors ?? []).map((error) => (error.message ?? '').split('\n')[0] ?? ''),
  };
  const visit = (suite: JsonSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const run of spec.tests) {
        if (run.status === 'expected' || run.status === 'flaky') tally.passed++;
        else if (run.status === 'unexpected') tally.failed++;
        else {
          const annotations = run.annotations ?? [];
          const reason = annotations.find(({ type }) => type === 'skip')?.description ?? 'no reason given';
          const name = `${spec.file} › ${spec.title}: ${reason}`;
          const declared = declaredNeeds(annotations).some((need) => reason.includes(need));
          (declared ? tally.declaredSkips : tally.otherSkips).push(name);
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
  return tally;
}
