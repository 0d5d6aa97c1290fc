import { z } from 'zod';

/**
 * One event as producers publish it:
 * `{ "id": "…", "ts"?: ISO-8601 or epoch ms, "values": { feature: number | null }, "source"?: { deviceId?, ip? } }`.
 * The id makes delivery idempotent: the same id in one session is stored and counted once.
 */
const eventSchema = z.object({
  id: z.union([z.string().trim().min(1).max(200), z.number().int().transform(String)]),
  ts: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  values: z.record(z.string().max(200), z.union([z.number(), z.null()])),
  source: z
    .object({
      deviceId: z.string().max(200).optional(),
      ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    })
    .optional(),
});

export interface StreamEvent {
  id: string;
  /** When the reading was taken (the producer's clock), or when it arrived if not given. */
  occurredAt: number;
  values: Record<string, number | null>;
  deviceId: string | null;
  ip: string | null;
}

export type ParsedEvent = { ok: true; event: StreamEvent } | { ok: false; problem: string };

export function parseStreamEvent(payload: Buffer, receivedAt: number): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, problem: 'the payload is not JSON' };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}` };
  }
  const { id, ts, values, source } = parsed.data;
  return {
    ok: true,
    event: {
      id,
      occurredAt: ts === undefined ? receivedAt : typeof ts === 'number' ? ts : Date.parse(ts),
      values,
      deviceId: source?.deviceId ?? null,
      ip: source?.ip ?? null,
    },
  };
}
