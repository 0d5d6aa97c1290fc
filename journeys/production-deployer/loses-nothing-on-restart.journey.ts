import type { DataFactories } from '../../fixtures/data/factories.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import type { DataScientist } from '../../fixtures/personas/data-scientist.ts';
import type { ProductionDeployer } from '../../fixtures/personas/production-deployer.ts';
import type { StackService } from '../../fixtures/stack/stack.ts';
import { storedEvents } from '../../fixtures/streaming/stored-events.ts';
import { expectFlagsMatchLabels, sampleRows } from './support/ground-truth.ts';

// A restart takes a service away from everything using it: each of these journeys gets a stack of
// its own, so it runs beside the others without disturbing them.
test.use({ ownStack: true });
// A database container's restart and the platform's reconnection take longer than most journeys.
test.describe.configure({ timeout: 120_000 });

/**
 * Each service restarts in turn on one stack, while a stream runs: 700 events a restart, about
 * two seconds of traffic. The producer holds after the first quarter until the restart begins, so
 * the restart always meets a stream in progress, however busy the machine (racing a free-running
 * stream, a busy machine saw every event acknowledged before the restart began).
 */
const PER_RESTART = 700;
const RATE = 1_000;
const HOLD_AFTER = 175;

/**
 * The platform, the broker (the embedded one keeps its sessions across a restart, like mosquitto
 * with persistence) and the database, on every managed stack.
 */
const restarts: { service: StackService; what: string }[] = [
  { service: 'api', what: 'the platform' },
  { service: 'mqtt', what: 'the broker' },
  { service: 'db', what: 'the database' },
];

/** A model trained, promoted to production and streaming: where every drill below starts. */
async function streamInProduction(
  by: { dataScientist: DataScientist; deployer: ProductionDeployer; data: DataFactories },
  sessionName: string,
) {
  const { dataScientist, deployer, data } = by;
  const readings = data.sensorReadings({ rows: 600, features: 3, anomalyRate: 0.05 });
  const { version } = await dataScientist.handOverModelThroughApi(
    readings,
    { algorithm: 'knn', contamination: 0.05 },
    'press-line-detector',
  );
  if (!version.metrics) throw new Error('the registered version has no metrics');
  const staging = await deployer.deployToStaging(version);
  await deployer.smokeScore(staging, sampleRows(readings, { inliers: 4, anomalies: 1 }).rows);
  const production = await deployer.promoteToProduction(staging, 'Approved for the drill.');
  const session = await deployer.startStreamingSession(production, sessionName);
  return { readings, measured: version.metrics, session };
}

test('loses nothing when the platform, the broker or the database restarts mid-stream', {
  tag: ['@e2e', '@production-deployer', '@resilience'],
  annotation: needs('faultInjection', 'database'),
}, async ({ stack, dataScientist, deployer, producer, data }) => {
  const databaseUrl = stack.databaseUrl;
  if (!databaseUrl) throw new Error('a managed stack gives its database URL; this one gave none');
  const { readings, measured, session } = await streamInProduction(
    { dataScientist, deployer, data },
    'Restart drill',
  );
  const published: string[] = [];
  const anomalyIds: string[] = [];

  for (const { service, what } of restarts) {
    await test.step(`${what} restarts while the producer keeps publishing`, async () => {
      const stream = data.eventStream({ count: PER_RESTART, anomalyRate: 0.05, features: readings.features });
      anomalyIds.push(...stream.anomalyIds);
      const publication = producer.start({
        topic: session.topic,
        events: stream.events,
        ratePerSecond: RATE,
        timeoutMs: 60_000,
        holdAfter: HOLD_AFTER,
      });
      await publication.held;
      await expect
        .poll(async () => (await deployer.operations.session(session.id)).received)
        .toBe(published.length + HOLD_AFTER);
      publication.resume();
      const before = publication.acknowledged;
      expect(before, 'the restart starts before the last event is sent').toBeLessThan(PER_RESTART);
      await stack.restart(service);
      await expect.poll(() => publication.acknowledged).toBeGreaterThan(before);
      const sent = await publication.done;
      expect(sent.ids).toHaveLength(PER_RESTART);
      published.push(...sent.ids);
      await expect
        .poll(async () => (await deployer.operations.session(session.id)).scored, {
          message: `every event published while ${what} restarted is scored`,
          timeout: 60_000,
        })
        .toBe(published.length);
    });
  }

  const events = published.length;
  const counted = await test.step('every published event is scored exactly once (API)', async () => {
    const after = await deployer.operations.session(session.id);
    expect(after).toMatchObject({ state: 'active', received: events, scored: events, rejected: 0 });
    const raised = await deployer.operations.anomalyEvents(session.id);
    expect(raised).toHaveLength(after.anomalies);
    const flagged = raised.map((event) => event.streamEventId);
    expect(new Set(flagged).size, 'no event raised twice').toBe(flagged.length);
    await expectFlagsMatchLabels(flagged, anomalyIds, { measured, events });
    return after;
  });

  await test.step('every published event is stored and scored exactly once (database)', async () => {
    const stored = await storedEvents(databaseUrl, session.id);
    expect(stored.rowsByEventId.size).toBe(events);
    expect([...stored.rowsByEventId.keys()].sort()).toEqual([...published].sort());
    expect(
      [...stored.rowsByEventId].filter(([, rows]) => rows !== 1),
      'events stored more than once',
    ).toEqual([]);
    expect(stored.scored).toBe(events);
    expect(stored.anomaliesByEventId.size).toBe(counted.anomalies);
    expect(
      [...stored.anomaliesByEventId].filter(([, rows]) => rows !== 1),
      'anomalies raised more than once',
    ).toEqual([]);
  });

  await test.step('the session is active again on its dashboard', async () => {
    await deployer.watchSession(session);
    await expect(deployer.sessionState).toHaveText('Active');
    await expect(deployer.liveMetric('Received')).toHaveText(String(events));
    await expect(deployer.liveMetric('Scored')).toHaveText(String(events));
    await expect(deployer.liveMetric('Anomalies')).toHaveText(String(counted.anomalies));
  });
});

