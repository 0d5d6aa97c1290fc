import type { FastifyServerOptions } from 'fastify';
import { maskIp, maskLogText } from './log-masking.ts';

/**
 * pino options: JSON lines on stdout, and nothing that grants access or identifies a person
 * (tokens, keys, cookies, session ids, emails, full client addresses) ever written out. Known
 * fields are redacted by path; every finished line is then masked again, so a value that slips
 * into a message or an error's text is caught too. URLs are logged without their query string,
 * which can carry OIDC codes and login hints.
 */
export function loggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
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
        'apiKey',
        '*.apiKey',
        'sid',
        '*.sid',
        'clientSecret',
        '*.clientSecret',
        'idToken',
        '*.idToken',
        'err.detail',
      ],
      censor: '[redacted]',
    },
    hooks: { streamWrite: maskLogText },
    serializers: {
      req(request: { method: string; url: string; ip?: string }) {
        return { method: request.method, url: request.url.split('?')[0], remoteAddress: maskIp(request.ip) };
      },
    },
  };
}
