import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../http/api-error.ts';
import { isApiRequest } from '../http/error-handling.ts';
import { secretsMatch } from './tokens.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler checks the token itself (multipart forms: the body is read as a stream). */
    csrfCheckedInHandler?: boolean;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfFieldName = '_csrf';

const formExpired = () =>
  forbidden('This form has expired or did not come from this site; reload the page and submit it again.');

/** The form field check, for handlers that read their own (multipart) body. */
export function assertCsrfField(request: FastifyRequest, submitted: unknown): void {
  const expected = request.principal?.csrfToken;
  if (!expected || typeof submitted !== 'string' || !secretsMatch(submitted, expected)) throw formExpired();
}

/**
 * Cross-site request forgery only works with ambient credentials, i.e. the session cookie:
 * - HTML forms must echo the session's token in a hidden `_csrf` field;
 * - cookie-authenticated API writes must be `application/json` (no cross-site form can send
 *   that without a CORS preflight this server never grants) or carry `x-csrf-token`.
 * API-key calls carry no ambient credential and are exempt.
 */
export function installCsrfProtection(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (safeMethods.has(request.method)) return;
    const principal = request.principal;
    if (principal?.via !== 'session' || !principal.csrfToken) return;
    if (request.routeOptions.config.csrfCheckedInHandler) return;
    if (isApiRequest(request)) {
      if (request.headers['content-type']?.toLowerCase().startsWith('application/json')) return;
      const header = request.headers['x-csrf-token'];
      if (typeof header === 'string' && secretsMatch(header, principal.csrfToken)) return;
      throw forbidden(
        'A cookie-authenticated API write must be sent as application/json or carry the x-csrf-token header from GET /api/me.',
      );
    }
    assertCsrfField(request, (request.body as Record<string, unknown> | undefined)?.[csrfFieldName]);
  });
}
