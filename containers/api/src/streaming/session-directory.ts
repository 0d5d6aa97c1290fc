import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { withSystem, withTenant } from '../db/pool.ts';
import { findServing } from '../deployments/deployments-repo.ts';
import { findRoutes, type SessionRoute } from './sessions-repo.ts';

/** How long a looked-up route is trusted; changes made in this process clear it at once. */
const routeTtlMs = 2_000;

/**
 * How many answers each cache keeps. Session ids come from whoever publishes, so a producer
 * sending random ids would otherwise grow the cache of unknown routes without end; past this
 * size the least recently used answers go (an evicted answer costs one lookup, nothing else).
 */
export const directoryCacheSize = 10_000;

/** `null` is a remembered "no such session" / "nothing in production": worth caching too. */
type Answer<T> = { value: T | null };

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
  readonly #routes: LRUCache<string, Answer<SessionRoute>>;
  readonly #serving: LRUCache<string, Answer<ServingModel>>;

  constructor(pool: pg.Pool, size = directoryCacheSize) {
    this.#pool = pool;
    this.#routes = new LRUCache({ max: size, ttl: routeTtlMs });
    this.#serving = new LRUCache({ max: size, ttl: routeTtlMs });
  }

  /** How many answers are held now, for tests and the memory bound they check. */
  get cachedAnswers(): number {
    return this.#routes.size + this.#serving.size;
  }

  /** Each cache's answers held now and the most it keeps, for the metrics endpoint. */
  caches(): { name: string; entries: number; capacity: number }[] {
    return [
      { name: 'session_routes', entries: this.#routes.size, capacity: this.#routes.max },
      { name: 'serving_models', entries: this.#serving.size, capacity: this.#serving.max },
    ];
  }

  /** Routes of the sessions that exist (in any tenant); unknown ids are simply absent. */
  async routes(ids: readonly string[]): Promise<Map<string, SessionRoute>> {
    const found = new Map<string, SessionRoute>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#routes.get(id);
      if (cached) {
        if (cached.value) found.set(id, cached.value);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const routes = await withSystem(this.#pool, (db) => findRoutes(db, missing));
      const byId = new Map(routes.map((route) => [route.id, route]));
      for (const id of missing) {
        const route = byId.get(id) ?? null;
        this.#routes.set(id, { value: route });
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
    if (cached) return cached.value;
    const deployment = await withTenant(this.#pool, tenantId, (db) =>
      findServing(db, tenantId, modelName, 'production'),
    );
    const serving = deployment
      ? { deploymentId: deployment.id, modelVersionId: deployment.modelVersionId }
      : null;
    this.#serving.set(key, { value: serving });
    return serving;
  }

  forgetServing(tenantId: string, modelName: string): void {
    this.#serving.delete(`${tenantId}/${modelName}`);
  }
}
