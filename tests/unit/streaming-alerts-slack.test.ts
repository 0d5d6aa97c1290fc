import { expect, test } from '@playwright/test';
import { type ExternalsServer, startExternalsServer } from '../../fixtures/externals/externals-server.ts';
import { slackFaults, slackWebhookPath, slackWebhookUrl } from '../../fixtures/externals/slack.ts';

/** Posts to a webhook the way the platform's alert notifier does. */
async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: answer.status, text: await answer.text() };
}

test.describe('the Slack incoming webhook mock', () => {
  let server: ExternalsServer;

  test.beforeEach(async () => {
    server = await startExternalsServer({ host: '127.0.0.1', publicHost: '127.0.0.1' });
  });

  test.afterEach(async () => {
    await server.close();
  });

  test("answers a tenant's message with ok, as Slack does, and journals it under the tenant's path", async () => {
    const url = slackWebhookUrl(server.url, 'w0-acme-r0-t0');
    expect(url).toBe(`${server.url}/slack/services/w0-acme-r0-t0/alerts`);
    const answer = await post(url, JSON.stringify({ text: 'Alert "spike": 40.0% anomalies' }));
    expect(answer).toEqual({ status: 200, text: 'ok' });
    expect(server.journal.requests({ method: 'POST', path: slackWebhookPath('w0-acme-r0-t0') })).toEqual([
      expect.objectContaining({
        body: { text: 'Alert "spike": 40.0% anomalies' },
        status: 200,
        handled: true,
      }),
    ]);
    expect(server.journal.requests({ path: slackWebhookPath('w0-other-r0-t0') })).toEqual([]);
  });

  test('accepts a message made of blocks', async () => {
    const answer = await post(
      slackWebhookUrl(server.url, 'acme'),
      JSON.stringify({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] }),
    );
    expect(answer).toEqual({ status: 200, text: 'ok' });
  });

  test("refuses what Slack refuses, in Slack's words", async () => {
    const url = slackWebhookUrl(server.url, 'acme');
    expect(await post(url, '{"text":')).toEqual({ status: 400, text: 'invalid_payload' });
    expect(await post(url, JSON.stringify({ text: '  ' }))).toEqual({ status: 400, text: 'no_text' });
    expect(await post(url, JSON.stringify({ attachments: [] }))).toEqual({ status: 400, text: 'no_text' });
  });

  test('leaves other Slack paths unhandled, so a wrong webhook URL fails the test that used it', async () => {
    const answer = await post(`${server.url}/slack/services/T1`, JSON.stringify({ text: 'hello' }));
    expect(answer.status).toBe(502);
    expect(server.journal.unhandled()).toHaveLength(1);
  });

  test('fails on demand: Slack down, webhook revoked', async () => {
    const url = slackWebhookUrl(server.url, 'acme');
    server.use(...slackFaults.unavailable(server.url));
    expect(await post(url, JSON.stringify({ text: 'x' }))).toEqual({
      status: 503,
      text: 'service_unavailable',
    });
    server.resetHandlers();
    server.use(...slackFaults.revoked(server.url));
    expect(await post(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 403, text: 'invalid_token' });
    server.resetHandlers();
    expect(await post(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 200, text: 'ok' });
  });
});
