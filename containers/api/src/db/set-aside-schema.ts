import type { Migration } from './schema.ts';
import { tenantRowSecurity } from './tenant-row-security.ts';

/**
 * Events a session could not store (a dead-letter table): the payload as received, why it was set
 * aside, and how often it arrived. One row per distinct payload and session, so a retained or
 * redelivered poison event is listed once however often the broker brings it back; the session
 * counts each distinct one once, next to its other counters.
 */
const setAside = `
CREATE TABLE stream_set_aside_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES stream_sessions (id) ON DELETE CASCADE,
  payload_sha256 bytea NOT NULL,
  -- As sent, control characters written as \\uXXXX; null when the payload names none readable.
  event_id text,
  reason text NOT NULL,
  -- The first bytes as received (bytea: a poison payload may hold what text cannot).
  payload bytea NOT NULL,
  payload_bytes integer NOT NULL,
  times_seen integer NOT NULL DEFAULT 1,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial NOT NULL,
  UNIQUE (session_id, payload_sha256)
);
CREATE INDEX stream_set_aside_events_session ON stream_set_aside_events (session_id, seq);

ALTER TABLE stream_sessions ADD COLUMN set_aside bigint NOT NULL DEFAULT 0;

${tenantRowSecurity('stream_set_aside_events')}
GRANT SELECT, INSERT, UPDATE ON stream_set_aside_events TO platform_app;
GRANT USAGE ON SEQUENCE stream_set_aside_events_seq_seq TO platform_app;
`;

export const setAsideMigrations: readonly Migration[] = [
  { version: 9, name: 'set-aside stream events', sql: setAside },
];
