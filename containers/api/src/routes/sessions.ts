import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  insertAlertRule,
  listAlertRules,
  listAlerts,
  newAlertRuleSchema,
} from '../alerts/alert-rules-repo.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import {
  alert,
  alertRule,
  listOf,
  pageOf,
  sessionMetrics,
  setAsideEvent,
  streamSession,
} from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';
import { newSessionSchema } from '../streaming/session-service.ts';
import { sessionActions } from '../streaming/session-states.ts';
import { listSetAside } from '../streaming/set-aside-repo.ts';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

const alertsQuerySchema = z.object({
  sessionId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const setAsideQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const actionSummaries = {
  start: 'Start a pending session: its events are scored from now on',
  pause: 'Pause an active session: events are kept, not scored',
  resume: 'Resume a paused (or failed) session: kept events are scored, then new ones',
  stop: 'Stop a session for good: later events are refused',
} as const;

/** Streaming sessions, their live metrics, alert rules and fired alerts. */
export function registerSessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { sessions } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'streaming', 'read');
  const write = requirePermission(ctx.pool, 'streaming', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.post(
    '/api/sessions',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Create a streaming session on a serving production deployment (pending)',
          body: newSessionSchema,
          returns: streamSession,
          responses: {
            201: 'the session, with its MQTT topic',
            404: 'no such deployment',
            409: 'not production',
          },
        },
      },
    },
    async (request, reply) => {
      const input = parseInput(newSessionSchema, request.body ?? {}, 'session');
      return reply.status(201).send(await sessions.create(principalOf(request), input, request.ip));
    },
  );

  app.get(
    '/api/sessions',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Streaming sessions, newest first',
          returns: listOf(streamSession),
          responses: { 200: '{ items }' },
        },
      },
    },
    async (request) => ({ items: await sessions.list(principalOf(request).tenant.id) }),
  );

  app.get(
    '/api/sessions/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'One session with its counters',
          returns: streamSession,
          responses: { 200: 'the session', 404: 'not found' },
        },
      },
    },
    async (request) => sessions.find(principalOf(request).tenant.id, idOf(request)),
  );

  for (const action of sessionActions) {
    app.post(
      `/api/sessions/:id/${action}`,
      {
        preHandler: write,
        config: {
          rateLimit: limits.writes,
          doc: {
            ...api,
            summary: actionSummaries[action],
            returns: streamSession,
            responses: { 200: 'the session', 404: 'not found', 409: 'not allowed in its state' },
          },
        },
      },
      async (request) => sessions.act(principalOf(request), idOf(request), action, request.ip),
    );
  }

  app.get(
    '/api/sessions/:id/metrics',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary:
            'Live metrics: received, scored, anomalies, events/s, p95 end-to-end latency, last minute per second',
          returns: sessionMetrics,
          responses: { 200: 'the metrics', 404: 'not found' },
        },
      },
    },
    async (request) => sessions.metrics(principalOf(request).tenant.id, idOf(request)),
  );

  app.get(
    '/api/sessions/:id/set-aside-events',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary:
            'Events the session set aside instead of storing (newest first), each with its reason and how often it arrived',
          query: setAsideQuerySchema,
          responses: { 200: '{ items, total }', 404: 'not found' },
          returns: pageOf(setAsideEvent),
        },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenant.id;
      const session = await sessions.find(tenantId, idOf(request));
      const page = parseInput(setAsideQuerySchema, request.query, 'query');
      return withTenant(ctx.pool, tenantId, (db) => listSetAside(db, tenantId, session.id, page));
    },
  );

  app.post(
    '/api/sessions/:id/alert-rules',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Add an alert rule: anomaly rate over a window above a threshold',
          body: newAlertRuleSchema,
          returns: alertRule,
          responses: { 201: 'the rule', 404: 'not found' },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const session = await sessions.find(tenantId, idOf(request));
      const input = parseInput(newAlertRuleSchema, request.body ?? {}, 'alert rule');
      const rule = await withTenant(ctx.pool, tenantId, async (db) => {
        const created = await insertAlertRule(db, tenantId, session.id, input, principal.userId);
        await recordAudit(db, tenantId, {
          action: 'alert_rule.create',
          outcome: 'success',
          actorId: principal.userId,
          actorEmail: principal.email,
          targetType: 'alert_rule',
          targetId: created.id,
          ip: request.ip,
          details: { sessionId: session.id, ...input },
        });
        return created;
      });
      return reply.status(201).send(rule);
    },
  );

  app.get(
    '/api/sessions/:id/alert-rules',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: "A session's alert rules",
          returns: listOf(alertRule),
          responses: { 200: '{ items }', 404: 'not found' },
        },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenant.id;
      const session = await sessions.find(tenantId, idOf(request));
      return {
        items: await withTenant(ctx.pool, tenantId, (db) => listAlertRules(db, tenantId, session.id)),
      };
    },
  );

  app.get(
    '/api/alerts',
    {
      preHandler: requirePermission(ctx.pool, 'alerts', 'read'),
      config: {
        doc: {
          ...api,
          summary: 'Alerts fired by alert rules, newest first, with their Slack notification outcome',
          query: alertsQuerySchema,
          returns: listOf(alert),
          responses: { 200: '{ items }' },
        },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenant.id;
      const query = parseInput(alertsQuerySchema, request.query, 'query');
      if (query.sessionId !== undefined && !isUuid(query.sessionId)) throw notFound('streaming session');
      return {
        items: await withTenant(ctx.pool, tenantId, (db) =>
          listAlerts(db, tenantId, { sessionId: query.sessionId, limit: query.limit }),
        ),
      };
    },
  );
}
