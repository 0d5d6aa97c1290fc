import { downloadEventsExport } from '../../fixtures/compliance/exports.ts';
import { linesContaining, PlatformLog } from '../../fixtures/compliance/platform-log.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

test('erases a person on request', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
  annotation: needs('platformLog'),
}, async ({
  world,
  streamingSession,
  dataScientist,
  securityAnalyst,
  tenantAdmin,
  personaWithRole,
  data,
  producer,
  stack,
}) => {
  const platformLog = PlatformLog.of(stack);
  const colleague = new SecurityAnalyst(await world.addMember('security_analyst'));
  const deployer = await personaWithRole('ml_engineer');
  // The analyst who asks to be forgotten.
  const person = securityAnalyst.user;
  const identity = [person.email, person.name];
  /** Fails naming only which of the two was found, never the value itself. */
  const expectNoTraceIn = (what: string, text: string) => {
    const lower = text.toLowerCase();
    expect(lower.includes(person.email.toLowerCase()), `${what} holds the erased email`).toBe(false);
    expect(lower.includes(person.name.toLowerCase()), `${what} holds the erased name`).toBe(false);
  };

  const readings = data.sensorReadings({ rows: 200, features: 3, anomalyRate: 0.05 });
  const { session } = await test.step('set up: a detector scores a live stream', () =>
    streamingSession({
      readings,
      modelName: 'furnace-detector',
      by: { scientist: dataScientist, deployer },
    }));
  const stream = data.eventStream({ count: 20, anomalyRate: 0.2 });
  await producer.publish({ topic: session.topic, events: stream.events });
  await untilScored(colleague.api, session, stream.events.length);
  const events = await colleague.eventsOfSession(session);
  expect(events).toHaveLength(stream.anomalyIds.length);
  const event = events[0];
  if (!event) throw new Error(`session ${session.name} raised no anomaly event`);

  await test.step('the analyst works an event and a colleague names them in a note', async () => {
    await securityAnalyst.page.goto(`/alerts/${event.id}`);
    await securityAnalyst.acknowledge();
    await securityAnalyst.addNote('Checked the furnace readings on site.');
    await colleague.page.goto(`/alerts/${event.id}`);
    await colleague.addNote(`Handed over to ${person.name} (${person.email}) for the night shift.`);
  });
  const theirEntries = await colleague.auditEntries({ actor: person.id });
  for (const action of ['auth.sign_in', 'event.acknowledge', 'event.note']) {
    expect(theirEntries).toHaveAuditEntry({ action, actorEmail: person.email });
  }

  const pseudonym = await tenantAdmin.erasePersonalDataOf(person);

  await test.step('they are signed out, their key is refused, and they can no longer sign in', async () => {
    await securityAnalyst.page.goto('/alerts');
    await expect(
      securityAnalyst.page.getByRole('heading', { name: `Sign in to ${world.tenant.name}` }),
    ).toBeVisible();
    expect((await attempt(securityAnalyst, { method: 'GET', path: '/api/me' })).status).toBe(401);
    await securityAnalyst.page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await securityAnalyst.page.getByLabel('Email').fill(person.email);
    await securityAnalyst.page.getByRole('button', { name: 'Continue' }).click();
    await expect(securityAnalyst.page.getByRole('alert')).toHaveText(
      "This account's personal data was erased on request, so it can no longer sign in. Ask your administrator for a new account if you need one.",
    );
  });

  await test.step('their audit entries remain, every one under the pseudonym', async () => {
    const after = await colleague.auditEntries({ actor: person.id });
    expect(after.map((entry) => [entry.id, entry.at, entry.action])).toEqual(
      theirEntries.map((entry) => [entry.id, entry.at, entry.action]),
    );
    expect(after).toHaveAuditEntry({ actorEmail: pseudonym }, { times: theirEntries.length });
    expect(await colleague.notesOn(event.id)).toEqual([
      'Checked the furnace readings on site.',
      `Handed over to ${pseudonym} (${pseudonym}) for the night shift.`,
    ]);
  });

  await test.step('no page, API answer or export shows their email or name', async () => {
    for (const path of [`/alerts/${event.id}`, '/audit', '/alerts', '/deployments']) {
      await colleague.page.goto(path);
      expectNoTraceIn(`the page ${path}`, await colleague.page.content());
    }
    await tenantAdmin.page.goto('/settings/people');
    await expect(tenantAdmin.page.getByRole('table', { name: 'People' })).toContainText(pseudonym);
    expectNoTraceIn('the People page', await tenantAdmin.page.content());
    for (const path of [`/api/events/${event.id}`, '/api/audit?limit=1000', '/api/events?limit=500']) {
      const answer = await attempt(colleague, { method: 'GET', path });
      expectNoTraceIn(`the answer to ${path}`, JSON.stringify(answer.body));
    }
    expectNoTraceIn(
      'the answer to /api/users',
      JSON.stringify((await attempt(tenantAdmin, { method: 'GET', path: '/api/users' })).body),
    );
    await colleague.page.goto('/audit');
    const auditCsv = await colleague.exportAuditLog();
    expect(auditCsv).toContain(pseudonym);
    expectNoTraceIn('the audit export', auditCsv);
    expectNoTraceIn('the events export', (await downloadEventsExport(colleague.page)).text);
  });

  await test.step('no line of the platform log holds their email or name', async () => {
    const lines = await platformLog.linesSince(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(linesContaining(lines, identity).length, 'log lines naming the erased person').toBe(0);
  });
});
