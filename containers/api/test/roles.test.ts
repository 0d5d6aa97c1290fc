import { expect, test } from '@playwright/test';
import { type Action, can, type Resource, roles } from '../src/auth/roles.ts';

/** The matrix of PLATFORM.md, written out as text so a change to either is visible in review. */
const expected: Record<Resource, string> = {
  //            data_scientist ml_engineer security_analyst viewer tenant_admin
  datasets: 'W R R R W',
  models: 'W W R R W',
  deployments: 'R W R R W',
  streaming: 'R W R R W',
  alerts: 'R R W R W',
  audit: '- - R - R',
  admin: '- - - - W',
};
const order = ['data_scientist', 'ml_engineer', 'security_analyst', 'viewer', 'tenant_admin'] as const;

test('every role has exactly the access the permission matrix gives it', () => {
  expect([...roles].sort()).toEqual([...order].sort());
  for (const [resource, row] of Object.entries(expected) as [Resource, string][]) {
    const cells = row.split(' ');
    order.forEach((role, index) => {
      const cell = cells[index];
      const access = (action: Action) => can(role, resource, action);
      expect({ role, resource, read: access('read'), write: access('write') }).toEqual({
        role,
        resource,
        read: cell !== '-',
        write: cell === 'W',
      });
    });
  }
});
