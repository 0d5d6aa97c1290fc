import type { FastifyServerOptions } from 'fastify';

/**
 * pino options: JSON lines on stdout, and nothing that grants access or identifies a person
 * (tokens, keys, cookies, emails) ever written out. URLs are logged without their query
 * string, which can carry OIDC codes and login hints.
 */
export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        'email',
        '*.email',
        'token',
        '*.token',
        'key',
        '*.key',
        'clientSecret',
        '*.clientSecret',
        'idToken',
        '*.idToken',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string }) {
        return { method: request.method, url: request.url.split('?')[0], remoteAddress: request.ip };
      },
    },
  };
}
