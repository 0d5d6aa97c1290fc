/**
 * The platform's notion of "now" for retention: what a purge counts days from, and the upload
 * time a dataset is stamped with (so both agree). It is the real time plus an offset that only
 * the admin API can move, and only forward, so a test can age data without waiting for it.
 * Nothing else reads it: sessions, audit times and stream arrival times stay on real time.
 */
export class PlatformClock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Moves the clock forward; a negative amount is refused by the caller's schema. */
  advance(ms: number): Date {
    this.#offsetMs += ms;
    return this.now();
  }
}

export const dayMs = 24 * 60 * 60 * 1000;
