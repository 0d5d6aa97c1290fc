import type { Db } from '../db/pool.ts';
import type { Environment } from './deployments-repo.ts';

/**
 * Keeps a model version's stage in step with where it serves, when a deployment of `version`
 * takes over `environment` from `replaced`: a version serving production is `production`, one
 * serving only staging is `staging`; a version pushed out of production is `archived`, one
 * pushed out of staging goes back to `development` (unless it serves production meanwhile).
 */
export async function updateStagesOnTakeover(
  db: Db,
  tenantId: string,
  environment: Environment,
  version: string,
  replaced: string | null,
): Promise<void> {
  if (environment === 'production') {
    await db.query(`UPDATE model_versions SET stage = 'production' WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      version,
    ]);
    if (replaced && replaced !== version) {
      await db.query(`UPDATE model_versions SET stage = 'archived' WHERE tenant_id = $1 AND id = $2`, [
        tenantId,
        replaced,
      ]);
    }
    return;
  }
  await db.query(
    `UPDATE model_versions SET stage = 'staging' WHERE tenant_id = $1 AND id = $2 AND stage <> 'production'`,
    [tenantId, version],
  );
  if (replaced && replaced !== version) {
    await db.query(
      `UPDATE model_versions SET stage = 'development' WHERE tenant_id = $1 AND id = $2 AND stage = 'staging'`,
      [tenantId, replaced],
    );
  }
}
