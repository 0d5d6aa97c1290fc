import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { z } from 'zod';
import { type AuditAction, recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { type Db, withTenant } from '../db/pool.ts';
import type { Person } from '../deployments/deployments-repo.ts';
import { ApiError, conflict, notFound } from '../http/api-error.ts';
import { isUuid } from '../http/validation.ts';
import { OutboundError } from '../integrations/outbound-http.ts';
import { findSession } from '../streaming/sessions-repo.ts';
import { findTenantById, type Integrations } from '../tenants/tenants.ts';
import {
  type AnomalyEvent,
  type EventFilter,
  findAnomalyEvent,
  listAnomalyEvents,
  loadEnrichment,
  markEscalated,
  moveAnomalyEvent,
  saveEnrichment,
} from './anomaly-events-repo.ts';
import {
  type ActivityAction,
  loadTimeline,
  recordActivity,
  type TimelineEntry,
} from './event-activity-repo.ts';
import { canEscalate, type EventAction, eventTransition } from './event-states.ts';
import type { LiveFeed } from './live-feed.ts';
import { resolveIncident, triggerIncident } from './pagerduty.ts';
import { type Enrichment, lookUpIp } from './threat-intel.ts';

export const noteSchema = z.object({
  note: z.string().trim().max(4000, 'keep the note under 4000 characters').optional(),
});
export const newNoteSchema = z.object({
  text: z
    .string({ error: 'write the note' })
    .trim()
    .min(1, 'write the note')
    .max(4000, 'keep the note under 4000 characters'),
});

export interface EventDetail extends AnomalyEvent {
  session: { id: string; name: string };
  enrichment: Enrichment | null;
  timeline: TimelineEntry[];
}

const personOf = (principal: Principal): Person => ({
  id: principal.userId,
  name: principal.name,
  email: principal.email,
});

const activityFor: Record<EventAction, ActivityAction> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  ignore: 'ignored',
};

const upstreamFailed = (error: OutboundError, consequence: string) =>
  new ApiError('bad_gateway', `${error.message}; ${consequence}`, [
    { service: error.message, status: error.status },
  ]);

/**
 * What a security analyst does with anomaly events: look (list, detail, timeline, threat
 * intelligence on the source address), acknowledge, escalate to PagerDuty, resolve or ignore,
 * and note. Each action is checked against the event's status, written to its timeline and the
 * audit log, and pushed to the live feed.
 */
/** A kept answer younger than this is given again rather than asking the service again. */
const enrichmentFreshForMs = 10 * 60_000;
/** A failed lookup is given again for this long rather than asking a failing service again. */
const failureKeptMs = 60_000;

export class EventService {
  readonly #pool: pg.Pool;
  /** The last failed lookup of each event (tenant/event), for the page and for retries. */
  readonly #failedLookups = new LRUCache<string, ApiError>({ max: 10_000, ttl: failureKeptMs });
  readonly #feed: LiveFeed;
  readonly #timeoutMs: number;
  readonly #publicUrl: string | undefined;

  constructor(deps: { pool: pg.Pool; feed: LiveFeed; timeoutMs: number; publicUrl: string | undefined }) {
    this.#pool = deps.pool;
    this.#feed = deps.feed;
    this.#timeoutMs = deps.timeoutMs;
    this.#publicUrl = deps.publicUrl;
  }

