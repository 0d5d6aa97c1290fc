import { createHash } from 'node:crypto';
import type { AuditRecord } from '../../fixtures/api/platform-types.ts';
import { downloadEventsExport } from '../../fixtures/compliance/exports.ts';
import { linesNaming, namesWholeWord, PlatformLog } from '../../fixtures/compliance/platform-log.ts';
import { changedEntries, StoredAudit } from '../../fixtures/compliance/stored-audit.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { AdminApi } from '../../fixtures/personas/admin-api.ts';
import { attempt } from '../../fixtures/personas/attempts.ts';
import { Persona } from '../../fixtures/personas/persona.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

const day = 24 * 60 * 60 * 1000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ids = (entries: AuditRecord[]) => entries.map((entry) => entry.id).sort((a, b) => a - b);

test('erases a person on request', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
  // The platform log and the stored audit rows are the second channels: what erasure left behind.
  annotation: needs('platformLog', 'database'),
}, async ({
  world,
  streamingSession,
  dataScientist,
  deployer,
  securityAnalyst: colleague,
  tenantAdmin,
  data,
  producer,
  stack,
}) => {
  const platformLog = PlatformLog.of(stack);
  const logFrom = await platformLog.mark();
  const stored = StoredAudit.of(stack, world.tenant.id);
  // The analyst who asks to be forgotten goes by one short name that hides inside ordinary words
  // and the audit log's own keys: events, minEvents, severity, every, never.
  const person = new SecurityAnalyst(await world.addMember('security_analyst', { name: 'Eve' }));
  // A viewer with a two-letter name, erased after her.
  const jo = new Persona(await world.addMember('viewer', { name: 'Jo' }));
  /** Fails naming only which of the two was found, never the value itself. */
  const expectNoTraceIn = (what: string, text: string) => {
    expect(text.toLowerCase().includes(person.user.email), `${what} holds the erased email`).toBe(false);
    expect(namesWholeWord(text, person.user.name), `${what} holds the erased name`).toBe(false);
  };

  const readings = data.sensorReadings({ rows: 200, features: 3, anomalyRate: 0.05 });
  const { session } =
    await test.step('set up: a detector scores a live stream with an alert rule', async () => {
      const streaming = await streamingSession({
        readings,
        modelName: 'furnace-detector',
        by: { scientist: dataScientist, deployer },
      });
      await deployer.addAlertRule(await deployer.operations.session(streaming.session.id), {
        name: 'Furnace burst',
        thresholdPercent: 10,
        windowSeconds: 300,
        minEvents: 10,
      });
      return streaming;
    });
  const stream = data.eventStream({ count: 20, anomalyRate: 0.2 });
  await producer.publish({ topic: session.topic, events: stream.events });
  await untilScored(colleague.api, session, stream.events.length);
  await expect
    .poll(async () => (await colleague.auditEntries({ action: 'alert.fire' })).length, {
      message: 'the burst fired the alert rule',
    })
    .toBe(1);
  const events = await colleague.eventsOfSession(session);
  expect(events).toHaveLength(stream.anomalyIds.length);
  const event = events[0];
  if (!event) throw new Error(`session ${session.name} raised no anomaly event`);

  const namingEve = `Handed over to ${person.user.name} (${person.user.email}) for the night shift.`;
  const namingNoOne =
    'Every reading was normal until Steve and Evelyn changed the burner; never seen this before.';
  const namingJo = `${jo.user.name} will look again tomorrow; Joe and John agree.`;
  await test.step('the analyst works an event and a colleague writes notes, two of them naming people', async () => {
    await person.page.goto(`/alerts/${event.id}`);
    await person.acknowledge();
    await person.addNote('Checked the furnace readings on site.');
    await colleague.page.goto(`/alerts/${event.id}`);
    for (const note of [namingEve, namingNoOne, namingJo]) await colleague.addNote(note);
  });

  await test.step('set up: the platform keeps a purge and an export on record', async () => {
    // The platform clock runs ahead of real time by what retention journeys moved it; a limit a
    // year past that offset keeps today's events whatever they move it by meanwhile.
    const clock = await new AdminApi(stack.apiUrl, stack.bootstrapToken).clock();
    const eventsDays = Math.ceil(clock.offsetMs / day) + 365;
    const tooOld = new Date(Date.parse(clock.now) - (eventsDays + 30) * day).toISOString();
    const old = data.eventStream({ count: 5, anomalyRate: 0 });
    await producer.publish({
      topic: session.topic,
      events: old.events.map((reading) => ({ ...reading, id: `old-${reading.id}`, ts: tooOld })),
      stampTime: false,
    });
    await untilScored(colleague.api, session, stream.events.length + old.events.length);
    await tenantAdmin.setRetentionPolicy({ eventsDays, datasetsDays: null });
    expect(await tenantAdmin.purgeNow()).toMatch(/^Purged 5 stream events/);
    await downloadEventsExport(colleague.page);
  });

  const everyone = await colleague.auditEntries();
  for (const action of ['alert_rule.create', 'alert.fire', 'retention.purge', 'export.events']) {
    expect(everyone).toHaveAuditEntry({ action });
  }
  const theirEntries = everyone.filter((entry) => entry.actorId === person.user.id);
  for (const action of ['auth.sign_in', 'event.acknowledge', 'event.note']) {
    expect(theirEntries).toHaveAuditEntry({ action, actorEmail: person.user.email });
  }
  const noteEntry = (text: string) => everyone.filter((entry) => entry.details.note === text);
  const joEntries = everyone.filter((entry) => entry.actorId === jo.user.id);
  const beforeErasure = await stored.entries();

  const pseudonym = await tenantAdmin.erasePersonalDataOf(person.user);

  await test.step('only the entries about the person changed; every other entry keeps its exact bytes', async () => {
    const afterErasure = await stored.entries();
    expect(afterErasure.slice(0, beforeErasure.length).map((entry) => entry.id)).toEqual(
      beforeErasure.map((entry) => entry.id),
    );
    const expected = ids([...theirEntries, ...noteEntry(namingEve)]);
    expect(
      changedEntries(beforeErasure, afterErasure),
      'audit entries the erasure rewrote (only the person’s own and the note naming them should be)',
    ).toEqual(
      afterErasure
        .filter((entry) => expected.includes(entry.id))
        .map((entry) => `${entry.id} ${entry.action}`),
    );
  });

  await test.step('their audit entries remain, each changed only in who did it', async () => {
    const after = await colleague.auditEntries({ actor: person.user.id });
    expect(after).toEqual(theirEntries.map((entry) => ({ ...entry, actorEmail: pseudonym })));
    expect(await colleague.notesOn(event.id)).toEqual([
      'Checked the furnace readings on site.',
      `Handed over to ${pseudonym} (${pseudonym}) for the night shift.`,
      namingNoOne,
      namingJo,
    ]);
  });

  await test.step('a guessed email cannot be confirmed from what the platform kept', async () => {
    const kept = await stored.erasedEmailHash(person.user.id);
    expect(kept, 'the platform keeps a hash of the erased email so sign-in can say why').toMatch(
      /^[0-9a-f]{64}$/,
    );
    // What anyone who reads the platform's source could compute from the tenant's id and a guess.
    const guessable = [person.user.email, `erased:${world.tenant.id}:${person.user.email}`].map(sha256);
    expect(guessable, 'the kept hash is one anyone can compute from a guessed email').not.toContain(kept);
  });

  await test.step('they are signed out, their key is refused, and they can no longer sign in', async () => {
    await person.page.goto('/alerts');
    await expect(person.page.getByRole('heading', { name: `Sign in to ${world.tenant.name}` })).toBeVisible();
    expect((await attempt(person, { method: 'GET', path: '/api/me' })).status).toBe(401);
    await person.page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await person.page.getByLabel('Email').fill(person.user.email);
    await person.page.getByRole('button', { name: 'Continue' }).click();
    await expect(person.page.getByRole('alert')).toHaveText(
      "This account's personal data was erased on request, so it can no longer sign in. Ask your administrator for a new account if you need one.",
    );
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

  await test.step('a person with a two-letter name is erased as precisely', async () => {
    const before = await stored.entries();
    const joPseudonym = await tenantAdmin.erasePersonalDataOf(jo.user);
    expect(joPseudonym).not.toBe(pseudonym);
    const expected = ids([...joEntries, ...noteEntry(namingJo)]);
    const after = await stored.entries();
    expect(changedEntries(before, after), 'audit entries the second erasure rewrote').toEqual(
      after.filter((entry) => expected.includes(entry.id)).map((entry) => `${entry.id} ${entry.action}`),
    );
    expect((await colleague.notesOn(event.id)).at(-1)).toBe(
      `${joPseudonym} will look again tomorrow; Joe and John agree.`,
    );
  });

  await test.step('no line of the platform log holds their email or name', async () => {
    const lines = await platformLog.linesSince(logFrom);
    expect(lines.length).toBeGreaterThan(0);
    // Their emails are theirs alone: no line may hold one. Their names ("Eve", "Jo") are short and
    // other tenants' people may share them, so a name counts only on a line about this
    // organisation or these two people.
    const emails = [person.user.email, jo.user.email];
    expect(linesNaming(lines, emails), 'log lines holding an erased email').toEqual([]);
    const ours = [world.tenant.id, world.tenant.slug, person.user.id, jo.user.id];
    const aboutUs = lines.filter((line) => ours.some((value) => line.includes(value)));
    expect(aboutUs.length, "log lines about this organisation's work").toBeGreaterThan(0);
    // Generated identifiers are not names: request ids and slugs are hyphenated base-36 tokens, and
    // "req-jo" or "w1-eve" turn up by chance (a run went red on "reqId":"req-jo").
    const withoutIdentifiers = aboutUs.map((line) =>
      line.replace(/[\p{L}\p{N}_]+(?:-[\p{L}\p{N}_]+)+/gu, ' '),
    );
    const names = [person.user.name, jo.user.name];
    expect(
      linesNaming(withoutIdentifiers, names),
      'log lines about this organisation naming an erased person',
    ).toEqual([]);
  });
});
