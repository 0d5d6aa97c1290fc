import { expect, test } from '../../fixtures/index.ts';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';
import { expectFlagsMatchLabels, sampleRows } from './support/ground-truth.ts';

const EVENTS = 600;

test('ships a model to production and watches it score live traffic', {
  tag: ['@e2e', '@production-deployer', '@smoke'],
}, async ({ dataScientist, deployer, producer, data }) => {
  const readings = data.sensorReadings({ rows: 1_000, features: 3, anomalyRate: 0.05 });
  const { version } = await dataScientist.handOverModel(
    readings,
    { algorithm: 'knn', contamination: 0.05 },
    'compressor-line-detector',
  );
  if (!version.metrics)
    throw new Error('the registered version has no metrics: it was trained on unlabelled data');
  const measured = version.metrics;

  await deployer.signInThroughSso();
  const staging = await deployer.deployToStaging(version);

  await test.step('smoke scoring with the API key flags exactly the known anomalies', async () => {
    const sample = sampleRows(readings, { inliers: 10, anomalies: 5 });
    const result = await deployer.smokeScore(staging, sample.rows);
    expect(result).toMatchObject({ deploymentId: staging.id, modelVersionId: version.id, anomalies: 5 });
    expect(result.flags).toEqual(sample.anomalous);
  });

  await test.step('the staging deployment is healthy from that traffic', async () => {
    await deployer.openDeployment(staging);
    const health = deployer.page.getByRole('table', { name: 'Health' });
    await expect(summaryValue(health, 'Verdict')).toHaveText('Healthy');
    await expect(summaryValue(health, 'Requests')).toHaveText('1');
    await expect(summaryValue(health, 'Errors')).toHaveText('0');
    expect(await deployer.operations.health(staging.id)).toMatchObject({
      healthy: true,
      requests: 1,
      errors: 0,
    });
  });

  const note = `Approved: smoke-scored on staging, training F1 ${measured.f1.toFixed(3)}.`;
  const production = await deployer.promoteToProduction(staging, note);

  await test.step('production serves the version, approved with the note, promoted from staging', async () => {
    expect(production).toMatchObject({
      environment: 'production',
      kind: 'promotion',
      state: 'deployed',
      serving: true,
      modelVersionId: version.id,
      promotedFromId: staging.id,
      approvalNote: note,
      createdBy: { email: deployer.user.email },
    });
    const [registered] = (await deployer.api.modelVersions()).filter(
      (candidate) => candidate.id === version.id,
    );
    expect(registered?.stage).toBe('production');
  });

  const session = await deployer.startStreamingSession(production, 'Compressor line, live');
  const stream = data.eventStream({ count: EVENTS, anomalyRate: 0.05, features: readings.features });
  // Two seconds of traffic: the dashboard polls every second, so it shows the stream while it flows;
  // a longer stream would only make the journey wait for the producer.
  const publication = producer.start({ topic: session.topic, events: stream.events, ratePerSecond: 300 });

  await test.step('the live dashboard shows the throughput while events flow', async () => {
    await expect
      .poll(async () => Number(await deployer.liveMetric('Events per second').textContent()))
      .toBeGreaterThan(0);
    // The chart summarises itself in its SVG <desc>, which is not wired up as its accessible
    // description (no aria-describedby), so the summary is read from the element itself.
    await expect(
      deployer.page.getByRole('img', { name: 'Throughput and latency' }).locator('desc'),
    ).toHaveText(
      /^Last minute: [1-9]\d*\.\d events per second now, up to [1-9]\d* in one second; p95 latency \d+ ms\.$/,
    );
  });

  const sent = await publication.done;
  expect(sent.ids).toHaveLength(EVENTS);

  const scored = await test.step(`exactly ${EVENTS} events are scored`, async () => {
    await expect
      .poll(async () => (await deployer.operations.session(session.id)).scored, { timeout: 30_000 })
      .toBe(EVENTS);
    const counted = await deployer.operations.session(session.id);
    expect(counted).toMatchObject({ state: 'active', received: EVENTS, scored: EVENTS, rejected: 0 });
    return counted;
  });

  await test.step("flagged events match the ground truth within the model's measured error", async () => {
    const raised = await deployer.operations.anomalyEvents(session.id);
    expect(raised).toHaveLength(scored.anomalies);
    const flagged = raised.map((event) => event.streamEventId);
    expect(new Set(flagged).size, 'each event raised at most once').toBe(flagged.length);
    const sentIds = new Set(sent.ids);
    expect(
      flagged.filter((id) => !sentIds.has(id)),
      'only published events are flagged',
    ).toEqual([]);
    await expectFlagsMatchLabels(flagged, stream.anomalyIds, { measured, events: EVENTS });
    expect(new Set(raised.map((event) => event.modelVersionId))).toEqual(new Set([version.id]));
  });

  await test.step('the dashboard settles on the same counts as the API', async () => {
    await expect(deployer.liveMetric('Received')).toHaveText(String(EVENTS));
    await expect(deployer.liveMetric('Scored')).toHaveText(String(EVENTS));
    await expect(deployer.liveMetric('Anomalies')).toHaveText(String(scored.anomalies));
    await expect(deployer.liveMetric('Rejected')).toHaveText('0');
    await expect(deployer.sessionState).toHaveText('Active');
  });
});
