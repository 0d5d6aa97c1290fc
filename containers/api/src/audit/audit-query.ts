import { z } from 'zod';
import { type AuditExportColumn, auditExportColumns } from '../compliance/role-fields.ts';
import type { Db } from '../db/pool.ts';
import { csvLine } from '../exports/csv-cells.ts';
import { isUuid } from '../http/validation.ts';

/** A time bound: an ISO date-time, or a plain date (midnight UTC). */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'use an ISO date or date-time such as 2025-03-01 or 2025-03-01T08:00:00Z',
});

export const auditFilterSchema = z.object({
  /** The actor's email (any case) or user id. */
  actor: z.string().trim().max(320).optional(),
  /** One action, or several separated by commas. */
  action: z.string().trim().max(500).optional(),
  outcome: z
    .enum(['success', 'failure', 'denied'], { error: 'outcome must be success, failure or denied' })
    .optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface AuditRecord {
  id: number;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  outcome: 'success' | 'failure' | 'denied';
  details: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  outcome: AuditRecord['outcome'];
  details: Record<string, unknown>;
}

const toRecord = (row: AuditRow): AuditRecord => ({
  id: Number(row.id),
  at: row.at.toISOString(),
  actorId: row.actor_id,
  actorEmail: row.actor_email,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  ip: row.ip,
  outcome: row.outcome,
  details: row.details,
});

function whereClause(tenantId: string, filter: Omit<AuditFilter, 'limit' | 'offset'>) {
  const conditions = ['tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (filter.actor) {
    if (isUuid(filter.actor)) add((p) => `actor_id = ${p}::uuid`, filter.actor);
    else add((p) => `lower(actor_email) = lower(${p})`, filter.actor);
  }
  if (filter.action) {
    const actions = filter.action
      .split(',')
      .map((action) => action.trim())
      .filter(Boolean);
    if (actions.length > 0) add((p) => `action = ANY(${p}::text[])`, actions);
  }
  if (filter.outcome) add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.from) add((p) => `at >= ${p}::timestamptz`, filter.from);
  // Entries are shown to the millisecond and stored to the microsecond: `to` covers its whole millisecond.
  if (filter.to) add((p) => `at < ${p}::timestamptz + interval '1 millisecond'`, filter.to);
  return { where: conditions.join(' AND '), params };
}

const columns = 'id, at, actor_id, actor_email, action, target_type, target_id, ip, outcome, details';

/** Newest first. */
export async function queryAudit(
  db: Db,
  tenantId: string,
  filter: AuditFilter,
): Promise<{ items: AuditRecord[]; total: number }> {
  const { where, params } = whereClause(tenantId, filter);
  const [items, total] = await Promise.all([
    db.query<AuditRow>(
      `SELECT ${columns} FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM audit_log WHERE ${where}`, params),
  ]);
  return { items: items.rows.map(toRecord), total: total.rows[0]?.total ?? 0 };
}

export async function findAuditRecord(db: Db, tenantId: string, id: number): Promise<AuditRecord | null> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${columns} FROM audit_log WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Most rows one export holds; narrow the filter for more. */
export const exportLimit = 50_000;

export const auditCsvHeader = auditExportColumns;

/** The filtered entries as CSV, newest first, text cells neutralised against formula injection. */
export async function exportAuditCsv(
  db: Db,
  tenantId: string,
  filter: Omit<AuditFilter, 'limit' | 'offset'>,
  columns: readonly AuditExportColumn[] = auditExportColumns,
): Promise<string> {
  const { where, params } = whereClause(tenantId, filter);
  const { rows } = await db.query<AuditRow>(
    `SELECT ${columns} FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT ${exportLimit}`,
    params,
  );
  let csv = csvLine([...columns]);
  for (const record of rows.map(toRecord)) {
    const cells: Record<AuditExportColumn, string | number | null> = {
      id: record.id,
      at: record.at,
      actor_email: record.actorEmail,
      actor_id: record.actorId,
      action: record.action,
      target_type: record.targetType,
      target_id: record.targetId,
      ip: record.ip,
      outcome: record.outcome,
      details: JSON.stringify(record.details),
    };
    csv += csvLine(columns.map((column) => cells[column]));
  }
  return csv;
}
