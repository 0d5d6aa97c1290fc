import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { withTenant } from '../db/pool.ts';
import { findDeployment } from '../deployments/deployments-repo.ts';
import { ApiError, conflict, notFound } from '../http/api-error.ts';
import { isUuid } from '../http/validation.ts';
import type { LiveMetrics, LiveMetricsSnapshot } from './live-metrics.ts';
import type { SessionDirectory } from './session-directory.ts';
import { type SessionAction, sessionTransition } from './session-states.ts';
import {
  findSession,
  insertSession,
  listSessions,
  moveSession,
  type StreamSession,
} from './sessions-repo.ts';

export const newSessionSchema = z.object({
  name: z.string({ error: 'give the session a name' }).trim().min(1, 'give the session a name').max(200),
  deploymentId: z.string({ error: 'choose the production deployment that scores the events' }).min(1),
});

export interface SessionMetrics extends LiveMetricsSnapshot {
  sessionId: string;
  state: StreamSession['state'];
  received: number;
  scored: number;
  anomalies: number;
  rejected: number;
  setAside: number;
}

/**
 * Streaming sessions: bind a production deployment's model to a topic and move the session
 * through its states. Every change is audited and reaches the stream worker at once.
 */
export class SessionService {
  readonly #pool: pg.Pool;
  readonly #directory: SessionDirectory;
  readonly #metrics: LiveMetrics;
  #scoreBacklog: (tenantId: string, sessionId: string, modelName: string) => void = () => {};

  constructor(pool: pg.Pool, directory: SessionDirectory, metrics: LiveMetrics) {
    this.#pool = pool;
    this.#directory = directory;
    this.#metrics = metrics;
  }

  /** Who scores the events a session kept while paused, once it is active again. */
  onResume(scoreBacklog: (tenantId: string, sessionId: string, modelName: string) => void): void {
    this.#scoreBacklog = scoreBacklog;
  }

  async find(tenantId: string, id: string): Promise<StreamSession> {
    const session = isUuid(id)
      ? await withTenant(this.#pool, tenantId, (db) => findSession(db, tenantId, id))
      : null;
    if (!session) throw notFound('streaming session');
    return session;
  }

  list(tenantId: string): Promise<StreamSession[]> {
    return withTenant(this.#pool, tenantId, (db) => listSessions(db, tenantId));
  }

  async create(
    principal: Principal,
    input: z.infer<typeof newSessionSchema>,
    ip: string,
  ): Promise<StreamSession> {
    const tenantId = principal.tenant.id;
    if (!isUuid(input.deploymentId)) throw notFound('deployment');
    return withTenant(this.#pool, tenantId, async (db) => {
      const deployment = await findDeployment(db, tenantId, input.deploymentId);
      if (!deployment) throw notFound('deployment');
      if (deployment.environment !== 'production' || !deployment.serving) {
        throw new ApiError(
          'conflict',
          `Sessions score with a serving production deployment, and this one is ${deployment.environment} and ${deployment.state}; choose the deployment that serves production.`,
          [
            {
              reason: 'not_serving_production',
              environment: deployment.environment,
              state: deployment.state,
            },
          ],
        );
      }
      const id = await insertSession(db, tenantId, {
        name: input.name,
        deploymentId: deployment.id,
        modelName: deployment.modelName,
        createdBy: principal.userId,
      });
      await recordAudit(db, tenantId, {
        action: 'session.create',
        outcome: 'success',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: 'stream_session',
        targetId: id,
        ip,
        details: { name: input.name, deploymentId: deployment.id, model: deployment.modelName },
      });
      return (await findSession(db, tenantId, id)) as StreamSession;
    });
  }

  async act(principal: Principal, id: string, action: SessionAction, ip: string): Promise<StreamSession> {
    const tenantId = principal.tenant.id;
    const session = await this.find(tenantId, id);
    const updated = await withTenant(this.#pool, tenantId, async (db) => {
      const current = (await findSession(db, tenantId, session.id)) as StreamSession;
      const to = sessionTransition(current.state, action);
      if (!(await moveSession(db, tenantId, current.id, current.state, to))) {
        throw conflict('The session changed while you acted; reload it and try again.');
      }
      await recordAudit(db, tenantId, {
        action: `session.${action}`,
        outcome: 'success',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: 'stream_session',
        targetId: current.id,
        ip,
        details: { from: current.state, to, name: current.name },
      });
      return (await findSession(db, tenantId, current.id)) as StreamSession;
    });
    this.#directory.forgetSession(updated.id);
    if (action === 'resume') this.#scoreBacklog(tenantId, updated.id, updated.modelName);
    return updated;
  }

  /** The worker could not score the session's events: it goes to `error` with the reason. */
  async fail(tenantId: string, id: string, reason: string): Promise<void> {
    await withTenant(this.#pool, tenantId, (db) => moveSession(db, tenantId, id, 'active', 'error', reason));
    this.#directory.forgetSession(id);
  }

  async metrics(tenantId: string, id: string): Promise<SessionMetrics> {
    const session = await this.find(tenantId, id);
    return {
      sessionId: session.id,
      state: session.state,
      received: session.received,
      scored: session.scored,
      anomalies: session.anomalies,
      rejected: session.rejected,
      setAside: session.setAside,
      ...this.#metrics.snapshot(session.id),
    };
  }
}
