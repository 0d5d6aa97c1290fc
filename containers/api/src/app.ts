import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { installCsrfProtection } from './auth/csrf.ts';
import { installAuthentication } from './auth/request-auth.ts';
import { SignInThrottle } from './auth/sign-in-throttle.ts';
import { randomToken } from './auth/tokens.ts';
import { PlatformClock } from './compliance/platform-clock.ts';
import { RetentionScheduler } from './compliance/retention-scheduler.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { installErrorHandling } from './http/error-handling.ts';
import { loggerOptions } from './http/logging.ts';
import { installRateLimiting } from './http/rate-limits.ts';
import { installResponseCheck } from './http/response-check.ts';
import { RouteCatalog } from './http/route-catalog.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { runDetectionJob } from './jobs/experiment-job.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { createOperations } from './operations.ts';
import { RequestMetrics } from './ops/request-metrics.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerComplianceRoutes } from './routes/compliance.ts';
import { registerDatasetRoutes } from './routes/datasets.ts';
import { registerDeploymentRoutes } from './routes/deployments.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerEventExportRoutes } from './routes/events-export.ts';
import { registerExperimentRoutes } from './routes/experiments.ts';
import { registerMeRoutes } from './routes/me.ts';
import { registerModelRoutes } from './routes/models.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerAlertPages } from './routes/pages-alerts.ts';
import { registerAuditPages } from './routes/pages-audit.ts';
import { registerDataPages } from './routes/pages-data.ts';
import { registerDeploymentPages } from './routes/pages-deployments.ts';
import { registerExperimentPages } from './routes/pages-experiments.ts';
import { registerSettingsPages } from './routes/pages-settings.ts';
import { registerStreamingPages } from './routes/pages-streaming.ts';
import { registerProducerCredentialRoutes } from './routes/producer-credentials.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerSessionRoutes } from './routes/sessions.ts';
import { brokerAsksPlatform, DynamicSecurityUsers } from './streaming/broker-users.ts';
import { renderErrorPage } from './ui/pages/error-page.ts';

export interface AppDependencies {
  config: Config;
  pool: pg.Pool;
  broker: { readonly connected: boolean };
  /** Where app.css and the browser scripts are. */
  assetsDir: string;
  /** Signs short-lived cookies (the sign-in transaction); random per process unless given. */
  cookieSecret?: string;
  /** Where log lines go; stdout unless given (tests read what a request logged). */
  logStream?: NodeJS.WritableStream;
}

export interface App {
  server: FastifyInstance;
  context: AppContext;
}

/**
 * Assembles the platform: plugins, hooks and every route. Order matters in one place only:
 * hooks are installed before routes, so every route gets them.
 */
export async function buildApp(deps: AppDependencies): Promise<App> {
  const server = Fastify({
    logger: loggerOptions(deps.config.logLevel, deps.logStream),
    // Only hops from these proxies count; an empty list believes no X-Forwarded-* at all.
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const catalog = new RouteCatalog();
  catalog.attach(server);
  const requestMetrics = new RequestMetrics();
  requestMetrics.attach(server);

  const jobs = new JobQueue(deps.pool, server.log, {
    experiment: runDetectionJob(deps.pool, server.log, deps.config.operations.scoring.threadHeapMb),
    run: runDetectionJob(deps.pool, server.log, deps.config.operations.scoring.threadHeapMb),
  });
  const clock = new PlatformClock();
  const context: AppContext = {
    config: deps.config,
    pool: deps.pool,
    jobs,
    broker: deps.broker,
    brokerUsers:
      deps.config.brokerUsers === 'mosquitto-dynamic-security'
        ? new DynamicSecurityUsers(deps.config.mqttUrl)
        : brokerAsksPlatform,
    signInThrottle: new SignInThrottle(
      deps.config.rateLimits.signInFailures,
      deps.config.rateLimits.signInFailureWindowSeconds,
    ),
    requestMetrics,
    catalog,
    assetsDir: deps.assetsDir,
    operations: createOperations({ config: deps.config, pool: deps.pool, log: server.log }),
    clock,
    retention: new RetentionScheduler(
      deps.pool,
      clock,
      server.log,
      deps.config.retentionPurgeIntervalSeconds,
    ),
  };

  await installSecurityHeaders(server);
  await server.register(cookie, { secret: deps.cookieSecret ?? randomToken() });
  await server.register(formbody);
  await server.register(multipart, { limits: { fileSize: deps.config.upload.maxBytes } });
  await installRateLimiting(server);
  await server.register(websocket, { options: { maxPayload: 64 * 1024 } });
  installAuthentication(server, deps.pool);
  installCsrfProtection(server);
  installErrorHandling(server, catalog, renderErrorPage);
  installResponseCheck(server, deps.config.responseCheck);

  registerOpsRoutes(server, context);
  registerAssetRoutes(server, deps.assetsDir);
  registerAdminRoutes(server, context);
  registerAuthRoutes(server, context);
  registerMeRoutes(server, context);
  registerDatasetRoutes(server, context);
  registerExperimentRoutes(server, context);
  registerRunRoutes(server, context);
  registerModelRoutes(server, context);
  registerDataPages(server, context);
  registerExperimentPages(server, context);
  registerDeploymentRoutes(server, context);
  registerSessionRoutes(server, context);
  registerProducerCredentialRoutes(server, context);
  registerEventExportRoutes(server, context);
  registerEventRoutes(server, context);
  registerAuditRoutes(server, context);
  registerComplianceRoutes(server, context);
  registerDeploymentPages(server, context);
  registerStreamingPages(server, context);
  registerAlertPages(server, context);
  registerAuditPages(server, context);
  registerSettingsPages(server, context);

  server.addHook('onClose', async () => {
    await context.retention.stop();
    await jobs.stop();
    await context.operations.stop();
    await context.brokerUsers.close();
  });
  return { server, context };
}
