import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { findDataset, loadDatasetRows } from '../datasets/datasets-repo.ts';
import { withTenant } from '../db/pool.ts';
import { rerun, rerunSchema } from '../experiments/experiment-service.ts';
import { findExperiment, findRun, loadRunResults } from '../experiments/experiments-repo.ts';
import { streamResultsCsv, streamResultsJson } from '../exports/run-results.ts';
import { conflict, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { run, runResultRow } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';

const resultsQuerySchema = z.object({
  format: z.enum(['csv', 'json'], { error: 'format must be csv or json' }).default('json'),
});

export function registerRunRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'datasets', 'read');
  const write = requirePermission(ctx.pool, 'datasets', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.get(
    '/api/runs/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'A run: parameters, status, metrics',
          returns: run,
          responses: { 200: 'the run', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('run');
      const run = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findRun(db, principal.tenant.id, id),
      );
      if (!run) throw notFound('run');
      return run;
    },
  );

  app.post(
    '/api/runs/:id/rerun',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'A new run in the same experiment with changed parameters',
          body: rerunSchema,
          returns: run,
          responses: { 201: 'the new run', 400: 'invalid', 404: 'not found' },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { params } = parseInput(rerunSchema, request.body ?? {}, 're-run');
      const run = await rerun(ctx, principalOf(request), id, params, request.ip);
      return reply.status(201).send(run);
    },
  );

  app.get(
    '/api/runs/:id/results',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Per-row results as CSV (formula cells neutralised) or JSON',
          query: resultsQuerySchema,
          returns: z.strictObject({ runId: z.string(), rows: z.array(runResultRow) }),
          responses: { 200: 'the results', 404: 'not found', 409: 'run not completed' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const { id } = request.params as { id: string };
      const { format } = parseInput(resultsQuerySchema, request.query, 'query');
      if (!isUuid(id)) throw notFound('run');
      const input = await withTenant(ctx.pool, tenantId, async (db) => {
        const run = await findRun(db, tenantId, id);
        if (!run) throw notFound('run');
        if (run.status !== 'completed')
          throw conflict(`The run is ${run.status}; export its results once it has completed.`);
        const experiment = await findExperiment(db, tenantId, run.experimentId);
        const dataset = experiment ? await findDataset(db, tenantId, experiment.datasetId) : null;
        const results = await loadRunResults(db, tenantId, id);
        if (!dataset || !results) throw notFound('run');
        await recordAudit(db, tenantId, {
          action: 'export.results',
          outcome: 'success',
          actorId: principal.userId,
          actorEmail: principal.email,
          targetType: 'run',
          targetId: id,
          ip: request.ip,
          details: { format },
        });
        return {
          columns: dataset.columns,
          rows: await loadDatasetRows(db, tenantId, dataset.id),
          ...results,
        };
      });
      reply.header('content-disposition', `attachment; filename="run-${id}.${format}"`);
      // Streamed in batches: a 200,000-row export must not hold up other requests.
      if (format === 'csv')
        return reply.type('text/csv; charset=utf-8').send(Readable.from(streamResultsCsv(input)));
      return reply.type('application/json; charset=utf-8').send(Readable.from(streamResultsJson(id, input)));
    },
  );
}
