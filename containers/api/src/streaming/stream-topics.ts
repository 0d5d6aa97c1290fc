import { isUuid } from '../http/validation.ts';

/** Producers publish a session's events to `tenants/{tenantSlug}/sessions/{sessionId}/events`. */
export function sessionTopic(tenantSlug: string, sessionId: string): string {
  return `tenants/${tenantSlug}/sessions/${sessionId}/events`;
}

/**
 * Where the platform confirms a session's events once they are committed, `{"ids": [...]}` at
 * QoS 0, so a producer knows which of its events it may forget (and resends the others).
 */
export function confirmationTopic(tenantSlug: string, sessionId: string): string {
  return `tenants/${tenantSlug}/sessions/${sessionId}/confirmed`;
}

/** The one subscription of the stream worker: every session of every tenant. */
export const allSessionsTopic = 'tenants/+/sessions/+/events';

export function parseSessionTopic(topic: string): { tenantSlug: string; sessionId: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'tenants' || parts[2] !== 'sessions' || parts[4] !== 'events')
    return null;
  const [, tenantSlug, , sessionId] = parts as [string, string, string, string, string];
  if (!tenantSlug || !isUuid(sessionId)) return null;
  return { tenantSlug, sessionId: sessionId.toLowerCase() };
}
