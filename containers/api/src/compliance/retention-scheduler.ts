import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { PlatformClock } from './platform-clock.ts';
import { type PurgeResult, purgeAllTenants } from './retention-purge.ts';

/**
 * Runs the purge for every tenant with a policy every `intervalSeconds` (0 turns it off), one
 * purge at a time: a run that is still going when the next is due makes the next one wait.
 */
export class RetentionScheduler {
  readonly #pool: pg.Pool;
  readonly #clock: PlatformClock;
  readonly #log: FastifyBaseLogger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<PurgeResult[]> = Promise.resolve([]);

  constructor(pool: pg.Pool, clock: PlatformClock, log: FastifyBaseLogger, intervalSeconds: number) {
    this.#pool = pool;
    this.#clock = clock;
    this.#log = log;
    this.#intervalMs = intervalSeconds * 1000;
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => {
      this.runNow('schedule').catch((error: unknown) =>
        this.#log.error({ err: error }, 'scheduled retention purge failed'),
      );
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Purges every tenant now, after any purge already under way. */
  runNow(trigger: 'schedule' | 'admin_api'): Promise<PurgeResult[]> {
    const next = this.#running
      .catch(() => [])
      .then(async () => {
        const results = await purgeAllTenants(this.#pool, this.#clock.now(), trigger);
        const purged = results.filter((result) => result.audited);
        if (purged.length > 0)
          this.#log.info({ tenants: purged.length, trigger }, 'retention purge deleted data');
        return results;
      });
    this.#running = next;
    return next;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running.catch(() => []);
  }
}
