import { expect, needs, test } from '../../fixtures/index.ts';
import { Persona } from '../../fixtures/personas/persona.ts';
import { ProductionDeployer } from '../../fixtures/personas/production-deployer.ts';
import { interleave, poisonEvents } from '../../fixtures/streaming/poison-events.ts';
import { storedEvents } from '../../fixtures/streaming/stored-events.ts';

// The journey restarts the platform: it gets a stack of its own, like the other restart journeys.
test.use({ ownStack: true });

/** Tenant B's line: held after the first part, so A's poison lands while B is mid-stream. */
const B_EVENTS = 60;
const B_HOLD_AFTER = 20;
/** Tenant A's valid events; a poison event follows each of the first ones. */
const A_EVENTS = 12;
/** A stalled stream never catches up: say so within seconds rather than at the test's timeout. */
const STALL_BOUND_MS = 10_000;

test('sets aside poison events without stalling any line', {
  tag: ['@e2e', '@production-deployer', '@resilience'],
  annotation: needs('faultInjection', 'database'),
}, async ({ stack, dataScientist, deployer, secondTenant, streamingSession, producer, data }) => {
  const databaseUrl = stack.databaseUrl;
  if (!databaseUrl) throw new Error('a managed stack gives its database URL; this one gave none');

  const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });
  const other = {
    scientist: new Persona(await secondTenant.addMember('data_scientist')),
    deployer: new ProductionDeployer(await secondTenant.addMember('ml_engineer')),
  };
  const theirs = await test.step("set up: tenant B's model scores a line in production", () =>
    streamingSession({ readings, modelName: 'kiln-detector', by: other }));
  const ours = await test.step("set up: the deployer's own model scores the press line", () =>
    streamingSession({ readings, modelName: 'press-detector', by: { scientist: dataScientist, deployer } }));

  const theirStream = data.eventStream({ count: B_EVENTS, anomalyRate: 0.05, features: readings.features });
  const ourStream = data.eventStream({ count: A_EVENTS, anomalyRate: 0.25, features: readings.features });
  const plain = ourStream.events.find((event) => !ourStream.anomalyIds.includes(event.id));
  const flagged = ourStream.events.find((event) => ourStream.anomalyIds.includes(event.id));
  if (!plain || !flagged) throw new Error('the press line stream needs both plain and anomalous events');
  const poison = poisonEvents({ plain, flagged });

  await test.step('tenant B streams while the press line sends every kind of poison event between valid ones', async () => {
    const theirPublication = producer.start({
      topic: theirs.session.topic,
      events: theirStream.events,
      ratePerSecond: 200,
      timeoutMs: 20_000,
      holdAfter: B_HOLD_AFTER,
    });
    await theirPublication.held;
    await producer.publishRaw(ours.session.topic, interleave(ourStream.events, poison));
    theirPublication.resume();
    expect((await theirPublication.done).ids).toHaveLength(B_EVENTS);
  });

  await test.step("tenant B's line is not held up by the press line's poison (API)", async () => {
    await expect
      .poll(async () => (await other.deployer.operations.session(theirs.session.id)).scored, {
        message: `tenant B's stream is stuck behind tenant A's poison events: its events stopped being scored short of ${B_EVENTS}`,
        timeout: STALL_BOUND_MS,
      })
      .toBe(B_EVENTS);
  });

  await test.step('every valid press line event is scored, and each poison event is set aside (API)', async () => {
    await expect
      .poll(async () => (await deployer.operations.session(ours.session.id)).scored, {
        message: `the press line's valid events are stuck: not all ${A_EVENTS} were scored`,
        timeout: STALL_BOUND_MS,
      })
      .toBe(A_EVENTS);
    expect(await deployer.operations.session(ours.session.id)).toMatchObject({
      state: 'active',
      received: A_EVENTS,
      scored: A_EVENTS,
      rejected: 0,
      setAside: poison.length,
    });
    const listed = await deployer.operations.setAsideEvents(ours.session.id);
    expect(
      listed.map(({ eventId, reason, timesSeen }) => ({ eventId, reason, timesSeen })),
      'each poison event listed once, with its reason',
    ).toEqual(
      expect.arrayContaining(
        poison.map(({ listedId, reason }) => ({ eventId: listedId, reason, timesSeen: 1 })),
      ),
    );
    expect(listed).toHaveLength(poison.length);
  });

  await test.step('both lines hold each valid event exactly once, and nothing else (database)', async () => {
    for (const [line, session, sent] of [
      ['tenant B', theirs.session, theirStream.events],
      ['the press line', ours.session, ourStream.events],
    ] as const) {
      const stored = await storedEvents(databaseUrl, session.id);
      expect([...stored.rowsByEventId.keys()].sort(), `${line}'s stored events`).toEqual(
        sent.map((event) => event.id).sort(),
      );
      expect(
        [...stored.rowsByEventId].filter(([, rows]) => rows !== 1),
        `${line}: events stored twice`,
      ).toEqual([]);
    }
  });

  await test.step('the deployer sees on the session page what was set aside and why', async () => {
    const shown = await deployer.reviewSetAsideEvents(await deployer.operations.session(ours.session.id));
    expect(shown.map(({ eventId, reason }) => ({ eventId, reason }))).toEqual(
      expect.arrayContaining(
        poison.map(({ listedId, reason }) => ({ eventId: listedId ?? 'No readable id', reason })),
      ),
    );
    expect(shown).toHaveLength(poison.length);
    await expect(deployer.liveMetric('Set aside')).toHaveText(String(poison.length));
    await expect(deployer.liveMetric('Received')).toHaveText(String(A_EVENTS));
  });

  await test.step('after a platform restart the retained poison event comes back and is set aside again, not stored', async () => {
    await stack.restart('api');
    const retained = poison.find((event) => event.retain);
    if (!retained) throw new Error('one poison event is published with retain');
    const retainedListing = async () => {
      const entries = (await deployer.operations.setAsideEvents(ours.session.id)).filter(
        (event) => event.eventId === retained.listedId,
      );
      return { listed: entries.length, timesSeen: entries.map((event) => event.timesSeen) };
    };
    await expect
      .poll(retainedListing, {
        message: `the retained poison event (${retained.kind}) comes back after the restart and is still listed once, seen twice`,
        timeout: STALL_BOUND_MS,
      })
      .toEqual({ listed: 1, timesSeen: [2] });
    expect(await deployer.operations.setAsideEvents(ours.session.id)).toHaveLength(poison.length);
    expect(await deployer.operations.session(ours.session.id)).toMatchObject({
      received: A_EVENTS,
      scored: A_EVENTS,
      setAside: poison.length,
    });
    const stored = await storedEvents(databaseUrl, ours.session.id);
    expect(stored.rowsByEventId.size, 'nothing more stored after the restart').toBe(A_EVENTS);
  });
});
