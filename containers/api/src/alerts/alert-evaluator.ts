import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.ts';
import { withTenant } from '../db/pool.ts';
import type { LiveFeed } from '../events/live-feed.ts';
import { OutboundError } from '../integrations/outbound-http.ts';
import { findSession } from '../streaming/sessions-repo.ts';
import { findTenantById } from '../tenants/tenants.ts';
import {
  type Alert,
  anomalyRateWindow,
  insertAlert,
  listAlertRules,
  setFiring,
  setNotification,
} from './alert-rules-repo.ts';
import { notifySlack } from './slack-notifier.ts';

/** A session's rules are evaluated at most this often, and always once after its last events. */
const minIntervalMs = 1_000;

interface SessionSchedule {
  lastRun: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void>;
}

/**
 * Watches the anomaly rate of sessions with alert rules. A rule fires once when the rate over
 * its window rises above its threshold (with at least its minimum of events), creating an alert
 * and notifying the tenant's Slack webhook; it re-arms when the rate falls back to or below the
 * threshold, or the window empties, so a lasting spike is one alert, not one per batch.
 */
export class AlertEvaluator {
  readonly #pool: pg.Pool;
  readonly #log: FastifyBaseLogger;
  readonly #feed: LiveFeed;
  readonly #timeoutMs: number;
  readonly #publicUrl: string | undefined;
  readonly #sessions = new Map<string, SessionSchedule>();
  #stopped = false;

  constructor(deps: {
    pool: pg.Pool;
    log: FastifyBaseLogger;
    feed: LiveFeed;
    timeoutMs: number;
    publicUrl: string | undefined;
  }) {
    this.#pool = deps.pool;
    this.#log = deps.log;
    this.#feed = deps.feed;
    this.#timeoutMs = deps.timeoutMs;
    this.#publicUrl = deps.publicUrl;
  }

  /** New events were stored for these sessions. */
  touched(tenantId: string, sessionIds: Iterable<string>): void {
    if (this.#stopped) return;
    for (const sessionId of sessionIds) {
      let schedule = this.#sessions.get(sessionId);
      if (!schedule) {
        schedule = { lastRun: 0, timer: null, running: Promise.resolve() };
        this.#sessions.set(sessionId, schedule);
      }
      if (schedule.timer) continue;
      const entry = schedule;
      entry.timer = setTimeout(
        () => {
          entry.timer = null;
          entry.lastRun = Date.now();
          entry.running = entry.running
            .then(async () => {
              await this.evaluate(tenantId, sessionId);
            })
            .catch((error) =>
              this.#log.error({ err: error, sessionId }, 'alert rules could not be evaluated'),
            );
        },
        Math.max(0, entry.lastRun + minIntervalMs - Date.now()),
      );
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const schedule of this.#sessions.values()) {
      if (schedule.timer) clearTimeout(schedule.timer);
      schedule.timer = null;
    }
    await Promise.all([...this.#sessions.values()].map((schedule) => schedule.running));
  }

  /** Evaluates every rule of a session now; returns the alerts it fired. */
  async evaluate(tenantId: string, sessionId: string): Promise<Alert[]> {
    const fired = await withTenant(this.#pool, tenantId, async (db) => {
      const rules = await listAlertRules(db, tenantId, sessionId);
      const alerts: Alert[] = [];
      for (const rule of rules) {
        const window = await anomalyRateWindow(db, tenantId, sessionId, rule.windowSeconds);
        const rate = window.events > 0 ? window.anomalies / window.events : 0;
        const above = window.events >= rule.minEvents && rate > rule.threshold;
        if (above && !rule.firing && (await setFiring(db, tenantId, rule.id, true))) {
          const alert = await insertAlert(db, tenantId, rule, window);
          await recordAudit(db, tenantId, {
            action: 'alert.fire',
            outcome: 'success',
            actorEmail: 'system',
            targetType: 'alert',
            targetId: alert.id,
            details: {
              ruleId: rule.id,
              rule: rule.name,
              sessionId,
              anomalyRate: alert.anomalyRate,
              events: window.events,
            },
          });
          alerts.push(alert);
        } else if (
          rule.firing &&
          (window.events === 0 || (window.events >= rule.minEvents && rate <= rule.threshold))
        ) {
          await setFiring(db, tenantId, rule.id, false);
        }
      }
      return alerts;
    });
    for (const alert of fired) {
      this.#feed.publish(tenantId, {
        type: 'alert',
        alert: {
          id: alert.id,
          ruleId: alert.ruleId,
          ruleName: alert.ruleName,
          sessionId: alert.sessionId,
          anomalyRate: alert.anomalyRate,
          firedAt: alert.firedAt,
        },
      });
      await this.#notify(tenantId, alert);
    }
    return fired;
  }

  async #notify(tenantId: string, alert: Alert): Promise<void> {
    const target = await withTenant(this.#pool, tenantId, async (db) => ({
      tenant: await findTenantById(db, tenantId),
      session: await findSession(db, tenantId, alert.sessionId),
    }));
    const webhook = target.tenant?.integrations.slackWebhookUrl;
    let outcome: { notification: Alert['notification']; error?: string };
    if (!webhook) {
      outcome = { notification: 'not_configured' };
    } else {
      try {
        await notifySlack(
          webhook,
          alert,
          {
            name: target.session?.name ?? alert.sessionId,
            link: this.#publicUrl ? `${this.#publicUrl}/sessions/${alert.sessionId}` : null,
          },
          this.#timeoutMs,
        );
        outcome = { notification: 'sent' };
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        this.#log.warn({ err: error, alertId: alert.id }, 'Slack notification failed');
        outcome = { notification: 'failed', error: error.message };
      }
    }
    await withTenant(this.#pool, tenantId, (db) => setNotification(db, tenantId, alert.id, outcome));
  }
}
