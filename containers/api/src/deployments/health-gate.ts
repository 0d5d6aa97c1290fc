import type { OperationsConfig } from '../operations-config.ts';
import type { TrafficStats } from './deployments-repo.ts';

export interface Health {
  healthy: boolean;
  /** Why it is not healthy, one plain sentence each; empty when healthy. */
  reasons: string[];
  windowMinutes: number;
  requests: number;
  errors: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  limits: { minRequests: number; maxErrorRate: number; maxP95Ms: number };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * Judges a deployment by the scoring traffic it answered in the window: enough requests to say
 * anything, an error rate and a p95 latency within the limits. No traffic is not healthy: a
 * model nobody has exercised has not shown that it works.
 */
export function judgeHealth(stats: TrafficStats, limits: OperationsConfig['health']): Health {
  const reasons: string[] = [];
  const errorRate = stats.requests > 0 ? stats.errors / stats.requests : null;
  if (stats.requests < limits.minRequests) {
    reasons.push(
      `It answered ${stats.requests} scoring request${stats.requests === 1 ? '' : 's'} in the last ${limits.windowMinutes} minutes and needs at least ${limits.minRequests}; send it scoring traffic first.`,
    );
  }
  if (errorRate !== null && errorRate > limits.maxErrorRate) {
    reasons.push(
      `Its error rate is ${percent(errorRate)} (${stats.errors} of ${stats.requests} requests), above the ${percent(limits.maxErrorRate)} limit.`,
    );
  }
  if (stats.p95LatencyMs !== null && stats.p95LatencyMs > limits.maxP95Ms) {
    reasons.push(
      `Its p95 latency is ${Math.round(stats.p95LatencyMs)} ms, above the ${limits.maxP95Ms} ms limit.`,
    );
  }
  return {
    healthy: reasons.length === 0,
    reasons,
    windowMinutes: limits.windowMinutes,
    requests: stats.requests,
    errors: stats.errors,
    errorRate,
    p95LatencyMs: stats.p95LatencyMs,
    limits: { minRequests: limits.minRequests, maxErrorRate: limits.maxErrorRate, maxP95Ms: limits.maxP95Ms },
  };
}
