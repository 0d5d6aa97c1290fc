import { pagerDutyEventsPath } from '../../fixtures/externals/pagerduty.ts';
import { addressWith, reputationOf } from '../../fixtures/externals/threat-intel.ts';
import { expect, test } from '../../fixtures/index.ts';
import { AdminApi } from '../../fixtures/personas/admin-api.ts';
import { type AnomalyEvent, eventHeading, minuteShown } from '../../fixtures/personas/security-analyst.ts';
import { summaryValue } from '../../fixtures/personas/summary-table.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

test('triages a live incident', {
  tag: ['@e2e', '@security-analyst', '@smoke'],
}, async ({
  securityAnalyst,
  dataScientist,
  streamingSession,
  personaWithRole,
  data,
  producer,
  externals,
  externalsServer,
  stack,
}) => {
  const deployer = await personaWithRole('ml_engineer');
  const readings = data.sensorReadings({ rows: 400, features: 3, anomalyRate: 0.05 });
  const session =
    await test.step('set up: a detector serves production and a streaming session is live', async () => {
      const line = await streamingSession({
        readings,
        modelName: 'press-line-detector',
        sessionName: 'Press line sensors',
        by: { scientist: dataScientist, deployer },
      });
      return line.session;
    });

  // The press line is under attack: both devices report from addresses threat intel knows as malicious.
  const attackers = [addressWith('malicious', 23), addressWith('malicious', 58)];
  const stream = data.eventStream({ count: 80, anomalyRate: 0.15, devices: 2, sourceIps: attackers });
  const firstWave = stream.events.slice(0, 40);
  const secondWave = stream.events.slice(40);
  const anomaliesIn = (events: typeof stream.events) =>
    events.filter((event) => stream.anomalyIds.includes(event.id)).map((event) => event.id);

  const feedRows = await securityAnalyst.watchLiveFeed();
  await expect(feedRows).toHaveCount(0);
  const navigations: string[] = [];
  securityAnalyst.page.on('framenavigated', (frame) => {
    if (frame === securityAnalyst.page.mainFrame()) navigations.push(frame.url());
  });

  await test.step('anomalies of each wave appear in the live feed without a reload', async () => {
    await producer.publish({ topic: session.topic, events: firstWave, ratePerSecond: 100 });
    await expect(feedRows).toHaveCount(anomaliesIn(firstWave).length);
    await producer.publish({ topic: session.topic, events: secondWave, ratePerSecond: 100 });
    await expect(feedRows).toHaveCount(stream.anomalyIds.length);
    const shownIds = await feedRows.getByRole('link').allTextContents();
    expect(shownIds.toSorted(), 'the feed shows exactly the anomalous events').toEqual(
      stream.anomalyIds.toSorted(),
    );
    expect(navigations, 'the page never navigated or reloaded').toEqual([]);
  });

  const incident =
    await test.step('the platform stored every event and raised one anomaly event per anomaly', async () => {
      await untilScored(securityAnalyst.api, session, stream.events.length);
      const raised = await securityAnalyst.eventsOfSession(session);
      expect(raised.map((event) => event.streamEventId).toSorted()).toEqual(stream.anomalyIds.toSorted());
      const critical = raised.filter((event) => event.severity === 'critical');
      expect(critical.length, 'the attack raised critical events').toBeGreaterThan(0);
      return critical.at(-1) as AnomalyEvent;
    });

  const auditedBeforeViews = (await securityAnalyst.auditEntries()).length;
  await securityAnalyst.openEvent(incident);
  const page = securityAnalyst.page;

  await test.step('viewing the event twice asks no one and writes nothing to the audit log', async () => {
    const ip = incident.source.ip ?? '';
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(eventHeading(incident));
    await expect(page.getByRole('region', { name: 'Threat intelligence' })).toContainText(
      `${ip} has not been checked yet.`,
    );
    expect(externals.journal).toHaveReceived({
      method: 'GET',
      path: externalsServer.threatIntel.lookupPath(ip),
      times: 0,
    });
    expect((await securityAnalyst.auditEntries()).length, 'audit entries written by two views').toBe(
      auditedBeforeViews,
    );
  });

  await securityAnalyst.checkSourceIp();

  await test.step('the event shows its feature contributions and the threat intelligence on its source', async () => {
    const contributions = page
      .getByRole('table', { name: 'Feature contributions' })
      .locator('tbody')
      .getByRole('row');
    await expect(contributions).toHaveCount(readings.features.length);
    await expect(contributions.getByRole('cell').first()).toHaveText(
      Object.entries(incident.contributions).toSorted(([, a], [, b]) => b - a)[0]?.[0] ?? '',
    );
    const ip = incident.source.ip ?? '';
    const expected = reputationOf(ip);
    expect(expected, `${ip} is one of the attackers threat intel knows`).not.toBeNull();
    const reputation = page.getByRole('table', { name: 'Source reputation' });
    await expect(summaryValue(reputation, 'Address')).toHaveText(ip);
    await expect(summaryValue(reputation, 'Reputation')).toHaveText('malicious');
    await expect(summaryValue(reputation, 'Risk score')).toHaveText(`${expected?.score} / 100`);
    await expect(summaryValue(reputation, 'Categories')).toHaveText(expected?.categories.join(', ') ?? '');
    // Seen again: the kept answer, not a second lookup.
    await page.reload();
    await expect(summaryValue(reputation, 'Reputation')).toHaveText('malicious');
    expect(externals.journal).toHaveReceived({
      method: 'GET',
      path: externalsServer.threatIntel.lookupPath(ip),
      times: 1,
    });
    expect(externals.journal.requests({ path: externalsServer.threatIntel.lookupPath(ip) })[0]?.status).toBe(
      200,
    );
    expect(await securityAnalyst.auditEntries({ action: 'event.enrich' })).toHaveAuditEntry(
      { actorEmail: securityAnalyst.user.email, targetId: incident.id, details: { sourceIp: ip } },
      { times: 1 },
    );
  });

  await securityAnalyst.acknowledge();
  await securityAnalyst.escalate();

  await test.step('PagerDuty received one trigger whose dedup key is the event id', async () => {
    expect(externals.journal).toHaveReceived({
      method: 'POST',
      path: pagerDutyEventsPath,
      body: {
        event_action: 'trigger',
        dedup_key: incident.id,
        payload: {
          severity: 'critical',
          source: incident.source.deviceId ?? '',
          summary: expect.stringContaining('Critical anomaly'),
        },
      },
      times: 1,
    });
    // Compared here rather than in the matcher, whose failure message would print the key.
    const [trigger] = externals.journal.requests({ method: 'POST', path: pagerDutyEventsPath });
    const routingKey = (trigger?.body as { routing_key?: string } | undefined)?.routing_key;
    expect(
      routingKey === externalsServer.pagerDuty.routingKeyOf(securityAnalyst.tenant.slug),
      "the trigger carries this organisation's routing key",
    ).toBe(true);
    // PagerDuty's own view: the incident is open under the event's id.
    expect(externalsServer.pagerDuty.incidentsOf(securityAnalyst.tenant.slug)).toEqual([
      expect.objectContaining({ dedupKey: incident.id, status: 'triggered' }),
    ]);
  });

  const resolution = 'Blocked both attacker addresses at the plant firewall; readings are back to normal.';
  await securityAnalyst.resolveWithNote(resolution);

  await test.step('resolving the event resolved its PagerDuty incident', async () => {
    expect(externals.journal).toHaveReceived({
      method: 'POST',
      path: pagerDutyEventsPath,
      body: { event_action: 'resolve', dedup_key: incident.id },
      times: 1,
    });
    expect(externalsServer.pagerDuty.incidentsOf(securityAnalyst.tenant.slug)).toEqual([
      expect.objectContaining({ dedupKey: incident.id, status: 'resolved' }),
    ]);
    expect((await securityAnalyst.event(incident.id)).status).toBe('resolved');
  });

  await test.step('the timeline lists each action with its actor and time', async () => {
    const items = await securityAnalyst.timelineOf(incident.id);
    const analyst = { name: securityAnalyst.user.name, email: securityAnalyst.user.email };
    expect(items.map((entry) => [entry.action, entry.actor?.email ?? null, entry.note])).toEqual([
      ['raised', null, null],
      ['enriched', analyst.email, null],
      ['acknowledged', analyst.email, null],
      ['escalated', analyst.email, null],
      ['resolved', analyst.email, resolution],
    ]);
    const words = ['Raised', 'Checked the source IP', 'Acknowledged', 'Escalated to PagerDuty', 'Resolved'];
    await expect(securityAnalyst.timelineItems()).toHaveText(
      items.map((entry, index) => {
        const by = entry.actor ? ` by ${analyst.name} (${analyst.email})` : ' by the platform';
        return `${minuteShown(entry.at)} ${words[index]}${by}${entry.note ? `: ${entry.note}` : ''}`;
      }),
    );
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(eventHeading(incident));
  });

  // The feed is authorised once, when it opens; from here on the analyst's right to it ends twice.
  const frames = securityAnalyst.countLiveFeedFrames();
  const feedStatus = securityAnalyst.liveFeedStatus();
  const wave = (count: number) =>
    data.eventStream({ count, anomalyRate: 0.3, devices: 2, sourceIps: attackers });
  let published = stream.events.length;
  const publishAndStore = async (events: typeof stream.events) => {
    await producer.publish({ topic: session.topic, events, ratePerSecond: 100 });
    published += events.length;
    await untilScored(securityAnalyst.api, session, published);
  };

  const closedByRole =
    await test.step('an admin gives the analyst another role: the open feed closes and says why', async () => {
      await securityAnalyst.watchLiveFeed();
      const feed = frames.latest();
      await new AdminApi(stack.apiUrl, stack.bootstrapToken).changeRole(
        securityAnalyst.tenant.id,
        securityAnalyst.user.id,
        'viewer',
      );
      await expect(feedStatus, 'the feed closed within two seconds').toHaveText(
        'Closed: Your role changed; reload the page to watch the feed with your new role.',
        { timeout: 2_000 },
      );
      await expect.poll(() => feed.closed, { message: 'the browser saw the socket close' }).toBe(true);
      expect(
        (await securityAnalyst.api.client.GET('/api/me')).data?.role,
        'the platform holds the new role',
      ).toBe('viewer');
      return feed;
    });

  const reopened =
    await test.step('reloaded under the new role, the feed streams again; the closed one gets nothing', async () => {
      await securityAnalyst.watchLiveFeed();
      const feed = frames.latest();
      const third = wave(10);
      await publishAndStore(third.events);
      await expect
        .poll(() => feed.received.filter((frame) => frame.type === 'anomaly').map((frame) => frame.eventId), {
          message: 'the reopened feed received the new anomalies',
        })
        .toEqual(third.anomalyIds);
      expect(closedByRole.received, 'nothing reached the feed closed by the role change').toEqual([
        { type: 'ready' },
      ]);
      return feed;
    });

  await test.step('signing out in another tab closes the feed, and later events never reach it', async () => {
    const before = reopened.received.length;
    await securityAnalyst.signOutInAnotherTab();
    await expect(feedStatus, 'the feed closed within two seconds').toHaveText(
      'Closed: You signed out; sign in again to watch the live feed.',
      { timeout: 2_000 },
    );
    const fourth = wave(10);
    await publishAndStore(fourth.events);
    const stored = (await securityAnalyst.eventsOfSession(session)).map((event) => event.streamEventId);
    expect(stored, 'the platform stored and raised the anomalies published after sign-out').toEqual(
      expect.arrayContaining(fourth.anomalyIds),
    );
    expect(
      fourth.anomalyIds.length,
      'the last wave holds anomalies the feed could have carried',
    ).toBeGreaterThan(0);
    expect(reopened.received.length, 'no frame reached the feed after sign-out').toBe(before);
    await expect(
      securityAnalyst.liveFeedRows().getByRole('link', { name: fourth.anomalyIds[0] }),
    ).toHaveCount(0);
  });
});
