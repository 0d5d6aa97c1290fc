import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/audit-log.ts';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { issuedProducerCredential, listOf, producerCredential } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import {
  issueProducerCredential,
  listProducerCredentials,
  newProducerCredentialSchema,
  revokeProducerCredential,
} from '../streaming/producer-credentials.ts';

/** A tenant's broker credentials for its producers: issued (secret shown once), listed, revoked. */
export function registerProducerCredentialRoutes(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'streaming', 'read');
  const write = requirePermission(ctx.pool, 'streaming', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.post(
    '/api/producer-credentials',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: "Issue a broker credential for this tenant's producers (the password is shown once)",
          body: newProducerCredentialSchema,
          returns: issuedProducerCredential,
          responses: { 201: 'the credential with its password' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { name } = parseInput(newProducerCredentialSchema, request.body ?? {}, 'producer credential');
      const issued = await withTenant(ctx.pool, principal.tenant.id, (db) =>
        issueProducerCredential(db, ctx.brokerUsers, principal.tenant, name, {
          id: principal.userId,
          email: principal.email,
          ip: request.ip,
        }),
      );
      return reply.status(201).send(issued);
    },
  );

  app.get(
    '/api/producer-credentials',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: "This tenant's producer credentials, revoked ones included (never the password)",
          returns: listOf(producerCredential),
          responses: { 200: '{ items }' },
        },
      },
    },
    async (request) => {
      const { tenant } = principalOf(request);
      return { items: await withTenant(ctx.pool, tenant.id, (db) => listProducerCredentials(db, tenant)) };
    },
  );

  app.delete(
    '/api/producer-credentials/:id',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Revoke a producer credential: the broker refuses it from its next connection on',
          responses: { 204: 'revoked', 404: 'no such live credential' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw notFound('producer credential');
      const revoked = await withTenant(ctx.pool, principal.tenant.id, async (db) => {
        const done = await revokeProducerCredential(db, ctx.brokerUsers, principal.tenant, id);
        if (done) {
          await recordAudit(db, principal.tenant.id, {
            action: 'producer_credential.revoke',
            outcome: 'success',
            actorId: principal.userId,
            actorEmail: principal.email,
            targetType: 'producer_credential',
            targetId: id,
            ip: request.ip,
          });
        }
        return done;
      });
      if (!revoked) throw notFound('producer credential');
      return reply.status(204).send();
    },
  );
}
