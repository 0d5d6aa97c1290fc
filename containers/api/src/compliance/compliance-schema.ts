import type { Migration } from '../db/schema.ts';

const tenantCondition = `nullif(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Retention policies, erased users, and the one change the audit log accepts: replacing a
 * person's identity with their pseudonym inside an erasure. Everything else about an entry (id,
 * time, action, target, outcome, IP) stays as written, so the trail keeps every entry in order.
 */
const compliance = `
CREATE TABLE retention_policies (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  events_days integer CHECK (events_days BETWEEN 1 AND 36500),
  datasets_days integer CHECK (datasets_days BETWEEN 1 AND 36500),
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE retention_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON retention_policies TO platform_app
  USING (tenant_id = ${tenantCondition})
  WITH CHECK (tenant_id = ${tenantCondition});
DO $$
BEGIN
  EXECUTE format('CREATE POLICY schema_owner ON retention_policies TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE ON retention_policies TO platform_app;

-- An erased user keeps their row (ids in the audit log and elsewhere still point at it) under a
-- pseudonym; the hash of the old sign-in email only lets sign-in say why it refuses.
ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE users ADD COLUMN erased_email_hash text;
CREATE INDEX users_erased_email ON users (tenant_id, erased_email_hash) WHERE erased_email_hash IS NOT NULL;

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE pseudonym text := nullif(current_setting('app.erasure_pseudonym', true), '');
BEGIN
  IF TG_OP = 'UPDATE' AND pseudonym IS NOT NULL
     AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.at = OLD.at
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.action = OLD.action
     AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
     AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
     AND NEW.ip IS NOT DISTINCT FROM OLD.ip AND NEW.outcome = OLD.outcome
     AND (NEW.actor_email IS NOT DISTINCT FROM OLD.actor_email OR NEW.actor_email = pseudonym) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
`;

export const complianceMigrations: readonly Migration[] = [
  { version: 7, name: 'retention policies and erasure', sql: compliance },
];
