import type { z } from 'zod';
import { ApiError } from './api-error.ts';

export interface FieldProblem {
  field: string;
  problem: string;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/** Parses input with a zod schema; a failure becomes `validation_failed` with a problem per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: FieldProblem[] = result.error.issues.map((issue) => ({
    field: fieldName(issue.path),
    problem: issue.message,
  }));
  const first = details[0];
  const summary = first ? `${first.field}: ${first.problem}` : 'it does not match the schema';
  throw new ApiError(
    'validation_failed',
    `The ${what} is not valid (${summary}); fix the fields listed in details and retry.`,
    details,
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are UUIDs; anything else cannot name a resource, so it is simply not found. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
