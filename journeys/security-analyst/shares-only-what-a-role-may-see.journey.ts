import { downloadEventsExport } from '../../fixtures/compliance/exports.ts';
import { auditLogLines } from '../../fixtures/compliance/log-audit.ts';
import { PlatformLog } from '../../fixtures/compliance/platform-log.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

const sourceAddresses = ['198.51.100.41', '203.0.113.88'];

test('shares only what a role may see', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
  annotation: needs('platformLog'),
}, async ({
  dataScientist,
  streamingSession,
  securityAnalyst,
  viewer,
  personaWithRole,
  data,
  producer,
  stack,
}) => {
  const platformLog = PlatformLog.of(stack);
  const start = await platformLog.mark();
  const deployer = await personaWithRole('ml_engineer');
  const readings = data.sensorReadings({ rows: 200, features: 3, anomalyRate: 0.05 });
  const { session } = await test.step('set up: a detector scores a live stream from two plants', () =>
    streamingSession({ readings, modelName: 'boiler-detector', by: { scientist: dataScientist, deployer } }));
  const stream = data.eventStream({ count: 20, anomalyRate: 0.2, devices: 2, sourceIps: sourceAddresses });
  await producer.publish({ topic: session.topic, events: stream.events });
  await untilScored(securityAnalyst.api, session, stream.events.length);
  const items = await securityAnalyst.eventsOfSession(session);
  expect(items).toHaveLength(stream.anomalyIds.length);
  const note = 'Plant B firewall logs show a scan from this address.';
  await securityAnalyst.page.goto(`/alerts/${items[0]?.id}`);
  await securityAnalyst.addNote(note);

  await test.step("the viewer's export lacks source addresses, notes and who wrote them", async () => {
    const exported = await downloadEventsExport(viewer.page);
    expect(exported.header).toEqual([
      'id',
      'stream_event_id',
      'session_id',
      'occurred_at',
      'severity',
      'status',
      'score',
      'threshold',
      'device_id',
    ]);
    expect(exported.rows.map((row) => row.stream_event_id).toSorted()).toEqual(stream.anomalyIds.toSorted());
    for (const hidden of [...sourceAddresses, note, securityAnalyst.user.email]) {
      expect(exported.text.includes(hidden), `the viewer's export holds "${hidden}"`).toBe(false);
    }
  });

  await test.step("the analyst's export carries them", async () => {
    const exported = await downloadEventsExport(securityAnalyst.page);
    expect(exported.header).toEqual(expect.arrayContaining(['source_ip', 'notes']));
    expect(exported.rows).toHaveLength(stream.anomalyIds.length);
    expect(new Set(exported.rows.map((row) => row.source_ip))).toEqual(
      new Set(items.map((event) => event.source.ip)),
    );
    expect(exported.rows.filter((row) => row.notes !== '').map((row) => row.notes)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\S+ ${securityAnalyst.user.email.replace(/[.+]/g, '\\$&')}: ${note}$`),
      ),
    ]);
  });

  await test.step('the viewer reaches no audit log, through the page or the API', async () => {
    const refusal = 'Your role (viewer) cannot see the audit log; ask a tenant admin for a role that can.';
    const page = await viewer.page.goto('/audit');
    expect(page?.status(), 'the audit page answers the viewer').toBe(403);
    await expect(viewer.page.getByRole('heading', { level: 1 })).toHaveText('Not allowed');
    await expect(viewer.page.getByRole('alert')).toHaveText(refusal);
    await expect(viewer.page.getByRole('table', { name: 'Audit entries' })).toHaveCount(0);
    await expect(
      viewer.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }),
    ).toHaveCount(0);
    for (const path of ['/api/audit', '/api/audit/export']) {
      const answer = await attempt(viewer, { method: 'GET', path });
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 403,
        body: { error: 'forbidden', message: refusal, details: [] },
      });
    }
  });

  // A person's email in a URL path reaches the request's log line (query strings never do): the
  // platform must mask it there, keeping two letters and the domain for the operator.
  const lookedUp = securityAnalyst.user.email;
  const lookup = await attempt(viewer, { method: 'GET', path: `/api/users/${lookedUp}` });
  expect(lookup.status).toBe(404);
  expect(lookup.body).toEqual({
    error: 'not_found',
    message: 'Nothing lives at this address; check the URL.',
    details: [],
  });

  await test.step('the platform log of the whole journey holds no token, key, session id, email or full address', async () => {
    const sessionIds = (
      await Promise.all(
        [securityAnalyst, viewer, dataScientist, deployer].map((persona) => persona.context.cookies()),
      )
    )
      .flat()
      .filter((cookie) => cookie.name === 'sid')
      .map((cookie) => cookie.value);
    expect(sessionIds).toHaveLength(4);
    const lines = await platformLog.linesSince(start);
    expect(lines.length, 'the journey was logged').toBeGreaterThan(20);
    expect(auditLogLines(lines, sessionIds)).toEqual({
      registeredSecrets: 0,
      apiKeys: 0,
      sessionIds: 0,
      emails: 0,
      fullAddresses: 0,
    });
    const [local, domain] = lookedUp.split('@') as [string, string];
    expect(
      lines.filter((line) => line.includes(`/api/users/${local.slice(0, 2)}***@${domain}`)),
      "the viewer's look-up by email, logged with the email masked",
    ).not.toEqual([]);
  });
});
