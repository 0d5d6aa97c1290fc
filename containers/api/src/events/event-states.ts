import { ApiError } from '../http/api-error.ts';

/**
 * An anomaly event is raised `open`; an analyst `acknowledged` it (taking it on), then either
 * `resolved` it (dealt with) or `ignored` it (not worth acting on). Escalation to the on-call
 * service is an action on an open or acknowledged event, not a status of its own.
 */
export const eventStatuses = ['open', 'acknowledged', 'resolved', 'ignored'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export const eventActions = ['acknowledge', 'resolve', 'ignore'] as const;
export type EventAction = (typeof eventActions)[number];

const moves: Record<EventAction, { from: EventStatus; to: EventStatus }> = {
  acknowledge: { from: 'open', to: 'acknowledged' },
  resolve: { from: 'acknowledged', to: 'resolved' },
  ignore: { from: 'acknowledged', to: 'ignored' },
};

export function nextEventStatus(from: EventStatus, action: EventAction): EventStatus | null {
  const move = moves[action];
  return move.from === from ? move.to : null;
}

export function eventTransition(from: EventStatus, action: EventAction): EventStatus {
  const to = nextEventStatus(from, action);
  if (to) return to;
  throw new ApiError(
    'conflict',
    `The event is ${from}, so it cannot be ${action === 'acknowledge' ? 'acknowledged' : `${action}d`}; that needs an event that is ${moves[action].from}.`,
    [{ reason: 'illegal_transition', status: from, action }],
  );
}

/** Escalation opens an incident for an event still being worked on. */
export function canEscalate(status: EventStatus): boolean {
  return status === 'open' || status === 'acknowledged';
}
