import { slackWebhookPath } from '../../fixtures/externals/slack.ts';
import { expect, test } from '../../fixtures/index.ts';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';
import { OperationsApi } from '../../fixtures/streaming/operations-api.ts';
import { expectFlagsMatchLabels, sampleRows } from './support/ground-truth.ts';

const BATCH = 200;

test('rolls back a bad release', {
  tag: ['@e2e', '@production-deployer'],
}, async ({ dataScientist, deployer, admin, producer, data, externals }) => {
  const modelName = 'boiler-room-detector';
  const readings = data.sensorReadings({ rows: 1_000, features: 3, anomalyRate: 0.05 });
  const { dataset, version: v1 } = await dataScientist.handOverModelThroughApi(
    readings,
    { algorithm: 'knn', contamination: 0.05 },
    modelName,
  );
  // A careless retrain: told that four readings in ten are anomalies, it flags far too many.
  const v2 = await dataScientist.registerNextVersion(
    dataset,
    { algorithm: 'knn', contamination: 0.4 },
    modelName,
  );
  if (!v1.metrics || !v2.metrics) throw new Error('the registered versions have no metrics');
  const v1Metrics = v1.metrics;
  expect(v2.version).toBe(2);
  expect(v2.metrics.precision, 'v2 measured worse than v1').toBeLessThan(v1Metrics.precision);

  const sample = sampleRows(readings, { inliers: 10, anomalies: 5 });
  const slack = { method: 'POST', path: slackWebhookPath(deployer.tenant.slug) };

  await deployer.signInThroughSso();
  const stagingV1 = await deployer.deployToStaging(v1);
  await deployer.smokeScore(stagingV1, sample.rows);
  const productionV1 = await deployer.promoteToProduction(stagingV1, 'v1: smoke-scored on staging.');
  const session = await deployer.startStreamingSession(productionV1, 'Boiler room');

  // Set up with the session: a rate three times the true 5% means the model has gone wrong.
  const rule = await deployer.addAlertRule(session, {
    name: 'Anomaly spike',
    thresholdPercent: 15,
    windowSeconds: 60,
    minEvents: 50,
  });

  const stream = (count: number) =>
    data.eventStream({ count, anomalyRate: 0.05, features: readings.features });
  const scoredSoFar = async (expected: number) =>
    expect
      .poll(async () => (await deployer.operations.session(session.id)).scored, { timeout: 30_000 })
      .toBe(expected);

  const baseline = await test.step('v1 scores a normal baseline of live traffic', async () => {
    await producer.publish({ topic: session.topic, events: stream(BATCH).events });
    await scoredSoFar(BATCH);
    return deployer.operations.score(productionV1.id, sample.rows);
  });
  expect(baseline.modelVersionId).toBe(v1.id);

  const stagingV2 = await deployer.deployToStaging(v2);
  await deployer.smokeScore(stagingV2, sample.rows);
  const productionV2 = await deployer.promoteToProduction(stagingV2, 'v2: retrained on the same readings.');
  expect(productionV2).toMatchObject({ modelVersionId: v2.id, rollbackVersionId: v1.id, rollbackVersion: 1 });

  await test.step('v2 flags a spike of anomalies: the alert rule fires and Slack receives it', async () => {
    const spike = stream(BATCH);
    await producer.publish({ topic: session.topic, events: spike.events });
    await scoredSoFar(2 * BATCH);
    await expect.poll(() => externals.journal.requests(slack).length, { timeout: 15_000 }).toBe(1);
    await expect(externals.journal).toHaveReceived({
      ...slack,
      body: {
        text: expect.stringMatching(
          /^Alert "Anomaly spike": the anomaly rate of session "Boiler room" is \d+\.\d% \(\d+ of \d+ events in the last 60 s\), above 15\.0%\./,
        ),
      },
      times: 1,
    });
    await expect
      .poll(async () => (await deployer.operations.alerts(session.id)).map((alert) => alert.notification))
      .toEqual(['sent']);
    const [alert] = await deployer.operations.alerts(session.id);
    expect(alert).toMatchObject({ ruleId: rule.id, ruleName: 'Anomaly spike', threshold: 0.15 });
    expect(alert?.anomalyRate).toBeGreaterThan(0.15);
    // The only alert came after v2 took over: the baseline under v1 never fired the rule.
    const v2Serving = Date.parse((await deployer.operations.deployment(productionV2.id)).deployedAt ?? '');
    expect(Date.parse(alert?.firedAt ?? '')).toBeGreaterThan(v2Serving);

    await deployer.watchSession(session);
    const fired = deployer.page
      .getByRole('table', { name: 'Fired alerts' })
      .getByRole('row', { name: /Anomaly spike/ });
    await expect(fired).toHaveCount(1);
    await expect(fired).toContainText('Sent to Slack');
  });

  const reason = 'v2 flags four readings in ten on the boiler room; back to v1 until it is retrained.';
  const redeployment = await deployer.rollBack(productionV2, reason);

  await test.step('production serves v1 again and the rolled-back release says who and why', async () => {
    expect(redeployment).toMatchObject({
      environment: 'production',
      kind: 'rollback',
      state: 'deployed',
      modelVersionId: v1.id,
      rollsBackId: productionV2.id,
    });
    expect((await deployer.operations.serving(modelName, 'production'))?.id).toBe(redeployment.id);
    expect(await deployer.operations.deployment(productionV2.id)).toMatchObject({
      state: 'rolled_back',
      serving: false,
      rollbackReason: reason,
      rolledBackBy: { email: deployer.user.email },
    });
    const details = deployer.page.getByRole('table', { name: 'Deployment details' });
    await deployer.openDeployment(productionV2);
    await expect(summaryValue(details, 'Rollback reason')).toHaveText(reason);
    await expect(summaryValue(details, 'Rolled back by')).toHaveText(deployer.user.name);
  });

  await test.step('production scores exactly as it did before v2', async () => {
    const again = await deployer.operations.score(redeployment.id, sample.rows);
    expect(again).toMatchObject({ modelVersionId: v1.id, version: 1 });
    expect(again.scores).toEqual(baseline.scores);
    expect(again.flags).toEqual(sample.anomalous);
  });

  await test.step('live traffic is scored by v1 again and matches the ground truth', async () => {
    const calm = stream(BATCH);
    await producer.publish({ topic: session.topic, events: calm.events });
    await scoredSoFar(3 * BATCH);
    const calmIds = new Set(calm.events.map((event) => event.id));
    const raised = (await deployer.operations.anomalyEvents(session.id)).filter((event) =>
      calmIds.has(event.streamEventId),
    );
    expect(new Set(raised.map((event) => event.modelVersionId))).toEqual(new Set([v1.id]));
    const flagged = raised.map((event) => event.streamEventId);
    await expectFlagsMatchLabels(flagged, calm.anomalyIds, { measured: v1Metrics, events: BATCH });
  });

  await test.step('the audit log shows the deploys, promotions and the rollback, by the deployer, with note and reason', async () => {
    // The deployer cannot read the audit log; the tenant's administrator can.
    const entries = await new OperationsApi(admin.api).audit({
      actions: ['deployment.deploy', 'deployment.promote', 'deployment.rollback'],
    });
    expect(entries.map((entry) => [entry.action, entry.actorEmail, entry.outcome])).toEqual([
      ['deployment.rollback', deployer.user.email, 'success'],
      ['deployment.promote', deployer.user.email, 'success'],
      ['deployment.deploy', deployer.user.email, 'success'],
      ['deployment.promote', deployer.user.email, 'success'],
      ['deployment.deploy', deployer.user.email, 'success'],
    ]);
    expect(entries[0]?.details).toMatchObject({ reason, fromVersion: 2, toVersion: 1 });
    expect(entries[1]?.details).toMatchObject({ note: 'v2: retrained on the same readings.', version: 2 });
    expect(entries[3]?.details).toMatchObject({ note: 'v1: smoke-scored on staging.', version: 1 });
    expect(entries[2]?.details).toMatchObject({ version: 2, environment: 'staging' });
    expect(entries[4]?.details).toMatchObject({ version: 1, environment: 'staging' });
  });
});
