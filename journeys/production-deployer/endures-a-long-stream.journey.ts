import { expect, needs, test } from '../../fixtures/index.ts';
import type { AnomalyEvent } from '../../fixtures/personas/security-analyst.ts';
import { attach } from '../../fixtures/reporting/attach.ts';
import { type PerfFigure, recordPerfFigures } from '../../fixtures/reporting/perf-figures.ts';
import { readSetting } from '../../fixtures/settings.ts';
import { type PlatformFigures, readPlatformFigures } from '../../fixtures/streaming/platform-figures.ts';
import { storedSummary } from '../../fixtures/streaming/stored-summary.ts';

/**
 * A production line streaming for ten minutes (E2E_ENDURANCE_SECONDS; 120 while developing) at
 * 2,000 events a second while the team works beside it. What a long run shows and a short one
 * cannot: memory that creeps (a cache without a bound, a buffer never emptied), read from the
 * platform's own figures after the first minute and after the run.
 */
const DURATION_SECONDS = readSetting('E2E_ENDURANCE_SECONDS');
const RATE = 2_000;
/** The stream goes out in parts of this many seconds, each counted and let go (a million events do not fit in a test). */
const PART_SECONDS = 10;
const PARTS = Math.ceil(DURATION_SECONDS / PART_SECONDS);
/**
 * Memory after the first minute is the reference: by then every code path is warm and the first
 * experiment has started its detection thread (the resident memory climbs by a fifth until then,
 * so a shorter reference reads warming up as a leak; the setting asks for at least 120 s).
 */
const WARM_UP_PARTS = 60 / PART_SECONDS;
/** The data scientist starts an experiment once a minute of stream. */
const EXPERIMENT_EVERY_PARTS = 6;
const ANOMALY_RATE = 0.002;

const BUDGET = {
  /** After the run, within this share of the figure after the warm-up. */
  memoryGrowth: 0.1,
  p95LatencyMs: 250,
  maxLatencyMs: 2_000,
  experimentMs: 60_000,
  triageMs: 15_000,
};

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Resolves waiters each time a part of the stream is out; the personas pace themselves on it, not on a clock. */
class Parts {
  #out = 0;
  #finished = false;
  #waiters: (() => void)[] = [];

