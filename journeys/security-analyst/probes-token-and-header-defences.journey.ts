import { randomUUID } from 'node:crypto';
import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { expect, test } from '../../fixtures/index.ts';
import { callPlatform } from '../../fixtures/personas/http-json.ts';
import { registerSecret } from '../../fixtures/reporting/redact.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
  test('forged, expired and unsigned tokens and spoofed identity headers get 401', {
    tag: tags,
  }, async ({ securityAnalyst, viewer, externals, browser, stack }) => {
    const clientId = externals.idp.clientId(securityAnalyst.tenant.slug);
    // The attacker's own requests: no API key of the platform's, only what they forged.
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
      const refused = await securityAnalyst.auditEntries({ action: 'auth.sign_in', outcome: 'failure' });
      expect(refused).toHaveLength(3);
      expect(refused).toHaveAuditEntry({ details: { reason: 'idp_invalid' } }, { times: 3 });
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
});
