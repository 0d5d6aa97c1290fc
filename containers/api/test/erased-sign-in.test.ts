import { expect, test } from '@playwright/test';
import { withSystem } from '../src/db/pool.ts';
import { bootstrapToken, startTestApp, type TestApp } from './support/test-app.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from './support/test-identity-provider.ts';

/**
 * After erasure the person's session ends and their identity provider's word no longer signs
 * them in: sign-in says why, and records the attempt without the email it was given.
 */
let platform: TestApp;
let idp: TestIdentityProvider;
let tenant: { id: string; slug: string; name: string };
const email = 'Ada.King@example.test';

test.beforeAll(async () => {
  [platform, idp] = await Promise.all([
    startTestApp({ PUBLIC_URL: 'http://platform.test' }),
    startTestIdentityProvider(),
  ]);
  tenant = await platform.createTenant('erasure', idp.issuer);
});
test.afterAll(async () => {
  await platform?.stop();
  await idp?.close();
});

async function signIn(who: string) {
  const start = await platform.server.inject({ method: 'GET', url: `/auth/sso/${tenant.slug}` });
  expect(start.statusCode, start.body).toBe(302);
  const params = Object.fromEntries(new URL(String(start.headers.location)).searchParams);
  const transaction = start.cookies.find((cookie) => cookie.name.startsWith('oidc_'));
  if (!transaction) throw new Error('no sign-in transaction cookie was set');
  const code = idp.issueCode({
    email: who,
    nonce: params.nonce ?? '',
    codeChallenge: params.code_challenge ?? '',
    clientId: params.client_id ?? '',
    redirectUri: params.redirect_uri ?? '',
  });
  return platform.server.inject({
    method: 'GET',
    url: `/auth/callback?code=${code}&state=${params.state}`,
    cookies: { [transaction.name]: transaction.value },
  });
}

test('an erased person is signed out and refused at sign-in with the reason', async () => {
  const user = await platform.createUser(tenant.id, email, 'viewer');
  const signedIn = await signIn(email.toLowerCase());
  expect(signedIn.statusCode).toBe(302);
  const sid = signedIn.cookies.find((cookie) => cookie.name === 'sid')?.value ?? '';
  const me = () => platform.server.inject({ method: 'GET', url: '/api/me', cookies: { sid } });
  expect((await me()).statusCode).toBe(200);

  const erased = await platform.server.inject({
    method: 'POST',
    url: `/api/admin/tenants/${tenant.id}/users/${user.id}/erase`,
    headers: { authorization: `Bearer ${bootstrapToken}` },
  });
  expect(erased.statusCode).toBe(200);
  expect(erased.json()).toMatchObject({ sessions: 1, alreadyErased: false });
  expect((await me()).statusCode).toBe(401);

  const refused = await signIn(email);
  expect(refused.statusCode).toBe(303);
  expect(refused.headers.location).toBe(`/login/${tenant.slug}?error=erased`);
  const page = await platform.server.inject({ method: 'GET', url: String(refused.headers.location) });
  expect(page.body).toContain(
    'This account&#39;s personal data was erased on request, so it can no longer sign in.',
  );

  const { rows } = await withSystem(platform.pool, (db) =>
    db.query<{ actor_email: string | null; outcome: string; details: unknown }>(
      `SELECT actor_email, outcome, details FROM audit_log WHERE tenant_id = $1 AND action = 'auth.sign_in' ORDER BY id`,
      [tenant.id],
    ),
  );
  expect(rows).toEqual([
    { actor_email: erased.json().pseudonym, outcome: 'success', details: {} },
    { actor_email: 'erased-user', outcome: 'failure', details: { reason: 'erased' } },
  ]);

  // Someone else with a new account under the same email is a new person and may sign in.
  await platform.createUser(tenant.id, email, 'viewer');
  expect((await signIn(email)).statusCode).toBe(302);
});
