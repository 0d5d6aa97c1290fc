import { expect, test } from '@playwright/test';
import {
  type AttackKind,
  attackPayloads,
  injectionPayloads,
  NOTE_LIMIT,
  oversizedText,
  payloadsOf,
  splitForForm,
} from '../../fixtures/data/attack-payloads.ts';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const kinds: AttackKind[] = [
  'sql-injection',
  'script-html',
  'path-traversal',
  'command-injection',
  'unicode',
  'oversized',
];

test.describe('the attack-payload corpus', () => {
  test('covers every kind with at least three payloads, each named once', () => {
    const counts = Object.fromEntries(kinds.map((kind) => [kind, payloadsOf(kind).length]));
    for (const kind of kinds) expect(counts[kind], kind).toBeGreaterThanOrEqual(3);
    expect(attackPayloads).toHaveLength(Object.values(counts).reduce((sum, count) => sum + count, 0));
    const names = attackPayloads.map((payload) => `${payload.kind}/${payload.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every payload survives an HTML form unchanged: one line, no padding, no control characters', () => {
    const problems = attackPayloads.flatMap((payload) => {
      const found: string[] = [];
      if (payload.value.length === 0) found.push('empty');
      if (payload.value !== payload.value.trim()) found.push('leading or trailing whitespace');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
      if (/[\u0000-\u001f\u007f]/.test(payload.value)) found.push('control character');
      if (loneSurrogate.test(payload.value)) found.push('lone surrogate');
      return found.map((problem) => `${payload.kind}/${payload.name}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  test('payloads meant to be stored fit in a note; the oversized ones straddle the limit', () => {
    expect(injectionPayloads.length).toBe(attackPayloads.length - payloadsOf('oversized').length);
    const tooLong = injectionPayloads.filter((payload) => payload.value.length > NOTE_LIMIT);
    expect(tooLong).toEqual([]);
    expect(payloadsOf('oversized').map((payload) => payload.value.length)).toEqual([
      NOTE_LIMIT,
      NOTE_LIMIT + 1,
      1_000_000,
    ]);
  });

  test('each kind carries what makes it dangerous', () => {
    const every = (kind: AttackKind, pattern: RegExp) =>
      payloadsOf(kind)
        .filter((payload) => !pattern.test(payload.value))
        .map((payload) => payload.name);
    expect(every('sql-injection', /'|\$\$/)).toEqual([]);
    expect(every('script-html', /[<>]|&[a-z]+;|\$\{|\balert\(|onfocus=/)).toEqual([]);
    expect(every('path-traversal', /\.\.|%2e%2e/i)).toEqual([]);
    expect(every('command-injection', /[;|`&]|\$\(/)).toEqual([]);
    // Unicode payloads are not plain ASCII, and their normalised forms differ from some of them.
    expect(payloadsOf('unicode').filter((payload) => /^[\x20-\x7e]*$/.test(payload.value))).toEqual([]);
    expect(payloadsOf('unicode').some((payload) => payload.value.normalize('NFKC') !== payload.value)).toBe(
      true,
    );
  });

  test('oversized text has exactly the asked length and is refused for nonsense lengths', () => {
    expect(oversizedText(1)).toHaveLength(1);
    expect(oversizedText(4001)).toHaveLength(4001);
    expect(new Set(oversizedText(100)).size).toBeGreaterThan(5);
    expect(() => oversizedText(0)).toThrow('oversizedText needs a positive whole length (got 0).');
    expect(() => oversizedText(2.5)).toThrow('oversizedText needs a positive whole length (got 2.5).');
  });
});

test('the form gets at least one payload of every stored kind, and the API the rest, in corpus order', () => {
  const { throughForm, throughApi } = splitForForm(injectionPayloads);
  const storedKinds = kinds.filter((kind) => kind !== 'oversized');
  expect([...new Set(throughForm.map((payload) => payload.kind))].toSorted()).toEqual(storedKinds.toSorted());
  expect(throughForm.map((payload) => payload.name)).toContain('closing textarea');
  expect([...throughForm, ...throughApi].toSorted((a, b) => a.name.localeCompare(b.name))).toEqual(
    [...injectionPayloads].toSorted((a, b) => a.name.localeCompare(b.name)),
  );
  expect(throughApi).toEqual(injectionPayloads.filter((payload) => !throughForm.includes(payload)));
});
