import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { AlertEvaluator } from './alerts/alert-evaluator.ts';
import type { Config } from './config.ts';
import { DeploymentService } from './deployments/deployment-service.ts';
import { ModelCache } from './deployments/model-cache.ts';
import { ScoredRows } from './deployments/scored-rows.ts';
import { ScoringPool } from './deployments/scoring-pool.ts';
import { ScoringQuota } from './deployments/scoring-quota.ts';
import { EventService } from './events/event-service.ts';
import { LiveFeed } from './events/live-feed.ts';
import { LiveMetrics } from './streaming/live-metrics.ts';
import { SessionDirectory } from './streaming/session-directory.ts';
import { SessionService } from './streaming/session-service.ts';
import { StreamWorker } from './streaming/stream-worker.ts';

/**
 * The operational services of the platform (deployments and their models, streaming, the live
 * event feed, alerting), built once per app. Nothing here touches the network until `start`,
 * so an app built for a test costs nothing it does not use.
 */
export interface Operations {
  models: ModelCache;
  /** The threads that score request batches, each tenant's share of them, and the rows scored where. */
  scoring: { pool: ScoringPool; quota: ScoringQuota; rows: ScoredRows };
  deployments: DeploymentService;
  sessions: SessionService;
  /** What the stream path remembers about sessions and serving models (bounded). */
  directory: SessionDirectory;
  streams: StreamWorker;
  feed: LiveFeed;
  alerts: AlertEvaluator;
  events: EventService;
  /** Resumes unfinished releases, fits serving models, and subscribes to the sessions' events. */
  start(mqttUrl: string): Promise<void>;
  /** Writes buffered events and lets running work finish; called when the app closes. */
  stop(): Promise<void>;
}

export function createOperations(deps: {
  config: Config;
  pool: pg.Pool;
  log: FastifyBaseLogger;
}): Operations {
  const { config, pool, log } = deps;
  const timeoutMs = config.operations.outboundTimeoutMs;
  const models = new ModelCache(pool);
  const { scoring: scoringSettings } = config.operations;
  const scoring = {
    pool: new ScoringPool({ threads: scoringSettings.threads, heapMb: scoringSettings.threadHeapMb }),
    quota: new ScoringQuota({
      rowsPerMinute: scoringSettings.rowsPerMinutePerTenant,
      concurrent: scoringSettings.concurrentPerTenant,
    }),
    rows: new ScoredRows(),
  };
  const deployments = new DeploymentService(pool, models, config.operations.health, log);
  const directory = new SessionDirectory(pool);
  const metrics = new LiveMetrics();
  const sessions = new SessionService(pool, directory, metrics);
  const feed = new LiveFeed(config.liveFeed);
  const alerts = new AlertEvaluator({ pool, log, feed, timeoutMs, publicUrl: config.publicUrl });
  const events = new EventService({ pool, feed, timeoutMs, publicUrl: config.publicUrl });
  const streams = new StreamWorker({
    pool,
    log,
    settings: config.operations.streaming,
    models,
    directory,
    metrics,
    observer: {
      stored(tenantId, touched, raised) {
        for (const event of raised) feed.publish(tenantId, { type: 'anomaly', event });
        alerts.touched(tenantId, touched);
      },
      cannotScore: (tenantId, sessionId, reason) => sessions.fail(tenantId, sessionId, reason),
    },
  });
  deployments.onServingChange((change) => directory.forgetServing(change.tenantId, change.modelName));
  sessions.onResume((tenantId, sessionId, modelName) => {
    void streams.scoreBacklog(tenantId, sessionId, modelName);
  });

  return {
    models,
    scoring,
    deployments,
    sessions,
    directory,
    streams,
    feed,
    alerts,
    events,
    async start(mqttUrl) {
      const resumed = await deployments.resume();
      if (resumed > 0) log.info({ resumed }, 'resumed unfinished deployments');
      streams.start(mqttUrl);
    },
    async stop() {
      await streams.stop();
      await alerts.stop();
      await deployments.stop();
      await scoring.pool.close();
    },
  };
}
