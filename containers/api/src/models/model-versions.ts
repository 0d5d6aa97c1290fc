import type { Db } from '../db/pool.ts';
import type { AlgorithmName, Metrics } from '../detection/index.ts';

export type Stage = 'development' | 'staging' | 'production' | 'archived';

export interface ModelVersion {
  id: string;
  name: string;
  version: number;
  stage: Stage;
  sourceRunId: string | null;
  algorithm: AlgorithmName;
  params: Record<string, number>;
  metrics: Metrics | null;
  createdAt: string;
}

interface ModelVersionRow {
  id: string;
  name: string;
  version: number;
  stage: Stage;
  source_run_id: string | null;
  algorithm: AlgorithmName;
  params: Record<string, number>;
  metrics: Metrics | null;
  created_at: Date;
}

const columns = 'id, name, version, stage, source_run_id, algorithm, params, metrics, created_at';

const toModelVersion = (row: ModelVersionRow): ModelVersion => ({
  id: row.id,
  name: row.name,
  version: row.version,
  stage: row.stage,
  sourceRunId: row.source_run_id,
  algorithm: row.algorithm,
  params: row.params,
  metrics: row.metrics,
  createdAt: row.created_at.toISOString(),
});

/**
 * Adds the next version of a named model. Versions count up per name within a tenant; the
 * transaction-scoped lock makes two concurrent registrations of one name take turns.
 */
export async function insertModelVersion(
  db: Db,
  tenantId: string,
  input: {
    name: string;
    sourceRunId: string;
    algorithm: AlgorithmName;
    params: Record<string, number>;
    metrics: Metrics | null;
    createdBy: string;
  },
): Promise<ModelVersion> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`model-version:${tenantId}:${input.name}`]);
  const { rows } = await db.query<ModelVersionRow>(
    `INSERT INTO model_versions (tenant_id, name, version, source_run_id, algorithm, params, metrics, created_by)
     SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7
       FROM model_versions WHERE tenant_id = $1 AND name = $2
     RETURNING ${columns}`,
    [
      tenantId,
      input.name,
      input.sourceRunId,
      input.algorithm,
      input.params,
      input.metrics === null ? null : JSON.stringify(input.metrics),
      input.createdBy,
    ],
  );
  return toModelVersion(rows[0] as ModelVersionRow);
}

export async function listModelVersions(db: Db, tenantId: string): Promise<ModelVersion[]> {
  const { rows } = await db.query<ModelVersionRow>(
    `SELECT ${columns} FROM model_versions WHERE tenant_id = $1 ORDER BY name, version DESC`,
    [tenantId],
  );
  return rows.map(toModelVersion);
}

export async function findModelVersion(db: Db, tenantId: string, id: string): Promise<ModelVersion | null> {
  const { rows } = await db.query<ModelVersionRow>(
    `SELECT ${columns} FROM model_versions WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toModelVersion(rows[0]) : null;
}
