import { expect, test } from '@playwright/test';
import { attach } from '../../fixtures/reporting/attach.ts';
import { REDACTED, redact, registeredSecrets, registerSecret } from '../../fixtures/reporting/redact.ts';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${part({ alg: 'RS256' })}.${part({ sub: 'user-1' })}.${Buffer.from('a-signature-here').toString('base64url')}`;
const UNSIGNED_JWT = `${part({ alg: 'none' })}.${part({ sub: 'user-1' })}.`;
const API_KEY = `jk_${'q7Wm2'.repeat(8)}x1y`;

test.describe('redact', () => {
  test('removes bearer tokens and authorization headers from text, keeping the label', () => {
    expect(redact('Authorization: Bearer abc.def-123')).toBe(`Authorization: ${REDACTED}`);
    expect(redact('curl -H "authorization: Basic dXNlcjpwYXNz" http://x')).toBe(
      `curl -H "authorization: ${REDACTED}" http://x`,
    );
    expect(redact('then Bearer s3cr3tT0ken was used')).toBe(`then Bearer ${REDACTED} was used`);
  });

  test('removes JWTs, signed or not, wherever they are', () => {
    expect(redact(`token=${JWT}&x=1`)).toBe(`token=${REDACTED}&x=1`);
    expect(redact(`id ${UNSIGNED_JWT} end`)).toBe(`id ${REDACTED} end`);
  });

  test('removes secret fields in JSON text, form bodies and query strings', () => {
    expect(redact('{"client_secret":"abc123xyz","name":"x"}')).toBe(
      `{"client_secret":"${REDACTED}","name":"x"}`,
    );
    expect(redact('grant_type=authorization_code&client_secret=abc123xyz&code_verifier=v3r1f13r')).toBe(
      `grant_type=authorization_code&client_secret=${REDACTED}&code_verifier=${REDACTED}`,
    );
    expect(redact('password: hunter22 and api-key=k-123456')).toBe(
      `password: ${REDACTED} and api-key=${REDACTED}`,
    );
  });

  test('removes the session cookie and platform API keys', () => {
    expect(redact('cookie: theme=dark; sid=Zx9-abc_123; lang=en')).toBe(
      `cookie: theme=dark; sid=${REDACTED}; lang=en`,
    );
    expect(redact(`key ${API_KEY} issued`)).toBe(`key ${REDACTED} issued`);
  });

  test('leaves ordinary text alone', () => {
    const text =
      'token_endpoint http://127.0.0.1:1/idp/token; authorization_endpoint /idp/authorize; key prefix jk_abc123; seed 42';
    expect(redact(text)).toBe(text);
  });

  test('copies objects deeply, blanking secret-named fields and scanning every string', () => {
    const input = {
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k', cookie: 'sid=1', accept: 'application/json' },
      body: {
        client_secret: 's',
        nested: [{ password: 'p' }, { note: `Bearer ${JWT}` }],
        count: 3,
        missing: null,
      },
      apiKey: API_KEY,
    };
    expect(redact(input)).toEqual({
      headers: {
        Authorization: REDACTED,
        'x-api-key': REDACTED,
        cookie: REDACTED,
        accept: 'application/json',
      },
      body: {
        client_secret: REDACTED,
        nested: [{ password: REDACTED }, { note: `Bearer ${REDACTED}` }],
        count: 3,
        missing: null,
      },
      apiKey: REDACTED,
    });
    expect(input.headers.Authorization).toBe('Bearer abc');
  });

  test('survives circular structures', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(redact(loop)).toEqual({ name: 'loop', self: '[Circular]' });
  });

  test('removes registered live secrets verbatim and URL-encoded, whatever their shape', () => {
    const secret = `live/${'9'.repeat(6)}+secret`;
    expect(redact(`value ${secret} here`)).toContain(secret);
    registerSecret(secret);
    expect(registeredSecrets()).toContain(secret);
    expect(redact(`value ${secret} here`)).toBe(`value ${REDACTED} here`);
    expect(redact(`url?x=${encodeURIComponent(secret)}`)).toBe(`url?x=${REDACTED}`);
  });

  test('refuses to register a fragment too short to be a credential', () => {
    expect(() => registerSecret('abc')).toThrow(
      'registerSecret needs the whole credential (at least 6 characters); pass the full secret, not a fragment.',
    );
  });
});

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
test('attach redacts before attaching, for text and objects', async ({}, testInfo) => {
  await attach('exchange', { request: { headers: { authorization: `Bearer ${JWT}` } }, status: 200 });
  await attach('log', `GET /api/me with Bearer ${API_KEY}`);
  const bodies = Object.fromEntries(testInfo.attachments.map((attachment) => [attachment.name, attachment]));
  expect(bodies.exchange?.contentType).toBe('application/json');
  expect(JSON.parse(bodies.exchange?.body?.toString() ?? '')).toEqual({
    request: { headers: { authorization: REDACTED } },
    status: 200,
  });
  expect(bodies.log?.contentType).toBe('text/plain');
  expect(bodies.log?.body?.toString()).toBe(`GET /api/me with Bearer ${REDACTED}`);
});
