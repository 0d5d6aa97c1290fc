import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import mqtt from 'mqtt';
import type pg from 'pg';
import { withTenant } from '../db/pool.ts';
import type { ModelCache } from '../deployments/model-cache.ts';
import { ModelUnavailableError } from '../deployments/model-cache.ts';
import { ModelFitError } from '../detection/fitted-model.ts';
import { type AnomalyEvent, insertAnomalies, type NewAnomaly } from '../events/anomaly-events-repo.ts';
import type { OperationsConfig } from '../operations-config.ts';
import { isPoisonFailure, storeSplitting } from './batch-split.ts';
import { type Ack, type HeldAcks, takeMessagesAckingLater } from './deferred-acks.ts';
import { type EventScore, NoServingDeploymentError, scoreSessionEvents } from './event-scorer.ts';
import {
  addToSessionCounters,
  type EventToStore,
  eventKey,
  loadUnscored,
  saveLateScores,
  storeEvents,
} from './event-store.ts';
import type { LiveMetrics } from './live-metrics.ts';
import type { SessionDirectory } from './session-directory.ts';
import { eventHandling } from './session-states.ts';
import type { SessionRoute } from './sessions-repo.ts';
import { type EventToSetAside, setAsideEvents } from './set-aside-repo.ts';
import { parseStreamEvent, printable, type StreamEvent } from './stream-event.ts';
import { allSessionsTopic, confirmationTopic, parseSessionTopic } from './stream-topics.ts';

/** What the worker tells the rest of the platform. */
export interface StreamObserver {
  /** After a tenant's batch is committed: the sessions it touched and the anomaly events it raised. */
  stored(tenantId: string, sessions: ReadonlySet<string>, raised: AnomalyEvent[]): void;
  /** A session's events cannot be scored (nothing serves its model); it should go to `error`. */
  cannotScore(tenantId: string, sessionId: string, reason: string): Promise<void>;
}

export interface StreamWorkerDeps {
  pool: pg.Pool;
  log: FastifyBaseLogger;
  settings: OperationsConfig['streaming'];
  models: ModelCache;
  directory: SessionDirectory;
  metrics: LiveMetrics;
  observer: StreamObserver;
}

interface Incoming {
  tenantSlug: string;
  sessionId: string;
  payload: Buffer;
  receivedAt: number;
  /** Sends the broker its PUBACK: only once the event is committed (stored, set aside or dropped). */
  ack: Ack;
}

interface Accepted {
  route: SessionRoute;
  event: StreamEvent;
  /** As received: kept for the set-aside list should the model be unable to score the event. */
  payload: Buffer;
  receivedAt: number;
  handling: 'score' | 'store';
}

const backlogChunk = 1_000;
/** How long a shutdown keeps retrying to store what it received; what is left is redelivered. */
const shutdownGraceMs = 5_000;

const cannotScoreReason = (error: unknown): string | null =>
  error instanceof NoServingDeploymentError ||
  error instanceof ModelUnavailableError ||
  error instanceof ModelFitError
    ? error.message
    : null;

const anomalyFrom = (
  sessionId: string,
  event: {
    id: string;
    occurredAt: number;
    values: Record<string, number | null>;
    deviceId: string | null;
    ip: string | null;
  },
  score: Extract<EventScore, { ok: true }>,
  serving: { deploymentId: string; modelVersionId: string },
): NewAnomaly => ({
  sessionId,
  streamEventId: event.id,
  severity: score.severity,
  score: score.score,
  threshold: score.threshold,
  distance: score.distance,
  contributions: score.contributions,
  values: event.values,
  deviceId: event.deviceId,
  ip: event.ip,
  occurredAt: event.occurredAt,
  deploymentId: serving.deploymentId,
  modelVersionId: serving.modelVersionId,
});

/**
 * Consumes every session's events from the broker. The subscription is a persistent QoS 1
 * session (a stable client id, `clean: false`), so events published while the platform is down
 * wait in the broker. Events are written in batches (thousands a second need that) and each is
 * acknowledged to the broker only once its batch is committed: a hard crash (SIGKILL, out of
 * memory) loses nothing, because the broker sends every event it holds no PUBACK for again. A
 * redelivered event is a no-op because storage is idempotent by (session, event id).
 */
