import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from '@playwright/test';
import { HttpResponse, http } from 'msw';
import { type ExternalsServer, startExternalsServer } from '../../fixtures/externals/externals-server.ts';
import { idpFaults } from '../../fixtures/externals/idp-faults.ts';
import { REDACTED } from '../../fixtures/reporting/redact.ts';

/** A full collection, as a loaded worker would run one at any moment (gc() is not exposed to workers). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

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

  test('a caller that gives up on a hanging IdP is journaled as aborted, even after a garbage collection', async () => {
    // A waiting handler is reachable only through its request's abort signal, and a fetch Request
    // links its signal to the server's controller weakly: a collection in between used to cut the
    // link, so the journal never learned the caller had gone ("no answer" instead of "aborted").
    const idp = { issuer: `${server.url}/idp` } as Parameters<typeof idpFaults.timeout>[0];
    server.use(...idpFaults.timeout(idp));
    const caller = new AbortController();
    const call = fetch(`${idp.issuer}/.well-known/openid-configuration`, { signal: caller.signal }).catch(
      (error: Error) => error.name,
    );
    await expect
      .poll(() => server.journal.requests({ path: '/idp/.well-known/openid-configuration' }).length)
      .toBe(1);
    await collectGarbage();
    caller.abort();
    expect(await call).toBe('AbortError');
    // aborted: the journal knows the caller left; handled: the waiting handler heard it and ended.
    await expect
      .poll(() => server.journal.requests({ path: '/idp/.well-known/openid-configuration' })[0], {
        message: 'the journal records that the caller closed the connection, and the handler ended',
        timeout: 5_000,
      })
      .toMatchObject({ aborted: true, handled: true });
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
