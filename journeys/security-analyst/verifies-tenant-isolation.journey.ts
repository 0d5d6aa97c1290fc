import { randomUUID } from 'node:crypto';
import { expectStatus } from '../../fixtures/api/platform-client.ts';
import { tenantRows } from '../../fixtures/compliance/tenant-rows.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { attempt, attemptInBrowser } from '../../fixtures/personas/attempts.ts';
import { Persona } from '../../fixtures/personas/persona.ts';
import { ProductionDeployer } from '../../fixtures/personas/production-deployer.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';
import {
  apiProbes,
  formProbes,
  formRequest,
  type Probe,
  pageProbes,
  probeRequest,
  type RivalIds,
} from './support/isolation-probes.ts';

/** Status and body of an answer, as compared between B's id and an unknown one. */
type Answer = { status: number; body: unknown };

test('verifies tenant isolation', {
  tag: ['@e2e', '@security-analyst', '@security'],
  annotation: needs('database'),
}, async ({
  stack,
  securityAnalyst,
  dataScientist,
  personaWithRole,
  streamingSession,
  secondTenant,
  data,
  producer,
}) => {
  // The people are independent of one another: they sign in side by side.
  const [deployer, admin, rivalScientist, rivalDeployer, rivalAnalyst] = await Promise.all([
    personaWithRole('ml_engineer'),
    personaWithRole('tenant_admin'),
    secondTenant.addMember('data_scientist'),
    secondTenant.addMember('ml_engineer'),
    secondTenant.addMember('security_analyst'),
  ]);
  const rival = {
    scientist: new Persona(rivalScientist),
    deployer: new ProductionDeployer(rivalDeployer),
    analyst: new SecurityAnalyst(rivalAnalyst),
  };
  const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });

  const theirs = await test.step("set up: tenant B's model scores a stream in production", async () => {
    const line = await streamingSession({ readings, modelName: 'rival-kiln-detector', by: rival });
    const firstWave = data.eventStream({ count: 30, anomalyRate: 0.2 });
    await producer.publish({ topic: line.session.topic, events: firstWave.events });
    await untilScored(rival.deployer.api, line.session, firstWave.events.length);
    const datasets = await rival.scientist.api.listDatasets();
    const events = await rival.analyst.eventsOfSession(line.session);
    expect(events).toHaveLength(firstWave.anomalyIds.length);
    const [event] = events;
    if (!event) throw new Error(`session ${line.session.name} raised no anomaly event`);
    return { ...line, dataset: datasets.items[0]?.id ?? '', event, streamed: firstWave };
  });
  const ours = await test.step("set up: tenant A's own model serves its own stream", () =>
    streamingSession({ readings, modelName: 'kiln-detector', by: { scientist: dataScientist, deployer } }));

  const rivalIds = await test.step("set up: the ids of each of tenant B's records", async () => {
    const run = await rival.scientist.api.getRun(theirs.version.sourceRunId ?? '');
    const experiment = await rival.scientist.api.getExperiment(run.experimentId);
    const audit = await expectStatus(200, rival.analyst.api.client.GET('/api/audit'));
    const keys = await rival.analyst.api.raw<{ items: { id: string }[] }>('GET', '/api/me/api-keys');
    const credential = await rival.deployer.issueProducerCredentialThroughApi('kiln line');
    const ids: RivalIds = {
      dataset: theirs.dataset,
      experiment: experiment.id,
      job: experiment.jobId,
      run: run.id,
      version: theirs.version.id,
      staging: theirs.production.promotedFromId ?? '',
      production: theirs.production.id,
      session: theirs.session.id,
      event: theirs.event.id,
      auditEntry: String(audit.items[0]?.id ?? ''),
      apiKey: keys.body.items[0]?.id ?? '',
      producerCredential: credential.id,
      user: rival.scientist.user.id,
    };
    const missing = Object.entries(ids).filter(([, id]) => !id);
    expect(missing, "every kind of tenant B's record exists to probe").toEqual([]);
    return ids;
  });

  const probers = { scientist: dataScientist, deployer, analyst: securityAnalyst, admin };

  await test.step("tenant B's records are 'page not found' on tenant A's pages", async () => {
    for (const probe of pageProbes) {
      const { page } = probers[probe.prober];
      const { path } = probeRequest(probe, rivalIds[probe.target]);
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    }
    const page = securityAnalyst.page;
    await page.goto('/models');
    const versions = page.getByRole('table', { name: 'Model versions' }).locator('tbody').getByRole('row');
    await expect(versions).toHaveCount(1);
    await expect(versions).toContainText(ours.version.name);
  });

  await test.step("every request naming B's record answers A exactly as for an id that exists nowhere, and changes nothing", async () => {
    const before = await tenantRows(stack, rival.analyst.tenant.id);
    const nowhere = randomUUID();
    const asSeen = (answer: Answer, id: string) =>
      `${answer.status} ${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`.replaceAll(
        id,
        '<id>',
      );
    const answered = (probe: Probe, foreign: Answer, missing: Answer) => ({
      probe: probe.operation,
      answers: probe.answers ?? 404,
      foreign: asSeen(foreign, rivalIds[probe.target]),
      missing: asSeen(missing, nowhere),
    });
    const viaApi = apiProbes.map(async (probe) => {
      const [foreign, missing] = await Promise.all([
        attempt(probers[probe.prober], probeRequest(probe, rivalIds[probe.target])),
        attempt(probers[probe.prober], probeRequest(probe, nowhere)),
      ]);
      return answered(probe, foreign, missing);
    });
    // A refused form shows the page again with what was typed; the id typed is the caller's own input.
    const viaBrowser = [...pageProbes, ...formProbes].map(async (probe) => {
      const [foreign, missing] = await Promise.all([
        attemptInBrowser(probers[probe.prober], formRequest(probe, rivalIds[probe.target])),
        attemptInBrowser(probers[probe.prober], formRequest(probe, nowhere)),
      ]);
      return answered(probe, foreign, missing);
    });
    const seen = await Promise.all([...viaApi, ...viaBrowser]);
    const wrong = seen.filter(
      ({ foreign, missing, answers }) => foreign !== missing || !foreign.startsWith(`${answers} `),
    );
    expect(
      wrong,
      "requests naming B's record answer as for an id that exists nowhere: 404 (a list: 200, empty)",
    ).toEqual([]);
    expect(await tenantRows(stack, rival.analyst.tenant.id), "tenant B's rows are as they were").toEqual(
      before,
    );
    expect(await securityAnalyst.eventsOfSession(theirs.session)).toEqual([]);
    expect(await rival.analyst.event(theirs.event.id)).toMatchObject({ status: 'open', escalatedAt: null });
    expect(await rival.deployer.operations.session(theirs.session.id)).toMatchObject({ state: 'active' });
  });

  await test.step("tenant A's live feed receives none of B's events while B streams", async () => {
    const anomalyFrames: string[] = [];
    securityAnalyst.page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; event?: { streamEventId: string } };
        if (message.type === 'anomaly') anomalyFrames.push(message.event?.streamEventId ?? '');
      });
    });
    const ourFeed = await securityAnalyst.watchLiveFeed();
    await expect(ourFeed).toHaveCount(0);
    const theirFeed = await rival.analyst.watchLiveFeed();
    await expect(theirFeed).toHaveCount(theirs.streamed.anomalyIds.length);

    // Events under tenant A's name aimed at B's session must reach neither tenant.
    const spoofed = data.eventStream({ count: 10, anomalyRate: 0.5 });
    await producer.publish({
      topic: `tenants/${securityAnalyst.tenant.slug}/sessions/${theirs.session.id}/events`,
      events: spoofed.events,
    });
    const secondWave = data.eventStream({ count: 40, anomalyRate: 0.2 });
    await producer.publish({ topic: theirs.session.topic, events: secondWave.events });
    const theirTotal = theirs.streamed.events.length + secondWave.events.length;
    await expect(theirFeed).toHaveCount(theirs.streamed.anomalyIds.length + secondWave.anomalyIds.length);
    expect((await untilScored(rival.deployer.api, theirs.session, theirTotal)).received).toBe(theirTotal);

    // B's events were all pushed before A's stream starts; one socket delivers in order, so once
    // A's own events have all arrived, anything of B's would have arrived before them.
    const ourStream = data.eventStream({ count: 30, anomalyRate: 0.2 });
    await producer.publish({ topic: ours.session.topic, events: ourStream.events });
    await untilScored(deployer.api, ours.session, ourStream.events.length);
    await expect(ourFeed).toHaveCount(ourStream.anomalyIds.length);
    expect(anomalyFrames.toSorted(), "A's socket carried exactly A's anomalies").toEqual(
      ourStream.anomalyIds.toSorted(),
    );
    expect((await ourFeed.getByRole('link').allTextContents()).toSorted()).toEqual(
      ourStream.anomalyIds.toSorted(),
    );
  });
});
