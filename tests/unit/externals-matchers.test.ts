import { expect, test } from '@playwright/test';
import { Journal, type JournalEntry } from '../../fixtures/externals/journal.ts';
import { externalsExpect } from '../../fixtures/externals/matchers.ts';

function journalOf(...requests: Array<Partial<JournalEntry> & { method: string; path: string }>): Journal {
  const journal = new Journal();
  for (const [index, request] of requests.entries()) {
    journal.record({
      sequence: index + 1,
      time: new Date(0).toISOString(),
      url: `http://127.0.0.1:1${request.path}`,
      query: {},
      headers: {},
      body: undefined,
      status: 200,
      handled: true,
      durationMs: 1,
      ...request,
    });
  }
  return journal;
}

const slack = journalOf(
  {
    method: 'POST',
    path: '/slack/T1',
    body: { text: 'Anomaly rate 12% on pump-7', blocks: [{ type: 'section' }] },
  },
  { method: 'GET', path: '/idp/jwks' },
);

test.describe('toHaveReceived', () => {
  test('passes when a request matches method, path and a subset of the body', () => {
    externalsExpect(slack).toHaveReceived({
      method: 'POST',
      path: '/slack/T1',
      body: { text: expect.stringContaining('12%') },
    });
    externalsExpect(slack).toHaveReceived({ path: /^\/slack\//, body: { text: /pump-7/ }, times: 1 });
    externalsExpect(slack).not.toHaveReceived({ method: 'POST', path: '/pagerduty/v2/enqueue' });
  });

  test('fails with a message that lists what did arrive', () => {
    let message = '';
    try {
      externalsExpect(slack).toHaveReceived({
        method: 'POST',
        path: '/slack/T1',
        body: { text: 'Anomaly rate 50%' },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'Expected a request matching: {"method":"POST","path":"/slack/T1","body":{"text":"Anomaly rate 50%"}}',
    );
    expect(message).toContain('Matching requests: 0');
    expect(message).toContain('POST /slack/T1 → 200');
    expect(message).toContain('GET /idp/jwks → 200');
    expect(message).toContain('body: {"text":"Anomaly rate 12% on pump-7"');
  });

  test('counts exact repetitions with times', () => {
    const twice = journalOf({ method: 'POST', path: '/a' }, { method: 'POST', path: '/a' });
    externalsExpect(twice).toHaveReceived({ method: 'POST', path: '/a', times: 2 });
    expect(() => externalsExpect(twice).toHaveReceived({ method: 'POST', path: '/a', times: 1 })).toThrow(
      /exactly 1 time\(s\)[\s\S]*Matching requests: 2/,
    );
  });

  test('needs listed array elements to match in full', () => {
    expect(() => externalsExpect(slack).toHaveReceived({ path: '/slack/T1', body: { blocks: [] } })).toThrow(
      /Matching requests: 0/,
    );
    externalsExpect(slack).toHaveReceived({ path: '/slack/T1', body: { blocks: [{ type: 'section' }] } });
  });

  test('redacts credentials in the bodies it shows', () => {
    const leaky = journalOf({
      method: 'POST',
      path: '/idp/token',
      body: { client_secret: 'very-secret-value' },
    });
    expect(() => externalsExpect(leaky).toHaveReceived({ path: '/idp/token', body: { code: 'x' } })).toThrow(
      /"client_secret":"\[REDACTED\]"/,
    );
  });
});
