import { z } from 'zod';

/**
 * Settings of the operational side (health gate, scoring, streaming, outbound calls), from the
 * environment like the rest of the configuration, each with a default that suits one small
 * machine. Problems are reported with the variable's name, as config.ts does.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const share = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

const envSchema = z.object({
  HEALTH_WINDOW_MINUTES: positiveInt(15),
  HEALTH_MIN_REQUESTS: positiveInt(1),
  HEALTH_MAX_ERROR_RATE: share(0.05),
  HEALTH_MAX_P95_MS: positiveInt(500),
  SCORE_MAX_ROWS: positiveInt(10_000),
  RATE_LIMIT_SCORE_PER_MINUTE: positiveInt(1_200),
  SCORE_ROWS_PER_MINUTE_PER_TENANT: positiveInt(60_000),
  SCORE_CONCURRENT_PER_TENANT: positiveInt(2),
  SCORING_THREADS: positiveInt(2),
  /** Heap of each detection and scoring thread; one that needs more is stopped, not the platform. */
  THREAD_HEAP_MB: positiveInt(512),
  STREAM_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, dots, dashes or underscores')
    .default('anomaly-platform-stream-worker'),
  STREAM_FLUSH_MS: positiveInt(20),
  STREAM_BATCH_SIZE: positiveInt(2_000),
  STREAM_STUCK_AFTER_MS: positiveInt(30_000),
  OUTBOUND_TIMEOUT_MS: positiveInt(5_000),
});

export interface OperationsConfig {
  health: { windowMinutes: number; minRequests: number; maxErrorRate: number; maxP95Ms: number };
  /**
   * `rowsPerMinutePerTenant` and `concurrentPerTenant`: each tenant's share of scoring;
   * `threads`: the scoring threads; `threadHeapMb`: the memory each detection or scoring thread may use.
   */
  scoring: {
    maxRows: number;
    perMinute: number;
    rowsPerMinutePerTenant: number;
    concurrentPerTenant: number;
    threads: number;
    threadHeapMb: number;
  };
  /** `stuckAfterMs`: readiness fails once an event has waited this long to be stored. */
  streaming: { clientId: string; flushMs: number; batchSize: number; stuckAfterMs: number };
  outboundTimeoutMs: number;
}

/** Throws a list of "VARIABLE: problem" sentences, which config.ts turns into a ConfigError. */
export function loadOperationsConfig(env: Record<string, string | undefined>): OperationsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`)
        .join(' '),
    );
  }
  const e = parsed.data;
  return {
    health: {
      windowMinutes: e.HEALTH_WINDOW_MINUTES,
      minRequests: e.HEALTH_MIN_REQUESTS,
      maxErrorRate: e.HEALTH_MAX_ERROR_RATE,
      maxP95Ms: e.HEALTH_MAX_P95_MS,
    },
    scoring: {
      maxRows: e.SCORE_MAX_ROWS,
      perMinute: e.RATE_LIMIT_SCORE_PER_MINUTE,
      rowsPerMinutePerTenant: e.SCORE_ROWS_PER_MINUTE_PER_TENANT,
      concurrentPerTenant: e.SCORE_CONCURRENT_PER_TENANT,
      threads: e.SCORING_THREADS,
      threadHeapMb: e.THREAD_HEAP_MB,
    },
    streaming: {
      clientId: e.STREAM_CLIENT_ID,
      flushMs: e.STREAM_FLUSH_MS,
      batchSize: e.STREAM_BATCH_SIZE,
      stuckAfterMs: e.STREAM_STUCK_AFTER_MS,
    },
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_MS,
  };
}
