import { expect, test } from '@playwright/test';
import {
  assertDeploymentTransition,
  canMoveDeployment,
  type DeploymentState,
  deploymentStates,
} from '../src/deployments/deployment-states.ts';
import { judgeHealth } from '../src/deployments/health-gate.ts';
import { canEscalate, eventStatuses, nextEventStatus } from '../src/events/event-states.ts';
import { severityOf } from '../src/events/severity.ts';
import { LiveMetrics } from '../src/streaming/live-metrics.ts';
import {
  eventHandling,
  nextSessionState,
  sessionActions,
  sessionStates,
  sessionTransition,
} from '../src/streaming/session-states.ts';

/** The three state machines and the health gate, written out as tables a reviewer can check. */

test('deployment transitions are exactly those of the release life cycle', () => {
  const allowed = deploymentStates.flatMap((from) =>
    deploymentStates.filter((to) => canMoveDeployment(from, to)).map((to) => `${from} → ${to}`),
  );
  expect(allowed).toEqual([
    'pending → deploying',
    'pending → failed',
    'deploying → deployed',
    'deploying → failed',
    'deployed → superseded',
    'deployed → rolling_back',
    'rolling_back → deployed',
    'rolling_back → rolled_back',
  ]);
  const illegal = (from: DeploymentState) => () =>
    assertDeploymentTransition(from, 'rolling_back', 'be rolled back');
  expect(illegal('deployed')).not.toThrow();
  expect(illegal('pending')).toThrow(
    'This deployment is pending, so it cannot be rolled back; that needs a deployment that is deployed.',
  );
});

test('session actions move between states as documented; anything else is a 409', () => {
  const table = sessionStates.map((from) =>
    [from, ...sessionActions.map((action) => nextSessionState(from, action) ?? '–')].join(' '),
  );
  expect(table).toEqual([
    //         start    pause    resume   stop
    'pending active – – stopped',
    'active – paused – stopped',
    'paused – – active stopped',
    'stopped – – – –',
    'error – – active stopped',
  ]);
  expect(() => sessionTransition('stopped', 'start')).toThrow(
    expect.objectContaining({
      statusCode: 409,
      message: 'The session is stopped, so it cannot start; start needs a session that is pending.',
    }),
  );
  expect(sessionStates.map(eventHandling)).toEqual(['reject', 'score', 'store', 'reject', 'store']);
});

test('event status moves open → acknowledged → resolved | ignored, and escalation needs a live event', () => {
  const table = eventStatuses.map((from) =>
    [
      from,
      ...(['acknowledge', 'resolve', 'ignore'] as const).map(
        (action) => nextEventStatus(from, action) ?? '–',
      ),
    ].join(' '),
  );
  expect(table).toEqual([
    'open acknowledged – –',
    'acknowledged – resolved ignored',
    'resolved – – –',
    'ignored – – –',
  ]);
  expect(eventStatuses.filter(canEscalate)).toEqual(['open', 'acknowledged']);
});

test('severity grows with the distance from normal, for flagged events only', () => {
  expect([0, 4.9, 5, 7.49, 7.5, 9.99, 10, 40].map((distance) => severityOf(true, distance))).toEqual([
    'low',
    'low',
    'medium',
    'medium',
    'high',
    'high',
    'critical',
    'critical',
  ]);
  expect(severityOf(false, 40)).toBe('info');
});

const limits = { windowMinutes: 15, minRequests: 3, maxErrorRate: 0.05, maxP95Ms: 500 };

test('the health gate: healthy only with enough traffic, few errors and fast answers', () => {
  expect(judgeHealth({ requests: 40, errors: 2, p95LatencyMs: 120 }, limits)).toMatchObject({
    healthy: true,
    reasons: [],
    errorRate: 0.05,
  });
  expect(judgeHealth({ requests: 0, errors: 0, p95LatencyMs: null }, limits)).toMatchObject({
    healthy: false,
    errorRate: null,
    reasons: [
      'It answered 0 scoring requests in the last 15 minutes and needs at least 3; send it scoring traffic first.',
    ],
  });
  expect(judgeHealth({ requests: 20, errors: 3, p95LatencyMs: 900.4 }, limits).reasons).toEqual([
    'Its error rate is 15.0% (3 of 20 requests), above the 5.0% limit.',
    'Its p95 latency is 900 ms, above the 500 ms limit.',
  ]);
  expect(
    judgeHealth({ requests: 1, errors: 0, p95LatencyMs: 10 }, { ...limits, minRequests: 1 }).healthy,
  ).toBe(true);
});

test('live metrics: events per second over the last 5 s, p95 over the last minute', () => {
  let now = Date.parse('2025-03-01T12:00:00Z');
  const metrics = new LiveMetrics(
    () => now,
    () => 0.5,
  );
  metrics.record(
    's',
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  now += 1000;
  metrics.record(
    's',
    Array.from({ length: 50 }, () => 1000),
  );
  const snapshot = metrics.snapshot('s');
  expect(snapshot.eventsPerSecond).toBe(30);
  expect(snapshot.series.map((point) => [point.events, point.p95LatencyMs])).toEqual([
    [100, 95],
    [50, 1000],
  ]);
  // 150 samples: the 143rd smallest is the 95th percentile, one of the 1000 ms ones.
  expect(snapshot.p95LatencyMs).toBe(1000);
  now += 61_000;
  expect(metrics.snapshot('s')).toEqual({ eventsPerSecond: 0, p95LatencyMs: null, series: [] });
});
