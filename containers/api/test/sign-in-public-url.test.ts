import { expect, test } from '@playwright/test';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from './support/test-identity-provider.ts';

let platform: TestApp;
let idp: TestIdentityProvider;

test.beforeAll(async () => {
  [platform, idp] = await Promise.all([startTestApp({}), startTestIdentityProvider()]);
});
test.afterAll(async () => {
  await platform?.stop();
  await idp?.close();
});

test('without PUBLIC_URL nobody is sent to the identity provider, whatever Host the request names', async () => {
  const tenant = await platform.createTenant('nourl', idp.issuer);
  const start = await platform.server.inject({
    method: 'GET',
    url: `/auth/sso/${tenant.slug}`,
    headers: { host: 'sso.attacker.example' },
  });
  expect(start.statusCode).toBe(303);
  expect(start.headers.location).toBe('/login/nourl?error=not_configured');
  const page = await platform.server.inject({ method: 'GET', url: String(start.headers.location) });
  expect(page.body).toContain(
    'Sign-in is not set up on this platform yet: its operator must set PUBLIC_URL to the address people use to reach it.',
  );
});
