import { signInMigrations } from '../auth/sign-in-schema.ts';
import { complianceMigrations } from '../compliance/compliance-schema.ts';
import { producerCredentialMigrations } from '../streaming/producer-credentials-schema.ts';
import { operationsMigrations } from './operations-schema.ts';
import { setAsideMigrations } from './set-aside-schema.ts';
import { tenantCondition, tenantRowSecurity } from './tenant-row-security.ts';

/**
 * The schema as an ordered list of migrations. Each one runs once, in order, inside the
 * start-up transaction; the SQL lives in the bundle so the server needs no files beside it.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The tables of migrations 2-3 that hold one tenant's data; migration 3 gives each the same
 * row-level security policy. Frozen: it is part of migration 3's SQL, which has shipped.
 */
export const tenantTables = [
  'users',
  'sessions',
  'api_keys',
  'datasets',
  'dataset_rows',
  'jobs',
  'experiments',
  'runs',
  'run_results',
  'model_versions',
  'audit_log',
] as const;

const roles = `
DO $$
BEGIN
  CREATE ROLE platform_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- The owner must be able to SET ROLE platform_app; a superuser can anyway, and a grant it
-- cannot make (another owner created the role) is reported at the first tenant query instead.
DO $$
BEGIN
  EXECUTE format('GRANT platform_app TO %I', current_user);
EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN NULL;
END $$;
`;

const tables = `
CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  integrations jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('tenant_admin', 'data_scientist', 'ml_engineer', 'security_analyst', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, lower(email));

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  columns jsonb NOT NULL,
  label_column text,
  row_count integer NOT NULL,
  profile jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL
);
CREATE INDEX datasets_tenant ON datasets (tenant_id, seq);

-- One row per data row; cells keep their types (number, boolean, text or null).
CREATE TABLE dataset_rows (
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  row_no integer NOT NULL,
  cells jsonb NOT NULL,
  PRIMARY KEY (dataset_id, row_no)
);

CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('experiment', 'run')),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  progress real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  error text,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  seq bigserial NOT NULL
);
CREATE INDEX jobs_unfinished ON jobs (seq) WHERE state IN ('queued', 'running');

CREATE TABLE experiments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  name text NOT NULL,
  seed integer NOT NULL,
  job_id uuid NOT NULL REFERENCES jobs (id),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL
);
CREATE INDEX experiments_tenant ON experiments (tenant_id, seq);

CREATE TABLE runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  experiment_id uuid NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  job_id uuid NOT NULL REFERENCES jobs (id),
  algorithm text NOT NULL,
  params jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  error text,
  metrics jsonb,
  anomalies integer,
  anomaly_rate double precision,
  threshold double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  seq bigserial NOT NULL
);
CREATE INDEX runs_experiment ON runs (experiment_id, seq);

-- Per-row results of a run, in data-row order (index 0 is data row 1).
CREATE TABLE run_results (
  run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  scores double precision[] NOT NULL,
  flags boolean[] NOT NULL
);

CREATE TABLE model_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  version integer NOT NULL,
  stage text NOT NULL DEFAULT 'development' CHECK (stage IN ('development', 'staging', 'production', 'archived')),
  source_run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
  algorithm text NOT NULL,
  params jsonb NOT NULL,
  metrics jsonb,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name, version)
);

-- Kept when a tenant is purged (no foreign key): the audit trail outlives the data it describes.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id uuid,
  actor_email text,
  action text NOT NULL,
  target_type text,
  target_id text,
  ip text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
`;

const rowLevelSecurity = `
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants TO platform_app
  USING (id = ${tenantCondition});
${tenantTables
  .map(
    (table) => `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${table} TO platform_app
  USING (tenant_id = ${tenantCondition})
  WITH CHECK (tenant_id = ${tenantCondition});`,
  )
  .join('\n')}

-- The schema owner does the work that has no tenant yet (admin API, finding a session or
-- an API key by its hash); FORCE would otherwise hide every row from it too.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', ${tenantTables.map((table) => `'${table}'`).join(', ')}] LOOP
    EXECUTE format('CREATE POLICY schema_owner ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END $$;

GRANT USAGE ON SCHEMA public TO platform_app;
GRANT SELECT ON tenants TO platform_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, api_keys, datasets, dataset_rows, jobs,
  experiments, runs, run_results, model_versions TO platform_app;
GRANT SELECT, INSERT ON audit_log TO platform_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO platform_app;
`;

// Rows in chunks of up to 5,000 per database row (a JSON array of rows): uploads and reads of
// large datasets take a few dozen statements instead of one per row. Existing rows move over.
const datasetChunks = `
CREATE TABLE dataset_chunks (
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  chunk_no integer NOT NULL,
  first_row integer NOT NULL,
  cells jsonb NOT NULL,
  PRIMARY KEY (dataset_id, chunk_no)
);
INSERT INTO dataset_chunks (dataset_id, tenant_id, chunk_no, first_row, cells)
  SELECT dataset_id, tenant_id, (row_no - 1) / 5000, min(row_no), jsonb_agg(cells ORDER BY row_no)
    FROM dataset_rows GROUP BY dataset_id, tenant_id, (row_no - 1) / 5000;
DROP TABLE dataset_rows;

${tenantRowSecurity('dataset_chunks')}
GRANT SELECT, INSERT, UPDATE, DELETE ON dataset_chunks TO platform_app;
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'roles', sql: roles },
  { version: 2, name: 'tables', sql: tables },
  { version: 3, name: 'row-level security', sql: rowLevelSecurity },
  ...operationsMigrations,
  { version: 6, name: 'dataset rows in chunks', sql: datasetChunks },
  ...complianceMigrations,
  ...setAsideMigrations,
  ...producerCredentialMigrations,
  ...signInMigrations,
];