/**
 * A hard crash (SIGKILL, as an out-of-memory kill gives) of each service in turn, on one stack:
 * every event published must still be stored, once. Few events per kill keep the drill cheap; the
 * kill lands while events flow, so some are on their way between broker, platform and database
 * when it hits.
 *
 * The platform and the database keep the broker's promise by themselves: the platform sends its
 * PUBACK only after the commit, so the broker's PUBACK to the producer suffices. A broker cannot:
 * it acknowledges before it writes (Mosquitto keeps what its last autosave wrote, the embedded one
 * keeps nothing), so against its kill the producer keeps the no-loss protocol of the README, each
 * event kept until the platform confirms it committed it, and sent again when unconfirmed.
 */
const PER_KILL = 400;
const KILL_RATE = 1_000;
const FLOWING = 100;
const kills: { service: StackService; what: string; sent: string; confirmed: boolean }[] = [
  { service: 'api', what: 'the platform', sent: 'the broker acknowledged', confirmed: false },
  { service: 'db', what: 'the database', sent: 'the broker acknowledged', confirmed: false },
  { service: 'mqtt', what: 'the broker', sent: 'the producer published', confirmed: true },
];

test('loses nothing when the platform, the database or the broker is killed mid-stream', {
  tag: ['@e2e', '@production-deployer', '@resilience'],
  annotation: needs('faultInjection', 'database'),
}, async ({ stack, dataScientist, deployer, producer, data }) => {
  const databaseUrl = stack.databaseUrl;
  if (!databaseUrl) throw new Error('a managed stack gives its database URL; this one gave none');
  const { readings, session } = await streamInProduction({ dataScientist, deployer, data }, 'Crash drill');
  const published: string[] = [];

  for (const { service, what, sent: whatWasSent, confirmed } of kills) {
    await test.step(`${what} is killed while the producer publishes`, async () => {
      const stream = data.eventStream({ count: PER_KILL, anomalyRate: 0.05, features: readings.features });
      const publication = producer.start({
        topic: session.topic,
        events: stream.events,
        ratePerSecond: KILL_RATE,
        timeoutMs: 30_000,
        holdAfter: FLOWING,
        confirmed,
      });
      await publication.held;
      await expect
        .poll(async () => (await deployer.operations.session(session.id)).received)
        .toBe(published.length + FLOWING);
      publication.resume();
      // Killed once the stream runs again, so events are on their way when the kill lands.
      await expect.poll(() => publication.acknowledged, { intervals: [5] }).toBeGreaterThan(FLOWING + 20);
      expect(publication.acknowledged, 'the kill lands before the last event is sent').toBeLessThan(PER_KILL);
      await stack.kill(service);
      const sent = await publication.done;
      published.push(...sent.ids);
      await expect
        .poll(async () => (await deployer.operations.session(session.id)).received, {
          message: `every event ${whatWasSent} is stored after ${what} was killed`,
          timeout: 15_000,
        })
        .toBe(published.length);
    });
  }

  await test.step('every published event is stored and scored exactly once (database)', async () => {
    const stored = await storedEvents(databaseUrl, session.id);
    expect([...stored.rowsByEventId.keys()].sort()).toEqual([...published].sort());
    expect(
      [...stored.rowsByEventId].filter(([, rows]) => rows !== 1),
      'events stored more than once',
    ).toEqual([]);
    expect(stored.scored).toBe(published.length);
    expect(await deployer.operations.session(session.id)).toMatchObject({
      state: 'active',
      received: published.length,
      scored: published.length,
      rejected: 0,
    });
  });
});
