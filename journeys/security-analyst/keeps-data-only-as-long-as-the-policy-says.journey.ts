import type { StreamEvent } from '../../fixtures/data/event-stream.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { AdminApi } from '../../fixtures/personas/admin-api.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { storedEvents } from '../../fixtures/streaming/stored-events.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

const day = 24 * 60 * 60 * 1000;
const stampedAt = (events: StreamEvent[], prefix: string, at: Date) =>
  events.map((event) => ({ ...event, id: `${prefix}-${event.id}`, ts: at.toISOString() }));

test('keeps data only as long as the policy says', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
  annotation: needs('database', 'clock'),
}, async ({
  dataScientist,
  streamingSession,
  securityAnalyst,
  tenantAdmin,
  personaWithRole,
  data,
  producer,
  stack,
}) => {
  const deployer = await personaWithRole('ml_engineer');
  const platform = new AdminApi(stack.apiUrl, stack.bootstrapToken);

  const readings = data.sensorReadings({
    rows: 200,
    features: 3,
    anomalyRate: 0.05,
    name: 'Kiln training set',
  });
  const { session } = await test.step('set up: a kiln detector serves production with a live session', () =>
    streamingSession({ readings, modelName: 'kiln-detector', by: { scientist: dataScientist, deployer } }));
  const lastYear = data.sensorReadings({
    rows: 120,
    features: 3,
    anomalyRate: 0.05,
    name: "Last quarter's kiln log",
  });
  const thisMonth = data.sensorReadings({
    rows: 80,
    features: 3,
    anomalyRate: 0.05,
    name: "This month's kiln log",
  });

  const [oldDataset, newDataset] =
    await test.step('datasets arrive a month apart by the platform clock', async () => {
      const old = await dataScientist.api.uploadDataset(lastYear, { name: lastYear.name });
      expect(old.status).toBe(201);
      await platform.advanceClock(31);
      const recent = await dataScientist.api.uploadDataset(thisMonth, { name: thisMonth.name });
      expect(recent.status).toBe(201);
      return [old.body as { id: string }, recent.body as { id: string }];
    });

  const { now } = await platform.clock();
  const old = data.eventStream({ count: 30, anomalyRate: 0.2 });
  const recent = data.eventStream({ count: 20, anomalyRate: 0.2 });
  const oldEvents = stampedAt(old.events, 'old', new Date(Date.parse(now) - 45 * day));
  const recentEvents = stampedAt(recent.events, 'new', new Date(Date.parse(now) - 60 * 60 * 1000));
  await test.step('sensors report readings from six weeks ago and from the last hour', async () => {
    await producer.publish({
      topic: session.topic,
      events: [...oldEvents, ...recentEvents],
      stampTime: false,
    });
    await untilScored(securityAnalyst.api, session, oldEvents.length + recentEvents.length);
    const raised = await securityAnalyst.eventsOfSession(session);
    expect(raised).toHaveLength(old.anomalyIds.length + recent.anomalyIds.length);
  });

  await tenantAdmin.setRetentionPolicy({ eventsDays: 30, datasetsDays: 30 });
  const summary = await tenantAdmin.purgeNow();

  await test.step('the purge reports exactly what was too old, and holds the dataset production still needs', () => {
    expect(summary).toBe(
      `Purged ${oldEvents.length} stream events, ${old.anomalyIds.length} anomaly events, 1 dataset (${lastYear.records.length} rows, 0 experiments, 0 runs). 1 dataset is held: a serving deployment or a running job still needs it.`,
    );
  });

  await test.step('old events and datasets are gone from the API and the database; newer ones stay', async () => {
    const stored = await storedEvents(stack.databaseUrl ?? '', session.id);
    expect([...stored.rowsByEventId.keys()].toSorted()).toEqual(
      recentEvents.map((event) => event.id).toSorted(),
    );
    expect([...stored.anomaliesByEventId.keys()].toSorted()).toEqual(
      recent.anomalyIds.map((id) => `new-${id}`).toSorted(),
    );
    const events = await securityAnalyst.eventsOfSession(session);
    expect(events.map((event) => event.streamEventId).toSorted()).toEqual(
      recent.anomalyIds.map((id) => `new-${id}`).toSorted(),
    );
    const purged = await attempt(dataScientist, { method: 'GET', path: `/api/datasets/${oldDataset.id}` });
    expect(purged.status, 'the purged dataset').toBe(404);
    expect(await dataScientist.api.getDataset(newDataset.id)).toMatchObject({ id: newDataset.id });
    const { items } = await dataScientist.api.listDatasets();
    expect(items.map((dataset) => dataset.name).toSorted()).toEqual(
      [readings.name, thisMonth.name].toSorted(),
    );
  });

  await test.step('the pages show only what is kept', async () => {
    const page = securityAnalyst.page;
    await page.goto('/datasets');
    const datasets = page.getByRole('table', { name: 'Datasets' });
    await expect(datasets.getByRole('link', { name: thisMonth.name, exact: true })).toBeVisible();
    await expect(datasets.getByRole('link', { name: lastYear.name, exact: true })).toHaveCount(0);
    const feed = await securityAnalyst.watchLiveFeed();
    await expect(feed).toHaveCount(recent.anomalyIds.length);
    await expect(feed.getByRole('link', { name: /^old-/ })).toHaveCount(0);
  });

  await test.step('the audit log shows the purge with exact counts', async () => {
    const shown = await securityAnalyst.readAuditLog({ action: 'retention.purge' });
    expect(shown.map(({ text }) => text.Actor)).toEqual([tenantAdmin.user.email]);
    for (const count of [
      `"events":${oldEvents.length}`,
      `"anomalyEvents":${old.anomalyIds.length}`,
      '"datasets":1',
    ]) {
      expect(shown[0]?.text.Details).toContain(count);
    }
    const purges = await securityAnalyst.auditEntries({ action: 'retention.purge' });
    expect(purges).toHaveLength(1);
    expect(purges).toHaveAuditEntry({ actorEmail: tenantAdmin.user.email, outcome: 'success' });
    expect(purges[0]?.details).toEqual({
      events: oldEvents.length,
      anomalyEvents: old.anomalyIds.length,
      datasets: 1,
      datasetRows: lastYear.records.length,
      experiments: 0,
      runs: 0,
      eventsCutoff: expect.any(String),
      datasetsCutoff: expect.any(String),
      datasetsHeld: 1,
      trigger: 'tenant_admin',
    });
  });
});
