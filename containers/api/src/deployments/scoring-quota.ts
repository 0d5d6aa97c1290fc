/**
 * Each tenant's share of scoring: at most so many rows a minute (a fixed window per tenant), and
 * at most so many of its batches scored at once (the rest wait their turn), so one tenant's flood
 * takes neither the scoring threads nor the platform from the others. Rows are counted when a
 * batch is admitted, in arrival order, so who is refused does not depend on how fast others ran.
 */
import { ApiError } from '../http/api-error.ts';

export interface ScoringQuotaLimits {
  rowsPerMinute: number;
  concurrent: number;
}

interface TenantShare {
  windowStart: number;
  rows: number;
  running: number;
  waiting: (() => void)[];
}

const windowMs = 60_000;

/** Refused: the tenant's rows for this minute are used up. */
export class ScoringQuotaError extends ApiError {
  readonly rows: number;
  readonly limit: number;

  constructor(rows: number, limit: number, retryAfterSeconds: number) {
    super(
      'rate_limited',
      `Tenant scoring quota reached: at most ${limit.toLocaleString('en')} rows a minute are scored for this organisation; wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and send the rest.`,
      [{ retryAfterSeconds, limit, rows }],
      { 'retry-after': String(retryAfterSeconds) },
    );
    this.rows = rows;
    this.limit = limit;
  }
}

export class ScoringQuota {
  readonly #limits: ScoringQuotaLimits;
  readonly #now: () => number;
  readonly #shares = new Map<string, TenantShare>();

  constructor(limits: ScoringQuotaLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /**
   * Counts `rows` against the tenant's minute (throws ScoringQuotaError when they do not fit),
   * then waits for one of the tenant's scoring turns; call the returned function when done.
   */
  async admit(tenantId: string, rows: number): Promise<() => void> {
    const share = this.#shareOf(tenantId);
    if (share.rows + rows > this.#limits.rowsPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((share.windowStart + windowMs - this.#now()) / 1000));
      throw new ScoringQuotaError(rows, this.#limits.rowsPerMinute, retryAfter);
    }
    share.rows += rows;
    if (share.running >= this.#limits.concurrent) {
      await new Promise<void>((resolve) => share.waiting.push(resolve));
    } else {
      share.running += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The turn passes straight to the next waiting batch, or is given back.
      const next = share.waiting.shift();
      if (next) next();
      else share.running -= 1;
    };
  }

  #shareOf(tenantId: string): TenantShare {
    const now = this.#now();
    let share = this.#shares.get(tenantId);
    if (!share) {
      share = { windowStart: now, rows: 0, running: 0, waiting: [] };
      this.#shares.set(tenantId, share);
    } else if (now - share.windowStart >= windowMs) {
      share.windowStart = now;
      share.rows = 0;
    }
    // Tenants idle for a whole window hold nothing: forget them so the map stays small.
    if (this.#shares.size > 1_000) {
      for (const [id, other] of this.#shares) {
        if (other !== share && other.running === 0 && now - other.windowStart >= windowMs)
          this.#shares.delete(id);
      }
    }
    return share;
  }
}
