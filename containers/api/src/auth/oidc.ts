import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { randomToken } from './tokens.ts';

/**
 * The relying-party half of OpenID Connect's authorization-code flow with PKCE. Two kinds of
 * failure are kept apart because the user must be told different things: the identity
 * provider could not be reached or answered nonsense (try later), or it answered and the
 * answer does not prove who the user is (refused).
 */
export class IdpUnavailableError extends Error {
  override name = 'IdpUnavailableError';
}
/** Why an answer was refused, as far as the person signing in can act on it. */
export type TokenRejection =
  | 'idp_invalid'
  | 'email_unverified'
  | 'wrong_audience'
  | 'wrong_nonce'
  | 'wrong_issuer';

export class SignInRejectedError extends Error {
  override name = 'SignInRejectedError';
  readonly problem: TokenRejection;

  constructor(message: string, problem: TokenRejection = 'idp_invalid') {
    super(message);
    this.problem = problem;
  }
}

/** Who the ID token proves the person is: the provider's account (issuer, subject) and its email. */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string | undefined;
}

const discoverySchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
export type ProviderMetadata = z.infer<typeof discoverySchema>;

const tokenResponseSchema = z.object({ id_token: z.string().min(1) });

const trimSlash = (url: string) => url.replace(/\/+$/, '');

async function fetchJson(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new IdpUnavailableError(`${what} could not be reached (${(error as Error).name})`);
  }
  if (response.status >= 500) throw new IdpUnavailableError(`${what} answered HTTP ${response.status}`);
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new IdpUnavailableError(`${what} answered something that is not JSON (HTTP ${response.status})`);
  }
  if (!response.ok) {
    const code = z.object({ error: z.string() }).safeParse(body);
    throw new SignInRejectedError(
      `${what} refused: ${code.success ? code.data.error : `HTTP ${response.status}`}`,
    );
  }
  return body;
}

/** Fetched on every sign-in (no cache): a provider that recovers is usable at once. */
export async function discover(issuer: string, timeoutMs: number): Promise<ProviderMetadata> {
  const url = `${trimSlash(issuer)}/.well-known/openid-configuration`;
  const body = await fetchJson(
    url,
    { headers: { accept: 'application/json' } },
    timeoutMs,
    'The discovery document',
  );
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success)
    throw new IdpUnavailableError('The discovery document lacks the endpoints sign-in needs');
  if (trimSlash(parsed.data.issuer) !== trimSlash(issuer)) {
    throw new IdpUnavailableError('The discovery document names a different issuer than the one configured');
  }
  return parsed.data;
}

export interface SignInStart {
  state: string;
  nonce: string;
  codeVerifier: string;
  authorizationUrl: string;
}

export function startSignIn(
  metadata: ProviderMetadata,
  client: { clientId: string; redirectUri: string; loginHint?: string | undefined },
): SignInStart {
  const state = randomToken();
  const nonce = randomToken();
  const codeVerifier = randomToken(48);
  const url = new URL(metadata.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', client.redirectUri);
  url.searchParams.set('scope', 'openid email profile');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', createHash('sha256').update(codeVerifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  if (client.loginHint) url.searchParams.set('login_hint', client.loginHint);
  return { state, nonce, codeVerifier, authorizationUrl: url.toString() };
}

export async function exchangeCode(
  metadata: ProviderMetadata,
  input: { code: string; redirectUri: string; clientId: string; clientSecret: string; codeVerifier: string },
  timeoutMs: number,
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code_verifier: input.codeVerifier,
  });
  const body = await fetchJson(
    metadata.token_endpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    },
    timeoutMs,
    'The token endpoint',
  );
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new IdpUnavailableError('The token endpoint answered without an ID token');
  return parsed.data.id_token;
}

// Key sets are cached per URL so sign-ins do not refetch them; jose refetches on an unknown kid.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetFor(jwksUri: string, timeoutMs: number) {
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 1_000,
      cacheMaxAge: 60_000,
    });
    keySets.set(jwksUri, keySet);
  }
  return keySet;
}

/** Only asymmetric algorithms: a token signed with `none` or a shared secret is refused. */
const acceptedAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export async function verifyIdToken(
  idToken: string,
  expected: { jwksUri: string; issuer: string; clientId: string; nonce: string },
  timeoutMs: number,
): Promise<VerifiedIdentity> {
  try {
    const { payload } = await jwtVerify(idToken, keySetFor(expected.jwksUri, timeoutMs), {
      issuer: [expected.issuer, trimSlash(expected.issuer), `${trimSlash(expected.issuer)}/`],
      audience: expected.clientId,
      algorithms: acceptedAlgorithms,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    });
    if (payload.nonce !== expected.nonce)
      throw new SignInRejectedError('The ID token was issued for another sign-in', 'wrong_nonce');
    if (typeof payload.email !== 'string' || payload.email.length === 0) {
      throw new SignInRejectedError('The ID token carries no email');
    }
    // An address the provider has not verified may belong to anyone who typed it in.
    if (payload.email_verified !== true) {
      throw new SignInRejectedError('The ID token says the email is not verified', 'email_unverified');
    }
    return {
      issuer: trimSlash(payload.iss ?? expected.issuer),
      subject: payload.sub ?? '',
      email: payload.email,
      name: typeof payload.name === 'string' ? payload.name : undefined,
    };
  } catch (error) {
    if (error instanceof SignInRejectedError) throw error;
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'aud')
        throw new SignInRejectedError('The ID token is meant for another client', 'wrong_audience');
      if (error.claim === 'iss')
        throw new SignInRejectedError('The ID token names another issuer', 'wrong_issuer');
    }
    // Generic JOSE errors here mean the key set could not be fetched or read, not a bad token.
    const code = error instanceof joseErrors.JOSEError ? error.code : undefined;
    if (code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID' || code === 'ERR_JWKS_TIMEOUT') {
      throw new IdpUnavailableError('The key set could not be fetched or read');
    }
    if (error instanceof TypeError) throw new IdpUnavailableError('The key set could not be reached');
    throw new SignInRejectedError(`The ID token is not valid (${(error as Error).message})`);
  }
}
