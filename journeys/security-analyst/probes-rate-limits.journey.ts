import { randomUUID } from 'node:crypto';
import { expect, test } from '../../fixtures/index.ts';
import { SecurityAnalyst } from '../../fixtures/personas/security-analyst.ts';

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
});
