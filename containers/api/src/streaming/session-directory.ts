import type pg from 'pg';
import { withSystem, withTenant } from '../db/pool.ts';
import { findServing } from '../deployments/deployments-repo.ts';
import { findRoutes, type SessionRoute } from './sessions-repo.ts';

/** How long a looked-up route is trusted; changes made in this process clear it at once. */
const routeTtlMs = 2_000;

export interface ServingModel {
  deploymentId: string;
  modelVersionId: string;
}

/**
 * Answers the stream worker's two questions for every batch, from memory when it can: which
 * tenant and state does a session id have, and which deployment serves a model in production.
 * Session and deployment changes in this process invalidate the answers immediately.
 */
export class SessionDirectory {
  readonly #pool: pg.Pool;
  readonly #routes = new Map<string, { route: SessionRoute | null; until: number }>();
  readonly #serving = new Map<string, { serving: ServingModel | null; until: number }>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Routes of the sessions that exist (in any tenant); unknown ids are simply absent. */
  async routes(ids: readonly string[]): Promise<Map<string, SessionRoute>> {
    const now = Date.now();
    const found = new Map<string, SessionRoute>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#routes.get(id);
      if (cached && cached.until > now) {
        if (cached.route) found.set(id, cached.route);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const routes = await withSystem(this.#pool, (db) => findRoutes(db, missing));
      const byId = new Map(routes.map((route) => [route.id, route]));
      for (const id of missing) {
        const route = byId.get(id) ?? null;
        this.#routes.set(id, { route, until: now + routeTtlMs });
        if (route) found.set(id, route);
      }
    }
    return found;
  }

  forgetSession(id: string): void {
    this.#routes.delete(id);
  }

  async servingModel(tenantId: string, modelName: string): Promise<ServingModel | null> {
    const key = `${tenantId}/${modelName}`;
    const cached = this.#serving.get(key);
    if (cached && cached.until > Date.now()) return cached.serving;
    const deployment = await withTenant(this.#pool, tenantId, (db) =>
      findServing(db, tenantId, modelName, 'production'),
    );
    const serving = deployment
      ? { deploymentId: deployment.id, modelVersionId: deployment.modelVersionId }
      : null;
    this.#serving.set(key, { serving, until: Date.now() + routeTtlMs });
    return serving;
  }

  forgetServing(tenantId: string, modelName: string): void {
    this.#serving.delete(`${tenantId}/${modelName}`);
  }
}
