import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { Db } from '../db/pool.ts';

const days = z
  .number({ error: 'use a whole number of days from 1 to 36500, or null to keep forever' })
  .int('use a whole number of days')
  .min(1, 'keep data at least 1 day, or send null to keep it forever')
  .max(36_500, 'use at most 36500 days, or null to keep forever')
  .nullable();

/** How long each kind of data is kept, in days; null (or absent) keeps it forever. */
export const retentionPolicySchema = z.strictObject({
  eventsDays: days.default(null),
  datasetsDays: days.default(null),
});
export type RetentionSettings = z.infer<typeof retentionPolicySchema>;

export interface RetentionPolicy extends RetentionSettings {
  updatedAt: string | null;
  updatedBy: string | null;
}

interface PolicyRow {
  tenant_id: string;
  events_days: number | null;
  datasets_days: number | null;
  updated_at: Date;
  updated_by: string | null;
}

const toPolicy = (row: PolicyRow | undefined): RetentionPolicy => ({
  eventsDays: row?.events_days ?? null,
  datasetsDays: row?.datasets_days ?? null,
  updatedAt: row?.updated_at.toISOString() ?? null,
  updatedBy: row?.updated_by ?? null,
});

/** A tenant that never set a policy keeps everything. */
export async function readRetentionPolicy(db: Db, tenantId: string): Promise<RetentionPolicy> {
  const { rows } = await db.query<PolicyRow>('SELECT * FROM retention_policies WHERE tenant_id = $1', [
    tenantId,
  ]);
  return toPolicy(rows[0]);
}

export async function saveRetentionPolicy(
  db: Db,
  tenantId: string,
  settings: RetentionSettings,
  updatedBy: string,
): Promise<RetentionPolicy> {
  const { rows } = await db.query<PolicyRow>(
    `INSERT INTO retention_policies (tenant_id, events_days, datasets_days, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (tenant_id) DO UPDATE
       SET events_days = EXCLUDED.events_days, datasets_days = EXCLUDED.datasets_days,
           updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [tenantId, settings.eventsDays, settings.datasetsDays, updatedBy],
  );
  return toPolicy(rows[0]);
}

/** A tenant admin's change of the policy, from the API or the page: saved and audited with before and after. */
export async function changeRetentionPolicy(
  db: Db,
  principal: Principal,
  settings: RetentionSettings,
  ip: string,
): Promise<RetentionPolicy> {
  const tenantId = principal.tenant.id;
  const before = await readRetentionPolicy(db, tenantId);
  const saved = await saveRetentionPolicy(db, tenantId, settings, principal.userId);
  await recordAudit(db, tenantId, {
    action: 'settings.retention',
    outcome: 'success',
    actorId: principal.userId,
    actorEmail: principal.email,
    targetType: 'retention_policy',
    targetId: tenantId,
    ip,
    details: {
      before: { eventsDays: before.eventsDays, datasetsDays: before.datasetsDays },
      after: settings,
    },
  });
  return saved;
}

/** Every tenant with something to purge: at least one limit set. */
export async function tenantsWithRetention(
  db: Db,
): Promise<{ tenantId: string; settings: RetentionSettings }[]> {
  const { rows } = await db.query<PolicyRow>(
    `SELECT p.* FROM retention_policies p JOIN tenants t ON t.id = p.tenant_id
      WHERE p.events_days IS NOT NULL OR p.datasets_days IS NOT NULL ORDER BY p.tenant_id`,
  );
  return rows.map((row) => ({
    tenantId: row.tenant_id,
    settings: { eventsDays: row.events_days, datasetsDays: row.datasets_days },
  }));
}
