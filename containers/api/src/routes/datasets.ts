import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { findDataset, listDatasets } from '../datasets/datasets-repo.ts';
import { readUploadForm } from '../datasets/upload-reader.ts';
import { recordRefusedUpload, storeUploadedDataset } from '../datasets/upload-service.ts';
import { withTenant } from '../db/pool.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { dataset, pageOf } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const uploadBodyDoc = z.object({
  file: z.string().describe('the CSV file (binary)'),
  name: z.string().optional(),
  labelColumn: z.string().optional(),
});

export function registerDatasetRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'datasets', 'read');
  const write = requirePermission(ctx.pool, 'datasets', 'write');

  app.post(
    '/api/datasets',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          summary: 'Upload a CSV dataset',
          tag: 'api',
          auth: 'user',
          body: uploadBodyDoc,
          bodyType: 'multipart/form-data',
          returns: dataset,
          responses: { 201: 'the dataset', 400: 'invalid CSV', 413: 'too large', 415: 'not a CSV' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      let form: Awaited<ReturnType<typeof readUploadForm>>;
      try {
        form = await readUploadForm(request, ctx.config.upload.maxBytes);
      } catch (error) {
        if (error instanceof ApiError)
          await recordRefusedUpload(ctx, principal, request.ip, error, undefined);
        throw error;
      }
      const dataset = await storeUploadedDataset(ctx, principal, request, form);
      return reply.status(201).send(dataset);
    },
  );

  app.get(
    '/api/datasets',
    {
      preHandler: read,
      config: {
        doc: {
          summary: 'List datasets, newest first',
          tag: 'api',
          auth: 'user',
          query: pageQuerySchema,
          returns: pageOf(dataset),
          responses: { 200: '{ items, total }' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const page = parseInput(pageQuerySchema, request.query, 'query');
      return withTenant(ctx.pool, principal.tenant.id, (db) => listDatasets(db, principal.tenant.id, page));
    },
  );

  app.get(
    '/api/datasets/:id',
    {
      preHandler: read,
      config: {
        doc: {
          summary: 'A dataset with its profile',
          tag: 'api',
          auth: 'user',
          returns: dataset,
          responses: { 200: 'the dataset', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('dataset');
      const dataset = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findDataset(db, principal.tenant.id, id),
      );
      if (!dataset) throw notFound('dataset');
      const { columnTypes: _types, ...body } = dataset;
      return body;
    },
  );
}
