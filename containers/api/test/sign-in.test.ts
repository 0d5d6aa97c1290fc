import { expect, test } from '@playwright/test';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  type IdpMode,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from './support/test-identity-provider.ts';

let platform: TestApp;
let idp: TestIdentityProvider;
let tenant: { id: string; slug: string; name: string };
const email = 'grace@example.test';

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  [platform, idp] = await Promise.all([
    startTestApp({ PUBLIC_URL: 'http://platform.test', SIGNIN_FAILURE_LIMIT: '100' }),
    startTestIdentityProvider(),
  ]);
  tenant = await platform.createTenant('sso', idp.issuer);
  await platform.createUser(tenant.id, email, 'security_analyst');
});
test.beforeEach(() => {
  idp.mode = 'valid';
});
test.afterAll(async () => {
  await platform?.stop();
  await idp?.close();
});

const cookieNamed = (response: LightMyRequestResponse, name: string) =>
  response.cookies.find((cookie) => cookie.name === name);

/** Starts a sign-in, lets the provider issue a code for `who`, and returns the callback's answer. */
async function signIn(who: string, mode: IdpMode = 'valid') {
  const start = await platform.server.inject({
    method: 'GET',
    url: `/auth/sso/${tenant.slug}?login_hint=${encodeURIComponent(who)}`,
  });
  expect(start.statusCode, start.body).toBe(302);
  const authorize = new URL(String(start.headers.location));
  const params = Object.fromEntries(authorize.searchParams);
  const transaction = start.cookies.find((cookie) => cookie.name.startsWith('oidc_'));
  if (!transaction) throw new Error('no sign-in transaction cookie was set');
  const code = idp.issueCode({
    email: who,
    nonce: params.nonce ?? '',
    codeChallenge: params.code_challenge ?? '',
    clientId: params.client_id ?? '',
    redirectUri: params.redirect_uri ?? '',
  });
  idp.mode = mode;
  const callback = await platform.server.inject({
    method: 'GET',
    url: `/auth/callback?code=${code}&state=${params.state}`,
    cookies: { [transaction.name]: transaction.value },
  });
  return { start, authorize, params, transaction, callback };
}

