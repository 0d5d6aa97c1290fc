import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/request-auth.ts';
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
import { ApiError, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import { listUsers } from '../tenants/users.ts';
import { purgeSummary, retentionLabels } from '../ui/compliance-labels.ts';
import { firstString, pageAccess, sendPage } from '../ui/page-access.ts';
import { renderPeoplePage } from '../ui/pages/people-page.ts';
import { renderRetentionPage } from '../ui/pages/retention-page.ts';
import { assertNotSelf } from './compliance.ts';
import { formPostAnswering, page } from './page-docs.ts';

const formPost = formPostAnswering({ 200: 'page with the outcome', 400: 'page with the problems' });

const fieldWords: Record<string, string> = {
  eventsDays: retentionLabels.eventsField,
  datasetsDays: retentionLabels.datasetsField,
};

/** A form's days field: empty keeps forever; anything else must read as a number for the schema to judge. */
const daysField = (value: string) => (value.trim() === '' ? null : Number(value.trim()));

/** The tenant admin's settings pages: data retention, and the people of the organisation. */
export function registerSettingsPages(app: FastifyInstance, ctx: AppContext): void {
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'admin', 'read');
  const write = pageAccess(ctx.pool, 'admin', 'write');
  const policyOf = (tenantId: string) =>
    withTenant(ctx.pool, tenantId, (db) => readRetentionPolicy(db, tenantId));
  const membersOf = (tenantId: string) => withTenant(ctx.pool, tenantId, (db) => listUsers(db, tenantId));
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

  app.get(
    '/settings/retention',
    { preHandler: read, config: page('Data retention settings') },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(reply, renderRetentionPage(principal, { policy: await policyOf(principal.tenant.id) }));
    },
  );

  app.post(
    '/settings/retention',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Save the retention policy') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const values = {
        eventsDays: firstString(body(request).eventsDays),
        datasetsDays: firstString(body(request).datasetsDays),
      };
      let settings: ReturnType<typeof retentionPolicySchema.parse>;
      try {
        settings = parseInput(
          retentionPolicySchema,
          { eventsDays: daysField(values.eventsDays), datasetsDays: daysField(values.datasetsDays) },
          'retention policy',
        );
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const problems = (error.details as { field: string; problem: string }[]).map(
          (detail) => `${fieldWords[detail.field] ?? detail.field}: ${detail.problem}.`,
        );
        return sendPage(
          reply,
          renderRetentionPage(principal, { policy: await policyOf(tenantId), values, problems }),
          400,
        );
      }
      const policy = await withTenant(ctx.pool, tenantId, (db) =>
        changeRetentionPolicy(db, principal, settings, request.ip),
      );
      return sendPage(reply, renderRetentionPage(principal, { policy, notice: retentionLabels.saved }));
    },
  );

  app.post(
    '/settings/retention/purge',
    {
      preHandler: write,
      config: { rateLimit: limits.writes, ...formPost('Purge by the retention policy now') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await purgeOneTenant(ctx.pool, principal.tenant.id, ctx.clock.now(), 'tenant_admin', {
        id: principal.userId,
        email: principal.email,
        ip: request.ip,
      });
      return sendPage(
        reply,
        renderRetentionPage(principal, {
          policy: await policyOf(principal.tenant.id),
          notice: purgeSummary(result.counts, result.datasetsHeld.length),
        }),
      );
    },
  );

  app.get(
    '/settings/people',
    { preHandler: read, config: page('People of the organisation') },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(reply, renderPeoplePage(principal, { members: await membersOf(principal.tenant.id) }));
    },
  );

  app.post(
    '/settings/people/:userId/erase',
    {
      preHandler: write,
      config: { rateLimit: limits.writes, ...formPost("Erase a person's personal data") },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { userId } = request.params as { userId: string };
      if (!isUuid(userId)) throw notFound('user');
      try {
        assertNotSelf(request, userId);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const members = await membersOf(principal.tenant.id);
        return sendPage(reply, renderPeoplePage(principal, { members, problems: [error.message] }), 409);
      }
      const result = await withSystem(ctx.pool, (db) =>
        eraseUser(db, principal.tenant.id, userId, {
          id: principal.userId,
          email: principal.email,
          ip: request.ip,
        }),
      );
      if (!result) throw notFound('user');
      ctx.operations.feed.revoke(principal.tenant.id, { userId }, feedClosures.erased);
      const members = await membersOf(principal.tenant.id);
      return sendPage(
        reply,
        renderPeoplePage(principal, {
          members,
          notice: `Personal data erased: the account now shows as ${result.pseudonym}, its sessions ended and ${result.apiKeys} API key${result.apiKeys === 1 ? ' was' : 's were'} revoked.`,
        }),
      );
    },
  );
}
