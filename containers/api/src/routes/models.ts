import type { FastifyInstance } from 'fastify';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { listOf, modelVersion } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import { findModelVersion, listModelVersions } from '../models/model-versions.ts';
import { registerModelVersion, registrationSchema } from '../models/registration.ts';

export function registerModelRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.post(
    '/api/models/versions',
    {
      preHandler: requirePermission(ctx.pool, 'models', 'write'),
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Register a completed run as a model version',
          body: registrationSchema,
          returns: modelVersion,
          responses: { 201: 'the version', 404: 'no such run', 409: 'run not completed' },
        },
      },
    },
    async (request, reply) => {
      const input = parseInput(registrationSchema, request.body, 'registration');
      const version = await registerModelVersion(ctx, principalOf(request), input, request.ip);
      return reply.status(201).send(version);
    },
  );

  app.get(
    '/api/models/versions',
    {
      preHandler: requirePermission(ctx.pool, 'models', 'read'),
      config: {
        doc: {
          ...api,
          summary: 'All model versions',
          returns: listOf(modelVersion),
          responses: { 200: '{ items }' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const items = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        listModelVersions(db, principal.tenant.id),
      );
      return { items };
    },
  );

  app.get(
    '/api/models/versions/:id',
    {
      preHandler: requirePermission(ctx.pool, 'models', 'read'),
      config: {
        doc: {
          ...api,
          summary: 'One model version',
          returns: modelVersion,
          responses: { 200: 'the version', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('model version');
      const version = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        findModelVersion(db, principal.tenant.id, id),
      );
      if (!version) throw notFound('model version');
      return version;
    },
  );
}
