import type { Db } from '../db/pool.ts';
import type { AlgorithmName } from '../detection/index.ts';
import type { DeploymentState } from './deployment-states.ts';

export type Environment = 'staging' | 'production';
export type DeploymentKind = 'deploy' | 'promotion' | 'rollback';

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface Deployment {
  id: string;
  environment: Environment;
  kind: DeploymentKind;
  state: DeploymentState;
  /** Whether it answers scoring requests now (deployed, or deployed while a rollback runs). */
  serving: boolean;
  modelVersionId: string;
  modelName: string;
  version: number;
  algorithm: AlgorithmName;
  /** The version this deployment replaced in its environment (what a rollback brings back). */
  rollbackVersionId: string | null;
  rollbackVersion: number | null;
  promotedFromId: string | null;
  rollsBackId: string | null;
  approvalNote: string | null;
  failureReason: string | null;
  rollbackReason: string | null;
  rolledBackBy: Person | null;
  rolledBackAt: string | null;
  createdBy: Person | null;
  createdAt: string;
  deployedAt: string | null;
  retiredAt: string | null;
}

interface DeploymentRow {
  id: string;
  environment: Environment;
  kind: DeploymentKind;
  state: DeploymentState;
  model_version_id: string;
  model_name: string;
  version: number;
  algorithm: AlgorithmName;
  rollback_version_id: string | null;
  rollback_version: number | null;
  promoted_from_id: string | null;
  rolls_back_id: string | null;
  approval_note: string | null;
  failure_reason: string | null;
  rollback_reason: string | null;
  rolled_back_by: Person | null;
  rolled_back_at: Date | null;
  created_by: Person | null;
  created_at: Date;
  deployed_at: Date | null;
  retired_at: Date | null;
}

const select = `
SELECT d.id, d.environment, d.kind, d.state, d.model_version_id, d.model_name, v.version, v.algorithm,
       d.rollback_version_id, rv.version AS rollback_version, d.promoted_from_id, d.rolls_back_id,
       d.approval_note, d.failure_reason, d.rollback_reason,
       CASE WHEN rb.id IS NULL THEN NULL ELSE json_build_object('id', rb.id, 'name', rb.name, 'email', rb.email) END AS rolled_back_by,
       d.rolled_back_at,
       CASE WHEN cb.id IS NULL THEN NULL ELSE json_build_object('id', cb.id, 'name', cb.name, 'email', cb.email) END AS created_by,
       d.created_at, d.deployed_at, d.retired_at
  FROM deployments d
  JOIN model_versions v ON v.id = d.model_version_id AND v.tenant_id = d.tenant_id
  LEFT JOIN model_versions rv ON rv.id = d.rollback_version_id AND rv.tenant_id = d.tenant_id
  LEFT JOIN users rb ON rb.id = d.rolled_back_by AND rb.tenant_id = d.tenant_id
  LEFT JOIN users cb ON cb.id = d.created_by AND cb.tenant_id = d.tenant_id`;

const iso = (value: Date | null) => value?.toISOString() ?? null;

const toDeployment = (row: DeploymentRow): Deployment => ({
  id: row.id,
  environment: row.environment,
  kind: row.kind,
  state: row.state,
  serving: row.state === 'deployed' || row.state === 'rolling_back',
  modelVersionId: row.model_version_id,
  modelName: row.model_name,
  version: row.version,
  algorithm: row.algorithm,
  rollbackVersionId: row.rollback_version_id,
  rollbackVersion: row.rollback_version,
  promotedFromId: row.promoted_from_id,
  rollsBackId: row.rolls_back_id,
  approvalNote: row.approval_note,
  failureReason: row.failure_reason,
  rollbackReason: row.rollback_reason,
  rolledBackBy: row.rolled_back_by,
  rolledBackAt: iso(row.rolled_back_at),
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  deployedAt: iso(row.deployed_at),
  retiredAt: iso(row.retired_at),
});

export async function findDeployment(db: Db, tenantId: string, id: string): Promise<Deployment | null> {
  const { rows } = await db.query<DeploymentRow>(`${select} WHERE d.tenant_id = $1 AND d.id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toDeployment(rows[0]) : null;
}

export interface DeploymentFilter {
  environment?: Environment | undefined;
  state?: DeploymentState | undefined;
  serving?: boolean | undefined;
  modelName?: string | undefined;
  limit?: number;
}

export async function listDeployments(
  db: Db,
  tenantId: string,
  filter: DeploymentFilter = {},
): Promise<Deployment[]> {
  const conditions = ['d.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.environment) add('d.environment = ?', filter.environment);
  if (filter.state) add('d.state = ?', filter.state);
  if (filter.modelName) add('d.model_name = ?', filter.modelName);
  if (filter.serving !== undefined) {
    conditions.push(
      filter.serving
        ? `d.state IN ('deployed', 'rolling_back')`
        : `d.state NOT IN ('deployed', 'rolling_back')`,
    );
  }
  params.push(filter.limit ?? 200);
  const { rows } = await db.query<DeploymentRow>(
    `${select} WHERE ${conditions.join(' AND ')} ORDER BY d.seq DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toDeployment);
}

