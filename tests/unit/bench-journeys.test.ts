import { expect, test } from '@playwright/test';
import { readJourneysReport, slowestJourneys } from '../../scripts/bench-journeys.ts';
import { median } from '../../scripts/bench-perf.ts';

const report = (cases: string) => `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="1" skipped="1" time="12.5">
  <testsuite name="a.journey.ts" tests="3">${cases}</testsuite>
</testsuites>`;

test('reads each journey’s duration and failures from a JUnit report, leaving skipped ones untimed', () => {
  const { journeys, failures } = readJourneysReport(
    report(`
    <testcase name="ships" classname="deployer/ships.journey.ts" time="8.25"></testcase>
    <testcase name="rolls back" classname="deployer/rolls.journey.ts" time="11.5"><failure message="expected 303"/></testcase>
    <testcase name="restarts the database" classname="deployer/restart.journey.ts" time="0"><skipped/></testcase>`),
  );
  expect([...journeys]).toEqual([
    ['deployer/ships.journey.ts › ships', 8.25],
    ['deployer/rolls.journey.ts › rolls back', 11.5],
  ]);
  expect(failures).toEqual(['deployer/rolls.journey.ts › rolls back: expected 303']);
});

test('a failure is named with the first lines of what it said, without the stack', () => {
  const { failures } = readJourneysReport(
    report(`
    <testcase name="rolls back" classname="deployer/rolls.journey.ts" time="11.5"><failure message="rolls.journey.ts:4:1 rolls back" type="FAILURE"><![CDATA[  1) rolls back

    Error: the rollback restores v1
    Expected: "v1"
    Received: "v2"
        at deployer/rolls.journey.ts:9:3
]]></failure></testcase>`),
  );
  expect(failures).toEqual([
    'deployer/rolls.journey.ts › rolls back: 1) rolls back | Error: the rollback restores v1 | Expected: "v1" | Received: "v2"',
  ]);
});

test('ranks journeys by their median over runs, slowest first', () => {
  const run = (entries: [string, number][]) => ({
    wallMs: 0,
    exitCode: 0,
    failures: [],
    output: '',
    journeys: new Map(entries),
  });
  const runs = [
    run([
      ['a', 10],
      ['b', 2],
      ['c', 5],
    ]),
    run([
      ['a', 1],
      ['b', 3],
      ['c', 6],
    ]),
    run([
      ['a', 2],
      ['b', 4],
      ['c', 7],
    ]),
  ];
  expect(slowestJourneys(runs, 2)).toEqual([
    { journey: 'c', medianSeconds: 6 },
    { journey: 'b', medianSeconds: 3 },
  ]);
});

test('median of an odd and an even number of values, and none', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow('A median needs at least one value');
});
