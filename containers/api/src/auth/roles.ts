/**
 * The permission matrix of the platform, as one table so it can be read and tested at a glance.
 * `datasets` covers datasets, detectors and experiments.
 */
export const roles = ['tenant_admin', 'data_scientist', 'ml_engineer', 'security_analyst', 'viewer'] as const;
export type Role = (typeof roles)[number];

export type Resource = 'datasets' | 'models' | 'deployments' | 'streaming' | 'alerts' | 'audit' | 'admin';
export type Action = 'read' | 'write';
type Access = 'none' | 'read' | 'write';

const matrix: Record<Resource, Record<Role, Access>> = {
  datasets: {
    data_scientist: 'write',
    ml_engineer: 'read',
    security_analyst: 'read',
    viewer: 'read',
    tenant_admin: 'write',
  },
  models: {
    data_scientist: 'write',
    ml_engineer: 'write',
    security_analyst: 'read',
    viewer: 'read',
    tenant_admin: 'write',
  },
  deployments: {
    data_scientist: 'read',
    ml_engineer: 'write',
    security_analyst: 'read',
    viewer: 'read',
    tenant_admin: 'write',
  },
  streaming: {
    data_scientist: 'read',
    ml_engineer: 'write',
    security_analyst: 'read',
    viewer: 'read',
    tenant_admin: 'write',
  },
  alerts: {
    data_scientist: 'read',
    ml_engineer: 'read',
    security_analyst: 'write',
    viewer: 'read',
    tenant_admin: 'write',
  },
  audit: {
    data_scientist: 'none',
    ml_engineer: 'none',
    security_analyst: 'read',
    viewer: 'none',
    tenant_admin: 'read',
  },
  admin: {
    data_scientist: 'none',
    ml_engineer: 'none',
    security_analyst: 'none',
    viewer: 'none',
    tenant_admin: 'write',
  },
};

export function can(role: Role, resource: Resource, action: Action): boolean {
  const access = matrix[resource][role];
  return action === 'read' ? access !== 'none' : access === 'write';
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
