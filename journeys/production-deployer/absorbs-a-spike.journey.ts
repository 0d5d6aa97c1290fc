import type { StreamEvent } from '../../fixtures/data/event-stream.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { attach } from '../../fixtures/reporting/attach.ts';
import { type PerfFigure, recordPerfFigures } from '../../fixtures/reporting/perf-figures.ts';
import { latencyBySecond } from '../../fixtures/streaming/latency-percentiles.ts';
import { readPlatformFigures } from '../../fixtures/streaming/platform-figures.ts';
import { recoveryAfter } from '../../fixtures/streaming/recovery.ts';
import { storedTimings } from '../../fixtures/streaming/stored-timings.ts';
import { expectEachStoredOnce, streamFigures } from '../../fixtures/streaming/stream-figures.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

/**
 * A line at its production rate, then five times that for five seconds (a shift change, a
 * reconnecting fleet flushing what it buffered), then back to the production rate. The production
 * rate is the endurance journey's 2,000 events a second: a spike is five times what a line
 * normally sends, and 10,000 a second is twice what the platform must sustain (5,000), so it has
 * to fall behind, hold the broker back, and catch up.
 */
const BASE_RATE = 2_000;
const SPIKE_RATE = 5 * BASE_RATE;
const BEFORE_SECONDS = 5;
const SPIKE_SECONDS = 5;
/** Long enough to see the recovery window (10 s) and the steady seconds after it. */
const AFTER_SECONDS = 15;
const ANOMALY_RATE = 0.002;

const BUDGET = {
  /** The load journey's budget: the steady state the stream must get back to. */
  p95LatencyMs: 250,
  /** From the spike's last event to the start of the seconds whose p95 stays under budget. */
  recoveryMs: 10_000,
  /** Draining the spike, the platform stores at least its sustained rate. */
  eventsPerSecond: 5_000,
};

test.use({ ownStack: true });

test(
  'absorbs a spike of five times the production rate, losing nothing',
  { tag: ['@stress', '@production-deployer'], annotation: needs('database') },
  async ({ stack, dataScientist, deployer, producer, data, streamingSession }, testInfo) => {
    const databaseUrl = stack.databaseUrl;
    if (!databaseUrl) throw new Error('a managed stack gives its database URL; this one gave none');

    const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });
    const { session } = await streamingSession({
      readings,
      modelName: 'press-line-detector',
      by: { scientist: dataScientist, deployer },
    });
    const phase = (seconds: number, rate: number) =>
      data.eventStream({ count: seconds * rate, anomalyRate: ANOMALY_RATE, features: readings.features })
        .events;
    const publish = (events: readonly StreamEvent[], rate: number) =>
      producer.publish({
        topic: session.topic,
        events,
        ratePerSecond: rate,
        maxInFlight: Math.round(rate / 3),
        timeoutMs: 120_000,
      });
    // Built before the clock starts: generating 50,000 events would slow the spike itself down.
    const [before, spike, after] = [
      phase(BEFORE_SECONDS, BASE_RATE),
      phase(SPIKE_SECONDS, SPIKE_RATE),
      phase(AFTER_SECONDS, BASE_RATE),
    ];

    const sentBefore = await test.step('the line streams at its production rate', () =>
      publish(before, BASE_RATE));
    const heldAtProductionRate = (await readPlatformFigures(stack.apiUrl)).acksHeldMax;
    const sentSpike = await test.step('the line sends five times its rate for five seconds', () =>
      publish(spike, SPIKE_RATE));
    const sentAfter = await test.step('the line goes back to its production rate', () =>
      publish(after, BASE_RATE));
    const sent = [...sentBefore.sent, ...sentSpike.sent, ...sentAfter.sent];

    const counted = await test.step('every published event is scored, none refused (API)', async () => {
      const counted = await untilScored(deployer.api, session, sent.length);
      expect(counted).toMatchObject({
        state: 'active',
        received: sent.length,
        scored: sent.length,
        rejected: 0,
      });
      return counted;
    });

    const timings = await test.step('every published event is stored exactly once (database)', async () => {
      const stored = await storedTimings(databaseUrl, session.id);
      expectEachStoredOnce(stored, sent);
      return stored;
    });

    const held = await test.step('the platform held the broker back with unacknowledged events', async () => {
      const { acksHeld, acksHeldMax } = await readPlatformFigures(stack.apiUrl);
      // Acknowledged only once committed: a platform that acknowledged on receipt (and kept the
      // spike in memory, lost on a crash) would hold next to none, at any rate. How many a spike
      // holds depends on how far the machine lets the platform fall behind (680 on a quiet 2-core
      // machine, over 2,000 on a saturated one), so the check is against the production rate's.
      expect(
        acksHeldMax,
        `acknowledgements held at once during the spike (at the production rate: ${heldAtProductionRate})`,
      ).toBeGreaterThan(heldAtProductionRate);
      expect(acksHeld, 'acknowledgements still held once everything is stored').toBe(0);
      return { atProductionRate: heldAtProductionRate, duringSpike: acksHeldMax };
    });

    const spikeIds = new Set(sentSpike.ids);
    const spikeEndedAt = Math.max(...sentSpike.sent.map((event) => Date.parse(event.ts)));
    const recovery = recoveryAfter(timings, spikeEndedAt, BUDGET.p95LatencyMs);
    const errors =
      counted.rejected + Math.abs(sent.length - counted.received) + (sent.length - timings.length);
    const figures: PerfFigure[] = [
      ...streamFigures(
        'spike',
        timings.filter((row) => spikeIds.has(row.eventId)),
        errors,
        {
          eventsPerSecond: BUDGET.eventsPerSecond,
          p95LatencyMs: BUDGET.recoveryMs,
          maxLatencyMs: BUDGET.recoveryMs,
        },
      ),
      {
        name: 'spike.recoveryMs',
        // Never back under budget: count it as the whole time watched, which fails the budget.
        value: recovery.recoveredAfterMs ?? (AFTER_SECONDS + 1) * 1_000,
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.recoveryMs,
      },
    ];
    await recordPerfFigures(testInfo, figures);
    // The broker acknowledges a publish once the platform's connection takes it, so when the
    // platform holds its reading the producer slows too: the rate offered is what got through.
    await attach('acknowledgements held', held);
    await attach('publishing rates (events/s)', {
      asked: { before: BASE_RATE, spike: SPIKE_RATE, after: BASE_RATE },
      achieved: {
        before: Math.round(sentBefore.ratePerSecond),
        spike: Math.round(sentSpike.ratePerSecond),
        after: Math.round(sentAfter.ratePerSecond),
      },
    });
    await attach('p95 by second after the spike', recovery.seconds);
    await attach('stream latency by second', latencyBySecond(timings));

    await test.step('the p95 latency is back under budget within ten seconds of the spike', async () => {
      expect(errors).toBe(0);
      expect(
        recovery.recoveredAfterMs,
        `ms after the spike until every second's p95 stays under ${BUDGET.p95LatencyMs} ms (null: never)`,
      ).not.toBeNull();
      expect(recovery.recoveredAfterMs).toBeLessThanOrEqual(BUDGET.recoveryMs);
    });
  },
);
