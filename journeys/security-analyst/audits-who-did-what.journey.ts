import { parse } from 'csv-parse/sync';
import { slackWebhookPath } from '../../fixtures/externals/slack.ts';
import { addressWith } from '../../fixtures/externals/threat-intel.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { AnomalyEvent, AuditRecord } from '../../fixtures/personas/security-analyst.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';
import { apiCall, rollBack } from './support/release-and-stream.ts';

type AuditPage = { items: AuditRecord[]; total: number };

const wholeSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
/** The audit page's datetime-local fields take UTC to the second: 2025-03-01T08:15:02. */
const asFieldValue = (ms: number) => new Date(ms).toISOString().slice(0, 19);

test('audits who did what', {
  tag: ['@e2e', '@security-analyst', '@compliance'],
}, async ({
  securityAnalyst,
  dataScientist,
  personaWithRole,
  modelInProduction,
  streamingSession,
  data,
  producer,
  externals,
  browser,
  stack,
}) => {
  const deployer = await personaWithRole('ml_engineer');
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
      await apiCall(deployer, 'POST', `/api/sessions/${session.id}/alert-rules`, 201, {
        name: 'Anomaly burst',
        threshold: 0.2,
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
      await expect
        .poll(
          async () => (await apiCall<{ items: unknown[] }>(deployer, 'GET', '/api/alerts', 200)).items.length,
        )
        .toBe(1);
      await expect
        .poll(
          () =>
            externals.journal.requests({
              method: 'POST',
              path: slackWebhookPath(securityAnalyst.tenant.slug),
            }).length,
        )
        .toBe(1);
      const { items } = await apiCall<{ items: AnomalyEvent[] }>(
        securityAnalyst,
        'GET',
        `/api/events?sessionId=${session.id}&limit=500`,
        200,
      );
      expect(items).toHaveLength(stream.anomalyIds.length);
      const event = items[0] as AnomalyEvent;
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
    const restored = await rollBack(deployer, v2Production, rollbackReason);
    expect(restored.modelVersionId).toBe(v1Production.modelVersionId);
  });

  await securityAnalyst.signInThroughSso();

  const deployersEntries =
    await test.step("the log holds exactly the deployer's actions, newest first", async () => {
      const rows = await securityAnalyst.filterAuditLog({ actor: deployer.user.email });
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
      await expect(rows).toHaveCount(expected.length);
      await expect(rows.locator('td:nth-child(3)')).toHaveText(expected);
      await expect(rows.locator('td:nth-child(2)')).toHaveText(expected.map(() => deployer.user.email));
      await expect(rows.locator('td:nth-child(5)')).toHaveText(expected.map(() => 'success'));
      const api = await apiCall<AuditPage>(
        securityAnalyst,
        'GET',
        `/api/audit?actor=${encodeURIComponent(deployer.user.email)}`,
        200,
      );
      expect(api.items.map((entry) => entry.action)).toEqual(expected);
      return api.items;
    });

  await test.step('the rollback is on record with its actor and reason', async () => {
    const rows = await securityAnalyst.filterAuditLog({ action: 'deployment.rollback' });
    await expect(rows).toHaveCount(1);
    await expect(rows.locator('td:nth-child(2)')).toHaveText(deployer.user.email);
    await expect(rows.locator('td.details')).toContainText(`reason: ${rollbackReason}`);
  });

  await test.step('every sign-in is on record, the failed one with who tried', async () => {
    const rows = await securityAnalyst.filterAuditLog({ action: 'auth.sign_in' });
    const expected = [
      [securityAnalyst.user.email, 'success'], // the analyst, signing in for this audit
      [stranger.email, 'failure'],
      // The three people signed in when they joined (the order they joined in is the fixture's).
      ...[dataScientist, deployer, securityAnalyst]
        .map((person) => [person.user.email, 'success'])
        .toSorted(),
    ];
    await expect(rows).toHaveCount(expected.length);
    const shown = await rows.evaluateAll((trs) =>
      (trs as HTMLTableRowElement[]).map((tr) => [
        tr.cells[1]?.textContent ?? '',
        tr.cells[4]?.textContent ?? '',
      ]),
    );
    expect([...shown.slice(0, 2), ...shown.slice(2).toSorted()]).toEqual(expected);
    await expect(rows.nth(1).locator('td.details')).toHaveText('reason: unknown_account');
  });

  await test.step('the upload, the alert and the analyst’s action are on record', async () => {
    const uploads = await securityAnalyst.filterAuditLog({ action: 'dataset.upload' });
    await expect(uploads.locator('td:nth-child(2)')).toHaveText([
      dataScientist.user.email,
      dataScientist.user.email,
    ]);
    const alerts = await securityAnalyst.filterAuditLog({ action: 'alert.fire' });
    await expect(alerts.locator('td:nth-child(2)')).toHaveText(['system']);
    const acknowledgements = await securityAnalyst.filterAuditLog({ action: 'event.acknowledge' });
    await expect(acknowledgements.locator('td:nth-child(2)')).toHaveText([securityAnalyst.user.email]);
    await expect(acknowledgements.locator('td:nth-child(4)')).toHaveText(`anomaly_event ${acknowledged.id}`);
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
    const rows = await securityAnalyst.filterAuditLog({
      actor: deployer.user.email,
      from: asFieldValue(fromMs),
      to: asFieldValue(toMs),
    });
    await expect(rows.locator('td:nth-child(3)')).toHaveText(inWindow.map((entry) => entry.action));
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
    const before = await apiCall<AuditPage>(securityAnalyst, 'GET', '/api/audit?limit=1', 200);
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const answer = await securityAnalyst.api.raw<{ error: string }>(method, `/api/audit/${entry.id}`, {
        json: { action: 'nothing.happened', actorEmail: 'nobody@example.test' },
      });
      expect(answer.status, `${method} /api/audit/${entry.id}`).toBe(405);
      expect(answer.body.error).toBe('method_not_allowed');
    }
    const wipe = await securityAnalyst.api.raw<{ error: string }>('DELETE', '/api/audit');
    expect(wipe.status).toBe(405);
    const after = await apiCall<AuditPage>(securityAnalyst, 'GET', '/api/audit?limit=1', 200);
    expect(after.total).toBe(before.total);
    expect(await apiCall<AuditRecord>(securityAnalyst, 'GET', `/api/audit/${entry.id}`, 200)).toEqual(entry);
  });
});
