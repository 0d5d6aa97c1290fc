import { pathToFileURL } from 'node:url';
import type { TestMessage as TestMessageShape, Uri as UriShape } from '../../src/vscodeApi.ts';

/**
 * VS Code's value classes, as far as the extension uses them. The real classes carry more
 * methods (Position.translate, Range.union, ...); the extension never calls them, and the
 * type check of `extension.ts` against the real module guarantees it only uses these members.
 */

export class Uri {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;

  constructor(scheme: string, authority: string, path: string, query = '', fragment = '') {
    this.scheme = scheme;
    this.authority = authority;
    this.path = path;
    this.query = query;
    this.fragment = fragment;
  }

  static file(path: string): Uri {
    return new Uri('file', '', path);
  }

  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(
      url.protocol.replace(/:$/, ''),
      url.host,
      url.pathname,
      url.search.replace(/^\?/, ''),
      url.hash.replace(/^#/, ''),
    );
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: Partial<Pick<Uri, 'scheme' | 'authority' | 'path' | 'query' | 'fragment'>>): Uri {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }

  toString(): string {
    if (this.scheme === 'file') return pathToFileURL(this.path).toString();
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }

  toJSON(): unknown {
    return {
      scheme: this.scheme,
      authority: this.authority,
      path: this.path,
      query: this.query,
      fragment: this.fragment,
    };
  }
}

export class Position {
  readonly line: number;
  readonly character: number;

  constructor(line: number, character: number) {
    if (line < 0 || character < 0) throw new Error(`Illegal position ${line}:${character}`);
    this.line = line;
    this.character = character;
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;

  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export class Location {
  readonly uri: UriShape;
  readonly range: Range;

  constructor(uri: UriShape, rangeOrPosition: Range | Position) {
    this.uri = uri;
    this.range =
      rangeOrPosition instanceof Position
        ? new Range(
            rangeOrPosition.line,
            rangeOrPosition.character,
            rangeOrPosition.line,
            rangeOrPosition.character,
          )
        : rangeOrPosition;
  }
}

export class RelativePattern {
  readonly base: string;
  readonly baseUri: UriShape;
  readonly pattern: string;

  constructor(base: { uri: UriShape } | UriShape | string, pattern: string) {
    this.baseUri = typeof base === 'string' ? Uri.file(base) : 'uri' in base ? base.uri : base;
    this.base = this.baseUri.fsPath;
    this.pattern = pattern;
  }
}

export class TestTag {
  readonly id: string;

  constructor(id: string) {
    this.id = id;
  }
}

export class TestMessage implements TestMessageShape {
  message: string;
  expectedOutput?: string;
  actualOutput?: string;
  location?: Location;
  contextValue?: string;
  stackTrace?: TestMessageStackFrame[];

  constructor(message: string) {
    this.message = message;
  }

  static diff(message: string, expected: string, actual: string): TestMessage {
    const diff = new TestMessage(message);
    diff.expectedOutput = expected;
    diff.actualOutput = actual;
    return diff;
  }
}

export class TestMessageStackFrame {
  readonly label: string;
  readonly uri?: UriShape;
  readonly position?: Position;

  constructor(label: string, uri?: UriShape, position?: Position) {
    this.label = label;
    this.uri = uri;
    this.position = position;
  }
}
