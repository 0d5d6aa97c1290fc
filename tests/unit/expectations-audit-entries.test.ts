import { expect, test } from '@playwright/test';
import { auditExpect } from '../../fixtures/expectations/audit-entries.ts';
import type { AuditRecord } from '../../fixtures/personas/security-analyst.ts';
import { failureMessage } from './failure-message.ts';

const entry = (id: number, fields: Partial<AuditRecord>): AuditRecord => ({
  id,
  at: '2025-03-01T08:00:00.000Z',
  actorId: null,
  actorEmail: 'dana@acme.example.test',
  action: 'deployment.deploy',
  targetType: null,
  targetId: null,
  ip: null,
  outcome: 'success',
  details: {},
  ...fields,
});

const log = [
  entry(12, { action: 'deployment.rollback', details: { reason: 'v2 flags start-ups', version: 1 } }),
  entry(11, { action: 'deployment.promote' }),
  entry(10, { action: 'auth.sign_in', actorEmail: 'ex@acme.example.test', outcome: 'failure' }),
];

test.describe('toHaveAuditEntry', () => {
  test('passes on the listed fields and details, whatever the others hold', () => {
    auditExpect(log).toHaveAuditEntry({
      action: 'deployment.rollback',
      details: { reason: 'v2 flags start-ups' },
    });
    auditExpect(log).toHaveAuditEntry({ actorEmail: 'dana@acme.example.test' }, { times: 2 });
    auditExpect(log).toHaveAuditEntry({ outcome: 'failure', details: {} }, { times: 1 });
    auditExpect(log).not.toHaveAuditEntry({ action: 'audit.delete' });
  });

  test('fails naming the closest entry and each field that differs, expected against received', () => {
    const message = failureMessage(() =>
      auditExpect(log).toHaveAuditEntry({
        action: 'deployment.rollback',
        actorEmail: 'sam@acme.example.test',
        details: { reason: 'v2 is slow' },
      }),
    );
    expect(message).toBe(
      'Expected an audit entry with {"action":"deployment.rollback","actorEmail":"sam@acme.example.test","details":{"reason":"v2 is slow"}}, but none of the 3 entries has it; the closest, entry 12 (deployment.rollback by dana@acme.example.test), differs in actorEmail: expected "sam@acme.example.test", received "dana@acme.example.test"; details.reason: expected "v2 is slow", received "v2 flags start-ups".',
    );
  });

  test('fails on a count other than times, naming the entries that matched', () => {
    expect(
      failureMessage(() => auditExpect(log).toHaveAuditEntry({ outcome: 'success' }, { times: 1 })),
    ).toBe(
      'Expected exactly 1 audit entry with {"outcome":"success"}, but 2 match: entry 12 (deployment.rollback by dana@acme.example.test), entry 11 (deployment.promote by dana@acme.example.test).',
    );
    expect(failureMessage(() => auditExpect([]).toHaveAuditEntry({ action: 'auth.sign_in' }))).toBe(
      'Expected an audit entry with {"action":"auth.sign_in"}, but the audit log is empty.',
    );
  });

  test('fails under .not naming the entry that has it', () => {
    expect(
      failureMessage(() => auditExpect(log).not.toHaveAuditEntry({ action: 'deployment.promote' })),
    ).toBe(
      'Expected no audit entry with {"action":"deployment.promote"}, but entry 11 (deployment.promote by dana@acme.example.test) has it.',
    );
  });
});