export class StreamWorker {
  readonly #deps: StreamWorkerDeps;
  #client: mqtt.MqttClient | null = null;
  #acks: HeldAcks = { held: 0, most: 0 };
  #buffer: Incoming[] = [];
  /** Reading held back while the buffer is full: the broker then waits for us. */
  #heldRead: (() => void) | null = null;
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopping = false;
  #subscribed = false;
  #stoppingAt: number | null = null;
  /** When the oldest event of the batch being stored arrived; null between batches. */
  #storingSince: number | null = null;
  #dropped = 0;
  readonly #backlogs = new Map<string, { again: boolean; done: Promise<void> }>();
  readonly #warned = new Set<string>();

  constructor(deps: StreamWorkerDeps) {
    this.#deps = deps;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Connected and subscribed: from now on no session's event is missed. */
  get subscribed(): boolean {
    return this.connected && this.#subscribed;
  }

  /** Acknowledgements held until their events commit: the backpressure the broker sees. */
  get acks(): HeldAcks {
    return this.#acks;
  }

  /** Deliveries that named no known session (wrong tenant, unknown or purged session). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * How long the oldest event received but not yet stored has waited (0 when none waits). It
   * grows without bound only when the stream is stuck; readiness reports that.
   */
  oldestUnstoredMs(now = Date.now()): number {
    const oldest = Math.min(this.#storingSince ?? now, this.#buffer[0]?.receivedAt ?? now);
    return Math.max(0, now - oldest);
  }

  start(mqttUrl: string): void {
    const { settings, log } = this.#deps;
    const client = mqtt.connect(mqttUrl, {
      clientId: settings.clientId,
      clean: false,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      keepalive: 30,
    });
    this.#acks = takeMessagesAckingLater(client, (packet, ack, next) => {
      // Once stopping, nothing more is taken or acknowledged: the broker redelivers it to the next process.
      if (this.#stopping) return;
      this.#accept(packet.topic, packet.payload as Buffer, ack);
      if (this.#buffer.length >= settings.batchSize * 4) this.#heldRead = next;
      else next();
    });
    client.on('connect', (connack) => {
      log.info({ sessionPresent: connack.sessionPresent }, 'stream worker connected to the broker');
      // Idempotent: with a present session the broker already has it, and queued events flow anyway.
      client.subscribe(allSessionsTopic, { qos: 1 }, (error) => {
        if (error) log.error({ err: error }, 'stream worker could not subscribe');
        else this.#subscribed = true;
      });
    });
    client.on('close', () => {
      this.#subscribed = false;
    });
    client.on('error', (error) => log.warn({ err: error }, 'stream worker broker error'));
    this.#client = client;
  }

  /**
   * Stops taking events, writes what is buffered (acknowledging it as it commits), and
   * disconnects; what it could not write is not acknowledged, so the broker keeps it.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stoppingAt = Date.now();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#flush();
    this.#heldRead = null;
    await this.#client?.endAsync();
    await Promise.all([...this.#backlogs.values()].map((backlog) => backlog.done));
  }

  /** Resolves once everything received so far is stored (tests and shutdown wait on it). */
  async drained(): Promise<void> {
    while (this.#buffer.length > 0 || this.#flushing) await this.#flush();
  }

  /**
   * Scores the events a session kept unscored (while paused or in error), oldest first. Runs
   * once at a time per session; a request while it runs makes it go round once more.
   */
  scoreBacklog(tenantId: string, sessionId: string, modelName: string): Promise<void> {
    const running = this.#backlogs.get(sessionId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.again && !this.#stopping) {
          entry.again = false;
          await this.#scoreBacklogOnce(tenantId, sessionId, modelName);
        }
      } catch (error) {
        this.#deps.log.error({ err: error, sessionId }, 'backlog scoring failed');
      } finally {
        this.#backlogs.delete(sessionId);
      }
    })();
    this.#backlogs.set(sessionId, entry);
    return entry.done;
  }

  #accept(topic: string, payload: Buffer, ack: Ack): void {
    const route = parseSessionTopic(topic);
    if (!route) {
      this.#dropped++;
      ack();
      return;
    }
    this.#buffer.push({ ...route, payload, receivedAt: Date.now(), ack });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushing || this.#stopping) return;
    if (this.#buffer.length >= this.#deps.settings.batchSize) {
      void this.#flush();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, this.#deps.settings.flushMs);
  }

  #resumeReading(): void {
    const next = this.#heldRead;
    this.#heldRead = null;
    next?.();
  }

  #flush(): Promise<void> {
    this.#flushing ??= (async () => {
      try {
        while (this.#buffer.length > 0) {
          const batch = this.#buffer.splice(0, this.#deps.settings.batchSize);
          this.#storingSince = batch[0]?.receivedAt ?? null;
          if (this.#buffer.length < this.#deps.settings.batchSize * 4 && !this.#stopping)
            this.#resumeReading();
          if (await this.#storeWithRetry(batch)) for (const item of batch) item.ack();
          this.#storingSince = null;
        }
      } finally {
        this.#storingSince = null;
        this.#flushing = null;
      }
    })();
    return this.#flushing;
  }

  /**
   * A failed batch is retried until it is written (the database may be restarting); meanwhile
   * reading stops once the buffer is full, and the broker keeps the rest. Only a
   * shutdown puts a limit on it; then the batch stays unacknowledged (false) and is redelivered.
   * A batch that fails because of an event in it is split until that event is found and set
   * aside, so the events around it (every tenant's) are stored.
   */
  async #storeWithRetry(batch: Incoming[]): Promise<boolean> {
    let delay = 100;
    for (;;) {
      try {
        await storeSplitting(
          batch,
          (part) => this.#store(part),
          (item, reason) => this.#setAsideUnstorable(item, reason),
        );
        return true;
      } catch (error) {
        if (this.#stoppingAt !== null && Date.now() - this.#stoppingAt > shutdownGraceMs) {
          this.#deps.log.error(
            { err: error, events: batch.length },
            'events could not be stored before shutdown; the broker keeps them',
          );
          return false;
        }
        this.#deps.log.warn(
          { err: error, events: batch.length, retryInMs: delay },
          'storing events failed; retrying',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  /** One event failed to store on its own, though it passed validation: it is set aside with the failure. */
  async #setAsideUnstorable(item: Incoming, reason: string): Promise<void> {
    const route = (await this.#deps.directory.routes([item.sessionId])).get(item.sessionId);
    if (!route || route.tenantSlug !== item.tenantSlug) {
      this.#dropped++;
      return;
    }
    const parsed = parseStreamEvent(item.payload, item.receivedAt);
    const eventId = parsed.ok ? printable(parsed.event.id) : parsed.eventId;
    try {
      await withTenant(this.#deps.pool, route.tenantId, (db) =>
        setAsideEvents(db, route.tenantId, [{ sessionId: route.id, eventId, reason, payload: item.payload }]),
      );
    } catch (error) {
      if (!isPoisonFailure(error)) throw error;
      // Not even the dead-letter table takes it: log it and go on rather than stall every session.
      this.#dropped++;
      this.#deps.log.error(
        { err: error, sessionId: route.id, reason },
        'stream event could not be set aside',
      );
      return;
    }
    this.#deps.log.warn({ sessionId: route.id, eventId, reason }, 'stream event set aside');
    this.#deps.observer.stored(route.tenantId, new Set([route.id]), []);
  }

  async #store(batch: readonly Incoming[]): Promise<void> {
    const routes = await this.#deps.directory.routes(batch.map((item) => item.sessionId));
    const byTenant = new Map<string, { route: SessionRoute; item: Incoming }[]>();
    for (const item of batch) {
      const route = routes.get(item.sessionId);
      if (!route || route.tenantSlug !== item.tenantSlug) {
        this.#dropped++;
        continue;
      }
      const group = byTenant.get(route.tenantId) ?? [];
      group.push({ route, item });
      byTenant.set(route.tenantId, group);
    }
    for (const [tenantId, items] of byTenant) await this.#storeForTenant(tenantId, items);
  }

  #warnOnce(sessionId: string, problem: string): void {
    const key = `${sessionId}:${problem}`;
    if (this.#warned.has(key)) return;
    if (this.#warned.size > 10_000) this.#warned.clear();
    this.#warned.add(key);
    this.#deps.log.warn({ sessionId, problem }, 'stream event rejected');
  }

  async #storeForTenant(tenantId: string, items: { route: SessionRoute; item: Incoming }[]): Promise<void> {
    /** Events the session's state refused, counted in the same statement that stores the accepted ones. */
    const rejected = new Map<string, number>();
    const reject = (sessionId: string) => rejected.set(sessionId, (rejected.get(sessionId) ?? 0) + 1);
    /** Events no column or detector can take: set aside with the reason, in the same transaction. */
    const setAside: EventToSetAside[] = [];
    const accepted = new Map<string, Accepted[]>();
    const seen = new Set<string>();
    for (const { route, item } of items) {
      const handling = eventHandling(route.state);
      if (handling === 'reject') {
        reject(route.id);
        continue;
      }
      const parsed = parseStreamEvent(item.payload, item.receivedAt);
      if (!parsed.ok) {
        setAside.push({
          sessionId: route.id,
          eventId: parsed.eventId,
          reason: parsed.problem,
          payload: item.payload,
        });
        this.#warnOnce(route.id, parsed.problem);
        continue;
      }
      // The same event twice in one batch is stored once, like a redelivery.
      const key = eventKey(route.id, parsed.event.id);
      if (seen.has(key)) continue;
      seen.add(key);
      const list = accepted.get(route.id) ?? [];
      list.push({ route, event: parsed.event, payload: item.payload, receivedAt: item.receivedAt, handling });
      accepted.set(route.id, list);
    }

    const toStore: EventToStore[] = [];
    const anomalies = new Map<string, NewAnomaly>();
    const keptUnscored = new Set<SessionRoute>();
    for (const [sessionId, events] of accepted) {
      const route = (events[0] as Accepted).route;
      let scored: Awaited<ReturnType<typeof scoreSessionEvents>> | null = null;
      if ((events[0] as Accepted).handling === 'score') {
        try {
          scored = await scoreSessionEvents(
            this.#deps,
            tenantId,
            route.modelName,
            events.map((a) => a.event.values),
          );
        } catch (error) {
          const reason = cannotScoreReason(error);
          if (!reason) throw error;
          await this.#deps.observer.cannotScore(tenantId, sessionId, reason);
        }
      }
      if (!scored) keptUnscored.add(route);
      events.forEach((accepted, index) => {
        const score = scored?.scores[index];
        const { event } = accepted;
        if (score && !score.ok) {
          setAside.push({ sessionId, eventId: event.id, reason: score.problem, payload: accepted.payload });
          this.#warnOnce(sessionId, score.problem);
          return;
        }
        toStore.push({
          sessionId,
          eventId: event.id,
          occurredAt: event.occurredAt,
          receivedAt: accepted.receivedAt,
          values: event.values,
          score: score ? score.score : null,
          anomaly: score ? score.anomaly : null,
          deploymentId: scored?.serving.deploymentId ?? null,
          modelVersionId: scored?.serving.modelVersionId ?? null,
          deviceId: event.deviceId,
          ip: event.ip,
        });
        if (score?.anomaly && scored) {
          anomalies.set(eventKey(sessionId, event.id), anomalyFrom(sessionId, event, score, scored.serving));
        }
      });
    }

    // Events and counters in one statement; anomaly events (rare) in a second one of the same transaction.
    const { stored, raised } = await withTenant(this.#deps.pool, tenantId, async (db) => {
      const stored = await storeEvents(db, tenantId, toStore, rejected);
      const raised = await insertAnomalies(
        db,
        tenantId,
        [...anomalies].filter(([key]) => stored.has(key)).map(([, anomaly]) => anomaly),
      );
      await setAsideEvents(db, tenantId, setAside);
      return { stored, raised };
    });

    const committedAt = Date.now();
    this.#confirm(toStore, setAside, items);
    const latencies = new Map<string, number[]>();
    for (const event of toStore) {
      if (!stored.has(eventKey(event.sessionId, event.eventId))) continue;
      const list = latencies.get(event.sessionId) ?? [];
      list.push(Math.max(0, committedAt - event.occurredAt));
      latencies.set(event.sessionId, list);
    }
    for (const [sessionId, values] of latencies) this.#deps.metrics.record(sessionId, values);
    const touched = [...latencies.keys(), ...rejected.keys(), ...setAside.map((event) => event.sessionId)];
    this.#deps.observer.stored(tenantId, new Set(touched), raised);

    // A session resumed while this batch was kept unscored: make sure its backlog gets scored.
    for (const route of keptUnscored) {
      this.#deps.directory.forgetSession(route.id);
      const [fresh] = [...(await this.#deps.directory.routes([route.id])).values()];
      if (fresh?.state === 'active') void this.scoreBacklog(tenantId, route.id, route.modelName);
    }
  }

  /**
   * Tells each session's producers which of its events are now committed: stored (this time, or
   * already before, as a resent event is) or set aside. At QoS 0: a confirmation lost with a
   * broker only makes the producer send the event again, which stores nothing twice.
   */
  #confirm(
    stored: readonly EventToStore[],
    setAside: readonly EventToSetAside[],
    items: readonly { route: SessionRoute }[],
  ): void {
    const client = this.#client;
    if (!client?.connected) return;
    const ids = new Map<string, string[]>();
    for (const { sessionId, eventId } of [...stored, ...setAside]) {
      if (eventId === null) continue;
      const list = ids.get(sessionId) ?? [];
      list.push(eventId);
      ids.set(sessionId, list);
    }
    const slugs = new Map(items.map(({ route }) => [route.id, route.tenantSlug]));
    for (const [sessionId, list] of ids) {
      const slug = slugs.get(sessionId);
      if (slug) client.publish(confirmationTopic(slug, sessionId), JSON.stringify({ ids: list }), { qos: 0 });
    }
  }

  async #scoreBacklogOnce(tenantId: string, sessionId: string, modelName: string): Promise<void> {
    let afterSeq = 0;
    for (;;) {
      const events = await withTenant(this.#deps.pool, tenantId, (db) =>
        loadUnscored(db, tenantId, sessionId, afterSeq, backlogChunk),
      );
      if (events.length === 0) return;
      afterSeq = (events.at(-1) as (typeof events)[number]).seq;
      let scored: Awaited<ReturnType<typeof scoreSessionEvents>>;
      try {
        scored = await scoreSessionEvents(
          this.#deps,
          tenantId,
          modelName,
          events.map((event) => event.values),
        );
      } catch (error) {
        const reason = cannotScoreReason(error);
        if (!reason) throw error;
        await this.#deps.observer.cannotScore(tenantId, sessionId, reason);
        return;
      }
      const results = events.flatMap((event, index) => {
        const score = scored.scores[index] as EventScore;
        return score.ok ? [{ event, score }] : [];
      });
      const raised = await withTenant(this.#deps.pool, tenantId, async (db) => {
        const updated = await saveLateScores(
          db,
          tenantId,
          sessionId,
          results.map(({ event, score }) => ({
            eventId: event.eventId,
            score: score.score,
            anomaly: score.anomaly,
            ...scored.serving,
          })),
        );
        const fresh = results.filter(({ event }) => updated.has(event.eventId));
        const raised = await insertAnomalies(
          db,
          tenantId,
          fresh
            .filter(({ score }) => score.anomaly)
            .map(({ event, score }) =>
              anomalyFrom(sessionId, { ...event, id: event.eventId }, score, scored.serving),
            ),
        );
        await addToSessionCounters(
          db,
          tenantId,
          new Map([
            [
              sessionId,
              {
                received: 0,
                scored: fresh.length,
                anomalies: fresh.filter(({ score }) => score.anomaly).length,
                rejected: 0,
              },
            ],
          ]),
        );
        return raised;
      });
      this.#deps.observer.stored(tenantId, new Set([sessionId]), raised);
    }
  }
}