test('the SSO redirect carries PKCE, state, nonce and the login hint', async () => {
  const { authorize, params, transaction } = await signIn(email);
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.issuer}/authorize`);
  expect(params).toMatchObject({
    response_type: 'code',
    client_id: 'client-sso',
    redirect_uri: 'http://platform.test/auth/callback',
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    login_hint: email,
  });
  expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(transaction).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/auth/callback', maxAge: 600 });
});

test('a valid sign-in sets an HttpOnly, SameSite=Lax session cookie whose hash alone is stored', async () => {
  const { callback } = await signIn(email);
  expect(callback.statusCode).toBe(302);
  expect(callback.headers.location).toBe('/');
  const sid = cookieNamed(callback, 'sid');
  expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  const me = await platform.server.inject({
    method: 'GET',
    url: '/api/me',
    cookies: { sid: String(sid?.value) },
  });
  expect(me.json()).toMatchObject({ email, role: 'security_analyst', tenant: { slug: 'sso' } });
  const stored = await platform.pool.query<{ id_hash: string }>('SELECT id_hash FROM sessions');
  expect(stored.rows.map((row) => row.id_hash)).not.toContain(sid?.value);
  const home = await platform.server.inject({
    method: 'GET',
    url: '/',
    cookies: { sid: String(sid?.value) },
  });
  expect(home.body).toContain('<h1>Welcome, grace</h1>');
});

for (const [mode, why, problem] of [
  ['unsigned', 'alg: none', 'idp_invalid'],
  ['expired', 'an expired token', 'idp_invalid'],
  ['foreign-key', 'a token signed by a key the provider does not publish', 'idp_invalid'],
  ['wrong-nonce', 'a token issued for another sign-in', 'wrong_nonce'],
  ['wrong-audience', 'a token for another client', 'wrong_audience'],
  ['wrong-issuer', 'a token naming another issuer', 'wrong_issuer'],
  ['unverified-email', 'a token whose email the provider has not verified', 'email_unverified'],
  ['other-subject', "a second provider account claiming a member's email", 'identity_mismatch'],
] as const) {
  test(`${why} is refused and nobody is signed in`, async () => {
    const { callback } = await signIn(email, mode);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe(`/login/sso?error=${problem}`);
    expect(cookieNamed(callback, 'sid')).toBeUndefined();
  });
}

test('a used sign-in state is refused as replayed and an unknown one as not started here', async () => {
  const { params, transaction } = await signIn(email);
  const replay = await platform.server.inject({
    method: 'GET',
    url: `/auth/callback?state=${params.state}&error=access_denied`,
    cookies: { [transaction.name]: transaction.value },
  });
  expect(replay.statusCode).toBe(303);
  expect(replay.headers.location).toBe('/login/sso?error=replayed');
  const stored = await platform.pool.query<{ used: boolean }>(
    'SELECT used_at IS NOT NULL AS used FROM sign_in_states WHERE tenant_id = $1',
    [tenant.id],
  );
  expect(stored.rows.every((row) => row.used)).toBe(true);
});

test('an existing member is bound to the provider account at their next sign-in', async () => {
  await platform.pool.query('UPDATE users SET idp_issuer = NULL, idp_subject = NULL WHERE tenant_id = $1', [
    tenant.id,
  ]);
  expect((await signIn(email)).callback.headers.location).toBe('/');
  const { rows } = await platform.pool.query<{ idp_issuer: string; idp_subject: string }>(
    'SELECT idp_issuer, idp_subject FROM users WHERE tenant_id = $1 AND email = $2',
    [tenant.id, email],
  );
  expect(rows).toEqual([{ idp_issuer: idp.issuer, idp_subject: `account-${email}` }]);
});

test('an unknown account is told so on the sign-in page', async () => {
  const { callback } = await signIn('stranger@example.test');
  expect(callback.headers.location).toBe('/login/sso?error=unknown_account');
  const page = await platform.server.inject({ method: 'GET', url: String(callback.headers.location) });
  expect(page.body).toContain('<h1>Sign in to Tenant sso</h1>');
  expect(page.body).toMatch(
    /<p role="alert" class="alert">There is no account for that email in this organisation\./,
  );
});

test('an identity provider that is down or answers garbage leaves a plain explanation, not a crash', async () => {
  for (const mode of ['down', 'garbage'] as const) {
    idp.mode = mode;
    const start = await platform.server.inject({ method: 'GET', url: `/auth/sso/${tenant.slug}` });
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe('/login/sso?error=idp_unavailable');
  }
  const page = await platform.server.inject({ method: 'GET', url: '/login/sso?error=idp_unavailable' });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('role="alert"');
  expect(page.body).toContain('The identity provider is not responding');
});

test('a callback without a matching sign-in transaction is refused', async () => {
  const forged = await platform.server.inject({
    method: 'GET',
    url: '/auth/callback?code=anything&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    headers: { accept: 'text/html' },
    cookies: {
      oidc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA: '{"slug":"sso","nonce":"n","verifier":"v"}',
    },
  });
  expect(forged.statusCode).toBe(400);
  expect(forged.body).toContain('role="alert"');
  expect(cookieNamed(forged, 'sid')).toBeUndefined();
});

test('sign-ins, successful and failed, are in the audit log', async () => {
  const { rows } = await platform.pool.query<{ outcome: string; reason: string | null }>(
    `SELECT outcome, details->>'reason' AS reason FROM audit_log WHERE action = 'auth.sign_in' AND tenant_id = $1 ORDER BY id`,
    [tenant.id],
  );
  expect(rows.filter((row) => row.outcome === 'success')).toHaveLength(4);
  expect(rows.filter((row) => row.reason === 'idp_invalid')).toHaveLength(3);
  for (const reason of [
    'wrong_nonce',
    'wrong_audience',
    'wrong_issuer',
    'email_unverified',
    'identity_mismatch',
    'replayed',
  ]) {
    expect(
      rows.filter((row) => row.reason === reason),
      reason,
    ).toHaveLength(1);
  }
  expect(rows.filter((row) => row.reason === 'unknown_account')).toHaveLength(1);
  expect(rows.filter((row) => row.reason === 'idp_unavailable')).toHaveLength(2);
});

test('signing out ends the session', async () => {
  const { callback } = await signIn(email);
  const sid = String(cookieNamed(callback, 'sid')?.value);
  const me = (await platform.server.inject({ method: 'GET', url: '/api/me', cookies: { sid } })).json();
  const withoutToken = await platform.server.inject({
    method: 'POST',
    url: '/logout',
    cookies: { sid },
    payload: {},
  });
  expect(withoutToken.statusCode).toBe(403);
  const out = await platform.server.inject({
    method: 'POST',
    url: '/logout',
    cookies: { sid },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(me.csrfToken)}`,
  });
  expect(out.statusCode).toBe(303);
  expect(out.headers.location).toBe('/login/sso');
  expect((await platform.server.inject({ method: 'GET', url: '/api/me', cookies: { sid } })).statusCode).toBe(
    401,
  );
});
