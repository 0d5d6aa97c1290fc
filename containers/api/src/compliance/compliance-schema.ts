import type { Migration } from '../db/schema.ts';
import { tenantRowSecurity } from '../db/tenant-row-security.ts';

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
${tenantRowSecurity('retention_policies')}
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

/**
 * A secret per tenant that keys the erased-email hash, made by the database for every tenant that
 * exists and every one created later. Only the schema owner may read it (row-level security with
 * no policy for the app role, and no grant). The hashes stored unkeyed until now are keyed in
 * place: HMAC-SHA256 written out in PL/pgSQL, as core PostgreSQL has none, in a temporary function.
 */
const erasureKeys = `
CREATE TABLE tenant_erasure_keys (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  -- Two random UUIDs (pg_strong_random, 244 random bits) through SHA-256: 32 bytes of key.
  secret bytea NOT NULL DEFAULT sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_erasure_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_erasure_keys FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  EXECUTE format('CREATE POLICY schema_owner ON tenant_erasure_keys TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
INSERT INTO tenant_erasure_keys (tenant_id) SELECT id FROM tenants;

CREATE FUNCTION tenant_erasure_key_create() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO tenant_erasure_keys (tenant_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenant_erasure_key_create() FROM PUBLIC;
CREATE TRIGGER tenants_erasure_key AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION tenant_erasure_key_create();

CREATE FUNCTION pg_temp.hmac_sha256(key bytea, message bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
  block bytea := key || decode(repeat('00', 64 - length(key)), 'hex');
  inner_pad bytea := decode(repeat('36', 64), 'hex');
  outer_pad bytea := decode(repeat('5c', 64), 'hex');
BEGIN
  FOR i IN 0..63 LOOP
    inner_pad := set_byte(inner_pad, i, get_byte(block, i) # 54);
    outer_pad := set_byte(outer_pad, i, get_byte(block, i) # 92);
  END LOOP;
  RETURN sha256(outer_pad || sha256(inner_pad || message));
END $$;
UPDATE users SET erased_email_hash = encode(pg_temp.hmac_sha256(keys.secret, convert_to(users.erased_email_hash, 'UTF8')), 'hex')
  FROM tenant_erasure_keys keys
 WHERE keys.tenant_id = users.tenant_id AND users.erased_email_hash IS NOT NULL;
DROP FUNCTION pg_temp.hmac_sha256(bytea, bytea);
`;

export const complianceMigrations: readonly Migration[] = [
  { version: 7, name: 'retention policies and erasure', sql: compliance },
  { version: 8, name: 'keyed erased-email hashes', sql: erasureKeys },
];
