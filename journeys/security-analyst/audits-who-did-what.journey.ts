import { parse } from 'csv-parse/sync';
import { slackWebhookPath } from '../../fixtures/externals/slack.ts';
import { addressWith } from '../../fixtures/externals/threat-intel.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { AuditRecord } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';

const wholeSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
/** The audit page's datetime-local fields take UTC to the second: 2025-03-01T08:15:02. */
const asFieldValue = (ms: number) => new Date(ms).toISOString().slice(0, 19);

test('audits who did what', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
}, async ({
  securityAnalyst,
  dataScientist,
  deployer,
  modelInProduction,
  streamingSession,
  data,
  producer,
  externals,
  browser,
  stack,
}) => {
  const modelName = 'boiler-detector';
  const rollbackReason = 'v2 flags normal boiler start-ups as anomalies; back to v1 until retrained';
  const stranger = {
    email: `former.contractor@${securityAnalyst.tenant.slug}.example.test`,
    name: 'Former Contractor',
  };

  await test.step('set up: someone without an account tries to sign in', async () => {
    // The identity provider still knows the contractor; the organisation removed them.
    externals.idp.addUser(stranger);
    const context = await browser.newContext({ baseURL: stack.apiUrl });
    const page = await context.newPage();
    await page.goto(`/login/${securityAnalyst.tenant.slug}`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.getByLabel('Email').fill(stranger.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      'There is no account for that email in this organisation. Ask your administrator to add you.',
    );
    await context.close();
  });

  const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });
  const { session, v1Production } =
    await test.step('set up: v1 ships to production and streams', async () => {
      const people = { scientist: dataScientist, deployer };
      const v1 = await streamingSession({ readings, modelName, sessionName: 'Boiler room', by: people });
      const { production: v1Production, session } = v1;
      await deployer.addAlertRule(await deployer.operations.session(session.id), {
        name: 'Anomaly burst',
        thresholdPercent: 20,
        windowSeconds: 300,
        minEvents: 10,
      });
      return { session, v1Production };
    });

  const stream = data.eventStream({
    count: 40,
    anomalyRate: 0.3,
    sourceIps: [addressWith('suspicious', 77)],
  });
  const acknowledged =
    await test.step('set up: an anomaly burst fires the alert and the analyst takes an event on', async () => {
      await producer.publish({ topic: session.topic, events: stream.events });
      await untilScored(deployer.api, session, stream.events.length);
      await expect.poll(async () => (await deployer.operations.alerts(session.id)).length).toBe(1);
      await expect
        .poll(
          () =>
            externals.journal.requests({
              method: 'POST',
              path: slackWebhookPath(securityAnalyst.tenant.slug),
            }).length,
        )
        .toBe(1);
      const events = await securityAnalyst.eventsOfSession(session);
      expect(events).toHaveLength(stream.anomalyIds.length);
      const event = events[0];
      if (!event) throw new Error(`session ${session.name} raised no anomaly event`);
      await securityAnalyst.page.goto(`/alerts/${event.id}`);
      await securityAnalyst.acknowledge();
      return event;
    });

  await test.step('set up: a poor v2 is promoted, then rolled back with a reason', async () => {
    const { production: v2Production } = await modelInProduction({
      readings: data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 }),
      modelName,
      by: { scientist: dataScientist, deployer },
    });
    const restored = await deployer.rollBackThroughApi(v2Production, rollbackReason);
    expect(restored.modelVersionId).toBe(v1Production.modelVersionId);
  });

  await securityAnalyst.signInThroughSso();

  const deployersEntries =
    await test.step("the log holds exactly the deployer's actions, newest first", async () => {
      const shown = await securityAnalyst.readAuditLog({ actor: deployer.user.email });
      const expected = [
        'deployment.rollback',
        'deployment.promote',
        'deployment.deploy',
        'alert_rule.create',
        'session.start',
        'session.create',
        'deployment.promote',
        'deployment.deploy',
        'auth.sign_in',
      ];
      expect(shown.map(({ text }) => [text.Actor, text.Action, text.Outcome])).toEqual(
        expected.map((action) => [deployer.user.email, action, 'success']),
      );
      const entries = await securityAnalyst.auditEntries({ actor: deployer.user.email });
      expect(entries.map((entry) => entry.action)).toEqual(expected);
      return entries;
    });

  await test.step('the rollback is on record with its actor and reason', async () => {
    const shown = await securityAnalyst.readAuditLog({ action: 'deployment.rollback' });
    expect(shown.map(({ text }) => [text.Actor, text.Details])).toEqual([
      [deployer.user.email, expect.stringContaining(`reason: ${rollbackReason}`)],
    ]);
    expect(deployersEntries).toHaveAuditEntry(
      { action: 'deployment.rollback', outcome: 'success', details: { reason: rollbackReason } },
      { times: 1 },
    );
  });

  await test.step('every sign-in is on record, the failed one with who tried', async () => {
    const shown = await securityAnalyst.readAuditLog({ action: 'auth.sign_in' });
    const expected = [
      [securityAnalyst.user.email, 'success'], // the analyst, signing in for this audit
      [stranger.email, 'failure'],
      // The three people signed in when they joined (the order they joined in is the fixture's).
      ...[dataScientist, deployer, securityAnalyst]
        .map((person) => [person.user.email, 'success'])
        .toSorted(),
    ];
    const actorsAndOutcomes = shown.map(({ text }) => [text.Actor, text.Outcome]);
    expect([...actorsAndOutcomes.slice(0, 2), ...actorsAndOutcomes.slice(2).toSorted()]).toEqual(expected);
    expect(shown[1]?.text.Details).toBe('reason: unknown_account');
    expect(await securityAnalyst.auditEntries({ action: 'auth.sign_in' })).toHaveAuditEntry(
      { actorEmail: stranger.email, outcome: 'failure', details: { reason: 'unknown_account' } },
      { times: 1 },
    );
  });

  await test.step('the upload, the alert and the analyst’s action are on record', async () => {
    const uploads = await securityAnalyst.readAuditLog({ action: 'dataset.upload' });
    expect(uploads.map(({ text }) => text.Actor)).toEqual([
      dataScientist.user.email,
      dataScientist.user.email,
    ]);
    const alerts = await securityAnalyst.readAuditLog({ action: 'alert.fire' });
    expect(alerts.map(({ text }) => text.Actor)).toEqual(['system']);
    const acknowledgements = await securityAnalyst.readAuditLog({ action: 'event.acknowledge' });
    expect(acknowledgements.map(({ text }) => [text.Actor, text.Target])).toEqual([
      [securityAnalyst.user.email, `anomaly_event ${acknowledged.id}`],
    ]);
  });

  await test.step('a time window shows exactly the entries inside it', async () => {
    // The rollback phase, to the second: from the v2 deploy's second to the second after the rollback.
    const [rollback, , v2Deploy] = deployersEntries;
    const fromMs = wholeSecond(v2Deploy?.at ?? '');
    const toMs = wholeSecond(rollback?.at ?? '') + 1000;
    // `to` includes its own instant; entries carry milliseconds.
    const inWindow = deployersEntries.filter(
      (entry) => Date.parse(entry.at) >= fromMs && Date.parse(entry.at) <= toMs,
    );
    expect(inWindow.slice(0, 3).map((entry) => entry.action)).toEqual([
      'deployment.rollback',
      'deployment.promote',
      'deployment.deploy',
    ]);
    const shown = await securityAnalyst.readAuditLog({
      actor: deployer.user.email,
      from: asFieldValue(fromMs),
      to: asFieldValue(toMs),
    });
    expect(shown.map(({ text }) => text.Action)).toEqual(inWindow.map((entry) => entry.action));
  });

  await test.step('the CSV export holds exactly the filtered entries', async () => {
    await securityAnalyst.filterAuditLog({ actor: deployer.user.email });
    const csv = await securityAnalyst.exportAuditLog();
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(
      records.map((record) => [record.id, record.actor_email, record.action, record.outcome, record.at]),
    ).toEqual(
      deployersEntries.map((entry) => [
        String(entry.id),
        entry.actorEmail,
        entry.action,
        entry.outcome,
        entry.at,
      ]),
    );
    const rollbackRecord = records[0] as Record<string, string>;
    expect(JSON.parse(rollbackRecord.details ?? '{}')).toMatchObject({ reason: rollbackReason });
  });

  await test.step('entries cannot be changed or removed, and none disappear trying', async () => {
    const entry = deployersEntries[0] as AuditRecord;
    const before = await securityAnalyst.auditEntries();
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const answer = await securityAnalyst.tryToChangeAuditEntry(entry.id, method);
      expect(answer.status, `${method} /api/audit/${entry.id}`).toBe(405);
      expect(answer.body.error).toBe('method_not_allowed');
    }
    expect((await securityAnalyst.tryToWipeAuditLog()).status).toBe(405);
    expect(await securityAnalyst.auditEntries()).toEqual(before);
    expect(await securityAnalyst.auditEntry(entry.id)).toEqual(entry);
  });
});
