import { expect, test } from '../../fixtures/index.ts';

const tags = ['@e2e', '@security-analyst', '@security'];

test.describe('probes the defences', () => {
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
