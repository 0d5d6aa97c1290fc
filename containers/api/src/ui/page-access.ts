import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { requirePermission } from '../auth/request-auth.ts';
import type { Action, Resource } from '../auth/roles.ts';
import { ApiError } from '../http/api-error.ts';
import type { FieldProblem } from '../http/validation.ts';

/**
 * Pages need a signed-in person. Someone whose session ended is sent to their organisation's
 * sign-in page when we know it (the `tenant` cookie), otherwise told to sign in.
 */
export function pageAccess(pool: pg.Pool, resource: Resource, action: Action) {
  const permission = requirePermission(pool, resource, action);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.principal && request.method === 'GET' && request.cookies.tenant) {
      return reply.redirect(`/login/${encodeURIComponent(request.cookies.tenant)}`, 302);
    }
    await permission(request);
  };
}

export const sendPage = (reply: FastifyReply, body: string, status = 200) =>
  reply.status(status).type('text/html; charset=utf-8').send(body);

const fieldLabels: Record<string, string> = {
  contamination: 'Contamination',
  period: 'Seasonal period',
  threshold: 'Threshold',
  k: 'k',
  trees: 'Trees',
  sampleSize: 'Sample size',
  seed: 'Seed',
  name: 'Name',
  datasetId: 'Dataset',
  runs: 'Algorithms',
};

/** Turns an API validation error into sentences for a form: "Contamination must be …". */
export function formProblems(error: ApiError): string[] {
  if (error.code !== 'validation_failed' || error.details.length === 0) return [error.message];
  return (error.details as FieldProblem[]).map((detail) => {
    const last = detail.field.split('.').at(-1) ?? detail.field;
    return `${fieldLabels[last] ?? last} ${detail.problem}`;
  });
}

export const firstString = (value: unknown): string => {
  if (Array.isArray(value)) return firstString(value[0]);
  return typeof value === 'string' ? value : '';
};

export const isApiError = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.statusCode < 500;
