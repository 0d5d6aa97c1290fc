import type { AnomalyEvent } from './anomaly-events-repo.ts';
import { type FeedClosure, feedClosures, tooManyFeeds } from './live-feed-closures.ts';

/** What a live listener receives, as one JSON text message per change. */
export type FeedMessage =
  | { type: 'anomaly'; event: AnomalyEvent }
  | { type: 'event.updated'; event: AnomalyEvent }
  | {
      type: 'alert';
      alert: {
        id: string;
        ruleId: string;
        ruleName: string;
        sessionId: string;
        anomalyRate: number;
        firedAt: string;
      };
    };

/** Whose right a feed streams under: the user, and the session (its id hash) or API key it was opened with. */
export interface FeedOwner {
  userId: string;
  credentialId: string;
}

export interface FeedListener {
  readonly owner: FeedOwner;
  /** Bytes sent but not yet written to the network: a reader that falls behind lets this grow. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(closure: FeedClosure): void;
}

export interface LiveFeedLimits {
  /** Open feeds one user may hold at once; the next is refused. */
  maxFeedsPerUser: number;
  /** Past this many unsent bytes a feed is closed rather than left to grow the server's memory. */
  maxBufferedBytes: number;
}

export type Subscription = { ok: true; unsubscribe: () => void } | { ok: false; closure: FeedClosure };

/** Which feeds a revocation ends: all of a tenant's, a user's, or those opened with one credential. */
export type FeedSelector = { all: true } | { userId: string } | { credentialId: string };

const selects = (selector: FeedSelector, owner: FeedOwner) =>
  'all' in selector ||
  ('userId' in selector && selector.userId === owner.userId) ||
  ('credentialId' in selector && selector.credentialId === owner.credentialId);

/**
 * Fans anomaly events out to the browsers watching them, per tenant: a listener is registered
 * under its principal's tenant only, so no tenant is ever sent another's events. It is also the
 * registry every revocation (sign-out, expiry, erasure, key revocation, role change, suspension)
 * closes feeds through, since a feed is authorised once, at its handshake.
 */
export class LiveFeed {
  readonly #listeners = new Map<string, Set<FeedListener>>();
  readonly #limits: LiveFeedLimits;

  constructor(limits: LiveFeedLimits) {
    this.#limits = limits;
  }

  subscribe(tenantId: string, listener: FeedListener): Subscription {
    let listeners = this.#listeners.get(tenantId);
    const open = [...(listeners ?? [])].filter((other) => other.owner.userId === listener.owner.userId);
    if (open.length >= this.#limits.maxFeedsPerUser) {
      return { ok: false, closure: tooManyFeeds(this.#limits.maxFeedsPerUser) };
    }
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(tenantId, listeners);
    }
    listeners.add(listener);
    return { ok: true, unsubscribe: () => this.#remove(tenantId, listener) };
  }

  listenerCount(tenantId: string): number {
    return this.#listeners.get(tenantId)?.size ?? 0;
  }

  /** Closes the tenant's feeds the selector picks, each with the closure's code and reason; answers how many. */
  revoke(tenantId: string, selector: FeedSelector, closure: FeedClosure): number {
    const chosen = [...(this.#listeners.get(tenantId) ?? [])].filter((listener) =>
      selects(selector, listener.owner),
    );
    for (const listener of chosen) this.#close(tenantId, listener, closure);
    return chosen.length;
  }

  publish(tenantId: string, message: FeedMessage): void {
    const listeners = this.#listeners.get(tenantId);
    if (!listeners) return;
    const text = JSON.stringify(message);
    for (const listener of [...listeners]) {
      if (listener.bufferedAmount > this.#limits.maxBufferedBytes) {
        this.#close(tenantId, listener, feedClosures.tooSlow);
        continue;
      }
      try {
        listener.send(text);
      } catch {
        // A socket that broke mid-send is dropped by its close handler; the others still get the message.
      }
    }
  }

  /** Removed first, so not one more message reaches a feed whose right has ended. */
  #close(tenantId: string, listener: FeedListener, closure: FeedClosure): void {
    this.#remove(tenantId, listener);
    try {
      listener.close(closure);
    } catch {
      // Already closing: it is out of the registry, which is what matters.
    }
  }

  #remove(tenantId: string, listener: FeedListener): void {
    const listeners = this.#listeners.get(tenantId);
    if (!listeners) return;
    listeners.delete(listener);
    if (listeners.size === 0) this.#listeners.delete(tenantId);
  }
}
