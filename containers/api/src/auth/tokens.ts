import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An unguessable token for session ids, API keys, CSRF tokens and OIDC state. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Secrets are stored only as this digest, so a database dump grants no access. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares secrets in constant time (digests first, so lengths leak nothing either). */
export function secretsMatch(given: string, expected: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );
}
