/**
 * Counts failed sign-ins per client and tenant in a sliding window; once the limit is
 * reached, further attempts are refused until the oldest failure leaves the window. In
 * memory on purpose: the platform is one process, and a restart forgiving is acceptable.
 */
export class SignInThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowSeconds: number) {
    this.#limit = limit;
    this.#windowMs = windowSeconds * 1000;
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((time) => now - time < this.#windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Seconds to wait before trying again, or 0 when attempts are allowed. */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const times = this.#recent(key, now);
    if (times.length < this.#limit) return 0;
    const oldest = times[times.length - this.#limit] ?? now;
    return Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000));
  }

  recordFailure(key: string, now = Date.now()): void {
    this.#failures.set(key, [...this.#recent(key, now), now]);
  }
}
