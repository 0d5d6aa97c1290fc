import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.ts';
import { withTenant } from '../db/pool.ts';
import { forbidden, unauthenticated } from '../http/api-error.ts';
import { findApiKey } from './api-keys.ts';
import type { Principal } from './principal.ts';
import { type Action, can, type Resource } from './roles.ts';
import { findSession } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Why presented credentials were refused, so the 401 can say what to fix. */
    credentialProblem: string | null;
  }
}

/** Paths that never act for a user, so no credential lookup is spent on them. */
const anonymousPrefixes = ['/assets/', '/health/', '/metrics', '/openapi.json', '/api/admin/', '/auth/'];

/**
 * Resolves who is calling before anything else runs: an API key (`Authorization: Bearer`) on
 * `/api/*`, otherwise the session cookie. Identity headers of any other kind are ignored.
 */
export function installAuthentication(app: FastifyInstance, pool: pg.Pool): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('credentialProblem', null);
  app.addHook('onRequest', async (request) => {
    if (anonymousPrefixes.some((prefix) => request.url.startsWith(prefix))) return;
    const authorization = request.headers.authorization;
    if (request.url.startsWith('/api/') && authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match?.[1]) {
        request.credentialProblem =
          'The Authorization header must read "Bearer <API key>"; fix it and retry.';
        return;
      }
      request.principal = await findApiKey(pool, match[1]);
      if (!request.principal) {
        request.credentialProblem = 'That API key is not valid or was revoked; use a current key.';
      }
      return;
    }
    const sid = request.cookies.sid;
    if (sid) {
      request.principal = await findSession(pool, sid);
      if (!request.principal) request.credentialProblem = 'Your session has ended; sign in again.';
    }
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated(request.credentialProblem ?? undefined);
  return request.principal;
}

export async function requireUser(request: FastifyRequest): Promise<void> {
  principalOf(request);
}

const resourceWords: Record<Resource, string> = {
  datasets: 'datasets and experiments',
  models: 'model versions',
  deployments: 'deployments',
  streaming: 'streaming sessions',
  alerts: 'events and alerts',
  audit: 'the audit log',
  admin: 'users and integrations',
};

/** A preHandler that lets the request through only when the caller's role allows the action. */
export function requirePermission(pool: pg.Pool, resource: Resource, action: Action) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = principalOf(request);
    if (can(principal.role, resource, action)) return;
    await withTenant(pool, principal.tenant.id, (db) =>
      recordAudit(db, principal.tenant.id, {
        action: 'permission.denied',
        outcome: 'denied',
        actorId: principal.userId,
        actorEmail: principal.email,
        targetType: resource,
        ip: request.ip,
        details: { method: request.method, path: request.url.split('?')[0], needed: action },
      }),
    );
    throw forbidden(
      `Your role (${principal.role}) cannot ${action === 'write' ? 'change' : 'see'} ${resourceWords[resource]}; ask a tenant admin for a role that can.`,
    );
  };
}
