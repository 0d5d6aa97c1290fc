import type { Role } from '../auth/roles.ts';
import type { Db } from '../db/pool.ts';
import { type CsvValue, csvLine } from '../exports/csv-cells.ts';
import { type EventExportColumn, eventExportColumnsFor } from './role-fields.ts';

/** Most events one export holds, newest first. */
export const eventExportLimit = 50_000;

interface ExportRow {
  id: string;
  stream_event_id: string;
  session_id: string;
  occurred_at: Date;
  severity: string;
  status: string;
  score: number;
  threshold: number;
  device_id: string | null;
  source_ip: string | null;
  notes: string | null;
}

/**
 * The tenant's anomaly events as CSV with the columns the caller's role may see. Notes are
 * joined oldest first as "<time> <author>: <note>"; they are only read for roles that get them.
 */
export async function exportEventsCsv(db: Db, tenantId: string, role: Role): Promise<string> {
  const columns = eventExportColumnsFor(role);
  const withNotes = columns.includes('notes');
  const { rows } = await db.query<ExportRow>(
    `SELECT e.id, e.stream_event_id, e.session_id, e.occurred_at, e.severity, e.status, e.score, e.threshold,
            e.device_id, e.source_ip,
            ${
              withNotes
                ? `(SELECT string_agg(to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' ' ||
                                       coalesce(a.actor_email, 'platform') || ': ' || a.note, E'\\n' ORDER BY a.at, a.id)
                     FROM anomaly_event_activity a WHERE a.event_id = e.id AND a.note IS NOT NULL)`
                : 'NULL'
            } AS notes
       FROM anomaly_events e WHERE e.tenant_id = $1 ORDER BY e.seq DESC LIMIT ${eventExportLimit}`,
    [tenantId],
  );
  const value = (row: ExportRow, column: EventExportColumn): CsvValue =>
    column === 'occurred_at' ? row.occurred_at.toISOString() : row[column];
  let csv = csvLine(columns);
  for (const row of rows) csv += csvLine(columns.map((column) => value(row, column)));
  return csv;
}
