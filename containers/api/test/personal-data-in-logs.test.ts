import { PassThrough } from 'node:stream';
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { maskIp, maskLogText } from '../src/http/log-masking.ts';
import { as, createModelWorld, type ModelWorld } from './support/model-world.ts';
import { storedStream } from './support/stored-stream.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * What the platform writes to its log for requests that carry personal data and credentials
 * (an API key, a bearer token, a session id, emails in paths and queries, a client address):
 * the real log output, read line by line, holds none of them. And exports carry only the
 * columns the caller's role may see.
 */
let platform: TestApp;
let world: ModelWorld;
const lines: string[] = [];

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  const stream = new PassThrough();
  stream.setEncoding('utf8');
  let pending = '';
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    lines.push(...complete.filter(Boolean));
  });
  platform = await startTestApp({ LOG_LEVEL: 'info' }, stream);
  world = await createModelWorld(platform, 'harbor');
  const events = await storedStream(platform.pool, world.tenantId, 'gate');
  const [eventId] = (await events.addEvents(new Date(), 1, { anomalies: 1 })).anomalyIds;
  const noted = await platform.server.inject({
    method: 'POST',
    url: `/api/events/${eventId}/notes`,
    headers: as(world.keys.analyst),
    payload: { text: 'Called the site lead.' },
  });
  expect(noted.statusCode).toBe(201);
});
test.afterAll(async () => {
  await platform?.stop();
});

test('masking rules: emails keep two letters and the domain, keys and tokens go, addresses narrow', () => {
  expect(maskLogText('user ada.lovelace@example.com failed')).toBe('user ad***@example.com failed');
  expect(maskLogText('key jk_abcdefghijklmnopqrstuvwxyz0123')).toBe('key jk_[redacted]');
  expect(maskLogText('"authorization":"Bearer abc.def-ghi"')).toBe('"authorization":"Bearer [redacted]"');
  expect(maskLogText('cookie sid=s3cr3tvalue; tenant=x')).toBe('cookie sid=[redacted]; tenant=x');
  expect(maskIp('203.0.113.77')).toBe('203.0.113.0/24');
  expect(maskIp('::ffff:198.51.100.4')).toBe('198.51.100.0/24');
  expect(maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::/48');
});

test('no request leaves an email, a key, a token, a session id or a full address in the log', async () => {
  const email = 'ada.lovelace@example.com';
  const sessionId = 'sid-value-0123456789abcdef';
  const bearer = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
  const address = '203.0.113.77';
  const before = lines.length;
  const answers = await Promise.all([
    platform.server.inject({
      method: 'GET',
      url: '/api/me',
      headers: as(world.keys.viewer),
      remoteAddress: address,
    }),
    platform.server.inject({
      method: 'GET',
      url: `/api/audit?actor=${encodeURIComponent(email)}`,
      headers: as(world.keys.analyst),
      remoteAddress: address,
    }),
    platform.server.inject({ method: 'GET', url: `/api/users/${email}/profile`, remoteAddress: address }),
    platform.server.inject({ method: 'GET', url: `/api/keys/${world.keys.viewer}`, remoteAddress: address }),
    platform.server.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${bearer}` },
      remoteAddress: address,
    }),
    platform.server.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: `sid=${sessionId}` },
      remoteAddress: address,
    }),
  ]);
  expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 404, 404, 401, 401]);
  const written = lines.slice(before);
  expect(written.length, 'each request logged its start and end').toBeGreaterThanOrEqual(12);
  const log = written.join('\n');
  expect(log).toContain('203.0.113.0/24');
  expect(log).toContain('ad***@example.com');
  for (const secret of [email, sessionId, bearer, world.keys.viewer, world.keys.analyst, address]) {
    expect(log.includes(secret), `the log holds ${secret.slice(0, 6)}…`).toBe(false);
  }
});

test("a viewer's events export leaves out source IPs and notes; an analyst's carries them", async () => {
  const exportAs = async (key: string) => {
    const answer = await platform.server.inject({
      method: 'GET',
      url: '/api/events/export',
      headers: as(key),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-disposition']).toBe('attachment; filename="anomaly-events.csv"');
    return parse(answer.body, { columns: true }) as Record<string, string>[];
  };
  const viewer = await exportAs(world.keys.viewer);
  expect(viewer).toHaveLength(1);
  expect(Object.keys(viewer[0] ?? {})).toEqual([
    'id',
    'stream_event_id',
    'session_id',
    'occurred_at',
    'severity',
    'status',
    'score',
    'threshold',
    'device_id',
  ]);
  const analyst = await exportAs(world.keys.analyst);
  expect(analyst).toHaveLength(1);
  expect(analyst[0]?.source_ip).toBe('198.51.100.23');
  expect(analyst[0]?.notes).toMatch(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z sec@harbor\.test: Called the site lead\.$/,
  );
});
