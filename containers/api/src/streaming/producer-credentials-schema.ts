import type { Migration } from '../db/schema.ts';
import { tenantRowSecurity } from '../db/tenant-row-security.ts';

/**
 * Producer credentials: the broker user a tenant's sensors connect as. Only the secret's digest is
 * stored; a revoked credential stays listed (who had access, and until when) but connects no more.
 */
const producerCredentials = `
CREATE TABLE producer_credentials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  secret_hash text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX producer_credentials_tenant ON producer_credentials (tenant_id, created_at);

${tenantRowSecurity('producer_credentials')}
GRANT SELECT, INSERT, UPDATE ON producer_credentials TO platform_app;
`;

export const producerCredentialMigrations: readonly Migration[] = [
  { version: 10, name: 'producer credentials', sql: producerCredentials },
];
