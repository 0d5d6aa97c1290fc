import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { type AuditEntry, recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { withSystem, withTenant } from '../db/pool.ts';
import { ModelFitError } from '../detection/fitted-model.ts';
import { FeaturesError, ParamsError } from '../detection/index.ts';
import { ApiError, conflict, notFound } from '../http/api-error.ts';
import { isUuid } from '../http/validation.ts';
import { findModelVersion } from '../models/model-versions.ts';
import type { OperationsConfig } from '../operations-config.ts';
import { assertDeploymentTransition } from './deployment-states.ts';
import {
  type Deployment,
  type Environment,
  findDeployment,
  findServing,
  insertDeployment,
  moveDeployment,
  servingDeployments,
  trafficSince,
  unfinishedDeployments,
} from './deployments-repo.ts';
import { type Health, judgeHealth } from './health-gate.ts';
import { type ModelCache, ModelUnavailableError } from './model-cache.ts';
import { updateStagesOnTakeover } from './model-stages.ts';

export const deployRequestSchema = z.object({
  modelVersionId: z.string().min(1, 'name the model version to deploy'),
  environment: z
    .enum(['staging', 'production'], { error: 'environment must be staging or production' })
    .default('staging'),
});

export const promoteRequestSchema = z.object({
  note: z
    .string({ error: 'write an approval note saying why this version may serve production' })
    .trim()
    .min(1, 'write an approval note saying why this version may serve production')
    .max(2000),
});

export const rollbackRequestSchema = z.object({
  reason: z.string({ error: 'say why you roll back' }).trim().min(1, 'say why you roll back').max(2000),
});

/** A refusal the person can act on, with a machine-readable reason for clients. */
const refused = (reason: string, message: string, extra: Record<string, unknown> = {}) =>
  new ApiError('conflict', message, [{ reason, ...extra }]);

export interface ServingChange {
  tenantId: string;
  modelName: string;
  environment: Environment;
}

function fitFailure(error: unknown): string | null {
  if (
    error instanceof ModelUnavailableError ||
    error instanceof ModelFitError ||
    error instanceof ParamsError ||
    error instanceof FeaturesError
  ) {
    return error.message;
  }
  return null;
}

/**
 * Releases models to staging and production: deploy, promote (through the health gate, with an
 * approval note) and roll back (with a reason). Requests record the intent and answer at once;
 * the model is fitted and put into service in the background, one release at a time, so the
 * state moves `pending → deploying → deployed | failed` where everyone can watch it.
 */
export class DeploymentService {
  readonly #pool: pg.Pool;
  readonly #models: ModelCache;
  readonly #limits: OperationsConfig['health'];
  readonly #log: FastifyBaseLogger;
  readonly #listeners: ((change: ServingChange) => void)[] = [];
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(pool: pg.Pool, models: ModelCache, limits: OperationsConfig['health'], log: FastifyBaseLogger) {
    this.#pool = pool;
    this.#models = models;
    this.#limits = limits;
    this.#log = log;
  }

  /** Called after a deployment starts or stops serving, so streams score with the right model. */
  onServingChange(listener: (change: ServingChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Resolves when every release scheduled so far has been put into service or has failed. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#queue;
  }

  async find(tenantId: string, id: string): Promise<Deployment> {
    const deployment = isUuid(id)
      ? await withTenant(this.#pool, tenantId, (db) => findDeployment(db, tenantId, id))
      : null;
    if (!deployment) throw notFound('deployment');
    return deployment;
  }

  async health(tenantId: string, id: string): Promise<Health> {
    const deployment = await this.find(tenantId, id);
    const stats = await withTenant(this.#pool, tenantId, (db) =>
      trafficSince(db, tenantId, deployment.id, this.#limits.windowMinutes),
    );
    return judgeHealth(stats, this.#limits);
  }

  async deploy(
    principal: Principal,
    input: z.infer<typeof deployRequestSchema>,
    ip: string,
  ): Promise<Deployment> {
    const tenantId = principal.tenant.id;
    if (!isUuid(input.modelVersionId)) throw notFound('model version');
    const created = await withTenant(this.#pool, tenantId, async (db) => {
      const version = await findModelVersion(db, tenantId, input.modelVersionId);
      if (!version) throw notFound('model version');
      if (input.environment === 'production') {
        throw refused(
          'promotion_required',
          `Production only takes promotions: deploy version ${version.version} of ${version.name} to staging, send it scoring traffic, then promote it with an approval note.`,
        );
      }
      const serving = await findServing(db, tenantId, version.name, 'staging');
      if (serving?.modelVersionId === version.id) {
        throw refused(
          'already_serving',
          `Version ${version.version} of ${version.name} already serves staging (deployment ${serving.id}).`,
          { deploymentId: serving.id },
        );
      }
      const id = await insertDeployment(db, tenantId, {
        environment: 'staging',
        kind: 'deploy',
        modelVersionId: version.id,
        modelName: version.name,
        rollbackVersionId: serving?.modelVersionId ?? null,
        createdBy: principal.userId,
      });
      if (!id) throw this.#inFlight(version.name, 'staging');
      await recordAudit(db, tenantId, {
        ...this.#actor(principal, ip),
        action: 'deployment.deploy',
        outcome: 'success',
        targetType: 'deployment',
        targetId: id,
        details: {
          environment: 'staging',
          modelVersionId: version.id,
          model: version.name,
          version: version.version,
        },
      });
      return (await findDeployment(db, tenantId, id)) as Deployment;
    });
    this.#schedule(tenantId, created.id);
    return created;
  }

  async promote(principal: Principal, stagingId: string, note: string, ip: string): Promise<Deployment> {
    const tenantId = principal.tenant.id;
    const staging = await this.find(tenantId, stagingId);
    try {
      const promoted = await withTenant(this.#pool, tenantId, async (db) => {
        // Read again inside the transaction: the checks below must hold for what is promoted.
        const current = (await findDeployment(db, tenantId, staging.id)) as Deployment;
        if (current.environment !== 'staging') {
          throw refused(
            'not_staging',
            'Only a staging deployment can be promoted; this one already serves production.',
          );
        }
        if (current.state !== 'deployed') {
          throw refused(
            'not_deployed',
            `This staging deployment is ${current.state}; only a deployed staging deployment can be promoted.`,
            { state: current.state },
          );
        }
        const health = judgeHealth(
          await trafficSince(db, tenantId, current.id, this.#limits.windowMinutes),
          this.#limits,
        );
        if (!health.healthy) {
          throw refused(
            'unhealthy',
            `Promotion refused: the staging deployment is not healthy. ${health.reasons.join(' ')}`,
            {
              health,
            },
          );
        }
        const production = await findServing(db, tenantId, current.modelName, 'production');
        if (production?.modelVersionId === current.modelVersionId) {
          throw refused(
            'already_serving',
            `Version ${current.version} of ${current.modelName} already serves production (deployment ${production.id}).`,
            { deploymentId: production.id },
          );
        }
        const created = await insertDeployment(db, tenantId, {
          environment: 'production',
          kind: 'promotion',
          modelVersionId: current.modelVersionId,
          modelName: current.modelName,
          rollbackVersionId: production?.modelVersionId ?? null,
          promotedFromId: current.id,
          approvalNote: note,
          createdBy: principal.userId,
        });
        if (!created) throw this.#inFlight(current.modelName, 'production');
        await recordAudit(db, tenantId, {
          ...this.#actor(principal, ip),
          action: 'deployment.promote',
          outcome: 'success',
          targetType: 'deployment',
          targetId: created,
          details: {
            note,
            stagingDeploymentId: current.id,
            modelVersionId: current.modelVersionId,
            model: current.modelName,
            version: current.version,
            replacesVersionId: production?.modelVersionId ?? null,
            health: {
              requests: health.requests,
              errorRate: health.errorRate,
              p95LatencyMs: health.p95LatencyMs,
            },
          },
        });
        return (await findDeployment(db, tenantId, created)) as Deployment;
      });
      this.#schedule(tenantId, promoted.id);
      return promoted;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'conflict') {
        // The refusal is on record too: who tried to promote what, and why it was refused.
        await withTenant(this.#pool, tenantId, (db) =>
          recordAudit(db, tenantId, {
            ...this.#actor(principal, ip),
            action: 'deployment.promote',
            outcome: 'failure',
            targetType: 'deployment',
            targetId: staging.id,
            details: { note, refused: error.message },
          }),
        );
      }
      throw error;
    }
  }

  async rollback(principal: Principal, id: string, reason: string, ip: string): Promise<Deployment> {
    const tenantId = principal.tenant.id;
    const target = await this.find(tenantId, id);
    const created = await withTenant(this.#pool, tenantId, async (db) => {
      const current = (await findDeployment(db, tenantId, target.id)) as Deployment;
      assertDeploymentTransition(current.state, 'rolling_back', 'be rolled back');
      if (!current.rollbackVersionId) {
        throw refused(
          'nothing_to_roll_back_to',
          `There is nothing to roll back to: version ${current.version} was the first of ${current.modelName} to serve ${current.environment}.`,
        );
      }
      const moved = await moveDeployment(db, tenantId, current.id, 'deployed', 'rolling_back', {
        rollbackReason: reason,
        rolledBackBy: principal.userId,
      });
      if (!moved) throw conflict('This deployment changed while you acted; reload it and try again.');
      const redeploy = await insertDeployment(db, tenantId, {
        environment: current.environment,
        kind: 'rollback',
        modelVersionId: current.rollbackVersionId,
        modelName: current.modelName,
        rollbackVersionId: current.modelVersionId,
        rollsBackId: current.id,
        createdBy: principal.userId,
      });
      if (!redeploy) throw this.#inFlight(current.modelName, current.environment);
      await recordAudit(db, tenantId, {
        ...this.#actor(principal, ip),
        action: 'deployment.rollback',
        outcome: 'success',
        targetType: 'deployment',
        targetId: current.id,
        details: {
          reason,
          environment: current.environment,
          model: current.modelName,
          fromVersion: current.version,
          toVersion: current.rollbackVersion,
          toVersionId: current.rollbackVersionId,
          redeploymentId: redeploy,
        },
      });
      return (await findDeployment(db, tenantId, redeploy)) as Deployment;
    });
    this.#schedule(tenantId, created.id);
    return created;
  }

  /** Picks up releases a previous process left half-way, and fits serving models before traffic. */
  async resume(): Promise<number> {
    const [unfinished, serving] = await withSystem(
      this.#pool,
      async (db) => [await unfinishedDeployments(db), await servingDeployments(db)] as const,
    );
    for (const deployment of unfinished) this.#schedule(deployment.tenantId, deployment.id);
    for (const { tenantId, modelVersionId } of serving) {
      this.#models
        .load(tenantId, modelVersionId)
        .catch((error) =>
          this.#log.warn({ err: error, modelVersionId }, 'serving model could not be fitted'),
        );
    }
    return unfinished.length;
  }

  #actor(principal: Principal, ip: string): Pick<AuditEntry, 'actorId' | 'actorEmail' | 'ip'> {
    return { actorId: principal.userId, actorEmail: principal.email, ip };
  }

  #inFlight(modelName: string, environment: Environment): ApiError {
    return refused(
      'release_in_progress',
      `A release of ${modelName} to ${environment} is already in progress; wait until it is deployed or failed, then try again.`,
    );
  }

  #schedule(tenantId: string, id: string): void {
    if (this.#stopped) return;
    this.#queue = this.#queue
      .then(() => (this.#stopped ? undefined : this.#activate(tenantId, id)))
      .catch((error) =>
        this.#log.error({ err: error, deploymentId: id }, 'deployment could not be activated'),
      );
  }

  async #activate(tenantId: string, id: string): Promise<void> {
    const deployment = await withTenant(this.#pool, tenantId, async (db) => {
      const found = await findDeployment(db, tenantId, id);
      if (!found) return null;
      if (found.state === 'pending') await moveDeployment(db, tenantId, id, 'pending', 'deploying');
      else if (found.state !== 'deploying') return null;
      return found;
    });
    if (!deployment) return;

    try {
      await this.#models.load(tenantId, deployment.modelVersionId);
    } catch (error) {
      const reason = fitFailure(error);
      if (!reason) this.#log.error({ err: error, deploymentId: id }, 'model could not be fitted');
      await withTenant(this.#pool, tenantId, async (db) => {
        await moveDeployment(db, tenantId, id, 'deploying', 'failed', {
          failureReason:
            reason ??
            'The model could not be loaded because of an internal error; deploy it again, and report it if it fails again.',
        });
        // A failed rollback leaves the version it meant to replace serving, as before.
        if (deployment.kind === 'rollback' && deployment.rollsBackId) {
          await moveDeployment(db, tenantId, deployment.rollsBackId, 'rolling_back', 'deployed');
        }
      });
      return;
    }

    await withTenant(this.#pool, tenantId, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `deployment:${tenantId}:${deployment.modelName}:${deployment.environment}`,
      ]);
      let replaced: string | null = null;
      if (deployment.kind === 'rollback' && deployment.rollsBackId) {
        await moveDeployment(db, tenantId, deployment.rollsBackId, 'rolling_back', 'rolled_back');
        replaced = deployment.rollbackVersionId;
      } else {
        const serving = await findServing(db, tenantId, deployment.modelName, deployment.environment);
        if (serving) {
          await moveDeployment(db, tenantId, serving.id, serving.state, 'superseded');
          replaced = serving.modelVersionId;
        }
      }
      await moveDeployment(db, tenantId, id, 'deploying', 'deployed');
      await updateStagesOnTakeover(db, tenantId, deployment.environment, deployment.modelVersionId, replaced);
    });
    const change = { tenantId, modelName: deployment.modelName, environment: deployment.environment };
    for (const listener of this.#listeners) listener(change);
  }
}
