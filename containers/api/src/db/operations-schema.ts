import type { Migration } from './schema.ts';
import { tenantCondition } from './tenant-row-security.ts';

/**
 * The schema of the operational side: deployments and their scoring traffic, streaming
 * sessions and their events, anomaly events with their activity, alert rules and fired alerts.
 * Appended to the platform's migration list; the same row-level security as every tenant table.
 */
export const operationsTables = [
  'deployments',
  'deployment_requests',
  'stream_sessions',
  'stream_events',
  'anomaly_events',
  'anomaly_event_activity',
  'alert_rules',
  'alerts',
] as const;

const tables = `
CREATE TABLE deployments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  environment text NOT NULL CHECK (environment IN ('staging', 'production')),
  model_version_id uuid NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
  model_name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('deploy', 'promotion', 'rollback')),
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'deploying', 'deployed', 'failed', 'superseded', 'rolling_back', 'rolled_back')),
  rollback_version_id uuid REFERENCES model_versions (id) ON DELETE SET NULL,
  promoted_from_id uuid REFERENCES deployments (id) ON DELETE SET NULL,
  rolls_back_id uuid REFERENCES deployments (id) ON DELETE SET NULL,
  approval_note text,
  failure_reason text,
  rollback_reason text,
  rolled_back_by uuid REFERENCES users (id) ON DELETE SET NULL,
  rolled_back_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deployed_at timestamptz,
  retired_at timestamptz,
  seq bigserial NOT NULL
);
CREATE INDEX deployments_tenant ON deployments (tenant_id, seq);
-- One serving deployment per model and environment (a rollback in progress still serves), and
-- one release in flight: the database settles races between two deployers.
CREATE UNIQUE INDEX deployments_serving ON deployments (tenant_id, model_name, environment)
  WHERE state IN ('deployed', 'rolling_back');
CREATE UNIQUE INDEX deployments_in_flight ON deployments (tenant_id, model_name, environment)
  WHERE state IN ('pending', 'deploying');

-- Scoring requests a deployment answered: the health gate reads error rate and latency from here.
CREATE TABLE deployment_requests (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  rows integer NOT NULL,
  latency_ms double precision NOT NULL,
  ok boolean NOT NULL,
  error text
);
CREATE INDEX deployment_requests_recent ON deployment_requests (deployment_id, at);

CREATE TABLE stream_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  model_name text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'paused', 'stopped', 'error')),
  error text,
  received bigint NOT NULL DEFAULT 0,
  scored bigint NOT NULL DEFAULT 0,
  anomalies bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  stopped_at timestamptz,
  last_event_at timestamptz,
  seq bigserial NOT NULL
);
CREATE INDEX stream_sessions_tenant ON stream_sessions (tenant_id, seq);

-- Every event a session received, once: the key makes a redelivered event a no-op.
CREATE TABLE stream_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES stream_sessions (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  scored_at timestamptz,
  readings jsonb NOT NULL,
  score double precision,
  anomaly boolean,
  -- Plain ids (no foreign keys): written thousands of times a second, read for provenance only.
  deployment_id uuid,
  model_version_id uuid,
  device_id text,
  source_ip text,
  seq bigserial NOT NULL,
  PRIMARY KEY (session_id, event_id)
);
CREATE INDEX stream_events_scored ON stream_events (session_id, scored_at);
CREATE INDEX stream_events_unscored ON stream_events (session_id, seq) WHERE scored_at IS NULL;

CREATE TABLE anomaly_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES stream_sessions (id) ON DELETE CASCADE,
  stream_event_id text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved', 'ignored')),
  score double precision NOT NULL,
  threshold double precision NOT NULL,
  distance double precision NOT NULL,
  contributions jsonb NOT NULL,
  readings jsonb NOT NULL,
  device_id text,
  source_ip text,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deployment_id uuid,
  model_version_id uuid,
  escalated_at timestamptz,
  enrichment jsonb,
  enriched_at timestamptz,
  seq bigserial NOT NULL,
  UNIQUE (session_id, stream_event_id)
);
CREATE INDEX anomaly_events_tenant ON anomaly_events (tenant_id, seq);

-- Who did what to an event, and when: the event's timeline.
CREATE TABLE anomaly_event_activity (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES anomaly_events (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
  actor_name text,
  actor_email text,
  action text NOT NULL CHECK (action IN ('acknowledged', 'escalated', 'enriched', 'resolved', 'ignored', 'noted')),
  note text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX anomaly_event_activity_event ON anomaly_event_activity (event_id, id);

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES stream_sessions (id) ON DELETE CASCADE,
  name text NOT NULL,
  threshold double precision NOT NULL CHECK (threshold >= 0 AND threshold < 1),
  window_seconds integer NOT NULL CHECK (window_seconds BETWEEN 5 AND 86400),
  min_events integer NOT NULL CHECK (min_events >= 1),
  firing boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL
);
CREATE INDEX alert_rules_session ON alert_rules (session_id, seq);

CREATE TABLE alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES stream_sessions (id) ON DELETE CASCADE,
  fired_at timestamptz NOT NULL DEFAULT now(),
  anomaly_rate double precision NOT NULL,
  events integer NOT NULL,
  anomalies integer NOT NULL,
  window_seconds integer NOT NULL,
  threshold double precision NOT NULL,
  notification text NOT NULL DEFAULT 'pending'
    CHECK (notification IN ('pending', 'sent', 'failed', 'not_configured')),
  notification_error text,
  seq bigserial NOT NULL
);
CREATE INDEX alerts_tenant ON alerts (tenant_id, seq);
`;

const rowLevelSecurity = `
${operationsTables
  .map(
    (table) => `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${table} TO platform_app
  USING (tenant_id = ${tenantCondition})
  WITH CHECK (tenant_id = ${tenantCondition});`,
  )
  .join('\n')}

-- The schema owner finds work across tenants (which sessions an MQTT topic names, which
-- deployments to resume after a restart); FORCE would otherwise hide those rows from it too.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[${operationsTables.map((table) => `'${table}'`).join(', ')}] LOOP
    EXECUTE format('CREATE POLICY schema_owner ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON ${operationsTables.join(', ')} TO platform_app;
-- Activity is a record of what people did: it is added to, never rewritten.
REVOKE UPDATE ON anomaly_event_activity FROM platform_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO platform_app;
`;

export const operationsMigrations: readonly Migration[] = [
  { version: 4, name: 'deployments, streaming, events and alerts', sql: tables },
  { version: 5, name: 'row-level security for operations', sql: rowLevelSecurity },
];
