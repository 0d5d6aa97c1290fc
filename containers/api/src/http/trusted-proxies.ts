import { isIP } from 'node:net';

/**
 * Which peers may speak for the client in `X-Forwarded-For`: a list of proxy addresses or CIDRs,
 * handed to Fastify's `trustProxy`, which walks the header from the right and stops at the first
 * hop that is not one of them. So a client's own, forged entries are never taken for its address:
 * the sign-in throttle, the anonymous rate limits and the audit log's IP column all read it.
 *
 * `true` (trust every hop) is refused: behind a proxy that appends to the header, as they all do,
 * it takes the leftmost entry, which the client wrote itself.
 */
export function parseTrustedProxies(value: string | undefined): string[] {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return [];
  if (text === 'true') {
    throw new Error(
      "TRUST_PROXY=true would take any client's X-Forwarded-For at its word: list your proxies' addresses or CIDRs instead, e.g. TRUST_PROXY=10.0.0.5,10.1.0.0/16.",
    );
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !isAddressOrCidr(entry));
  if (wrong.length > 0) {
    throw new Error(
      `TRUST_PROXY: ${wrong.map((entry) => `"${entry}"`).join(', ')} ${wrong.length === 1 ? 'is not an IP address or CIDR' : 'are not IP addresses or CIDRs'}: list your proxies' addresses or CIDRs, comma-separated, e.g. TRUST_PROXY=10.0.0.5,10.1.0.0/16.`,
    );
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
