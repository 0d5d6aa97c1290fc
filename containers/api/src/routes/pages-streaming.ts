import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  insertAlertRule,
  listAlertRules,
  listAlerts,
  newAlertRuleSchema,
} from '../alerts/alert-rules-repo.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { listDeployments } from '../deployments/deployments-repo.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { parseInput } from '../http/validation.ts';
import { newSessionSchema } from '../streaming/session-service.ts';
import { sessionActions } from '../streaming/session-states.ts';
import { listSetAside } from '../streaming/set-aside-repo.ts';
import { firstString, formProblems, isApiError, pageAccess, sendPage } from '../ui/page-access.ts';
import { type RuleFormValues, renderSessionPage, type SessionPageView } from '../ui/pages/session-page.ts';
import { renderSessionsPage } from '../ui/pages/sessions-page.ts';
import { formPostAnswering, page } from './page-docs.ts';

type Body = Record<string, unknown>;

const formPost = formPostAnswering({
  303: 'to the session',
  400: 'page with the problems',
  409: 'page with the reason',
});

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** The rule form's fields in the words of its labels (the API's messages name API fields). */
const ruleFieldProblems: Record<string, string> = {
  name: 'Rule name is required.',
  threshold: 'Anomaly rate threshold must be a percentage from 0 up to (not including) 100.',
  windowSeconds: 'Window must be a whole number of seconds from 5 to 86400.',
  minEvents: 'Minimum events must be a whole number of at least 1.',
};

/** Streaming sessions: list and create; the live dashboard with controls, alert rules and alerts. */
export function registerStreamingPages(app: FastifyInstance, ctx: AppContext): void {
  const { sessions } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'streaming', 'read');
  const write = pageAccess(ctx.pool, 'streaming', 'write');

  const listView = async (tenantId: string) => ({
    sessions: await sessions.list(tenantId),
    production: await withTenant(ctx.pool, tenantId, (db) =>
      listDeployments(db, tenantId, { environment: 'production', serving: true }),
    ),
  });

  const sessionView = async (principal: Principal, id: string, extra: Partial<SessionPageView> = {}) => {
    const tenantId = principal.tenant.id;
    const session = await sessions.find(tenantId, id);
    const [metrics, related] = await Promise.all([
      sessions.metrics(tenantId, session.id),
      withTenant(ctx.pool, tenantId, async (db) => ({
        rules: await listAlertRules(db, tenantId, session.id),
        alerts: await listAlerts(db, tenantId, { sessionId: session.id, limit: 50 }),
        setAside: await listSetAside(db, tenantId, session.id, { limit: 50, offset: 0 }),
      })),
    ]);
    return { session, metrics, ...related, ...extra };
  };

  app.get(
    '/sessions',
    { preHandler: read, config: page('Streaming sessions and the new-session form') },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(reply, renderSessionsPage(principal, await listView(principal.tenant.id)));
    },
  );

  app.post(
    '/sessions',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Create a streaming session') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = (request.body ?? {}) as Body;
      const name = firstString(body.name).trim();
      try {
        const input = parseInput(
          newSessionSchema,
          { name: name.slice(0, 200), deploymentId: firstString(body.deploymentId) },
          'session',
        );
        const session = await sessions.create(principal, input, request.ip);
        return reply.redirect(`/sessions/${session.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code === 'forbidden') throw error;
        const view = await listView(principal.tenant.id);
        const problems =
          name === '' ? ['Session name is required: give the session a name.'] : formProblems(error);
        return sendPage(reply, renderSessionsPage(principal, { ...view, problems, name }), error.statusCode);
      }
    },
  );

  app.get(
    '/sessions/:id',
    {
      preHandler: read,
      config: page('A session: live metrics and chart, controls, set-aside events, alert rules, alerts'),
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return sendPage(reply, renderSessionPage(principal, await sessionView(principal, idOf(request))));
    },
  );

  for (const action of sessionActions) {
    app.post(
      `/sessions/:id/${action}`,
      { preHandler: write, config: { rateLimit: limits.writes, ...formPost(`${action} the session`) } },
      async (request, reply) => {
        const principal = principalOf(request);
        try {
          const session = await sessions.act(principal, idOf(request), action, request.ip);
          return reply.redirect(`/sessions/${session.id}`, 303);
        } catch (error) {
          if (!isApiError(error) || error.code !== 'conflict') throw error;
          const view = await sessionView(principal, idOf(request), { problems: [error.message] });
          return sendPage(reply, renderSessionPage(principal, view), error.statusCode);
        }
      },
    );
  }

  app.post(
    '/sessions/:id/alert-rules',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Add an alert rule') } },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const session = await sessions.find(tenantId, idOf(request));
      const body = (request.body ?? {}) as Body;
      const values: RuleFormValues = {
        name: firstString(body.name).trim(),
        threshold: firstString(body.threshold).trim(),
        windowSeconds: firstString(body.windowSeconds).trim(),
        minEvents: firstString(body.minEvents).trim(),
      };
      // People think of the threshold in percent; the API takes a share.
      const percent = values.threshold === '' ? Number.NaN : Number(values.threshold);
      try {
        const input = parseInput(
          newAlertRuleSchema,
          {
            name: values.name,
            threshold: Number.isFinite(percent) ? percent / 100 : values.threshold,
            windowSeconds: values.windowSeconds || undefined,
            minEvents: values.minEvents || undefined,
          },
          'alert rule',
        );
        await withTenant(ctx.pool, tenantId, async (db) => {
          const rule = await insertAlertRule(db, tenantId, session.id, input, principal.userId);
          await recordAudit(db, tenantId, {
            action: 'alert_rule.create',
            outcome: 'success',
            actorId: principal.userId,
            actorEmail: principal.email,
            targetType: 'alert_rule',
            targetId: rule.id,
            ip: request.ip,
            details: { sessionId: session.id, ...input },
          });
        });
        return reply.redirect(`/sessions/${session.id}`, 303);
      } catch (error) {
        if (!isApiError(error) || error.code !== 'validation_failed') throw error;
        const problems = (error.details as { field: string }[]).map(
          (detail) => ruleFieldProblems[detail.field] ?? error.message,
        );
        const view = await sessionView(principal, session.id, { rule: values, ruleProblems: problems });
        return sendPage(reply, renderSessionPage(principal, view), 400);
      }
    },
  );
}
