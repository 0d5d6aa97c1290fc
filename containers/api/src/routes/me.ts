import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.ts';
import { principalOf, requireUser } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { createdApiKey, me } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';

const newKeySchema = z.object({ name: z.string().trim().min(1).max(100) });

/** The caller's own identity and API keys. */
export function registerMeRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const user = { auth: 'user' as const, tag: 'api' as const };

  app.get(
    '/api/me',
    {
      preHandler: requireUser,
      config: {
        doc: {
          ...user,
          summary: 'Who am I',
          returns: me,
          responses: { 200: 'the caller', 401: 'not signed in' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        id: principal.userId,
        email: principal.email,
        name: principal.name,
        role: principal.role,
        tenant: principal.tenant,
        // Session callers need it for x-csrf-token on non-JSON writes; API-key callers do not.
        ...(principal.csrfToken ? { csrfToken: principal.csrfToken } : {}),
      };
    },
  );

  app.get(
    '/api/me/api-keys',
    {
      preHandler: requireUser,
      config: { doc: { ...user, summary: 'My API keys (never the secret)', responses: { 200: 'the keys' } } },
    },
    async (request) => {
      const principal = principalOf(request);
      const items = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        listApiKeys(db, principal.tenant.id, principal.userId),
      );
      return { items };
    },
  );

  app.post(
    '/api/me/api-keys',
    {
      preHandler: requireUser,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...user,
          summary: 'Create an API key for myself (shown once)',
          body: newKeySchema,
          returns: createdApiKey,
          responses: { 201: 'the key' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { name } = parseInput(newKeySchema, request.body, 'API key request');
      const created = await withTenant(ctx.pool, principal.tenant.id, async (db) => {
        const key = await createApiKey(db, principal.tenant.id, principal.userId, name);
        await recordAudit(db, principal.tenant.id, {
          action: 'api_key.create',
          outcome: 'success',
          actorId: principal.userId,
          actorEmail: principal.email,
          targetType: 'api_key',
          targetId: key.id,
          ip: request.ip,
          details: { name },
        });
        return key;
      });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/me/api-keys/:keyId',
    {
      preHandler: requireUser,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...user,
          summary: 'Revoke one of my API keys',
          responses: { 204: 'revoked', 404: 'no such live key' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { keyId } = request.params as { keyId: string };
      if (!isUuid(keyId)) throw notFound('API key');
      const revoked = await withTenant(ctx.pool, principal.tenant.id, async (db) => {
        const done = await revokeApiKey(db, principal.tenant.id, principal.userId, keyId);
        if (done) {
          await recordAudit(db, principal.tenant.id, {
            action: 'api_key.revoke',
            outcome: 'success',
            actorId: principal.userId,
            actorEmail: principal.email,
            targetType: 'api_key',
            targetId: keyId,
            ip: request.ip,
          });
        }
        return done;
      });
      if (!revoked) throw notFound('API key');
      ctx.operations.feed.revoke(principal.tenant.id, { credentialId: keyId }, feedClosures.keyRevoked);
      return reply.status(204).send();
    },
  );
}
