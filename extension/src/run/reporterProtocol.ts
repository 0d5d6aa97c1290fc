/**
 * What the streaming reporter tells the extension while Playwright runs: one JSON object a line
 * over a loopback socket. Both sides import this file, so the shapes cannot drift apart.
 */

/** The environment variable through which a run learns where to stream its events. */
export const reporterAddressVariable = 'JOURNEY_EXPLORER_REPORTER_ADDRESS';

/**
 * The suite's setting naming the hold file: while it exists when the run's workers end, the last
 * journey's browser stays open (fixtures/browser-keeper.ts). The reporter writes it the moment
 * the last journey ends, so a worker that restarts mid-run after a failure never holds.
 */
export const keepBrowserVariable = 'E2E_KEEP_BROWSER';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A test as both ends can name it: its file and title path below the file (describes, title). */
export interface TestIdentity {
  testId: string;
  location: SourceLocation;
  titlePath: string[];
}

export interface ReportedError {
  message: string;
  stack?: string;
  location?: SourceLocation;
  snippet?: string;
}

export interface ReportedAttachment {
  name: string;
  contentType: string;
  path?: string;
}

export type ReporterEvent =
  | { type: 'begin'; totalTests: number }
  | ({ type: 'testBegin'; retry: number } & TestIdentity)
  | {
      type: 'stepBegin';
      testId: string;
      retry: number;
      stepId: string;
      parentStepId?: string;
      title: string;
      location?: SourceLocation;
    }
  | {
      type: 'stepEnd';
      testId: string;
      retry: number;
      stepId: string;
      duration: number;
      error?: ReportedError;
    }
  | ({
      type: 'testEnd';
      retry: number;
      /** How this attempt ended. */
      status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
      /** How the test ended over all its attempts so far; 'flaky' passed after failing. */
      outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
      /** True when Playwright will run the test again. */
      willRetry: boolean;
      duration: number;
      errors: ReportedError[];
      attachments: ReportedAttachment[];
    } & TestIdentity)
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string; testId?: string }
  | { type: 'error'; error: ReportedError }
  /** Every journey has ended and the hold file is written: the process stays while the browser is kept. */
  | { type: 'browserKept' }
  | { type: 'end'; status: 'passed' | 'failed' | 'timedout' | 'interrupted' };

/** Splits a byte stream into JSON lines; a line that is not an event is reported, never dropped silently. */
export class JsonLineDecoder {
  #pending = '';
  readonly #onEvent: (event: ReporterEvent) => void;
  readonly #onMalformed: (line: string) => void;

  constructor(onEvent: (event: ReporterEvent) => void, onMalformed: (line: string) => void) {
    this.#onEvent = onEvent;
    this.#onMalformed = onMalformed;
  }

  write(chunk: string): void {
    this.#pending += chunk;
    let newline = this.#pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.#pending.slice(0, newline).trim();
      this.#pending = this.#pending.slice(newline + 1);
      if (line) this.#decode(line);
      newline = this.#pending.indexOf('\n');
    }
  }

  end(): void {
    const rest = this.#pending.trim();
    this.#pending = '';
    if (rest) this.#decode(rest);
  }

  #decode(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.#onMalformed(line);
      return;
    }
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { type?: unknown }).type === 'string'
    ) {
      this.#onEvent(parsed as ReporterEvent);
    } else {
      this.#onMalformed(line);
    }
  }
}
