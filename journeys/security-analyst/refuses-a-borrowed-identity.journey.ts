import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { expect, needs, test } from '../../fixtures/index.ts';
import { returnFromIdp, startSignIn } from './support/sign-in-hops.ts';
import { expireSignIn } from './support/sign-in-states.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

/** The sign-in throttle's default: failed sign-ins per address and organisation before 429. */
const THROTTLE_LIMIT = 5;

const pageText = {
  replayed:
    'This sign-in attempt was already used, so it cannot sign anyone in again. Start again with Sign in with SSO.',
  expired: 'This sign-in attempt took too long and expired. Start again with Sign in with SSO.',
  email_unverified:
    'The identity provider has not verified the email address of this account, so it cannot sign in here. Verify the address with your identity provider, then try again.',
  identity_mismatch:
    'This email belongs to a member who signs in with a different account at the identity provider, so you were not signed in. Ask your administrator if your account has changed.',
  wrong_audience:
    'The identity provider sent an answer meant for another application, so you were not signed in. Tell your administrator: the client id may be misconfigured.',
  wrong_nonce:
    'The identity provider sent an answer that belongs to a different sign-in attempt, so you were not signed in. Start again with Sign in with SSO.',
  wrong_issuer:
    'The answer came from a different identity provider than the one this organisation trusts, so you were not signed in. Tell your administrator.',
} as const;

test.describe('refuses a borrowed identity', () => {
  test('sign-in refuses borrowed identities, foreign tokens and replayed states, and does not count replays', {
    tag: tags,
    annotation: needs('database'),
  }, async ({ securityAnalyst, externals, browser, stack }) => {
    const { tenant, user } = securityAnalyst;
    const startSso = `/auth/sso/${tenant.slug}?login_hint=${encodeURIComponent(user.email)}`;
    const refusedWith = (problem: string) => `/login/${tenant.slug}?error=${problem}`;

    await test.step('the IdP is told to send people back to the published address, whatever Host was named', async () => {
      const context = await browser.newContext({ baseURL: stack.apiUrl });
      const answer = await context.request.get(`/auth/sso/${tenant.slug}`, {
        headers: { host: 'sso.attacker.example' },
        maxRedirects: 0,
      });
      expect(answer.status()).toBe(302);
      const redirectUri = new URL(answer.headers().location ?? '').searchParams.get('redirect_uri');
      expect(redirectUri).toBe(`${new URL(stack.apiUrl).origin}/auth/callback`);
      await context.close();
    });

    const attacker = await browser.newContext({ baseURL: stack.apiUrl });
    const used =
      await test.step('a used sign-in, replayed more often than the throttle allows, is refused each time', async () => {
        const started = await startSignIn(attacker, startSso);
        expect(await returnFromIdp(attacker, started)).toBe('/');
        const replays: string[] = [];
        for (let replay = 1; replay <= THROTTLE_LIMIT + 1; replay += 1) {
          // The platform cleared the cookie at the callback; the attacker kept a copy.
          await attacker.addCookies([started.cookie]);
          const answer = await attacker.request.get(
            `/auth/callback?state=${started.state}&error=access_denied`,
            {
              maxRedirects: 0,
            },
          );
          replays.push(answer.headers().location ?? `HTTP ${answer.status()}`);
        }
        expect(replays).toEqual(Array(THROTTLE_LIMIT + 1).fill(refusedWith('replayed')));
        const page = await attacker.newPage();
        await page.goto(refusedWith('replayed'));
        await expect(page.getByRole('alert')).toHaveText(pageText.replayed);
        return started;
      });

    await test.step('the analyst still signs in: replays did not count as failed sign-ins', async () => {
      const context = await browser.newContext({ baseURL: stack.apiUrl });
      expect(await returnFromIdp(context, await startSignIn(context, startSso))).toBe('/');
      const me = await context.request.get('/api/me');
      expect(await me.json()).toMatchObject({ email: user.email });
      await context.close();
    });

    const stranger = await browser.newContext({ baseURL: stack.apiUrl });
    const page = await stranger.newPage();
    await test.step('a sign-in left open past its lifetime is refused', async () => {
      const started = await startSignIn(stranger, startSso);
      expect(await expireSignIn(stack, started.state)).toBe(1);
      expect(await returnFromIdp(stranger, started)).toBe(refusedWith('expired'));
      await page.goto(refusedWith('expired'));
      await expect(page.getByRole('alert')).toHaveText(pageText.expired);
    });

    await test.step('unverified emails, a second account with the same email and foreign tokens are refused', async () => {
      for (const [fault, problem] of [
        [idpFaults.unverifiedEmail, 'email_unverified'],
        [idpFaults.otherAccountWithSameEmail, 'identity_mismatch'],
        [idpFaults.tokenForAnotherClient, 'wrong_audience'],
        [idpFaults.tokenFromAnotherSignIn, 'wrong_nonce'],
        [idpFaults.tokenFromAnotherIssuer, 'wrong_issuer'],
      ] as const) {
        externals.use(...fault(externals.idp));
        expect(await returnFromIdp(stranger, await startSignIn(stranger, startSso)), problem).toBe(
          refusedWith(problem),
        );
        await page.goto(refusedWith(problem));
        await expect(page.getByRole('alert'), problem).toHaveText(pageText[problem]);
      }
      expect((await stranger.request.get('/api/me')).status()).toBe(401);
      await stranger.close();
    });

    await test.step('each refusal is in the audit log under its own reason', async () => {
      const refused = await securityAnalyst.auditEntries({ action: 'auth.sign_in', outcome: 'failure' });
      expect(refused).toHaveAuditEntry({ details: { reason: 'replayed' } }, { times: THROTTLE_LIMIT + 1 });
      expect(refused).toHaveAuditEntry({ details: { reason: 'expired' } }, { times: 1 });
      // The second account's token is genuine, so the email it claimed is recorded; the others
      // prove nothing about who sent them.
      expect(refused).toHaveAuditEntry(
        { actorEmail: user.email, details: { reason: 'identity_mismatch' } },
        { times: 1 },
      );
      for (const reason of ['email_unverified', 'wrong_audience', 'wrong_nonce', 'wrong_issuer']) {
        expect(refused).toHaveAuditEntry({ actorEmail: null, details: { reason } }, { times: 1 });
      }
      expect(refused).toHaveLength(THROTTLE_LIMIT + 1 + 1 + 5);
    });

    await test.step('the callback is rate limited per address and organisation, with Retry-After', async () => {
      const replay = async () => {
        await attacker.addCookies([used.cookie]);
        return attacker.request.get(`/auth/callback?state=${used.state}&error=access_denied`, {
          headers: { accept: 'application/json' },
          maxRedirects: 0,
        });
      };
      const first = await replay();
      const remaining = Number(first.headers()['x-ratelimit-remaining']);
      expect(remaining, 'x-ratelimit-remaining on the callback').toBeGreaterThanOrEqual(0);
      for (let sent = 0; sent < remaining; sent += 1) expect((await replay()).status()).toBe(303);
      const limited = await replay();
      expect(limited.status()).toBe(429);
      expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({
        error: 'rate_limited',
        message: expect.stringMatching(/^Too many requests; wait \d+ seconds? and try again\.$/),
      });
      await attacker.close();
    });
  });
});
