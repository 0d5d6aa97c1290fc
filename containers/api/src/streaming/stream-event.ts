import { z } from 'zod';

/**
 * One event as producers publish it:
 * `{ "id": "…", "ts"?: ISO-8601 or epoch ms, "values": { feature: number | null }, "source"?: { deviceId?, ip? } }`.
 * The id makes delivery idempotent: the same id in one session is stored and counted once.
 *
 * Everything accepted here must be storable and scorable: PostgreSQL refuses NUL in `text` and
 * `jsonb` and lone surrogates in `jsonb`, a JavaScript date ends at ±8.64e15 ms, and a detector
 * cannot use a reading JSON reads as Infinity. One event that slipped through would fail its
 * whole batch, so each of these is refused here, with a reason a person can act on.
 */

/** The largest payload taken, in bytes; larger ones are set aside unread. */
export const maxEventBytes = 65_536;
const maxText = 200;
const maxFeatures = 1_000;
const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
const controlCharacter = /[\u0000-\u001f\u007f]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unprintable = new RegExp(`${controlCharacter.source}|${loneSurrogate.source}`, 'g');

const codePoint = (char: string) => (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');

/** Writes control characters and lone surrogates as `\uXXXX`, so text from a producer can be shown and stored. */
export function printable(text: string): string {
  return text.replace(unprintable, (char) => `\\u${codePoint(char).toLowerCase()}`);
}

/** What in the text cannot be stored ("a control character (U+0000)", "a lone surrogate"), or null. */
function unstorable(text: string): string | null {
  const control = controlCharacter.exec(text);
  if (control) return `a control character (U+${codePoint(control[0])})`;
  if (loneSurrogate.test(text)) return 'a lone surrogate, which is not valid Unicode';
  return null;
}

const printableText = z
  .string()
  .max(maxText, `must be at most ${maxText} characters.`)
  .superRefine((text, ctx) => {
    const found = unstorable(text);
    if (found) ctx.addIssue({ code: 'custom', message: `contains ${found}; use printable text.` });
  });

const idSchema = z
  .union([z.string(), z.int()], { error: 'must be text or a whole number that names the event.' })
  .transform((id, ctx) => {
    const text = String(id).trim();
    if (text === '') ctx.addIssue({ code: 'custom', message: 'must not be empty.' });
    else if (text.length > maxText)
      ctx.addIssue({ code: 'custom', message: `must be at most ${maxText} characters.` });
    else {
      const found = unstorable(text);
      if (found) ctx.addIssue({ code: 'custom', message: `contains ${found}; use printable text.` });
    }
    return text;
  });

const isoTime = z.iso.datetime({ offset: true });

const tsSchema = z.unknown().transform((ts, ctx) => {
  const at =
    typeof ts === 'number'
      ? Number.isInteger(ts)
        ? ts
        : Number.NaN
      : typeof ts === 'string' && isoTime.safeParse(ts).success
        ? Date.parse(ts)
        : Number.NaN;
  if (at >= earliest && at <= latest) return at;
  const shown = (JSON.stringify(ts) ?? String(ts)).slice(0, 60);
  ctx.addIssue({
    code: 'custom',
    message: `must be a time from 1970-01-01 to 9999-12-31, as ISO 8601 with an offset or epoch milliseconds; ${printable(shown)} is not.`,
  });
  return z.NEVER;
});

const valuesSchema = z
  .record(z.string(), z.number({ error: 'must be a finite number or null.' }).nullable(), {
    error: 'must be an object of feature names to numbers or null.',
  })
  .superRefine((values, ctx) => {
    const names = Object.keys(values);
    if (names.length > maxFeatures) {
      ctx.addIssue({ code: 'custom', message: `may name at most ${maxFeatures} features.` });
      return;
    }
    for (const name of names) {
      const found = unstorable(name);
      const problem =
        name.trim() === ''
          ? 'has an empty feature name; name every feature.'
          : name.length > maxText
            ? `has a feature name longer than ${maxText} characters.`
            : found && `has a feature name with ${found}; use printable names.`;
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return;
      }
    }
  });

const eventSchema = z.object(
  {
    id: idSchema,
    ts: tsSchema.optional(),
    values: valuesSchema,
    source: z
      .object(
        {
          deviceId: printableText.optional(),
          ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address.' }).optional(),
        },
        { error: 'must be an object with deviceId and ip.' },
      )
      .optional(),
  },
  { error: 'the event must be a JSON object with an id and values.' },
);

export interface StreamEvent {
  id: string;
  /** When the reading was taken (the producer's clock), or when it arrived if not given. */
  occurredAt: number;
  values: Record<string, number | null>;
  deviceId: string | null;
  ip: string | null;
}

export type ParsedEvent =
  | { ok: true; event: StreamEvent }
  /** `eventId`: the id as far as it could be read (printable), for the set-aside list; null when none. */
  | { ok: false; problem: string; eventId: string | null };

/** The id of a refused event, made printable, when the payload names one. */
function readableId(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || !('id' in json)) return null;
  const { id } = json as { id: unknown };
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  const text = printable(String(id).trim());
  return text === '' ? null : text.slice(0, maxText);
}

export function parseStreamEvent(payload: Buffer, receivedAt: number): ParsedEvent {
  if (payload.length > maxEventBytes) {
    return {
      ok: false,
      problem: `the payload is ${payload.length} bytes; an event may be at most ${maxEventBytes} bytes.`,
      eventId: null,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return {
      ok: false,
      problem: 'the payload is not JSON; publish one JSON object per event.',
      eventId: null,
    };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map((part) => printable(String(part))).join('.') ?? '';
    const message = issue?.message ?? 'is not a valid event.';
    return { ok: false, problem: where ? `${where} ${message}` : message, eventId: readableId(json) };
  }
  const { id, ts, values, source } = parsed.data;
  return {
    ok: true,
    event: {
      id,
      occurredAt: ts ?? receivedAt,
      values,
      deviceId: source?.deviceId ?? null,
      ip: source?.ip ?? null,
    },
  };
}
