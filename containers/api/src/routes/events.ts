import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf, requirePermission } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { newNoteSchema, noteSchema } from '../events/event-service.ts';
import { eventActions, eventStatuses } from '../events/event-states.ts';
import { feedClosures } from '../events/live-feed-closures.ts';
import { severities } from '../events/severity.ts';
import { ApiError, forbidden, notFound } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { anomalyEvent, eventDetail, listOf, pageOf, timelineEntry } from '../http/response-schemas.ts';
import { isUuid, parseInput } from '../http/validation.ts';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

const listQuerySchema = z.object({
  status: z.enum(eventStatuses, { error: `status must be one of ${eventStatuses.join(', ')}` }).optional(),
  severity: z.enum(severities, { error: `severity must be one of ${severities.join(', ')}` }).optional(),
  sessionId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const actionSummaries = {
  acknowledge: 'Acknowledge an open event (optional note)',
  resolve: 'Resolve an acknowledged event (optional note); resolves its PagerDuty incident if escalated',
  ignore: 'Ignore an acknowledged event as not worth acting on (optional note)',
} as const;

/**
 * A cookie-authenticated WebSocket must come from a page of this site: browsers send cookies on
 * cross-site WebSocket handshakes, and nothing like CORS stops them.
 */
function assertSameOrigin(request: FastifyRequest, publicUrl: string | undefined): void {
  if (request.principal?.via !== 'session') return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let sameSite = false;
  try {
    const from = new URL(origin);
    // Read through URL too, so "localhost:80" and "http://localhost" compare equal.
    const site = publicUrl ? new URL(publicUrl) : new URL(`${from.protocol}//${request.headers.host ?? ''}`);
    sameSite = from.protocol === site.protocol && from.host === site.host;
  } catch {
    sameSite = false;
  }
  if (!sameSite)
    throw forbidden('The live feed only serves pages of this site; open it from the platform itself.');
}

/** Longest delay setTimeout keeps; a later expiry waits in steps of it. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * Ends the feed when its session does (a feed is authorised at its handshake and must not outlive
 * it); answers the function that cancels the wait.
 */
function onExpiry(expiresAt: Date | null, expire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const wait = () => {
    if (!expiresAt) return;
    const due = expiresAt.getTime() - Date.now();
    timer = setTimeout(due > maxTimerMs ? wait : expire, Math.min(Math.max(0, due), maxTimerMs));
    timer.unref();
  };
  wait();
  return () => clearTimeout(timer);
}

/** Anomaly events: the live feed, the list, detail, timeline, enrichment and the analyst's actions. */
export function registerEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { events, feed } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = requirePermission(ctx.pool, 'alerts', 'read');
  const write = requirePermission(ctx.pool, 'alerts', 'write');
  const api = { tag: 'api' as const, auth: 'user' as const };

  app.get(
    '/api/events/live',
    {
      websocket: true,
      preHandler: async (request) => {
        await read(request);
        assertSameOrigin(request, ctx.config.publicUrl);
      },
      config: {
        doc: {
          ...api,
          summary:
            'WebSocket: the tenant\'s anomaly events as they happen ({type:"anomaly"|"event.updated", event}, {type:"alert", alert})',
          responses: {
            101: 'switching protocols',
            401: 'not signed in',
            403: 'not allowed or foreign origin',
          },
        },
      },
    },
    (socket, request) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const subscription = feed.subscribe(tenantId, {
        owner: { userId: principal.userId, credentialId: principal.credential.id },
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send: (text) => socket.send(text),
        close: ({ code, reason }) => {
          request.log.info({ code, reason }, 'live feed closed by the platform');
          socket.close(code, reason);
        },
      });
      if (!subscription.ok) {
        socket.close(subscription.closure.code, subscription.closure.reason);
        return;
      }
      const cancelExpiry = onExpiry(principal.credential.expiresAt, () =>
        feed.revoke(tenantId, { credentialId: principal.credential.id }, feedClosures.sessionExpired),
      );
      const end = () => {
        cancelExpiry();
        subscription.unsubscribe();
      };
      socket.on('close', end);
      socket.on('error', end);
      // Clients wait for this before they count on receiving events.
      socket.send(JSON.stringify({ type: 'ready' }));
    },
  );

  app.get(
    '/api/events',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Anomaly events, newest first',
          query: listQuerySchema,
          returns: pageOf(anomalyEvent),
          responses: { 200: '{ items, total }' },
        },
      },
    },
    async (request) => {
      const query = parseInput(listQuerySchema, request.query, 'query');
      if (query.sessionId !== undefined && !isUuid(query.sessionId)) throw notFound('streaming session');
      return events.list(principalOf(request).tenant.id, query);
    },
  );

  app.get(
    '/api/events/:id',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'One event with its session, saved enrichment and timeline',
          returns: eventDetail,
          responses: { 200: 'the event', 404: 'not found' },
        },
      },
    },
    async (request) => events.detail(principalOf(request).tenant.id, idOf(request)),
  );

  app.get(
    '/api/events/:id/timeline',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'Who did what to the event, and when',
          returns: listOf(timelineEntry),
          responses: { 200: '{ items }', 404: 'not found' },
        },
      },
    },
    async (request) => ({ items: await events.timeline(principalOf(request).tenant.id, idOf(request)) }),
  );

  app.get(
    '/api/events/:id/enrichment',
    {
      preHandler: read,
      config: {
        doc: {
          ...api,
          summary: 'The threat intelligence kept on the source IP (reading it asks no one)',
          responses: { 200: 'the enrichment', 404: 'not found', 409: 'not checked yet' },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const kept = await events.savedEnrichment(principal.tenant.id, idOf(request));
      if (kept) return kept;
      const failed = events.lastFailedLookup(principal.tenant.id, idOf(request));
      throw new ApiError(
        'conflict',
        `The source IP has not been checked yet${failed ? ` (the last check failed: ${failed})` : ''}; POST to this address to check it.`,
        [{ reason: 'not_checked' }],
      );
    },
  );

  app.post(
    '/api/events/:id/enrichment',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary:
            'Check the source IP with threat intelligence and keep the answer (an answer under 10 minutes old, or a failure under a minute, is given again without asking)',
          responses: {
            200: 'the enrichment',
            404: 'not found',
            409: 'no source IP or not configured',
            502: 'service failed',
          },
        },
      },
    },
    async (request) => events.enrich(principalOf(request), idOf(request), request.ip),
  );

  for (const action of eventActions) {
    app.post(
      `/api/events/:id/${action}`,
      {
        preHandler: write,
        config: {
          rateLimit: limits.writes,
          doc: {
            ...api,
            summary: actionSummaries[action],
            body: noteSchema,
            responses: {
              200: 'the event',
              404: 'not found',
              409: 'not allowed in its status',
              502: 'PagerDuty failed',
            },
          },
        },
      },
      async (request) => {
        const { note } = parseInput(noteSchema, request.body ?? {}, `${action} request`);
        return events.act(principalOf(request), idOf(request), action, note, request.ip);
      },
    );
  }

  app.post(
    '/api/events/:id/escalate',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Escalate to PagerDuty (Events API v2 trigger, dedup key = event id)',
          body: noteSchema,
          responses: {
            200: 'the event',
            404: 'not found',
            409: 'not allowed or not configured',
            502: 'PagerDuty failed',
          },
        },
      },
    },
    async (request) => {
      const { note } = parseInput(noteSchema, request.body ?? {}, 'escalation');
      return events.escalate(principalOf(request), idOf(request), note, request.ip);
    },
  );

  app.post(
    '/api/events/:id/notes',
    {
      preHandler: write,
      config: {
        rateLimit: limits.writes,
        doc: {
          ...api,
          summary: 'Add a note to the event',
          body: newNoteSchema,
          responses: { 201: 'the timeline', 404: 'not found' },
        },
      },
    },
    async (request, reply) => {
      const { text } = parseInput(newNoteSchema, request.body ?? {}, 'note');
      return reply
        .status(201)
        .send({ items: await events.addNote(principalOf(request), idOf(request), text, request.ip) });
    },
  );
}
