import { createHash, randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { IdentityProvider } from '../../fixtures/externals/idp.ts';
import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { test } from '../../fixtures/externals/index.ts';

/** A relying party's side of the code flow, written from the OIDC spec rather than from the IdP code. */
function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const REDIRECT_URI = 'http://127.0.0.1:9/auth/callback';

async function discover(issuer: string) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    issuer: string;
    authorization_endpoint: string;
    token_endpoint: string;
    jwks_uri: string;
  };
}

function authorizeUrl(endpoint: string, params: Record<string, string>): string {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

test.describe('the mocked OIDC identity provider', () => {
  test('signs a registered user in: discovery, authorize, token, and an ID token that verifies against the JWKS', async ({
    externals,
  }) => {
    const { idp } = externals;
    const user = idp.addUser({ email: 'ada@acme.example.test', name: 'Ada Lovelace' });
    const clientId = idp.clientId('acme');
    const config = await discover(idp.issuer);
    expect(config.issuer).toBe(`${externals.url}/idp`);

    const { verifier, challenge } = pkcePair();
    const authorize = await fetch(
      authorizeUrl(config.authorization_endpoint, {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'openid email profile',
        state: 'state-123',
        nonce: 'nonce-456',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        login_hint: user.email,
      }),
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('state-123');
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await fetch(config.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        client_secret: idp.clientSecret,
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as { id_token: string; access_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const { payload, protectedHeader } = await jwtVerify(
      tokens.id_token,
      createRemoteJWKSet(new URL(config.jwks_uri)),
      {
        issuer: config.issuer,
        audience: clientId,
      },
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: idp.jwks.keys[0]?.kid });
    expect(payload).toMatchObject({
      sub: user.sub,
      email: user.email,
      name: 'Ada Lovelace',
      nonce: 'nonce-456',
    });
    expect(payload.exp).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    // The same code cannot be exchanged twice.
    const replay = await fetch(config.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        client_secret: idp.clientSecret,
        code_verifier: verifier,
      }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('refuses a code exchange whose PKCE verifier does not match the challenge', async ({ externals }) => {
    const { idp } = externals;
    idp.addUser({ email: 'grace@acme.example.test', name: 'Grace Hopper' });
    const { challenge } = pkcePair();
    const authorize = await fetch(
      authorizeUrl(`${idp.issuer}/authorize`, {
        response_type: 'code',
        client_id: idp.clientId('acme'),
        redirect_uri: REDIRECT_URI,
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        login_hint: 'grace@acme.example.test',
      }),
      { redirect: 'manual' },
    );
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const token = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: idp.clientId('acme'),
        client_secret: idp.clientSecret,
        code_verifier: pkcePair().verifier,
      }),
    });
    expect(token.status).toBe(400);
    expect(await token.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'PKCE verification failed: code_verifier does not match the code_challenge.',
    });
  });

  test('refuses a wrong client secret and a redirect URI that differs from the authorization request', async ({
    externals,
  }) => {
    const { idp } = externals;
    idp.addUser({ email: 'alan@acme.example.test', name: 'Alan Turing' });
    const { verifier, challenge } = pkcePair();
    const codeFor = async () => {
      const answer = await fetch(
        authorizeUrl(`${idp.issuer}/authorize`, {
          response_type: 'code',
          client_id: 'journeys-acme',
          redirect_uri: REDIRECT_URI,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          login_hint: 'alan@acme.example.test',
        }),
        { redirect: 'manual' },
      );
      return new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
    };
    const exchange = (code: string, overrides: Record<string, string>) =>
      fetch(`${idp.issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          client_id: 'journeys-acme',
          client_secret: idp.clientSecret,
          code_verifier: verifier,
          ...overrides,
        }),
      });

    const wrongSecret = await exchange(await codeFor(), { client_secret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });

    const wrongRedirect = await exchange(await codeFor(), { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('shows an accessible sign-in page without a login hint, and says when the account is unknown', async ({
    externals,
  }) => {
    const { idp } = externals;
    const params = {
      response_type: 'code',
      client_id: idp.clientId('acme'),
      redirect_uri: REDIRECT_URI,
      state: 'abc',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    };
    const page = await fetch(authorizeUrl(`${idp.issuer}/authorize`, params));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<h1>Sign in</h1>');
    expect(html).toMatch(/<label for="email">Email<\/label>\s*<input id="email" name="email" type="email"/);
    expect(html).toContain('<button type="submit">Continue</button>');
    expect(html).toContain('<input type="hidden" name="state" value="abc">');
    expect(html).not.toContain('role="alert"');

    const unknown = await fetch(`${idp.issuer}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ...params, email: 'nobody@acme.example.test' }),
      redirect: 'manual',
    });
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain(
      '<p role="alert">The account nobody@acme.example.test is unknown.',
    );

    idp.addUser({ email: 'known@acme.example.test', name: 'Known Person' });
    const known = await fetch(`${idp.issuer}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ...params, email: 'Known@Acme.example.test' }),
      redirect: 'manual',
    });
    expect(known.status).toBe(302);
    expect(new URL(known.headers.get('location') ?? '').searchParams.get('state')).toBe('abc');
  });

  test('refuses an authorization request without PKCE', async ({ externals }) => {
    const page = await fetch(
      authorizeUrl(`${externals.idp.issuer}/authorize`, {
        response_type: 'code',
        client_id: 'journeys-acme',
        redirect_uri: REDIRECT_URI,
      }),
    );
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('code_challenge is missing: this provider requires PKCE.');
  });
});

test.describe('identity provider faults', () => {
  async function codeFor(externals: { idp: IdentityProvider }, verifierChallenge: string) {
    externals.idp.addUser({ email: 'eve@acme.example.test', name: 'Eve' });
    const answer = await fetch(
      authorizeUrl(`${externals.idp.issuer}/authorize`, {
        response_type: 'code',
        client_id: 'journeys-acme',
        redirect_uri: REDIRECT_URI,
        code_challenge: verifierChallenge,
        code_challenge_method: 'S256',
        login_hint: 'eve@acme.example.test',
        nonce: 'n-1',
      }),
      { redirect: 'manual' },
    );
    return new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
  }

  async function exchange(issuer: string, code: string, verifier: string, secret: string) {
    const answer = await fetch(`${issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: 'journeys-acme',
        client_secret: secret,
        code_verifier: verifier,
      }),
    });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { id_token: string }).id_token;
  }

  const forgeries = [
    { fault: 'unsignedToken', failure: /JOSEAlgNotAllowed|alg/i },
    { fault: 'foreignKeyToken', failure: /signature verification failed/i },
    { fault: 'expiredToken', failure: /"exp" claim timestamp check failed/i },
  ] as const;

  for (const { fault, failure } of forgeries) {
    test(`${fault}: the exchange succeeds but a verifier must refuse the ID token`, async ({ externals }) => {
      externals.use(...idpFaults[fault](externals.idp));
      const { verifier, challenge } = pkcePair();
      const idToken = await exchange(
        externals.idp.issuer,
        await codeFor(externals, challenge),
        verifier,
        externals.idp.clientSecret,
      );
      const jwks = createRemoteJWKSet(new URL(`${externals.idp.issuer}/jwks`));
      await expect(
        jwtVerify(idToken, jwks, { issuer: externals.idp.issuer, audience: 'journeys-acme' }),
      ).rejects.toThrow(failure);
      if (fault === 'unsignedToken') expect(decodeProtectedHeader(idToken).alg).toBe('none');
      if (fault === 'foreignKeyToken')
        expect(decodeProtectedHeader(idToken).kid).toBe(externals.idp.jwks.keys[0]?.kid);
    });
  }

  const borrowedClaims = [
    { fault: 'unverifiedEmail', claims: { email_verified: false, nonce: 'n-1' } },
    { fault: 'otherAccountWithSameEmail', claims: { sub: 'user-a-second-account-same-email' } },
    { fault: 'tokenForAnotherClient', claims: { aud: 'journeys-some-other-application' } },
    { fault: 'tokenFromAnotherSignIn', claims: { nonce: 'nonce-of-some-other-sign-in' } },
    { fault: 'tokenFromAnotherIssuer', claims: { iss: 'https://idp.elsewhere.example' } },
  ] as const;

  for (const { fault, claims } of borrowedClaims) {
    test(`${fault}: a genuinely signed ID token carrying ${Object.keys(claims).join(', ')} as given`, async ({
      externals,
    }) => {
      externals.use(...idpFaults[fault](externals.idp));
      const { verifier, challenge } = pkcePair();
      const idToken = await exchange(
        externals.idp.issuer,
        await codeFor(externals, challenge),
        verifier,
        externals.idp.clientSecret,
      );
      // The signature is the IdP's own: only the claims say what is wrong.
      const { payload } = await jwtVerify(
        idToken,
        createRemoteJWKSet(new URL(`${externals.idp.issuer}/jwks`)),
      );
      expect(payload).toMatchObject({ email: 'eve@acme.example.test', ...claims });
    });
  }

  test('unavailable: discovery and token answer 503', async ({ externals }) => {
    externals.use(...idpFaults.unavailable(externals.idp));
    expect((await fetch(`${externals.idp.issuer}/.well-known/openid-configuration`)).status).toBe(503);
    expect(
      (
        await fetch(`${externals.idp.issuer}/token`, {
          method: 'POST',
          body: 'grant_type=authorization_code',
        })
      ).status,
    ).toBe(503);
  });

  test('garbage: discovery claims JSON and sends something else', async ({ externals }) => {
    externals.use(...idpFaults.garbage(externals.idp));
    const answer = await fetch(`${externals.idp.issuer}/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    await expect(answer.json()).rejects.toThrow(SyntaxError);
  });

  test('timeout: discovery never answers until the caller gives up', async ({ externals }) => {
    externals.use(...idpFaults.timeout(externals.idp));
    const caller = new AbortController();
    const pending = fetch(`${externals.idp.issuer}/.well-known/openid-configuration`, {
      signal: caller.signal,
    });
    await expect
      .poll(() => externals.journal.requests({ path: '/idp/.well-known/openid-configuration' }).length)
      .toBe(1);
    caller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await expect
      .poll(() => externals.journal.requests({ path: '/idp/.well-known/openid-configuration' })[0]?.aborted)
      .toBe(true);
    expect(externals.journal.entries[0]?.status).toBeNull();
  });
});
