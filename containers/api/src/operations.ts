import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Config } from './config.ts';
import { DeploymentService } from './deployments/deployment-service.ts';
import { ModelCache } from './deployments/model-cache.ts';

/**
 * The operational services of the platform (deployments and their models, streaming, the live
 * event feed, alerting), built once per app. Nothing here touches the network until `start`,
 * so an app built for a test costs nothing it does not use.
 */
export interface Operations {
  models: ModelCache;
  deployments: DeploymentService;
  /** Resumes unfinished releases and fits serving models. */
  start(): Promise<void>;
  /** Lets running work finish; called when the app closes. */
  stop(): Promise<void>;
}

export function createOperations(deps: {
  config: Config;
  pool: pg.Pool;
  log: FastifyBaseLogger;
}): Operations {
  const models = new ModelCache(deps.pool);
  const deployments = new DeploymentService(deps.pool, models, deps.config.operations.health, deps.log);
  return {
    models,
    deployments,
    async start() {
      const resumed = await deployments.resume();
      if (resumed > 0) deps.log.info({ resumed }, 'resumed unfinished deployments');
    },
    async stop() {
      await deployments.stop();
    },
  };
}
