import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { findRun } from '../experiments/experiments-repo.ts';
import { conflict, notFound } from '../http/api-error.ts';
import { isUuid } from '../http/validation.ts';
import { insertModelVersion, type ModelVersion } from './model-versions.ts';

export const registrationSchema = z.object({
  runId: z.string().min(1),
  name: z.string().trim().min(1, 'give the model a name').max(200),
});

/** Registers a completed run as the next version of a named model, in development. */
export async function registerModelVersion(
  ctx: AppContext,
  principal: Principal,
  input: z.infer<typeof registrationSchema>,
  ip: string,
): Promise<ModelVersion> {
  const tenantId = principal.tenant.id;
  if (!isUuid(input.runId)) throw notFound('run');
  return withTenant(ctx.pool, tenantId, async (db) => {
    const run = await findRun(db, tenantId, input.runId);
    if (!run) throw notFound('run');
    if (run.status !== 'completed') {
      throw conflict(`The run is ${run.status}, not completed; register it once it has completed.`);
    }
    const version = await insertModelVersion(db, tenantId, {
      name: input.name,
      sourceRunId: run.id,
      algorithm: run.algorithm,
      params: run.params,
      metrics: run.metrics,
      createdBy: principal.userId,
    });
    await recordAudit(db, tenantId, {
      action: 'model.register',
      outcome: 'success',
      actorId: principal.userId,
      actorEmail: principal.email,
      targetType: 'model_version',
      targetId: version.id,
      ip,
      details: { name: version.name, version: version.version, runId: run.id },
    });
    return version;
  });
}