  list(tenantId: string, filter: EventFilter) {
    return withTenant(this.#pool, tenantId, (db) => listAnomalyEvents(db, tenantId, filter));
  }

  async find(tenantId: string, id: string): Promise<AnomalyEvent> {
    const event = isUuid(id)
      ? await withTenant(this.#pool, tenantId, (db) => findAnomalyEvent(db, tenantId, id))
      : null;
    if (!event) throw notFound('event');
    return event;
  }

  async detail(tenantId: string, id: string): Promise<EventDetail> {
    const event = await this.find(tenantId, id);
    return withTenant(this.#pool, tenantId, async (db) => {
      const session = await findSession(db, tenantId, event.sessionId);
      return {
        ...event,
        session: { id: event.sessionId, name: session?.name ?? event.sessionId },
        enrichment: (await loadEnrichment(db, tenantId, event.id)) as Enrichment | null,
        timeline: await loadTimeline(db, tenantId, event),
      };
    });
  }

  async timeline(tenantId: string, id: string): Promise<TimelineEntry[]> {
    const event = await this.find(tenantId, id);
    return withTenant(this.#pool, tenantId, (db) => loadTimeline(db, tenantId, event));
  }

  /** acknowledge, resolve or ignore; resolving an escalated event resolves its incident first. */
  async act(
    principal: Principal,
    id: string,
    action: EventAction,
    note: string | undefined,
    ip: string,
  ): Promise<AnomalyEvent> {
    const tenantId = principal.tenant.id;
    const event = await this.find(tenantId, id);
    eventTransition(event.status, action);
    if (action === 'resolve' && event.escalatedAt) {
      const pagerduty = (await this.#integrations(tenantId)).pagerduty;
      if (pagerduty) {
        try {
          await resolveIncident(pagerduty, event.id, this.#timeoutMs);
        } catch (error) {
          if (!(error instanceof OutboundError)) throw error;
          throw upstreamFailed(
            error,
            'the event stays acknowledged and its incident open. Try again shortly.',
          );
        }
      }
    }
    return this.#change(principal, event, `event.${action}`, ip, async (db) => {
      const to = eventTransition(event.status, action);
      if (!(await moveAnomalyEvent(db, tenantId, event.id, event.status, to))) {
        throw conflict('The event changed while you acted; reload it and try again.');
      }
      await recordActivity(db, tenantId, event.id, {
        action: activityFor[action],
        actor: personOf(principal),
        note: note || null,
      });
      return { note: note || null, from: event.status, to };
    });
  }

  async escalate(
    principal: Principal,
    id: string,
    note: string | undefined,
    ip: string,
  ): Promise<AnomalyEvent> {
    const tenantId = principal.tenant.id;
    const event = await this.find(tenantId, id);
    if (!canEscalate(event.status)) {
      throw new ApiError(
        'conflict',
        `The event is ${event.status}; only an open or acknowledged event can be escalated.`,
        [{ reason: 'illegal_transition', status: event.status, action: 'escalate' }],
      );
    }
    if (event.escalatedAt) {
      throw new ApiError(
        'conflict',
        `The event was already escalated at ${event.escalatedAt}; its incident is open.`,
        [{ reason: 'already_escalated' }],
      );
    }
    const pagerduty = (await this.#integrations(tenantId)).pagerduty;
    if (!pagerduty) {
      throw new ApiError(
        'conflict',
        'PagerDuty is not set up for this organisation; ask a tenant admin to add its routing key and events URL.',
        [{ reason: 'pagerduty_not_configured' }],
      );
    }
    const session = await withTenant(this.#pool, tenantId, (db) =>
      findSession(db, tenantId, event.sessionId),
    );
    try {
      await triggerIncident(
        pagerduty,
        event,
        {
          sessionName: session?.name ?? event.sessionId,
          link: this.#publicUrl ? `${this.#publicUrl}/alerts/${event.id}` : null,
        },
        this.#timeoutMs,
      );
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      throw upstreamFailed(error, 'the event was not escalated. Try again shortly.');
    }
    return this.#change(principal, event, 'event.escalate', ip, async (db) => {
      if (!(await markEscalated(db, tenantId, event.id)))
        throw conflict('The event was escalated meanwhile; reload it.');
      await recordActivity(db, tenantId, event.id, {
        action: 'escalated',
        actor: personOf(principal),
        note: note || null,
        details: { dedupKey: event.id, service: 'PagerDuty' },
      });
      return { note: note || null, dedupKey: event.id };
    });
  }

  async addNote(principal: Principal, id: string, text: string, ip: string): Promise<TimelineEntry[]> {
    const tenantId = principal.tenant.id;
    const event = await this.find(tenantId, id);
    await this.#change(principal, event, 'event.note', ip, async (db) => {
      await recordActivity(db, tenantId, event.id, {
        action: 'noted',
        actor: personOf(principal),
        note: text,
      });
      return { note: text };
    });
    return this.timeline(tenantId, id);
  }

  /** The kept reputation of the event's source address, or null: reading it asks no one and writes nothing. */
  async savedEnrichment(tenantId: string, id: string): Promise<Enrichment | null> {
    const event = await this.find(tenantId, id);
    const kept = await withTenant(this.#pool, tenantId, (db) => loadEnrichment(db, tenantId, event.id));
    return (kept as Enrichment | null) ?? null;
  }

  /** Why the event's last lookup failed, while that failure is kept (a minute); null otherwise. */
  lastFailedLookup(tenantId: string, id: string): string | null {
    return this.#failedLookups.get(`${tenantId}/${id}`)?.message ?? null;
  }

  /**
   * Looks the source address up with the tenant's threat-intelligence service, on request only,
   * and keeps the answer with the event (timeline and audit entry). A kept answer under ten
   * minutes old is given again, and a failure is given again for a minute, without asking.
   */
  async enrich(principal: Principal, id: string, ip: string): Promise<Enrichment> {
    const tenantId = principal.tenant.id;
    const event = await this.find(tenantId, id);
    const kept = (await withTenant(this.#pool, tenantId, (db) =>
      loadEnrichment(db, tenantId, event.id),
    )) as Enrichment | null;
    if (kept && Date.now() - Date.parse(kept.checkedAt) < enrichmentFreshForMs) return kept;
    const failed = this.#failedLookups.get(`${tenantId}/${event.id}`);
    if (failed) throw failed;
    if (!event.source.ip) {
      throw new ApiError(
        'conflict',
        'The event carries no source IP address, so there is nothing to look up.',
        [{ reason: 'no_source_ip' }],
      );
    }
    const threatIntel = (await this.#integrations(tenantId)).threatIntel;
    if (!threatIntel) {
      throw new ApiError(
        'conflict',
        'Threat intelligence is not set up for this organisation; ask a tenant admin to add its base URL and API key.',
        [{ reason: 'threat_intel_not_configured' }],
      );
    }
    let enrichment: Enrichment;
    try {
      enrichment = await lookUpIp(threatIntel, event.source.ip, this.#timeoutMs);
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      const failure = upstreamFailed(error, 'the address could not be checked. Try again in a minute.');
      this.#failedLookups.set(`${tenantId}/${event.id}`, failure);
      throw failure;
    }
    await withTenant(this.#pool, tenantId, async (db) => {
      await saveEnrichment(db, tenantId, event.id, enrichment);
      await recordActivity(db, tenantId, event.id, {
        action: 'enriched',
        actor: personOf(principal),
        details: { ip: enrichment.ip, reputation: enrichment.reputation, score: enrichment.score },
      });
      await recordAudit(db, tenantId, {
        action: 'event.enrich',
        outcome: 'success',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: 'anomaly_event',
        targetId: event.id,
        ip,
        details: { sourceIp: enrichment.ip, reputation: enrichment.reputation },
      });
    });
    return enrichment;
  }

  async #integrations(tenantId: string): Promise<Integrations> {
    const tenant = await withTenant(this.#pool, tenantId, (db) => findTenantById(db, tenantId));
    if (!tenant) throw notFound('tenant');
    return tenant.integrations;
  }

  /** Runs a change with its audit entry in one transaction, then tells the live feed. */
  async #change(
    principal: Principal,
    event: AnomalyEvent,
    action: AuditAction,
    ip: string,
    work: (db: Db) => Promise<Record<string, unknown>>,
  ): Promise<AnomalyEvent> {
    const tenantId = principal.tenant.id;
    const updated = await withTenant(this.#pool, tenantId, async (db) => {
      const details = await work(db);
      await recordAudit(db, tenantId, {
        action,
        outcome: 'success',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: 'anomaly_event',
        targetId: event.id,
        ip,
        details,
      });
      return (await findAnomalyEvent(db, tenantId, event.id)) as AnomalyEvent;
    });
    this.#feed.publish(tenantId, { type: 'event.updated', event: updated });
    return updated;
  }
}
