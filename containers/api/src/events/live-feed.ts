import type { AnomalyEvent } from './anomaly-events-repo.ts';

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

export interface FeedListener {
  send(text: string): void;
}

/**
 * Fans anomaly events out to the browsers watching them, per tenant: a listener is registered
 * under its principal's tenant only, so no tenant is ever sent another's events.
 */
export class LiveFeed {
  readonly #listeners = new Map<string, Set<FeedListener>>();

  subscribe(tenantId: string, listener: FeedListener): () => void {
    let listeners = this.#listeners.get(tenantId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(tenantId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(tenantId);
    };
  }

  listenerCount(tenantId: string): number {
    return this.#listeners.get(tenantId)?.size ?? 0;
  }

  publish(tenantId: string, message: FeedMessage): void {
    const listeners = this.#listeners.get(tenantId);
    if (!listeners) return;
    const text = JSON.stringify(message);
    for (const listener of listeners) {
      try {
        listener.send(text);
      } catch {
        // A socket that broke mid-send is dropped by its close handler; the others still get the message.
      }
    }
  }
}
