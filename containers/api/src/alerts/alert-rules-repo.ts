import { z } from 'zod';
import type { Db } from '../db/pool.ts';

export const newAlertRuleSchema = z.object({
  name: z.string({ error: 'give the rule a name' }).trim().min(1, 'give the rule a name').max(200),
  threshold: z.coerce
    .number({ error: 'threshold must be an anomaly rate between 0 and 1, such as 0.2 for 20%' })
    .min(0, 'threshold must be an anomaly rate between 0 and 1, such as 0.2 for 20%')
    .lt(1, 'threshold must be an anomaly rate between 0 and 1, such as 0.2 for 20%'),
  windowSeconds: z.coerce
    .number({ error: 'windowSeconds must be a whole number of seconds between 5 and 86400' })
    .int('windowSeconds must be a whole number of seconds between 5 and 86400')
    .min(5, 'windowSeconds must be a whole number of seconds between 5 and 86400')
    .max(86_400, 'windowSeconds must be a whole number of seconds between 5 and 86400')
    .default(60),
  minEvents: z.coerce
    .number({ error: 'minEvents must be a whole number of at least 1' })
    .int('minEvents must be a whole number of at least 1')
    .min(1, 'minEvents must be a whole number of at least 1')
    .max(1_000_000)
    .default(20),
});

export interface AlertRule {
  id: string;
  sessionId: string;
  name: string;
  /** Fires when the anomaly rate over the window is above this share (0..1). */
  threshold: number;
  windowSeconds: number;
  /** No verdict on fewer events than this in the window. */
  minEvents: number;
  /** True from the moment it fired until the rate falls back to or below the threshold. */
  firing: boolean;
  createdAt: string;
}

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  sessionId: string;
  firedAt: string;
  anomalyRate: number;
  events: number;
  anomalies: number;
  windowSeconds: number;
  threshold: number;
  /** Whether the tenant's Slack webhook took the notification. */
  notification: 'pending' | 'sent' | 'failed' | 'not_configured';
  notificationError: string | null;
}

interface RuleRow {
  id: string;
  session_id: string;
  name: string;
  threshold: number;
  window_seconds: number;
  min_events: number;
  firing: boolean;
  created_at: Date;
}

const toRule = (row: RuleRow): AlertRule => ({
  id: row.id,
  sessionId: row.session_id,
  name: row.name,
  threshold: row.threshold,
  windowSeconds: row.window_seconds,
  minEvents: row.min_events,
  firing: row.firing,
  createdAt: row.created_at.toISOString(),
});

const ruleColumns = 'id, session_id, name, threshold, window_seconds, min_events, firing, created_at';

export async function insertAlertRule(
  db: Db,
  tenantId: string,
  sessionId: string,
  input: z.infer<typeof newAlertRuleSchema>,
  createdBy: string,
): Promise<AlertRule> {
  const { rows } = await db.query<RuleRow>(
    `INSERT INTO alert_rules (tenant_id, session_id, name, threshold, window_seconds, min_events, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ruleColumns}`,
    [tenantId, sessionId, input.name, input.threshold, input.windowSeconds, input.minEvents, createdBy],
  );
  return toRule(rows[0] as RuleRow);
}

export async function listAlertRules(db: Db, tenantId: string, sessionId: string): Promise<AlertRule[]> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${ruleColumns} FROM alert_rules WHERE tenant_id = $1 AND session_id = $2 ORDER BY seq`,
    [tenantId, sessionId],
  );
  return rows.map(toRule);
}

/** Flips a rule's firing flag; false when another evaluation got there first. */
export async function setFiring(db: Db, tenantId: string, ruleId: string, firing: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE alert_rules SET firing = $3 WHERE tenant_id = $1 AND id = $2 AND firing <> $3',
    [tenantId, ruleId, firing],
  );
  return rowCount === 1;
}

/** Events and anomalies a session scored in the last `windowSeconds`. */
export async function anomalyRateWindow(
  db: Db,
  tenantId: string,
  sessionId: string,
  windowSeconds: number,
): Promise<{ events: number; anomalies: number }> {
  const { rows } = await db.query<{ events: number; anomalies: number }>(
    `SELECT count(*)::int AS events, count(*) FILTER (WHERE anomaly)::int AS anomalies
       FROM stream_events
      WHERE tenant_id = $1 AND session_id = $2 AND scored_at > now() - make_interval(secs => $3)`,
    [tenantId, sessionId, windowSeconds],
  );
  return { events: rows[0]?.events ?? 0, anomalies: rows[0]?.anomalies ?? 0 };
}

interface AlertRow {
  id: string;
  rule_id: string;
  rule_name: string;
  session_id: string;
  fired_at: Date;
  anomaly_rate: number;
  events: number;
  anomalies: number;
  window_seconds: number;
  threshold: number;
  notification: Alert['notification'];
  notification_error: string | null;
}

const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  sessionId: row.session_id,
  firedAt: row.fired_at.toISOString(),
  anomalyRate: row.anomaly_rate,
  events: row.events,
  anomalies: row.anomalies,
  windowSeconds: row.window_seconds,
  threshold: row.threshold,
  notification: row.notification,
  notificationError: row.notification_error,
});

const alertSelect = `SELECT a.id, a.rule_id, r.name AS rule_name, a.session_id, a.fired_at, a.anomaly_rate, a.events,
       a.anomalies, a.window_seconds, a.threshold, a.notification, a.notification_error
  FROM alerts a JOIN alert_rules r ON r.id = a.rule_id AND r.tenant_id = a.tenant_id`;

export async function insertAlert(
  db: Db,
  tenantId: string,
  rule: AlertRule,
  window: { events: number; anomalies: number },
): Promise<Alert> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO alerts (tenant_id, rule_id, session_id, anomaly_rate, events, anomalies, window_seconds, threshold)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      tenantId,
      rule.id,
      rule.sessionId,
      window.anomalies / window.events,
      window.events,
      window.anomalies,
      rule.windowSeconds,
      rule.threshold,
    ],
  );
  const { rows: alerts } = await db.query<AlertRow>(`${alertSelect} WHERE a.tenant_id = $1 AND a.id = $2`, [
    tenantId,
    (rows[0] as { id: string }).id,
  ]);
  return toAlert(alerts[0] as AlertRow);
}

export async function setNotification(
  db: Db,
  tenantId: string,
  alertId: string,
  outcome: { notification: Alert['notification']; error?: string },
): Promise<void> {
  await db.query(
    'UPDATE alerts SET notification = $3, notification_error = $4 WHERE tenant_id = $1 AND id = $2',
    [tenantId, alertId, outcome.notification, outcome.error ?? null],
  );
}

export async function listAlerts(
  db: Db,
  tenantId: string,
  filter: { sessionId?: string | undefined; limit: number },
): Promise<Alert[]> {
  const params: unknown[] = [tenantId, filter.limit];
  const bySession = filter.sessionId ? 'AND a.session_id = $3' : '';
  if (filter.sessionId) params.push(filter.sessionId);
  const { rows } = await db.query<AlertRow>(
    `${alertSelect} WHERE a.tenant_id = $1 ${bySession} ORDER BY a.seq DESC LIMIT $2`,
    params,
  );
  return rows.map(toAlert);
}
