import { can, type Role } from '../auth/roles.ts';

/**
 * Which fields each role's exports carry. People who act on events (security analysts, tenant
 * admins) need where an event came from and what was said about it; everyone else reads
 * events to follow the models, so their exports leave out what points at people: source IPs,
 * notes, and who wrote them. The audit log is read only by analysts and admins, who both see
 * every field: investigating needs the actor and the address.
 */
export const eventExportColumns = [
  'id',
  'stream_event_id',
  'session_id',
  'occurred_at',
  'severity',
  'status',
  'score',
  'threshold',
  'device_id',
  'source_ip',
  'notes',
] as const;
export type EventExportColumn = (typeof eventExportColumns)[number];

const personalEventColumns: ReadonlySet<EventExportColumn> = new Set(['source_ip', 'notes']);

export function eventExportColumnsFor(role: Role): EventExportColumn[] {
  return can(role, 'alerts', 'write')
    ? [...eventExportColumns]
    : eventExportColumns.filter((column) => !personalEventColumns.has(column));
}

export const auditExportColumns = [
  'id',
  'at',
  'actor_email',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'ip',
  'outcome',
  'details',
] as const;
export type AuditExportColumn = (typeof auditExportColumns)[number];

/** Only roles that may read the audit log get here; both see every column. */
export function auditExportColumnsFor(role: Role): AuditExportColumn[] {
  return can(role, 'audit', 'read') ? [...auditExportColumns] : [];
}
