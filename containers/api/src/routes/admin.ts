import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { createApiKey, revokeApiKey } from '../auth/api-keys.ts';
import { secretsMatch } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { withSystem } from '../db/pool.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { conflict, notFound, unauthenticated } from '../http/api-error.ts';
import { createdApiKey, tenant as tenantSchema, user as userSchema } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import {
  findTenantById,
  insertTenant,
  listTenants,
  newTenantSchema,
  purgeTenant,
  setTenantStatus,
  summarise,
  tenantStatusSchema,
} from '../tenants/tenants.ts';
import { changeRole, findUserById, insertUser, newUserSchema, roleChangeSchema } from '../tenants/users.ts';
import { registerAdminBrokerRoutes } from './admin-broker.ts';
import { registerAdminComplianceRoutes } from './admin-compliance.ts';

const apiKeyRequestSchema = z.object({ name: z.string().trim().min(1).max(100) });
const tenantListSchema = z.strictObject({
  slugPrefix: z
    .string()
    .regex(/^[a-z0-9-]{0,63}$/, 'slugPrefix holds only lowercase letters, digits or dashes, at most 63')
    .default(''),
});

const tenantNotFound = () => notFound('tenant');

function tenantIdOf(request: FastifyRequest): string {
  const { tenantId } = request.params as { tenantId: string };
  if (!isUuid(tenantId)) throw tenantNotFound();
  return tenantId;
}

