import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import {
  deployRequestSchema,
  promoteRequestSchema,
  rollbackRequestSchema,
} from '../deployments/deployment-service.ts';
import { deploymentStates } from '../deployments/deployment-states.ts';
import { listDeployments } from '../deployments/deployments-repo.ts';
import { scoreRequestSchema, scoreWithDeployment } from '../deployments/scoring.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { deployment, health, listOf, scoreResult } from '../http/response-schemas.ts';
import { parseInput } from '../http/validation.ts';

const listQuerySchema = z.object({
  environment: z
    .enum(['staging', 'production'], { error: 'environment must be staging or production' })
    .optional(),
  state: z
    .enum(deploymentStates, { error: `state must be one of ${deploymentStates.join(', ')}` })
    .optional(),
  serving: z
    .enum(['true', 'false'], { error: 'serving must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
  model: z.string().min(1).max(200).optional(),
});

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Deployments: release to staging, promote to production, roll back, health, scoring. */
export function registerDeploymentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { deployments, models, scoring } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'deployments', 'read');
  const write = requirePermission(ctx.pool, 'deployments', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };
  const scoringLimit = {
    ...limits.writes,
    max: ctx.config.operations.scoring.perMinute,
  };

  app.post(
    '/api/deployments',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Deploy a model version to staging (production only takes promotions)',
          body: deployRequestSchema,
          returns: deployment,
          responses: {
            201: 'the deployment, pending',
            404: 'no such version',
            409: 'refused, with the reason',
          },
        },
      },
    },
    async (request, reply) => {
      const input = parseInput(deployRequestSchema, request.body ?? {}, 'deployment request');
      const deployment = await deployments.deploy(principalOf(request), input, request.ip);
      return reply.status(201).send(deployment);
    },
  );

  app.get(
    '/api/deployments',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Deployments, newest first',
          query: listQuerySchema,
          returns: listOf(deployment),
          responses: { 200: '{ items }' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const query = parseInput(listQuerySchema, request.query, 'query');
      const items = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        listDeployments(db, principal.tenant.id, {
          environment: query.environment,
          state: query.state,
          serving: query.serving,
          modelName: query.model,
        }),
      );
      return { items };
    },
  );

  app.get(
    '/api/deployments/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'One deployment',
          returns: deployment,
          responses: { 200: 'the deployment', 404: 'not found' },
        },
      },
    },
    async (request) => deployments.find(principalOf(request).tenant.id, idOf(request)),
  );

  app.get(
    '/api/deployments/:id/health',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Health from recent scoring traffic: requests, error rate, p95 latency, verdict',
          returns: health,
          responses: { 200: 'the health', 404: 'not found' },
        },
      },
    },
    async (request) => deployments.health(principalOf(request).tenant.id, idOf(request)),
  );

  app.post(
    '/api/deployments/:id/promote',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Promote a healthy staging deployment to production, with an approval note',
          body: promoteRequestSchema,
          returns: deployment,
          responses: {
            201: 'the production deployment, pending',
            404: 'not found',
            409: 'refused, with the reason',
          },
        },
      },
    },
    async (request, reply) => {
      const { note } = parseInput(promoteRequestSchema, request.body ?? {}, 'promotion');
      const deployment = await deployments.promote(principalOf(request), idOf(request), note, request.ip);
      return reply.status(201).send(deployment);
    },
  );

  app.post(
    '/api/deployments/:id/rollback',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Roll back a serving deployment to the version it replaced, with a reason',
          body: rollbackRequestSchema,
          returns: deployment,
          responses: { 201: 'the redeployment of the previous version', 404: 'not found', 409: 'refused' },
        },
      },
    },
    async (request, reply) => {
      const { reason } = parseInput(rollbackRequestSchema, request.body ?? {}, 'rollback');
      const deployment = await deployments.rollback(principalOf(request), idOf(request), reason, request.ip);
      return reply.status(201).send(deployment);
    },
  );

  app.post(
    '/api/deployments/:id/score',
    {
      preHandler: read,
      config: {
        rateLimit: scoringLimit,
        doc: {
          ...api,
          summary: 'Score a batch of rows with the deployed model: scores and flags',
          body: scoreRequestSchema,
          returns: scoreResult,
          responses: {
            200: 'scores and flags',
            400: 'bad rows',
            404: 'not found',
            409: 'not serving',
            429: "over the tenant's scoring quota, with Retry-After",
          },
        },
      },
    },
    async (request, reply) =>
      scoreWithDeployment(
        {
          pool: ctx.pool,
          deployments,
          models,
          maxRows: ctx.config.operations.scoring.maxRows,
          threads: scoring.pool,
          quota: scoring.quota,
          scoredRows: scoring.rows,
        },
        { principal: principalOf(request), ip: request.ip },
        idOf(request),
        request.body,
        () => reply.elapsedTime,
      ),
  );
}
