import { z } from 'zod';
import { callJson, OutboundError } from '../integrations/outbound-http.ts';

/**
 * The IP-reputation lookup: `GET <baseUrl>/ip/<ip>` with the tenant's key in `X-Api-Key`.
 * 200 answers `{ ip, reputation: malicious|suspicious|clean|unknown, score: 0-100, categories: [..],
 * country?, lastSeen? }`; 404 means the service knows nothing about the address.
 */
const answerSchema = z.object({
  ip: z.string(),
  reputation: z.enum(['malicious', 'suspicious', 'clean', 'unknown']),
  score: z.number().min(0).max(100),
  categories: z.array(z.string().max(100)).max(50).default([]),
  country: z.string().max(100).nullish(),
  lastSeen: z.string().max(100).nullish(),
});

export interface Enrichment {
  ip: string;
  /** found: the service knows the address; not_found: it has no record of it. */
  status: 'found' | 'not_found';
  reputation: 'malicious' | 'suspicious' | 'clean' | 'unknown';
  score: number | null;
  categories: string[];
  country: string | null;
  lastSeen: string | null;
  checkedAt: string;
}

export async function lookUpIp(
  target: { baseUrl: string; apiKey: string },
  ip: string,
  timeoutMs: number,
): Promise<Enrichment> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}/ip/${encodeURIComponent(ip)}`;
  const response = await callJson(
    'The threat-intelligence service',
    url,
    { method: 'GET', headers: { 'x-api-key': target.apiKey } },
    timeoutMs,
  );
  const checkedAt = new Date().toISOString();
  if (response.status === 404) {
    return {
      ip,
      status: 'not_found',
      reputation: 'unknown',
      score: null,
      categories: [],
      country: null,
      lastSeen: null,
      checkedAt,
    };
  }
  if (response.status !== 200) {
    throw new OutboundError(
      `The threat-intelligence service answered HTTP ${response.status}`,
      response.status,
    );
  }
  const parsed = answerSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new OutboundError(
      'The threat-intelligence service answered something that is not an IP reputation',
    );
  }
  return {
    ip,
    status: 'found',
    reputation: parsed.data.reputation,
    score: parsed.data.score,
    categories: parsed.data.categories,
    country: parsed.data.country ?? null,
    lastSeen: parsed.data.lastSeen ?? null,
    checkedAt,
  };
}
