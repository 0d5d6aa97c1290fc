/**
 * The last line of defence for the logs: whatever a log call was given, the line written out
 * carries no email address, API key, bearer token or session id. Emails keep two letters and
 * their domain ("ad***@example.com") so an operator can still tell accounts apart.
 */
const rules: ReadonlyArray<{
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}> = [
  {
    pattern: /([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g,
    replace: (_match, local: string, domain: string) => `${local.slice(0, 2)}***@${domain}`,
  },
  { pattern: /\bjk_[A-Za-z0-9_-]{6,}/g, replace: 'jk_[redacted]' },
  { pattern: /\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, replace: '$1[redacted]' },
  { pattern: /\b(sid=)[^;\s"',&]+/g, replace: '$1[redacted]' },
];

export function maskLogText(text: string): string {
  let masked = text;
  for (const rule of rules) masked = masked.replace(rule.pattern, rule.replace as string);
  return masked;
}

/** An address narrowed to its network (IPv4 /24, IPv6 /48): enough to spot a pattern, not a person. */
export function maskIp(ip: string | undefined): string | undefined {
  if (!ip) return ip;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    const groups = ip.split(':').filter(Boolean).slice(0, 3);
    return `${groups.join(':')}::/48`;
  }
  return '[masked]';
}