  get out(): number {
    return this.#out;
  }
  get finished(): boolean {
    return this.#finished;
  }
  partOut(last: boolean): void {
    this.#out++;
    this.#finished = last;
    for (const wake of this.#waiters.splice(0)) wake();
  }
  /** Until the next part is out (at once when the stream is over). */
  next(): Promise<void> {
    return this.#finished ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

test.use({ ownStack: true });

test(
  'endures a long stream while the team works, its memory level',
  { tag: ['@stress', '@production-deployer'], annotation: needs('database') },
  async ({ stack, dataScientist, deployer, securityAnalyst, producer, data, streamingSession }, testInfo) => {
    test.setTimeout((DURATION_SECONDS + 240) * 1_000);
    const databaseUrl = stack.databaseUrl;
    if (!databaseUrl) throw new Error('a managed stack gives its database URL; this one gave none');

    const readings = data.sensorReadings({ rows: 600, features: 3, anomalyRate: 0.05 });
    const { session, dataset } = await streamingSession({
      readings,
      modelName: 'line-detector',
      by: { scientist: dataScientist, deployer },
    });
    await deployer.watchSession(session);
    await securityAnalyst.watchLiveFeed();

    const parts = new Parts();
    const samples: (PlatformFigures & { second: number })[] = [];
    const idPrefixes: string[] = [];
    let published = 0;

    const stream = (async () => {
      for (let part = 1; part <= PARTS; part++) {
        const events = data.eventStream({
          count: PART_SECONDS * RATE,
          anomalyRate: ANOMALY_RATE,
          features: readings.features,
        }).events;
        idPrefixes.push((events[0]?.id ?? '').replace(/-\d+$/, '-'));
        const sent = await producer.publish({
          topic: session.topic,
          events,
          ratePerSecond: RATE,
          maxInFlight: Math.round(RATE / 3),
          timeoutMs: PART_SECONDS * 1_000 * 3,
          keepReport: false,
        });
        published += sent.ids.length;
        samples.push({ second: part * PART_SECONDS, ...(await readPlatformFigures(stack.apiUrl)) });
        parts.partOut(part === PARTS);
      }
    })();

    const triageMs: number[] = [];
    const analyst = (async () => {
      while (!parts.finished) {
        await parts.next();
        const began = performance.now();
        await securityAnalyst.watchLiveFeed();
        const listed = await securityAnalyst.api.raw<{ items: AnomalyEvent[] }>(
          'GET',
          `/api/events?sessionId=${session.id}&limit=100`,
        );
        const newest = listed.body.items.find((event) => event.status === 'open');
        if (!newest) continue;
        // At 2,000 events a second the feed takes new rows several times a second, and a row's
        // link moves under the pointer: the analyst follows the event's link from the alert
        // instead (the load journey's analyst clicks, its feed is still for the first anomaly).
        await securityAnalyst.page.goto(`/alerts/${newest.id}`);
        await securityAnalyst.acknowledge();
        triageMs.push(Math.round(performance.now() - began));
      }
    })();

    const experimentMs: number[] = [];
    const scientist = (async () => {
      while (!parts.finished) {
        const began = performance.now();
        const experiment = await dataScientist.compareAlgorithms(dataset, ['robust_zscore'], {
          contamination: 0.05,
        });
        expect(experiment.status).toBe('completed');
        experimentMs.push(Math.round(performance.now() - began));
        const due = parts.out + EXPERIMENT_EVERY_PARTS;
        while (!parts.finished && parts.out < due) await parts.next();
      }
    })();

    await Promise.all([stream, analyst, scientist]);

    const counted = await test.step('every published event is scored, none refused (API)', async () => {
      await expect
        .poll(async () => (await deployer.operations.session(session.id)).scored, {
          message: `session ${session.name} scored all ${published} events`,
          timeout: 60_000,
        })
        .toBe(published);
      const counted = await deployer.operations.session(session.id);
      expect(counted).toMatchObject({ state: 'active', received: published, scored: published, rejected: 0 });
      return counted;
    });

    const stored = await test.step('every published event is stored exactly once (database)', async () => {
      const stored = await storedSummary(databaseUrl, session.id, idPrefixes);
      expect(stored).toMatchObject({ stored: published, distinctEvents: published, unpublished: 0 });
      return stored;
    });

    const [warm, last] = [samples[WARM_UP_PARTS - 1], await readPlatformFigures(stack.apiUrl)];
    if (!warm) throw new Error(`the stream ended before its warm-up of ${WARM_UP_PARTS} parts`);
    const memory = {
      afterWarmUp: {
        second: warm.second,
        rssMb: mb(warm.rssBytes),
        heapAfterGcMb: mb(warm.heapAfterFullGcBytes),
      },
      afterRun: { rssMb: mb(last.rssBytes), heapAfterGcMb: mb(last.heapAfterFullGcBytes) },
    };
    await attach('platform memory', memory);
    await attach(
      'platform figures every part',
      samples.map((sample) => ({
        second: sample.second,
        rssMb: mb(sample.rssBytes),
        heapUsedMb: mb(sample.heapUsedBytes),
        heapAfterGcMb: mb(sample.heapAfterFullGcBytes),
        acksHeld: sample.acksHeld,
        caches: Object.fromEntries(
          sample.caches.map((cache) => [cache.name, `${cache.entries}/${cache.capacity}`]),
        ),
      })),
    );

    const limit = (value: number) => Math.round(value * (1 + BUDGET.memoryGrowth) * 10) / 10;
    const errors =
      counted.rejected + Math.abs(published - counted.received) + (published - stored.distinctEvents);
    const figures: PerfFigure[] = [
      {
        name: 'endurance.rssMb',
        value: memory.afterRun.rssMb,
        unit: 'MiB',
        better: 'lower',
        budget: limit(memory.afterWarmUp.rssMb),
      },
      {
        name: 'endurance.heapAfterGcMb',
        value: memory.afterRun.heapAfterGcMb,
        unit: 'MiB',
        better: 'lower',
        budget: limit(memory.afterWarmUp.heapAfterGcMb),
      },
      {
        name: 'endurance.p95LatencyMs',
        value: Math.round(stored.p95LatencyMs),
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.p95LatencyMs,
      },
      {
        name: 'endurance.p50LatencyMs',
        value: Math.round(stored.p50LatencyMs),
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.p95LatencyMs,
      },
      {
        name: 'endurance.maxLatencyMs',
        value: Math.round(stored.maxLatencyMs),
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.maxLatencyMs,
      },
      { name: 'endurance.errors', value: errors, unit: 'events', better: 'lower', budget: 0 },
      {
        name: 'endurance.experimentMs',
        value: median(experimentMs),
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.experimentMs,
      },
      {
        name: 'endurance.triageMs',
        value: median(triageMs),
        unit: 'ms',
        better: 'lower',
        budget: BUDGET.triageMs,
      },
    ];
    await recordPerfFigures(testInfo, figures);

    await test.step("the platform's memory after the run is within 10% of after the first minute", async () => {
      expect(warm.heapAfterFullGcBytes, 'a full collection ran during the warm-up').toBeGreaterThan(0);
      expect(memory.afterRun.rssMb, `resident memory (MiB) after ${DURATION_SECONDS} s`).toBeLessThanOrEqual(
        limit(memory.afterWarmUp.rssMb),
      );
      expect(
        memory.afterRun.heapAfterGcMb,
        `heap after the latest full collection (MiB) after ${DURATION_SECONDS} s`,
      ).toBeLessThanOrEqual(limit(memory.afterWarmUp.heapAfterGcMb));
    });

    await test.step('every cache stayed within its bound all run long', async () => {
      const overflowing = [...samples, { ...last, second: DURATION_SECONDS }].flatMap((sample) =>
        sample.caches
          .filter((cache) => !(cache.entries <= cache.capacity))
          .map((cache) => `${cache.name} ${cache.entries}/${cache.capacity} at ${sample.second} s`),
      );
      expect(last.caches.map((cache) => cache.name).sort()).toEqual([
        'fitted_models',
        'serving_models',
        'session_routes',
      ]);
      expect(overflowing, 'caches over their bound').toEqual([]);
    });

    // Latency is recorded for the quality gate, not held to its budget here: the load journey and the
    // spike's recovery hold it, and a ten-minute run on a shared host always meets some busy minutes.
    await test.step('nothing was lost all run long, and the team got their work done', async () => {
      expect(errors).toBe(0);
      expect(experimentMs.length, 'experiments run during the stream').toBeGreaterThanOrEqual(1);
      expect(triageMs.length, 'anomalies triaged during the stream').toBeGreaterThanOrEqual(1);
      await deployer.watchSession(session);
      await expect(deployer.liveMetric('Received')).toHaveText(String(published));
      await expect(deployer.liveMetric('Rejected')).toHaveText('0');
    });
  },
);
