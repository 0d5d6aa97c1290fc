import { expect, test } from '@playwright/test';
import { type ExternalsServer, startExternalsServer } from '../../fixtures/externals/externals-server.ts';
import { pagerDutyEventsPath } from '../../fixtures/externals/pagerduty.ts';
import { addressWith, reputationOf } from '../../fixtures/externals/threat-intel.ts';
import { registeredSecrets } from '../../fixtures/reporting/redact.ts';

let server: ExternalsServer;

test.beforeEach(async () => {
  server = await startExternalsServer({ host: '127.0.0.1', publicHost: '127.0.0.1' });
});

test.afterEach(async () => {
  await server.close();
});

const enqueue = (body: unknown) =>
  fetch(`${server.url}${pagerDutyEventsPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const trigger = (routingKey: string, dedupKey: string) => ({
  routing_key: routingKey,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: { summary: 'Critical anomaly on device press-01', source: 'press-01', severity: 'critical' },
});

test.describe('the PagerDuty Events API v2 mock', () => {
  test('a trigger opens an incident under its dedup key and a resolve closes it', async () => {
    const routingKey = server.pagerDuty.createIntegration('acme');
    const opened = await enqueue(trigger(routingKey, 'event-1'));
    expect(opened.status).toBe(202);
    expect(await opened.json()).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'event-1',
    });
    expect(server.pagerDuty.incidentsOf('acme')).toEqual([
      {
        dedupKey: 'event-1',
        status: 'triggered',
        summary: 'Critical anomaly on device press-01',
        severity: 'critical',
        source: 'press-01',
      },
    ]);

    const closed = await enqueue({ routing_key: routingKey, event_action: 'resolve', dedup_key: 'event-1' });
    expect(closed.status).toBe(202);
    expect(server.pagerDuty.incidentsOf('acme').map((incident) => incident.status)).toEqual(['resolved']);
    expect(server.journal.requests({ method: 'POST', path: pagerDutyEventsPath })).toHaveLength(2);
  });

  test('a repeated trigger is deduplicated; each integration keeps its own incidents', async () => {
    const acme = server.pagerDuty.createIntegration('acme');
    const globex = server.pagerDuty.createIntegration('globex');
    expect(acme).toMatch(/^[0-9a-f]{32}$/);
    expect(globex).not.toBe(acme);
    expect(server.pagerDuty.createIntegration('acme')).toBe(acme);
    expect(registeredSecrets()).toContain(acme);
    await enqueue(trigger(acme, 'event-1'));
    await enqueue(trigger(acme, 'event-1'));
    await enqueue(trigger(globex, 'event-2'));
    expect(server.pagerDuty.incidentsOf('acme').map((incident) => incident.dedupKey)).toEqual(['event-1']);
    expect(server.pagerDuty.incidentsOf('globex').map((incident) => incident.dedupKey)).toEqual(['event-2']);
  });

  test('refuses malformed events with 400 and the reasons, as PagerDuty does', async () => {
    const routingKey = server.pagerDuty.createIntegration('acme');
    const cases: Array<[unknown, string]> = [
      ['{not json', 'The request body is not valid JSON.'],
      [{ ...trigger(routingKey, 'e'), payload: { source: 'x', severity: 'critical' } }, 'payload.summary'],
      [
        { ...trigger(routingKey, 'e'), payload: { summary: 's', source: 'x', severity: 'fatal' } },
        'payload.severity',
      ],
      [{ routing_key: routingKey, event_action: 'resolve' }, 'dedup_key'],
      [{ routing_key: routingKey, event_action: 'snooze', dedup_key: 'e' }, 'event_action'],
      [trigger('too-short', 'e'), 'routing_key must be the 32-character integration key'],
      [trigger('0123456789abcdef0123456789abcdef', 'e'), 'routing_key does not belong to any integration.'],
    ];
    for (const [body, reason] of cases) {
      const answer = await enqueue(body);
      expect(answer.status, reason).toBe(400);
      const refusal = (await answer.json()) as { status: string; errors: string[] };
      expect(refusal.status).toBe('invalid event');
      expect(refusal.errors.join(' '), reason).toContain(reason);
    }
    expect(server.pagerDuty.incidentsOf('acme')).toEqual([]);
  });

  test('names a missing integration label plainly', () => {
    expect(() => server.pagerDuty.routingKeyOf('nobody')).toThrow(
      'No PagerDuty integration is labelled "nobody"; create it with createIntegration.',
    );
  });
});

test.describe('the threat-intelligence mock', () => {
  const lookUp = (ip: string, apiKey?: string) =>
    fetch(`${server.threatIntel.baseUrl}/ip/${encodeURIComponent(ip)}`, {
      headers: apiKey ? { 'x-api-key': apiKey } : {},
    });

  test('answers the documented verdicts for the three documentation networks', async () => {
    const apiKey = server.threatIntel.issueApiKey('acme');
    const malicious = addressWith('malicious', 23);
    const answer = await lookUp(malicious, apiKey);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      ip: '203.0.113.23',
      reputation: 'malicious',
      score: 98,
      categories: ['malware-distribution'],
      country: 'BR',
      lastSeen: '2025-02-24T23:00:00Z',
    });
    expect(reputationOf(addressWith('suspicious', 7))).toMatchObject({ reputation: 'suspicious', score: 37 });
    expect(reputationOf(addressWith('clean', 12))).toMatchObject({
      reputation: 'clean',
      score: 2,
      categories: [],
    });
    expect(server.journal.requests({ path: server.threatIntel.lookupPath(malicious) })).toHaveLength(1);
  });

  test('every verdict stays in its score band', () => {
    for (let host = 1; host <= 254; host++) {
      const bands = [
        [reputationOf(addressWith('malicious', host))?.score, 75, 99],
        [reputationOf(addressWith('suspicious', host))?.score, 30, 69],
        [reputationOf(addressWith('clean', host))?.score, 0, 9],
      ] as const;
      for (const [score, low, high] of bands) {
        expect(score).toBeGreaterThanOrEqual(low);
        expect(score).toBeLessThanOrEqual(high);
      }
    }
  });

  test('has no record of other addresses (404), refuses bad keys (401) and non-addresses (400)', async () => {
    const apiKey = server.threatIntel.issueApiKey('acme');
    expect(reputationOf('10.1.2.3')).toBeNull();
    expect(reputationOf('203.0.113.999')).toBeNull();
    const unknown = await lookUp('10.1.2.3', apiKey);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not_found', message: 'There is no record of 10.1.2.3.' });
    expect((await lookUp(addressWith('malicious', 1))).status).toBe(401);
    expect((await lookUp(addressWith('malicious', 1), 'an-unissued-key')).status).toBe(401);
    expect((await lookUp('not-an-ip', apiKey)).status).toBe(400);
  });

  test('refuses host numbers outside a network', () => {
    expect(() => addressWith('clean', 0)).toThrow('addressWith needs a host number from 1 to 254 (got 0).');
    expect(() => addressWith('clean', 255)).toThrow(
      'addressWith needs a host number from 1 to 254 (got 255).',
    );
  });
});
