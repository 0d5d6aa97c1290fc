import { randomUUID } from 'node:crypto';
import {
  injectionPayloads,
  NOTE_LIMIT,
  oversizedText,
  payloadsOf,
  splitForForm,
} from '../../fixtures/data/attack-payloads.ts';
import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { expect, test } from '../../fixtures/index.ts';
import { callPlatform } from '../../fixtures/personas/http-json.ts';
import type { AnomalyEvent, AuditRecord, TimelineEntry } from '../../fixtures/personas/security-analyst.ts';
import { registerSecret } from '../../fixtures/reporting/redact.ts';
import { untilScored } from '../../fixtures/streaming/until-scored.ts';
import { apiCall } from './support/release-and-stream.ts';
import { watchForScriptExecution } from './support/script-execution-watch.ts';

type AuditPage = { items: AuditRecord[]; total: number };
const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
  test('injection payloads in notes and device names are stored and shown literally', {
    tag: tags,
  }, async ({ securityAnalyst, dataScientist, streamingSession, personaWithRole, data, producer }) => {
    const deployer = await personaWithRole('ml_engineer');
    const readings = data.sensorReadings({ rows: 300, features: 3, anomalyRate: 0.05 });
    const { session } = await test.step('set up: a stream from devices with hostile names', () =>
      streamingSession({
        readings,
        modelName: 'intake-detector',
        by: { scientist: dataScientist, deployer },
      }));
    const watch = await watchForScriptExecution(securityAnalyst.context);
    const deviceNames = payloadsOf('script-html').map((payload) => payload.value);
    const feed = await securityAnalyst.watchLiveFeed();
    const stream = data.eventStream({ count: 60, anomalyRate: 0.3, devices: deviceNames });
    await producer.publish({ topic: session.topic, events: stream.events });

    await test.step('the live feed shows hostile device names as text', async () => {
      await expect(feed).toHaveCount(stream.anomalyIds.length);
      const anomalousDevices = stream.events
        .filter((event) => stream.anomalyIds.includes(event.id))
        .map((event) => event.source.deviceId);
      const shown = await feed.evaluateAll((rows) =>
        (rows as HTMLTableRowElement[]).map((row) => ({
          text: row.cells[4]?.textContent ?? '',
          elements: row.cells[4]?.children.length ?? -1,
        })),
      );
      expect(shown.map((cell) => cell.text).toSorted()).toEqual(anomalousDevices.toSorted());
      expect(
        shown.every((cell) => cell.elements === 0),
        'no device cell holds markup',
      ).toBe(true);
    });

    await untilScored(securityAnalyst.api, session, stream.events.length);
    const { items: events } = await apiCall<{ items: AnomalyEvent[] }>(
      securityAnalyst,
      'GET',
      `/api/events?sessionId=${session.id}&limit=500`,
      200,
    );
    const target = events[0] as AnomalyEvent;
    const { throughForm, throughApi } = splitForForm(injectionPayloads);
    await test.step('the API takes most payloads as notes', async () => {
      for (const payload of throughApi) {
        const answer = await securityAnalyst.api.raw('POST', `/api/events/${target.id}/notes`, {
          json: { text: payload.value },
        });
        expect(answer.status, payload.name).toBe(201);
      }
    });
    await securityAnalyst.page.goto(`/alerts/${target.id}`);
    for (const payload of throughForm) await securityAnalyst.addNote(payload.value);
    // The order they were added in, which is the timeline's order.
    const noted = [...throughApi, ...throughForm].map((payload) => payload.value);

    await test.step('every note is on the timeline character for character, as text', async () => {
      const notes = securityAnalyst.page.getByRole('list', { name: 'Timeline' }).locator('q');
      await expect(notes).toHaveCount(injectionPayloads.length);
      const shown = await notes.evaluateAll((quotes) =>
        quotes.map((quote) => ({ text: quote.textContent ?? '', elements: quote.children.length })),
      );
      expect(shown.map((note) => note.text)).toEqual(noted);
      expect(shown.filter((note) => note.elements > 0)).toEqual([]);
      const { items } = await apiCall<{ items: TimelineEntry[] }>(
        securityAnalyst,
        'GET',
        `/api/events/${target.id}/timeline`,
        200,
      );
      expect(items.filter((entry) => entry.action === 'noted').map((entry) => entry.note)).toEqual(noted);
    });

    await test.step('nothing ran: no dialog, no blocked inline script', async () => {
      await securityAnalyst.page.reload();
      await securityAnalyst.watchLiveFeed();
      expect(watch.dialogs).toEqual([]);
      expect(watch.violations).toEqual([]);
    });

    await test.step('the SQL payloads changed nothing: every event is still there, untouched', async () => {
      const after = await apiCall<{ items: AnomalyEvent[]; total: number }>(
        securityAnalyst,
        'GET',
        `/api/events?sessionId=${session.id}&limit=500`,
        200,
      );
      expect(after.total).toBe(stream.anomalyIds.length);
      expect(after.items.map((event) => event.status)).toEqual(events.map(() => 'open'));
      const audit = await apiCall<AuditPage>(securityAnalyst, 'GET', '/api/audit?action=event.note', 200);
      expect(audit.total).toBe(injectionPayloads.length);
    });

    await test.step('a note over the limit is refused with the limit named; one at the limit is kept whole', async () => {
      const path = `/api/events/${target.id}/notes`;
      const atLimit = oversizedText(NOTE_LIMIT);
      expect((await securityAnalyst.api.raw('POST', path, { json: { text: atLimit } })).status).toBe(201);
      for (const length of [NOTE_LIMIT + 1, 1_000_000]) {
        const refused = await securityAnalyst.api.raw<{ error: string; message: string }>('POST', path, {
          json: { text: oversizedText(length) },
        });
        expect(refused.status, `a ${length}-character note`).toBe(400);
        expect(refused.body.error).toBe('validation_failed');
        expect(refused.body.message).toContain('keep the note under 4000 characters');
      }
      const { items } = await apiCall<{ items: TimelineEntry[] }>(
        securityAnalyst,
        'GET',
        `/api/events/${target.id}/timeline`,
        200,
      );
      const notes = items.filter((entry) => entry.action === 'noted');
      expect(notes).toHaveLength(injectionPayloads.length + 1);
      expect(notes.at(-1)?.note).toBe(atLimit);
    });
  });

  test('injection payloads in dataset names are stored and shown literally', {
    tag: tags,
  }, async ({ dataScientist, data }) => {
    const watch = await watchForScriptExecution(dataScientist.context);
    const readings = data.sensorReadings({ rows: 20, features: 2, anomalyRate: 0.1 });
    const { throughForm, throughApi } = splitForForm(injectionPayloads);
    for (const payload of throughForm) {
      await dataScientist.uploadDataset({ ...readings, name: payload.value });
    }
    await test.step('the API stores the other payloads as names too', async () => {
      for (const payload of throughApi) {
        const answer = await dataScientist.api.uploadDataset(readings, { name: payload.value });
        expect(answer.status, payload.name).toBe(201);
      }
    });

    await test.step('the datasets list shows every name as text, and nothing ran', async () => {
      await dataScientist.page.goto('/datasets');
      const names = dataScientist.page
        .getByRole('table', { name: 'Datasets' })
        .locator('tbody')
        .getByRole('row')
        .locator('td:first-child');
      const expected = [...throughForm, ...throughApi].map((payload) => payload.value);
      await expect(names).toHaveCount(expected.length);
      const shown = await names.evaluateAll((cells) =>
        cells.map((cell) => ({ text: cell.textContent ?? '', links: cell.querySelectorAll('*').length })),
      );
      expect(shown.map((cell) => cell.text).toSorted()).toEqual(expected.toSorted());
      expect(
        shown.filter((cell) => cell.links !== 1),
        'each name cell holds only its link',
      ).toEqual([]);
      const listed = await dataScientist.api.listDatasets();
      expect(listed.items.map((dataset) => dataset.name).toSorted()).toEqual(expected.toSorted());
      expect(watch.dialogs).toEqual([]);
      expect(watch.violations).toEqual([]);
    });

    await test.step('traversal in ids and asset names finds nothing', async () => {
      for (const path of [
        '/api/datasets/..%2F..%2F..%2Fetc%2Fpasswd',
        '/api/datasets/%2e%2e%2f%2e%2e%2fpackage.json',
        '/assets/..%2F..%2Fpackage.json',
        '/assets/%2e%2e%2fserver.mjs',
      ]) {
        const answer = await dataScientist.api.raw<{ error: string }>('GET', path);
        expect(answer.status, path).toBe(404);
        expect(answer.body.error, path).toBe('not_found');
      }
    });
  });

  test('forged, expired and unsigned tokens and spoofed identity headers get 401', {
    tag: tags,
  }, async ({ securityAnalyst, viewer, externals, browser, stack }) => {
    const clientId = externals.idp.clientId(securityAnalyst.tenant.slug);
    const me = `${stack.apiUrl}/api/me`;

    await test.step('identity tokens are no API credential, forged or not', async () => {
      for (const signing of ['unsigned', 'foreign-key', 'expired', 'issuer-key'] as const) {
        const token = await externals.idp.issueIdToken({
          email: securityAnalyst.user.email,
          clientId,
          signing,
        });
        registerSecret(token);
        const answer = await callPlatform<{ error: string }>('GET', me, { authorization: `Bearer ${token}` });
        expect(answer.status, `${signing} ID token`).toBe(401);
        expect(answer.body.error).toBe('unauthenticated');
      }
    });

    await test.step('sign-in refuses forged, unsigned and expired ID tokens', async () => {
      for (const [fault, words] of [
        [idpFaults.unsignedToken, 'alg: none'],
        [idpFaults.foreignKeyToken, 'signed with an unpublished key'],
        [idpFaults.expiredToken, 'expired an hour ago'],
      ] as const) {
        externals.use(...fault(externals.idp));
        const context = await browser.newContext({ baseURL: stack.apiUrl });
        const page = await context.newPage();
        await page.goto(`/login/${securityAnalyst.tenant.slug}`);
        await page.getByRole('link', { name: 'Sign in with SSO' }).click();
        await page.getByLabel('Email').fill(securityAnalyst.user.email);
        await page.getByRole('button', { name: 'Continue' }).click();
        await expect(page.getByRole('alert'), words).toHaveText(
          'The identity provider sent an answer that could not be verified, so you were not signed in. Try again, and tell your administrator if it keeps happening.',
        );
        expect((await context.request.get('/api/me')).status(), words).toBe(401);
        expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('sid');
        await context.close();
      }
      const refused = await apiCall<AuditPage>(
        securityAnalyst,
        'GET',
        `/api/audit?action=auth.sign_in&outcome=failure`,
        200,
      );
      expect(refused.items.map((entry) => entry.details.reason)).toEqual([
        'idp_invalid',
        'idp_invalid',
        'idp_invalid',
      ]);
    });

    await test.step('identity headers and a made-up session cookie are ignored', async () => {
      const spoofed = {
        'x-forwarded-user': securityAnalyst.user.email,
        'x-remote-user': securityAnalyst.user.email,
        'x-auth-request-email': securityAnalyst.user.email,
        'x-user-id': securityAnalyst.user.id,
        'x-tenant-id': securityAnalyst.tenant.id,
        'x-role': 'tenant_admin',
      };
      const anonymous = await callPlatform<{ error: string }>('GET', me, { headers: spoofed });
      expect(anonymous.status).toBe(401);
      const cookie = await callPlatform<{ error: string }>('GET', me, {
        headers: { cookie: `sid=${randomUUID()}` },
      });
      expect(cookie.status).toBe(401);
      const promoted = await viewer.page.request.post('/api/experiments', {
        headers: spoofed,
        data: { datasetId: randomUUID(), runs: [{ algorithm: 'lof', params: {} }] },
      });
      expect(
        promoted.status(),
        "a viewer's session with X-Role: tenant_admin and someone else's identity",
      ).toBe(403);
    });

    await test.step('an invalid Authorization header wins over a valid session cookie', async () => {
      const page = securityAnalyst.page;
      expect((await page.request.get('/api/me')).status()).toBe(200);
      expect(
        (await page.request.get('/api/me', { headers: { authorization: 'Bearer not-a-key' } })).status(),
      ).toBe(401);
    });
  });

  test("a viewer's writes get 403 and change nothing", {
    tag: tags,
  }, async ({ viewer, securityAnalyst, dataScientist, data }) => {
    const readings = data.sensorReadings({ rows: 20, features: 2, anomalyRate: 0.1 });
    expect((await dataScientist.api.uploadDataset(readings, { name: 'calibration run' })).status).toBe(201);
    const before = await viewer.api.listDatasets();
    expect(before.total).toBe(1);

    await test.step('the pages offer the viewer no way to change anything', async () => {
      await viewer.page.goto('/datasets');
      await expect(
        viewer.page.getByRole('table', { name: 'Datasets' }).locator('tbody').getByRole('row'),
      ).toHaveCount(1);
      await expect(viewer.page.getByRole('form', { name: 'Upload a dataset' })).toHaveCount(0);
    });

    const attempts = [
      [
        'POST',
        '/api/experiments',
        { datasetId: before.items[0]?.id, runs: [{ algorithm: 'lof', params: {} }] },
      ],
      ['POST', '/api/models/versions', { runId: randomUUID(), name: 'sneaky' }],
      ['POST', '/api/deployments', { modelVersionId: randomUUID() }],
      ['POST', '/api/sessions', { name: 'sneaky', deploymentId: randomUUID() }],
      ['POST', `/api/events/${randomUUID()}/acknowledge`, {}],
      ['POST', `/api/events/${randomUUID()}/escalate`, {}],
    ] as const;
    await test.step('every write through the API is 403 with the reason', async () => {
      for (const [method, path, json] of attempts) {
        const answer = await viewer.api.raw<{ error: string; message: string }>(method, path, { json });
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.body.error).toBe('forbidden');
        expect(answer.body.message).toMatch(/^Your role \(viewer\) cannot change /);
      }
      const upload = await viewer.api.uploadDataset(readings, { name: 'sneaky upload' });
      expect(upload.status).toBe(403);
      expect((await viewer.api.raw('GET', '/api/audit')).status, 'the audit log is not for viewers').toBe(
        403,
      );
    });

    await test.step('nothing changed, and every refusal is on record', async () => {
      expect(await viewer.api.listDatasets()).toEqual(before);
      const denied = await apiCall<AuditPage>(
        securityAnalyst,
        'GET',
        `/api/audit?action=permission.denied&actor=${encodeURIComponent(viewer.user.email)}`,
        200,
      );
      expect(denied.total).toBe(attempts.length + 2);
      expect(denied.items.every((entry) => entry.outcome === 'denied')).toBe(true);
    });
  });

  test('repeated failed sign-ins and bursts of writes get 429 with Retry-After', {
    tag: tags,
  }, async ({ securityAnalyst, personaWithRole, externals, browser, stack }) => {
    // Joins before the sign-in throttle closes this organisation's door to this address.
    const colleague = await personaWithRole('security_analyst');
    const slug = securityAnalyst.tenant.slug;
    const strangers = [1, 2, 3, 4, 5].map((n) => ({
      email: `departed.${n}@${slug}.example.test`,
      name: `Departed Employee ${n}`,
    }));
    const context = await browser.newContext({ baseURL: stack.apiUrl });
    const page = await context.newPage();

    await test.step('five sign-ins of unknown accounts are each refused', async () => {
      for (const stranger of strangers) {
        externals.idp.addUser(stranger);
        await page.goto(`/auth/sso/${slug}?login_hint=${encodeURIComponent(stranger.email)}`);
        await expect(page).toHaveURL(new RegExp(`/login/${slug}\\?error=unknown_account$`));
      }
    });

    await test.step('the next attempt, even by a real member, is throttled with Retry-After', async () => {
      const response = await page.goto(
        `/auth/sso/${slug}?login_hint=${encodeURIComponent(securityAnalyst.user.email)}`,
      );
      expect(response?.status()).toBe(429);
      const retryAfter = Number(response?.headers()['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Too many attempts');
      await expect(page.getByRole('alert')).toHaveText(
        /^Too many failed sign-in attempts; wait \d+ seconds before trying again\.$/,
      );
      const failures = await apiCall<AuditPage>(
        securityAnalyst,
        'GET',
        '/api/audit?action=auth.sign_in&outcome=failure',
        200,
      );
      expect(failures.items.map((entry) => entry.actorEmail).toSorted()).toEqual(
        strangers.map((stranger) => stranger.email).toSorted(),
      );
    });
    await context.close();

    await test.step("a burst of one user's writes is cut off at the limit; another user is unaffected", async () => {
      const path = () => `/api/events/${randomUUID()}/notes`;
      const first = await securityAnalyst.api.raw('POST', path(), { json: { text: 'burst' } });
      expect(first.status).toBe(404);
      const limit = Number(first.headers.get('x-ratelimit-limit'));
      expect(limit).toBeGreaterThan(0);
      const rest = await Promise.all(
        Array.from({ length: limit }, () =>
          securityAnalyst.api.raw('POST', path(), { json: { text: 'burst' } }),
        ),
      );
      const statuses = rest.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 404)).toHaveLength(limit - 1);
      expect(statuses.filter((status) => status === 429)).toHaveLength(1);
      const throttled = rest.find((answer) => answer.status === 429);
      expect(Number(throttled?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(throttled?.body).toMatchObject({ error: 'rate_limited' });
      expect((await colleague.api.raw('POST', path(), { json: { text: 'not throttled' } })).status).toBe(404);
    });
  });

  test('security headers, cookie flags and CSRF protection hold', {
    tag: tags,
  }, async ({ securityAnalyst }) => {
    const page = securityAnalyst.page;

    await test.step('pages send a strict CSP and the other security headers', async () => {
      for (const path of ['/', '/alerts', '/audit', `/login/${securityAnalyst.tenant.slug}`]) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(200);
        const headers = response?.headers() ?? {};
        const policy = Object.fromEntries(
          (headers['content-security-policy'] ?? '')
            .split(';')
            .map((directive) => directive.trim().split(/\s+/))
            .filter(([name]) => name)
            .map(([name, ...sources]) => [name, sources]),
        );
        expect(policy['frame-ancestors'], path).toEqual(["'none'"]);
        expect(policy['script-src'], path).toEqual(["'self'"]);
        expect(policy['style-src'], path).toEqual(["'self'"]);
        expect(policy['object-src'], path).toEqual(["'none'"]);
        expect(JSON.stringify(policy), path).not.toMatch(/unsafe-inline|unsafe-eval/);
        expect(headers['x-content-type-options'], path).toBe('nosniff');
        expect(headers['referrer-policy'], path).toBe('same-origin');
        expect(headers['x-frame-options'], path).toBe('DENY');
      }
    });

    await test.step('the session cookie is HttpOnly and SameSite=Lax', async () => {
      const cookies = await securityAnalyst.context.cookies();
      const sid = cookies.find((cookie) => cookie.name === 'sid');
      expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(await page.evaluate(() => document.cookie), 'scripts cannot read the session').not.toContain(
        'sid=',
      );
    });

    await test.step('form posts and cookie API writes without the CSRF token are refused', async () => {
      const keysBefore = (await page.request.get('/api/me/api-keys').then((response) => response.json())) as {
        items: unknown[];
      };
      const noToken = await page.request.post('/logout', { form: { reason: 'forged' } });
      expect(noToken.status()).toBe(403);
      const wrongToken = await page.request.post('/logout', { form: { _csrf: 'forged-token-value' } });
      expect(wrongToken.status()).toBe(403);
      const crossSiteApi = await page.request.post('/api/me/api-keys', {
        headers: { 'content-type': 'text/plain' },
        data: JSON.stringify({ name: 'planted key' }),
      });
      expect(crossSiteApi.status()).toBe(403);
      expect((await page.request.get('/api/me')).status(), 'still signed in').toBe(200);
      const keysAfter = (await page.request.get('/api/me/api-keys').then((response) => response.json())) as {
        items: unknown[];
      };
      expect(keysAfter.items).toHaveLength(keysBefore.items.length);
    });

    await test.step('the real sign-out form carries its token and works', async () => {
      await page.goto('/');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(
        page.getByRole('heading', { name: `Sign in to ${securityAnalyst.tenant.name}` }),
      ).toBeVisible();
      expect((await page.request.get('/api/me')).status()).toBe(401);
    });
  });
});
