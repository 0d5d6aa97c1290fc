import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';

/** How the provider signs the next ID token, or how it misbehaves. */
export type IdpMode =
  | 'valid'
  | 'unsigned'
  | 'expired'
  | 'foreign-key'
  | 'wrong-nonce'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'unverified-email'
  | 'other-subject'
  | 'garbage'
  | 'down';

/**
 * A minimal OpenID provider over real HTTP: discovery, JWKS and a token endpoint that checks
 * PKCE and the client secret. Tests issue codes directly (`issueCode`), standing in for the
 * provider's own sign-in page.
 */
export interface TestIdentityProvider {
  issuer: string;
  clientSecret: string;
  mode: IdpMode;
  issueCode(input: {
    email: string;
    nonce: string;
    codeChallenge: string;
    clientId: string;
    redirectUri: string;
  }): string;
  close(): Promise<void>;
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<
    string,
    { email: string; nonce: string; codeChallenge: string; clientId: string; redirectUri: string }
  >();
  let counter = 0;

  const state: { mode: IdpMode } = { mode: 'valid' };
  let issuer = '';
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (state.mode === 'down') return json(503, { error: 'temporarily_unavailable' });
    if (state.mode === 'garbage') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('<html>502 Bad Gateway</html>{"issuer":');
    }
    if (url.pathname === '/idp/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      });
    }
    if (url.pathname === '/idp/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/idp/token' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!code) return json(400, { error: 'invalid_grant' });
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge)
        return json(400, { error: 'invalid_grant' });
      if (form.get('client_secret') !== provider.clientSecret || form.get('client_id') !== code.clientId) {
        return json(401, { error: 'invalid_client' });
      }
      if (form.get('redirect_uri') !== code.redirectUri) return json(400, { error: 'invalid_grant' });
      const claims = {
        email: code.email,
        email_verified: state.mode !== 'unverified-email',
        nonce: state.mode === 'wrong-nonce' ? 'another-nonce' : code.nonce,
      };
      const audience = state.mode === 'wrong-audience' ? 'someone-else' : code.clientId;
      const tokenIssuer = state.mode === 'wrong-issuer' ? 'http://elsewhere.test/idp' : issuer;
      // One account per email, as at a real provider; `other-subject` is a second account claiming it.
      const subject = state.mode === 'other-subject' ? `second-${code.email}` : `account-${code.email}`;
      const now = Math.floor(Date.now() / 1000);
      let idToken: string;
      if (state.mode === 'unsigned') {
        idToken = new UnsecuredJWT(claims)
          .setIssuer(tokenIssuer)
          .setAudience(audience)
          .setSubject(subject)
          .setIssuedAt()
          .setExpirationTime('5m')
          .encode();
      } else {
        const jwt = new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setIssuer(tokenIssuer)
          .setAudience(audience)
          .setSubject(subject);
        if (state.mode === 'expired') jwt.setIssuedAt(now - 7200).setExpirationTime(now - 3600);
        else jwt.setIssuedAt(now).setExpirationTime(now + 300);
        idToken = await jwt.sign(state.mode === 'foreign-key' ? foreign.privateKey : privateKey);
      }
      return json(200, { access_token: 'opaque', token_type: 'Bearer', id_token: idToken });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/idp`;

  const provider: TestIdentityProvider = {
    issuer,
    clientSecret: 'client-secret',
    get mode() {
      return state.mode;
    },
    set mode(mode: IdpMode) {
      state.mode = mode;
    },
    issueCode(input) {
      counter += 1;
      const code = `code-${counter}`;
      codes.set(code, input);
      return code;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return provider;
}
