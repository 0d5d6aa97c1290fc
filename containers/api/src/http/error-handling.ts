import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';
import type { RouteCatalog } from './route-catalog.ts';

export const isApiRequest = (request: FastifyRequest) =>
  request.url.startsWith('/api/') || request.url === '/api';

/** Renders an error for people (HTML pages); the API answers JSON instead. */
export type HtmlErrorRenderer = (request: FastifyRequest, error: ApiError) => string;

const internalError = () =>
  new ApiError(
    'internal_error',
    'Something went wrong on our side; try again, and if it keeps failing report the time it happened.',
  );

/** Maps what Fastify and its plugins throw onto the API's error codes. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as Partial<FastifyError> & { statusCode?: number };
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ApiError(
        'payload_too_large',
        'The request is larger than this server accepts; send less data.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ApiError(
        'unsupported_media_type',
        'This content type is not accepted here; send application/json, or multipart/form-data for uploads.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('validation_failed', 'The body is not valid JSON; send a JSON object.', []);
  }
  if (e.statusCode === 429) {
    return new ApiError(
      'rate_limited',
      'Too many requests; wait for the number of seconds in Retry-After, then retry.',
    );
  }
  if (e.statusCode === 400) {
    return new ApiError(
      'validation_failed',
      `The request is not valid: ${e.message ?? 'check it'}; fix it and retry.`,
    );
  }
  if (e.statusCode === 404) return new ApiError('not_found', 'Nothing lives at this address; check the URL.');
  if (e.statusCode === 413) {
    return new ApiError(
      'payload_too_large',
      'The request is larger than this server accepts; send less data.',
    );
  }
  if (e.statusCode === 415) {
    return new ApiError(
      'unsupported_media_type',
      'This content type is not accepted here; check the documentation.',
    );
  }
  return internalError();
}

function send(request: FastifyRequest, reply: FastifyReply, error: ApiError, renderHtml: HtmlErrorRenderer) {
  reply.status(error.statusCode);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  if (isApiRequest(request) || !request.headers.accept?.includes('text/html')) {
    // Plain clients (curl, the journeys' API client) get JSON everywhere; browsers get pages.
    return reply.type('application/json; charset=utf-8').send(error.toBody());
  }
  return reply.type('text/html; charset=utf-8').send(renderHtml(request, error));
}

export function installErrorHandling(
  app: FastifyInstance,
  catalog: RouteCatalog,
  renderHtml: HtmlErrorRenderer,
) {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return send(request, reply, apiError, renderHtml);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = catalog.allowedMethods(path);
    if (allowed.length > 0) {
      const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
      const error = new ApiError(
        'method_not_allowed',
        `${request.method} is not allowed here; use ${allowed.join(' or ')}.`,
        [{ allowed }],
        { allow },
      );
      return send(request, reply, error, renderHtml);
    }
    return send(
      request,
      reply,
      new ApiError('not_found', 'Nothing lives at this address; check the URL.'),
      renderHtml,
    );
  });
}
