import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listAlerts } from '../alerts/alert-rules-repo.ts';
import type { Principal } from '../auth/principal.ts';
import { principalOf } from '../auth/request-auth.ts';
import type { AppContext } from '../context.ts';
import { withTenant } from '../db/pool.ts';
import { type EventAction, type EventStatus, eventActions, eventStatuses } from '../events/event-states.ts';
import { ApiError } from '../http/api-error.ts';
import { rateLimitPolicies } from '../http/rate-limits.ts';
import { firstString, pageAccess, sendPage } from '../ui/page-access.ts';
import { renderAlertPage } from '../ui/pages/alert-page.ts';
import { renderAlertsPage } from '../ui/pages/alerts-page.ts';
import { formPostAnswering, page } from './page-docs.ts';

type Body = Record<string, unknown>;

const formPost = formPostAnswering({
  303: 'back to the event',
  409: 'page with the reason',
  502: 'page saying the service failed',
});

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Refusals and failures of a service we call are shown on the page; our own defects are not. */
const explainable = (error: unknown): error is ApiError =>
  error instanceof ApiError && (error.statusCode < 500 || error.code === 'bad_gateway');

/** The live feed of anomaly events, and one event: enrichment, response actions, notes, timeline. */
export function registerAlertPages(app: FastifyInstance, ctx: AppContext): void {
  const { events, sessions } = ctx.operations;
  const limits = rateLimitPolicies(ctx.config);
  const read = pageAccess(ctx.pool, 'alerts', 'read');
  const write = pageAccess(ctx.pool, 'alerts', 'write');

  app.get(
    '/alerts',
    { preHandler: read, config: page('Live feed of anomaly events, and fired alerts') },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenantId = principal.tenant.id;
      const requested = firstString((request.query as Body).status);
      const status = (eventStatuses as readonly string[]).includes(requested)
        ? (requested as EventStatus)
        : null;
      const [list, all, alerts] = await Promise.all([
        events.list(tenantId, { status: status ?? undefined, limit: 100, offset: 0 }),
        sessions.list(tenantId),
        withTenant(ctx.pool, tenantId, (db) => listAlerts(db, tenantId, { limit: 50 })),
      ]);
      const sessionNames = new Map(all.map((session) => [session.id, session.name]));
      return sendPage(reply, renderAlertsPage(principal, { events: list, sessionNames, status, alerts }));
    },
  );

  /**
   * The detail page, from what is kept: viewing an event asks no third party and writes nothing
   * (threat intelligence is asked only when the analyst presses "Check the source IP").
   */
  const detailView = async (principal: Principal, id: string, problems: string[] = []) => {
    const event = await events.detail(principal.tenant.id, id);
    if (event.enrichment) return { event, intelligence: { enrichment: event.enrichment }, problems };
    const failed = events.lastFailedLookup(principal.tenant.id, event.id);
    if (failed) return { event, intelligence: { unavailable: failed }, problems };
    return { event, intelligence: { notChecked: event.source.ip }, problems };
  };

  app.get('/alerts/:id', { preHandler: read, config: page('An anomaly event') }, async (request, reply) => {
    const principal = principalOf(request);
    return sendPage(reply, renderAlertPage(principal, await detailView(principal, idOf(request))));
  });

  const respond = async (
    request: FastifyRequest,
    reply: FastifyReply,
    work: (principal: Principal) => Promise<unknown>,
  ) => {
    const principal = principalOf(request);
    try {
      await work(principal);
      return reply.redirect(`/alerts/${idOf(request)}`, 303);
    } catch (error) {
      if (!explainable(error) || error.code === 'forbidden' || error.code === 'not_found') throw error;
      const view = await detailView(principal, idOf(request), [error.message]);
      return sendPage(reply, renderAlertPage(principal, view), error.statusCode);
    }
  };

  for (const action of eventActions) {
    app.post(
      `/alerts/:id/${action}`,
      { preHandler: write, config: { rateLimit: limits.writes, ...formPost(`${action} the event`) } },
      async (request, reply) =>
        respond(request, reply, (principal) => {
          const note = firstString((request.body as Body | undefined)?.note)
            .trim()
            .slice(0, 4000);
          return events.act(principal, idOf(request), action as EventAction, note || undefined, request.ip);
        }),
    );
  }

  app.post(
    '/alerts/:id/enrich',
    {
      preHandler: write,
      config: { rateLimit: limits.writes, ...formPost('Check the source IP with threat intelligence') },
    },
    async (request, reply) =>
      respond(request, reply, (principal) => events.enrich(principal, idOf(request), request.ip)),
  );

  app.post(
    '/alerts/:id/escalate',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Escalate to PagerDuty') } },
    async (request, reply) =>
      respond(request, reply, (principal) =>
        events.escalate(principal, idOf(request), undefined, request.ip),
      ),
  );

  app.post(
    '/alerts/:id/notes',
    { preHandler: write, config: { rateLimit: limits.writes, ...formPost('Add a note') } },
    async (request, reply) =>
      respond(request, reply, async (principal) => {
        const text = firstString((request.body as Body | undefined)?.text).trim();
        if (text === '') {
          throw new ApiError('validation_failed', 'Note is empty: write the note, then add it.', [
            { field: 'text', problem: 'write the note' },
          ]);
        }
        return events.addNote(principal, idOf(request), text.slice(0, 4000), request.ip);
      }),
  );
}
