/**
 * The one error shape of the API: `{ error, message, details }`. Anything a handler throws
 * as an ApiError reaches the client as-is; anything else becomes a 500 without internals.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_csv'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'bad_gateway'
  | 'service_unavailable'
  | 'internal_error';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_csv: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  bad_gateway: 502,
  service_unavailable: 503,
  internal_error: 500,
};

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details: unknown[];
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: unknown[];
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    details: unknown[] = [],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = statusOf[code];
    this.details = details;
    this.headers = headers;
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message, details: this.details };
  }
}

export const notFound = (what = 'resource') =>
  new ApiError('not_found', `No ${what} with that id exists here: check the id, or list what you can see.`);

export const unauthenticated = (
  message = 'Sign in, or send a valid API key as "Authorization: Bearer <key>".',
) => new ApiError('unauthenticated', message);

export const forbidden = (message: string) => new ApiError('forbidden', message);

export const conflict = (message: string) => new ApiError('conflict', message);
