import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { ApiError } from './api-error.ts';

/**
 * Request-rate limits (429 with Retry-After). Keys are per user when the caller is known and
 * per client address otherwise; sign-in attempts are keyed per address and tenant, so one
 * noisy client cannot lock a whole tenant out, nor one tenant's traffic another's.
 */
export async function installRateLimiting(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new ApiError(
        'rate_limited',
        `Too many requests; wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
        [{ retryAfterSeconds: seconds, limit: context.max }],
        { 'retry-after': String(seconds) },
      );
    },
  });
}

const perUser = (request: FastifyRequest) =>
  request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;

export interface RateLimitPolicies {
  writes: { max: number; timeWindow: number; keyGenerator: (request: FastifyRequest) => string };
  signIn: { max: number; timeWindow: number; keyGenerator: (request: FastifyRequest) => string };
}

export function rateLimitPolicies(config: Config): RateLimitPolicies {
  return {
    writes: { max: config.rateLimits.writePerMinute, timeWindow: 60_000, keyGenerator: perUser },
    signIn: {
      max: config.rateLimits.authPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) =>
        `${request.ip}|${(request.params as { tenantSlug?: string }).tenantSlug ?? ''}`,
    },
  };
}
