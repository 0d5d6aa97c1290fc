/**
 * Throughput and end-to-end latency per session over the last minute, in memory: one bucket per
 * second holding the events stored in it and a bounded sample of their latencies (reservoir
 * sampling keeps the sample uniform however many events a second brings). Counters that must
 * survive a restart (received, scored, anomalies) live in the database instead.
 */
const horizonSeconds = 60;
const samplesPerSecond = 256;
/** Events per second is averaged over this many most recent seconds. */
const rateWindowSeconds = 5;

interface Bucket {
  second: number;
  events: number;
  seen: number;
  samples: number[];
}

export interface SecondPoint {
  /** ISO timestamp of the second. */
  at: string;
  events: number;
  p95LatencyMs: number | null;
}

export interface LiveMetricsSnapshot {
  eventsPerSecond: number;
  p95LatencyMs: number | null;
  series: SecondPoint[];
}

function p95(samples: number[]): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number;
}

class SessionWindow {
  readonly buckets: Bucket[] = [];

  record(second: number, latencies: readonly number[], random: () => number): void {
    let bucket = this.buckets.at(-1);
    if (!bucket || bucket.second !== second) {
      bucket = { second, events: 0, seen: 0, samples: [] };
      this.buckets.push(bucket);
      while (this.buckets.length > 0 && (this.buckets[0] as Bucket).second <= second - horizonSeconds)
        this.buckets.shift();
    }
    bucket.events += latencies.length;
    for (const latency of latencies) {
      bucket.seen += 1;
      if (bucket.samples.length < samplesPerSecond) bucket.samples.push(latency);
      else {
        const slot = Math.floor(random() * bucket.seen);
        if (slot < samplesPerSecond) bucket.samples[slot] = latency;
      }
    }
  }
}

export class LiveMetrics {
  readonly #sessions = new Map<string, SessionWindow>();
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(now: () => number = Date.now, random: () => number = Math.random) {
    this.#now = now;
    this.#random = random;
  }

  /** Records events of a session stored now, with each one's end-to-end latency in ms. */
  record(sessionId: string, latenciesMs: readonly number[]): void {
    if (latenciesMs.length === 0) return;
    let window = this.#sessions.get(sessionId);
    if (!window) {
      window = new SessionWindow();
      this.#sessions.set(sessionId, window);
    }
    window.record(Math.floor(this.#now() / 1000), latenciesMs, this.#random);
  }

  snapshot(sessionId: string): LiveMetricsSnapshot {
    const now = Math.floor(this.#now() / 1000);
    const buckets = (this.#sessions.get(sessionId)?.buckets ?? []).filter(
      (bucket) => bucket.second > now - horizonSeconds,
    );
    const recent = buckets.filter((bucket) => bucket.second > now - rateWindowSeconds);
    const events = recent.reduce((sum, bucket) => sum + bucket.events, 0);
    return {
      eventsPerSecond: Math.round((events / rateWindowSeconds) * 10) / 10,
      p95LatencyMs: p95(buckets.flatMap((bucket) => bucket.samples)),
      series: buckets.map((bucket) => ({
        at: new Date(bucket.second * 1000).toISOString(),
        events: bucket.events,
        p95LatencyMs: p95(bucket.samples),
      })),
    };
  }

  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }
}
