import { expect, test } from '@playwright/test';
import { HttpResponse, http } from 'msw';
import { type ExternalsServer, startExternalsServer } from '../../fixtures/externals/externals-server.ts';
import { REDACTED } from '../../fixtures/reporting/redact.ts';

test.describe('the externals server', () => {
  let server: ExternalsServer;

  test.beforeEach(async () => {
    server = await startExternalsServer({ host: '127.0.0.1', publicHost: '127.0.0.1' });
  });

  test.afterEach(async () => {
    await server.close();
  });

  test('answers an unhandled request with 502 naming it, and journals it as unhandled', async () => {
    const answer = await fetch(`${server.url}/slack/services/T1?channel=ops`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual({
      error: 'unhandled_external_request',
      message: 'No mock answers POST /slack/services/T1: add a handler with externals.use(...).',
    });
    expect(server.journal.unhandled()).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/slack/services/T1',
        query: { channel: 'ops' },
        body: { text: 'hello' },
        handled: false,
      }),
    ]);
  });

  test('journals method, path, query, parsed body and status, with credentials redacted', async () => {
    server.use(
      http.post(`${server.url}/pagerduty/v2/enqueue`, () =>
        HttpResponse.json({ status: 'success' }, { status: 202 }),
      ),
    );
    const answer = await fetch(`${server.url}/pagerduty/v2/enqueue?a=1&a=2`, {
      method: 'POST',
      headers: {
        authorization: 'Token token=abcdef123456',
        cookie: 'sid=s3cr3t-session',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'routing_key=R1&event_action=trigger',
    });
    expect(answer.status).toBe(202);
    const [entry] = server.journal.requests({ method: 'post', path: '/pagerduty/v2/enqueue' });
    expect(entry).toMatchObject({
      sequence: expect.any(Number),
      method: 'POST',
      path: '/pagerduty/v2/enqueue',
      query: { a: ['1', '2'] },
      body: { routing_key: 'R1', event_action: 'trigger' },
      status: 202,
      handled: true,
    });
    expect(entry?.headers.authorization).toBe(REDACTED);
    expect(entry?.headers.cookie).toBe(REDACTED);
    expect(entry?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(entry?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entry?.time ?? '')).not.toBeNaN();
  });

  test('overrides win over the defaults until reset, and relative paths resolve against the server URL', async () => {
    const discovery = `${server.idp.issuer}/.well-known/openid-configuration`;
    server.use(
      http.get('/idp/.well-known/openid-configuration', () => HttpResponse.json({ overridden: true })),
    );
    expect(await (await fetch(discovery)).json()).toEqual({ overridden: true });
    server.resetHandlers();
    expect(await (await fetch(discovery)).json()).toMatchObject({ issuer: server.idp.issuer });
  });

  test('a fresh journal per test leaves earlier entries with the earlier journal', async () => {
    const first = server.journal;
    await fetch(`${server.url}/idp/jwks`);
    const second = server.startJournal();
    await fetch(`${server.url}/idp/jwks`);
    expect(first.entries).toHaveLength(1);
    expect(second.entries).toHaveLength(1);
    expect(second.entries[0]?.sequence).toBe((first.entries[0]?.sequence ?? 0) + 1);
  });

  test('HttpResponse.error() drops the connection like a network failure', async () => {
    server.use(http.post(`${server.url}/threat-intel/v1/ip/:ip`, () => HttpResponse.error()));
    await expect(fetch(`${server.url}/threat-intel/v1/ip/10.0.0.1`, { method: 'POST' })).rejects.toThrow(
      /fetch failed/,
    );
    expect(server.journal.requests({ path: '/threat-intel/v1/ip/10.0.0.1' })[0]).toMatchObject({
      handled: true,
      status: null,
    });
  });

  test('a handler that throws answers 500 and is journaled as a broken mock', async () => {
    server.use(
      http.get(`${server.url}/broken`, () => {
        throw new Error('mock bug');
      }),
    );
    const answer = await fetch(`${server.url}/broken`);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toMatchObject({ error: 'mock_handler_failed' });
    expect(server.journal.failedHandlers().map((entry) => entry.handlerError)).toEqual(['mock bug']);
  });

  test('closing the server ends requests that are still waiting', async () => {
    server.use(
      http.get(`${server.url}/slow`, async ({ request }) => {
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
        return HttpResponse.text('too late');
      }),
    );
    const pending = fetch(`${server.url}/slow`).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => server.journal.requests({ path: '/slow' }).length).toBe(1);
    await server.close();
    expect(await pending).toBe('failed');
    // Reopen so afterEach has a server to close.
    server = await startExternalsServer();
  });
});

test('binds all interfaces and advertises a public host when containers must reach it', async () => {
  const server = await startExternalsServer({ host: '0.0.0.0', publicHost: 'host.docker.internal' });
  try {
    const port = new URL(server.url).port;
    expect(server.url).toBe(`http://host.docker.internal:${port}`);
    expect(server.localUrl).toBe(`http://127.0.0.1:${port}`);
    expect(server.idp.issuer).toBe(`http://host.docker.internal:${port}/idp`);
    // Reached through loopback, the request is rebased on the public URL, so the IdP handlers match.
    const discovery = await fetch(`${server.localUrl}/idp/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(await discovery.json()).toMatchObject({
      token_endpoint: `http://host.docker.internal:${port}/idp/token`,
    });
  } finally {
    await server.close();
  }
});
