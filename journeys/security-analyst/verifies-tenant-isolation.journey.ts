import { randomUUID } from 'node:crypto';
import { expect, test } from '../../fixtures/index.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { Persona } from '../../fixtures/personas/persona.ts';
import { ProductionDeployer } from '../../fixtures/personas/production-deployer.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

test('verifies tenant isolation', {
  tag: ['@e2e', '@security-analyst', '@security'],
}, async ({
  securityAnalyst,
  dataScientist,
  personaWithRole,
  streamingSession,
  secondTenant,
  data,
  producer,
}) => {
  const deployer = await personaWithRole('ml_engineer');
  const rival = {
    scientist: new Persona(await secondTenant.addMember('data_scientist')),
    deployer: new ProductionDeployer(await secondTenant.addMember('ml_engineer')),
    analyst: new SecurityAnalyst(await secondTenant.addMember('security_analyst')),
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

  await test.step("tenant B's records are 'page not found' on tenant A's pages", async () => {
    const page = securityAnalyst.page;
    for (const path of [
      `/datasets/${theirs.dataset}`,
      `/alerts/${theirs.event.id}`,
      `/sessions/${theirs.session.id}`,
      `/deployments/${theirs.production.id}`,
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    }
    await page.goto('/models');
    const versions = page.getByRole('table', { name: 'Model versions' }).locator('tbody').getByRole('row');
    await expect(versions).toHaveCount(1);
    await expect(versions).toContainText(ours.version.name);
  });

  await test.step("tenant A's API keys get 404 for B's records, exactly as for ids that exist nowhere", async () => {
    const nowhere = randomUUID();
    for (const [what, id] of [
      ['datasets', theirs.dataset],
      ['events', theirs.event.id],
      ['events/:id/timeline', theirs.event.id],
      ['models/versions', theirs.version.id],
      ['sessions', theirs.session.id],
      ['sessions/:id/metrics', theirs.session.id],
      ['deployments', theirs.production.id],
    ] as const) {
      const path = (target: string) =>
        what.includes(':id') ? `/api/${what.replace(':id', target)}` : `/api/${what}/${target}`;
      const foreign = await attempt(securityAnalyst, { method: 'GET', path: path(id) });
      const missing = await attempt(securityAnalyst, { method: 'GET', path: path(nowhere) });
      expect(foreign.status, `GET ${path('<B id>')}`).toBe(404);
      expect(foreign.body, `GET ${path('<B id>')} reveals nothing`).toEqual(missing.body);
    }
    expect(await securityAnalyst.eventsOfSession(theirs.session)).toEqual([]);
  });

  await test.step("tenant A's people cannot act on B's event, session or deployment", async () => {
    const refusals = [
      await attempt(securityAnalyst, {
        method: 'POST',
        path: `/api/events/${theirs.event.id}/acknowledge`,
        json: {},
      }),
      await attempt(securityAnalyst, {
        method: 'POST',
        path: `/api/events/${theirs.event.id}/escalate`,
        json: {},
      }),
      await attempt(deployer, { method: 'POST', path: `/api/sessions/${theirs.session.id}/stop` }),
      await attempt(deployer, {
        method: 'POST',
        path: `/api/deployments/${theirs.production.id}/rollback`,
        json: { reason: 'probing another tenant' },
      }),
    ];
    expect(refusals.map((answer) => answer.status)).toEqual([404, 404, 404, 404]);
    expect(await rival.analyst.event(theirs.event.id)).toMatchObject({ status: 'open', escalatedAt: null });
    expect(await rival.deployer.operations.session(theirs.session.id)).toMatchObject({ state: 'active' });
    expect(await rival.deployer.operations.deployment(theirs.production.id)).toMatchObject({
      state: 'deployed',
    });
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
