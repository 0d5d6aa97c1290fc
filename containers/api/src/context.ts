import type pg from 'pg';
import type { SignInThrottle } from './auth/sign-in-throttle.ts';
import type { PlatformClock } from './compliance/platform-clock.ts';
import type { RetentionScheduler } from './compliance/retention-scheduler.ts';
import type { Config } from './config.ts';
import type { RouteCatalog } from './http/route-catalog.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import type { Operations } from './operations.ts';
import type { RequestMetrics } from './ops/request-metrics.ts';
import type { BrokerUsers } from './streaming/broker-users.ts';

/** What route modules need from the running app, passed explicitly rather than decorated. */
export interface AppContext {
  config: Config;
  pool: pg.Pool;
  jobs: JobQueue;
  broker: { readonly connected: boolean };
  /** Where issued and revoked producer credentials reach the broker. */
  brokerUsers: BrokerUsers;
  signInThrottle: SignInThrottle;
  requestMetrics: RequestMetrics;
  catalog: RouteCatalog;
  assetsDir: string;
  /** Deployments, streaming, events and alerting. */
  operations: Operations;
  /** "Now" for retention; moved only through the admin API (tests). */
  clock: PlatformClock;
  retention: RetentionScheduler;
}
