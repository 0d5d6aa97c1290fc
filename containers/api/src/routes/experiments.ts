import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { createExperiment, newExperimentSchema } from '../experiments/experiment-service.ts';
import { findExperiment, findJob, listExperiments } from '../experiments/experiments-repo.ts';
import { rankingMetrics, rankRuns } from '../experiments/leaderboard.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { experiment, job, leaderboardEntry, pageOf } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import { pageQuerySchema } from './datasets.ts';

const leaderboardQuerySchema = z.object({
  metric: z
    .enum(rankingMetrics, { error: `metric must be one of ${rankingMetrics.join(', ')}` })
    .default('f1'),
});

const listQuerySchema = pageQuerySchema.extend({ datasetId: z.uuid().optional() });

export function registerExperimentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'datasets', 'read');
  const write = requirePermission(ctx.pool, 'datasets', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.post(
    '/api/experiments',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Start an experiment over one dataset',
          body: newExperimentSchema,
          returns: experiment,
          responses: { 201: 'the experiment (its job has started)', 400: 'invalid', 404: 'no such dataset' },
        },
      },
    },
    async (request, reply) => {
      const input = parseInput(newExperimentSchema, request.body, 'experiment');
      const experiment = await createExperiment(ctx, principalOf(request), input, request.ip);
      return reply.status(201).send(experiment);
    },
  );

  app.get(
    '/api/experiments',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'List experiments, newest first',
          query: listQuerySchema,
          returns: pageOf(experiment),
          responses: { 200: '{ items, total }' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const page = parseInput(listQuerySchema, request.query, 'query');
      return withTenant(ctx.pool, principal.tenant.id, (db) =>
        listExperiments(db, principal.tenant.id, page),
      );
    },
  );

  app.get(
    '/api/experiments/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'An experiment with its runs',
          returns: experiment,
          responses: { 200: 'the experiment', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('experiment');
      const experiment = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findExperiment(db, principal.tenant.id, id),
      );
      if (!experiment) throw notFound('experiment');
      return experiment;
    },
  );

  app.get(
    '/api/experiments/:id/leaderboard',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Completed runs ranked by a metric, best first',
          query: leaderboardQuerySchema,
          returns: z.strictObject({ metric: z.string(), entries: z.array(leaderboardEntry) }),
          responses: { 200: '{ metric, entries }', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      const { metric } = parseInput(leaderboardQuerySchema, request.query, 'query');
      if (!isUuid(id)) throw notFound('experiment');
      const experiment = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findExperiment(db, principal.tenant.id, id),
      );
      if (!experiment) throw notFound('experiment');
      return { metric, entries: rankRuns(experiment.runs, metric) };
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'A job: state and progress',
          returns: job,
          responses: { 200: 'the job', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('job');
      const job = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findJob(db, principal.tenant.id, id),
      );
      if (!job) throw notFound('job');
      return job;
    },
  );
}
