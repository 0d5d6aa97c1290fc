import { randomUUID } from 'node:crypto';
import { StoredAudit } from '../../fixtures/compliance/stored-audit.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';
import { Visitor, type VisitorAnswer } from '../../fixtures/personas/visitor.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
  test('repeated failed sign-ins and bursts of writes get 429 with Retry-After', {
    tag: tags,
  }, async ({ securityAnalyst, world, externals, browser, stack }) => {
    // Joins before the sign-in throttle closes this organisation's door to this address.
    const colleague = new SecurityAnalyst(await world.addMember('security_analyst'));
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
      const failures = await securityAnalyst.auditEntries({ action: 'auth.sign_in', outcome: 'failure' });
      expect(failures).toHaveLength(strangers.length);
      for (const stranger of strangers) {
        expect(failures).toHaveAuditEntry(
          { actorEmail: stranger.email, details: { reason: 'unknown_account' } },
          { times: 1 },
        );
      }
    });
    await context.close();

    await test.step("a burst of one user's writes is cut off at the limit; another user is unaffected", async () => {
      // Notes on events that do not exist: each write costs the limiter one, and changes nothing.
      const noteOnNothing = (analyst: SecurityAnalyst, text: string) =>
        analyst.tryToAddNoteThroughApi(randomUUID(), text);
      const first = await noteOnNothing(securityAnalyst, 'burst');
      expect(first.status).toBe(404);
      const limit = Number(first.headers.get('x-ratelimit-limit'));
      expect(limit).toBeGreaterThan(0);
      const rest = await Promise.all(
        Array.from({ length: limit }, () => noteOnNothing(securityAnalyst, 'burst')),
      );
      const statuses = rest.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 404)).toHaveLength(limit - 1);
      expect(statuses.filter((status) => status === 429)).toHaveLength(1);
      const throttled = rest.find((answer) => answer.status === 429);
      expect(Number(throttled?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(throttled?.body).toMatchObject({ error: 'rate_limited' });
      expect((await noteOnNothing(colleague, 'not throttled')).status).toBe(404);
    });
  });

  test('a forged X-Forwarded-For neither escapes nor triggers the sign-in throttle, and the audit log keeps the real address', {
    tag: tags,
    annotation: needs('trustedProxy', 'database'),
  }, async ({ securityAnalyst, externals, stack }) => {
    if (!stack.proxy) throw new Error('The stack offers trustedProxy but named no proxy.');
    const [nearClient, farClient] = stack.proxy.clients;
    // Two people in front of the proxy; the first also reaches the platform directly, past the proxy.
    const near = new Visitor(nearClient);
    const far = new Visitor(farClient);
    // Sign-in sends people back to the platform's public address, which for them is the proxy.
    const publicUrl = stack.apiUrl;
    const slug = securityAnalyst.tenant.slug;
    const member = securityAnalyst.user.email;
    // An address from the range kept for documentation: only ever written into a header, never reached.
    const forged = '203.0.113.7';
    const departed = (n: number) => ({
      email: `departed.${n}@${slug}.example.test`,
      name: `Departed Employee ${n}`,
    });
    const strangers = [1, 2, 3, 4, 5].map(departed);
    const latecomer = departed(6);
    for (const stranger of [...strangers, latecomer]) externals.idp.addUser(stranger);
    const refusedPage = (client: { proxyUrl: string }) =>
      `${client.proxyUrl}/login/${slug}?error=unknown_account`;
    const expectThrottled = (answer: VisitorAnswer) => {
      expect(answer.status, `sign-in from ${answer.url}`).toBe(429);
      const wait = Number(answer.headers['retry-after']);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(900);
      expect(answer.body).toContain(
        `Too many failed sign-in attempts; wait ${wait} seconds before trying again.`,
      );
    };

    await test.step('five failed sign-ins through the proxy from one address throttle that address', async () => {
      for (const stranger of strangers) {
        const answer = await near.signIn(nearClient.proxyUrl, slug, stranger.email, { publicUrl });
        expect(answer.url).toBe(refusedPage(nearClient));
      }
      expectThrottled(await near.signIn(nearClient.proxyUrl, slug, member, { publicUrl }));
    });

    await test.step('a forged X-Forwarded-For does not let it out, through the proxy or past it', async () => {
      expectThrottled(
        await near.signIn(nearClient.proxyUrl, slug, member, { forwardedFor: forged, publicUrl }),
      );
      expectThrottled(await near.signIn(stack.apiUrl, slug, member, { forwardedFor: forged, publicUrl }));
    });

    await test.step('another address is not throttled, not even when it forges the throttled one', async () => {
      const signedIn = await far.signIn(farClient.proxyUrl, slug, member, {
        forwardedFor: near.address,
        publicUrl,
      });
      expect(signedIn.status, `the member's sign-in from ${far.address}, at ${signedIn.url}`).toBe(200);
      expect(signedIn.url).toBe(`${farClient.proxyUrl}/`);
      const refused = await far.signIn(farClient.proxyUrl, slug, latecomer.email, {
        forwardedFor: forged,
        publicUrl,
      });
      expect(refused.url).toBe(refusedPage(farClient));
    });

    await test.step('the audit log names the real address of every attempt, in the API and the database', async () => {
      const expected = [
        ...strangers.map((stranger) => ({
          actorEmail: stranger.email,
          outcome: 'failure',
          ip: near.address,
        })),
        { actorEmail: member, outcome: 'success', ip: far.address },
        { actorEmail: latecomer.email, outcome: 'failure', ip: far.address },
      ];
      const recorded = (await securityAnalyst.auditEntries({ action: 'auth.sign_in' }))
        .reverse()
        .map(({ actorEmail, outcome, ip }) => ({ actorEmail, outcome, ip }));
      // The persona's own sign-in before the story began came straight to the platform.
      expect(recorded).toEqual([{ actorEmail: member, outcome: 'success', ip: near.address }, ...expected]);
      const stored = await StoredAudit.of(stack, securityAnalyst.tenant.id).signIns();
      expect(stored).toEqual(recorded);
    });
  });
});
