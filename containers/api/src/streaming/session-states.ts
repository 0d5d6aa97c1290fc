import { ApiError } from '../http/api-error.ts';

/**
 * A streaming session is created `pending`, scores while `active`, keeps collecting without
 * scoring while `paused`, and ends `stopped`. It falls into `error` when its events cannot be
 * scored (no production deployment serves its model); resuming tries again.
 */
export const sessionStates = ['pending', 'active', 'paused', 'stopped', 'error'] as const;
export type SessionState = (typeof sessionStates)[number];

export const sessionActions = ['start', 'pause', 'resume', 'stop'] as const;
export type SessionAction = (typeof sessionActions)[number];

const moves: Record<SessionAction, { from: readonly SessionState[]; to: SessionState }> = {
  start: { from: ['pending'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused', 'error'], to: 'active' },
  stop: { from: ['pending', 'active', 'paused', 'error'], to: 'stopped' },
};

/** The state an action leads to from `from`, or null when the action is not allowed there. */
export function nextSessionState(from: SessionState, action: SessionAction): SessionState | null {
  const move = moves[action];
  return move.from.includes(from) ? move.to : null;
}

/** The state after `action`, or a 409 that names what the action needs. */
export function sessionTransition(from: SessionState, action: SessionAction): SessionState {
  const to = nextSessionState(from, action);
  if (to) return to;
  throw new ApiError(
    'conflict',
    `The session is ${from}, so it cannot ${action}; ${action} needs a session that is ${moves[action].from.join(' or ')}.`,
    [{ reason: 'illegal_transition', state: from, action }],
  );
}

/**
 * What happens to an event that arrives while the session is in a state: scored when active;
 * kept for scoring on resume when paused or in error (so nothing is lost while it is fixed);
 * refused before the session starts and after it stops.
 */
export function eventHandling(state: SessionState): 'score' | 'store' | 'reject' {
  if (state === 'active') return 'score';
  if (state === 'paused' || state === 'error') return 'store';
  return 'reject';
}
