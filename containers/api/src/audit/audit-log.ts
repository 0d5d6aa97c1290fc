import type { Db } from '../db/pool.ts';

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_out'
  | 'api_key.create'
  | 'api_key.revoke'
  | 'dataset.upload'
  | 'experiment.create'
  | 'run.create'
  | 'model.register'
  | 'export.results'
  | 'export.events'
  | 'permission.denied'
  | 'deployment.deploy'
  | 'deployment.promote'
  | 'deployment.rollback'
  | 'deployment.score_throttled'
  | 'session.create'
  | 'session.start'
  | 'session.pause'
  | 'session.resume'
  | 'session.stop'
  | 'alert_rule.create'
  | 'alert.fire'
  | 'event.acknowledge'
  | 'event.escalate'
  | 'event.resolve'
  | 'event.ignore'
  | 'event.note'
  | 'event.enrich'
  | 'audit.export'
  | 'settings.retention'
  | 'retention.purge'
  | 'user.erase'
  | 'user.role_change'
  | 'tenant.suspend'
  | 'tenant.reactivate'
  | 'producer_credential.issue'
  | 'producer_credential.revoke'
  | 'broker.refused';

export interface AuditEntry {
  action: AuditAction;
  outcome: 'success' | 'failure' | 'denied';
  actorId?: string | null;
  actorEmail?: string | null;
  targetType?: string;
  targetId?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

/** Appends one entry; the table refuses updates and deletes, so this is the only verb there is. */
export async function recordAudit(db: Db, tenantId: string, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (tenant_id, actor_id, actor_email, action, target_type, target_id, ip, outcome, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      tenantId,
      entry.actorId ?? null,
      entry.actorEmail ?? null,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.ip ?? null,
      entry.outcome,
      entry.details ?? {},
    ],
  );
}