/** The deployment serving a model in an environment, if any. */
export async function findServing(
  db: Db,
  tenantId: string,
  modelName: string,
  environment: Environment,
): Promise<Deployment | null> {
  const { rows } = await db.query<DeploymentRow>(
    `${select} WHERE d.tenant_id = $1 AND d.model_name = $2 AND d.environment = $3
       AND d.state IN ('deployed', 'rolling_back')`,
    [tenantId, modelName, environment],
  );
  return rows[0] ? toDeployment(rows[0]) : null;
}

export interface NewDeployment {
  environment: Environment;
  kind: DeploymentKind;
  modelVersionId: string;
  modelName: string;
  rollbackVersionId: string | null;
  promotedFromId?: string | null;
  rollsBackId?: string | null;
  approvalNote?: string | null;
  createdBy: string;
}

/** Null when a release of this model to this environment is already in flight. */
export async function insertDeployment(
  db: Db,
  tenantId: string,
  input: NewDeployment,
): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO deployments (tenant_id, environment, kind, model_version_id, model_name, rollback_version_id,
                              promoted_from_id, rolls_back_id, approval_note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, model_name, environment) WHERE state IN ('pending', 'deploying') DO NOTHING
     RETURNING id`,
    [
      tenantId,
      input.environment,
      input.kind,
      input.modelVersionId,
      input.modelName,
      input.rollbackVersionId,
      input.promotedFromId ?? null,
      input.rollsBackId ?? null,
      input.approvalNote ?? null,
      input.createdBy,
    ],
  );
  return rows[0]?.id ?? null;
}

/**
 * Moves a deployment from one state to another only if it is still in `from`: two actors racing
 * on one deployment cannot both win. False when it had moved on.
 */
export async function moveDeployment(
  db: Db,
  tenantId: string,
  id: string,
  from: DeploymentState,
  to: DeploymentState,
  extra: { failureReason?: string; rollbackReason?: string; rolledBackBy?: string } = {},
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deployments
        SET state = $4,
            failure_reason = coalesce($5, failure_reason),
            rollback_reason = coalesce($6, rollback_reason),
            rolled_back_by = coalesce($7, rolled_back_by),
            deployed_at = CASE WHEN $4 = 'deployed' AND deployed_at IS NULL THEN now() ELSE deployed_at END,
            rolled_back_at = CASE WHEN $4 = 'rolled_back' THEN now() ELSE rolled_back_at END,
            retired_at = CASE WHEN $4 IN ('superseded', 'rolled_back') THEN now() ELSE retired_at END
      WHERE tenant_id = $1 AND id = $2 AND state = $3`,
    [
      tenantId,
      id,
      from,
      to,
      extra.failureReason ?? null,
      extra.rollbackReason ?? null,
      extra.rolledBackBy ?? null,
    ],
  );
  return rowCount === 1;
}

export async function recordScoringRequest(
  db: Db,
  tenantId: string,
  deploymentId: string,
  request: { rows: number; latencyMs: number; ok: boolean; error?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO deployment_requests (tenant_id, deployment_id, rows, latency_ms, ok, error)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [tenantId, deploymentId, request.rows, request.latencyMs, request.ok, request.error ?? null],
  );
}

export interface TrafficStats {
  requests: number;
  errors: number;
  p95LatencyMs: number | null;
}

export async function trafficSince(
  db: Db,
  tenantId: string,
  deploymentId: string,
  windowMinutes: number,
): Promise<TrafficStats> {
  const { rows } = await db.query<{ requests: number; errors: number; p95: number | null }>(
    `SELECT count(*)::int AS requests, count(*) FILTER (WHERE NOT ok)::int AS errors,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
       FROM deployment_requests
      WHERE tenant_id = $1 AND deployment_id = $2 AND at > now() - make_interval(mins => $3)`,
    [tenantId, deploymentId, windowMinutes],
  );
  const row = rows[0];
  return { requests: row?.requests ?? 0, errors: row?.errors ?? 0, p95LatencyMs: row?.p95 ?? null };
}

/** Deployments left half-way by a previous process, across tenants (runs as the schema owner). */
export async function unfinishedDeployments(db: Db): Promise<{ id: string; tenantId: string }[]> {
  const { rows } = await db.query<{ id: string; tenant_id: string }>(
    `SELECT id, tenant_id FROM deployments WHERE state IN ('pending', 'deploying') ORDER BY seq`,
  );
  return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
}

/** Serving deployments across tenants, to fit their models before traffic arrives. */
export async function servingDeployments(db: Db): Promise<{ tenantId: string; modelVersionId: string }[]> {
  const { rows } = await db.query<{ tenant_id: string; model_version_id: string }>(
    `SELECT tenant_id, model_version_id FROM deployments WHERE state IN ('deployed', 'rolling_back')`,
  );
  return rows.map((row) => ({ tenantId: row.tenant_id, modelVersionId: row.model_version_id }));
}
