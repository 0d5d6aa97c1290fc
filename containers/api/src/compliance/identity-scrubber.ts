/**
 * Finds a person's exact email and full name in free text written by people (notes, rollback
 * reasons, a filter someone typed) and replaces them with the person's pseudonym. Only whole
 * words count, in any case: erasing "Eve" rewrites "Handed to Eve." and "EVE's shift" but never
 * "events", "every", "Steve", "Eve-Marie" or "eve.jones@example.test", so nothing about anyone
 * else changes. JSON keys are never touched: they are the platform's own words, not a person's.
 */
export interface IdentityScrubber {
  /** The text with each whole-word mention replaced; the same string when there is none. */
  text(value: string): string;
  /** A JSON value with every string value scrubbed; keys, numbers and structure stay as they were. */
  deep<T>(value: T): T;
  /** True when the text mentions the person as a whole word. */
  mentions(value: string): boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A word character, and the characters that join words into one token (an email, a dotted or
// hyphenated name): a mention may not touch either, so it is never part of a longer token.
const word = String.raw`[\p{L}\p{N}_]`;
const joiner = String.raw`[.@+\-]`;
const before = `(?<!${word})(?<!${word}${joiner})`;
const after = `(?!${word})(?!${joiner}${word})`;

/** The pattern for one identity: its words in order, any run of white space between them. */
const identityPattern = (identity: string) =>
  identity.trim().split(/\s+/u).map(escapeRegExp).join(String.raw`\s+`);

export function identityScrubber(identities: readonly string[], pseudonym: string): IdentityScrubber {
  const wanted = identities
    .map((identity) => identity.trim())
    .filter((identity) => identity.length > 0)
    // Longest first, so an email is replaced whole before a name that could sit inside it.
    .sort((a, b) => b.length - a.length);
  const pattern =
    wanted.length === 0
      ? null
      : new RegExp(`${before}(?:${wanted.map(identityPattern).join('|')})${after}`, 'giu');
  const text = (value: string) => (pattern ? value.replace(pattern, pseudonym) : value);
  const mentions = (value: string) => {
    if (!pattern) return false;
    pattern.lastIndex = 0;
    return pattern.test(value);
  };
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, deep(field)]));
    }
    return value;
  };
  return { text, deep: <T>(value: T) => deep(value) as T, mentions };
}
