import { expect, test } from '@playwright/test';
import { auditLogLines } from '../../fixtures/compliance/log-audit.ts';
import { logFields } from '../../fixtures/platform-profile.ts';

const API_KEY = `jk_${'q7Wm2'.repeat(8)}x1y`;
const request = (address: string) =>
  `{"msg":"request","${logFields.clientAddress}":"${address}","status":200}`;

test.describe('auditLogLines', () => {
  test('counts API-key-shaped values, session ids and clear emails, never a masked key or email', () => {
    const lines = [
      `{"msg":"key created","key":"${API_KEY}"}`,
      '{"msg":"key shown","key":"jk_q7Wm2x"}',
      '{"msg":"signed in","sid":"s-123456"}',
      '{"msg":"invited","email":"ada@example.com"}',
      '{"msg":"invited","email":"ad***@example.com"}',
    ];
    expect(auditLogLines(lines, ['s-123456'])).toEqual({
      registeredSecrets: 0,
      apiKeys: 1,
      sessionIds: 1,
      emails: 1,
      fullAddresses: 0,
    });
  });

  test("counts request lines whose client address (the profile's log field) is not narrowed", () => {
    const lines = [request('203.0.113.0/24'), request('2001:db8::/48'), request('203.0.113.7')];
    expect(auditLogLines(lines).fullAddresses).toBe(1);
    // Another field holding a full address is not the client address the platform narrows.
    expect(auditLogLines(['{"msg":"x","peer":"203.0.113.7"}']).fullAddresses).toBe(0);
  });
});
