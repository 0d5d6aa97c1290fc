import { callJson, OutboundError } from '../integrations/outbound-http.ts';
import type { Alert } from './alert-rules-repo.ts';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The message a channel reads: which rule, which session, how bad, and where to look. */
export function slackMessage(alert: Alert, session: { name: string; link: string | null }) {
  const text =
    `Alert "${alert.ruleName}": the anomaly rate of session "${session.name}" is ${percent(alert.anomalyRate)} ` +
    `(${alert.anomalies} of ${alert.events} events in the last ${alert.windowSeconds} s), above ${percent(alert.threshold)}.` +
    (session.link ? ` ${session.link}` : '');
  return { text };
}

/** Posts to the tenant's Slack incoming webhook; Slack answers 200 "ok" when it took the message. */
export async function notifySlack(
  webhookUrl: string,
  alert: Alert,
  session: { name: string; link: string | null },
  timeoutMs: number,
): Promise<void> {
  const response = await callJson(
    'Slack',
    webhookUrl,
    { method: 'POST', json: slackMessage(alert, session) },
    timeoutMs,
  );
  if (response.status < 200 || response.status >= 300) {
    throw new OutboundError(`Slack refused the notification (HTTP ${response.status})`, response.status);
  }
}
