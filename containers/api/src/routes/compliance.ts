import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import { eraseUser } from '../compliance/erasure.ts';
import {
  changeRetentionPolicy,
  readRetentionPolicy,
  retentionPolicySchema,
} from '../compliance/retention-policy.ts';
import { purgeOneTenant } from '../compliance/retention-purge.ts';
import type { AppContext } from '../context.ts';
import { withSystem, withTenant } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { conflict, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import { listUsers } from '../tenants/users.ts';

/** Refuses erasing oneself: the request would be recorded under the very identity it removes. */
export function assertNotSelf(request: FastifyRequest, userId: string): void {
  if (principalOf(request).userId === userId) {
    throw conflict('You cannot erase your own account; ask another tenant admin to do it.');
  }
}

/**
 * The tenant admin's compliance controls: the retention policy, purging by it on demand, the
 * people of the organisation, and erasing a person's personal data on request.
 */
export function registerComplianceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'admin', 'read');
  const write = requirePermission(ctx.pool, 'admin', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.get(
    '/api/retention',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'The retention policy: days raw stream events and datasets are kept (null = forever)',
          responses: { 200: '{ eventsDays, datasetsDays, updatedAt, updatedBy }', 403: 'not a tenant admin' },
        },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenant.id;
      return withTenant(ctx.pool, tenantId, (db) => readRetentionPolicy(db, tenantId));
    },
  );

  app.put(
    '/api/retention',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Set the retention policy (audited as settings.retention)',
          body: retentionPolicySchema,
          responses: { 200: 'the policy', 400: 'invalid days', 403: 'not a tenant admin' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const settings = parseInput(retentionPolicySchema, request.body, 'retention policy');
      return withTenant(ctx.pool, tenantId, (db) =>
        changeRetentionPolicy(db, principal, settings, request.ip),
      );
    },
  );

  app.post(
    '/api/retention/purge',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Purge now what the retention policy no longer keeps; answers the exact counts',
          responses: { 200: '{ counts, eventsCutoff, datasetsCutoff, datasetsHeld, audited }' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return purgeOneTenant(ctx.pool, principal.tenant.id, ctx.clock.now(), 'tenant_admin', {
        id: principal.userId,
        email: principal.email,
        ip: request.ip,
      });
    },
  );

  app.get(
    '/api/users',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'The people of the organisation (erased ones under their pseudonym)',
          responses: { 200: '{ items: [{ id, email, name, role, erasedAt }] }' },
        },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenant.id;
      return { items: await withTenant(ctx.pool, tenantId, (db) => listUsers(db, tenantId)) };
    },
  );

  app.post(
    '/api/users/:userId/erase',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary:
            "Erase a person's personal data: pseudonymised everywhere, sessions ended, API keys revoked (idempotent)",
          responses: { 200: 'what was changed', 404: 'no such user', 409: 'your own account' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { userId } = request.params as { userId: string };
      if (!isUuid(userId)) throw notFound('user');
      assertNotSelf(request, userId);
      const result = await withSystem(ctx.pool, (db) =>
        eraseUser(db, principal.tenant.id, userId, {
          id: principal.userId,
          email: principal.email,
          ip: request.ip,
        }),
      );
      if (!result) throw notFound('user');
      ctx.operations.feed.revoke(principal.tenant.id, { userId }, feedClosures.erased);
      return result;
    },
  );
}
