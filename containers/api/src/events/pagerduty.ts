import { callJson, OutboundError } from '../integrations/outbound-http.ts';
import type { AnomalyEvent } from './anomaly-events-repo.ts';
import type { Severity } from './severity.ts';

/** PagerDuty's Events API v2 knows four severities. */
const pagerDutySeverity: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'info',
};

export interface PagerDutyTarget {
  routingKey: string;
  eventsUrl: string;
}

/** The trigger as sent: the anomaly event's id is the dedup key, so resolving names the same incident. */
export function triggerBody(
  target: PagerDutyTarget,
  event: AnomalyEvent,
  context: { sessionName: string; link: string | null },
) {
  const where = event.source.deviceId
    ? `device ${event.source.deviceId}`
    : `session "${context.sessionName}"`;
  return {
    routing_key: target.routingKey,
    event_action: 'trigger' as const,
    dedup_key: event.id,
    payload: {
      summary: `${event.severity[0]?.toUpperCase()}${event.severity.slice(1)} anomaly on ${where} (score ${event.score.toFixed(3)})`,
      severity: pagerDutySeverity[event.severity],
      source: event.source.deviceId ?? event.source.ip ?? context.sessionName,
      timestamp: event.occurredAt,
      component: context.sessionName,
      custom_details: {
        eventId: event.id,
        streamEventId: event.streamEventId,
        sessionId: event.sessionId,
        severity: event.severity,
        score: event.score,
        threshold: event.threshold,
        contributions: event.contributions,
        values: event.values,
        sourceIp: event.source.ip,
      },
    },
    ...(context.link ? { links: [{ href: context.link, text: 'Anomaly event' }] } : {}),
  };
}

async function send(target: PagerDutyTarget, body: unknown, timeoutMs: number): Promise<void> {
  const response = await callJson('PagerDuty', target.eventsUrl, { method: 'POST', json: body }, timeoutMs);
  if (response.status < 200 || response.status >= 300) {
    const reason = (response.body as { message?: unknown } | null)?.message;
    throw new OutboundError(
      `PagerDuty refused the event (HTTP ${response.status}${typeof reason === 'string' ? `: ${reason.slice(0, 200)}` : ''})`,
      response.status,
    );
  }
}

export function triggerIncident(
  target: PagerDutyTarget,
  event: AnomalyEvent,
  context: { sessionName: string; link: string | null },
  timeoutMs: number,
): Promise<void> {
  return send(target, triggerBody(target, event, context), timeoutMs);
}

export function resolveIncident(target: PagerDutyTarget, eventId: string, timeoutMs: number): Promise<void> {
  return send(
    target,
    { routing_key: target.routingKey, event_action: 'resolve', dedup_key: eventId },
    timeoutMs,
  );
}
