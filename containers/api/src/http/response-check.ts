import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { ApiError } from './api-error.ts';

/**
 * Checks each JSON success answer against the schema its route publishes (`doc.returns`) before
 * it leaves. Clients generate their types from the OpenAPI document, so an answer that strays
 * from it is a platform bug; it is logged with the differences and, in `strict` mode (the
 * default, and what the test stacks run), answered as a 500, so it cannot go unnoticed. A
 * deployment that prefers serving to failing sets `log`; `off` skips the parse. Streamed answers
 * (`/api/runs/:id/results`) are not objects here and pass unchecked.
 */
export function installResponseCheck(server: FastifyInstance, mode: Config['responseCheck']): void {
  if (mode === 'off') return;
  server.addHook('preSerialization', async (request, reply, payload) => {
    const schema = request.routeOptions.config?.doc?.returns;
    if (!schema || reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    const checked = schema.safeParse(payload);
    if (checked.success) return payload;
    request.log.error(
      { route: request.routeOptions.url, issues: checked.error.issues },
      'the answer does not match the schema the OpenAPI document publishes for it',
    );
    if (mode === 'log') return payload;
    throw new ApiError(
      'internal_error',
      `The platform's answer to ${request.method} ${request.routeOptions.url} does not match its published schema; the platform log lists the differences.`,
    );
  });
}
