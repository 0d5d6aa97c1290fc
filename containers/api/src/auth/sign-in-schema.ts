import type { Migration } from '../db/schema.ts';
import { tenantRowSecurity } from '../db/tenant-row-security.ts';

/**
 * Who a member is at the identity provider, and the sign-ins under way.
 *
 * A member is bound to the provider's (issuer, subject) at their first sign-in: the email alone
 * would let any second account at the provider that claims the same address sign in as them.
 * Existing members get their binding at their next sign-in.
 *
 * A sign-in under way (state, nonce, PKCE verifier) lives here instead of in a cookie alone, so
 * it can be used once and expire: a cookie cannot remember that it was already used.
 */
const signInIdentity = `
ALTER TABLE users ADD COLUMN idp_issuer text, ADD COLUMN idp_subject text;
CREATE UNIQUE INDEX users_idp_identity ON users (tenant_id, idp_issuer, idp_subject)
  WHERE idp_subject IS NOT NULL;

CREATE TABLE sign_in_states (
  state_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX sign_in_states_expiry ON sign_in_states (expires_at);

${tenantRowSecurity('sign_in_states')}
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_states TO platform_app;
`;

export const signInMigrations: readonly Migration[] = [
  { version: 11, name: 'sign-in identity and states', sql: signInIdentity },
];
