import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { withSystem } from '../db/pool.ts';
import { forbidden, notFound, unauthenticated } from '../http/api-error.ts';
import { brokerRights, issuedProducerCredential } from '../http/response-schemas.ts';
import { parseInput } from '../http/validation.ts';
import {
  issueProducerCredential,
  newProducerCredentialSchema,
  producerOwner,
  producerPublishTopic,
  verifyProducerCredential,
} from '../streaming/producer-credentials.ts';
import { findTenantBySlug } from '../tenants/tenants.ts';
import type { AdminDoc } from './admin-compliance.ts';

const connectSchema = z.strictObject({
  username: z.string().max(200),
  password: z.string().max(500),
  clientId: z.string().max(200),
});

const adminCredentialSchema = newProducerCredentialSchema.extend({ tenantSlug: z.string().max(63) });

const refusalSchema = z.strictObject({
  username: z.string().max(200),
  clientId: z.string().max(200),
  attempt: z.enum(['connect', 'subscribe', 'publish']),
  /** The topic or filter refused (none for a connection). */
  topic: z.string().max(1000).optional(),
});
type Refusal = z.infer<typeof refusalSchema>;

/** The tenant a topic names (`tenants/<slug>/...`), if any. */
const tenantSlugOf = (topic: string | undefined): string | null => {
  const [root, slug] = (topic ?? '').split('/');
  return root === 'tenants' && slug && !slug.includes('+') && !slug.includes('#') ? slug : null;
};

/**
 * Records a refused broker attempt where the people it concerns look: the tenant whose producer
 * tried it, and the tenant whose topic it aimed at when that is another one.
 */
async function recordRefusal(ctx: AppContext, refusal: Refusal, ip: string): Promise<void> {
  const owner = producerOwner(refusal.username);
  if (!owner) return;
  await withSystem(ctx.pool, async (db) => {
    const ownerTenant = await findTenantBySlug(db, owner.tenantSlug);
    const targetSlug = tenantSlugOf(refusal.topic);
    const target =
      targetSlug && targetSlug !== owner.tenantSlug ? await findTenantBySlug(db, targetSlug) : null;
    for (const tenant of [ownerTenant, target]) {
      if (!tenant) continue;
      await recordAudit(db, tenant.id, {
        action: 'broker.refused',
        outcome: 'denied',
        actorEmail: refusal.username,
        targetType: 'producer_credential',
        targetId: owner.credentialId,
        ip,
        details: {
          attempt: refusal.attempt,
          clientId: refusal.clientId,
          producerTenant: owner.tenantSlug,
          ...(refusal.topic === undefined ? {} : { topic: refusal.topic }),
        },
      });
    }
  });
}

/**
 * What the broker asks the platform: who a producer is and what it may do, and where to record
 * what it refused. The embedded broker calls these; Mosquitto holds the same rule in its own
 * configuration. Part of the admin API, so only the bootstrap token reaches them.
 */
export function registerAdminBrokerRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  requireBootstrapToken: (request: FastifyRequest) => Promise<void>,
  doc: AdminDoc,
): void {
  app.post(
    '/api/admin/producer-credentials',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        "Issue a broker credential for a tenant's producers (the password is shown once)",
        { 201: 'the credential with its password', 404: 'no such tenant' },
        adminCredentialSchema,
        issuedProducerCredential,
      ),
    },
    async (request, reply) => {
      const { tenantSlug, name } = parseInput(
        adminCredentialSchema,
        request.body ?? {},
        'producer credential',
      );
      const issued = await withSystem(ctx.pool, async (db) => {
        const tenant = await findTenantBySlug(db, tenantSlug);
        if (!tenant) throw notFound('tenant');
        return issueProducerCredential(db, ctx.brokerUsers, tenant, name, {
          email: 'admin-api',
          ip: request.ip,
        });
      });
      return reply.status(201).send(issued);
    },
  );

  app.post(
    '/api/admin/broker/authenticate',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'The broker asks whether a producer may connect, and what it may publish to',
        {
          200: 'its rights',
          401: 'unknown or revoked credential, or a wrong password',
          403: 'a client id other than its own user name',
        },
        connectSchema,
        brokerRights,
      ),
    },
    async (request) => {
      const input = parseInput(connectSchema, request.body, 'connection');
      const producer = await verifyProducerCredential(ctx.pool, input.username, input.password);
      if (!producer) throw unauthenticated('No live producer credential has this user name and password.');
      if (input.clientId !== producer.username) {
        // Its own id only: another client's id would take over (or wipe) that client's session.
        await recordRefusal(
          ctx,
          { username: input.username, clientId: input.clientId, attempt: 'connect' },
          request.ip,
        );
        throw forbidden('A producer connects with its user name as its client id.');
      }
      return { tenantSlug: producer.tenantSlug, publishTopic: producerPublishTopic(producer.tenantSlug) };
    },
  );

  app.post(
    '/api/admin/broker/refusals',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'The broker reports a refused subscription or publication',
        { 204: 'recorded' },
        refusalSchema,
      ),
    },
    async (request, reply) => {
      await recordRefusal(ctx, parseInput(refusalSchema, request.body, 'refusal'), request.ip);
      return reply.status(204).send();
    },
  );
}