/**
 * The admin API provisions tenants, users and API keys for the test harness and operators.
 * It exists only when a bootstrap token is configured, and answers only to that token.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const token = ctx.config.bootstrapToken;
  if (!token) return;

  const requireBootstrapToken = async (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !secretsMatch(match[1], token)) {
      throw unauthenticated('The admin API needs "Authorization: Bearer <bootstrap token>".');
    }
  };
  const doc = (
    summary: string,
    responses: Record<number, string>,
    body?: z.ZodType,
    returns?: z.ZodType,
  ) => ({
    doc: {
      summary,
      tag: 'admin' as const,
      auth: 'bootstrap' as const,
      responses,
      ...(body ? { body } : {}),
      ...(returns ? { returns } : {}),
    },
  });

  app.post(
    '/api/admin/tenants',
    {
      onRequest: requireBootstrapToken,
      config: doc('Create a tenant', { 201: 'the tenant', 409: 'slug taken' }, newTenantSchema, tenantSchema),
    },
    async (request, reply) => {
      const input = parseInput(newTenantSchema, request.body, 'tenant');
      const tenant = await withSystem(ctx.pool, (db) => insertTenant(db, input));
      if (!tenant) throw conflict(`A tenant with slug "${input.slug}" already exists; choose another slug.`);
      return reply.status(201).send(summarise(tenant));
    },
  );

  app.get(
    '/api/admin/tenants',
    {
      onRequest: requireBootstrapToken,
      config: doc('List tenants, optionally those whose slug starts with slugPrefix', {
        200: '{ tenants }',
      }),
    },
    async (request) => {
      const { slugPrefix } = parseInput(tenantListSchema, request.query ?? {}, 'tenant list query');
      return { tenants: await withSystem(ctx.pool, (db) => listTenants(db, slugPrefix)) };
    },
  );

  app.get(
    '/api/admin/tenants/:tenantId',
    {
      onRequest: requireBootstrapToken,
      config: doc('Read a tenant', { 200: 'the tenant', 404: 'no such tenant' }, undefined, tenantSchema),
    },
    async (request) => {
      const tenant = await withSystem(ctx.pool, (db) => findTenantById(db, tenantIdOf(request)));
      if (!tenant) throw tenantNotFound();
      return summarise(tenant);
    },
  );

  app.delete(
    '/api/admin/tenants/:tenantId',
    {
      onRequest: requireBootstrapToken,
      config: doc('Purge a tenant and its data', { 204: 'purged', 404: 'no such tenant' }),
    },
    async (request, reply) => {
      const purged = await withSystem(ctx.pool, (db) => purgeTenant(db, tenantIdOf(request)));
      if (!purged) throw tenantNotFound();
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/tenants/:tenantId/users',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'Create a user in a tenant',
        { 201: 'the user', 404: 'no such tenant', 409: 'email taken' },
        newUserSchema,
        userSchema,
      ),
    },
    async (request, reply) => {
      const tenantId = tenantIdOf(request);
      const input = parseInput(newUserSchema, request.body, 'user');
      const user = await withSystem(ctx.pool, async (db) => {
        if (!(await findTenantById(db, tenantId))) throw tenantNotFound();
        return insertUser(db, tenantId, input);
      });
      if (!user) throw conflict('This tenant already has a user with that email; use the existing user.');
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/admin/tenants/:tenantId',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        "Suspend or reactivate a tenant (suspension ends its members' live feeds)",
        { 200: 'the tenant', 404: 'no such tenant' },
        tenantStatusSchema,
        tenantSchema,
      ),
    },
    async (request) => {
      const tenantId = tenantIdOf(request);
      const { status } = parseInput(tenantStatusSchema, request.body, 'tenant status');
      const tenant = await withSystem(ctx.pool, async (db) => {
        const changed = await setTenantStatus(db, tenantId, status);
        if (changed) {
          await recordAudit(db, tenantId, {
            action: status === 'suspended' ? 'tenant.suspend' : 'tenant.reactivate',
            outcome: 'success',
            actorEmail: 'admin-api',
            targetType: 'tenant',
            targetId: tenantId,
            ip: request.ip,
          });
        }
        return changed;
      });
      if (!tenant) throw tenantNotFound();
      if (status === 'suspended')
        ctx.operations.feed.revoke(tenantId, { all: true }, feedClosures.tenantSuspended);
      return summarise(tenant);
    },
  );

  app.patch(
    '/api/admin/tenants/:tenantId/users/:userId',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        "Change a user's role (ends their live feeds, which were opened under the old one)",
        { 200: 'the user', 404: 'no such user' },
        roleChangeSchema,
        userSchema,
      ),
    },
    async (request) => {
      const tenantId = tenantIdOf(request);
      const { userId } = request.params as { userId: string };
      if (!isUuid(userId)) throw notFound('user');
      const { role } = parseInput(roleChangeSchema, request.body, 'role change');
      const changed = await withSystem(ctx.pool, async (db) => {
        const result = await changeRole(db, tenantId, userId, role);
        if (result && result.before.role !== role) {
          await recordAudit(db, tenantId, {
            action: 'user.role_change',
            outcome: 'success',
            actorEmail: 'admin-api',
            targetType: 'user',
            targetId: userId,
            ip: request.ip,
            details: { from: result.before.role, to: role },
          });
        }
        return result;
      });
      if (!changed) throw notFound('user');
      if (changed.before.role !== role)
        ctx.operations.feed.revoke(tenantId, { userId }, feedClosures.roleChanged);
      return changed.after;
    },
  );

  app.post(
    '/api/admin/tenants/:tenantId/users/:userId/api-keys',
    {
      onRequest: requireBootstrapToken,
      config: doc(
        'Create an API key for a user (shown once)',
        { 201: 'the key', 404: 'no such user' },
        apiKeyRequestSchema,
        createdApiKey,
      ),
    },
    async (request, reply) => {
      const tenantId = tenantIdOf(request);
      const { userId } = request.params as { userId: string };
      if (!isUuid(userId)) throw notFound('user');
      const { name } = parseInput(apiKeyRequestSchema, request.body, 'API key request');
      const created = await withSystem(ctx.pool, async (db) => {
        const user = await findUserById(db, tenantId, userId);
        if (!user) throw notFound('user');
        const key = await createApiKey(db, tenantId, userId, name);
        await recordAudit(db, tenantId, {
          action: 'api_key.create',
          outcome: 'success',
          actorId: null,
          actorEmail: 'admin-api',
          targetType: 'api_key',
          targetId: key.id,
          ip: request.ip,
          details: { name, owner: user.id },
        });
        return key;
      });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/admin/tenants/:tenantId/users/:userId/api-keys/:keyId',
    {
      onRequest: requireBootstrapToken,
      config: doc('Revoke an API key', { 204: 'revoked', 404: 'no such live key' }),
    },
    async (request, reply) => {
      const tenantId = tenantIdOf(request);
      const { userId, keyId } = request.params as { userId: string; keyId: string };
      if (!isUuid(userId) || !isUuid(keyId)) throw notFound('API key');
      const revoked = await withSystem(ctx.pool, async (db) => {
        const done = await revokeApiKey(db, tenantId, userId, keyId);
        if (done) {
          await recordAudit(db, tenantId, {
            action: 'api_key.revoke',
            outcome: 'success',
            actorEmail: 'admin-api',
            targetType: 'api_key',
            targetId: keyId,
            ip: request.ip,
          });
        }
        return done;
      });
      if (!revoked) throw notFound('API key');
      ctx.operations.feed.revoke(tenantId, { credentialId: keyId }, feedClosures.keyRevoked);
      return reply.status(204).send();
    },
  );

  registerAdminComplianceRoutes(app, ctx, requireBootstrapToken, doc);
  registerAdminBrokerRoutes(app, ctx, requireBootstrapToken, doc);
}
